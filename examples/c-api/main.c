/* Calling a cnnc-generated library from C.
 *
 *   cnnc examples/mobilenet_v2.cnn --random-weights=1 --emit=so -o
 * libmobilenet_v2.so cnnc examples/mobilenet_v2.cnn --emit=header -o
 * mobilenet_v2.h cc -I. examples/c-api/main.c -L. -lmobilenet_v2 -Wl,-rpath,.
 * -o classify
 *   ./classify
 *
 * MODEL_HEADER, MODEL_RUN, INPUT_SIZE and OUTPUT_SIZE name the model; the
 * defaults fit mobilenet_v2 (1x3x224x224 in, 1x1000 out). */
#ifndef MODEL_HEADER
#define MODEL_HEADER "mobilenet_v2.h"
#define MODEL_RUN mobilenet_v2_run
#define INPUT_SIZE (1 * 3 * 224 * 224)
#define OUTPUT_SIZE 1000
#endif
#include MODEL_HEADER

#include <stdio.h>
#include <stdlib.h>

int main(void) {
  float *input = malloc(INPUT_SIZE * sizeof(float));
  float *output = malloc(OUTPUT_SIZE * sizeof(float));
  if (!input || !output)
    return 1;
  /* A deterministic, non-zero input in [-1, 1). */
  unsigned state = 1;
  for (long i = 0; i < INPUT_SIZE; ++i) {
    state = state * 1103515245u + 12345u;
    input[i] = (float)(state >> 8) / (float)(1u << 23) - 1.0f;
  }
  if (MODEL_RUN(input, output) != 0) {
    fprintf(stderr, "the model failed\n");
    return 1;
  }

  /* The library describes itself: tools need no header. */
  const cnnc_model_info *info = cnnc_model();
  printf("model %s: %u input(s), %u output(s)\n", info->name, info->num_inputs,
         info->num_outputs);
  for (unsigned i = 0; i < info->num_inputs; ++i) {
    printf("  in  %s [", info->inputs[i].name);
    for (int d = 0; d < info->inputs[i].rank; ++d)
      printf("%s%lld", d ? ", " : "", (long long)info->inputs[i].shape[d]);
    printf("]\n");
  }

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
