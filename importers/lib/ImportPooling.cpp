//===- ImportPooling.cpp - pools, means and padding -----------------------===//
//
// MaxPool and AveragePool (1-D as 2-D; a padding beyond PyTorch's limit
// made explicit), GlobalAveragePool and ReduceMean as cnn.global_avg_pool,
// and Pad in constant mode as concatenations with constant blocks.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include <limits>
#include <numeric>

using namespace mlir;
using namespace cnnc::onnx_import;

namespace {

/// `count` elements, or "more than 2^63 elements" where it saturated.
std::string describeElements(int64_t count) {
  return count == INT64_MAX ? "2^63 elements or more"
                            : std::to_string(count) + " elements";
}

/// `x` with `pads` (begin of every dimension, then end) elements of
/// `value` added: each padded axis a concatenation with constant blocks,
/// each negative pad a slice.
FailureOr<Value> padConstant(Importer &im, Value x, const Shape &pads,
                             float value) {
  size_t rank = Importer::shapeOf(x).size();
  Value y = x;
  for (size_t d = 0; d < rank; ++d) {
    int64_t before = pads[d], after = pads[rank + d];
    Shape current = Importer::shapeOf(y);
    if (before < 0 || after < 0) {
      // A crop of the whole dimension (checked first: negating a pad of
      // INT64_MIN would overflow).
      if (before <= -current[d] || after <= -current[d]) {
        (void)im.fail("the pads crop everything");
        return failure();
      }
      int64_t start = std::max<int64_t>(0, -before);
      int64_t size = current[d] - start - std::max<int64_t>(0, -after);
      if (size <= 0) {
        (void)im.fail("the pads crop everything");
        return failure();
      }
      FailureOr<Value> cut = im.slice(y, static_cast<int64_t>(d), start, size);
      if (failed(cut))
        return failure();
      y = *cut;
      before = std::max<int64_t>(0, before);
      after = std::max<int64_t>(0, after);
      current = Importer::shapeOf(y);
    }
    SmallVector<Value> parts;
    for (int64_t amount : {before, int64_t(-1), after}) {
      if (amount == -1) {
        parts.push_back(y);
        continue;
      }
      if (amount == 0)
        continue;
      ConstTensor block;
      block.shape = current;
      block.shape[d] = amount;
      if (block.numElements() > kMaxConstantElements) {
        (void)im.fail(
            "the padding of dimension " + std::to_string(d) +
            " is a block of " + describeElements(block.numElements()) +
            ", more than the " + std::to_string(kMaxConstantElements) +
            " (2^24) that the importer makes a constant of");
        return failure();
      }
      block.values.assign(block.numElements(), value);
      FailureOr<Value> w =
          im.weight(block, im.layer + ".pad" + std::to_string(parts.size()) +
                               "_" + std::to_string(d));
      if (failed(w))
        return failure();
      parts.push_back(*w);
    }
    FailureOr<Value> joined = im.concat(parts, static_cast<int64_t>(d));
    if (failed(joined))
      return failure();
    y = *joined;
  }
  return y;
}

/// A padding beyond PyTorch's rule (at most half the kernel): the input
/// padded explicitly (-inf for max, 0 for average), the pool unpadded; an
/// average that does not count the padding is the window's sum divided by
/// its count of real elements.
FailureOr<Value> poolWithWidePadding(Importer &im, Value x, bool isMax,
                                     const Shape &kernel, const Shape &strides,
                                     const Shape &padding, bool countPad) {
  Shape shape = Importer::shapeOf(x);
  Shape pads = {0, 0, padding[0], padding[1], 0, 0, padding[2], padding[3]};
  float fill = isMax ? -std::numeric_limits<float>::infinity() : 0.0f;
  FailureOr<Value> padded = padConstant(im, x, pads, fill);
  if (failed(padded))
    return failure();
  auto kernelAttr = im.builder.getDenseI64ArrayAttr(kernel);
  auto strideAttr = im.builder.getDenseI64ArrayAttr(strides);
  if (isMax)
    return im.create<cnn::MaxPool2DOp>(*padded, kernelAttr, strideAttr,
                                       DenseI64ArrayAttr(), DenseI64ArrayAttr(),
                                       UnitAttr());
  if (countPad)
    return im.create<cnn::AvgPool2DOp>(*padded, kernelAttr, strideAttr,
                                       DenseI64ArrayAttr(), UnitAttr(),
                                       im.builder.getUnitAttr(), IntegerAttr());
  FailureOr<Value> sum = im.create<cnn::AvgPool2DOp>(
      *padded, kernelAttr, strideAttr, DenseI64ArrayAttr(), UnitAttr(),
      UnitAttr(), im.builder.getI64IntegerAttr(1));
  if (failed(sum))
    return failure();
  Shape out = Importer::shapeOf(*sum);
  ConstTensor count;
  count.shape = {1, 1, out[2], out[3]};
  for (int64_t oh = 0; oh < out[2]; ++oh)
    for (int64_t ow = 0; ow < out[3]; ++ow) {
      auto real = [&](int64_t start, int64_t k, int64_t size) {
        return std::max<int64_t>(0, std::min(start + k, size) -
                                        std::max<int64_t>(start, 0));
      };
      count.values.push_back(static_cast<double>(
          real(oh * strides[0] - padding[0], kernel[0], shape[2]) *
          real(ow * strides[1] - padding[1], kernel[1], shape[3])));
    }
  FailureOr<Value> counts = im.weight(count, im.layer + ".count");
  if (failed(counts))
    return failure();
  return im.create<cnn::DivOp>(*sum, *counts);
}

LogicalResult poolOp(Importer &im, bool isMax) {
  if (failed(isMax ? im.onlyAttrs({"auto_pad", "ceil_mode", "dilations",
                                   "kernel_shape", "pads", "storage_order",
                                   "strides"})
                   : im.onlyAttrs({"auto_pad", "ceil_mode", "count_include_pad",
                                   "kernel_shape", "pads", "strides"})))
    return failure();
  if (isMax && im.hasOutput(1))
    return im.fail("the Indices output is not supported");
  FailureOr<Value> x = im.tensorInput(0);
  if (failed(x))
    return failure();
  Shape inShape = Importer::shapeOf(*x);
  size_t rank = inShape.size();
  FailureOr<Value> fm = asFeatureMap(im, *x);
  if (failed(fm))
    return failure();
  size_t spatial = rank - 2;
  Shape kernel = im.intsAttr("kernel_shape", {});
  Shape strides = im.intsAttr("strides", Shape(spatial, 1));
  Shape dilations = im.intsAttr("dilations", Shape(spatial, 1));
  if (kernel.size() != spatial || strides.size() != spatial ||
      dilations.size() != spatial)
    return im.fail("kernel_shape, strides and dilations need one value per "
                   "spatial dimension");
  FailureOr<Shape> padding =
      windowPadding(im, Shape(inShape.begin() + 2, inShape.end()), kernel,
                    strides, dilations);
  if (failed(padding))
    return failure();
  UnitAttr ceil =
      im.intAttr("ceil_mode", 0) ? im.builder.getUnitAttr() : UnitAttr();
  Shape kernel2 = pair(kernel, spatial);
  bool wide = false;
  for (size_t i = 0; i < 4; ++i)
    wide |= 2 * (*padding)[i] > kernel2[i % 2];
  if (wide) {
    if (ceil || (isMax && pair(dilations, spatial) != Shape{1, 1}))
      return im.fail("a padding larger than half the kernel with ceil_mode "
                     "or dilations is not supported");
    FailureOr<Value> y =
        poolWithWidePadding(im, *fm, isMax, kernel2, pair(strides, spatial),
                            *padding, im.intAttr("count_include_pad", 0) != 0);
    if (failed(y))
      return failure();
    return im.result(restoreRank(im, *y, rank));
  }
  auto kernelAttr = im.builder.getDenseI64ArrayAttr(pair(kernel, spatial));
  auto strideAttr = im.builder.getDenseI64ArrayAttr(pair(strides, spatial));
  FailureOr<Value> y =
      isMax ? im.create<cnn::MaxPool2DOp>(
                  *fm, kernelAttr, strideAttr,
                  optionalArray(im, *padding, {0, 0, 0, 0}),
                  optionalArray(im, pair(dilations, spatial), {1, 1}), ceil)
            : im.create<cnn::AvgPool2DOp>(
                  *fm, kernelAttr, strideAttr,
                  optionalArray(im, *padding, {0, 0, 0, 0}), ceil,
                  im.intAttr("count_include_pad", 0) ? im.builder.getUnitAttr()
                                                     : UnitAttr(),
                  IntegerAttr());
  if (failed(y))
    return failure();
  return im.result(restoreRank(im, *y, rank));
}
/// The mean over `axes` (sorted, distinct): cnn.global_avg_pool over
/// [1, kept, reduced, 1] after moving the reduced axes last.
FailureOr<Value> mean(Importer &im, Value x, const std::vector<bool> &reduced,
                      bool keepDims) {
  Shape shape = Importer::shapeOf(x);
  size_t rank = shape.size();
  Shape kept, out, perm, moved;
  int64_t keptSize = 1, reducedSize = 1;
  for (size_t d = 0; d < rank; ++d) {
    if (!reduced[d]) {
      perm.push_back(static_cast<int64_t>(d));
      keptSize *= shape[d];
      out.push_back(shape[d]);
    } else if (keepDims) {
      out.push_back(1);
    }
  }
  for (size_t d = 0; d < rank; ++d)
    if (reduced[d]) {
      perm.push_back(static_cast<int64_t>(d));
      reducedSize *= shape[d];
    }
  if (rank == 4 && !reduced[0] && !reduced[1] && reduced[2] && reduced[3]) {
    FailureOr<Value> pooled = im.create<cnn::GlobalAvgPoolOp>(x);
    if (failed(pooled))
      return failure();
    return im.reshape(*pooled, out);
  }
  Value view = x;
  Shape identity(rank);
  std::iota(identity.begin(), identity.end(), 0);
  if (perm != identity) {
    FailureOr<Value> t =
        im.create<cnn::TransposeOp>(x, im.builder.getDenseI64ArrayAttr(perm));
    if (failed(t))
      return failure();
    view = *t;
  }
  FailureOr<Value> grid = im.reshape(view, {1, keptSize, reducedSize, 1});
  if (failed(grid))
    return failure();
  FailureOr<Value> pooled = im.create<cnn::GlobalAvgPoolOp>(*grid);
  if (failed(pooled))
    return failure();
  if (out.empty())
    out = {1};
  return im.reshape(*pooled, out);
}

LogicalResult reduceMeanOp(Importer &im) {
  FailureOr<Value> x = im.start({"axes", "keepdims"});
  if (failed(x))
    return failure();
  int64_t rank = static_cast<int64_t>(Importer::shapeOf(*x).size());
  std::vector<int64_t> axes = im.intsAttr("axes", {});
  std::vector<bool> reduced(rank, axes.empty());
  for (int64_t a : axes) {
    FailureOr<int64_t> axis = im.normalizeAxis(a, rank, "axis");
    if (failed(axis))
      return failure();
    reduced[*axis] = true;
  }
  bool keepDims = im.intAttr("keepdims", 1) != 0;
  if (!keepDims && llvm::all_of(reduced, [](bool r) { return r; }))
    return im.fail("a mean over every dimension without keepdims is a "
                   "scalar, which cnn tensors cannot be");
  return im.result(mean(im, *x, reduced, keepDims));
}

LogicalResult globalAveragePoolOp(Importer &im) {
  FailureOr<Value> x = im.start({});
  if (failed(x))
    return failure();
  size_t rank = Importer::shapeOf(*x).size();
  if (rank < 3)
    return im.fail("the input needs spatial dimensions");
  std::vector<bool> reduced(rank, true);
  reduced[0] = reduced[1] = false;
  return im.result(mean(im, *x, reduced, /*keepDims=*/true));
}
/// Pad in constant mode (padConstant); a zero padding of H and W is also
/// recorded for a convolution that reads it.
LogicalResult padOp(Importer &im) {
  if (failed(im.onlyAttrs({"mode", "pads", "value"})))
    return failure();
  std::string mode = im.stringAttr("mode", "constant");
  if (mode != "constant")
    return im.fail("mode '" + mode + "' is not supported (only 'constant')");
  FailureOr<Value> x = im.tensorInput(0);
  if (failed(x))
    return failure();
  Shape shape = Importer::shapeOf(*x);
  size_t rank = shape.size();
  Shape pads = im.intsAttr("pads", {});
  double value = im.floatAttr("value", 0.0);
  if (im.opset >= 11) {
    auto p = im.constantInput(1, "pads");
    if (failed(p))
      return failure();
    pads.clear();
    for (double v : (*p)->values)
      pads.push_back(toInt64(v));
    if (im.hasInput(2)) {
      auto v = im.constantInput(2, "constant_value");
      if (failed(v))
        return failure();
      value = (*v)->values.empty() ? 0 : (*v)->values[0];
    }
    if (im.hasInput(3))
      return im.fail("the axes input is not supported");
  }
  if (pads.size() != 2 * rank)
    return im.fail("pads needs " + std::to_string(2 * rank) + " values");
  bool spatialZeros = value == 0 && (rank == 3 || rank == 4) &&
                      llvm::all_of(pads, [](int64_t p) { return p >= 0; }) &&
                      pads[0] == 0 && pads[1] == 0 && pads[rank] == 0 &&
                      pads[rank + 1] == 0;
  if (spatialZeros && im.hasOutput(0))
    im.zeroPads[im.node->outputs[0]] =
        rank == 4 ? Importer::ZeroPad{*x, {pads[2], pads[3], pads[6], pads[7]}}
                  : Importer::ZeroPad{*x, {0, pads[2], 0, pads[5]}};
  return im.result(padConstant(im, *x, pads, static_cast<float>(value)));
}
} // namespace

void cnnc::onnx_import::addPoolingConverters(
    std::map<std::string, Converter> &converters) {
  converters["MaxPool"] = [](Importer &im) { return poolOp(im, true); };
  converters["AveragePool"] = [](Importer &im) { return poolOp(im, false); };
  converters["GlobalAveragePool"] = globalAveragePoolOp;
  converters["ReduceMean"] = reduceMeanOp;
  converters["Pad"] = padOp;
}
