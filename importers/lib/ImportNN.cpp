//===- ImportNN.cpp - convolutions, normalization, dense layers -----------===//
//
// Conv (1-D as 2-D with a height of 1; auto_pad, groups, dilations, a zero
// Pad before it folded into its padding), BatchNormalization, Gemm and
// MatMul as cnn.dense. Constant filters, biases and statistics become
// cnn.weight ops named after the node's layer (`<layer>.weight`, `.bias`,
// `.running_mean`, `.running_var`), as the .cnn language names them. The
// window helpers here serve the pools too (ImportPooling.cpp).
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include <cstdio>
#include <cstdlib>

using namespace mlir;
using namespace cnnc::onnx_import;

/// The padding of a window op as cnn writes it (top, left, bottom, right),
/// from auto_pad or pads; `spatial` holds the input's spatial sizes.
FailureOr<Shape> cnnc::onnx_import::windowPadding(Importer &im,
                                                  const Shape &spatial,
                                                  const Shape &kernel,
                                                  const Shape &strides,
                                                  const Shape &dilations) {
  size_t n = spatial.size();
  std::string autoPad = im.stringAttr("auto_pad", "NOTSET");
  Shape begin(n, 0), end(n, 0);
  if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    for (size_t d = 0; d < n; ++d) {
      int64_t out = (spatial[d] + strides[d] - 1) / strides[d];
      int64_t total = std::max<int64_t>(0, (out - 1) * strides[d] +
                                               (kernel[d] - 1) * dilations[d] +
                                               1 - spatial[d]);
      begin[d] = autoPad == "SAME_UPPER" ? total / 2 : total - total / 2;
      end[d] = total - begin[d];
    }
  } else if (autoPad == "NOTSET") {
    Shape pads = im.intsAttr("pads", Shape(2 * n, 0));
    if (pads.size() != 2 * n) {
      (void)im.fail("pads has " + std::to_string(pads.size()) +
                    " values, not " + std::to_string(2 * n));
      return failure();
    }
    for (size_t d = 0; d < n; ++d) {
      begin[d] = pads[d];
      end[d] = pads[n + d];
    }
  } else if (autoPad != "VALID") {
    (void)im.fail("auto_pad '" + autoPad + "' is not supported");
    return failure();
  }
  if (n == 1)
    return Shape{0, begin[0], 0, end[0]};
  return Shape{begin[0], begin[1], end[0], end[1]};
}

/// A 1-D (rank 3) feature map as a 2-D one of height 1.
FailureOr<Value> cnnc::onnx_import::asFeatureMap(Importer &im, Value x) {
  Shape shape = Importer::shapeOf(x);
  if (shape.size() == 4)
    return x;
  if (shape.size() == 3)
    return im.reshape(x, {shape[0], shape[1], 1, shape[2]});
  (void)im.fail("a " + std::to_string(shape.size() - 2) + "-D " +
                im.node->opType + " is not supported (cnn's are 1-D and 2-D)");
  return failure();
}

/// A window attribute for a 1-D or 2-D op, padded to 2-D.
Shape cnnc::onnx_import::pair(const Shape &values, size_t spatial) {
  return spatial == 1 ? Shape{1, values[0]} : values;
}

DenseI64ArrayAttr cnnc::onnx_import::optionalArray(Importer &im,
                                                   const Shape &values,
                                                   const Shape &defaults) {
  return values == defaults ? DenseI64ArrayAttr()
                            : im.builder.getDenseI64ArrayAttr(values);
}

/// A tensor back to its 1-D form after a 2-D op, if it was 1-D.
FailureOr<Value> cnnc::onnx_import::restoreRank(Importer &im, Value y,
                                                size_t rank) {
  if (rank == 4)
    return y;
  Shape shape = Importer::shapeOf(y);
  return im.reshape(y, {shape[0], shape[1], shape[3]});
}

namespace {

FailureOr<Value> parameter(Importer &im, size_t index,
                           const std::string &suffix);

LogicalResult convOp(Importer &im) {
  if (failed(im.onlyAttrs({"auto_pad", "dilations", "group", "kernel_shape",
                           "pads", "strides"})))
    return failure();
  FailureOr<Val> x = im.input(0), w = im.input(1);
  if (failed(x) || failed(w))
    return failure();
  // A zero Pad of H and W before the convolution joins its padding.
  Shape extra(4, 0);
  FailureOr<Value> input = im.tensorInput(0);
  if (failed(input))
    return failure();
  auto folded = im.zeroPads.find(im.node->inputs[0]);
  if (folded != im.zeroPads.end()) {
    input = folded->second.input;
    extra = folded->second.padding;
  }
  size_t rank = Importer::shapeOf(*input).size();
  FailureOr<Value> fm = asFeatureMap(im, *input);
  if (failed(fm))
    return failure();
  size_t spatial = rank - 2;
  Value filter;
  Shape wshape =
      w->constant ? w->constant->shape : Importer::shapeOf(w->tensor);
  if (wshape.size() != rank)
    return im.fail("the filter has rank " + std::to_string(wshape.size()) +
                   ", the input " + std::to_string(rank));
  Shape filterShape = wshape;
  if (spatial == 1)
    filterShape = {wshape[0], wshape[1], 1, wshape[2]};
  if (w->constant) {
    FailureOr<Value> f =
        im.weight(*w->constant, im.layer + ".weight", filterShape);
    if (failed(f))
      return failure();
    filter = *f;
  } else {
    FailureOr<Value> f = im.reshape(w->tensor, filterShape);
    if (failed(f))
      return failure();
    filter = *f;
  }
  Shape kernel(wshape.begin() + 2, wshape.end());
  if (im.hasAttr("kernel_shape") && im.intsAttr("kernel_shape", {}) != kernel)
    return im.fail("kernel_shape does not match the filter's shape");
  Shape strides = im.intsAttr("strides", Shape(spatial, 1));
  Shape dilations = im.intsAttr("dilations", Shape(spatial, 1));
  if (strides.size() != spatial || dilations.size() != spatial)
    return im.fail("strides and dilations need one value per spatial "
                   "dimension");
  Shape inShape = Importer::shapeOf(*input);
  FailureOr<Shape> padding =
      windowPadding(im, Shape(inShape.begin() + 2, inShape.end()), kernel,
                    strides, dilations);
  if (failed(padding))
    return failure();
  for (size_t i = 0; i < 4; ++i)
    (*padding)[i] += extra[i];
  Value bias;
  if (im.hasInput(2)) {
    FailureOr<Val> b = im.input(2);
    if (failed(b))
      return failure();
    FailureOr<Value> t = b->constant
                             ? im.weight(*b->constant, im.layer + ".bias")
                             : FailureOr<Value>(b->tensor);
    if (failed(t))
      return failure();
    bias = *t;
  }
  int64_t groups = im.intAttr("group", 1);
  FailureOr<Value> y = im.create<cnn::Conv2DOp>(
      *fm, filter, bias, optionalArray(im, pair(strides, spatial), {1, 1}),
      optionalArray(im, *padding, {0, 0, 0, 0}),
      optionalArray(im, pair(dilations, spatial), {1, 1}),
      groups == 1 ? IntegerAttr() : im.builder.getI64IntegerAttr(groups));
  if (failed(y))
    return failure();
  return im.result(restoreRank(im, *y, rank));
}
/// DeformConv (opset 19's inputs and attributes: X, W, offset, B, mask;
/// also in a custom domain, as a symbolic of torchvision's deform_conv2d
/// emits it) is cnn.deform_conv2d, torchvision's semantics.
LogicalResult deformConvOp(Importer &im) {
  FailureOr<Value> x = im.start({"dilations", "group", "kernel_shape",
                                 "offset_group", "pads", "strides"});
  FailureOr<Value> offset = im.tensorInput(2);
  FailureOr<Val> w = im.input(1);
  if (failed(x) || failed(offset) || failed(w))
    return failure();
  Shape inShape = Importer::shapeOf(*x);
  if (inShape.size() != 4)
    return im.fail("only 2-D deformable convolutions are supported");
  Value filter = w->tensor;
  if (w->constant) {
    FailureOr<Value> f = im.weight(*w->constant, im.layer + ".weight");
    if (failed(f))
      return failure();
    filter = *f;
  }
  Shape wshape = Importer::shapeOf(filter);
  Shape kernel(wshape.begin() + 2, wshape.end());
  if (im.hasAttr("kernel_shape") && im.intsAttr("kernel_shape", {}) != kernel)
    return im.fail("kernel_shape does not match the filter's shape");
  Shape strides = im.intsAttr("strides", {1, 1});
  Shape dilations = im.intsAttr("dilations", {1, 1});
  FailureOr<Shape> padding =
      windowPadding(im, {inShape[2], inShape[3]}, kernel, strides, dilations);
  if (failed(padding))
    return failure();
  Value bias, mask;
  if (im.hasInput(3)) {
    FailureOr<Value> b = parameter(im, 3, "bias");
    if (failed(b))
      return failure();
    bias = *b;
  }
  if (im.hasInput(4)) {
    FailureOr<Value> m = im.tensorInput(4);
    if (failed(m))
      return failure();
    mask = *m;
  }
  int64_t groups = im.intAttr("group", 1);
  int64_t offsetGroups = im.intAttr("offset_group", 1);
  return im.result(im.create<cnn::DeformConv2DOp>(
      *x, *offset, filter, mask, bias, optionalArray(im, strides, {1, 1}),
      optionalArray(im, *padding, {0, 0, 0, 0}),
      optionalArray(im, dilations, {1, 1}),
      groups == 1 ? IntegerAttr() : im.builder.getI64IntegerAttr(groups),
      offsetGroups == 1 ? IntegerAttr()
                        : im.builder.getI64IntegerAttr(offsetGroups)));
}

/// A constant or tensor input as a cnn.weight named `<layer>.<suffix>`.
FailureOr<Value> parameter(Importer &im, size_t index,
                           const std::string &suffix) {
  FailureOr<Val> v = im.input(index);
  if (failed(v))
    return failure();
  if (v->constant)
    return im.weight(*v->constant, im.layer + "." + suffix);
  return v->tensor;
}

/// The shortest decimal that rounds to the same f32 as `value`.
double shortestDecimal(double value) {
  float target = static_cast<float>(value);
  for (int digits = 1; digits <= 9; ++digits) {
    char text[32];
    std::snprintf(text, sizeof(text), "%.*g", digits,
                  static_cast<double>(target));
    double parsed = std::strtod(text, nullptr);
    if (static_cast<float>(parsed) == target)
      return parsed;
  }
  return target;
}

LogicalResult batchNormOp(Importer &im) {
  if (failed(im.onlyAttrs(
          {"epsilon", "momentum", "training_mode", "spatial", "is_test"})))
    return failure();
  if (im.intAttr("training_mode", 0) != 0 || im.hasOutput(1) || im.hasOutput(2))
    return im.fail("training mode is not supported (cnnc compiles "
                   "inference)");
  if (im.intAttr("spatial", 1) != 1)
    return im.fail("spatial = 0 is not supported");
  FailureOr<Value> x = im.tensorInput(0);
  FailureOr<Value> scale = parameter(im, 1, "weight");
  FailureOr<Value> shift = parameter(im, 2, "bias");
  FailureOr<Value> mean = parameter(im, 3, "running_mean");
  FailureOr<Value> var = parameter(im, 4, "running_var");
  if (failed(x) || failed(scale) || failed(shift) || failed(mean) ||
      failed(var))
    return failure();
  // ONNX keeps epsilon in f32; PyTorch's 1e-5 is the shortest decimal
  // that rounds to it, and cnn folds batch norms in f64 with that value.
  double epsilon = shortestDecimal(im.floatAttr("epsilon", 1e-5));
  FloatAttr eps =
      epsilon == 1e-5 ? FloatAttr() : im.builder.getF64FloatAttr(epsilon);
  return im.result(
      im.create<cnn::BatchNormOp>(*x, *mean, *var, *scale, *shift, eps));
}

/// [K, N] to [N, K] on the host.
ConstTensor transposed(const ConstTensor &t) {
  ConstTensor out = t;
  int64_t rows = t.shape[0], cols = t.shape[1];
  out.shape = {cols, rows};
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c)
      out.values[c * rows + r] = t.values[r * cols + c];
  return out;
}

/// The [N, K] weight of a dense layer from B ([K, N], or [N, K] when
/// `isNK`): constants as cnn.weight `<layer>.weight`.
FailureOr<Value> denseWeight(Importer &im, const Val &b, bool isNK) {
  if (b.constant) {
    if (b.constant->shape.size() != 2) {
      (void)im.fail("the weight must be 2-D");
      return failure();
    }
    return im.weight(isNK ? *b.constant : transposed(*b.constant),
                     im.layer + ".weight");
  }
  if (isNK)
    return b.tensor;
  return im.create<cnn::TransposeOp>(b.tensor,
                                     im.builder.getDenseI64ArrayAttr({1, 0}));
}

FailureOr<Value> scaled(Importer &im, Value x, double factor,
                        const std::string &name) {
  if (factor == 1)
    return x;
  ConstTensor c;
  c.values = {static_cast<float>(factor)};
  FailureOr<Value> w = im.weight(c, im.layer + "." + name);
  if (failed(w))
    return failure();
  return im.create<cnn::MulOp>(x, *w);
}

/// alpha * A' B' + beta * C: cnn.dense with C as its bias when it is a
/// constant vector and beta is 1.
LogicalResult gemmOp(Importer &im) {
  FailureOr<Value> a =
      im.start({"alpha", "beta", "transA", "transB", "broadcast"});
  FailureOr<Val> b = im.input(1);
  if (failed(a) || failed(b))
    return failure();
  if (Importer::shapeOf(*a).size() != 2)
    return im.fail("A must be 2-D");
  Value lhs = *a;
  if (im.intAttr("transA", 0)) {
    FailureOr<Value> t = im.create<cnn::TransposeOp>(
        lhs, im.builder.getDenseI64ArrayAttr({1, 0}));
    if (failed(t))
      return failure();
    lhs = *t;
  }
  FailureOr<Value> w = denseWeight(im, *b, im.intAttr("transB", 0) != 0);
  if (failed(w))
    return failure();
  int64_t n = Importer::shapeOf(*w)[0];
  double alpha = static_cast<float>(im.floatAttr("alpha", 1.0));
  double beta = static_cast<float>(im.floatAttr("beta", 1.0));
  Value bias;
  std::optional<Val> c;
  if (im.hasInput(2)) {
    FailureOr<Val> cv = im.input(2);
    if (failed(cv))
      return failure();
    c = *cv;
    const ConstTensor *k = c->constant.get();
    if (k && beta == 1 && alpha == 1 && k->numElements() == n &&
        (k->shape == Shape{n} || k->shape == Shape{1, n})) {
      FailureOr<Value> bv = im.weight(*k, im.layer + ".bias", {n});
      if (failed(bv))
        return failure();
      bias = *bv;
      c.reset();
    }
  }
  FailureOr<Value> y = im.create<cnn::DenseOp>(lhs, *w, bias);
  if (failed(y))
    return failure();
  FailureOr<Value> out = scaled(im, *y, alpha, "alpha");
  if (failed(out))
    return failure();
  if (c && beta != 0) {
    FailureOr<Value> ct = im.asTensor(*c, im.layer + ".C");
    if (failed(ct))
      return failure();
    FailureOr<Value> term = scaled(im, *ct, beta, "beta");
    if (failed(term))
      return failure();
    out = im.create<cnn::AddOp>(*out, *term);
    if (failed(out))
      return failure();
  }
  im.define(0, *out);
  return success();
}

/// MatMul: [.., M, K] x [K, N] as one dense layer over the flattened rows;
/// two batched operands of equal batch shape one dense layer per batch.
LogicalResult matMulOp(Importer &im) {
  FailureOr<Value> a = im.start({});
  FailureOr<Val> b = im.input(1);
  if (failed(a) || failed(b))
    return failure();
  Shape as = Importer::shapeOf(*a);
  Shape bs = b->constant ? b->constant->shape : Importer::shapeOf(b->tensor);
  if (as.size() < 2 || bs.size() < 2)
    return im.fail("1-D operands are not supported");
  int64_t k = as.back(), n = bs.back();
  int64_t rows = 1;
  for (size_t d = 0; d + 1 < as.size(); ++d)
    rows *= as[d];
  Shape outShape(as.begin(), as.end() - 1);
  outShape.push_back(n);
  if (bs.size() == 2) {
    FailureOr<Value> w = denseWeight(im, *b, /*isNK=*/false);
    FailureOr<Value> flat = im.reshape(*a, {rows, k});
    if (failed(w) || failed(flat))
      return failure();
    FailureOr<Value> y = im.create<cnn::DenseOp>(*flat, *w, Value());
    if (failed(y))
      return failure();
    return im.result(im.reshape(*y, outShape));
  }
  if (Shape(as.begin(), as.end() - 2) != Shape(bs.begin(), bs.end() - 2))
    return im.fail("batched operands with different batch shapes are not "
                   "supported");
  int64_t m = as[as.size() - 2], batches = rows / m;
  if (batches > 64)
    return im.fail("more than 64 batched products are not supported");
  FailureOr<Value> bt = im.tensorInput(1);
  FailureOr<Value> a3 = im.reshape(*a, {batches, m, k});
  if (failed(bt) || failed(a3))
    return failure();
  FailureOr<Value> b3 = im.reshape(*bt, {batches, k, n});
  if (failed(b3))
    return failure();
  SmallVector<Value> products;
  for (int64_t i = 0; i < batches; ++i) {
    FailureOr<Value> ai = im.slice(*a3, 0, i, 1);
    FailureOr<Value> bi = im.slice(*b3, 0, i, 1);
    if (failed(ai) || failed(bi))
      return failure();
    FailureOr<Value> am = im.reshape(*ai, {m, k});
    FailureOr<Value> bm = im.reshape(*bi, {k, n});
    if (failed(am) || failed(bm))
      return failure();
    FailureOr<Value> w = im.create<cnn::TransposeOp>(
        *bm, im.builder.getDenseI64ArrayAttr({1, 0}));
    if (failed(w))
      return failure();
    FailureOr<Value> y = im.create<cnn::DenseOp>(*am, *w, Value());
    if (failed(y))
      return failure();
    FailureOr<Value> y3 = im.reshape(*y, {1, m, n});
    if (failed(y3))
      return failure();
    products.push_back(*y3);
  }
  FailureOr<Value> joined = im.concat(products, 0);
  if (failed(joined))
    return failure();
  return im.result(im.reshape(*joined, outShape));
}
} // namespace

void cnnc::onnx_import::addNNConverters(
    std::map<std::string, Converter> &converters) {
  converters["Conv"] = convOp;
  converters["DeformConv"] = deformConvOp;
  converters["BatchNormalization"] = batchNormOp;
  converters["Gemm"] = gemmOp;
  converters["MatMul"] = matMulOp;
}
