//===- Weights.cpp - giving a model's parameters their values -------------===//

#include "cnnc/Frontend/Weights.h"
#include "cnnc/Dialect/CNNOps.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/WithColor.h"

#include <cmath>
#include <cstring>
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
    // Distributions that keep activations in range through a deep network
    // (so that outputs depend on inputs): He-uniform filters and dense
    // weights (fan-in: all dimensions but the first), small biases and
    // means, variances and batch-norm scales around 1.
    int64_t fanIn = 1;
    for (int64_t size : type.getShape().drop_front())
      fanIn *= size;
    double low, high;
    if (type.getRank() >= 2) {
      double bound =
          std::sqrt(6.0 / static_cast<double>(std::max<int64_t>(fanIn, 1)));
      low = -bound;
      high = bound;
    } else if (name.ends_with("running_var") || name.ends_with(".weight")) {
      low = 0.5; // Variances, and the scales of batch norm and PReLU.
      high = 1.5;
    } else {
      low = -0.1; // Biases and running means.
      high = 0.1;
    }
    // The values are drawn as f32 and written straight into the attribute's
    // storage (parameters may be large: no second copy): f32 parameters as
    // a resource blob, those of bf16/f16/f64 models rounded, as raw bits.
    int64_t count = type.getNumElements();
    auto draw = [&] {
      return static_cast<float>(low + (high - low) * random.uniform());
    };
    Attribute attr;
    auto element = cast<FloatType>(type.getElementType());
    if (element.isF32()) {
      AsmResourceBlob blob =
          HeapAsmResourceBlob::allocate(count * sizeof(float), alignof(float));
      auto *values = reinterpret_cast<float *>(blob.getMutableData().data());
      for (int64_t i = 0; i < count; ++i)
        values[i] = draw();
      attr = DenseResourceElementsAttr::get(type, (name + "").str(),
                                            std::move(blob));
    } else {
      size_t bytes = element.getWidth() / 8;
      std::vector<char> raw(count * bytes);
      for (int64_t i = 0; i < count; ++i) {
        APFloat value(draw());
        bool losesInfo;
        value.convert(element.getFloatSemantics(), APFloat::rmNearestTiesToEven,
                      &losesInfo);
        uint64_t bits = value.bitcastToAPInt().getZExtValue();
        std::memcpy(raw.data() + i * bytes, &bits, bytes); // Little-endian.
      }
      attr = DenseElementsAttr::getFromRawBuffer(type, raw);
    }
    op.setValueAttr(cast<ElementsAttr>(attr));
  });
}

namespace {

std::string formatShape(llvm::ArrayRef<int64_t> shape) {
  std::string text = "[";
  for (auto [index, size] : llvm::enumerate(shape))
    text += (index ? ", " : "") + std::to_string(size);
  return text + "]";
}

/// The safetensors dtype that holds values of `type`.
llvm::StringRef dtypeFor(Type type) {
  if (type.isF32())
    return "F32";
  if (type.isF16())
    return "F16";
  if (type.isBF16())
    return "BF16";
  if (type.isF64())
    return "F64";
  return "";
}

/// The unused tensor whose name is closest to `name`, if one is close enough
/// to be a likely misspelling.
std::optional<std::string> closestName(llvm::StringRef name,
                                       const cnnc::SafetensorsFile &checkpoint,
                                       const llvm::StringSet<> &used) {
  std::optional<std::string> best;
  unsigned bestDistance = std::max<size_t>(2, name.size() / 4) + 1;
  for (const cnnc::SafetensorsTensor &tensor : checkpoint.tensors()) {
    if (used.contains(tensor.name))
      continue;
    unsigned distance = name.edit_distance(tensor.name, true, bestDistance);
    if (distance < bestDistance) {
      bestDistance = distance;
      best = tensor.name;
    }
  }
  return best;
}

} // namespace

namespace {
/// A resource blob of `tensor`'s bytes. The checkpoint is mapped, not read:
/// the blob is a view into the mapping, which it keeps alive, so a model's
/// weights are in memory once (the pages of the file), not twice. A tensor
/// the file leaves misaligned for its element type (safetensors aligns
/// nothing) is copied.
AsmResourceBlob viewOrCopy(const cnnc::SafetensorsFile &checkpoint,
                           const cnnc::SafetensorsTensor &tensor) {
  size_t align =
      std::max<int64_t>(cnnc::SafetensorsFile::dtypeSize(tensor.dtype), 1);
  if (reinterpret_cast<uintptr_t>(tensor.data.data()) % align != 0)
    return HeapAsmResourceBlob::allocateAndCopyWithAlign(tensor.data,
                                                         alignof(double));
  std::shared_ptr<const llvm::MemoryBuffer> mapping = checkpoint.sharedBuffer();
  return AsmResourceBlob(
      tensor.data, align,
      [mapping = std::move(mapping)](void *, size_t, size_t) mutable {
        mapping.reset();
      },
      /*dataIsMutable=*/false);
}
} // namespace

LogicalResult cnnc::frontend::bindCheckpoint(EmittedModel &model,
                                             const SafetensorsFile &checkpoint,
                                             llvm::StringRef path,
                                             Diagnostics &diagnostics) {
  llvm::StringMap<cnn::WeightOp> ops;
  model.module->walk([&](cnn::WeightOp op) { ops[op.getName()] = op; });

  llvm::StringSet<> used;
  unsigned errors = 0;
  for (const ParameterInfo &parameter : model.parameters) {
    const SafetensorsTensor *tensor = checkpoint.lookup(parameter.name);
    if (tensor)
      used.insert(parameter.name);
    if (parameter.checkpointOnly)
      continue; // Optional, and not needed for inference.
    if (errors >= 20)
      break;
    cnn::WeightOp op = ops.lookup(parameter.name);
    RankedTensorType type = op.getType();
    if (!tensor) {
      ++errors;
      std::string message = "parameter '" + parameter.name + "' " +
                            formatShape(parameter.shape) + " is not in '" +
                            path.str() + "'";
      if (std::optional<std::string> guess =
              closestName(parameter.name, checkpoint, used))
        message += "; did you mean '" + *guess + "'?";
      diagnostics.error(parameter.loc, message);
      continue;
    }
    llvm::StringRef expectedDtype = dtypeFor(type.getElementType());
    if (tensor->dtype != expectedDtype) {
      ++errors;
      diagnostics.error(parameter.loc,
                        "parameter '" + parameter.name + "' is " +
                            tensor->dtype + " in '" + path +
                            "', but the layer computes in " + expectedDtype);
      continue;
    }
    if (llvm::ArrayRef<int64_t>(tensor->shape) != type.getShape()) {
      ++errors;
      diagnostics.error(parameter.loc,
                        "parameter '" + parameter.name + "' has shape " +
                            formatShape(tensor->shape) + " in '" + path +
                            "', but the layer expects " +
                            formatShape(type.getShape()));
      continue;
    }
    op.setValueAttr(cast<ElementsAttr>(DenseResourceElementsAttr::get(
        type, parameter.name, viewOrCopy(checkpoint, *tensor))));
  }
  if (errors)
    return failure();

  std::vector<llvm::StringRef> unused;
  for (const SafetensorsTensor &tensor : checkpoint.tensors())
    if (!used.contains(tensor.name))
      unused.push_back(tensor.name);
  if (!unused.empty()) {
    auto &os = llvm::WithColor::warning(llvm::errs(), "cnnc");
    os << "'" << path << "' has " << unused.size()
       << " tensor(s) that no parameter of the model uses:";
    for (auto [index, name] : llvm::enumerate(unused)) {
      if (index == 10) {
        os << " ...";
        break;
      }
      os << " " << name;
    }
    os << "\n";
  }
  return success();
}
