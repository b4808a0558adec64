//===- WinogradTest.cpp - Winograd convolutions vs. the reference ---------===//
//
// cnn-use-winograd replaces stride-1 3x3 convolutions by transforms and a
// grouped 1x1 convolution, with kernels of their own and the epilogue
// moved onto the output transform. Each case here forces F(2x2, 3x3) and
// F(4x4, 3x3) (`winograd-tile`) in the blocked layout with AVX2's and
// AVX-512's vector widths, checks that the pipeline did use Winograd, and
// compares the result with the naive reference convolution: awkward image
// sizes (partial tiles), paddings 1, 0 and asymmetric, partial channel
// blocks, bias, ReLU and residual epilogues, batch 2.
//
//===----------------------------------------------------------------------===//

#include "Harness.h"

#include "cnnc/Compiler/CompileOptions.h"
#include "cnnc/Compiler/Pipelines.h"

#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"

#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>

using namespace cnnc::numeric;
using namespace cnnc::reference;

namespace {

enum class Epilogue { None, Relu, Residual };

struct WinogradConfig {
  std::string label;
  Shape input;
  int64_t outChannels;
  std::array<int64_t, 4> padding;
  bool bias;
  Epilogue epilogue;
};

std::string replaceAll(std::string text, const std::string &key,
                       const std::string &value) {
  for (size_t at = text.find(key); at != std::string::npos;
       at = text.find(key, at + value.size()))
    text.replace(at, key.size(), value);
  return text;
}

Case winogradCase(Random &r, const WinogradConfig &cfg) {
  Tensor x = r.tensor(cfg.input);
  Tensor w = r.tensor({cfg.outChannels, cfg.input[1], 3, 3});
  Tensor b = r.tensor({cfg.outChannels});
  ConvParams p;
  p.padding = cfg.padding;
  Tensor y = conv2d(x, w, cfg.bias ? &b : nullptr, p);
  std::string body;
  std::string result = "%0";
  if (cfg.epilogue == Epilogue::Relu) {
    y = relu(y);
    body = "  %1 = cnn.relu %0 : {Y}\n";
    result = "%1";
  } else if (cfg.epilogue == Epilogue::Residual) {
    y = relu(add(relu(y), x));
    body = "  %1 = cnn.relu %0 : {Y}\n"
           "  %2 = cnn.add %1, %x : {Y}, {X} -> {Y}\n"
           "  %3 = cnn.relu %2 : {Y}\n";
    result = "%3";
  }
  std::string text = R"mlir(
func.func @main(%x: {X}) -> {Y} attributes {llvm.emit_c_interface} {
  %w = cnn.weight "w" = {w} : {W}
)mlir";
  if (cfg.bias)
    text += "  %b = cnn.weight \"b\" = {b} : {B}\n"
            "  %0 = cnn.conv2d %x, %w bias %b pad {P} : ({X}, {W}, {B}) -> "
            "{Y}\n";
  else
    text += "  %0 = cnn.conv2d %x, %w pad {P} : ({X}, {W}) -> {Y}\n";
  text += body + "  return " + result + " : {Y}\n}\n";
  text = replaceAll(text, "{X}", tensorType(x.shape));
  text = replaceAll(text, "{Y}", tensorType(y.shape));
  text = replaceAll(text, "{W}", tensorType(w.shape));
  text = replaceAll(text, "{B}", tensorType(b.shape));
  text = replaceAll(text, "{P}", list(cfg.padding));
  text = replaceAll(text, "{w}", denseHex(w));
  text = replaceAll(text, "{b}", denseHex(b));
  Case c;
  c.label = "winograd: " + cfg.label;
  c.args = {x};
  c.expected = y;
  c.text = text;
  return c;
}

void setOptions(cnnc::PipelineOptions &o, int64_t block, int64_t tile) {
  setLayoutOptions(o, block);
  o.winogradTile = tile;
}

/// Whether the pipeline turned the convolution into Winograd transforms.
bool usesWinograd(const Case &c, const cnnc::PipelineOptions &o) {
  mlir::MLIRContext &context = runner().getContext();
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(c.module(), &context);
  if (!module)
    return false;
  mlir::PassManager pm(&context);
  llvm::cantFail(cnnc::buildCNNToLinalgPipeline(pm, o));
  if (mlir::failed(pm.run(*module)))
    return false;
  bool found = false;
  module->walk([&](mlir::Operation *op) {
    found |= op->hasAttr("cnnc.winograd_output");
  });
  return found;
}

} // namespace

TEST_CASE("Winograd convolutions match the reference", "[numeric][winograd]") {
  Random r(0x3A1);
  std::vector<WinogradConfig> configs = {
      {"32 -> 32 channels, 12x12, padding 1, bias",
       {1, 32, 12, 12},
       32,
       {1, 1, 1, 1},
       true,
       Epilogue::None},
      {"odd sizes 11x13, 24 -> 40 channels (partial blocks), batch 2",
       {2, 24, 11, 13},
       40,
       {1, 1, 1, 1},
       true,
       Epilogue::None},
      {"padding 0, 9x10, no bias",
       {1, 32, 9, 10},
       48,
       {0, 0, 0, 0},
       false,
       Epilogue::None},
      {"asymmetric padding, 7x7",
       {1, 16, 7, 7},
       32,
       {0, 1, 2, 1},
       true,
       Epilogue::None},
      {"ReLU epilogue, 14x14",
       {1, 32, 14, 14},
       64,
       {1, 1, 1, 1},
       true,
       Epilogue::Relu},
      {"residual add and ReLUs, 10x9, batch 2",
       {2, 32, 10, 9},
       32,
       {1, 1, 1, 1},
       true,
       Epilogue::Residual},
  };
  for (const WinogradConfig &cfg : configs) {
    Case c = winogradCase(r, cfg);
    for (int64_t block : {8, 16})
      for (int64_t tile : {2, 4}) {
        cnnc::PipelineOptions o;
        setOptions(o, block, tile);
        INFO("case: " << c.label << " (" << block << " lanes, F(" << tile << "x"
                      << tile << ", 3x3))");
        CHECK(usesWinograd(c, o));
        Outcome outcome = runner().run(c, [&](mlir::OpPassManager &pm) {
          llvm::cantFail(cnnc::buildCNNToLLVMPipeline(pm, o));
        });
        REQUIRE(outcome.failure.empty());
        // CNNC_NUMERIC_VERBOSE=1 prints every case's errors.
        if (std::getenv("CNNC_NUMERIC_VERBOSE"))
          for (const auto &[level, m] : outcome.levels)
            std::printf("%s (%lld lanes, m=%lld) -O%u: %.3g\n", c.label.c_str(),
                        static_cast<long long>(block),
                        static_cast<long long>(tile), level, m.relativeError);
        for (const auto &[level, m] : outcome.levels) {
          INFO("at -O" << level << ": " << m.failure << " worst element "
                       << m.worst);
          CHECK(m.failure.empty());
          CHECK(m.relativeError <= kTolerance);
        }
      }
  }
}
