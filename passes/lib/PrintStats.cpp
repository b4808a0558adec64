//===- PrintStats.cpp - op counts, convolution variants and MACs ----------===//

#include "cnnc/Dialect/CNNOps.h"
#include "cnnc/Passes/Passes.h"

#include "llvm/ADT/MapVector.h"
#include "llvm/Support/raw_ostream.h"

namespace cnnc {
#define GEN_PASS_DEF_CNNPRINTSTATS
#include "cnnc/Passes/Passes.h.inc"
} // namespace cnnc

using namespace mlir;
using namespace cnnc;
using namespace cnnc::cnn;

namespace {
struct PrintStatsPass : cnnc::impl::CNNPrintStatsBase<PrintStatsPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    llvm::MapVector<StringRef, int64_t> opCounts;
    llvm::MapVector<StringRef, int64_t> convKinds;
    int64_t macs = 0;
    func.walk([&](Operation *op) {
      if (!isa<CNNDialect>(op->getDialect()))
        return;
      ++opCounts[op->getName().getStringRef()];
      if (auto conv = dyn_cast<Conv2DOp>(op)) {
        macs += conv.getNumMACs();
        StringRef kind = conv.isDepthwise()   ? "depthwise"
                         : conv.isPointwise() ? "pointwise"
                         : conv.isGrouped()   ? "grouped"
                                              : "standard";
        ++convKinds[kind];
        if (conv.isDilated())
          ++convKinds["dilated"];
      } else if (auto dense = dyn_cast<DenseOp>(op)) {
        ArrayRef<int64_t> in = dense.getInput().getType().getShape();
        macs += in[0] * in[1] * dense.getWeight().getType().getDimSize(0);
      }
    });

    llvm::raw_ostream &os = llvm::errs();
    os << "cnn stats for @" << func.getSymName() << ":\n";
    for (auto [name, count] : opCounts)
      os << "  " << name << ": " << count << "\n";
    for (auto [kind, count] : convKinds)
      os << "  conv2d " << kind << ": " << count << "\n";
    os << "  MACs (conv2d, dense): " << macs << "\n";
    markAllAnalysesPreserved();
  }
};
} // namespace
