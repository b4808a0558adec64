//===- DestinationChains.h - chains of destination-style ops ---*- C++ -*-===//
//
// Empty-tensor elimination makes a chain of destination-style ops that
// starts at a tensor.empty write into the slice of another tensor that it
// is inserted into. cnn-pad-in-place and cnn-hoist-insert-destinations
// prepare such chains; this finds their start.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_TRANSFORMS_LIB_DESTINATIONCHAINS_H
#define CNNC_TRANSFORMS_LIB_DESTINATIONCHAINS_H

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"

namespace cnnc {

/// The tensor.empty at the start of the destination chain that computes
/// `value`, if every value of the chain has no other reader (`value`
/// itself too, unless `valueMayHaveReaders`).
inline mlir::tensor::EmptyOp
destinationChainStart(mlir::Value value, bool valueMayHaveReaders = false) {
  for (bool first = true;; first = false) {
    if (!(first && valueMayHaveReaders) && !value.hasOneUse())
      return {};
    mlir::Operation *op = value.getDefiningOp();
    if (auto empty = mlir::dyn_cast_or_null<mlir::tensor::EmptyOp>(op))
      return empty;
    auto dps = mlir::dyn_cast_or_null<mlir::DestinationStyleOpInterface>(op);
    if (!dps || op->getNumResults() != 1 || dps.getNumDpsInits() != 1 ||
        !dps.hasPureTensorSemantics())
      return {};
    value = dps.getDpsInits()[0];
  }
}

} // namespace cnnc

#endif // CNNC_TRANSFORMS_LIB_DESTINATIONCHAINS_H
