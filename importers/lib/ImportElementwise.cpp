//===- ImportElementwise.cpp - activations and arithmetic ----------------===//
//
// Activations map to cnn's (HardSigmoid with PyTorch's alpha 1/6 and beta
// 1/2 to cnn.hard_sigmoid, others by their formula); Add, Sub, Mul and Div
// of two constants are folded in the operands' type, any other to the
// broadcasting cnn op. Nothing is rewritten into a different rounding: x / c
// stays a division.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace cnnc::onnx_import;

namespace {

/// NumPy broadcasting of two constants through `f`.
FailureOr<ConstTensor> broadcastConstants(Importer &im, const ConstTensor &a,
                                          const ConstTensor &b,
                                          double (*f)(double, double, bool)) {
  size_t rank = std::max(a.shape.size(), b.shape.size());
  Shape shape(rank);
  for (size_t k = 0; k < rank; ++k) {
    int64_t da = k < a.shape.size() ? a.shape[a.shape.size() - 1 - k] : 1;
    int64_t db = k < b.shape.size() ? b.shape[b.shape.size() - 1 - k] : 1;
    if (da != db && da != 1 && db != 1) {
      (void)im.fail("constant operands do not broadcast");
      return failure();
    }
    shape[rank - 1 - k] = da == 1 ? db : da;
  }
  ConstTensor out;
  out.shape = shape;
  out.isFloat = a.isFloat;
  out.typeName = a.typeName;
  int64_t count = out.numElements();
  if (count > kMaxConstantElements) {
    (void)im.fail("the constant operands broadcast to " +
                  (count == INT64_MAX ? std::string("2^63 or more")
                                      : std::to_string(count)) +
                  " elements, more than the " +
                  std::to_string(kMaxConstantElements) +
                  " (2^24) that the importer folds");
    return failure();
  }
  out.values.resize(count);
  std::vector<int64_t> index(rank, 0);
  for (int64_t i = 0; i < count; ++i) {
    auto offset = [&](const ConstTensor &t) {
      int64_t flat = 0;
      size_t skip = rank - t.shape.size();
      for (size_t d = 0; d < t.shape.size(); ++d)
        flat = flat * t.shape[d] + (t.shape[d] == 1 ? 0 : index[skip + d]);
      return flat;
    };
    out.values[i] = f(a.values[offset(a)], b.values[offset(b)], a.isFloat);
    for (size_t d = rank; d-- > 0;) {
      if (++index[d] < shape[d])
        break;
      index[d] = 0;
    }
  }
  return out;
}

/// f32 arithmetic for float constants, exact (truncating) for integers.
double addValues(double x, double y, bool isFloat) {
  return isFloat
             ? static_cast<float>(static_cast<float>(x) + static_cast<float>(y))
             : x + y;
}
double subValues(double x, double y, bool isFloat) {
  return isFloat
             ? static_cast<float>(static_cast<float>(x) - static_cast<float>(y))
             : x - y;
}
double mulValues(double x, double y, bool isFloat) {
  return isFloat
             ? static_cast<float>(static_cast<float>(x) * static_cast<float>(y))
             : x * y;
}
double divValues(double x, double y, bool isFloat) {
  if (isFloat)
    return static_cast<float>(static_cast<float>(x) / static_cast<float>(y));
  return y == 0 ? 0 : std::trunc(x / y);
}

template <typename OpTy>
LogicalResult binary(Importer &im, double (*fold)(double, double, bool)) {
  // Before opset 7, `broadcast` without `axis` is NumPy's trailing
  // alignment; `axis` aligns elsewhere, which is not supported.
  if (failed(im.onlyAttrs({"broadcast"})))
    return failure();
  FailureOr<Val> a = im.input(0), b = im.input(1);
  if (failed(a) || failed(b))
    return failure();
  if (a->constant && b->constant) {
    if (a->constant->isFloat != b->constant->isFloat)
      return im.fail("operands of different element types");
    FailureOr<ConstTensor> folded =
        broadcastConstants(im, *a->constant, *b->constant, fold);
    if (failed(folded))
      return failure();
    im.defineConstant(0, std::move(*folded));
    return success();
  }
  FailureOr<Value> lhs = im.tensorInput(0), rhs = im.tensorInput(1);
  if (failed(lhs) || failed(rhs))
    return failure();
  return im.result(im.create<OpTy>(*lhs, *rhs));
}

template <typename OpTy> LogicalResult unary(Importer &im) {
  FailureOr<Value> x = im.start({});
  if (failed(x))
    return failure();
  return im.result(im.create<OpTy>(*x));
}

FailureOr<Value> scalar(Importer &im, double value, const std::string &name) {
  ConstTensor constant;
  constant.values = {static_cast<float>(value)};
  return im.weight(constant, im.layer + "." + name);
}

/// min(max(x, lo), hi) as cnn ops: relu, relu6 or clip.
FailureOr<Value> clamp(Importer &im, Value x, double lo, double hi) {
  if (lo == 0 && hi == 6)
    return im.create<cnn::Relu6Op>(x);
  if (lo == 0 && std::isinf(hi) && hi > 0)
    return im.create<cnn::ReluOp>(x);
  return im.create<cnn::ClipOp>(x, llvm::APFloat(lo), llvm::APFloat(hi));
}

LogicalResult clip(Importer &im) {
  double inf = std::numeric_limits<double>::infinity();
  double lo = -inf, hi = inf;
  if (im.opset < 11) {
    if (failed(im.onlyAttrs({"min", "max"})))
      return failure();
    lo = im.floatAttr("min", lo);
    hi = im.floatAttr("max", hi);
  } else {
    if (failed(im.onlyAttrs({})))
      return failure();
    for (size_t index : {1, 2}) {
      if (!im.hasInput(index))
        continue;
      auto bound = im.constantInput(index, index == 1 ? "min" : "max");
      if (failed(bound))
        return failure();
      if ((*bound)->numElements() != 1)
        return im.fail("min and max must be scalars");
      (index == 1 ? lo : hi) = (*bound)->values[0];
    }
  }
  if (lo > hi)
    return im.fail("min (" + std::to_string(lo) + ") is larger than max (" +
                   std::to_string(hi) + ")");
  FailureOr<Value> x = im.tensorInput(0);
  if (failed(x))
    return failure();
  return im.result(clamp(im, *x, lo, hi));
}

/// max(0, min(1, alpha * x + beta)); PyTorch's hardsigmoid (alpha 1/6,
/// beta 1/2) is cnn.hard_sigmoid.
LogicalResult hardSigmoid(Importer &im) {
  if (failed(im.onlyAttrs({"alpha", "beta"})))
    return failure();
  float alpha = static_cast<float>(im.floatAttr("alpha", 0.2));
  float beta = static_cast<float>(im.floatAttr("beta", 0.5));
  FailureOr<Value> x = im.tensorInput(0);
  if (failed(x))
    return failure();
  FailureOr<Value> result;
  if (alpha == static_cast<float>(1.0 / 6.0) && beta == 0.5f) {
    result = im.create<cnn::HardSigmoidOp>(*x);
  } else {
    FailureOr<Value> a = scalar(im, alpha, "alpha"),
                     b = scalar(im, beta, "beta");
    if (failed(a) || failed(b))
      return failure();
    FailureOr<Value> scaled = im.create<cnn::MulOp>(*x, *a);
    if (failed(scaled))
      return failure();
    FailureOr<Value> shifted = im.create<cnn::AddOp>(*scaled, *b);
    if (failed(shifted))
      return failure();
    result = clamp(im, *shifted, 0, 1);
  }
  return im.result(result);
}

LogicalResult leakyRelu(Importer &im) {
  FailureOr<Value> x = im.start({"alpha"});
  if (failed(x))
    return failure();
  double alpha = static_cast<float>(im.floatAttr("alpha", 0.01));
  return im.result(im.create<cnn::LeakyReluOp>(*x, llvm::APFloat(alpha)));
}

/// A constant slope of one value or one per channel (shape [C], [C, 1, 1],
/// ...) is cnn.prelu's; any other slope broadcasts through
/// relu(x) + slope * (x - relu(x)), which is exact on both sides of 0.
LogicalResult prelu(Importer &im) {
  FailureOr<Value> x = im.start({});
  FailureOr<Val> slope = im.input(1);
  if (failed(x) || failed(slope))
    return failure();
  Shape shape = Importer::shapeOf(*x);
  if (slope->constant && shape.size() >= 2) {
    const ConstTensor &s = *slope->constant;
    int64_t n = s.numElements();
    // Aligned at the trailing dimension, [C, 1, ..., 1] is per channel.
    // Before opset 7 a slope of C values is per channel too.
    bool perChannel = (s.shape.size() == shape.size() - 1 ||
                       (im.opset < 7 && s.shape.size() == 1)) &&
                      s.shape[0] == shape[1] && n == shape[1];
    if (n == 1 || perChannel ||
        (s.shape.size() == 1 && shape.size() == 2 && s.shape[0] == shape[1])) {
      FailureOr<Value> w = im.weight(s, im.layer + ".weight", {n});
      if (failed(w))
        return failure();
      return im.result(im.create<cnn::PReluOp>(*x, *w));
    }
  }
  FailureOr<Value> s = im.tensorInput(1);
  if (failed(s))
    return failure();
  FailureOr<Value> positive = im.create<cnn::ReluOp>(*x);
  if (failed(positive))
    return failure();
  FailureOr<Value> negative = im.create<cnn::SubOp>(*x, *positive);
  if (failed(negative))
    return failure();
  FailureOr<Value> scaled = im.create<cnn::MulOp>(*s, *negative);
  if (failed(scaled))
    return failure();
  return im.result(im.create<cnn::AddOp>(*positive, *scaled));
}

/// Softmax: before opset 13 over all dimensions from `axis` on (the input
/// coerced to 2-D), from 13 on over `axis` alone.
LogicalResult softmax(Importer &im) {
  FailureOr<Value> x = im.start({"axis"});
  if (failed(x))
    return failure();
  Shape shape = Importer::shapeOf(*x);
  int64_t rank = static_cast<int64_t>(shape.size());
  FailureOr<int64_t> axis =
      im.normalizeAxis(im.intAttr("axis", im.opset < 13 ? 1 : -1),
                       std::max<int64_t>(rank, 1), "axis");
  if (failed(axis))
    return failure();
  FailureOr<Value> result;
  if (im.opset >= 13 || *axis == rank - 1) {
    result = im.create<cnn::SoftmaxOp>(*x, im.builder.getI64IntegerAttr(*axis));
  } else {
    int64_t outer = 1, inner = 1;
    for (int64_t d = 0; d < rank; ++d)
      (d < *axis ? outer : inner) *= shape[d];
    FailureOr<Value> flat = im.reshape(*x, {outer, inner});
    if (failed(flat))
      return failure();
    FailureOr<Value> normalized =
        im.create<cnn::SoftmaxOp>(*flat, im.builder.getI64IntegerAttr(1));
    if (failed(normalized))
      return failure();
    result = im.reshape(*normalized, shape);
  }
  return im.result(result);
}

/// Inference: Dropout is the identity; its mask is not computed.
LogicalResult dropout(Importer &im) {
  if (failed(im.onlyAttrs({"ratio", "seed", "is_test"})))
    return failure();
  if (im.hasOutput(1))
    return im.fail("the mask output is not supported (inference only)");
  if (im.hasInput(2)) {
    auto training = im.constantInput(2, "training_mode");
    if (failed(training))
      return failure();
    if (!(*training)->values.empty() && (*training)->values[0] != 0)
      return im.fail("training_mode is true: cnnc compiles inference");
  }
  if (im.opset < 7 && im.intAttr("is_test", 0) == 0)
    return im.fail("is_test is 0: cnnc compiles inference");
  FailureOr<Val> x = im.input(0);
  if (failed(x))
    return failure();
  if (x->tensor)
    im.define(0, x->tensor);
  else
    im.defineConstant(0, *x->constant);
  return success();
}

} // namespace

void cnnc::onnx_import::addElementwiseConverters(
    std::map<std::string, Converter> &converters) {
  converters["Relu"] = unary<cnn::ReluOp>;
  converters["Sigmoid"] = unary<cnn::SigmoidOp>;
  converters["Tanh"] = unary<cnn::TanhOp>;
  converters["HardSwish"] = unary<cnn::HardSwishOp>;
  converters["HardSigmoid"] = hardSigmoid;
  converters["LeakyRelu"] = leakyRelu;
  converters["PRelu"] = prelu;
  converters["Clip"] = clip;
  converters["Add"] = [](Importer &im) {
    return binary<cnn::AddOp>(im, addValues);
  };
  converters["Sub"] = [](Importer &im) {
    return binary<cnn::SubOp>(im, subValues);
  };
  converters["Mul"] = [](Importer &im) {
    return binary<cnn::MulOp>(im, mulValues);
  };
  converters["Div"] = [](Importer &im) {
    return binary<cnn::DivOp>(im, divValues);
  };
  converters["Softmax"] = softmax;
  converters["Dropout"] = dropout;
  converters["Identity"] = dropout;
}
