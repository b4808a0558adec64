//===- ConvTest.cpp - conv2d and deform_conv2d vs. a reference ------------===//
//
// The convolutions: every stride, padding, dilation and group form of
// cnn.conv2d, and cnn.deform_conv2d against torchvision's semantics.
//
// Each case: hand-picked awkward configurations plus a few random ones
// (fixed seeds; data uniform in [-1, 1] and never 0), compiled by
// cnnc::buildCNNToLLVMPipeline, JIT-compiled at -O0 and -O3 and run; the
// result must be within a relative L2 error of 1e-5 of Reference.cpp's
// unless a case says otherwise.
//
//===----------------------------------------------------------------------===//

#include "Harness.h"

#include <optional>

#include <catch2/catch.hpp>

using namespace cnnc::numeric;
using namespace cnnc::reference;

namespace {

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

} // namespace
