//===- FuseSqueezeExcite.cpp - SE blocks as one fused op ------------------===//

#include "cnnc/Dialect/CNNOps.h"
#include "cnnc/Passes/FusionChains.h"
#include "cnnc/Passes/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/SetVector.h"

namespace cnnc {
#define GEN_PASS_DEF_CNNFUSESQUEEZEEXCITE
#include "cnnc/Passes/Passes.h.inc"
} // namespace cnnc

using namespace mlir;
using namespace cnnc::cnn;

namespace {

/// Most ops between the pool and the scale: SE's excitation is a handful
/// (two 1x1 convolutions or dense layers, their activations, reshapes).
constexpr size_t kMaxExcitationOps = 16;

/// The convolution (and the activations after it) producing `x`, which the
/// pool and the scaling mul both read; empty if `x` is not so produced.
SmallVector<Operation *> producerOf(Value x) {
  SmallVector<Operation *> producer;
  Operation *def = x.getDefiningOp();
  if (!def || !cnnc::fusion::isUnfused(def))
    return {};
  if (isa<Conv2DOp>(def))
    return {def};
  if (!isa<ActivationOpInterface>(def))
    return {};
  SmallVector<Operation *> activations;
  Conv2DOp conv =
      cnnc::fusion::producerThroughActivations(def->getOperand(0), activations);
  if (!conv || conv->getBlock() != def->getBlock())
    return {};
  producer.push_back(conv);
  llvm::append_range(producer, activations);
  producer.push_back(def);
  return producer;
}

/// The ops computing the scale from the pooled vector: everything reachable
/// from `pooled` before `scale`, provided none reads `x` itself and nothing
/// outside reads them. Fails (returns false) otherwise.
bool collectExcitation(Value pooled, MulOp scale, Value x,
                       SmallVectorImpl<Operation *> &excitation) {
  llvm::SetVector<Operation *> ops;
  SmallVector<Value> worklist{pooled};
  while (!worklist.empty()) {
    Value value = worklist.pop_back_val();
    for (Operation *user : value.getUsers()) {
      if (user == scale.getOperation() || ops.contains(user))
        continue;
      // Pure ops only: the excitation moves into the fused op's body.
      if (user->getBlock() != scale->getBlock() || user->getNumRegions() ||
          user->getNumResults() != 1 || !cnnc::fusion::isUnfused(user) ||
          !isMemoryEffectFree(user) || ops.size() == kMaxExcitationOps)
        return false;
      ops.insert(user);
      worklist.push_back(user->getResult(0));
    }
  }
  Value s = scale.getLhs() == x ? scale.getRhs() : scale.getLhs();
  if (s != pooled && !ops.contains(s.getDefiningOp()))
    return false;
  for (Operation *op : ops) {
    // Other values (parameters, other inputs) are fine; the map itself is
    // not: the scale must not need it before the pool is complete. An op
    // nothing reads is no part of the scale.
    if (llvm::is_contained(op->getOperands(), x) || op->use_empty())
      return false;
    for (Operation *user : op->getResult(0).getUsers())
      if (!ops.contains(user) &&
          !(user == scale.getOperation() && op->getResult(0) == s))
        return false;
  }
  excitation.assign(ops.begin(), ops.end());
  return true;
}

struct FuseSqueezeExcitePattern : OpRewritePattern<GlobalAvgPoolOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(GlobalAvgPoolOp pool,
                                PatternRewriter &rewriter) const override {
    if (!cnnc::fusion::isUnfused(pool))
      return rewriter.notifyMatchFailure(pool, "already fused");
    Value x = pool.getInput();
    // x feeds the pool and the mul that scales it, nothing else.
    MulOp scale;
    for (Operation *user : x.getUsers())
      if (auto mul = dyn_cast<MulOp>(user))
        scale = mul;
    if (!scale ||
        !llvm::all_of(x.getUsers(),
                      [&](Operation *user) {
                        return user == pool.getOperation() ||
                               user == scale.getOperation();
                      }) ||
        scale.getLhs() == scale.getRhs() || scale.getType() != x.getType() ||
        scale->getBlock() != pool->getBlock())
      return rewriter.notifyMatchFailure(pool, "input is not scaled by a mul");
    SmallVector<Operation *> producer = producerOf(x);
    if (producer.empty() || producer.front()->getBlock() != pool->getBlock())
      return rewriter.notifyMatchFailure(pool, "input is not a convolution's");
    SmallVector<Operation *> excitation;
    if (!collectExcitation(pool.getResult(), scale, x, excitation))
      return rewriter.notifyMatchFailure(
          pool, "the scale depends on more than the pooled vector");

    SmallVector<Operation *> chain(producer);
    chain.push_back(pool);
    llvm::append_range(chain, excitation);
    chain.push_back(scale);
    llvm::append_range(chain,
                       cnnc::fusion::collectEpilogue(scale.getResult(), true));
    // The body is cloned in order: program order is a topological order.
    llvm::sort(chain, [](Operation *a, Operation *b) {
      return a->isBeforeInBlock(b);
    });
    FusedOp::fuseChain(rewriter, FusionKind::SqueezeExcite, chain);
    return success();
  }
};

struct CNNFuseSqueezeExcitePass
    : cnnc::impl::CNNFuseSqueezeExciteBase<CNNFuseSqueezeExcitePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FuseSqueezeExcitePattern>(&getContext());
    if (failed(
            cnnc::fusion::fuseExistingOps(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
