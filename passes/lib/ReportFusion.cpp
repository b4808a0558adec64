//===- ReportFusion.cpp - what the fusion passes fused --------------------===//

#include "cnnc/Dialect/CNNOps.h"
#include "cnnc/Passes/Passes.h"

#include "mlir/IR/Location.h"
#include "llvm/Support/raw_ostream.h"

#include <fmt/format.h>

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
      position = fmt::format("{}:{}:{}", file.getFilename().getValue(),
                             file.getLine(), file.getColumn());
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
    getOperation().walk([&](func::FuncOp func) { describe(func, report); });
    llvm::errs() << report;
    markAllAnalysesPreserved();
  }

  /// The bytes of intermediate tensors that `fused` keeps out of memory,
  /// and the bytes of traffic that saves.
  static std::pair<int64_t, int64_t> savedBytes(FusedOp fused) {
    SmallVector<Operation *> chain = fused.getChain();
    int64_t bytes = 0, traffic = 0;
    if (fused.getFusionKind() == FusionKind::SqueezeExcite) {
      // The pooled map stays in memory (the scale needs all of it), and so
      // do the values on the pooled vector; the producer's intermediates
      // and those after the scale do not, and, when the convolution's
      // kernel takes the sums over (not for grouped convolutions), the
      // pool no longer reads its input back.
      auto poolAt = llvm::find_if(
          chain, [](Operation *op) { return isa<GlobalAvgPoolOp>(op); });
      auto scaleAt = std::find_if(poolAt, chain.end(),
                                  [](Operation *op) { return isa<MulOp>(op); });
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
      return {bytes, traffic};
    }
    // Every result but the chain's last is no longer a tensor in memory
    // (it stays in registers, or in a tile that fits the cache).
    for (Operation *op : ArrayRef(chain).drop_back())
      for (Value result : op->getResults())
        bytes += tensorBytes(result.getType());
    return {bytes, 2 * bytes};
  }

  static void describe(func::FuncOp func, std::string &report) {
    auto out = std::back_inserter(report);
    fmt::format_to(out, "fusion report for @{}:\n", func.getSymName());
    int64_t chains = 0, ops = 0, savedTotal = 0, trafficTotal = 0;
    func.walk([&](FusedOp fused) {
      SmallVector<Operation *> chain = fused.getChain();
      ++chains;
      ops += static_cast<int64_t>(chain.size());
      fmt::format_to(out, "  #{} {}", chains, fused.getKindName());
      if (IntegerAttr rows = fused.getTileRowsAttr())
        fmt::format_to(out, " (tiles of {} rows)", rows.getInt());
      report += ":";
      for (auto [index, op] : llvm::enumerate(chain))
        fmt::format_to(out, "{} {} [{}]", index ? " ->" : "",
                       op->getName().stripDialect(),
                       sourcePosition(op->getLoc()));
      report += "\n";
      if (!fused.hasFusedLowering()) {
        report += "     lowered op by op (a kind without a fused lowering): "
                  "intermediates stay in memory\n";
        return;
      }
      auto [bytes, traffic] = savedBytes(fused);
      savedTotal += bytes;
      trafficTotal += traffic;
      fmt::format_to(out,
                     "     intermediate tensors no longer in memory: {} bytes "
                     "({} bytes of traffic{})\n",
                     bytes, traffic,
                     traffic == 2 * bytes
                         ? ": written, read"
                         : ", with the pool's read of its input");
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
      fmt::format_to(out,
                     "  concat chains: {} concats extend the one before, in "
                     "one buffer: {} bytes no longer copied ({} bytes of "
                     "traffic)\n",
                     extending, uncopied, 2 * uncopied);
    fmt::format_to(out,
                   "  total: {} fused chains of {} ops; {} bytes of "
                   "intermediate tensors, {} bytes of traffic removed\n",
                   chains, ops, savedTotal, trafficTotal);
  }
};

} // namespace
