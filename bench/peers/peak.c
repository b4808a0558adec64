/* The machine's ceilings for scripts/bench-peers.sh: the fp32 FMA peak and a
 * DRAM bandwidth, measured the same day as the layers.
 *
 *   peak fma avx2|avx512 THREADS SECONDS   fp32 FMA GFLOP/s (all threads)
 *   peak triad THREADS SECONDS             a[i] = b[i] + s * c[i], GB/s
 *
 * FMA: independent accumulator chains of vfmadd (12 ymm for AVX2 out of 16
 * registers, 24 zmm for AVX-512 out of 32), enough to hide the FMA latency
 * on two FMA pipes; each FMA is 2 FLOPs per lane. Triad: three arrays of
 * 64 MiB each (well above the L3), 12 bytes per element (STREAM's count,
 * without the write-allocate read). Each thread works alone on its own data
 * until the deadline, timing each chunk of work (about 0.3 ms of FMAs, one
 * triad pass); a thread's rate is its median chunk's, so that the time the
 * thread spends descheduled on a shared machine counts as little as it does
 * in the per-call medians of the benchmarks. The result is the sum of the
 * threads' rates. Prints
 * one line: "fma avx2 threads=1 gflops=97.3" or "triad threads=1 gbs=21.4".
 * Build: cc -O2 -pthread peak.c -o peak (no -march needed).
 */
#define _GNU_SOURCE
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

#define CHUNK 200000L /* iterations between clock reads */
#define MAX_CHUNKS 100000

static int compareDoubles(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* The median of n chunk times (sorts them). */
static double median(double *times, long n) {
  qsort(times, n, sizeof *times, compareDoubles);
  return n % 2 ? times[n / 2] : 0.5 * (times[n / 2 - 1] + times[n / 2]);
}

#define R12(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11)
#define R24(X)                                                                 \
  R12(X) X(12) X(13) X(14) X(15) X(16) X(17) X(18) X(19) X(20) X(21) X(22) X(23)

/* Runs chunks until the deadline and records each chunk's seconds in times;
 * returns the FLOPs of one chunk; *sink keeps the accumulators alive. */
__attribute__((target("avx2,fma"))) static double
fmaAvx2(double deadline, float *sink, double *times, long *count) {
  __m256 b = _mm256_set1_ps(0.9999999f), c = _mm256_set1_ps(1e-7f);
#define DECL(i) __m256 a##i = _mm256_set1_ps(0.5f + (i) * 0.01f);
  R12(DECL)
#undef DECL
  long chunks = 0;
  double t = now(), next;
  do {
    for (long k = 0; k < CHUNK; ++k) {
#define STEP(i) a##i = _mm256_fmadd_ps(a##i, b, c);
      R12(STEP)
#undef STEP
      __asm__ volatile("" ::: "memory");
    }
    next = now();
    if (chunks < MAX_CHUNKS)
      times[chunks++] = next - t;
    t = next;
  } while (t < deadline);
  *count = chunks;
  __m256 s = _mm256_setzero_ps();
#define SUM(i) s = _mm256_add_ps(s, a##i);
  R12(SUM)
#undef SUM
  *sink = _mm256_cvtss_f32(s);
  return (double)CHUNK * 12 * 8 * 2;
}

__attribute__((target("avx512f"))) static double
fmaAvx512(double deadline, float *sink, double *times, long *count) {
  __m512 b = _mm512_set1_ps(0.9999999f), c = _mm512_set1_ps(1e-7f);
#define DECL(i) __m512 a##i = _mm512_set1_ps(0.5f + (i) * 0.01f);
  R24(DECL)
#undef DECL
  long chunks = 0;
  double t = now(), next;
  do {
    for (long k = 0; k < CHUNK / 2; ++k) {
#define STEP(i) a##i = _mm512_fmadd_ps(a##i, b, c);
      R24(STEP)
#undef STEP
      __asm__ volatile("" ::: "memory");
    }
    next = now();
    if (chunks < MAX_CHUNKS)
      times[chunks++] = next - t;
    t = next;
  } while (t < deadline);
  *count = chunks;
  __m512 s = _mm512_setzero_ps();
#define SUM(i) s = _mm512_add_ps(s, a##i);
  R24(SUM)
#undef SUM
  *sink = _mm512_reduce_add_ps(s);
  return (double)(CHUNK / 2) * 24 * 16 * 2;
}

#define TRIAD_N (16L << 20) /* floats per array: 64 MiB */

struct Job {
  int kind; /* 0 avx2, 1 avx512, 2 triad */
  double seconds, rate;
  float sink;
};

static void *work(void *arg) {
  struct Job *job = arg;
  double *times = malloc(MAX_CHUNKS * sizeof *times);
  long count = 0;
  if (job->kind == 2) {
    float *a = aligned_alloc(64, TRIAD_N * 4),
          *b = aligned_alloc(64, TRIAD_N * 4),
          *c = aligned_alloc(64, TRIAD_N * 4);
    for (long i = 0; i < TRIAD_N; ++i)
      a[i] = 0, b[i] = 1, c[i] = 2;
    /* One pass to touch the pages, then timed passes. */
    for (long i = 0; i < TRIAD_N; ++i)
      a[i] = b[i] + 0.5f * c[i];
    double t = now(), deadline = t + job->seconds, next;
    do {
      float s = 0.5f + count * 1e-3f;
      for (long i = 0; i < TRIAD_N; ++i)
        a[i] = b[i] + s * c[i];
      __asm__ volatile("" ::"r"(a) : "memory");
      next = now();
      times[count++] = next - t;
      t = next;
    } while (t < deadline && count < MAX_CHUNKS);
    job->rate = 12.0 * TRIAD_N / median(times, count) / 1e9;
    job->sink = a[count % TRIAD_N];
    free(a), free(b), free(c), free(times);
    return NULL;
  }
  /* A short untimed run first: the clock ramps up and AVX-512 units wake. */
  float sink;
  double start = now();
  job->kind ? fmaAvx512(start + 0.02, &sink, times, &count)
            : fmaAvx2(start + 0.02, &sink, times, &count);
  start = now();
  double flops =
      job->kind ? fmaAvx512(start + job->seconds, &job->sink, times, &count)
                : fmaAvx2(start + job->seconds, &job->sink, times, &count);
  job->rate = flops / median(times, count) / 1e9;
  free(times);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 5 && !(argc == 4 && !strcmp(argv[1], "triad"))) {
    fprintf(stderr, "usage: peak fma avx2|avx512 THREADS SECONDS\n"
                    "       peak triad THREADS SECONDS\n");
    return 2;
  }
  int kind = 2;
  const char *isa = "";
  if (!strcmp(argv[1], "fma")) {
    isa = argv[2];
    kind = !strcmp(isa, "avx512");
    if (kind && !__builtin_cpu_supports("avx512f")) {
      fprintf(stderr, "peak: this CPU has no AVX-512F\n");
      return 1;
    }
    if (!kind && !__builtin_cpu_supports("avx2")) {
      fprintf(stderr, "peak: this CPU has no AVX2\n");
      return 1;
    }
    argv += 1;
  }
  int threads = atoi(argv[2]);
  double seconds = atof(argv[3]);
  if (threads < 1 || threads > 256 || seconds <= 0) {
    fprintf(stderr, "peak: bad THREADS or SECONDS\n");
    return 2;
  }
  struct Job jobs[256];
  pthread_t ids[256];
  for (int t = 0; t < threads; ++t) {
    jobs[t] = (struct Job){kind, seconds, 0, 0};
    pthread_create(&ids[t], NULL, work, &jobs[t]);
  }
  double total = 0, sink = 0;
  for (int t = 0; t < threads; ++t) {
    pthread_join(ids[t], NULL);
    total += jobs[t].rate;
    sink += jobs[t].sink;
  }
  if (sink != sink) /* never: keeps the results observable */
    fprintf(stderr, "nan\n");
  if (kind == 2)
    printf("triad threads=%d gbs=%.2f\n", threads, total);
  else
    printf("fma %s threads=%d gflops=%.2f\n", isa, threads, total);
  return 0;
}
