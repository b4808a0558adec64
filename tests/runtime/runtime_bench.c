/*===- runtime_bench.c - fork/join latency of the cnnc runtime ------------===*
 *
 * Times cnnc_rt_parallel_for calls one by one and prints the median, p90 and
 * p99 (nothing is asserted: the numbers depend on the machine and its load).
 * Usage: runtime_bench [samples] (default 200000)
 *
 *   empty region, hot   back-to-back empty regions, `threads` chunks: what
 *                       a layer pays with workers spinning (the caller may
 *                       run every chunk itself if a worker is slow to start)
 *   rendezvous, hot     each chunk waits until all chunks have started, so
 *                       every thread must take part: the full fork/join
 *                       round trip between two threads
 *   ..., cold           the same after a 2 ms pause, longer than the spin:
 *                       every worker sleeps and must be woken (futex)
 *   ..., spin 0         back to back, but workers never spin: a futex round
 *                       trip per region, what spinning saves
 *   100 us of work      a region of ~100 us of arithmetic, split in chunks:
 *                       the speed-up a layer of that size gets
 * On a machine whose other cores are busy, the two threads share one CPU and
 * the numbers measure the scheduler; `chrt -f 1 cnnc-runtime-bench` shows
 * what the pool costs on an idle machine.
 *===----------------------------------------------------------------------===*/

#include "cnnc_runtime.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_us(void) {
  struct timespec time;
  clock_gettime(CLOCK_MONOTONIC, &time);
  return (double)time.tv_sec * 1e6 + (double)time.tv_nsec * 1e-3;
}

static void sleep_us(long microseconds) {
  struct timespec time = {microseconds / 1000000,
                          microseconds % 1000000 * 1000};
  nanosleep(&time, NULL);
}

static int compare(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static void report(const char *what, int threads, double *samples, int n) {
  qsort(samples, (size_t)n, sizeof *samples, compare);
  printf("%-22s threads=%d  median %7.2f us  p90 %7.2f us  p99 %7.2f us  "
         "min %6.2f us  (n=%d)\n",
         what, threads, samples[n / 2], samples[n * 9 / 10],
         samples[n * 99 / 100], samples[0], n);
}

static void empty(void *context, int64_t begin, int64_t end, int32_t chunk) {
  (void)context, (void)begin, (void)end, (void)chunk;
}

/* Each chunk counts itself in and waits for the others (yielding now and
 * then, in case they share its CPU). */
typedef struct Rendezvous {
  int arrived;
  int chunks;
} Rendezvous;

static void rendezvous(void *context, int64_t begin, int64_t end,
                       int32_t chunk) {
  (void)begin, (void)end, (void)chunk;
  Rendezvous *r = context;
  __atomic_fetch_add(&r->arrived, 1, __ATOMIC_ACQ_REL);
  for (unsigned i = 1;
       __atomic_load_n(&r->arrived, __ATOMIC_ACQUIRE) % r->chunks != 0; ++i)
    if (i % 256 == 0)
      sched_yield();
}

/* About 1.4 ns per iteration of dependent floating-point work. */
static void work(void *context, int64_t begin, int64_t end, int32_t chunk) {
  float *results = context;
  float x = 1.0f;
  for (int64_t i = begin; i < end; ++i)
    x = x * 0.999999f + 1e-7f;
  results[chunk] = x;
}

static void time_regions(const char *what, cnnc_rt_pool *pool,
                         cnnc_rt_task task, void *context, int64_t iterations,
                         int samples, long pause_us) {
  double *times = malloc((size_t)samples * sizeof *times);
  for (int i = 0; i < samples / 10 + 10; ++i) /* warm up */
    cnnc_rt_parallel_for(pool, task, context, iterations, 1);
  for (int i = 0; i < samples; ++i) {
    if (pause_us)
      sleep_us(pause_us);
    double start = now_us();
    cnnc_rt_parallel_for(pool, task, context, iterations, 1);
    times[i] = now_us() - start;
  }
  report(what, cnnc_rt_pool_threads(pool), times, samples);
  free(times);
}

int main(int argc, char **argv) {
  int samples = argc > 1 ? atoi(argv[1]) : 200000;
  if (samples < 100)
    samples = 100;
  printf("cnnc runtime fork/join, %d CPUs available\n", cnnc_rt_cpu_count());
  time_regions("no pool (inline)", NULL, empty, NULL, 1, samples, 0);
  for (int threads = 1; threads <= 2; ++threads) {
    cnnc_rt_pool *pool = cnnc_rt_pool_create(threads);
    time_regions("empty region, hot", pool, empty, NULL, threads, samples, 0);
    cnnc_rt_pool_destroy(pool);
  }
  cnnc_rt_pool *pool = cnnc_rt_pool_create(2);
  Rendezvous meeting = {0, 2};
  int cold = samples / 500 < 50 ? 50 : samples / 500;
  time_regions("rendezvous, hot", pool, rendezvous, &meeting, 2, samples / 4,
               0);
  time_regions("rendezvous, cold", pool, rendezvous, &meeting, 2, cold, 2000);
  time_regions("empty region, cold", pool, empty, NULL, 2, cold, 2000);
  cnnc_rt_pool_set_spin_ns(pool, 0);
  time_regions("rendezvous, spin 0", pool, rendezvous, &meeting, 2,
               samples / 20, 0);
  cnnc_rt_pool_destroy(pool);

  float results[2];
  int work_samples = samples / 100 < 100 ? 100 : samples / 100;
  for (int threads = 1; threads <= 2; ++threads) {
    pool = cnnc_rt_pool_create(threads);
    time_regions("100 us of work", pool, work, results, 70000, work_samples, 0);
    cnnc_rt_pool_destroy(pool);
  }
  return 0;
}
