//===- StaticSubsets.h - fast subset checks for tensor slices ---*- C++ -*-===//
//
// One-shot bufferization and empty-tensor elimination ask, for many pairs
// of tensor.extract_slice and tensor.insert_slice, whether the two touch
// the same or disjoint parts of a tensor. Upstream answers every such
// question with a Presburger constraint set, even when all offsets, sizes
// and strides are constants; here constants are compared directly.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_TRANSFORMS_STATICSUBSETS_H
#define CNNC_TRANSFORMS_STATICSUBSETS_H

namespace mlir {
class DialectRegistry;
class MLIRContext;
} // namespace mlir

namespace cnnc {

/// Registers SubsetOpInterface models of tensor.extract_slice and
/// tensor.insert_slice that decide equivalence and disjointness of constant
/// slices without a constraint set, and ask the upstream analysis only
/// about the components it must. The first model of an interface attached
/// to an op wins: call this before upstream's registrations
/// (tensor::registerBufferizableOpInterfaceExternalModels and
/// registerAllDialects register theirs). Upstream's subset extension is
/// still needed: it attaches the SubsetExtractionOpInterface and
/// SubsetInsertionOpInterface models that these rely on.
void registerStaticSubsetModels(mlir::DialectRegistry &registry);

/// Whether the subset models of both slice ops in `context` are these (the
/// tensor dialect loaded, and no other model attached before them).
bool hasStaticSubsetModels(mlir::MLIRContext *context);

} // namespace cnnc

#endif // CNNC_TRANSFORMS_STATICSUBSETS_H
