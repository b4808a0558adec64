//===- NumericTest.cpp - the CPU lowering of every cnn op vs. a reference -===//
//
// For each op, hand-picked awkward configurations plus a few random ones
// (all from fixed seeds; data uniform in [-1, 1] and never 0) are compiled by
// cnnc::buildCNNToLLVMPipeline, JIT-compiled at -O0 and -O3 and run; the
// result must be within a relative L2 error of 1e-5 of Reference.cpp's.
//
//===----------------------------------------------------------------------===//

#include "Harness.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/OneShotAnalysis.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Transforms/Passes.h"

#include <catch2/catch.hpp>

#include <cstdio>
#include <limits>
#include <optional>

using namespace cnnc::numeric;
using namespace cnnc::reference;

namespace {

using Pair = std::array<int64_t, 2>;
constexpr double kInf = std::numeric_limits<double>::infinity();
using Quad = std::array<int64_t, 4>;

ConvParams conv(Pair strides, Quad padding, Pair dilations, int64_t groups) {
  ConvParams p;
  p.strides = strides;
  p.padding = padding;
  p.dilations = dilations;
  p.groups = groups;
  return p;
}

std::string str(int64_t value) { return std::to_string(value); }

/// A shape for a label: `2x3x4`, or `scalar`.
std::string dims(const Shape &shape) {
  return shape.empty() ? "scalar" : cnnc::reference::shapeToString(shape);
}

/// A number for a label, e.g. `0.5`.
std::string shortNumber(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%g", value);
  return buffer;
}

//===----------------------------------------------------------------------===//
// Convolutions.
//===----------------------------------------------------------------------===//

struct ConvConfig {
  std::string label;
  Shape input, filter;
  bool bias;
  ConvParams params;
};

std::string windowAttributes(const ConvParams &p) {
  return " stride " + list(p.strides) + " pad " + list(p.padding) +
         " dilation " + list(p.dilations) + " groups " + str(p.groups);
}

/// With `constantWeights`, the filter and bias are parameters with values
/// (constants to the pipeline), which the blocked layout repacks.
Case convCase(Random &r, const ConvConfig &cfg, bool constantWeights = false) {
  CaseBuilder b("conv2d: " + cfg.label +
                (constantWeights ? " (constant weights)" : ""));
  Tensor x = r.tensor(cfg.input), w = r.tensor(cfg.filter);
  std::optional<Tensor> bias;
  if (cfg.bias)
    bias = r.tensor({cfg.filter[0]});
  auto operand = [&](const Tensor &t) {
    return constantWeights ? b.constant(t) : b.arg(t);
  };
  std::string sx = b.arg(x), sw = operand(w);
  std::string sb = bias ? " bias " + operand(*bias) : "";
  Tensor expected = conv2d(x, w, bias ? &*bias : nullptr, cfg.params);
  return b.finish("cnn.conv2d " + sx + ", " + sw + sb +
                      windowAttributes(cfg.params) + " : " +
                      b.functionalType(expected.shape),
                  expected);
}

/// The smallest input size along one axis whose padded size fits the dilated
/// kernel, plus up to `extra`.
int64_t fittingSize(Random &r, int64_t kernel, int64_t dilation,
                    int64_t padBegin, int64_t padEnd, int64_t extra) {
  int64_t dilated = dilation * (kernel - 1) + 1;
  return std::max<int64_t>(1, dilated - padBegin - padEnd) +
         r.integer(0, extra);
}

ConvConfig randomConv(Random &r, int index) {
  int64_t groups = r.integer(1, 3), cg = r.integer(1, 4), og = r.integer(1, 3);
  Pair k{r.integer(1, 5), r.integer(1, 5)};
  ConvParams p =
      conv({r.integer(1, 3), r.integer(1, 3)},
           {r.integer(0, 2), r.integer(0, 2), r.integer(0, 2), r.integer(0, 2)},
           {r.integer(1, 3), r.integer(1, 3)}, groups);
  int64_t h =
      fittingSize(r, k[0], p.dilations[0], p.padding[0], p.padding[2], 8);
  int64_t w =
      fittingSize(r, k[1], p.dilations[1], p.padding[1], p.padding[3], 8);
  return {"random #" + str(index),
          {r.integer(1, 2), groups * cg, h, w},
          {groups * og, cg, k[0], k[1]},
          r.coin(),
          p};
}

TEST_CASE("conv2d matches the reference", "[numeric][conv2d]") {
  Random r(0xC0417);
  std::vector<ConvConfig> configs = {
      {"3x3, padding 1, bias",
       {1, 3, 8, 8},
       {4, 3, 3, 3},
       true,
       conv({1, 1}, {1, 1, 1, 1}, {1, 1}, 1)},
      {"odd sizes, stride 2, batch 2",
       {2, 5, 11, 9},
       {6, 5, 3, 3},
       true,
       conv({2, 2}, {1, 1, 1, 1}, {1, 1}, 1)},
      {"stride larger than the kernel",
       {1, 4, 13, 10},
       {3, 4, 2, 2},
       false,
       conv({3, 4}, {0, 0, 0, 0}, {1, 1}, 1)},
      {"asymmetric padding, 3x2 kernel, stride 1x2",
       {1, 3, 7, 9},
       {5, 3, 3, 2},
       true,
       conv({1, 2}, {2, 0, 1, 3}, {1, 1}, 1)},
      {"dilation 2",
       {1, 4, 12, 12},
       {4, 4, 3, 3},
       false,
       conv({1, 1}, {2, 2, 2, 2}, {2, 2}, 1)},
      {"dilation 3x4, stride 2x1, asymmetric padding",
       {1, 2, 15, 17},
       {3, 2, 3, 3},
       true,
       conv({2, 1}, {1, 2, 3, 0}, {3, 4}, 1)},
      {"dilation 4, stride 3, odd sizes",
       {1, 3, 19, 21},
       {2, 3, 3, 2},
       true,
       conv({3, 3}, {4, 1, 0, 2}, {4, 4}, 1)},
      {"4 groups",
       {1, 8, 9, 9},
       {12, 2, 3, 3},
       true,
       conv({1, 1}, {1, 1, 1, 1}, {1, 1}, 4)},
      {"3 groups, stride 2, asymmetric padding, batch 2",
       {2, 6, 10, 7},
       {9, 2, 3, 3},
       false,
       conv({2, 2}, {0, 1, 2, 1}, {1, 1}, 3)},
      {"depthwise, stride 2",
       {1, 6, 10, 11},
       {6, 1, 3, 3},
       true,
       conv({2, 2}, {1, 1, 1, 1}, {1, 1}, 6)},
      {"depthwise, channel multiplier 2, stride 2, dilation 2",
       {1, 4, 11, 11},
       {8, 1, 3, 3},
       true,
       conv({2, 2}, {2, 2, 2, 2}, {2, 2}, 4)},
      {"depthwise, channel multiplier 2, 5x5, asymmetric padding, batch 2",
       {2, 3, 9, 8},
       {6, 1, 5, 5},
       false,
       conv({1, 1}, {2, 1, 2, 3}, {1, 1}, 3)},
      {"pointwise 1x1",
       {1, 16, 7, 5},
       {8, 16, 1, 1},
       true,
       conv({1, 1}, {0, 0, 0, 0}, {1, 1}, 1)},
      {"1x1, stride 2, odd sizes",
       {1, 6, 9, 9},
       {10, 6, 1, 1},
       false,
       conv({2, 2}, {0, 0, 0, 0}, {1, 1}, 1)},
      {"1x1, 2 groups, asymmetric padding",
       {1, 8, 5, 5},
       {4, 4, 1, 1},
       true,
       conv({1, 1}, {1, 0, 0, 1}, {1, 1}, 2)},
      {"kernel as large as the input",
       {1, 3, 5, 5},
       {4, 3, 5, 5},
       true,
       conv({1, 1}, {0, 0, 0, 0}, {1, 1}, 1)},
      {"1x7 (Inception)",
       {1, 4, 9, 9},
       {3, 4, 1, 7},
       false,
       conv({1, 1}, {0, 3, 0, 3}, {1, 1}, 1)},
      {"7x1 (Inception)",
       {1, 4, 9, 9},
       {3, 4, 7, 1},
       true,
       conv({1, 1}, {3, 0, 3, 0}, {1, 1}, 1)},
      {"1x1 input, 1 channel",
       {1, 1, 1, 1},
       {2, 1, 1, 1},
       true,
       conv({1, 1}, {0, 0, 0, 0}, {1, 1}, 1)},
      {"padding larger than the kernel (windows of padding only)",
       {1, 2, 4, 4},
       {3, 2, 2, 2},
       true,
       conv({1, 1}, {3, 3, 3, 3}, {1, 1}, 1)},
      // Sizes that fill the vector kernels' register tiles (6 or 12
      // channels x 8 or 16 columns) and leave tails of every kind.
      {"pointwise over a flattened image, channel and column tails",
       {1, 19, 13, 29},
       {20, 19, 1, 1},
       true,
       conv({1, 1}, {0, 0, 0, 0}, {1, 1}, 1)},
      {"pointwise, narrow image (12-channel tiles)",
       {1, 7, 1, 7},
       {27, 7, 1, 1},
       false,
       conv({1, 1}, {0, 0, 0, 0}, {1, 1}, 1)},
      {"3x3, wide rows, 13 channels, batch 2",
       {2, 5, 9, 41},
       {13, 5, 3, 3},
       true,
       conv({1, 1}, {1, 1, 1, 1}, {1, 1}, 1)},
      {"7x7 stride 2 (ResNet stem), odd sizes",
       {1, 3, 37, 45},
       {8, 3, 7, 7},
       false,
       conv({2, 2}, {3, 3, 3, 3}, {1, 1}, 1)},
      {"3x3 stride 3 dilation 2, wide rows",
       {1, 4, 21, 70},
       {7, 4, 3, 3},
       true,
       conv({3, 3}, {2, 1, 0, 2}, {2, 2}, 1)},
      {"1x1 stride 2, wide rows",
       {1, 9, 11, 51},
       {14, 9, 1, 1},
       true,
       conv({2, 2}, {0, 0, 0, 0}, {1, 1}, 1)},
      {"depthwise 3x3, wide rows",
       {1, 5, 6, 75},
       {5, 1, 3, 3},
       true,
       conv({1, 1}, {1, 1, 1, 1}, {1, 1}, 5)},
      {"depthwise 5x5 stride 2 dilation 2, wide rows",
       {2, 3, 17, 83},
       {3, 1, 5, 5},
       false,
       conv({2, 2}, {4, 3, 2, 4}, {2, 2}, 3)},
      {"depthwise 3x3 stride 4, asymmetric padding",
       {1, 4, 9, 67},
       {4, 1, 3, 3},
       true,
       conv({4, 4}, {0, 1, 2, 0}, {1, 1}, 4)},
      // Rows and columns whose taps are all in the padding: only the bias.
      {"depthwise 3x3, padding 3 past the taps' reach, wide rows",
       {1, 3, 5, 70},
       {3, 1, 3, 3},
       true,
       conv({1, 1}, {3, 3, 3, 3}, {1, 1}, 3)},
      // Forms of the blocked layout (with constant weights): several
      // groups per block, whole blocks per group, partial blocks.
      {"ResNeXt 3x3, 32 groups of 4 channels",
       {1, 128, 9, 11},
       {128, 4, 3, 3},
       true,
       conv({1, 1}, {1, 1, 1, 1}, {1, 1}, 32)},
      {"8 groups of 8 channels, stride 2",
       {1, 64, 10, 9},
       {64, 8, 3, 3},
       false,
       conv({2, 2}, {1, 1, 1, 1}, {1, 1}, 8)},
      {"10 groups of 2 channels, 20 channels, dilation 2, batch 2",
       {2, 20, 7, 7},
       {20, 2, 3, 3},
       true,
       conv({1, 1}, {2, 2, 2, 2}, {2, 2}, 10)},
      {"4 groups of 16 channels (whole blocks)",
       {1, 64, 8, 8},
       {64, 16, 3, 3},
       true,
       conv({1, 1}, {1, 1, 1, 1}, {1, 1}, 4)},
      {"2 groups of 32 in and 16 out channels, 1x1",
       {1, 64, 6, 6},
       {32, 32, 1, 1},
       false,
       conv({1, 1}, {0, 0, 0, 0}, {1, 1}, 2)},
      {"3 groups of 20 in and 80 out channels, 1x1 (ShuffleNet v1)",
       {1, 60, 6, 7},
       {240, 20, 1, 1},
       true,
       conv({1, 1}, {0, 0, 0, 0}, {1, 1}, 3)},
      // Groups that start inside a block, and spans with a block that
      // holds none of a group's channels (the reduction takes each
      // group's own lanes only).
      {"5 groups of 12 in and 16 out channels, 3x3, batch 2",
       {2, 60, 7, 6},
       {80, 12, 3, 3},
       true,
       conv({1, 1}, {1, 1, 1, 1}, {1, 1}, 5)},
      {"3 groups of 10 in and 16 out channels, past the last block",
       {2, 30, 5, 5},
       {48, 10, 3, 3},
       false,
       conv({1, 1}, {1, 1, 1, 1}, {1, 1}, 3)},
      {"depthwise, 40 channels, stride 2",
       {1, 40, 9, 13},
       {40, 1, 3, 3},
       true,
       conv({2, 2}, {1, 1, 1, 1}, {1, 1}, 40)},
      {"pointwise 67 -> 45 channels",
       {1, 67, 5, 6},
       {45, 67, 1, 1},
       true,
       conv({1, 1}, {0, 0, 0, 0}, {1, 1}, 1)},
      {"3x3, 19 -> 33 channels, 1x1 image, padding 1",
       {1, 19, 1, 1},
       {33, 19, 3, 3},
       true,
       conv({1, 1}, {1, 1, 1, 1}, {1, 1}, 1)},
  };
  for (int i = 0; i < 10; ++i)
    configs.push_back(randomConv(r, i));
  for (const ConvConfig &cfg : configs) {
    check(convCase(r, cfg));
    check(convCase(r, cfg, /*constantWeights=*/true));
  }
}

struct DeformConfig {
  std::string label;
  Shape input, filter;
  bool mask, bias;
  ConvParams params;
  int64_t offsetGroups;
  /// Offsets are uniform in [-offsetScale, offsetScale), or when 0, halves
  /// of integers in [-3, 3] other than 0 (samples exactly on pixels, on
  /// the image border and at -1).
  float offsetScale;
};

Case deformCase(Random &r, const DeformConfig &cfg) {
  CaseBuilder b("deform_conv2d: " + cfg.label);
  const ConvParams &p = cfg.params;
  int64_t ho = convOutputSize(cfg.input[2], cfg.filter[2], p.padding[0],
                              p.padding[2], p.strides[0], p.dilations[0]);
  int64_t wo = convOutputSize(cfg.input[3], cfg.filter[3], p.padding[1],
                              p.padding[3], p.strides[1], p.dilations[1]);
  int64_t taps = cfg.offsetGroups * cfg.filter[2] * cfg.filter[3];
  Tensor x = r.tensor(cfg.input);
  Shape offsetShape{cfg.input[0], 2 * taps, ho, wo};
  Tensor offset(offsetShape);
  if (cfg.offsetScale > 0) {
    offset = r.tensor(offsetShape, -cfg.offsetScale, cfg.offsetScale);
  } else {
    for (float &v : offset.data)
      v = static_cast<float>(r.integer(1, 6) * (r.coin() ? 1 : -1)) / 2;
  }
  Tensor w = r.tensor(cfg.filter);
  std::optional<Tensor> mask, bias;
  if (cfg.mask)
    mask = r.tensor({cfg.input[0], taps, ho, wo});
  if (cfg.bias)
    bias = r.tensor({cfg.filter[0]});
  std::string sx = b.arg(x), so = b.arg(offset), sw = b.arg(w);
  std::string sm = mask ? " mask " + b.arg(*mask) : "";
  std::string sb = bias ? " bias " + b.arg(*bias) : "";
  Tensor expected = deformConv2d(x, offset, w, mask ? &*mask : nullptr,
                                 bias ? &*bias : nullptr, p, cfg.offsetGroups);
  return b.finish("cnn.deform_conv2d " + sx + ", " + so + ", " + sw + sm + sb +
                      windowAttributes(p) + " offset_groups " +
                      str(cfg.offsetGroups) + " : " +
                      b.functionalType(expected.shape),
                  expected);
}

DeformConfig randomDeform(Random &r, int index) {
  int64_t groups = r.integer(1, 2), cg = r.integer(1, 3), og = r.integer(1, 2);
  int64_t c = groups * cg;
  std::vector<int64_t> divisors;
  for (int64_t d = 1; d <= c; ++d)
    if (c % d == 0)
      divisors.push_back(d);
  int64_t offsetGroups = divisors[r.integer(0, divisors.size() - 1)];
  Pair k{r.integer(1, 3), r.integer(1, 3)};
  ConvParams p =
      conv({r.integer(1, 2), r.integer(1, 2)},
           {r.integer(0, 2), r.integer(0, 2), r.integer(0, 2), r.integer(0, 2)},
           {r.integer(1, 2), r.integer(1, 2)}, groups);
  int64_t h =
      fittingSize(r, k[0], p.dilations[0], p.padding[0], p.padding[2], 5);
  int64_t w =
      fittingSize(r, k[1], p.dilations[1], p.padding[1], p.padding[3], 5);
  return {"random #" + str(index),
          {r.integer(1, 2), c, h, w},
          {groups * og, cg, k[0], k[1]},
          r.coin(),
          r.coin(),
          p,
          offsetGroups,
          static_cast<float>(r.integer(1, 4))};
}

TEST_CASE("deform_conv2d matches torchvision's semantics",
          "[numeric][deform_conv2d]") {
  Random r(0xDEF02);
  std::vector<DeformConfig> configs = {
      {"v1, 3x3, padding 1, small offsets",
       {1, 4, 6, 6},
       {4, 4, 3, 3},
       false,
       true,
       conv({1, 1}, {1, 1, 1, 1}, {1, 1}, 1),
       1,
       1.0f},
      {"v2 (mask), offsets pushing samples outside the image",
       {1, 3, 7, 7},
       {4, 3, 3, 3},
       true,
       true,
       conv({1, 1}, {1, 1, 1, 1}, {1, 1}, 1),
       1,
       6.0f},
      {"2 groups, 2 offset groups, mask, stride 2, asymmetric padding",
       {1, 4, 9, 8},
       {6, 2, 3, 3},
       true,
       false,
       conv({2, 2}, {1, 0, 2, 1}, {1, 1}, 2),
       2,
       2.0f},
      {"an offset group per channel, dilation 2, mask",
       {1, 4, 8, 8},
       {3, 4, 3, 3},
       true,
       true,
       conv({1, 1}, {2, 2, 2, 2}, {2, 2}, 1),
       4,
       1.5f},
      {"integer and half-integer offsets (border, -1 and H exactly), mask",
       {1, 2, 5, 6},
       {2, 2, 3, 3},
       true,
       false,
       conv({1, 1}, {1, 1, 1, 1}, {1, 1}, 1),
       1,
       0.0f},
      {"integer and half-integer offsets, v1, stride 2, 3 offset groups",
       {1, 3, 6, 5},
       {4, 3, 2, 2},
       false,
       true,
       conv({2, 2}, {1, 1, 0, 0}, {1, 1}, 1),
       3,
       0.0f},
      {"1x1 kernel, stride 2, odd sizes, batch 2, 3 offset groups",
       {2, 3, 7, 9},
       {5, 3, 1, 1},
       false,
       true,
       conv({2, 2}, {0, 0, 0, 0}, {1, 1}, 1),
       3,
       3.0f},
      {"depthwise, channel multiplier 2, 2 offset groups, mask",
       {1, 4, 7, 7},
       {8, 1, 3, 3},
       true,
       true,
       conv({1, 1}, {1, 1, 1, 1}, {1, 1}, 4),
       2,
       2.0f},
      {"batch 2, 2x3 kernel, stride 2x1, dilation 1x2, asymmetric padding",
       {2, 2, 6, 9},
       {3, 2, 2, 3},
       true,
       true,
       conv({2, 1}, {0, 2, 1, 0}, {1, 2}, 1),
       1,
       4.0f},
      {"dilation 3x2, stride 2, mask, 2 offset groups",
       {1, 2, 11, 9},
       {4, 2, 3, 3},
       true,
       true,
       conv({2, 2}, {1, 2, 0, 1}, {3, 2}, 1),
       2,
       2.5f},
      {"2 weight groups sharing 1 offset group, mask",
       {1, 4, 6, 7},
       {4, 2, 3, 3},
       true,
       false,
       conv({1, 1}, {1, 1, 1, 1}, {1, 1}, 2),
       1,
       2.0f},
      {"depthwise with an offset group per channel, stride 2",
       {1, 3, 8, 7},
       {6, 1, 3, 3},
       false,
       true,
       conv({2, 2}, {1, 1, 1, 1}, {1, 1}, 3),
       3,
       3.0f},
      {"offsets far outside a small image",
       {1, 2, 4, 4},
       {2, 2, 3, 3},
       false,
       true,
       conv({1, 1}, {1, 1, 1, 1}, {1, 1}, 1),
       1,
       10.0f},
  };
  for (int i = 0; i < 8; ++i)
    configs.push_back(randomDeform(r, i));
  for (const DeformConfig &cfg : configs)
    check(deformCase(r, cfg));
}

//===----------------------------------------------------------------------===//
// Dense layers.
//===----------------------------------------------------------------------===//

TEST_CASE("dense matches the reference", "[numeric][dense]") {
  Random r(0xDE45E);
  struct Config {
    int64_t n, k, o;
    bool bias;
  };
  for (Config cfg :
       {Config{1, 16, 10, true}, Config{3, 7, 5, false}, Config{4, 33, 1, true},
        Config{2, 1, 3, true}, Config{5, 64, 17, false}}) {
    CaseBuilder b("dense: " + str(cfg.n) + "x" + str(cfg.k) + " by " +
                  str(cfg.o) + "x" + str(cfg.k) + (cfg.bias ? ", bias" : ""));
    Tensor x = r.tensor({cfg.n, cfg.k}), w = r.tensor({cfg.o, cfg.k});
    std::optional<Tensor> bias;
    if (cfg.bias)
      bias = r.tensor({cfg.o});
    std::string sx = b.arg(x), sw = b.arg(w);
    std::string sb = bias ? " bias " + b.arg(*bias) : "";
    Tensor expected = dense(x, w, bias ? &*bias : nullptr);
    check(b.finish("cnn.dense " + sx + ", " + sw + sb + " : " +
                       b.functionalType(expected.shape),
                   expected));
  }
}

//===----------------------------------------------------------------------===//
// Batch normalization and activations.
//===----------------------------------------------------------------------===//

TEST_CASE("batch_norm matches the reference", "[numeric][batch_norm]") {
  Random r(0xB47C4);
  struct Config {
    Shape shape;
    bool scale, shift;
    std::optional<double> epsilon;
  };
  for (const Config &cfg :
       {Config{{2, 3, 5, 7}, true, true, std::nullopt},
        Config{{1, 4, 6, 6}, false, false, 1e-3},
        Config{{2, 5}, true, false, 1e-5}, Config{{2, 3, 4}, false, true, 0.0},
        Config{{1, 2, 3, 4, 5}, true, true, 0.1}}) {
    int64_t c = cfg.shape[1];
    std::string label = "batch_norm: " + dims(cfg.shape) +
                        (cfg.scale ? ", scale" : "") +
                        (cfg.shift ? ", shift" : "");
    CaseBuilder b(label);
    Tensor x = r.tensor(cfg.shape), mean = r.tensor({c}),
           variance = r.tensor({c}, 0.05f, 1.0f);
    std::optional<Tensor> scale, shift;
    if (cfg.scale)
      scale = r.tensor({c});
    if (cfg.shift)
      shift = r.tensor({c});
    std::string op = "cnn.batch_norm " + b.arg(x) + " mean " + b.arg(mean) +
                     " variance " + b.arg(variance);
    if (scale)
      op += " scale " + b.arg(*scale);
    if (shift)
      op += " shift " + b.arg(*shift);
    if (cfg.epsilon)
      op += " epsilon " + number(*cfg.epsilon);
    Tensor expected =
        batchNorm(x, mean, variance, scale ? &*scale : nullptr,
                  shift ? &*shift : nullptr, cfg.epsilon.value_or(1e-5));
    check(b.finish(op + " : " + b.functionalType(expected.shape), expected));
  }
}

/// A unary op `cnn.NAME %arg0 ATTRIBUTES : T` on inputs uniform in
/// [-scale, scale).
Case unaryCase(Random &r, const std::string &name,
               const std::string &attributes, const Shape &shape, float scale,
               const std::function<Tensor(const Tensor &)> &reference) {
  CaseBuilder b(name + attributes + ": " + dims(shape) + ", inputs in [-" +
                shortNumber(scale) + ", " + shortNumber(scale) + ")");
  Tensor x = r.tensor(shape, -scale, scale);
  std::string sx = b.arg(x);
  return b.finish("cnn." + name + " " + sx + attributes + " : " +
                      tensorType(shape),
                  reference(x));
}

TEST_CASE("element-wise activations match the reference",
          "[numeric][activations]") {
  Random r(0xAC71F);
  struct Activation {
    std::string name, attributes;
    std::function<Tensor(const Tensor &)> reference;
  };
  std::vector<Activation> activations = {
      {"relu", "", relu},
      {"relu6", "", relu6},
      {"sigmoid", "", sigmoid},
      {"hard_sigmoid", "", hardSigmoid},
      {"hard_swish", "", hardSwish},
      {"silu", "", silu},
      {"tanh", "", cnnc::reference::tanh},
      {"leaky_relu", "", [](const Tensor &x) { return leakyRelu(x, 0.01); }},
      {"leaky_relu", " negative_slope " + number(0.2),
       [](const Tensor &x) { return leakyRelu(x, 0.2); }},
      {"leaky_relu", " negative_slope " + number(-1.5),
       [](const Tensor &x) { return leakyRelu(x, -1.5); }},
      {"clip", " min " + number(-0.3) + " max " + number(0.45),
       [](const Tensor &x) { return clip(x, -0.3, 0.45); }},
      {"clip", " min " + number(0.0) + " max " + number(6.0),
       [](const Tensor &x) { return clip(x, 0.0, 6.0); }},
      {"clip", " min " + number(0.25) + " max " + number(0.25),
       [](const Tensor &x) { return clip(x, 0.25, 0.25); }},
      {"clip", " min " + number(-kInf) + " max " + number(0.5),
       [](const Tensor &x) { return clip(x, -kInf, 0.5); }},
      {"clip", " min " + number(-0.5) + " max " + number(kInf),
       [](const Tensor &x) { return clip(x, -0.5, kInf); }},
  };
  // Inputs in [-1, 1], and scaled by 8 to reach the kinks at -3, 3 and 6.
  for (const Activation &a : activations) {
    check(unaryCase(r, a.name, a.attributes, {2, 3, 5, 7}, 1.0f, a.reference));
    check(unaryCase(r, a.name, a.attributes, {3, 17}, 8.0f, a.reference));
    check(
        unaryCase(r, a.name, a.attributes, {2, 1, 3, 2, 5}, 8.0f, a.reference));
    check(unaryCase(r, a.name, a.attributes, {}, 4.0f, a.reference));
  }
}

TEST_CASE("prelu matches the reference", "[numeric][prelu]") {
  Random r(0x9DE1);
  struct Config {
    Shape shape;
    int64_t slopes;
  };
  for (const Config &cfg :
       {Config{{2, 3, 5, 7}, 3}, Config{{2, 3, 5, 7}, 1}, Config{{4, 6}, 6},
        Config{{2, 4, 5}, 4}, Config{{7}, 1}, Config{{1, 5, 2, 3, 2}, 5},
        Config{{}, 1}}) {
    CaseBuilder b("prelu: " + dims(cfg.shape) + " with " + str(cfg.slopes) +
                  " slope(s)");
    Tensor x = r.tensor(cfg.shape, -4.0f, 4.0f), slope = r.tensor({cfg.slopes});
    std::string sx = b.arg(x), ss = b.arg(slope);
    check(b.finish("cnn.prelu " + sx + ", " + ss + " : " + b.typeOf(sx) + ", " +
                       b.typeOf(ss),
                   prelu(x, slope)));
  }
}

//===----------------------------------------------------------------------===//
// Pooling.
//===----------------------------------------------------------------------===//

struct PoolConfig {
  std::string label;
  Shape input;
  PoolParams params;
};

PoolConfig randomPool(Random &r, int index, bool dilation) {
  Pair k{r.integer(1, 4), r.integer(1, 4)};
  PoolParams p =
      pool(k, {r.integer(1, 4), r.integer(1, 4)},
           {r.integer(0, k[0] / 2), r.integer(0, k[1] / 2),
            r.integer(0, k[0] / 2), r.integer(0, k[1] / 2)},
           {dilation ? r.integer(1, 3) : 1, dilation ? r.integer(1, 3) : 1},
           r.coin());
  int64_t h =
      fittingSize(r, k[0], p.dilations[0], p.padding[0], p.padding[2], 9);
  int64_t w =
      fittingSize(r, k[1], p.dilations[1], p.padding[1], p.padding[3], 9);
  return {"random #" + str(index), {r.integer(1, 2), r.integer(1, 3), h, w}, p};
}

TEST_CASE("max_pool2d matches the reference", "[numeric][max_pool2d]") {
  Random r(0x3A8);
  std::vector<PoolConfig> configs = {
      {"3x3 stride 2 padding 1 (ResNet stem)",
       {1, 4, 9, 9},
       pool({3, 3}, {2, 2}, {1, 1, 1, 1}, {1, 1}, false)},
      {"2x2 stride 2, odd sizes, floor, batch 2",
       {2, 3, 7, 9},
       pool({2, 2}, {2, 2}, {0, 0, 0, 0}, {1, 1}, false)},
      {"ceil mode, last window overhangs the input",
       {1, 3, 8, 8},
       pool({3, 3}, {2, 2}, {0, 0, 0, 0}, {1, 1}, true)},
      {"ceil mode, a window that would start in the padding is dropped",
       {1, 2, 5, 5},
       pool({2, 2}, {3, 3}, {1, 1, 1, 1}, {1, 1}, true)},
      {"ceil mode, padding 1, odd size (GoogLeNet)",
       {1, 2, 7, 7},
       pool({3, 3}, {2, 2}, {1, 1, 1, 1}, {1, 1}, true)},
      {"dilation 2, padding 1",
       {1, 3, 11, 11},
       pool({3, 3}, {1, 1}, {1, 1, 1, 1}, {2, 2}, false)},
      {"dilation 3x2, stride 2x3, asymmetric padding, ceil mode",
       {1, 2, 10, 13},
       pool({3, 2}, {2, 3}, {1, 0, 0, 1}, {3, 2}, true)},
      {"dilation 4, stride 3, ceil mode",
       {1, 2, 14, 15},
       pool({2, 2}, {3, 3}, {1, 1, 1, 0}, {4, 4}, true)},
      {"stride larger than the kernel, padding 1",
       {1, 3, 10, 11},
       pool({2, 2}, {3, 3}, {1, 1, 0, 0}, {1, 1}, false)},
      {"1x1 kernel, stride 2, ceil mode, odd sizes",
       {1, 2, 7, 7},
       pool({1, 1}, {2, 2}, {0, 0, 0, 0}, {1, 1}, true)},
      {"asymmetric padding (bottom and left only), ceil mode",
       {1, 3, 7, 7},
       pool({2, 2}, {2, 2}, {0, 1, 1, 0}, {1, 1}, true)},
      {"kernel as large as the input",
       {2, 3, 5, 4},
       pool({5, 4}, {1, 1}, {0, 0, 0, 0}, {1, 1}, false)},
  };
  for (int i = 0; i < 10; ++i)
    configs.push_back(randomPool(r, i, /*dilation=*/true));
  for (const PoolConfig &cfg : configs) {
    CaseBuilder b("max_pool2d: " + cfg.label);
    Tensor x = r.tensor(cfg.input);
    std::string sx = b.arg(x);
    Tensor expected = maxPool2d(x, cfg.params);
    check(b.finish("cnn.max_pool2d " + sx + poolAttributes(cfg.params, true) +
                       " : " + b.typeOf(sx) + " -> " +
                       tensorType(expected.shape),
                   expected));
  }
}

TEST_CASE("avg_pool2d matches ATen's divisor rule", "[numeric][avg_pool2d]") {
  Random r(0xA7E);
  struct AvgConfig {
    PoolConfig pool;
    bool countIncludePad;
    std::optional<int64_t> divisor;
  };
  std::vector<AvgConfig> configs;
  std::vector<PoolConfig> windows = {
      {"3x3 stride 2 padding 1",
       {1, 3, 8, 8},
       pool({3, 3}, {2, 2}, {1, 1, 1, 1}, {1, 1}, false)},
      {"ceil mode, the last window clamped to the padded input",
       {1, 2, 8, 8},
       pool({3, 3}, {2, 2}, {1, 1, 1, 1}, {1, 1}, true)},
      {"ceil mode, no padding, overhang",
       {2, 2, 7, 9},
       pool({2, 2}, {2, 2}, {0, 0, 0, 0}, {1, 1}, true)},
      {"asymmetric padding, ceil mode, 3x2 kernel",
       {1, 2, 9, 6},
       pool({3, 2}, {2, 2}, {1, 0, 0, 1}, {1, 1}, true)},
      {"stride larger than the kernel",
       {1, 3, 10, 10},
       pool({2, 2}, {3, 3}, {0, 0, 0, 0}, {1, 1}, false)},
      {"ceil mode, a window that would start in the padding is dropped",
       {1, 2, 5, 5},
       pool({2, 2}, {3, 3}, {1, 1, 1, 1}, {1, 1}, true)},
      {"2x2 stride 2, padding 1 (DenseNet-style transition)",
       {1, 4, 7, 6},
       pool({2, 2}, {2, 2}, {1, 1, 1, 1}, {1, 1}, false)},
  };
  for (const PoolConfig &w : windows) {
    configs.push_back({w, true, std::nullopt});
    configs.push_back({w, false, std::nullopt});
  }
  configs.push_back({windows[0], false, 5});
  configs.push_back({windows[1], true, -3});
  configs.push_back({windows[3], false, 1});
  for (int i = 0; i < 10; ++i) {
    PoolConfig w = randomPool(r, i, /*dilation=*/false);
    bool countIncludePad = r.coin();
    std::optional<int64_t> divisor;
    if (i % 3 == 2)
      divisor = r.integer(2, 9);
    configs.push_back({w, countIncludePad, divisor});
  }
  for (const AvgConfig &cfg : configs) {
    std::string options =
        std::string(cfg.countIncludePad ? ", count_include_pad" : "") +
        (cfg.divisor ? ", divisor " + str(*cfg.divisor) : "");
    CaseBuilder b("avg_pool2d: " + cfg.pool.label + options);
    Tensor x = r.tensor(cfg.pool.input);
    std::string sx = b.arg(x);
    Tensor expected =
        avgPool2d(x, cfg.pool.params, cfg.countIncludePad, cfg.divisor);
    check(b.finish(
        "cnn.avg_pool2d " + sx + poolAttributes(cfg.pool.params, false) +
            (cfg.countIncludePad ? " count_include_pad" : "") +
            (cfg.divisor ? " divisor " + str(*cfg.divisor) : "") + " : " +
            b.typeOf(sx) + " -> " + tensorType(expected.shape),
        expected));
  }
}

TEST_CASE("global_avg_pool matches the reference",
          "[numeric][global_avg_pool]") {
  Random r(0x6A9);
  for (Shape shape : {Shape{1, 8, 7, 7}, Shape{2, 3, 1, 1}, Shape{2, 5, 13, 3},
                      Shape{1, 2, 1, 9}}) {
    CaseBuilder b("global_avg_pool: " + dims(shape));
    Tensor x = r.tensor(shape);
    std::string sx = b.arg(x);
    Tensor expected = globalAvgPool(x);
    check(b.finish("cnn.global_avg_pool " + sx + " : " + b.typeOf(sx) + " -> " +
                       tensorType(expected.shape),
                   expected));
  }
  // A large map of positive values (as after a ReLU), summed in blocks:
  // within a few units in the last place of float64's mean (a chain of
  // 12544 additions in float32 was 1.7e-6 away).
  CaseBuilder b("global_avg_pool: 1x3x112x112 in [0, 1), accuracy");
  Tensor x = r.tensor({1, 3, 112, 112}, 0.0f, 1.0f);
  std::string sx = b.arg(x);
  Tensor expected = globalAvgPool(x);
  check(b.finish("cnn.global_avg_pool " + sx + " : " + b.typeOf(sx) + " -> " +
                     tensorType(expected.shape),
                 expected),
        /*tolerance=*/3e-7);
}

//===----------------------------------------------------------------------===//
// Softmax, shapes and data movement.
//===----------------------------------------------------------------------===//

TEST_CASE("softmax matches the reference", "[numeric][softmax]") {
  Random r(0x50F7);
  struct Config {
    Shape shape;
    std::optional<int64_t> axis;
    float scale;
  };
  for (const Config &cfg :
       {Config{{2, 10}, std::nullopt, 1.0f}, Config{{2, 10}, -1, 1.0f},
        Config{{2, 10}, 0, 1.0f}, Config{{2, 3, 4, 5}, 1, 1.0f},
        Config{{2, 3, 4, 5}, 3, 1.0f}, Config{{2, 3, 4, 5}, -2, 1.0f},
        Config{{2, 3, 4, 5}, 0, 1.0f}, Config{{7}, 0, 1.0f},
        Config{{}, 0, 1.0f}, Config{{3, 1, 4}, 1, 1.0f},
        // exp(100) overflows float: only a stable softmax gets these right.
        Config{{4, 33}, 1, 100.0f}, Config{{2, 6, 3, 3}, 1, 100.0f}}) {
    std::string axis = cfg.axis ? " axis " + str(*cfg.axis) : "";
    CaseBuilder b("softmax" + axis + ": " + dims(cfg.shape) + ", inputs in [-" +
                  shortNumber(cfg.scale) + ", " + shortNumber(cfg.scale) + ")");
    Tensor x = r.tensor(cfg.shape, -cfg.scale, cfg.scale);
    std::string sx = b.arg(x);
    check(b.finish("cnn.softmax " + sx + axis + " : " + b.typeOf(sx),
                   softmax(x, cfg.axis.value_or(1))));
  }
}

TEST_CASE("flatten and reshape keep the data", "[numeric][flatten]") {
  Random r(0xF1A7);
  struct Config {
    Shape shape;
    std::optional<int64_t> start, end;
  };
  for (const Config &cfg :
       {Config{{2, 3, 4, 5}, std::nullopt, std::nullopt},
        Config{{2, 3, 4, 5}, 0, -1}, Config{{2, 3, 4, 5}, 1, 2},
        Config{{2, 3, 4, 5}, 2, 3}, Config{{2, 3, 4, 5}, -3, -2},
        Config{{1, 6, 1, 1}, 1, -1}, Config{{}, 0, -1}}) {
    std::string attributes =
        (cfg.start ? " start_dim " + str(*cfg.start) : "") +
        (cfg.end ? " end_dim " + str(*cfg.end) : "");
    CaseBuilder b("flatten" + attributes + ": " + dims(cfg.shape));
    Tensor x = r.tensor(cfg.shape);
    std::string sx = b.arg(x);
    Tensor expected = flatten(x, cfg.start.value_or(1), cfg.end.value_or(-1));
    check(b.finish("cnn.flatten " + sx + attributes + " : " + b.typeOf(sx) +
                       " -> " + tensorType(expected.shape),
                   expected));
  }
  struct ReshapeConfig {
    Shape from, to;
  };
  for (const ReshapeConfig &cfg :
       {ReshapeConfig{{2, 3, 4, 5}, {6, 20}},
        ReshapeConfig{{2, 3, 4, 5}, {120}},
        ReshapeConfig{{2, 3, 4, 5}, {2, 60, 1}},
        ReshapeConfig{{1, 12, 5, 5}, {1, 3, 4, 5, 5}},
        ReshapeConfig{{6, 20}, {2, 3, 4, 5}}, ReshapeConfig{{1, 7}, {7, 1}},
        ReshapeConfig{{}, {1, 1}}, ReshapeConfig{{1, 1, 1}, {}}}) {
    CaseBuilder b("reshape: " + dims(cfg.from) + " to " + dims(cfg.to));
    Tensor x = r.tensor(cfg.from);
    std::string sx = b.arg(x);
    check(b.finish("cnn.reshape " + sx + " to " + list(cfg.to) + " : " +
                       b.typeOf(sx),
                   reshape(x, cfg.to)));
  }
}

TEST_CASE("concat, slice and channel_shuffle move channels",
          "[numeric][channels]") {
  Random r(0xC4A7);
  for (const std::vector<Shape> &shapes :
       {std::vector<Shape>{{1, 3, 4, 5}, {1, 5, 4, 5}},
        std::vector<Shape>{{2, 2, 3, 3}, {2, 1, 3, 3}, {2, 4, 3, 3}},
        std::vector<Shape>{{2, 3}, {2, 4}},
        std::vector<Shape>{{3, 2, 7}, {3, 5, 7}},
        std::vector<Shape>{{2, 6, 2, 2}}}) {
    std::vector<Tensor> inputs;
    std::vector<const Tensor *> pointers;
    for (const Shape &shape : shapes)
      inputs.push_back(r.tensor(shape));
    for (const Tensor &t : inputs)
      pointers.push_back(&t);
    std::string label = "concat:", names, types;
    CaseBuilder b("");
    for (const Tensor &t : inputs) {
      std::string name = b.arg(t);
      label += " " + dims(t.shape);
      names += (names.empty() ? "" : ", ") + name;
      types += (types.empty() ? "" : ", ") + b.typeOf(name);
    }
    Tensor expected = concat(pointers);
    Case c = b.finish("cnn.concat " + names + " : " + types + " -> " +
                          tensorType(expected.shape),
                      expected);
    c.label = label;
    check(c);
  }

  struct SliceConfig {
    Shape shape;
    int64_t offset, size;
  };
  for (const SliceConfig &cfg :
       {SliceConfig{{2, 10, 3, 3}, 3, 4}, SliceConfig{{2, 10, 3, 3}, 0, 1},
        SliceConfig{{2, 10, 3, 3}, 9, 1}, SliceConfig{{3, 8}, 2, 5},
        SliceConfig{{1, 116, 2, 2}, 58, 58}, SliceConfig{{1, 4, 3}, 0, 4}}) {
    CaseBuilder b("slice offset " + str(cfg.offset) + " size " + str(cfg.size) +
                  ": " + dims(cfg.shape));
    Tensor x = r.tensor(cfg.shape);
    std::string sx = b.arg(x);
    Tensor expected = slice(x, cfg.offset, cfg.size);
    check(b.finish("cnn.slice " + sx + " offset " + str(cfg.offset) + " size " +
                       str(cfg.size) + " : " + b.typeOf(sx) + " -> " +
                       tensorType(expected.shape),
                   expected));
  }

  struct ShuffleConfig {
    Shape shape;
    int64_t groups;
  };
  for (const ShuffleConfig &cfg :
       {ShuffleConfig{{1, 12, 5, 5}, 3}, ShuffleConfig{{2, 8, 3, 3}, 2},
        ShuffleConfig{{2, 8, 3, 3}, 4}, ShuffleConfig{{2, 6}, 3},
        ShuffleConfig{{2, 6, 4}, 2}, ShuffleConfig{{1, 6, 2, 2}, 1},
        ShuffleConfig{{1, 6, 2, 2}, 6}}) {
    CaseBuilder b("channel_shuffle groups " + str(cfg.groups) + ": " +
                  dims(cfg.shape));
    Tensor x = r.tensor(cfg.shape);
    std::string sx = b.arg(x);
    check(b.finish("cnn.channel_shuffle " + sx + " groups " + str(cfg.groups) +
                       " : " + b.typeOf(sx),
                   channelShuffle(x, cfg.groups)));
  }
}

TEST_CASE("add and mul broadcast as NumPy", "[numeric][broadcast]") {
  Random r(0xADD);
  std::vector<std::pair<Shape, Shape>> shapes = {
      {{2, 3, 4, 5}, {2, 3, 4, 5}}, // residual connection
      {{2, 3, 4, 5}, {1, 3, 1, 1}}, // squeeze-and-excitation
      {{2, 3, 4, 5}, {3, 1, 1}},    // lower rank
      {{2, 1, 4, 1}, {1, 3, 1, 5}}, // both sides broadcast
      {{5}, {2, 3, 4, 5}},          // a vector on the left
      {{1}, {2, 3}},                // one element
      {{2, 3, 4, 5}, {}},           // a scalar
      {{4, 1}, {3}},                // an outer product
      {{1, 1, 1, 1}, {1, 1, 1, 1}}, // one element, rank 4
  };
  for (const std::string op : {"add", "mul"})
    for (const auto &[sa, sb] : shapes) {
      CaseBuilder b(op + ": " + dims(sa) + " and " + dims(sb));
      Tensor x = r.tensor(sa), y = r.tensor(sb);
      std::string nx = b.arg(x), ny = b.arg(y);
      Tensor expected = op == "add" ? add(x, y) : mul(x, y);
      check(b.finish("cnn." + op + " " + nx + ", " + ny + " : " + b.typeOf(nx) +
                         ", " + b.typeOf(ny) + " -> " +
                         tensorType(expected.shape),
                     expected));
    }
}

//===----------------------------------------------------------------------===//
// Small blocks of several ops: buffers handed from op to op, and parameters
// bound as cnn.weight constants (the form `cnnc --weights` produces).
//===----------------------------------------------------------------------===//

/// `dense<"0x...">`: the tensor's bytes (little-endian floats).
std::string ty(const Tensor &t) { return tensorType(t.shape); }

/// `text` with each `{name}` replaced by its value.
std::string
substitute(std::string text,
           const std::vector<std::pair<std::string, std::string>> &values) {
  for (const auto &[name, value] : values) {
    std::string key = "{" + name + "}";
    for (size_t at = text.find(key); at != std::string::npos;
         at = text.find(key, at + value.size()))
      text.replace(at, key.size(), value);
  }
  return text;
}

TEST_CASE("blocks of several ops match the composed references",
          "[numeric][blocks]") {
  Random r(0xB10C);
  {
    Tensor x = r.tensor({1, 4, 9, 9}), w = r.tensor({4, 4, 3, 3}),
           mean = r.tensor({4}), var = r.tensor({4}, 0.05f, 1.0f),
           gamma = r.tensor({4}), beta = r.tensor({4});
    Tensor conv1 = conv2d(x, w, nullptr, conv({1, 1}, {1, 1, 1, 1}, {1, 1}, 1));
    Tensor bn = batchNorm(conv1, mean, var, &gamma, &beta, 1e-5);
    Tensor y = maxPool2d(add(relu(bn), x),
                         pool({3, 3}, {2, 2}, {1, 1, 1, 1}, {1, 1}, true));
    std::string text = substitute(R"mlir(
func.func @main(%x: {X}) -> {Y} attributes {llvm.emit_c_interface} {
  %w = cnn.weight "conv1.weight" = {w} : {W}
  %m = cnn.weight "bn1.running_mean" = {mean} : {C}
  %v = cnn.weight "bn1.running_var" = {var} : {C}
  %g = cnn.weight "bn1.weight" = {gamma} : {C}
  %b = cnn.weight "bn1.bias" = {beta} : {C}
  %0 = cnn.conv2d %x, %w pad [1, 1, 1, 1] : ({X}, {W}) -> {X}
  %1 = cnn.batch_norm %0 mean %m variance %v scale %g shift %b
      : ({X}, {C}, {C}, {C}, {C}) -> {X}
  %2 = cnn.relu %1 : {X}
  %3 = cnn.add %2, %x : {X}, {X} -> {X}
  %4 = cnn.max_pool2d %3 kernel [3, 3] stride [2, 2] pad [1, 1, 1, 1]
      ceil_mode : {X} -> {Y}
  return %4 : {Y}
}
)mlir",
                                  {{"X", ty(x)},
                                   {"Y", ty(y)},
                                   {"W", ty(w)},
                                   {"C", ty(mean)},
                                   {"w", denseHex(w)},
                                   {"mean", denseHex(mean)},
                                   {"var", denseHex(var)},
                                   {"gamma", denseHex(gamma)},
                                   {"beta", denseHex(beta)}});
    check(Case{"block: conv2d, batch_norm, relu, residual add, ceil-mode "
               "max_pool2d; parameters as cnn.weight constants",
               {x},
               "",
               y,
               text});
  }
  {
    Tensor x = r.tensor({1, 8, 6, 6}), w1 = r.tensor({4, 4, 1, 1}),
           wd = r.tensor({4, 1, 3, 3}), w2 = r.tensor({4, 4, 1, 1}),
           fc1 = r.tensor({2, 8}), b1 = r.tensor({2}), fc2 = r.tensor({8, 2}),
           b2 = r.tensor({8});
    ConvParams pointwise = conv({1, 1}, {0, 0, 0, 0}, {1, 1}, 1);
    Tensor a = slice(x, 0, 4), branch = slice(x, 4, 4);
    Tensor g = hardSwish(
        conv2d(conv2d(relu(conv2d(branch, w1, nullptr, pointwise)), wd, nullptr,
                      conv({1, 1}, {1, 1, 1, 1}, {1, 1}, 4)),
               w2, nullptr, pointwise));
    Tensor shuffled = channelShuffle(concat({&a, &g}), 2);
    Tensor squeezed = flatten(globalAvgPool(shuffled), 1, -1);
    Tensor excite =
        hardSigmoid(dense(relu(dense(squeezed, fc1, &b1)), fc2, &b2));
    Tensor y = mul(shuffled, reshape(excite, {1, 8, 1, 1}));
    std::string text = substitute(R"mlir(
func.func @main(%x: {X}, %w1: {P}, %wd: {D}, %w2: {P}, %fc1: {F1}, %b1: {B1},
                %fc2: {F2}, %b2: {B2}) -> {X} attributes {llvm.emit_c_interface} {
  %a = cnn.slice %x offset 0 size 4 : {X} -> {H}
  %b = cnn.slice %x offset 4 size 4 : {X} -> {H}
  %c = cnn.conv2d %b, %w1 : ({H}, {P}) -> {H}
  %d = cnn.relu %c : {H}
  %e = cnn.conv2d %d, %wd pad [1, 1, 1, 1] groups 4 : ({H}, {D}) -> {H}
  %f = cnn.conv2d %e, %w2 : ({H}, {P}) -> {H}
  %g = cnn.hard_swish %f : {H}
  %h = cnn.concat %a, %g : {H}, {H} -> {X}
  %i = cnn.channel_shuffle %h groups 2 : {X}
  %s = cnn.global_avg_pool %i : {X} -> tensor<1x8x1x1xf32>
  %t = cnn.flatten %s : tensor<1x8x1x1xf32> -> tensor<1x8xf32>
  %u = cnn.dense %t, %fc1 bias %b1 : (tensor<1x8xf32>, {F1}, {B1}) -> tensor<1x2xf32>
  %v = cnn.relu %u : tensor<1x2xf32>
  %w = cnn.dense %v, %fc2 bias %b2 : (tensor<1x2xf32>, {F2}, {B2}) -> tensor<1x8xf32>
  %sig = cnn.hard_sigmoid %w : tensor<1x8xf32>
  %z = cnn.reshape %sig to [1, 8, 1, 1] : tensor<1x8xf32>
  %o = cnn.mul %i, %z : {X}, tensor<1x8x1x1xf32> -> {X}
  return %o : {X}
}
)mlir",
                                  {{"X", ty(x)},
                                   {"H", ty(a)},
                                   {"P", ty(w1)},
                                   {"D", ty(wd)},
                                   {"F1", ty(fc1)},
                                   {"B1", ty(b1)},
                                   {"F2", ty(fc2)},
                                   {"B2", ty(b2)}});
    check(Case{"block: ShuffleNet v2 unit (split, pointwise, depthwise, "
               "concat, shuffle) and squeeze-and-excitation",
               {x, w1, wd, w2, fc1, b1, fc2, b2},
               "",
               y,
               text});
  }
}

//===----------------------------------------------------------------------===//
// The harness itself, on hand-written linalg IR lowered by upstream passes
// alone: the calling convention, the descriptors and the measurement.
//===----------------------------------------------------------------------===//

void buildUpstreamPipeline(mlir::OpPassManager &pm) {
  using namespace mlir;
  bufferization::OneShotBufferizationOptions options;
  options.bufferizeFunctionBoundaries = true;
  options.setFunctionBoundaryTypeConversion(
      bufferization::LayoutMapOption::IdentityLayoutMap);
  pm.addPass(bufferization::createOneShotBufferizePass(options));
  pm.addPass(bufferization::createBufferResultsToOutParamsPass());
  bufferization::BufferDeallocationPipelineOptions deallocation;
  bufferization::buildBufferDeallocationPipeline(pm, deallocation);
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createConvertSCFToCFPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
}

/// The worst relative error over the levels, or infinity on a failure.
double worstError(const Outcome &outcome) {
  INFO(outcome.failure);
  CHECK(outcome.failure.empty());
  CHECK(outcome.levels.size() == 2);
  double worst =
      outcome.failure.empty() ? 0.0 : std::numeric_limits<double>::infinity();
  for (const auto &level : outcome.levels) {
    INFO("-O" << level.first << ": " << level.second.failure);
    CHECK(level.second.failure.empty());
    CHECK_FALSE(level.second.inputsWritten);
    worst = std::max(worst, level.second.failure.empty()
                                ? level.second.relativeError
                                : std::numeric_limits<double>::infinity());
  }
  return worst;
}

TEST_CASE("the harness runs hand-written linalg lowered upstream",
          "[numeric][harness]") {
  Random r(0x4A7);
  // Ranks 2 and 1: a dense layer as matmul_transpose_b plus a bias.
  Tensor x = r.tensor({7, 33}), w = r.tensor({9, 33}), bias = r.tensor({9});
  Case dense{"harness: linalg dense layer",
             {x, w, bias},
             "",
             cnnc::reference::dense(x, w, &bias),
             R"mlir(
#id = affine_map<(i, j) -> (i, j)>
#col = affine_map<(i, j) -> (j)>
func.func @main(%x: tensor<7x33xf32>, %w: tensor<9x33xf32>, %b: tensor<9xf32>)
    -> tensor<7x9xf32> attributes {llvm.emit_c_interface} {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<7x9xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%empty : tensor<7x9xf32>) -> tensor<7x9xf32>
  %mm = linalg.matmul_transpose_b ins(%x, %w : tensor<7x33xf32>, tensor<9x33xf32>)
      outs(%fill : tensor<7x9xf32>) -> tensor<7x9xf32>
  %y = linalg.generic {indexing_maps = [#col, #id], iterator_types = ["parallel", "parallel"]}
      ins(%b : tensor<9xf32>) outs(%mm : tensor<7x9xf32>) {
  ^bb0(%bias: f32, %acc: f32):
    %s = arith.addf %acc, %bias : f32
    linalg.yield %s : f32
  } -> tensor<7x9xf32>
  return %y : tensor<7x9xf32>
}
)mlir"};
  INFO(dense.text);
  double error = worstError(runner().run(dense, buildUpstreamPipeline));
  CHECK(error <= kTolerance);

  // Rank 4: relu, to check the sizes and strides of the descriptors.
  Tensor y = r.tensor({2, 3, 4, 5});
  Case rectifier{"harness: linalg relu", {y}, "", relu(y), R"mlir(
#id = affine_map<(n, c, h, w) -> (n, c, h, w)>
func.func @main(%x: tensor<2x3x4x5xf32>) -> tensor<2x3x4x5xf32>
    attributes {llvm.emit_c_interface} {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<2x3x4x5xf32>
  %y = linalg.generic {indexing_maps = [#id, #id],
      iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : tensor<2x3x4x5xf32>) outs(%empty : tensor<2x3x4x5xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<2x3x4x5xf32>
  return %y : tensor<2x3x4x5xf32>
}
)mlir"};
  INFO(rectifier.text);
  CHECK(worstError(runner().run(rectifier, buildUpstreamPipeline)) <=
        kTolerance);

  // The measurement sees a wrong answer: the reference off by 1e-4.
  Case wrong = rectifier;
  for (float &v : wrong.expected.data)
    v *= 1.0001f;
  Outcome outcome = runner().run(wrong, buildUpstreamPipeline);
  REQUIRE(outcome.levels.size() == 2);
  for (const auto &level : outcome.levels)
    CHECK(level.second.relativeError > kTolerance);

  // And a crash of the generated code fails the case, not the suite.
  Case crash{"harness: a crash", {y}, "", relu(y), R"mlir(
func.func @main(%x: tensor<2x3x4x5xf32>) -> tensor<2x3x4x5xf32>
    attributes {llvm.emit_c_interface} {
  %c = arith.constant 1099511627776 : index
  %zero = arith.constant 0.0 : f32
  %t = tensor.insert %zero into %x[%c, %c, %c, %c] : tensor<2x3x4x5xf32>
  return %t : tensor<2x3x4x5xf32>
}
)mlir"};
  outcome = runner().run(crash, buildUpstreamPipeline, {0});
  REQUIRE(outcome.failure.empty());
  REQUIRE(outcome.levels.size() == 1);
  CHECK_THAT(outcome.levels[0].second.failure,
             Catch::Matchers::Contains("crashed with signal"));
}

} // namespace
