//===- ModelInfo.h - the introspection structures of generated libraries -===//
//
// What `<model>_model()` returns in a library built by cnnc (docs/c-api.md,
// version 4), as tools that load libraries with dlopen read it: cnnc-run and
// cnnc-bench (ModelLoader.h finds it). A version only appends fields, so a
// reader of version N reads the start of any later one. Header-only and free of
// MLIR, so that any loader can use it.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_TARGET_CPU_MODELINFO_H
#define CNNC_TARGET_CPU_MODELINFO_H

#include <cstddef>
#include <cstdint>

namespace cnnc {

/// The C API version these structures describe.
constexpr uint32_t kModelInfoVersion = 4;
/// The oldest version the tools read: one without the fields after it
/// (runWithScratchSize) but with the context API they need.
constexpr uint32_t kModelInfoMinVersion = 3;

struct TensorInfo {
  const char *name;
  int32_t dtype;
  int32_t rank;
  const int64_t *shape;
};

/// The element types of the C API (enum cnnc_dtype).
enum Dtype : int32_t { kF32 = 0, kF16 = 1, kBF16 = 2, kF64 = 3 };

/// The bytes of one element of `dtype`, or 0 for a dtype this header does
/// not know (a newer library's).
inline size_t elementBytes(int32_t dtype) {
  switch (dtype) {
  case kF32:
    return 4;
  case kF16:
  case kBF16:
    return 2;
  case kF64:
    return 8;
  }
  return 0;
}

/// The number of elements of `tensor` (the product of its shape).
inline size_t elementCount(const TensorInfo &tensor) {
  size_t count = 1;
  for (int32_t i = 0; i < tensor.rank; ++i)
    count *= static_cast<size_t>(tensor.shape[i]);
  return count;
}

struct ModelInfo {
  uint32_t version;
  uint32_t numInputs;
  uint32_t numOutputs;
  uint32_t scratchAlignment;
  const char *name;
  const TensorInfo *inputs;
  const TensorInfo *outputs;
  uint64_t scratchBytes;
  int (*run)(const void *const *inputs, void *const *outputs);
  int (*runWithScratch)(const void *const *inputs, void *const *outputs,
                        void *scratch);
  const char *(*statusMessage)(int status);
  // Version 3: running on several threads through a context.
  void *(*contextCreate)(int numThreads);
  void (*contextDestroy)(void *context);
  int (*runInContext)(void *context, const void *const *inputs,
                      void *const *outputs);
  int (*contextNumThreads)(const void *context);
  // Version 4: runWithScratch, checking the scratch memory's size; absent
  // (not to be read) in a version 3 structure.
  int (*runWithScratchSize)(const void *const *inputs, void *const *outputs,
                            void *scratch, size_t scratchSize);
};

} // namespace cnnc

#endif // CNNC_TARGET_CPU_MODELINFO_H
