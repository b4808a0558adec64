/*===- cnnc_runtime.c - the thread pool that generated libraries carry ---===*
 *
 * The design is described in cnnc_runtime.h. This file includes no header
 * but that one (in freestanding mode), so that it compiles to bitcode for any
 * Linux target without a sysroot; it declares the libc functions it calls.
 *===----------------------------------------------------------------------===*/

/* Hidden: when this file is built into a shared library (cnnc links it as
 * bitcode and internalizes it anyway, but a plain object must not export it
 * either), two models in one process each keep their own copy. The libc
 * declarations below stay default, or they could not bind to libc. */
#define CNNC_RT_FREESTANDING
#pragma GCC visibility push(hidden)
#include "cnnc_runtime.h"
#pragma GCC visibility pop

typedef __UINT32_TYPE__ uint32_t;
typedef __UINT64_TYPE__ uint64_t;
typedef __SIZE_TYPE__ size_t;

/* --- libc, declared by hand --- */
/* Each matches glibc on x86_64 and aarch64: pthread_t is unsigned long, pid_t
 * int, struct timespec two longs; attributes are always NULL. */
int pthread_create(unsigned long *thread, const void *attributes,
                   void *(*start)(void *), void *argument);
int pthread_join(unsigned long thread, void **result);
long syscall(long number, ...);
struct cnnc_rt_timespec {
  long seconds;
  long nanoseconds;
};
int clock_gettime(int clock, struct cnnc_rt_timespec *time);
int sched_getaffinity(int pid, size_t size, void *mask);
int getpid(void);
int sched_yield(void);
void *aligned_alloc(size_t alignment, size_t size);
void free(void *pointer);

#if defined(__x86_64__)
#define CNNC_RT_SYS_FUTEX 202
#elif defined(__aarch64__)
#define CNNC_RT_SYS_FUTEX 98
#else
#error "cnnc runtime: add this architecture's futex system call number"
#endif
#define CNNC_RT_FUTEX_WAIT_PRIVATE 128 /* FUTEX_WAIT | FUTEX_PRIVATE_FLAG */
#define CNNC_RT_FUTEX_WAKE_PRIVATE 129 /* FUTEX_WAKE | FUTEX_PRIVATE_FLAG */
#define CNNC_RT_CLOCK_MONOTONIC 1

/* Two lines apart: x86's adjacent-line prefetcher pairs 64-byte lines, and
 * some aarch64 cores have 128-byte lines. */
#define CNNC_RT_LINE 128
/* The claim word packs the chunk count and the next chunk in 16 bits each. */
#define CNNC_RT_MAX_THREADS 1024
#define CNNC_RT_DEFAULT_SPIN_NS 100000
/* A spinning thread yields its CPU this often. On a machine whose other
 * cores are busy (2 cores shared with a build), the worker and the owner end
 * up on one CPU; a spinner that never yields would keep the thread it waits
 * for off that CPU for the whole spin. With nothing else runnable,
 * sched_yield returns at once (well under a microsecond). */
#define CNNC_RT_YIELD_NS 10000

/* --- The pool --- */

struct cnnc_rt_pool {
  /* Written by the owner once per region, read by every participant: one
   * line, so a worker that sees the new epoch has the region in cache. */
  _Alignas(CNNC_RT_LINE) uint32_t epoch; /* futex word; +1 per region */
  uint32_t stop;                         /* set before the last epoch bump */
  /* epoch << 32 | chunk count << 16 | next unclaimed chunk: a participant
   * claims chunk `next` by a compare-and-swap to next + 1, which fails once
   * the region is over (epoch changed) or all chunks are taken. */
  uint64_t claim;
  cnnc_rt_task task;
  void *context;
  int64_t iterations;
  int64_t spin_ns;
  /* Chunks finished by workers in this region; the owner waits on it. */
  _Alignas(CNNC_RT_LINE) uint32_t done;
  uint32_t owner_sleeping; /* the owner sleeps on `done` */
  /* Touched by the owner once per region and by workers when they sleep. */
  _Alignas(CNNC_RT_LINE) uint32_t busy; /* the one-owner try-lock */
  uint32_t sleepers;                    /* workers asleep on `epoch` */
  int32_t threads;                      /* workers + 1 */
  int32_t workers;
  int32_t pid; /* workers exist only in the process that created them */
  unsigned long worker_ids[];
};

#define LOAD(p, order) __atomic_load_n(p, __ATOMIC_##order)
#define STORE(p, v, order) __atomic_store_n(p, v, __ATOMIC_##order)

static inline void cpu_relax(void) {
#if defined(__x86_64__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  /* isb, not yield: yield is a nop on most cores; isb waits some tens of
   * cycles, as in Rust's and Abseil's spin loops. */
  __builtin_arm_isb(15);
#endif
}

static int64_t now_ns(void) {
  struct cnnc_rt_timespec time;
  clock_gettime(CNNC_RT_CLOCK_MONOTONIC, &time);
  return (int64_t)time.seconds * 1000000000 + time.nanoseconds;
}

static void futex_wait(uint32_t *word, uint32_t expected) {
  /* Returns at once if *word != expected; EINTR and spurious wake-ups are
   * fine: every caller checks again. */
  syscall(CNNC_RT_SYS_FUTEX, word, (long)CNNC_RT_FUTEX_WAIT_PRIVATE,
          (long)expected, (void *)0, (void *)0, 0L);
}

static void futex_wake(uint32_t *word, int32_t count) {
  syscall(CNNC_RT_SYS_FUTEX, word, (long)CNNC_RT_FUTEX_WAKE_PRIVATE,
          (long)count, (void *)0, (void *)0, 0L);
}

/* Waits until *word differs from `value` and returns the new value: spins
 * for about spin_ns (reading the clock every 32 relaxes, so a short wait
 * never pays for it; yielding every CNNC_RT_YIELD_NS), then sleeps on the
 * futex. While asleep it is counted in *sleepers; a writer stores *word and
 * then reads *sleepers, both seq_cst, so either the writer sees the sleeper
 * and wakes it or the sleeper sees the new value (and FUTEX_WAIT rechecks
 * *word in the kernel). */
static uint32_t wait_while_equal(uint32_t *word, uint32_t value,
                                 uint32_t *sleepers, int64_t spin_ns) {
  uint32_t now = LOAD(word, ACQUIRE);
  if (now != value)
    return now;
  if (spin_ns > 0) {
    int64_t deadline = -1, next_yield = 0;
    for (uint32_t i = 1;; ++i) {
      cpu_relax();
      if ((now = LOAD(word, ACQUIRE)) != value)
        return now;
      if ((i & 31) == 0) {
        int64_t time = now_ns();
        if (deadline < 0) {
          deadline = time + spin_ns;
          next_yield = time + CNNC_RT_YIELD_NS;
        } else if (time >= deadline) {
          break;
        } else if (time >= next_yield) {
          sched_yield();
          next_yield = time + CNNC_RT_YIELD_NS;
        }
      }
    }
  }
  for (;;) {
    __atomic_fetch_add(sleepers, 1, __ATOMIC_SEQ_CST);
    if (LOAD(word, SEQ_CST) == value)
      futex_wait(word, value);
    __atomic_fetch_sub(sleepers, 1, __ATOMIC_RELAXED);
    if ((now = LOAD(word, ACQUIRE)) != value)
      return now;
  }
}

int32_t cnnc_rt_chunk_count(int64_t iterations, int64_t grain,
                            int32_t threads) {
  if (iterations <= 0)
    return 0;
  if (grain < 1)
    grain = 1;
  if (threads < 1)
    threads = 1;
  int64_t most = iterations / grain;
  if (most < 1)
    most = 1;
  return most < threads ? (int32_t)most : threads;
}

static inline void chunk_range(int64_t iterations, int32_t chunks,
                               int32_t chunk, int64_t *begin, int64_t *end) {
  int64_t size = iterations / chunks, rest = iterations % chunks;
  *begin = chunk * size + (chunk < rest ? chunk : rest);
  *end = *begin + size + (chunk < rest ? 1 : 0);
}

void cnnc_rt_chunk_range(int64_t iterations, int32_t chunks, int32_t chunk,
                         int64_t *begin, int64_t *end) {
  chunk_range(iterations, chunks, chunk, begin, end);
}

static void run_chunk(cnnc_rt_task task, void *context, int64_t iterations,
                      int32_t chunks, int32_t chunk) {
  int64_t begin, end;
  chunk_range(iterations, chunks, chunk, &begin, &end);
  task(context, begin, end, chunk);
}

static inline uint64_t pack_claim(uint32_t epoch, uint32_t chunks,
                                  uint32_t next) {
  return (uint64_t)epoch << 32 | (uint64_t)chunks << 16 | next;
}

/* Claims and runs chunks of region `epoch` until none is left; returns how
 * many it ran. A successful claim proves the region is not over (its chunk is
 * not done yet), so the task fields read after it belong to this region. With
 * count_done, each chunk is counted in `done` (the workers' side). */
static int32_t claim_and_run(cnnc_rt_pool *pool, uint32_t epoch,
                             int count_done) {
  int32_t ran = 0;
  uint64_t claim = LOAD(&pool->claim, ACQUIRE);
  for (;;) {
    uint32_t chunks = (uint32_t)(claim >> 16) & 0xffff;
    uint32_t next = (uint32_t)claim & 0xffff;
    if ((uint32_t)(claim >> 32) != epoch || next >= chunks)
      return ran;
    if (!__atomic_compare_exchange_n(&pool->claim, &claim, claim + 1,
                                     /*weak=*/1, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE))
      continue; /* `claim` now holds the current value */
    run_chunk(LOAD(&pool->task, RELAXED), LOAD(&pool->context, RELAXED),
              LOAD(&pool->iterations, RELAXED), (int32_t)chunks, (int32_t)next);
    ++ran;
    if (count_done) {
      __atomic_fetch_add(&pool->done, 1, __ATOMIC_SEQ_CST);
      if (LOAD(&pool->owner_sleeping, SEQ_CST))
        futex_wake(&pool->done, 1);
    }
    claim = LOAD(&pool->claim, ACQUIRE);
  }
}

static void *worker_main(void *argument) {
  cnnc_rt_pool *pool = (cnnc_rt_pool *)argument;
  uint32_t seen = 0; /* the pool is created with epoch 0 */
  for (;;) {
    seen = wait_while_equal(&pool->epoch, seen, &pool->sleepers,
                            LOAD(&pool->spin_ns, RELAXED));
    if (LOAD(&pool->stop, RELAXED)) /* ordered by the epoch's acquire */
      return (void *)0;
    claim_and_run(pool, seen, /*count_done=*/1);
  }
}

int32_t cnnc_rt_cpu_count(void) {
  uint64_t mask[CNNC_RT_MAX_THREADS / 64];
  for (int i = 0; i < CNNC_RT_MAX_THREADS / 64; ++i)
    mask[i] = 0;
  if (sched_getaffinity(0, sizeof mask, mask) != 0)
    return 1;
  int32_t count = 0;
  for (int i = 0; i < CNNC_RT_MAX_THREADS / 64; ++i)
    count += __builtin_popcountll(mask[i]);
  return count > 0 ? count : 1;
}

cnnc_rt_pool *cnnc_rt_pool_create(int32_t threads) {
  if (threads <= 0)
    threads = cnnc_rt_cpu_count();
  if (threads > CNNC_RT_MAX_THREADS)
    threads = CNNC_RT_MAX_THREADS;
  size_t bytes =
      sizeof(cnnc_rt_pool) + (size_t)(threads - 1) * sizeof(unsigned long);
  bytes = (bytes + CNNC_RT_LINE - 1) / CNNC_RT_LINE * CNNC_RT_LINE;
  cnnc_rt_pool *pool = (cnnc_rt_pool *)aligned_alloc(CNNC_RT_LINE, bytes);
  if (!pool)
    return (cnnc_rt_pool *)0;
  pool->epoch = 0;
  pool->stop = 0;
  pool->claim = 0;
  pool->task = (cnnc_rt_task)0;
  pool->context = (void *)0;
  pool->iterations = 0;
  pool->spin_ns = CNNC_RT_DEFAULT_SPIN_NS;
  pool->done = 0;
  pool->owner_sleeping = 0;
  pool->busy = 0;
  pool->sleepers = 0;
  pool->pid = getpid();
  /* The pool is not shared yet, so these plain fields need no atomics;
   * pthread_create orders them before each worker's first read. */
  int32_t workers = 0;
  while (workers < threads - 1 &&
         pthread_create(&pool->worker_ids[workers], (void *)0, worker_main,
                        pool) == 0)
    ++workers;
  pool->workers = workers;
  pool->threads = workers + 1;
  return pool;
}

/* Ends and joins the workers; the caller holds the pool (busy). */
static void stop_workers(cnnc_rt_pool *pool) {
  if (pool->pid != getpid())
    return; /* a child after fork(): the workers stayed in the parent */
  STORE(&pool->stop, 1, RELAXED);
  __atomic_fetch_add(&pool->epoch, 1, __ATOMIC_SEQ_CST);
  futex_wake(&pool->epoch, 0x7fffffff);
  for (int32_t i = 0; i < pool->workers; ++i)
    pthread_join(pool->worker_ids[i], (void **)0);
  pool->workers = 0;
}

void cnnc_rt_pool_destroy(cnnc_rt_pool *pool) {
  if (!pool)
    return;
  stop_workers(pool);
  free(pool);
}

int32_t cnnc_rt_pool_threads(const cnnc_rt_pool *pool) {
  return pool ? pool->threads : 1;
}

void cnnc_rt_pool_set_spin_ns(cnnc_rt_pool *pool, int64_t nanoseconds) {
  if (pool)
    STORE(&pool->spin_ns, nanoseconds < 0 ? 0 : nanoseconds, RELAXED);
}

static int try_own(cnnc_rt_pool *pool) {
  uint32_t expected = 0;
  /* A plain load first, so that a busy pool costs no cache-line write. */
  return LOAD(&pool->busy, RELAXED) == 0 &&
         __atomic_compare_exchange_n(&pool->busy, &expected, 1, /*weak=*/0,
                                     __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

int32_t cnnc_rt_parallel_for(cnnc_rt_pool *pool, cnnc_rt_task task,
                             void *context, int64_t iterations, int64_t grain) {
  int32_t chunks =
      cnnc_rt_chunk_count(iterations, grain, cnnc_rt_pool_threads(pool));
  if (chunks <= 1 || !try_own(pool)) {
    /* Serial, with the very same chunks: results never depend on whether
     * the pool was free. */
    for (int32_t chunk = 0; chunk < chunks; ++chunk)
      run_chunk(task, context, iterations, chunks, chunk);
    return chunks;
  }

  /* Publish the region: its fields, then the claim word (release), then the
   * epoch that workers wait on (seq_cst, against `sleepers`). Only the owner
   * writes the epoch, so reading it relaxed is exact. */
  uint32_t epoch = LOAD(&pool->epoch, RELAXED) + 1;
  STORE(&pool->task, task, RELAXED);
  STORE(&pool->context, context, RELAXED);
  STORE(&pool->iterations, iterations, RELAXED);
  STORE(&pool->done, 0, RELAXED);
  /* Chunk 0 is the owner's from the start: one compare-and-swap fewer. */
  STORE(&pool->claim, pack_claim(epoch, (uint32_t)chunks, 1), RELEASE);
  STORE(&pool->epoch, epoch, SEQ_CST);
  if (LOAD(&pool->sleepers, SEQ_CST))
    futex_wake(&pool->epoch, chunks - 1);

  run_chunk(task, context, iterations, chunks, 0);
  int32_t mine = 1 + claim_and_run(pool, epoch, /*count_done=*/0);

  /* Wait for the chunks that workers claimed; their fetch_add on `done` is
   * seq_cst, which also makes their writes visible here. */
  uint32_t expected = (uint32_t)(chunks - mine);
  int64_t spin_ns = LOAD(&pool->spin_ns, RELAXED);
  uint32_t done = LOAD(&pool->done, ACQUIRE);
  while (done != expected)
    done = wait_while_equal(&pool->done, done, &pool->owner_sleeping, spin_ns);

  STORE(&pool->busy, 0, RELEASE);
  return chunks;
}

cnnc_rt_pool *cnnc_rt_pool_get_or_create(cnnc_rt_pool **slot, int32_t threads) {
  cnnc_rt_pool *pool = LOAD(slot, ACQUIRE);
  if (pool)
    return pool;
  cnnc_rt_pool *fresh = cnnc_rt_pool_create(threads);
  if (!fresh)
    return (cnnc_rt_pool *)0; /* run inline; try again next time */
  if (__atomic_compare_exchange_n(slot, &pool, fresh, /*weak=*/0,
                                  __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
    return fresh;
  cnnc_rt_pool_destroy(fresh); /* another thread's pool won */
  return pool;
}

void cnnc_rt_pool_retire(cnnc_rt_pool **slot) {
  cnnc_rt_pool *pool = LOAD(slot, ACQUIRE);
  /* Busy: a region is running (a thread still in a model at exit); the
   * process is ending, and its workers end with it. */
  if (!pool || !try_own(pool))
    return;
  stop_workers(pool); /* and never release `busy` */
}
