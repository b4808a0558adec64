//===- LayerTest.cpp - dense, normalization, activations, softmax ---------===//
//
// The per-layer ops that are not convolutions or pools: cnn.dense,
// cnn.batch_norm, the element-wise activations, cnn.prelu, cnn.softmax.
//
// Each case: hand-picked awkward configurations plus a few random ones
// (fixed seeds; data uniform in [-1, 1] and never 0), compiled by
// cnnc::buildCNNToLLVMPipeline, JIT-compiled at -O0 and -O3 and run; the
// result must be within a relative L2 error of 1e-5 of Reference.cpp's
// unless a case says otherwise.
//
//===----------------------------------------------------------------------===//

#include "Harness.h"

#include <functional>
#include <limits>
#include <optional>

#include <catch2/catch.hpp>

using namespace cnnc::numeric;
using namespace cnnc::reference;

namespace {

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
// Softmax.
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

} // namespace
