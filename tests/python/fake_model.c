/* A hand-written library with cnnc's C API (docs/c-api.md, version 3: the
 * package must still read libraries without version 4's field), for
 * the Python package's tests of what compiled models never do: fail with a
 * status, or export their introspection function under another name.
 * y = 2 * x on f32[2, 3]; x[0] == -1 makes every run return
 * CNNC_ERROR_OUT_OF_MEMORY. Macros:
 * - PREFIX=foo: the functions are foo_run, ...;
 * - INFO_SYMBOL: the introspection function's name (cnnc_model, foo_model);
 * - MODEL_NAME="foo": the model name in the structure;
 * - NO_RUN_SYMBOL: no PREFIX_run export (no model for the symbol scan);
 * - VERSION=2: the structure's version (default 3), for the loaders' check. */
#include <stddef.h>
#include <stdint.h>

#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)
#define FN(suffix) CAT(PREFIX, suffix)
#ifndef VERSION
#define VERSION 3
#endif

typedef struct {
  const char *name;
  int32_t dtype, rank;
  const int64_t *shape;
} tensor_info;

typedef struct {
  uint32_t version, num_inputs, num_outputs, scratch_alignment;
  const char *name;
  const tensor_info *inputs, *outputs;
  uint64_t scratch_bytes;
  int (*run)(const void *const *, void *const *);
  int (*run_with_scratch)(const void *const *, void *const *, void *);
  const char *(*status_message)(int);
  void *(*context_create)(int);
  void (*context_destroy)(void *);
  int (*run_in_context)(void *, const void *const *, void *const *);
  int (*context_num_threads)(const void *);
} model_info;

static const int64_t shape[2] = {2, 3};
static const tensor_info inputs[1] = {{"x", 0, 2, shape}};
static const tensor_info outputs[1] = {{"y", 0, 2, shape}};

static int run_with_scratch(const void *const *in, void *const *out,
                            void *scratch) {
  (void)scratch;
  const float *x = in[0];
  float *y = out[0];
  if (x[0] == -1.0f)
    return 1;
  for (int i = 0; i < 6; ++i)
    y[i] = 2 * x[i];
  return 0;
}

static int run(const void *const *in, void *const *out) {
  return run_with_scratch(in, out, NULL);
}

static const char *status_message(int status) {
  return status == 1 ? "out of memory: the scratch arena could not be allocated"
                     : "unknown status";
}

#ifndef NO_RUN_SYMBOL
int FN(_run)(const float *x, float *y) {
  const void *in[1] = {x};
  void *out[1] = {y};
  return run(in, out);
}
#endif

// No context API (NULL): the package must run it on one thread.
static const model_info info = {
    .version = VERSION,
    .num_inputs = 1,
    .num_outputs = 1,
    .scratch_alignment = 64,
    .name = MODEL_NAME,
    .inputs = inputs,
    .outputs = outputs,
    .scratch_bytes = 128,
    .run = run,
    .run_with_scratch = run_with_scratch,
    .status_message = status_message,
};

const model_info *INFO_SYMBOL(void) { return &info; }
