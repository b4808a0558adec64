//===- DataMovementTest.cpp - shapes, channels and broadcasting -----------===//
//
// The ops that move data: flatten and reshape, concat, slice and
// channel_shuffle, and the NumPy broadcasting of add and mul.
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

} // namespace
