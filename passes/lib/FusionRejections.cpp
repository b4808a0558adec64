//===- FusionRejections.cpp - why a candidate chain was not fused ---------===//

#include "cnnc/Passes/FusionRejections.h"
#include "cnnc/Dialect/CNNDialect.h"
#include "cnnc/Passes/FusionChains.h"

#include "mlir/IR/BuiltinAttributes.h"

#include <fmt/format.h>

using namespace mlir;
using namespace cnnc::cnn;

namespace {

using RejectedHelper = CNNDialect::FusionRejectedAttrHelper;

} // namespace

LogicalResult cnnc::fusion::Match::notifyFailure(PatternRewriter &rewriter,
                                                 Operation *anchor) const {
  if (rejection)
    return rewriter.notifyMatchFailure(anchor, rejection->detail);
  return rewriter.notifyMatchFailure(anchor, "no candidate");
}

SmallVector<FusionRejectionAttr> cnnc::fusion::rejectionsOf(Operation *op) {
  SmallVector<FusionRejectionAttr> rejections;
  if (auto array = op->getAttrOfType<ArrayAttr>(RejectedHelper::getNameStr()))
    for (Attribute attribute : array)
      if (auto rejection = dyn_cast<FusionRejectionAttr>(attribute))
        rejections.push_back(rejection);
  return rejections;
}

std::optional<cnnc::fusion::Match>
cnnc::fusion::rejectLinks(ArrayRef<std::pair<Value, const Producer *>> links,
                          ArrayRef<Operation *> chain) {
  for (auto [value, producer] : links) {
    Operation *shared =
        value.hasOneUse() ? producer->sharedResult : value.getDefiningOp();
    if (shared)
      return Match::reject(FusionRejectReason::MultiUse,
                           fmt::format("the result of {} has other users: it "
                                       "would be stored anyway",
                                       describeOp(shared)),
                           chain);
  }
  for (auto [value, producer] : links)
    if (producer->batchNorm)
      return Match::reject(FusionRejectReason::UnsupportedOp,
                           "a cnn.batch_norm between the convolutions is not "
                           "folded (cnn-fold-batch-norm runs before fusion in "
                           "cnnc's pipeline)",
                           chain);
  return std::nullopt;
}

void cnnc::fusion::recordRejection(StringRef pass, StringRef kind,
                                   const Rejection &rejection) {
  if (rejection.ops.empty())
    return;
  // A candidate is known by its ops: the same ops marked by the same pass
  // (its matcher asked twice) are marked once.
  Operation *first = rejection.ops.front();
  for (FusionRejectionAttr existing : rejectionsOf(first)) {
    if (existing.getPass() != pass || existing.getKind() != kind)
      continue;
    if (llvm::all_of(rejection.ops, [&](Operation *op) {
          return llvm::is_contained(rejectionsOf(op), existing);
        }))
      return;
  }
  MLIRContext *context = first->getContext();
  auto attribute = FusionRejectionAttr::get(
      context, pass, kind, rejection.reason, rejection.detail,
      DistinctAttr::create(UnitAttr::get(context)));
  for (Operation *op : rejection.ops) {
    SmallVector<Attribute> rejections;
    if (auto array = op->getAttrOfType<ArrayAttr>(RejectedHelper::getNameStr()))
      llvm::append_range(rejections, array.getValue());
    rejections.push_back(attribute);
    op->setAttr(RejectedHelper::getNameStr(),
                ArrayAttr::get(context, rejections));
  }
}

void cnnc::fusion::recordRejections(
    Operation *root, StringRef pass, StringRef kind,
    llvm::function_ref<Match(Operation *)> match) {
  // Decide first, mark after: marking changes no decision, but walking
  // while attributes change is needless risk.
  SmallVector<Rejection> rejections;
  root->walk([&](Operation *op) {
    if (!isa<CNNDialect>(op->getDialect()) || isa<FusedOp>(op) ||
        !isUnfused(op))
      return;
    Match decision = match(op);
    if (!decision.fuses() && decision.getRejection())
      rejections.push_back(*decision.getRejection());
  });
  for (const Rejection &rejection : rejections)
    recordRejection(pass, kind, rejection);
}
