//===- BufferOverlap.h - whether a call's outputs overlap other buffers ---===//
//
// A model computes its outputs in the caller's buffers (cnn-write-results-
// in-place), so an output that shares memory with an input, another output
// or the scratch arena would read its own partial results: the entry points
// refuse such a call (CNNC_ERROR_OVERLAPPING_BUFFERS) instead.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_TARGET_CPU_BUFFEROVERLAP_H
#define CNNC_TARGET_CPU_BUFFEROVERLAP_H

#include "cnnc/Target/CPU/CInterface.h"

#include "llvm/IR/IRBuilder.h"

namespace cnnc {

/// An i1 that is true when the byte range of an output among `tensors` (the
/// model's input pointers, then its output pointers, as in `signature`)
/// overlaps that of another tensor or of `scratch` (`scratchBytes` long;
/// none when null). Sizes come from the signature's shapes and dtypes.
llvm::Value *anyOutputOverlaps(llvm::IRBuilder<> &b,
                               const ModelSignature &signature,
                               llvm::ArrayRef<llvm::Value *> tensors,
                               llvm::Value *scratch, uint64_t scratchBytes);

} // namespace cnnc

#endif // CNNC_TARGET_CPU_BUFFEROVERLAP_H
