/* Calling a cnnc-generated library from C.
 *
 *   cnnc examples/mobilenet_v2.cnn --random-weights=1 --emit=so \
 *     -o libmobilenet_v2.so
 *   cnnc examples/mobilenet_v2.cnn --emit=header -o mobilenet_v2.h
 *   cc -I. examples/c-api/main.c -L. -lmobilenet_v2 -Wl,-rpath,. -o classify
 *   ./classify
 *
 * MODEL_HEADER, MODEL_RUN, MODEL_RUN_WITH_SCRATCH, MODEL_INFO, INPUT_SIZE and
 * OUTPUT_SIZE name the model; the defaults fit mobilenet_v2 (1x3x224x224 in,
 * 1x1000 out). */
#ifndef MODEL_HEADER
#define MODEL_HEADER "mobilenet_v2.h"
#define MODEL_RUN mobilenet_v2_run
#define MODEL_RUN_WITH_SCRATCH mobilenet_v2_run_with_scratch
#define MODEL_INFO mobilenet_v2_model
#define INPUT_SIZE (1 * 3 * 224 * 224)
#define OUTPUT_SIZE 1000
#endif
#include MODEL_HEADER

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Tensors on a cache line (64 bytes): plain malloc would do, but the
 * library's vector stores run faster on aligned outputs (docs/c-api.md,
 * "Alignment"). aligned_alloc wants a multiple of the alignment. */
static float *alloc_floats(size_t count) {
  size_t bytes = (count * sizeof(float) + 63) / 64 * 64;
  return aligned_alloc(64, bytes);
}

int main(void) {
  float *input = alloc_floats(INPUT_SIZE);
  float *output = alloc_floats(OUTPUT_SIZE);
  if (!input || !output)
    return 1;
  /* A deterministic, non-zero input in [-1, 1). */
  unsigned state = 1;
  for (long i = 0; i < INPUT_SIZE; ++i) {
    state = state * 1103515245u + 12345u;
    input[i] = (float)(state >> 8) / (float)(1u << 23) - 1.0f;
  }
  /* The library describes itself: tools need no header. */
  const cnnc_model_info *info = MODEL_INFO();
  int status = MODEL_RUN(input, output);
  if (status != CNNC_OK) {
    fprintf(stderr, "the model failed: %s\n", info->status_message(status));
    return 1;
  }

  printf("model %s: %u input(s), %u output(s), %llu bytes of scratch\n",
         info->name, info->num_inputs, info->num_outputs,
         (unsigned long long)info->scratch_bytes);
  for (unsigned i = 0; i < info->num_inputs; ++i) {
    printf("  in  %s [", info->inputs[i].name);
    for (int d = 0; d < info->inputs[i].rank; ++d)
      printf("%s%lld", d ? ", " : "", (long long)info->inputs[i].shape[d]);
    printf("]\n");
  }

  /* Again on caller-provided scratch memory: the call never allocates, and
   * threads that each have their own scratch may run the model at once. */
  size_t alignment = info->scratch_alignment;
  size_t bytes = (info->scratch_bytes + alignment - 1) / alignment * alignment;
  void *scratch = bytes ? aligned_alloc(alignment, bytes) : NULL;
  float *again = alloc_floats(OUTPUT_SIZE);
  if ((bytes && !scratch) || !again)
    return 1;
  status = MODEL_RUN_WITH_SCRATCH(input, again, scratch);
  if (status != CNNC_OK) {
    fprintf(stderr, "the model failed: %s\n", info->status_message(status));
    return 1;
  }
  printf("run_with_scratch: %s output\n",
         memcmp(output, again, OUTPUT_SIZE * sizeof(float)) ? "a different"
                                                            : "the same");
  free(scratch);
  free(again);

  /* The five highest scores. */
  int best[5] = {-1, -1, -1, -1, -1};
  for (int k = 0; k < 5; ++k)
    for (int i = 0; i < OUTPUT_SIZE; ++i) {
      int taken = 0;
      for (int j = 0; j < k; ++j)
        taken |= best[j] == i;
      if (!taken && (best[k] < 0 || output[i] > output[best[k]]))
        best[k] = i;
    }
  printf("top-5:");
  for (int k = 0; k < 5; ++k)
    printf(" %d (%.4f)", best[k], output[best[k]]);
  printf("\n");
  free(input);
  free(output);
  return 0;
}
