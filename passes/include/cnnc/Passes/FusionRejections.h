//===- FusionRejections.h - why a candidate chain was not fused -*- C++ -*-===//
//
// A fusion pass decides, for each op that can start one of its chains (its
// anchor), whether to fuse: there is no candidate, there is a chain to fuse,
// or there is a candidate that it leaves alone for a reason. A pass writes
// that decision once, as a matcher that returns a Match, and uses it twice:
// its pattern fuses the chains, and after the rewrite recordRejections()
// asks the matcher again about every anchor left unfused and marks the ops
// of each rejected candidate with a #cnn.fusion_rejection (the discardable
// attribute cnn.fusion_rejected), which cnn-report-fusion then lists. So the
// report's reasons are the pass's own, never a guess made elsewhere; a
// plugin's fusion pass does the same (docs/writing-a-fusion-pass.md).
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_PASSES_FUSIONREJECTIONS_H
#define CNNC_PASSES_FUSIONREJECTIONS_H

#include "cnnc/Dialect/CNNOps.h"
#include "cnnc/Passes/FusionChains.h"

#include "mlir/IR/Operation.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/Twine.h"

#include <optional>
#include <string>

namespace cnnc::fusion {

/// A candidate chain left unfused: why, and its ops.
struct Rejection {
  cnn::FusionRejectReason reason;
  /// The reason in words, with the values that decided ("the middle
  /// convolution has 32 groups").
  std::string detail;
  /// The candidate's ops, as far as the matcher found them.
  llvm::SmallVector<mlir::Operation *> ops;
};

/// A matcher's decision about one anchor op.
class Match {
public:
  /// The anchor starts no chain of this pass.
  static Match none() { return Match(); }
  /// Fuse `chain`.
  static Match fuse(llvm::SmallVector<mlir::Operation *> chain) {
    Match match;
    match.chain = std::move(chain);
    return match;
  }
  /// Leave the candidate `ops` unfused, for `reason`.
  static Match reject(cnn::FusionRejectReason reason, const llvm::Twine &detail,
                      llvm::ArrayRef<mlir::Operation *> ops) {
    Match match;
    match.rejection = Rejection{reason, detail.str(),
                                llvm::SmallVector<mlir::Operation *>(ops)};
    return match;
  }

  bool fuses() const { return !chain.empty(); }
  /// The ops to fuse, in program order (empty unless fuses()).
  llvm::ArrayRef<mlir::Operation *> getChain() const { return chain; }
  /// Why a candidate is left unfused, if there is one.
  const std::optional<Rejection> &getRejection() const { return rejection; }

  /// For a pattern's matchAndRewrite: failure(), with the rejection's detail
  /// (or "no candidate") as the reason the pattern driver logs.
  mlir::LogicalResult notifyFailure(mlir::PatternRewriter &rewriter,
                                    mlir::Operation *anchor) const;

private:
  llvm::SmallVector<mlir::Operation *> chain;
  std::optional<Rejection> rejection;
};

/// Why a candidate `chain` whose convolutions meet through traced links
/// (each value paired with the Producer traced from it) cannot fuse, if
/// the links decide it: a value or link result with other users
/// (multi_use), a batch norm not folded (unsupported_op).
std::optional<Match>
rejectLinks(llvm::ArrayRef<std::pair<mlir::Value, const Producer *>> links,
            llvm::ArrayRef<mlir::Operation *> chain);

/// Marks each op of `rejection.ops` with a #cnn.fusion_rejection of `pass`
/// (its command-line name) and fusion `kind`; the ops of one call share
/// one distinct candidate. A candidate `pass` has marked before is marked
/// once.
void recordRejection(llvm::StringRef pass, llvm::StringRef kind,
                     const Rejection &rejection);

/// After a fusion pass's rewrite: asks `match` about each op under `root`
/// that is not inside a cnn.fused op and records the candidates it rejects.
void recordRejections(mlir::Operation *root, llvm::StringRef pass,
                      llvm::StringRef kind,
                      llvm::function_ref<Match(mlir::Operation *)> match);

/// The rejections recorded on `op`, oldest first.
llvm::SmallVector<cnn::FusionRejectionAttr> rejectionsOf(mlir::Operation *op);

} // namespace cnnc::fusion

#endif // CNNC_PASSES_FUSIONREJECTIONS_H
