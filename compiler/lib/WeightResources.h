//===- WeightResources.h - freeing weights a compilation is done with -----===//
//
// A model's weights are resource blobs (DenseResourceElementsAttr) that the
// MLIRContext keeps until it is destroyed, even when no op uses them any
// more: the checkpoint's tensors after a pass repacked them (the blocked
// layout, a folded batch norm), every one of them once LLVM IR holds its
// own copy. compile() frees those it is done with when the caller allows it
// (CompileOptions::releaseWeights), so that a compilation holds each weight
// about twice at most, not once per stage.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_COMPILER_LIB_WEIGHTRESOURCES_H
#define CNNC_COMPILER_LIB_WEIGHTRESOURCES_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace cnnc {

using ResourceSet =
    llvm::SmallPtrSet<mlir::DialectResourceBlobManager::BlobEntry *, 16>;

/// The resource blobs that the attributes of `module`'s ops hold.
ResourceSet resourcesOf(mlir::ModuleOp module);

/// Frees the data of each blob of `resources` not in `keep`. An attribute
/// of a freed blob reads as empty: only blobs that no op of a live module
/// (of this context) uses may be freed.
void releaseResources(const ResourceSet &resources,
                      const ResourceSet &keep = {});

} // namespace cnnc

#endif // CNNC_COMPILER_LIB_WEIGHTRESOURCES_H
