//===- FuseSqueezeExcite.cpp - SE blocks as one fused op ------------------===//

#include "cnnc/Dialect/CNNOps.h"
#include "cnnc/Passes/FusionChains.h"
#include "cnnc/Passes/FusionRejections.h"
#include "cnnc/Passes/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/SetVector.h"

#include <fmt/format.h>

namespace cnnc {
#define GEN_PASS_DEF_CNNFUSESQUEEZEEXCITE
#include "cnnc/Passes/Passes.h.inc"
} // namespace cnnc

using namespace mlir;
using namespace cnnc::cnn;
using cnnc::fusion::Match;
using Reason = cnnc::cnn::FusionRejectReason;

namespace {

/// Most ops between the pool and the scale: SE's excitation is a handful
/// (two 1x1 convolutions or dense layers, their activations, reshapes).
constexpr size_t kMaxExcitationOps = 16;

/// Why the excitation cannot move into a fused op.
struct ExcitationProblem {
  Reason reason;
  std::string detail;
};

/// The ops computing the scale from the pooled vector: everything reachable
/// from `pooled` before `scale`, provided none reads `x` itself and nothing
/// outside reads them; else what stands in the way.
FailureOr<SmallVector<Operation *>>
collectExcitation(Value pooled, MulOp scale, Value x,
                  std::optional<ExcitationProblem> &problem) {
  auto fail = [&](Reason reason, std::string detail) {
    problem = ExcitationProblem{reason, std::move(detail)};
    return failure();
  };
  llvm::SetVector<Operation *> ops;
  SmallVector<Value> worklist{pooled};
  while (!worklist.empty()) {
    Value value = worklist.pop_back_val();
    for (Operation *user : value.getUsers()) {
      if (user == scale.getOperation() || ops.contains(user))
        continue;
      // Pure ops only: the excitation moves into the fused op's body.
      if (ops.size() == kMaxExcitationOps)
        return fail(Reason::Limit,
                    fmt::format("the excitation has more than {} ops",
                                kMaxExcitationOps));
      if (user->getBlock() != scale->getBlock() || user->getNumRegions() ||
          user->getNumResults() != 1 || !cnnc::fusion::isUnfused(user) ||
          !isMemoryEffectFree(user)) {
        std::string read = value == pooled
                               ? std::string("the pooled vector")
                               : "the result of " + cnnc::fusion::describeOp(
                                                        value.getDefiningOp());
        // A return or a store is a user outside; anything else that cannot
        // move is an op the fused body cannot hold.
        if (user->getNumResults() == 0)
          return fail(Reason::MultiUse,
                      fmt::format("{} is also read by {}", read,
                                  user->getName().getStringRef().str()));
        return fail(Reason::UnsupportedOp,
                    fmt::format("{} reads {} and cannot move into the fused "
                                "op",
                                cnnc::fusion::describeOp(user), read));
      }
      ops.insert(user);
      worklist.push_back(user->getResult(0));
    }
  }
  Value s = scale.getLhs() == x ? scale.getRhs() : scale.getLhs();
  if (s != pooled && !ops.contains(s.getDefiningOp()))
    return fail(Reason::UnsupportedOp,
                "the scale is not computed from the pooled vector");
  for (Operation *op : ops) {
    // Other values (parameters, other inputs) are fine; the map itself is
    // not: the scale must not need it before the pool is complete. An op
    // nothing reads is no part of the scale.
    if (llvm::is_contained(op->getOperands(), x))
      return fail(Reason::UnsupportedOp,
                  fmt::format("{} in the excitation reads the map itself, "
                              "not only its pool",
                              cnnc::fusion::describeOp(op)));
    if (op->use_empty())
      return fail(Reason::UnsupportedOp,
                  fmt::format("{} reads the pooled vector but is no part of "
                              "the scale",
                              cnnc::fusion::describeOp(op)));
    for (Operation *user : op->getResult(0).getUsers())
      if (!ops.contains(user) &&
          !(user == scale.getOperation() && op->getResult(0) == s))
        return fail(Reason::MultiUse,
                    fmt::format("the result of {} has users outside the "
                                "excitation",
                                cnnc::fusion::describeOp(op)));
  }
  return SmallVector<Operation *>(ops.begin(), ops.end());
}

/// The convolution (and its activations) producing a map, the pool of the
/// map, the excitation computing a scale from the pool, the mul scaling the
/// map, and the element-wise ops after it.
Match matchSqueezeExcite(GlobalAvgPoolOp pool) {
  if (!cnnc::fusion::isUnfused(pool))
    return Match::none();
  Value x = pool.getInput();
  // A candidate: a mul in the pool's block that scales x by something else.
  MulOp scale;
  for (Operation *user : x.getUsers())
    if (auto mul = dyn_cast<MulOp>(user))
      if (mul.getLhs() != mul.getRhs() && mul->getBlock() == pool->getBlock() &&
          cnnc::fusion::isUnfused(mul))
        scale = mul;
  if (!scale)
    return Match::none();

  cnnc::fusion::Producer producer = cnnc::fusion::traceProducer(x);
  SmallVector<Operation *> chain;
  if (producer.conv && cnnc::fusion::isUnfused(producer.conv)) {
    chain.push_back(producer.conv);
    llvm::append_range(chain, producer.links);
  }
  chain.push_back(pool);
  SmallVector<Operation *> candidate(chain);
  candidate.push_back(scale);
  int64_t users = std::distance(x.use_begin(), x.use_end());
  if (users != 2)
    return Match::reject(Reason::MultiUse,
                         fmt::format("the scaled map has {} users besides the "
                                     "pool and the scale",
                                     users - 2),
                         candidate);
  if (scale.getType() != x.getType())
    return Match::reject(Reason::Shape,
                         "the scale broadcasts the map to another shape",
                         candidate);
  if (chain.size() == 1) {
    Operation *def = x.getDefiningOp();
    return Match::reject(
        Reason::UnsupportedOp,
        def ? fmt::format("the scaled map comes from {}, not a convolution "
                          "(through activations)",
                          cnnc::fusion::describeOp(def))
            : std::string("the scaled map is an argument, not a "
                          "convolution's result"),
        candidate);
  }
  if (producer.sharedResult)
    return Match::reject(
        Reason::MultiUse,
        fmt::format("the result of {} has other users",
                    cnnc::fusion::describeOp(producer.sharedResult)),
        candidate);
  if (producer.batchNorm)
    return Match::reject(Reason::UnsupportedOp,
                         "a cnn.batch_norm after the convolution is not "
                         "folded (cnn-fold-batch-norm runs before fusion in "
                         "cnnc's pipeline)",
                         candidate);
  std::optional<ExcitationProblem> problem;
  FailureOr<SmallVector<Operation *>> excitation =
      collectExcitation(pool.getResult(), scale, x, problem);
  if (failed(excitation))
    return Match::reject(problem->reason, problem->detail, candidate);

  llvm::append_range(chain, *excitation);
  chain.push_back(scale);
  llvm::append_range(chain,
                     cnnc::fusion::collectEpilogue(scale.getResult(), true));
  // The body is cloned in order: program order is a topological order.
  llvm::sort(chain,
             [](Operation *a, Operation *b) { return a->isBeforeInBlock(b); });
  return Match::fuse(std::move(chain));
}

struct FuseSqueezeExcitePattern : OpRewritePattern<GlobalAvgPoolOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(GlobalAvgPoolOp pool,
                                PatternRewriter &rewriter) const override {
    Match match = matchSqueezeExcite(pool);
    if (!match.fuses())
      return match.notifyFailure(rewriter, pool);
    FusedOp::fuseChain(rewriter, FusionKind::SqueezeExcite, match.getChain());
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
      return signalPassFailure();
    cnnc::fusion::recordRejections(
        getOperation(), getArgument(), "squeeze_excite", [](Operation *op) {
          auto pool = dyn_cast<GlobalAvgPoolOp>(op);
          return pool ? matchSqueezeExcite(pool) : Match::none();
        });
  }
};

} // namespace
