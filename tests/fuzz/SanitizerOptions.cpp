//===- SanitizerOptions.cpp - the fuzzers' AddressSanitizer defaults ------===//
//
// Linked into every fuzzer, so that a crash replayed by hand
// (build-fuzz/fuzz/TARGET FILE) runs with the options of scripts/fuzz.sh.
//
// allow_user_poisoning=0: LLVM's BumpPtrAllocator poisons the slabs it starts
// and unpoisons what it hands out, but only where it is compiled with ASan.
// Our instrumented code and Debian's uninstrumented libMLIR.so allocate from
// the same allocators (the MLIRContext's uniquers), so a slab that our code
// started and poisoned, then handed out by libMLIR, reads as a
// use-after-poison that is not one. Heap errors are still found at the
// slab's bounds.
//
//===----------------------------------------------------------------------===//

extern "C" const char *__asan_default_options() {
  return "allow_user_poisoning=0:detect_leaks=1";
}
