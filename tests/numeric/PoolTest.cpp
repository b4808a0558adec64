//===- PoolTest.cpp - pooling ops vs. a reference -------------------------===//
//
// cnn.max_pool2d, cnn.avg_pool2d (ATen's divisor rule) and
// cnn.global_avg_pool, in NCHW (BlockedPoolTest.cpp: the blocked layout).
//
// Each case: hand-picked awkward configurations plus a few random ones
// (fixed seeds; data uniform in [-1, 1] and never 0), compiled by
// cnnc::buildCNNToLLVMPipeline, JIT-compiled at -O0 and -O3 and run; the
// result must be within a relative L2 error of 1e-5 of Reference.cpp's
// unless a case says otherwise.
//
//===----------------------------------------------------------------------===//

#include "Harness.h"

#include <catch2/catch.hpp>

using namespace cnnc::numeric;
using namespace cnnc::reference;

namespace {

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

} // namespace
