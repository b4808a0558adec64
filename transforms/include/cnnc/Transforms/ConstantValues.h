//===- ConstantValues.h - the values of constant f32 tensors ----*- C++ -*-===//
//
// The kernels repack constant filters at compile time: they read the values
// of the dense or resource elements attribute that a constant (an
// arith.constant on tensors, a memref.global on buffers) holds.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_TRANSFORMS_CONSTANTVALUES_H
#define CNNC_TRANSFORMS_CONSTANTVALUES_H

#include "mlir/IR/Attributes.h"

#include <optional>
#include <vector>

namespace cnnc {

/// Whether `attr` holds f32 values that floatValues can read.
bool hasFloatValues(mlir::Attribute attr);

/// The values of a dense or resource f32 elements attribute.
std::optional<std::vector<float>> floatValues(mlir::Attribute attr);

} // namespace cnnc

#endif // CNNC_TRANSFORMS_CONSTANTVALUES_H
