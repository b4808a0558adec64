/*===- cnnc_cpu_features.h - the CPU features a library checks ----------===*
 *
 * Code compiled for a CPU with AVX2 or AVX-512 dies of SIGILL on a CPU
 * without them. A generated library therefore checks, before it runs the
 * model, that this CPU has every feature in this table that its code was
 * compiled with; the entry points return CNNC_ERROR_UNSUPPORTED_CPU
 * otherwise. The table is shared: cnnc (C++) computes the library's mask
 * from LLVM's feature names, cnnc_cpu.c (C, in the runtime's bitcode) reads
 * the same bits from cpuid and xgetbv.
 *
 * It lists the x86-64 features beyond the baseline (SSE2) that LLVM uses in
 * code it generates on its own, not those only reached through intrinsics
 * (AES, SHA, AMX). On aarch64 NEON is baseline: nothing to check.
 *===----------------------------------------------------------------------===*/

#ifndef CNNC_CPU_FEATURES_H
#define CNNC_CPU_FEATURES_H

/* X(bit, LLVM name, cpuid leaf, subleaf, register (0 eax, 1 ebx, 2 ecx,
 *   3 edx), bit in it, register state the OS must save (0 none, 1 AVX's
 *   YMM, 2 AVX-512's ZMM and mask registers as well)) */
#define CNNC_CPU_FEATURES(X)                                                   \
  X(0, "sse3", 1, 0, 2, 0, 0)                                                  \
  X(1, "ssse3", 1, 0, 2, 9, 0)                                                 \
  X(2, "sse4.1", 1, 0, 2, 19, 0)                                               \
  X(3, "sse4.2", 1, 0, 2, 20, 0)                                               \
  X(4, "popcnt", 1, 0, 2, 23, 0)                                               \
  X(5, "cx16", 1, 0, 2, 13, 0)                                                 \
  X(6, "movbe", 1, 0, 2, 22, 0)                                                \
  X(7, "sahf", 0x80000001u, 0, 2, 0, 0)                                        \
  X(8, "lzcnt", 0x80000001u, 0, 2, 5, 0)                                       \
  X(9, "bmi", 7, 0, 1, 3, 0)                                                   \
  X(10, "bmi2", 7, 0, 1, 8, 0)                                                 \
  X(11, "gfni", 7, 0, 2, 8, 0)                                                 \
  X(12, "avx", 1, 0, 2, 28, 1)                                                 \
  X(13, "fma", 1, 0, 2, 12, 1)                                                 \
  X(14, "f16c", 1, 0, 2, 29, 1)                                                \
  X(15, "avx2", 7, 0, 1, 5, 1)                                                 \
  X(16, "avxvnni", 7, 1, 0, 4, 1)                                              \
  X(17, "vaes", 7, 0, 2, 9, 1)                                                 \
  X(18, "vpclmulqdq", 7, 0, 2, 10, 1)                                          \
  X(19, "avx512f", 7, 0, 1, 16, 2)                                             \
  X(20, "avx512dq", 7, 0, 1, 17, 2)                                            \
  X(21, "avx512cd", 7, 0, 1, 28, 2)                                            \
  X(22, "avx512bw", 7, 0, 1, 30, 2)                                            \
  X(23, "avx512vl", 7, 0, 1, 31, 2)                                            \
  X(24, "avx512ifma", 7, 0, 1, 21, 2)                                          \
  X(25, "avx512vbmi", 7, 0, 2, 1, 2)                                           \
  X(26, "avx512vbmi2", 7, 0, 2, 6, 2)                                          \
  X(27, "avx512vnni", 7, 0, 2, 11, 2)                                          \
  X(28, "avx512bitalg", 7, 0, 2, 12, 2)                                        \
  X(29, "avx512vpopcntdq", 7, 0, 2, 14, 2)                                     \
  X(30, "avx512bf16", 7, 1, 0, 5, 2)                                           \
  X(31, "avx512fp16", 7, 0, 3, 23, 2)                                          \
  X(32, "avx512vp2intersect", 7, 0, 3, 8, 2)

#ifdef __cplusplus
extern "C" {
#endif

/* The features of the table this CPU has and its OS supports, one bit each
 * (bit n: the entry numbered n); 0 on other architectures. Computed once,
 * then cached. Compiled for the baseline CPU, like all of the runtime, so
 * that it runs anywhere. */
__UINT64_TYPE__ cnnc_rt_cpu_features(void);

#ifdef __cplusplus
}
#endif

#endif /* CNNC_CPU_FEATURES_H */
