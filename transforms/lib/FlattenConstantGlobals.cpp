//===- FlattenConstantGlobals.cpp - constant globals as flat arrays -------===//
//
// LLVM has no N-d constant array: MLIR translates a rank-N global into
// nested arrays, one constant per innermost row. A ResNet-50 1x1 filter
// [2048, 1024, 1, 1] becomes two million one-element arrays, and translating,
// optimizing and destroying those objects dominated compile time. A 1-D
// global is one flat data array; its users see the original shape through a
// memref.expand_shape view, which costs nothing at run time.
//
//===----------------------------------------------------------------------===//

#include "cnnc/Transforms/Passes.h"

#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"

namespace cnnc {
#define GEN_PASS_DEF_CNNFLATTENCONSTANTGLOBALS
#include "cnnc/Transforms/Passes.h.inc"
} // namespace cnnc

using namespace mlir;

namespace {

struct FlattenConstantGlobals
    : cnnc::impl::CNNFlattenConstantGlobalsBase<FlattenConstantGlobals> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    DenseMap<StringAttr, MemRefType> flattened; // Global -> original type.
    for (auto global : module.getOps<memref::GlobalOp>()) {
      MemRefType type = global.getType();
      if (!global.getConstant() || type.getRank() < 2 ||
          !type.hasStaticShape() || !type.getLayout().isIdentity())
        continue;
      // The same data, dense or a resource blob, seen as 1-D.
      auto flatTensor =
          RankedTensorType::get({type.getNumElements()}, type.getElementType());
      Attribute flatValue;
      Attribute initial = global.getInitialValueAttr();
      if (auto dense = dyn_cast_or_null<DenseElementsAttr>(initial))
        flatValue = dense.reshape(flatTensor);
      else if (auto blob = dyn_cast_or_null<DenseResourceElementsAttr>(initial))
        flatValue =
            DenseResourceElementsAttr::get(flatTensor, blob.getRawHandle());
      if (!flatValue)
        continue;
      global.setType(MemRefType::get({type.getNumElements()},
                                     type.getElementType(), AffineMap(),
                                     type.getMemorySpace()));
      global.setInitialValueAttr(flatValue);
      flattened[global.getSymNameAttr()] = type;
    }
    if (flattened.empty())
      return;
    module.walk([&](memref::GetGlobalOp get) {
      auto it = flattened.find(get.getNameAttr().getAttr());
      if (it == flattened.end())
        return;
      MemRefType type = it->second;
      OpBuilder b(get);
      b.setInsertionPointAfter(get);
      get.getResult().setType(
          MemRefType::get({type.getNumElements()}, type.getElementType(),
                          AffineMap(), type.getMemorySpace()));
      ReassociationIndices all;
      for (int64_t i = 0; i < type.getRank(); ++i)
        all.push_back(i);
      auto view =
          b.create<memref::ExpandShapeOp>(get.getLoc(), type, get.getResult(),
                                          ArrayRef<ReassociationIndices>{all});
      get.getResult().replaceAllUsesExcept(view, view);
    });
  }
};

} // namespace
