//===- PrintStats.cpp - op counts, convolution variants and MACs ----------===//

#include "cnnc/Dialect/CNNOps.h"
#include "cnnc/Passes/Passes.h"

#include "llvm/ADT/MapVector.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/raw_ostream.h"

namespace cnnc {
#define GEN_PASS_DEF_CNNPRINTSTATS
#include "cnnc/Passes/Passes.h.inc"
} // namespace cnnc

using namespace mlir;
using namespace cnnc;
using namespace cnnc::cnn;

namespace {
/// A module pass, so that functions are reported one after the other, in
/// order, rather than interleaved by parallel function passes.
struct PrintStatsPass : cnnc::impl::CNNPrintStatsBase<PrintStatsPass> {
  void runOnOperation() override {
    std::string report;
    llvm::raw_string_ostream os(report);
    getOperation().walk([&](func::FuncOp func) { describe(func, os); });
    llvm::errs() << report;
    markAllAnalysesPreserved();
  }

  static void describe(func::FuncOp func, llvm::raw_ostream &os) {
    llvm::MapVector<StringRef, int64_t> opCounts;
    llvm::MapVector<StringRef, int64_t> convKinds;
    uint64_t macs = 0;
    func.walk([&](Operation *op) {
      if (!isa<CNNDialect>(op->getDialect()))
        return;
      ++opCounts[op->getName().getStringRef()];
      if (auto conv = dyn_cast<Conv2DOp>(op)) {
        macs = llvm::SaturatingAdd(macs, conv.getNumMACs());
        StringRef kind = conv.isDepthwise()   ? "depthwise"
                         : conv.isPointwise() ? "pointwise"
                         : conv.isGrouped()   ? "grouped"
                                              : "standard";
        ++convKinds[kind];
        if (conv.isDilated())
          ++convKinds["dilated"];
      } else if (auto deform = dyn_cast<DeformConv2DOp>(op)) {
        macs = llvm::SaturatingAdd(macs, deform.getNumMACs());
        ++convKinds["deformable"];
      } else if (auto dense = dyn_cast<DenseOp>(op)) {
        macs = llvm::SaturatingAdd(macs, dense.getNumMACs());
      }
    });

    os << "cnn stats for @" << func.getSymName() << ":\n";
    for (auto [name, count] : opCounts)
      os << "  " << name << ": " << count << "\n";
    for (auto [kind, count] : convKinds)
      os << "  conv2d " << kind << ": " << count << "\n";
    os << "  MACs (convolutions, dense): " << macs;
    if (macs == UINT64_MAX)
      os << " (saturated: at least this many)";
    os << "\n";
  }
};
} // namespace
