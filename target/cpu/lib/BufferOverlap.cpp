//===- BufferOverlap.cpp - whether a call's outputs overlap other buffers -===//

#include "BufferOverlap.h"

#include "llvm/ADT/StringSwitch.h"

using namespace llvm;

namespace {

/// The bytes of `tensor` (saturating: a size that does not fit is as large
/// as the address space, which overlaps anything it starts next to).
uint64_t tensorBytes(const cnnc::TensorSignature &tensor) {
  uint64_t bytes = StringSwitch<uint64_t>(tensor.dtype)
                       .Cases("f16", "bf16", 2)
                       .Case("f64", 8)
                       .Default(4);
  for (int64_t extent : tensor.shape) {
    if (extent <= 0)
      return 0;
    if (bytes > UINT64_MAX / static_cast<uint64_t>(extent))
      return UINT64_MAX;
    bytes *= static_cast<uint64_t>(extent);
  }
  return bytes;
}

} // namespace

Value *cnnc::anyOutputOverlaps(IRBuilder<> &b, const ModelSignature &signature,
                               ArrayRef<Value *> tensors, Value *scratch,
                               uint64_t scratchBytes) {
  Type *i64 = b.getInt64Ty();
  struct Range {
    Value *begin, *end;
  };
  // [begin, end) as integers; an end past the address space saturates.
  auto range = [&](Value *pointer, uint64_t bytes) {
    Value *begin = b.CreatePtrToInt(pointer, i64);
    Value *end = b.CreateBinaryIntrinsic(Intrinsic::uadd_sat, begin,
                                         ConstantInt::get(i64, bytes));
    return Range{begin, end};
  };
  SmallVector<Range> others;
  SmallVector<const TensorSignature *> all;
  for (const TensorSignature &tensor : signature.inputs)
    all.push_back(&tensor);
  for (const TensorSignature &tensor : signature.outputs)
    all.push_back(&tensor);
  assert(all.size() == tensors.size() && "a pointer per tensor");
  size_t firstOutput = signature.inputs.size();
  for (size_t i = 0; i < firstOutput; ++i)
    if (uint64_t bytes = tensorBytes(*all[i]))
      others.push_back(range(tensors[i], bytes));
  if (scratch && scratchBytes)
    others.push_back(range(scratch, scratchBytes));
  Value *overlap = b.getFalse();
  for (size_t i = firstOutput; i < all.size(); ++i) {
    uint64_t bytes = tensorBytes(*all[i]);
    if (!bytes)
      continue;
    Range output = range(tensors[i], bytes);
    for (const Range &other : others)
      overlap = b.CreateOr(
          overlap, b.CreateAnd(b.CreateICmpULT(output.begin, other.end),
                               b.CreateICmpULT(other.begin, output.end)));
    others.push_back(output);
  }
  return overlap;
}
