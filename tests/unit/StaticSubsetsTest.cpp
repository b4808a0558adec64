//===- StaticSubsetsTest.cpp - cnnc's subset models answer as upstream's --===//
//
// cnnc replaces the SubsetOpInterface models of tensor.extract_slice and
// tensor.insert_slice with faster ones (StaticSubsets.cpp). Bufferization's
// in-place decisions rest on their answers, so every pair of a set of
// slices (static, strided, negative strides, dynamic, of different tensors)
// is checked against upstream's constraint-set implementation, and the
// obvious cases by hand; and the models in use are cnnc's wherever the
// compiler or cnnc-opt registers them.
//
//===----------------------------------------------------------------------===//

#include "cnnc/Transforms/StaticSubsets.h"

#include "cnnc/Compiler/Pipelines.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/Interfaces/SubsetOpInterface.h"

#include <catch2/catch.hpp>

using namespace mlir;

namespace {

class SliceFixture {
public:
  SliceFixture() : builder(&context), loc(builder.getUnknownLoc()) {
    DialectRegistry registry;
    cnnc::registerStaticSubsetModels(registry);
    // Upstream's models too, after cnnc's, as the compiler registers them.
    tensor::registerBufferizableOpInterfaceExternalModels(registry);
    context.appendDialectRegistry(registry);
    context.loadDialect<arith::ArithDialect, func::FuncDialect,
                        tensor::TensorDialect>();
    module = ModuleOp::create(loc);
    auto f32 = builder.getF32Type();
    auto type = builder.getFunctionType({RankedTensorType::get({16, 64}, f32),
                                         RankedTensorType::get({16, 64}, f32),
                                         builder.getIndexType(),
                                         builder.getIndexType()},
                                        {});
    auto function = func::FuncOp::create(loc, "slices", type);
    module->push_back(function);
    Block *entry = function.addEntryBlock();
    builder.setInsertionPointToEnd(entry);
    tensor = entry->getArgument(0);
    otherTensor = entry->getArgument(1);
    i = entry->getArgument(2);
    j = entry->getArgument(3);
  }

  OpFoldResult at(int64_t value) { return builder.getIndexAttr(value); }

  Operation *extract(Value from, ArrayRef<OpFoldResult> offsets,
                     ArrayRef<OpFoldResult> sizes,
                     ArrayRef<OpFoldResult> strides) {
    auto op = builder.create<tensor::ExtractSliceOp>(loc, from, offsets, sizes,
                                                     strides);
    slices.push_back(op);
    return op;
  }

  Operation *insert(Value into, ArrayRef<OpFoldResult> offsets,
                    ArrayRef<OpFoldResult> sizes,
                    ArrayRef<OpFoldResult> strides) {
    Value tile = builder.create<tensor::ExtractSliceOp>(
        loc, otherTensor, offsets, sizes, strides);
    auto op = builder.create<tensor::InsertSliceOp>(loc, tile, into, offsets,
                                                    sizes, strides);
    slices.push_back(op);
    return op;
  }

  static bool equivalent(Operation *a, Operation *b) {
    return cast<SubsetOpInterface>(a).operatesOnEquivalentSubset(
        cast<SubsetOpInterface>(b), sameValue);
  }
  static bool disjoint(Operation *a, Operation *b) {
    return cast<SubsetOpInterface>(a).operatesOnDisjointSubset(
        cast<SubsetOpInterface>(b), sameValue);
  }
  static bool sameValue(Value a, Value b) { return a == b; }

  MLIRContext context;
  OpBuilder builder;
  Location loc;
  OwningOpRef<ModuleOp> module;
  Value tensor, otherTensor, i, j;
  SmallVector<Operation *> slices;
};

} // namespace

TEST_CASE("subset models of tensor slices answer as upstream's",
          "[static-subsets]") {
  SliceFixture f;
  OpFoldResult one = f.at(1), two = f.at(2);
  Operation *rows0to3 =
      f.extract(f.tensor, {f.at(0), f.at(0)}, {f.at(4), f.at(64)}, {one, one});
  Operation *intoRows0to3 =
      f.insert(f.tensor, {f.at(0), f.at(0)}, {f.at(4), f.at(64)}, {one, one});
  Operation *intoRows4to7 =
      f.insert(f.tensor, {f.at(4), f.at(0)}, {f.at(4), f.at(64)}, {one, one});
  Operation *intoRows2to5 =
      f.insert(f.tensor, {f.at(2), f.at(0)}, {f.at(4), f.at(64)}, {one, one});
  Operation *evenRows =
      f.extract(f.tensor, {f.at(0), f.at(0)}, {f.at(4), f.at(64)}, {two, one});
  Operation *intoOddRows =
      f.insert(f.tensor, {f.at(1), f.at(0)}, {f.at(4), f.at(64)}, {two, one});
  Operation *otherRows0to3 = f.extract(f.otherTensor, {f.at(0), f.at(0)},
                                       {f.at(4), f.at(64)}, {one, one});
  Operation *rowsIleft =
      f.extract(f.tensor, {f.i, f.at(0)}, {f.at(4), f.at(32)}, {one, one});
  Operation *intoRowsIleft =
      f.insert(f.tensor, {f.i, f.at(0)}, {f.at(4), f.at(32)}, {one, one});
  Operation *intoRowsIright =
      f.insert(f.tensor, {f.i, f.at(32)}, {f.at(4), f.at(32)}, {one, one});
  Operation *intoRowsJleft =
      f.insert(f.tensor, {f.j, f.at(0)}, {f.at(4), f.at(32)}, {one, one});
  // Rows 0, 2, 4, 6 and row 7: apart, but upstream's rule (offset + size
  // * stride <= the other's offset) calls them overlapping.
  Operation *intoRow7 =
      f.insert(f.tensor, {f.at(7), f.at(0)}, {f.at(1), f.at(64)}, {one, one});
  // Rows 5, 4, 3 (a negative stride): they meet rows 0-3 and row 4 of the
  // even rows.
  Operation *intoRows5down = f.insert(f.tensor, {f.at(5), f.at(0)},
                                      {f.at(3), f.at(64)}, {f.at(-1), one});
  Operation *intoRowsIplus8 =
      f.insert(f.tensor, {f.i, f.at(8)}, {f.at(4), f.at(32)}, {one, one});

  SECTION("by hand") {
    CHECK(SliceFixture::equivalent(intoRows0to3, rows0to3));
    CHECK(SliceFixture::equivalent(rows0to3, intoRows0to3));
    CHECK_FALSE(SliceFixture::equivalent(intoRows2to5, rows0to3));
    CHECK_FALSE(SliceFixture::equivalent(evenRows, rows0to3));
    CHECK_FALSE(SliceFixture::equivalent(otherRows0to3, intoRows0to3));
    CHECK(SliceFixture::disjoint(intoRows4to7, rows0to3));
    CHECK(SliceFixture::disjoint(rows0to3, intoRows4to7));
    CHECK_FALSE(SliceFixture::disjoint(intoRows2to5, rows0to3));
    CHECK_FALSE(SliceFixture::disjoint(intoRows0to3, rows0to3));
    // Interleaved strided rows: upstream's rule calls them overlapping.
    CHECK_FALSE(SliceFixture::disjoint(intoOddRows, evenRows));
    CHECK_FALSE(SliceFixture::disjoint(otherRows0to3, intoRows4to7));
    CHECK(SliceFixture::equivalent(intoRowsIleft, rowsIleft));
    CHECK_FALSE(SliceFixture::equivalent(intoRowsJleft, rowsIleft));
    CHECK(SliceFixture::disjoint(intoRowsIright, rowsIleft));
    CHECK_FALSE(SliceFixture::disjoint(intoRowsJleft, rowsIleft));
    CHECK_FALSE(SliceFixture::disjoint(intoRowsIplus8, rowsIleft));
    CHECK_FALSE(SliceFixture::disjoint(intoRow7, evenRows));
    CHECK_FALSE(SliceFixture::disjoint(evenRows, intoRow7));
    CHECK_FALSE(SliceFixture::disjoint(intoRows5down, evenRows));
    CHECK_FALSE(SliceFixture::disjoint(intoRows5down, rows0to3));
    CHECK_FALSE(SliceFixture::equivalent(intoRows5down, rows0to3));
  }

  SECTION("every pair, against upstream's constraint sets") {
    for (Operation *a : f.slices)
      for (Operation *b : f.slices) {
        auto candidate = cast<SubsetOpInterface>(b);
        INFO("slice " << (llvm::find(f.slices, a) - f.slices.begin())
                      << " against "
                      << (llvm::find(f.slices, b) - f.slices.begin()));
        CHECK(SliceFixture::equivalent(a, b) ==
              detail::defaultOperatesOnEquivalentSubset(
                  a, candidate, SliceFixture::sameValue));
        // Where a stride is negative, upstream's rule is wrong (it takes the
        // offset for the lowest index): cnnc's never says apart there.
        bool upstreamDisjoint = detail::defaultOperatesOnDisjointSubset(
            a, candidate, SliceFixture::sameValue);
        if (a == intoRows5down || b == intoRows5down)
          CHECK_FALSE(SliceFixture::disjoint(a, b));
        else
          CHECK(SliceFixture::disjoint(a, b) == upstreamDisjoint);
      }
  }
}

/// Whether a context made from `registry` uses cnnc's subset models.
static bool usesStaticModels(const DialectRegistry &registry) {
  MLIRContext context(registry);
  context.loadDialect<tensor::TensorDialect>();
  return cnnc::hasStaticSubsetModels(&context);
}

TEST_CASE("the compiler's and cnnc-opt's registries use cnnc's subset models",
          "[static-subsets]") {
  SECTION("without them") {
    DialectRegistry registry;
    tensor::registerBufferizableOpInterfaceExternalModels(registry);
    CHECK_FALSE(usesStaticModels(registry));
  }
  SECTION("cnnc's compiler") {
    DialectRegistry registry;
    cnnc::registerCompilerDependencies(registry);
    CHECK(usesStaticModels(registry));
  }
  SECTION("cnnc-opt's order: cnnc's, then every upstream dialect's") {
    DialectRegistry registry;
    cnnc::registerStaticSubsetModels(registry);
    registerAllDialects(registry);
    CHECK(usesStaticModels(registry));
  }
}
