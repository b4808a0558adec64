//===- Weights.cpp - giving a model's parameters their values -------------===//

#include "cnnc/Frontend/Weights.h"
#include "cnnc/Dialect/CNNOps.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/StringRef.h"

#include <cmath>
#include <vector>

using namespace mlir;
using namespace cnnc::frontend;
namespace cnn = cnnc::cnn;

namespace {

/// SplitMix64: tiny, fast and the same on every platform.
class Random {
public:
  explicit Random(uint64_t seed) : state(seed) {}
  uint64_t next() {
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  /// Uniform in [0, 1).
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

private:
  uint64_t state;
};

uint64_t hashName(llvm::StringRef name) {
  uint64_t hash = 1469598103934665603ULL; // FNV-1a.
  for (char c : name)
    hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  return hash;
}

} // namespace

void cnnc::frontend::bindRandomWeights(EmittedModel &model, uint64_t seed) {
  model.module->walk([&](cnn::WeightOp op) {
    RankedTensorType type = op.getType();
    llvm::StringRef name = op.getName();
    // Each parameter has its own stream: values do not depend on the order
    // of layers or on the other parameters.
    Random random(seed ^ hashName(name));
    // Fan-in: all dimensions but the first (PyTorch's convention).
    int64_t fanIn = 1;
    for (int64_t size : type.getShape().drop_front())
      fanIn *= size;
    double bound =
        1.0 / std::sqrt(static_cast<double>(std::max<int64_t>(fanIn, 1)));
    bool positive = name.ends_with("running_var");
    std::vector<float> values(type.getNumElements());
    for (float &value : values) {
      double u = random.uniform();
      value = static_cast<float>(positive ? 0.5 + u : (2 * u - 1) * bound);
    }
    // Other element types would need a conversion; the frontend emits f32
    // parameters for f32 models, and bf16/f16/f64 models get theirs rounded.
    Attribute attr;
    if (type.getElementType().isF32()) {
      attr = DenseResourceElementsAttr::get(
          type, (name + "").str(),
          HeapAsmResourceBlob::allocateAndCopyInferAlign(
              llvm::ArrayRef<float>(values)));
    } else {
      SmallVector<APFloat> converted;
      for (float value : values) {
        APFloat f(value);
        bool losesInfo;
        f.convert(cast<FloatType>(type.getElementType()).getFloatSemantics(),
                  APFloat::rmNearestTiesToEven, &losesInfo);
        converted.push_back(f);
      }
      attr = DenseElementsAttr::get(type, converted);
    }
    op.setValueAttr(cast<ElementsAttr>(attr));
  });
}
