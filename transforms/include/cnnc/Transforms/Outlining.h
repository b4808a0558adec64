//===- Outlining.h - what an outlined function rebuilds ---------*- C++ -*-===//
//
// Code moved into a function of its own (a loop nest by
// cnn-outline-loop-nests, a parallel loop's body by the CPU target) takes
// the buffers it uses as arguments and rebuilds, from them, the ops that
// only name memory or values.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_TRANSFORMS_OUTLINING_H
#define CNNC_TRANSFORMS_OUTLINING_H

#include "mlir/IR/Operation.h"

namespace cnnc {

/// Ops that only name memory or values (constants, views of buffers,
/// globals, index arithmetic): an outlined function rebuilds them instead of
/// receiving their results.
bool isRebuildable(mlir::Operation *op);

} // namespace cnnc

#endif // CNNC_TRANSFORMS_OUTLINING_H
