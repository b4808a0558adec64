//===- ReportFusion.cpp - what the fusion passes fused --------------------===//

#include "cnnc/Dialect/CNNOps.h"
#include "cnnc/Passes/Passes.h"

#include "mlir/IR/Location.h"
#include "llvm/Support/raw_ostream.h"

namespace cnnc {
#define GEN_PASS_DEF_CNNREPORTFUSION
#include "cnnc/Passes/Passes.h.inc"
} // namespace cnnc

using namespace mlir;
using namespace cnnc::cnn;

namespace {

/// "file:line:col" of the first file location in `loc`, or "?".
std::string sourcePosition(Location loc) {
  std::string position = "?";
  loc->walk([&](Location inner) {
    if (auto file = dyn_cast<FileLineColLoc>(inner)) {
      position =
          (llvm::Twine(file.getFilename().getValue()) + ":" +
           llvm::Twine(file.getLine()) + ":" + llvm::Twine(file.getColumn()))
              .str();
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return position;
}

int64_t tensorBytes(Type type) {
  auto tensor = cast<RankedTensorType>(type);
  return tensor.getNumElements() * ((tensor.getElementTypeBitWidth() + 7) / 8);
}

struct ReportFusionPass : cnnc::impl::CNNReportFusionBase<ReportFusionPass> {
  void runOnOperation() override {
    std::string report;
    llvm::raw_string_ostream os(report);
    getOperation().walk([&](func::FuncOp func) { describe(func, os); });
    llvm::errs() << report;
    markAllAnalysesPreserved();
  }

  static void describe(func::FuncOp func, llvm::raw_ostream &os) {
    os << "fusion report for @" << func.getSymName() << ":\n";
    int64_t chains = 0, ops = 0, savedBytes = 0, savedTraffic = 0;
    func.walk([&](FusedOp fused) {
      SmallVector<Operation *> chain = fused.getChain();
      ++chains;
      ops += static_cast<int64_t>(chain.size());
      os << "  #" << chains << " " << fused.getKindName();
      if (IntegerAttr rows = fused.getTileRowsAttr())
        os << " (tiles of " << rows.getInt() << " rows)";
      os << ":";
      for (auto [index, op] : llvm::enumerate(chain))
        os << (index ? " ->" : "") << " " << op->getName().stripDialect()
           << " [" << sourcePosition(op->getLoc()) << "]";
      os << "\n";
      if (!fused.hasFusedLowering()) {
        os << "     lowered op by op (a kind without a fused lowering): "
              "intermediates stay in memory\n";
        return;
      }
      int64_t bytes = 0, traffic = 0;
      if (fused.getFusionKind() == FusionKind::SqueezeExcite) {
        // The pooled map stays in memory (the scale needs all of it), and so
        // do the values on the pooled vector; the producer's intermediates
        // and those after the scale do not, and, when the convolution's
        // kernel takes the sums over (not for grouped convolutions), the
        // pool no longer reads its input back.
        auto poolAt = llvm::find_if(
            chain, [](Operation *op) { return isa<GlobalAvgPoolOp>(op); });
        auto scaleAt = std::find_if(
            poolAt, chain.end(), [](Operation *op) { return isa<MulOp>(op); });
        if (poolAt != chain.begin() && poolAt != chain.end() &&
            scaleAt != chain.end()) {
          for (Operation *op : llvm::make_range(chain.begin(), poolAt - 1))
            bytes += tensorBytes(op->getResult(0).getType());
          for (Operation *op : llvm::make_range(scaleAt, chain.end() - 1))
            bytes += tensorBytes(op->getResult(0).getType());
          traffic = 2 * bytes;
          auto conv = dyn_cast<Conv2DOp>(chain.front());
          if (conv && !conv.isGrouped())
            traffic += tensorBytes((*poolAt)->getOperand(0).getType());
        }
      } else {
        // Every result but the chain's last is no longer a tensor in
        // memory (it stays in registers, or in a tile that fits the cache).
        for (Operation *op : ArrayRef(chain).drop_back())
          for (Value result : op->getResults())
            bytes += tensorBytes(result.getType());
        traffic = 2 * bytes;
      }
      savedBytes += bytes;
      savedTraffic += traffic;
      os << "     intermediate tensors no longer in memory: " << bytes
         << " bytes (" << traffic << " bytes of traffic";
      if (traffic == 2 * bytes)
        os << ": written, read)\n";
      else
        os << ", with the pool's read of its input)\n";
    });
    // Concats that extend the one before (cnn-eliminate-concat's chains)
    // share its buffer: the earlier maps are not copied again.
    int64_t extending = 0, uncopied = 0;
    func.walk([&](ConcatOp concat) {
      auto previous = concat.getInputs().front().getDefiningOp<ConcatOp>();
      if (concat.getInterleave() || !previous || previous.getInterleave())
        return;
      ++extending;
      uncopied += tensorBytes(previous.getType());
    });
    if (extending)
      os << "  concat chains: " << extending
         << " concats extend the one before, in one buffer: " << uncopied
         << " bytes no longer copied (" << 2 * uncopied
         << " bytes of traffic)\n";
    os << "  total: " << chains << " fused chains of " << ops << " ops; "
       << savedBytes << " bytes of intermediate tensors, " << savedTraffic
       << " bytes of traffic removed\n";
  }
};

} // namespace
