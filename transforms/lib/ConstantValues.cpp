//===- ConstantValues.cpp - the values of constant f32 tensors ------------===//

#include "cnnc/Transforms/ConstantValues.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

using namespace mlir;

bool cnnc::hasFloatValues(Attribute attr) {
  if (auto dense = dyn_cast_or_null<DenseFPElementsAttr>(attr))
    return dense.getElementType().isF32();
  if (auto blob = dyn_cast_or_null<DenseF32ResourceElementsAttr>(attr))
    return blob.tryGetAsArrayRef().has_value();
  return false;
}

std::optional<std::vector<float>> cnnc::floatValues(Attribute attr) {
  if (!hasFloatValues(attr))
    return std::nullopt;
  if (auto dense = dyn_cast<DenseFPElementsAttr>(attr)) {
    auto values = dense.getValues<float>();
    return std::vector<float>(values.begin(), values.end());
  }
  ArrayRef<float> data =
      *cast<DenseF32ResourceElementsAttr>(attr).tryGetAsArrayRef();
  return std::vector<float>(data.begin(), data.end());
}
