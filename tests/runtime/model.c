/*===- model.c - a stand-in for a generated model that uses the pool -----===*
 *
 * Compiled to bitcode with -DMODEL=<prefix> and linked with the runtime by
 * cnnc-runtime-link, as cnnc will link its generated code: it shows the calls
 * a generated library makes. out[i] = 2 * in[i] + 1, split over the pool.
 *===----------------------------------------------------------------------===*/

#define CNNC_RT_FREESTANDING
#include "cnnc_runtime.h"

#define CONCAT2(a, b) a##_##b
#define CONCAT(a, b) CONCAT2(a, b)
#define API(name) __attribute__((visibility("default"))) CONCAT(MODEL, name)

void *malloc(__SIZE_TYPE__ size);
void free(void *pointer);

typedef struct Arguments {
  const float *input;
  float *output;
} Arguments;

/* An outlined loop body: the signature cnnc_rt_task fixes. */
static void body(void *context, int64_t begin, int64_t end, int32_t chunk) {
  (void)chunk;
  Arguments *arguments = (Arguments *)context;
  for (int64_t i = begin; i < end; ++i)
    arguments->output[i] = 2 * arguments->input[i] + 1;
}

/* MODEL_run: the library's own pool, created on first use; the one mutable
 * global, retired by the library's destructor (dlclose, exit). */
static cnnc_rt_pool *default_pool;

__attribute__((destructor)) static void retire_pool(void) {
  cnnc_rt_pool_retire(&default_pool);
}

int32_t API(run)(const float *input, float *output, int64_t n) {
  Arguments arguments = {input, output};
  cnnc_rt_pool *pool = cnnc_rt_pool_get_or_create(&default_pool, 2);
  return cnnc_rt_parallel_for(pool, body, &arguments, n, 1);
}

/* MODEL_context: a pool per context, so that application threads with a
 * context each run in parallel. */
typedef struct Context {
  cnnc_rt_pool *pool;
} Context;

void *API(context_create)(int32_t threads) {
  Context *context = (Context *)malloc(sizeof(Context));
  if (context)
    context->pool = cnnc_rt_pool_create(threads);
  return context;
}

void API(context_destroy)(void *context) {
  if (context)
    cnnc_rt_pool_destroy(((Context *)context)->pool);
  free(context);
}

int32_t API(run_with_context)(void *context, const float *input, float *output,
                              int64_t n) {
  Arguments arguments = {input, output};
  return cnnc_rt_parallel_for(((Context *)context)->pool, body, &arguments, n,
                              1);
}
