//===- OpBuildersTest.cpp - building cnn ops from C++ infers their types --===//
//
// Passes build ops without spelling out result types; these tests build each
// op family that way and check the inferred types, and that the shape rules
// report a broken rule through the diagnostic engine.
//
//===----------------------------------------------------------------------===//

#include "cnnc/Dialect/CNNOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"

#include <catch2/catch.hpp>

#include <string>

using namespace mlir;
using namespace cnnc::cnn;

namespace {

/// A block whose arguments stand for the ops' operands and that holds the
/// ops built from them.
class Fixture {
public:
  Fixture() : builder(&context), loc(builder.getUnknownLoc()) {
    context.loadDialect<CNNDialect>();
    builder.setInsertionPointToEnd(&block);
  }

  Value value(ArrayRef<int64_t> shape) {
    auto type = RankedTensorType::get(shape, builder.getF32Type());
    return block.addArgument(type, loc);
  }

  /// Runs every op's verifier.
  bool verifies() {
    return llvm::all_of(
        block, [](Operation &op) { return succeeded(mlir::verify(&op)); });
  }

  static ArrayRef<int64_t> shapeOf(Value value) {
    return cast<RankedTensorType>(value.getType()).getShape();
  }

  MLIRContext context;
  OpBuilder builder;
  Location loc;
  Block block;
};

using Shape = std::vector<int64_t>;

Shape shape(Value value) {
  ArrayRef<int64_t> dims = Fixture::shapeOf(value);
  return Shape(dims.begin(), dims.end());
}

} // namespace

TEST_CASE("convolutions infer their output shape", "[ops]") {
  Fixture f;
  Value x = f.value({1, 64, 56, 56});
  // Depthwise 3x3 stride 2 with channel multiplier 2.
  auto depthwise = f.builder.create<Conv2DOp>(
      f.loc, x, f.value({128, 1, 3, 3}), f.value({128}),
      ArrayRef<int64_t>{2, 2}, ArrayRef<int64_t>{1, 1, 1, 1},
      ArrayRef<int64_t>{1, 1}, 64);
  CHECK(shape(depthwise) == Shape{1, 128, 28, 28});
  CHECK(depthwise.isDepthwise());
  CHECK(depthwise.getChannelMultiplier() == 2);
  CHECK_FALSE(depthwise.isGrouped());

  // Pointwise.
  auto pointwise =
      f.builder.create<Conv2DOp>(f.loc, x, f.value({256, 64, 1, 1}), Value());
  CHECK(shape(pointwise) == Shape{1, 256, 56, 56});
  CHECK(pointwise.isPointwise());
  CHECK(pointwise.getNumMACs() == 56 * 56 * 256 * 64);

  // Dilated, asymmetric padding.
  auto dilated = f.builder.create<Conv2DOp>(
      f.loc, x, f.value({64, 64, 3, 3}), Value(), ArrayRef<int64_t>{1, 1},
      ArrayRef<int64_t>{2, 0, 2, 1}, ArrayRef<int64_t>{2, 2}, 1);
  CHECK(shape(dilated) == Shape{1, 64, 56, 53});
  CHECK(dilated.isDilated());

  // Deformable v2.
  auto deform = f.builder.create<DeformConv2DOp>(
      f.loc, x, f.value({1, 18, 56, 56}), f.value({64, 64, 3, 3}),
      f.value({1, 9, 56, 56}), Value(), ArrayRef<int64_t>{1, 1},
      ArrayRef<int64_t>{1, 1, 1, 1}, ArrayRef<int64_t>{1, 1}, 1, 1);
  CHECK(shape(deform) == Shape{1, 64, 56, 56});
  CHECK(deform.isModulated());
  CHECK(f.verifies());
}

TEST_CASE("channel, pooling and shape ops infer their result", "[ops]") {
  Fixture f;
  Value a = f.value({1, 58, 28, 28});
  Value b = f.value({1, 58, 28, 28});
  auto concat =
      f.builder.create<ConcatOp>(f.loc, ValueRange{a, b}, /*interleave=*/false);
  CHECK(shape(concat) == Shape{1, 116, 28, 28});
  auto interleaved =
      f.builder.create<ConcatOp>(f.loc, ValueRange{a, b}, /*interleave=*/true);
  CHECK(shape(interleaved) == Shape{1, 116, 28, 28});
  auto shuffle = f.builder.create<ChannelShuffleOp>(f.loc, concat, 2);
  CHECK(shape(shuffle) == Shape{1, 116, 28, 28});
  auto slice = f.builder.create<SliceOp>(f.loc, shuffle, 58, 58);
  CHECK(shape(slice) == Shape{1, 58, 28, 28});

  auto se = f.builder.create<MulOp>(f.loc, a, f.value({1, 58, 1, 1}));
  CHECK(shape(se) == Shape{1, 58, 28, 28});

  auto pool = f.builder.create<MaxPool2DOp>(
      f.loc, a, ArrayRef<int64_t>{3, 3}, ArrayRef<int64_t>{2, 2},
      ArrayRef<int64_t>{0, 0, 0, 0}, ArrayRef<int64_t>{1, 1},
      /*ceil_mode=*/true);
  CHECK(shape(pool) == Shape{1, 58, 14, 14});
  auto global = f.builder.create<GlobalAvgPoolOp>(f.loc, a);
  CHECK(shape(global) == Shape{1, 58, 1, 1});
  auto flat = f.builder.create<FlattenOp>(f.loc, global.getResult(), 1, -1);
  CHECK(shape(flat) == Shape{1, 58});
  auto dense =
      f.builder.create<DenseOp>(f.loc, flat, f.value({10, 58}), f.value({10}));
  CHECK(shape(dense) == Shape{1, 10});
  auto reshape = f.builder.create<ReshapeOp>(f.loc, dense.getResult(),
                                             ArrayRef<int64_t>{2, 5});
  CHECK(shape(reshape) == Shape{2, 5});
  CHECK(f.verifies());
}

TEST_CASE("shape rules report the broken rule", "[ops]") {
  Fixture f;
  Value x = f.value({1, 64, 56, 56});
  Value filter = f.value({64, 3, 3, 3});
  std::string message;
  ScopedDiagnosticHandler handler(&f.context, [&](Diagnostic &diagnostic) {
    message = diagnostic.str();
    return success();
  });
  Conv2DOp::Properties properties;
  properties.groups = f.builder.getI64IntegerAttr(5);
  SmallVector<Type> inferred;
  LogicalResult result = Conv2DOp::inferReturnTypes(
      &f.context, f.loc, ValueRange{x, filter}, DictionaryAttr::get(&f.context),
      &properties, RegionRange(), inferred);
  CHECK(failed(result));
  CHECK(message ==
        "'cnn.conv2d' op input channels (64) must be divisible by groups (5)");
}
