/*===- runtime_test.c - the cnnc thread-pool runtime, tested ---------------===*
 *
 * Plain C (the runtime is C; valgrind and the sanitizers run it as is).
 * Usage: runtime_test [--quick] [--no-fork] [--exit-without-destroy]
 *   --quick    fewer repetitions (valgrind, ThreadSanitizer)
 *   --no-fork  leave out the fork() test
 *   --exit-without-destroy  only: return from main while a pool is busy
 * Exits 1 and names the check on the first failure.
 *===----------------------------------------------------------------------===*/

#include "cnnc_runtime.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int quick;

#define CHECK(condition, ...)                                                  \
  do {                                                                         \
    if (!(condition)) {                                                        \
      fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__,         \
              #condition);                                                     \
      fprintf(stderr, __VA_ARGS__);                                            \
      fprintf(stderr, "\n");                                                   \
      exit(1);                                                                 \
    }                                                                          \
  } while (0)

static void sleep_us(long microseconds) {
  struct timespec time = {microseconds / 1000000,
                          microseconds % 1000000 * 1000};
  nanosleep(&time, NULL);
}

/* --- The partition --- */

static void test_partition(void) {
  const int64_t grains[] = {-5, 0, 1, 2, 3, 7, 64, 1000};
  for (int64_t n = -2; n <= 300; ++n)
    for (size_t g = 0; g < sizeof grains / sizeof *grains; ++g)
      for (int32_t threads = -1; threads <= 9; ++threads) {
        int64_t grain = grains[g] < 1 ? 1 : grains[g];
        int32_t k = cnnc_rt_chunk_count(n, grains[g], threads);
        int32_t t = threads < 1 ? 1 : threads;
        int64_t expected = n <= 0 ? 0 : n / grain < 1 ? 1 : n / grain;
        if (expected > t)
          expected = t;
        CHECK(k == expected, "n=%ld grain=%ld threads=%d: %d chunks", (long)n,
              (long)grains[g], threads, k);
        int64_t next = 0, smallest = n, largest = 0;
        for (int32_t c = 0; c < k; ++c) {
          int64_t begin, end;
          cnnc_rt_chunk_range(n, k, c, &begin, &end);
          CHECK(begin == next && end > begin, "n=%ld k=%d chunk %d: [%ld,%ld)",
                (long)n, k, c, (long)begin, (long)end);
          if (end - begin < smallest)
            smallest = end - begin;
          if (end - begin > largest)
            largest = end - begin;
          next = end;
        }
        CHECK(next == (n > 0 ? n : 0), "n=%ld: covered up to %ld", (long)n,
              (long)next);
        CHECK(k == 0 || largest - smallest <= 1, "unbalanced");
        CHECK(k <= 1 || smallest >= grain, "a chunk under the grain");
      }
  /* No overflow with huge iteration counts. */
  int64_t huge = (int64_t)1 << 62, begin, end;
  int32_t k = cnnc_rt_chunk_count(huge, 3, 7);
  CHECK(k == 7, "%d", k);
  cnnc_rt_chunk_range(huge, k, 6, &begin, &end);
  CHECK(end == huge && begin < end, "huge: [%ld, %ld)", (long)begin, (long)end);
  printf("partition: ok\n");
}

/* --- Coverage: every index exactly once, chunks as documented --- */

#define MAX_CHUNKS 64

typedef struct Coverage {
  int64_t iterations;
  int *counts;
  int64_t begins[MAX_CHUNKS], ends[MAX_CHUNKS];
  int chunk_calls[MAX_CHUNKS];
  int bad_chunk;
} Coverage;

static void cover(void *context, int64_t begin, int64_t end, int32_t chunk) {
  Coverage *coverage = context;
  if (chunk < 0 || chunk >= MAX_CHUNKS) {
    __atomic_store_n(&coverage->bad_chunk, 1, __ATOMIC_RELAXED);
    return;
  }
  /* Plain stores: each chunk index is run by one thread, and the pool must
   * make them visible to the caller (ThreadSanitizer checks that). */
  coverage->begins[chunk] = begin;
  coverage->ends[chunk] = end;
  coverage->chunk_calls[chunk]++;
  for (int64_t i = begin; i < end; ++i)
    coverage->counts[i]++;
}

/* Runs one region and checks it; returns its chunk count. */
static int32_t check_coverage(cnnc_rt_pool *pool, int64_t n, int64_t grain) {
  Coverage coverage;
  memset(&coverage, 0, sizeof coverage);
  coverage.iterations = n;
  coverage.counts = calloc(n > 0 ? (size_t)n : 1, sizeof(int));
  int32_t threads = cnnc_rt_pool_threads(pool);
  int32_t k = cnnc_rt_parallel_for(pool, cover, &coverage, n, grain);
  CHECK(k == cnnc_rt_chunk_count(n, grain, threads),
        "n=%ld grain=%ld threads=%d: returned %d", (long)n, (long)grain,
        threads, k);
  CHECK(!coverage.bad_chunk, "chunk index out of range");
  for (int64_t i = 0; i < n; ++i)
    CHECK(coverage.counts[i] == 1,
          "n=%ld grain=%ld threads=%d: index %ld ran %d times", (long)n,
          (long)grain, threads, (long)i, coverage.counts[i]);
  for (int32_t c = 0; c < k; ++c) {
    int64_t begin, end;
    cnnc_rt_chunk_range(n, k, c, &begin, &end);
    CHECK(coverage.chunk_calls[c] == 1 && coverage.begins[c] == begin &&
              coverage.ends[c] == end,
          "n=%ld grain=%ld threads=%d chunk %d: %d calls, [%ld,%ld)", (long)n,
          (long)grain, threads, c, coverage.chunk_calls[c],
          (long)coverage.begins[c], (long)coverage.ends[c]);
  }
  for (int32_t c = k; c < MAX_CHUNKS; ++c)
    CHECK(coverage.chunk_calls[c] == 0, "chunk %d beyond %d ran", c, k);
  free(coverage.counts);
  return k;
}

static void test_coverage(void) {
  const int64_t sizes[] = {0, 1, 2, 3, 4, 5, 7, 8, 13, 64, 100, 1000, 4097};
  const int64_t grains[] = {0, 1, 2, 3, 16, 1000};
  const int32_t thread_counts[] = {1, 2, 3, 4, 7};
  int regions = 0;
  for (size_t t = 0; t < sizeof thread_counts / sizeof *thread_counts; ++t) {
    cnnc_rt_pool *pool = cnnc_rt_pool_create(thread_counts[t]);
    CHECK(pool && cnnc_rt_pool_threads(pool) == thread_counts[t], "create");
    for (int repeat = 0; repeat < (quick ? 1 : 5); ++repeat)
      for (size_t s = 0; s < sizeof sizes / sizeof *sizes; ++s)
        for (size_t g = 0; g < sizeof grains / sizeof *grains; ++g) {
          check_coverage(pool, sizes[s], grains[g]);
          ++regions;
        }
    cnnc_rt_pool_destroy(pool);
  }
  /* A NULL pool runs inline, one chunk. */
  CHECK(cnnc_rt_pool_threads(NULL) == 1, "NULL pool threads");
  CHECK(check_coverage(NULL, 100, 1) == 1, "NULL pool chunks");
  CHECK(check_coverage(NULL, 0, 1) == 0, "NULL pool, no iterations");
  /* threads <= 0: the CPUs we may run on. */
  cnnc_rt_pool *pool = cnnc_rt_pool_create(0);
  CHECK(cnnc_rt_pool_threads(pool) == cnnc_rt_cpu_count(), "default threads");
  check_coverage(pool, 1000, 1);
  cnnc_rt_pool_destroy(pool);
  cnnc_rt_pool_destroy(NULL);
  printf("coverage: ok (%d regions, %d CPUs)\n", regions, cnnc_rt_cpu_count());
}

/* Workers asleep (no spinning at all, or after a pause longer than the spin)
 * must be woken; many back-to-back regions race publication and claims. */
static void test_sleep_and_stress(void) {
  cnnc_rt_pool *pool = cnnc_rt_pool_create(3);
  cnnc_rt_pool_set_spin_ns(pool, 0);
  for (int i = 0; i < (quick ? 50 : 2000); ++i)
    check_coverage(pool, 1 + i % 37, 1);
  cnnc_rt_pool_set_spin_ns(pool, 20000);
  for (int i = 0; i < (quick ? 5 : 20); ++i) {
    sleep_us(1000); /* longer than the spin: every worker sleeps */
    check_coverage(pool, 64, 1);
  }
  cnnc_rt_pool_destroy(pool);
  pool = cnnc_rt_pool_create(2);
  for (int i = 0; i < (quick ? 2000 : 100000); ++i)
    check_coverage(pool, 1 + i % 5, 1);
  cnnc_rt_pool_destroy(pool);
  printf("sleep and stress: ok\n");
}

/* --- Determinism: per-chunk partial sums, whoever runs them --- */

typedef struct Sum {
  const float *values;
  float partials[MAX_CHUNKS];
} Sum;

static void partial_sum(void *context, int64_t begin, int64_t end,
                        int32_t chunk) {
  Sum *sum = context;
  float total = 0;
  for (int64_t i = begin; i < end; ++i)
    total += sum->values[i];
  sum->partials[chunk] = total;
}

static float chunked_sum(cnnc_rt_pool *pool, const float *values, int64_t n) {
  Sum sum = {values, {0}};
  int32_t k = cnnc_rt_parallel_for(pool, partial_sum, &sum, n, 1);
  float total = 0;
  for (int32_t c = 0; c < k; ++c)
    total += sum.partials[c];
  return total;
}

typedef struct Hammer {
  cnnc_rt_pool *pool;
  const float *values;
  int64_t n;
  int stop;
  float expected;
  int mismatches;
} Hammer;

static void *hammer(void *argument) {
  Hammer *h = argument;
  while (!__atomic_load_n(&h->stop, __ATOMIC_ACQUIRE))
    if (chunked_sum(h->pool, h->values, h->n) != h->expected)
      __atomic_fetch_add(&h->mismatches, 1, __ATOMIC_RELAXED);
  return NULL;
}

static void test_determinism(void) {
  enum { N = 10007 };
  float *values = malloc(N * sizeof(float));
  unsigned state = 12345;
  for (int i = 0; i < N; ++i) {
    state = state * 1664525u + 1013904223u;
    values[i] = (float)(state >> 8) / (float)(1 << 24) * 2 - 1;
  }
  cnnc_rt_pool *pool = cnnc_rt_pool_create(3);
  /* The reference: the same partition, run serially here. */
  int32_t k = cnnc_rt_chunk_count(N, 1, 3);
  float expected = 0;
  for (int32_t c = 0; c < k; ++c) {
    int64_t begin, end;
    cnnc_rt_chunk_range(N, k, c, &begin, &end);
    float partial = 0;
    for (int64_t i = begin; i < end; ++i)
      partial += values[i];
    expected += partial;
  }
  /* A second application thread on the same pool, so that some regions run
   * inline and some in parallel: the sums must not change by one bit. */
  Hammer h = {pool, values, N, 0, expected, 0};
  pthread_t other;
  pthread_create(&other, NULL, hammer, &h);
  int mismatches = 0;
  for (int i = 0; i < (quick ? 200 : 5000); ++i)
    mismatches += chunked_sum(pool, values, N) != expected;
  __atomic_store_n(&h.stop, 1, __ATOMIC_RELEASE);
  pthread_join(other, NULL);
  CHECK(mismatches == 0 && h.mismatches == 0, "%d + %d sums differ", mismatches,
        h.mismatches);
  cnnc_rt_pool_destroy(pool);
  free(values);
  printf("determinism: ok\n");
}

/* --- Nesting --- */

typedef struct Nest {
  cnnc_rt_pool *outer, *inner;
  int64_t inner_n;
  int *counts; /* outer_n * inner_n */
  pthread_t *inner_threads;
  int foreign; /* an inner chunk on another thread (same pool only) */
} Nest;

typedef struct InnerArgs {
  Nest *nest;
  int64_t row;
  pthread_t caller;
} InnerArgs;

static void inner_task(void *context, int64_t begin, int64_t end,
                       int32_t chunk) {
  (void)chunk;
  InnerArgs *args = context;
  Nest *nest = args->nest;
  if (nest->inner == nest->outer &&
      !pthread_equal(pthread_self(), args->caller))
    __atomic_store_n(&nest->foreign, 1, __ATOMIC_RELAXED);
  for (int64_t i = begin; i < end; ++i)
    __atomic_fetch_add(&nest->counts[args->row * nest->inner_n + i], 1,
                       __ATOMIC_RELAXED);
}

static void outer_task(void *context, int64_t begin, int64_t end,
                       int32_t chunk) {
  (void)chunk;
  Nest *nest = context;
  for (int64_t row = begin; row < end; ++row) {
    InnerArgs args = {nest, row, pthread_self()};
    int32_t k =
        cnnc_rt_parallel_for(nest->inner, inner_task, &args, nest->inner_n, 1);
    if (k != cnnc_rt_chunk_count(nest->inner_n, 1,
                                 cnnc_rt_pool_threads(nest->inner)))
      __atomic_store_n(&nest->foreign, 2, __ATOMIC_RELAXED);
  }
}

static void run_nest(cnnc_rt_pool *outer, cnnc_rt_pool *inner) {
  enum { OUTER = 9, INNER = 23 };
  int counts[OUTER * INNER] = {0};
  Nest nest = {outer, inner, INNER, counts, NULL, 0};
  cnnc_rt_parallel_for(outer, outer_task, &nest, OUTER, 1);
  CHECK(nest.foreign == 0, "nested region: %s",
        nest.foreign == 1 ? "ran on another thread" : "wrong chunk count");
  for (int i = 0; i < OUTER * INNER; ++i)
    CHECK(counts[i] == 1, "nested index %d ran %d times", i, counts[i]);
}

static void test_nesting(void) {
  cnnc_rt_pool *a = cnnc_rt_pool_create(3), *b = cnnc_rt_pool_create(2);
  for (int i = 0; i < (quick ? 20 : 500); ++i) {
    run_nest(a, a);    /* same pool: inline, on the calling thread */
    run_nest(a, b);    /* another pool: in parallel (or inline when busy) */
    run_nest(a, NULL); /* no pool */
  }
  cnnc_rt_pool_destroy(a);
  cnnc_rt_pool_destroy(b);
  printf("nesting: ok\n");
}

/* --- Two application threads at once --- */

typedef struct Client {
  cnnc_rt_pool *pool;
  int regions;
} Client;

static void *client(void *argument) {
  Client *c = argument;
  for (int i = 0; i < c->regions; ++i)
    check_coverage(c->pool, 1 + i % 97, 1 + i % 3);
  return NULL;
}

static void run_clients(cnnc_rt_pool *first, cnnc_rt_pool *second,
                        int regions) {
  Client a = {first, regions}, b = {second, regions};
  pthread_t thread;
  pthread_create(&thread, NULL, client, &b);
  client(&a);
  pthread_join(thread, NULL);
}

static void test_two_callers(void) {
  int regions = quick ? 300 : 20000;
  /* One pool shared: the second caller runs inline whenever it is busy. */
  cnnc_rt_pool *shared = cnnc_rt_pool_create(2);
  run_clients(shared, shared, regions);
  cnnc_rt_pool_destroy(shared);
  /* One pool each (a MODEL_context each): both run in parallel. */
  cnnc_rt_pool *a = cnnc_rt_pool_create(2), *b = cnnc_rt_pool_create(2);
  run_clients(a, b, regions);
  cnnc_rt_pool_destroy(a);
  cnnc_rt_pool_destroy(b);
  printf("two callers: ok\n");
}

/* --- Created on first use, retired --- */

typedef struct Racer {
  cnnc_rt_pool **slot;
  cnnc_rt_pool *got;
  int *go;
} Racer;

static void *race_for_pool(void *argument) {
  Racer *r = argument;
  while (!__atomic_load_n(r->go, __ATOMIC_ACQUIRE))
    ;
  r->got = cnnc_rt_pool_get_or_create(r->slot, 2);
  check_coverage(r->got, 50, 1);
  return NULL;
}

static void test_lazy_and_retire(void) {
  enum { RACERS = 4 };
  for (int round = 0; round < (quick ? 2 : 20); ++round) {
    cnnc_rt_pool *slot = NULL;
    int go = 0;
    Racer racers[RACERS];
    pthread_t threads[RACERS];
    for (int i = 0; i < RACERS; ++i) {
      racers[i] = (Racer){&slot, NULL, &go};
      pthread_create(&threads[i], NULL, race_for_pool, &racers[i]);
    }
    __atomic_store_n(&go, 1, __ATOMIC_RELEASE);
    for (int i = 0; i < RACERS; ++i)
      pthread_join(threads[i], NULL);
    for (int i = 0; i < RACERS; ++i)
      CHECK(racers[i].got == slot && slot, "racer %d got another pool", i);
    CHECK(cnnc_rt_pool_get_or_create(&slot, 7) == slot, "second get");
    /* Retired: workers joined, later regions run inline, still correct. */
    cnnc_rt_pool_retire(&slot);
    CHECK(check_coverage(slot, 100, 1) == 2, "retired pool's chunks");
    cnnc_rt_pool_retire(&slot); /* twice is harmless */
    /* Whoever knows no one else holds it may still free it. */
    cnnc_rt_pool_destroy(slot);
  }
  cnnc_rt_pool *empty = NULL;
  cnnc_rt_pool_retire(&empty);
  printf("lazy creation and retire: ok\n");
}

/* --- fork(): the child has no workers, and must not hang --- */

static void test_fork(void) {
  cnnc_rt_pool *pool = cnnc_rt_pool_create(2);
  check_coverage(pool, 100, 1);
  pid_t child = fork();
  CHECK(child >= 0, "fork");
  if (child == 0) {
    alarm(20); /* a hang fails the test instead of blocking it */
    for (int i = 0; i < 50; ++i)
      check_coverage(pool, 100, 1);
    cnnc_rt_pool_destroy(pool); /* must not join the parent's workers */
    _exit(0);
  }
  int status = 0;
  waitpid(child, &status, 0);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
        "child after fork: status %d", status);
  check_coverage(pool, 100, 1);
  cnnc_rt_pool_destroy(pool);
  printf("fork: ok\n");
}

/* --- Exit without destroy, in the middle of regions --- */

static cnnc_rt_pool *left_alive;

static void *keep_running(void *argument) {
  (void)argument;
  for (;;)
    check_coverage(left_alive, 100, 1);
  return NULL;
}

/* Returns from main while another thread runs regions on a pool that is
 * never destroyed: the process must simply end (ctest's timeout catches a
 * hang). */
static int exit_without_destroy(void) {
  left_alive = cnnc_rt_pool_create(2);
  check_coverage(left_alive, 100, 1);
  pthread_t thread;
  pthread_create(&thread, NULL, keep_running, NULL);
  sleep_us(20000);
  printf("exit without destroy: returning from main\n");
  return 0;
}

int main(int argc, char **argv) {
  int fork_test = 1;
  for (int i = 1; i < argc; ++i) {
    if (!strcmp(argv[i], "--quick"))
      quick = 1;
    else if (!strcmp(argv[i], "--no-fork"))
      fork_test = 0;
    else if (!strcmp(argv[i], "--exit-without-destroy"))
      return exit_without_destroy();
    else {
      fprintf(stderr,
              "usage: %s [--quick] [--no-fork] [--exit-without-destroy]\n",
              argv[0]);
      return 2;
    }
  }
  test_partition();
  test_coverage();
  test_sleep_and_stress();
  test_determinism();
  test_nesting();
  test_two_callers();
  test_lazy_and_retire();
  if (fork_test)
    test_fork();
  printf("all runtime tests passed\n");
  return 0;
}
