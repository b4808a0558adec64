//===- FusionReport.cpp - the fusion report, read from the IR -------------===//

#include "cnnc/Passes/FusionReport.h"
#include "cnnc/Dialect/CNNOps.h"
#include "cnnc/Dialect/LayerName.h"
#include "cnnc/Passes/FusionRejections.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Location.h"
#include "llvm/ADT/MapVector.h"

using namespace mlir;
using namespace cnnc::cnn;
using namespace cnnc::fusion;

namespace {

std::optional<SourcePosition> filePosition(Location loc) {
  std::optional<SourcePosition> position;
  loc->walk([&](Location inner) {
    if (auto file = dyn_cast<FileLineColLoc>(inner)) {
      position = SourcePosition{file.getFilename().str(), file.getLine(),
                                file.getColumn()};
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return position;
}

/// The op's name, layer and position; a CallSiteLoc's callers (the block
/// calls, innermost first) are its calledFrom.
ReportedOp reportOp(Operation *op) {
  ReportedOp reported;
  reported.name = op->getName().getStringRef().str();
  Location loc = op->getLoc();
  // A folded batch norm fuses its location into the convolution's: the
  // first part is the convolution's own.
  if (auto fused = dyn_cast<FusedLoc>(loc);
      fused && !fused.getLocations().empty())
    loc = fused.getLocations().front();
  // The frontend nests a block's call sites in the caller:
  // callsite(line at callsite(inner call at outer call)).
  Location line = loc;
  if (auto site = dyn_cast<CallSiteLoc>(loc)) {
    line = site.getCallee();
    Location caller = site.getCaller();
    while (auto nested = dyn_cast<CallSiteLoc>(caller)) {
      if (std::optional<SourcePosition> call = filePosition(nested.getCallee()))
        reported.calledFrom.push_back(*call);
      caller = nested.getCaller();
    }
    if (std::optional<SourcePosition> call = filePosition(caller))
      reported.calledFrom.push_back(*call);
  }
  reported.position = filePosition(line);
  reported.layer = getLayerName(line);
  return reported;
}

int64_t tensorBytes(Type type) {
  auto tensor = cast<RankedTensorType>(type);
  return tensor.getNumElements() * ((tensor.getElementTypeBitWidth() + 7) / 8);
}

/// The bytes of intermediate tensors that `fused` keeps out of memory, and
/// the bytes of traffic that saves.
std::pair<int64_t, int64_t> savedBytes(FusedOp fused) {
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

FunctionReport describeFunction(func::FuncOp func) {
  FunctionReport report;
  report.name = func.getSymName().str();
  llvm::DenseMap<Operation *, int64_t> fusedIds;
  func.walk([&](FusedOp fused) {
    FusedChain chain;
    chain.id = static_cast<int64_t>(report.fused.size()) + 1;
    fusedIds[fused] = chain.id;
    chain.kind = fused.getKindName().str();
    if (IntegerAttr rows = fused.getTileRowsAttr())
      chain.tileRows = rows.getInt();
    chain.fusedLowering = fused.hasFusedLowering();
    for (Operation *op : fused.getChain())
      chain.ops.push_back(reportOp(op));
    if (chain.fusedLowering)
      std::tie(chain.intermediateBytes, chain.trafficBytes) = savedBytes(fused);
    report.fused.push_back(std::move(chain));
  });

  // Candidates, in the order their first op comes; ops inside a fused op
  // say which chain holds them.
  llvm::MapVector<Attribute, RejectedChain> candidates;
  func.walk([&](Operation *op) {
    for (FusionRejectionAttr rejection : rejectionsOf(op)) {
      auto [it, inserted] =
          candidates.try_emplace(rejection.getCandidate(), RejectedChain());
      RejectedChain &chain = it->second;
      if (inserted) {
        chain.kind = rejection.getKind().str();
        chain.pass = rejection.getPass().str();
        chain.reason = stringifyFusionRejectReason(rejection.getReason()).str();
        chain.detail = rejection.getDetail().str();
      }
      chain.ops.push_back(reportOp(op));
      if (auto fused = op->getParentOfType<FusedOp>())
        if (!llvm::is_contained(chain.inFusedChains, fusedIds.lookup(fused)))
          chain.inFusedChains.push_back(fusedIds.lookup(fused));
    }
  });
  for (auto &entry : candidates)
    report.notFused.push_back(std::move(entry.second));

  // Concats that extend the one before (cnn-eliminate-concat's chains)
  // share its buffer: the earlier maps are not copied again.
  func.walk([&](ConcatOp concat) {
    auto previous = concat.getInputs().front().getDefiningOp<ConcatOp>();
    if (concat.getInterleave() || !previous || previous.getInterleave())
      return;
    ++report.extendingConcats;
    report.uncopiedBytes += tensorBytes(previous.getType());
  });
  return report;
}

} // namespace

FusionReport cnnc::fusion::describeFusion(ModuleOp module) {
  FusionReport report;
  module.walk([&](func::FuncOp func) {
    report.functions.push_back(describeFunction(func));
  });
  return report;
}
