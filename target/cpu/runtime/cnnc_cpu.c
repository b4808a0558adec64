/*===- cnnc_cpu.c - which CPU features this machine has ------------------===*
 *
 * cpuid says what the CPU has; xgetbv whether the OS saves the vector
 * registers that AVX and AVX-512 need (a CPU with AVX-512 under an OS that
 * does not save ZMM state still faults). No libc: the library that carries
 * this needs libc alone, and __builtin_cpu_supports needs libgcc's or
 * compiler-rt's __cpu_model.
 *===----------------------------------------------------------------------===*/

#pragma GCC visibility push(hidden)
#include "cnnc_cpu_features.h"
#pragma GCC visibility pop

typedef __UINT32_TYPE__ uint32_t;
typedef __UINT64_TYPE__ uint64_t;

/* Set in the cache once the features are known (no feature has bit 63). */
#define CNNC_RT_CPU_KNOWN (1ull << 63)

#if defined(__x86_64__)

static void cpuid(uint32_t leaf, uint32_t subleaf, uint32_t registers[4]) {
  __asm__ volatile("cpuid"
                   : "=a"(registers[0]), "=b"(registers[1]), "=c"(registers[2]),
                     "=d"(registers[3])
                   : "a"(leaf), "c"(subleaf));
}

/* The highest leaves cpuid answers: basic, extended (0x8000...), and the
 * subleaves of leaf 7. */
typedef struct {
  uint32_t basic, extended, leaf7;
} Leaves;

static int hasLeaf(const Leaves *leaves, uint32_t leaf, uint32_t subleaf) {
  if (leaf >= 0x80000000u)
    return leaf <= leaves->extended;
  if (leaf == 7)
    return leaves->basic >= 7 && subleaf <= leaves->leaf7;
  return leaf <= leaves->basic;
}

static uint64_t detect(void) {
  uint32_t registers[4];
  Leaves leaves;
  cpuid(0, 0, registers);
  leaves.basic = registers[0];
  cpuid(0x80000000u, 0, registers);
  leaves.extended = registers[0];
  cpuid(7, 0, registers);
  leaves.leaf7 = leaves.basic >= 7 ? registers[0] : 0;
  /* Which register state the OS saves: XCR0, readable when OSXSAVE is set
   * (xgetbv as bytes: its mnemonic needs the xsave feature). */
  cpuid(1, 0, registers);
  uint64_t xcr0 = 0;
  if (registers[2] & (1u << 27)) {
    uint32_t low, high;
    __asm__ volatile(".byte 0x0f, 0x01, 0xd0" : "=a"(low), "=d"(high) : "c"(0));
    xcr0 = ((uint64_t)high << 32) | low;
  }
  /* SSE and AVX (XMM, YMM); AVX-512 adds the opmask and ZMM state. */
  int states[3] = {1, (xcr0 & 0x6) == 0x6, (xcr0 & 0xe6) == 0xe6};
  uint64_t features = 0;
#define CNNC_DETECT(bit, name, leaf, subleaf, reg, regBit, state)              \
  if (hasLeaf(&leaves, leaf, subleaf)) {                                       \
    cpuid(leaf, subleaf, registers);                                           \
    if (((registers[reg] >> (regBit)) & 1) && states[state])                   \
      features |= 1ull << (bit);                                               \
  }
  CNNC_CPU_FEATURES(CNNC_DETECT)
#undef CNNC_DETECT
  return features;
}

#else

static uint64_t detect(void) { return 0; }

#endif

uint64_t cnnc_rt_cpu_features(void) {
  /* A benign race: every thread computes the same value. */
  static uint64_t cache;
  uint64_t features = __atomic_load_n(&cache, __ATOMIC_RELAXED);
  if (!(features & CNNC_RT_CPU_KNOWN)) {
    features = detect() | CNNC_RT_CPU_KNOWN;
    __atomic_store_n(&cache, features, __ATOMIC_RELAXED);
  }
  return features & ~CNNC_RT_CPU_KNOWN;
}
