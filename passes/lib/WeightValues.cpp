//===- WeightValues.cpp - read and make cnn.weight values -----------------===//

#include "WeightValues.h"
#include "cnnc/Dialect/CNNOps.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;
using namespace cnnc::cnn;

std::optional<std::vector<double>> cnnc::readWeight(Value value) {
  auto weight = value.getDefiningOp<WeightOp>();
  if (!weight || !weight.getValue())
    return std::nullopt;
  ElementsAttr attr = *weight.getValue();
  Type element = attr.getElementType();
  std::vector<double> values;
  if (auto dense = dyn_cast<DenseFPElementsAttr>(attr)) {
    for (const APFloat &v : dense.getValues<APFloat>())
      values.push_back(v.convertToDouble());
    return values;
  }
  if (element.isF32()) {
    if (auto resource = dyn_cast<DenseF32ResourceElementsAttr>(attr))
      if (std::optional<ArrayRef<float>> data = resource.tryGetAsArrayRef())
        return std::vector<double>(data->begin(), data->end());
  }
  if (element.isF64()) {
    if (auto resource = dyn_cast<DenseF64ResourceElementsAttr>(attr))
      if (std::optional<ArrayRef<double>> data = resource.tryGetAsArrayRef())
        return std::vector<double>(data->begin(), data->end());
  }
  return std::nullopt;
}

/// A resource key that the IR printer writes as a bare keyword, so that the
/// printed IR parses again: the weight's name with other characters as '_'.
static std::string resourceKey(StringRef name) {
  std::string key;
  for (char c : name)
    key += (llvm::isAlnum(c) || c == '_' || c == '.') ? c : '_';
  if (key.empty() || !(llvm::isAlpha(key[0]) || key[0] == '_'))
    key.insert(0, "_");
  return key;
}

Value cnnc::makeWeight(PatternRewriter &rewriter, Location loc, StringRef name,
                       RankedTensorType type, ArrayRef<double> values) {
  std::string key = resourceKey(name);
  Attribute attr;
  if (type.getElementType().isF32()) {
    std::vector<float> rounded(values.begin(), values.end());
    attr = DenseResourceElementsAttr::get(
        type, key,
        HeapAsmResourceBlob::allocateAndCopyInferAlign(
            ArrayRef<float>(rounded)));
  } else {
    attr = DenseResourceElementsAttr::get(
        type, key, HeapAsmResourceBlob::allocateAndCopyInferAlign(values));
  }
  return rewriter.create<WeightOp>(loc, type, rewriter.getStringAttr(name),
                                   cast<ElementsAttr>(attr));
}
