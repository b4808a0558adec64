//===- BlockedPoolTest.cpp - pools in the blocked layout vs. the reference ===//
//
// A pool after a convolution runs in the channel-blocked layout, where
// PoolingKernels.cpp replaces its loops by a vector per output pixel
// started from the output's fill. (A pool alone stays NCHW, so the
// single-op pool tests of PoolTest.cpp never reach that kernel.) Each
// case here is a 1x1 convolution followed by a max or average pool, in the
// blocked layout with AVX2's and AVX-512's vector widths; it checks that
// the pool had the blocked form and that no pooling loop is left after the
// kernels, and compares the result with the naive reference: strides,
// dilations, asymmetric padding, ceil mode, a window of more taps than the
// kernel unrolls, partial channel blocks, batch 2.
//
//===----------------------------------------------------------------------===//

#include "Harness.h"

#include "cnnc/Compiler/CompileOptions.h"
#include "cnnc/Compiler/Pipelines.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"

#include <catch2/catch.hpp>

using namespace cnnc::numeric;
using namespace cnnc::reference;

namespace {

struct BlockedPoolConfig {
  std::string label;
  Shape input;
  PoolParams params;
  bool max;
  bool countIncludePad;
};

Case poolCase(Random &r, const BlockedPoolConfig &cfg) {
  Tensor x = r.tensor(cfg.input);
  int64_t channels = cfg.input[1];
  Tensor w = r.tensor({channels, channels, 1, 1});
  Tensor y = conv2d(x, w, nullptr, ConvParams());
  Tensor pooled =
      cfg.max ? maxPool2d(y, cfg.params)
              : avgPool2d(y, cfg.params, cfg.countIncludePad, std::nullopt);
  std::string attributes =
      poolAttributes(cfg.params, /*dilation=*/cfg.max) +
      (!cfg.max && cfg.countIncludePad ? " count_include_pad" : "");
  std::string xt = tensorType(x.shape), wt = tensorType(w.shape),
              yt = tensorType(y.shape), pt = tensorType(pooled.shape);
  Case c;
  c.label = std::string(cfg.max ? "max" : "avg") + " pool: " + cfg.label;
  c.args = {x};
  c.expected = pooled;
  c.text = "func.func @main(%x: " + xt + ") -> " + pt +
           " attributes {llvm.emit_c_interface} {\n"
           "  %w = cnn.weight \"w\" = " +
           denseHex(w) + " : " + wt +
           "\n"
           "  %0 = cnn.conv2d %x, %w : (" +
           xt + ", " + wt + ") -> " + yt + "\n  %1 = cnn." +
           (cfg.max ? "max_pool2d" : "avg_pool2d") + " %0" + attributes +
           " : " + yt + " -> " + pt + "\n  return %1 : " + pt + "\n}\n";
  return c;
}

/// Whether `op` is a pool over a window in the blocked layout: loops (n, b,
/// oh, ow, kh, kw, l).
bool isBlockedPool(mlir::Operation *op) {
  auto generic = mlir::dyn_cast<mlir::linalg::GenericOp>(op);
  if (!generic || generic.getNumLoops() != 7)
    return false;
  auto iterators = generic.getIteratorTypesArray();
  return iterators[4] == mlir::utils::IteratorType::reduction &&
         iterators[5] == mlir::utils::IteratorType::reduction;
}

/// How many blocked pools the module has after `build`'s pipeline.
int countBlockedPools(const Case &c, const cnnc::PipelineOptions &o,
                      bool afterKernels) {
  mlir::MLIRContext &context = runner().getContext();
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(c.text, &context);
  if (!module)
    return -1;
  mlir::PassManager pm(&context);
  if (afterKernels)
    llvm::cantFail(cnnc::buildCNNToLoopsPipeline(pm, o));
  else
    llvm::cantFail(cnnc::buildCNNToLinalgPipeline(pm, o));
  if (mlir::failed(pm.run(*module)))
    return -1;
  int count = 0;
  module->walk([&](mlir::Operation *op) { count += isBlockedPool(op); });
  return count;
}

} // namespace

TEST_CASE("pools in the blocked layout match the reference",
          "[numeric][blocked_pool]") {
  Random r(0xB10C);
  std::vector<BlockedPoolConfig> configs = {
      {"3x3 stride 2 padding 1 (ResNet stem), 16 channels",
       {1, 16, 13, 13},
       pool({3, 3}, {2, 2}, {1, 1, 1, 1}, {1, 1}, false),
       true,
       false},
      {"3x3 stride 2 ceil mode, 20 channels (a partial block), batch 2",
       {2, 20, 11, 12},
       pool({3, 3}, {2, 2}, {0, 0, 0, 0}, {1, 1}, true),
       true,
       false},
      {"3x2 kernel, stride 2x3, dilation 2x1, asymmetric padding",
       {1, 8, 14, 15},
       pool({3, 2}, {2, 3}, {1, 0, 0, 1}, {2, 1}, false),
       true,
       false},
      // Max pools share each input column's rows among a tile of output
      // pixels: rows of 37 (a prime) leave a partial tile after the full
      // ones whatever the tile.
      {"3x3 stride 1 padding 1, 40 channels, rows of 37 pixels",
       {1, 40, 5, 37},
       pool({3, 3}, {1, 1}, {1, 1, 1, 1}, {1, 1}, false),
       true,
       false},
      {"7x6 window (more taps than unrolled), stride 1",
       {1, 16, 9, 8},
       pool({7, 6}, {1, 1}, {0, 0, 0, 0}, {1, 1}, false),
       true,
       false},
      {"2x2 stride 2 (DenseNet transition), 24 channels",
       {1, 24, 10, 10},
       pool({2, 2}, {2, 2}, {0, 0, 0, 0}, {1, 1}, false),
       false,
       false},
      {"3x3 stride 1 padding 1, count_include_pad, batch 2",
       {2, 16, 7, 9},
       pool({3, 3}, {1, 1}, {1, 1, 1, 1}, {1, 1}, false),
       false,
       true},
      {"3x3 stride 2 padding 1, ceil mode, padding not counted",
       {1, 12, 8, 8},
       pool({3, 3}, {2, 2}, {1, 1, 1, 1}, {1, 1}, true),
       false,
       false},
  };
  for (const BlockedPoolConfig &cfg : configs) {
    Case c = poolCase(r, cfg);
    for (int64_t block : {8, 16}) {
      cnnc::PipelineOptions o;
      setLayoutOptions(o, block);
      INFO("case: " << c.label << " (" << block << " lanes)");
      CHECK(countBlockedPools(c, o, /*afterKernels=*/false) == 1);
      CHECK(countBlockedPools(c, o, /*afterKernels=*/true) == 0);
      Outcome outcome = runner().run(c, [&](mlir::OpPassManager &pm) {
        llvm::cantFail(cnnc::buildCNNToLLVMPipeline(pm, o));
      });
      REQUIRE(outcome.failure.empty());
      for (const auto &[level, m] : outcome.levels) {
        INFO("at -O" << level << ": " << m.failure << " worst element "
                     << m.worst);
        CHECK(m.failure.empty());
        CHECK(m.relativeError <= kTolerance);
      }
    }
  }
}
