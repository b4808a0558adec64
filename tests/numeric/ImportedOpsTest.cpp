//===- ImportedOpsTest.cpp - sub, div and transpose against references ----===//
//
// The ops that imported (ONNX) models need beyond the .cnn language's:
// cnn.sub and cnn.div with NumPy broadcasting, and cnn.transpose with every
// permutation of ranks 2 to 4.
//
//===----------------------------------------------------------------------===//

#include "Harness.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <numeric>

using namespace cnnc::numeric;
using namespace cnnc::reference;

TEST_CASE("sub and div broadcast as NumPy", "[numeric][broadcast]") {
  Random r(0x5D1F);
  std::vector<std::pair<Shape, Shape>> shapes = {
      {{2, 3, 4, 5}, {2, 3, 4, 5}}, // equal shapes
      {{2, 3, 4, 5}, {1, 3, 1, 1}}, // per channel
      {{3, 1, 1}, {2, 3, 4, 5}},    // lower rank on the left
      {{2, 1, 4, 1}, {1, 3, 1, 5}}, // both sides broadcast
      {{2, 3}, {}},                 // a scalar
      {{}, {4, 1}},                 // a scalar on the left
  };
  for (const std::string op : {"sub", "div"})
    for (const auto &[sa, sb] : shapes) {
      CaseBuilder b(op + ": " + dims(sa) + " and " + dims(sb));
      Tensor x = r.tensor(sa), y = r.tensor(sb);
      std::string nx = b.arg(x), ny = b.arg(y);
      Tensor expected = op == "sub" ? sub(x, y) : div(x, y);
      check(b.finish("cnn." + op + " " + nx + ", " + ny + " : " + b.typeOf(nx) +
                         ", " + b.typeOf(ny) + " -> " +
                         tensorType(expected.shape),
                     expected));
    }
}

TEST_CASE("transpose permutes dimensions as x.permute",
          "[numeric][transpose]") {
  Random r(0x7A05);
  for (const Shape &shape :
       std::vector<Shape>{{3, 5}, {2, 3, 4}, {2, 3, 5, 7}}) {
    Shape permutation(shape.size());
    std::iota(permutation.begin(), permutation.end(), 0);
    do {
      CaseBuilder b("transpose: " + dims(shape) + " by " + list(permutation));
      Tensor x = r.tensor(shape);
      std::string nx = b.arg(x);
      Tensor expected = transpose(x, permutation);
      check(b.finish("cnn.transpose " + nx + " perm " + list(permutation) +
                         " : " + b.typeOf(nx) + " -> " +
                         tensorType(expected.shape),
                     expected));
    } while (std::next_permutation(permutation.begin(), permutation.end()));
  }
}
