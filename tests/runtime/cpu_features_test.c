/* cnnc_rt_cpu_features (target/cpu/runtime/cnnc_cpu.c) against the flags
 * that Linux reports in /proc/cpuinfo, feature by feature, on this machine:
 * the kernel reads cpuid on its own, and leaves out the AVX flags when it
 * does not save their registers. Prints the features found.
 *
 * A kernel may also hide flags it does not use (some virtual machines' guest
 * kernels list no "abm", the AMD name of lzcnt, though cpuid reports it and
 * the instruction works). Where cnnc finds such a general-purpose feature
 * that the kernel does not list, the test runs the instruction instead.
 */
#include "cnnc_cpu_features.h"

#include <stdio.h>
#include <string.h>

/* The kernel's name of an LLVM feature, where they differ. */
static const char *kernelName(const char *name) {
  static const char *const renamed[][2] = {
      {"sse3", "pni"},
      {"sse4.1", "sse4_1"},
      {"sse4.2", "sse4_2"},
      {"sahf", "lahf_lm"},
      {"lzcnt", "abm"},
      {"bmi", "bmi1"},
      {"avxvnni", "avx_vnni"},
      {"avx512vbmi2", "avx512_vbmi2"},
      {"avx512vnni", "avx512_vnni"},
      {"avx512bitalg", "avx512_bitalg"},
      {"avx512vpopcntdq", "avx512_vpopcntdq"},
      {"avx512bf16", "avx512_bf16"},
      {"avx512fp16", "avx512_fp16"},
      {"avx512vp2intersect", "avx512_vp2intersect"}};
  for (unsigned i = 0; i < sizeof(renamed) / sizeof(renamed[0]); ++i)
    if (!strcmp(name, renamed[i][0]))
      return renamed[i][1];
  return name;
}

/* Whether `name`, found by cnnc but not listed by the kernel, is shown to be
 * there by running it: lzcnt of 0 is 32, where a CPU without lzcnt runs the
 * same bytes as bsr, which leaves the destination alone for 0. */
static int presentWhenRun(const char *name) {
#if defined(__x86_64__)
  if (!strcmp(name, "lzcnt")) {
    unsigned zero = 0, count = 7;
    __asm__ volatile("lzcnt %1, %0" : "+r"(count) : "r"(zero));
    return count == 32;
  }
#endif
  (void)name;
  return 0;
}

int main(void) {
  static char line[1 << 16];
  FILE *cpuinfo = fopen("/proc/cpuinfo", "r");
  while (cpuinfo && fgets(line, sizeof(line), cpuinfo))
    if (!strncmp(line, "flags", 5))
      break;
  if (!cpuinfo || strncmp(line, "flags", 5)) {
    printf("no flags in /proc/cpuinfo\n");
    return 1;
  }
  fclose(cpuinfo);
  /* " flag " matches whole words: the line's newline becomes a space. */
  line[strcspn(line, "\n")] = ' ';
  unsigned long long mask = cnnc_rt_cpu_features();
  if (mask != cnnc_rt_cpu_features()) {
    printf("the cached features differ from the first\n");
    return 1;
  }
  int status = 0;
  printf("features:");
#define CNNC_COMPARE(bit, name, ...)                                           \
  {                                                                            \
    char word[64];                                                             \
    snprintf(word, sizeof(word), " %s ", kernelName(name));                    \
    int ours = (mask >> (bit)) & 1, kernel = strstr(line, word) != NULL;       \
    if (ours)                                                                  \
      printf(" %s", name);                                                     \
    if (ours && !kernel && presentWhenRun(name)) {                             \
      printf(" (not in /proc/cpuinfo; runs)");                                 \
    } else if (ours != kernel) {                                               \
      printf("\n%s: cnnc says %d, /proc/cpuinfo %d", name, ours, kernel);      \
      status = 1;                                                              \
    }                                                                          \
  }
  CNNC_CPU_FEATURES(CNNC_COMPARE)
  printf("\n");
  return status;
}
