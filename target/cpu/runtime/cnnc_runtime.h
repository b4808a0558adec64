/*===- cnnc_runtime.h - the thread pool that generated libraries carry ---===*
 *
 * Every shared library cnnc generates carries this runtime, linked in as LLVM
 * bitcode with all of its symbols made internal, so the library still needs
 * only libc (glibc >= 2.34 has pthreads in libc) and two models in one
 * process never share or clash over it. No OpenMP.
 *
 * Design
 * ------
 * Pool. cnnc_rt_pool_create(n) starts n - 1 worker threads; the thread that
 * calls cnnc_rt_parallel_for (the "owner" of that region) is the n-th
 * participant. Workers persist between regions, so a layer's fork/join costs
 * a few cache-line transfers, not thread creation.
 *
 * Spin, then sleep. Between regions a worker spins on the pool's epoch word
 * (pause / isb) for a bounded time (cnnc_rt_pool_set_spin_ns, 100 us by
 * default): the next layer usually starts well within that, and then waking
 * the worker costs ~1 us instead of a futex round trip (tens of us). After
 * that it sleeps in FUTEX_WAIT on the same word, and counts itself in
 * `sleepers`, so the owner makes a FUTEX_WAKE system call only when someone
 * sleeps. The owner waits for the other chunks the same way. A spinner calls
 * sched_yield every 10 us: when other processes keep the other cores busy,
 * the worker and the owner share one CPU, and a spinner that never yielded
 * would keep the thread it waits for off that CPU for the whole spin.
 *
 * Static partition, dynamic claiming. [0, iterations) is split into
 * k = cnnc_rt_chunk_count(iterations, grain, threads) contiguous chunks of
 * near-equal size, each at least `grain` long (cnnc_rt_chunk_range). The
 * boundaries depend only on (iterations, grain, threads), never on timing, so
 * a task that reduces per chunk gives bit-identical results run after run.
 * Which thread runs a chunk is not fixed: the owner takes chunk 0 and then,
 * like every worker, claims the next unclaimed chunk with one compare-and-
 * swap. A worker that is asleep or preempted (2 cores shared with a build)
 * therefore never stalls a layer: the owner runs its chunk instead. It also
 * makes a pool safe after fork(): the child has no workers, so the owner runs
 * every chunk itself.
 *
 * Inline runs. The pool has one owner at a time (a try-lock, no TLS). When
 * cnnc_rt_parallel_for finds the pool busy, because it is called from inside
 * a task (nesting) or because another application thread is running a region
 * on it, it runs the same k chunks one after another on the calling thread:
 * no blocking, hence no deadlock, and the same chunk boundaries and indices,
 * hence the same results. A NULL pool or a 1-thread pool runs one chunk
 * inline with no synchronization at all.
 *
 * Reentrancy: two application threads may use the same pool at once (one of
 * them runs inline: correct, deterministic, but serial). To run concurrently
 * with full parallelism, give each application thread its own pool: the
 * intended generated API is a MODEL_context that owns a pool (and its scratch
 * memory), MODEL_context_create(num_threads). A pool never allocates or
 * blocks in cnnc_rt_parallel_for.
 *
 * No global state. The runtime has no mutable globals; a pool created on
 * first use lives in a slot the caller provides (cnnc_rt_pool_get_or_create),
 * e.g. a global of the generated library for MODEL_run, retired by the
 * library's destructor (cnnc_rt_pool_retire) so that dlclose never unmaps
 * code that workers still run. If nothing is destroyed, process exit simply
 * ends the workers.
 *
 * Freestanding. The implementation includes no header (it declares the few
 * libc functions it calls: pthread_create, pthread_join, syscall (futex),
 * clock_gettime, sched_getaffinity, sched_yield, getpid, aligned_alloc,
 * free) so that `clang-19 -target <triple> -O2 -emit-llvm -c` works for
 * x86_64 and aarch64 without a sysroot. Define CNNC_RT_FREESTANDING to
 * include this header without <stdint.h>.
 *===----------------------------------------------------------------------===*/

#ifndef CNNC_RUNTIME_H
#define CNNC_RUNTIME_H

#ifdef CNNC_RT_FREESTANDING
typedef __INT32_TYPE__ int32_t;
typedef __INT64_TYPE__ int64_t;
#else
#include <stdint.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cnnc_rt_pool cnnc_rt_pool;

/* The body of a parallel loop: runs iterations [begin, end) of chunk `chunk`
 * (0 <= chunk < the chunk count). The chunk index is unique within one
 * cnnc_rt_parallel_for call, so a task can index per-chunk scratch memory or
 * per-chunk partial results with it (at most cnnc_rt_pool_threads chunks). */
typedef void (*cnnc_rt_task)(void *context, int64_t begin, int64_t end,
                             int32_t chunk);

/* A pool of `threads` participants: threads - 1 workers plus the caller of
 * each parallel_for. threads <= 0 means the CPUs this process may run on
 * (sched_getaffinity). Returns NULL if memory runs out (a NULL pool is valid
 * everywhere and runs inline); if a worker cannot be started, the pool has
 * fewer threads (cnnc_rt_pool_threads says how many). */
cnnc_rt_pool *cnnc_rt_pool_create(int32_t threads);

/* Stops and joins the workers, then frees the pool. No region may be running
 * on it. NULL is ignored. In a child process after fork(), only frees. */
void cnnc_rt_pool_destroy(cnnc_rt_pool *pool);

/* The number of participants, the caller included: 1 for NULL. */
int32_t cnnc_rt_pool_threads(const cnnc_rt_pool *pool);

/* How long workers (and the owner waiting for them) spin before sleeping on
 * a futex, in nanoseconds; 0 sleeps at once. Takes effect at the next wait. */
void cnnc_rt_pool_set_spin_ns(cnnc_rt_pool *pool, int64_t nanoseconds);

/* Runs task(context, begin, end, chunk) over the static partition of
 * [0, iterations) into cnnc_rt_chunk_count(iterations, grain, threads)
 * chunks and returns once all have run; returns that count. The caller takes
 * part. Runs the chunks inline on the calling thread when pool is NULL, has
 * one thread, or is busy (nested call, or another thread's region). Memory
 * written by any chunk is visible to the caller on return. */
int32_t cnnc_rt_parallel_for(cnnc_rt_pool *pool, cnnc_rt_task task,
                             void *context, int64_t iterations, int64_t grain);

/* The partition, exposed so that the compiler and tests can size per-chunk
 * buffers and check boundaries. iterations <= 0 gives 0 chunks; grain <= 0
 * counts as 1 and threads <= 0 as 1. k = min(threads, max(1, iterations /
 * grain)); chunk i gets iterations/k iterations, plus one for i <
 * iterations % k, contiguously and in order. */
int32_t cnnc_rt_chunk_count(int64_t iterations, int64_t grain, int32_t threads);
void cnnc_rt_chunk_range(int64_t iterations, int32_t chunks, int32_t chunk,
                         int64_t *begin, int64_t *end);

/* The pool in *slot, created with `threads` on first use. Safe to call from
 * several threads at once: one creation wins, the others are destroyed. */
cnnc_rt_pool *cnnc_rt_pool_get_or_create(cnnc_rt_pool **slot, int32_t threads);

/* For a library's destructor (dlclose or exit): stops and joins the workers
 * of the pool in *slot unless a region is running on it, and leaves it busy
 * forever so that any late caller runs inline. The small pool struct is not
 * freed (a late caller may still hold it); it stays reachable from *slot,
 * and cnnc_rt_pool_destroy may still free it once no one else can. */
void cnnc_rt_pool_retire(cnnc_rt_pool **slot);

/* The CPUs this process may run on (at least 1). */
int32_t cnnc_rt_cpu_count(void);

#ifdef __cplusplus
}
#endif

#endif /* CNNC_RUNTIME_H */
