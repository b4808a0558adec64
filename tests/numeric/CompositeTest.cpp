//===- CompositeTest.cpp - blocks of ops, and the harness itself ----------===//
//
// Small blocks of several ops (buffers handed from op to op, parameters
// bound as cnn.weight constants), and the harness run on hand-written
// linalg lowered by upstream passes alone: that it measures, and that a
// wrong answer or a crash of the generated code fails the case.
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

using namespace cnnc::numeric;
using namespace cnnc::reference;

namespace {

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
