/* Runs the model that cnnc_add_model compiled (tiny_model.h, libtiny_model.so)
 * on a synthetic image, on one thread and then in a two-thread context, and
 * prints its class probabilities. Exits 1 if a run fails or the two differ. */
#include <stdio.h>
#include <string.h>

#include "tiny_model.h"

enum { kClasses = 10 };

int main(void) {
  static float image[1 * 3 * 32 * 32];
  for (unsigned i = 0; i < sizeof image / sizeof *image; ++i)
    image[i] = (float)((i * 37u) % 101u) / 50.0f - 1.0f;

  float probabilities[kClasses];
  int status = tiny_classifier_run(image, probabilities);
  if (status != CNNC_OK) {
    fprintf(stderr, "tiny_classifier_run failed: status %d\n", status);
    return 1;
  }

  /* The same inference on two threads gives the same bits (docs/c-api.md). */
  float threaded[kClasses];
  tiny_classifier_context *context = tiny_classifier_context_create(2);
  if (!context) {
    fprintf(stderr, "tiny_classifier_context_create failed\n");
    return 1;
  }
  status = tiny_classifier_run_in_context(context, image, threaded);
  tiny_classifier_context_destroy(context);
  if (status != CNNC_OK ||
      memcmp(threaded, probabilities, sizeof probabilities) != 0) {
    fprintf(stderr, "the two-thread run differs (status %d)\n", status);
    return 1;
  }

  float sum = 0;
  int best = 0;
  for (int c = 0; c < kClasses; ++c) {
    sum += probabilities[c];
    if (probabilities[c] > probabilities[best])
      best = c;
  }
  printf("class %d, probability %.4f, probabilities sum to %.4f\n", best,
         probabilities[best], sum);
  return 0;
}
