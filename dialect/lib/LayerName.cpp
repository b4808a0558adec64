//===- LayerName.cpp - the layer an op belongs to -------------------------===//

#include "cnnc/Dialect/LayerName.h"

#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;

std::string cnnc::cnn::getLayerName(Location loc) {
  std::string name;
  loc->walk([&](Location inner) {
    if (auto named = dyn_cast<NameLoc>(inner)) {
      name = named.getName().str();
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return name;
}
