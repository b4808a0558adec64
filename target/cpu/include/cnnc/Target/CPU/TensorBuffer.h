//===- TensorBuffer.h - tensor memory for the tools that call libraries ---===//
//
// The input and output buffers cnnc-run and cnnc-bench pass to a generated
// library. They start on a 64-byte boundary, as PyTorch's and ONNX
// Runtime's tensors do: the C API needs only the element type's alignment,
// but a vector store that straddles two cache lines is slower, and with a
// buffer from malloc (16 bytes past a page boundary once it is large) every
// 64-byte store of an output does (docs/c-api.md, "Alignment"). Header-only
// and free of MLIR, like ModelInfo.h.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_TARGET_CPU_TENSORBUFFER_H
#define CNNC_TARGET_CPU_TENSORBUFFER_H

#include <cstddef>
#include <cstdint>
#include <new>
#include <vector>

namespace cnnc {

/// The alignment of the buffers, in bytes: a cache line, and the widest
/// vector (AVX-512).
constexpr std::size_t kTensorBufferAlignment = 64;

/// A std::allocator that aligns every allocation to kTensorBufferAlignment.
template <typename T> struct CacheLineAllocator {
  using value_type = T;
  CacheLineAllocator() = default;
  template <typename U> CacheLineAllocator(const CacheLineAllocator<U> &) {}
  T *allocate(std::size_t n) {
    return static_cast<T *>(::operator new(
        n * sizeof(T), std::align_val_t(kTensorBufferAlignment)));
  }
  void deallocate(T *p, std::size_t) {
    ::operator delete(p, std::align_val_t(kTensorBufferAlignment));
  }
  template <typename U> bool operator==(const CacheLineAllocator<U> &) const {
    return true;
  }
  template <typename U> bool operator!=(const CacheLineAllocator<U> &) const {
    return false;
  }
};

/// A tensor's bytes as 8-byte words (aligned for every element type), the
/// first on a cache line.
using TensorWords = std::vector<uint64_t, CacheLineAllocator<uint64_t>>;

} // namespace cnnc

#endif // CNNC_TARGET_CPU_TENSORBUFFER_H
