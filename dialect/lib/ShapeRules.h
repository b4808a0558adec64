//===- ShapeRules.h - the checks every op's shape rules share ---*- C++ -*-===//
//
// Private to the dialect's library: the reporter of broken rules and the
// checks that ShapeRules.cpp and WindowShapeRules.cpp share.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_DIALECT_LIB_SHAPERULES_H
#define CNNC_DIALECT_LIB_SHAPERULES_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/MathExtras.h"

#include <string>

namespace cnnc::cnn::shape_rules {

using mlir::ArrayRef;
using mlir::failure;
using mlir::FailureOr;
using mlir::Location;
using mlir::LogicalResult;
using mlir::RankedTensorType;
using mlir::ShapedType;
using mlir::StringRef;
using mlir::success;
using mlir::Type;
using mlir::Value;

/// "[a, b, c]".
std::string formatList(ArrayRef<int64_t> values);

/// Reports broken rules of one op, prefixed like the verifier's own messages.
class Rules {
public:
  Rules(std::optional<Location> loc, StringRef opName)
      : loc(loc), opName(opName) {}

  template <typename... Args> LogicalResult fail(Args &&...args) const {
    return emitOptionalError(loc, "'", opName, "' op ",
                             std::forward<Args>(args)...);
  }

  /// The operand as a statically shaped tensor of the given rank (any rank
  /// when `rank` is negative), with no empty dimension.
  FailureOr<RankedTensorType> tensor(Value value, StringRef name,
                                     int64_t rank = -1) const {
    auto type = dyn_cast<RankedTensorType>(value.getType());
    if (!type || !type.hasStaticShape())
      return fail("expects '", name, "' to be a statically shaped tensor, got ",
                  value.getType());
    if (rank >= 0 && type.getRank() != rank)
      return fail("expects '", name, "' to have rank ", rank, ", got ", type);
    if (llvm::is_contained(type.getShape(), 0))
      return fail("expects '", name, "' to have no empty dimension, got ",
                  type);
    int64_t elements = 1;
    for (int64_t size : type.getShape())
      if (llvm::MulOverflow(elements, size, elements))
        return fail("expects '", name,
                    "' to have fewer elements than fit in 64 bits, got ", type);
    return type;
  }

  /// `other` must have the element type of `reference`.
  LogicalResult sameElementType(RankedTensorType reference, StringRef refName,
                                Value other, StringRef otherName) const {
    Type elementType = cast<ShapedType>(other.getType()).getElementType();
    if (elementType != reference.getElementType())
      return fail("expects '", otherName, "' to have the element type of '",
                  refName, "' (", reference.getElementType(), "), got ",
                  elementType);
    return success();
  }

  /// A 1-D operand of exactly `length` elements.
  LogicalResult vectorOfLength(Value value, StringRef name, int64_t length,
                               StringRef what) const {
    FailureOr<RankedTensorType> type = tensor(value, name, 1);
    if (failed(type))
      return failure();
    if (type->getDimSize(0) != length)
      return fail("expects '", name, "' to have ", length, " elements (", what,
                  "), got ", type->getDimSize(0));
    return success();
  }

  LogicalResult pair(ArrayRef<int64_t> values, StringRef name) const {
    if (values.size() != 2 ||
        llvm::any_of(values, [](int64_t v) { return v <= 0; }))
      return fail("expects '", name,
                  "' to be two positive integers (height, width), got ",
                  formatList(values));
    return success();
  }

  LogicalResult padding(ArrayRef<int64_t> values) const {
    if (values.size() != 4 ||
        llvm::any_of(values, [](int64_t v) { return v < 0; }))
      return fail("expects 'padding' to be four non-negative integers (top, "
                  "left, bottom, right), got ",
                  formatList(values));
    return success();
  }

  LogicalResult positive(int64_t value, StringRef name) const {
    if (value <= 0)
      return fail("expects '", name, "' to be positive, got ", value);
    return success();
  }

private:
  std::optional<Location> loc;
  StringRef opName;
};

/// Ops with optional operands in the middle carry operand segment sizes; the
/// generated checks let a required operand's segment be empty, so check that
/// before reading any operand.
template <typename Adaptor>
LogicalResult checkRequiredOperands(const Rules &rules, Adaptor &adaptor,
                                    ArrayRef<unsigned> required,
                                    ArrayRef<StringRef> names) {
  for (auto [index, name] : llvm::zip_equal(required, names))
    if (adaptor.getODSOperands(index).size() != 1)
      return rules.fail("expects exactly one '", name, "' operand, got ",
                        adaptor.getODSOperands(index).size());
  return success();
}

} // namespace cnnc::cnn::shape_rules

#endif // CNNC_DIALECT_LIB_SHAPERULES_H
