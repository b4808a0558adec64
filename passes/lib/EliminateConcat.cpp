//===- EliminateConcat.cpp - concatenations that extend earlier ones ------===//
//
// DenseNet's dense block concatenates all earlier feature maps before each
// layer. Written flat, each concat looks independent and is materialised
// anew; written as concat(previous concat, new maps), the chain is visible
// and code generation keeps one buffer for it (see LowerConcatChains.cpp).
//
//===----------------------------------------------------------------------===//

#include "cnnc/Dialect/CNNOps.h"
#include "cnnc/Passes/Passes.h"

#include "mlir/IR/PatternMatch.h"

namespace cnnc {
#define GEN_PASS_DEF_CNNELIMINATECONCAT
#include "cnnc/Passes/Passes.h.inc"
} // namespace cnnc

using namespace mlir;
using namespace cnnc::cnn;

namespace {

/// A concat of the block and the operands it was written with (before it
/// was rewritten to extend an earlier one).
struct SeenConcat {
  ConcatOp op;
  SmallVector<Value> operands;
};

/// Whether `prefix` is a leading part of `operands`, shorter than all of it.
bool isProperPrefix(ArrayRef<Value> prefix, OperandRange operands) {
  return prefix.size() < operands.size() &&
         std::equal(prefix.begin(), prefix.end(), operands.begin());
}

struct CNNEliminateConcatPass
    : cnnc::impl::CNNEliminateConcatBase<CNNEliminateConcatPass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    getOperation().walk([&](Block *block) {
      // Concats seen so far in this block, in order: a candidate prefix
      // precedes (so dominates) the concat it would start.
      SmallVector<SeenConcat> earlier;
      for (Operation &op : llvm::make_early_inc_range(*block)) {
        auto concat = dyn_cast<ConcatOp>(op);
        if (!concat || concat.getInterleave())
          continue;
        SmallVector<Value> operands(concat.getInputs());
        SeenConcat *longest = nullptr;
        for (SeenConcat &candidate : earlier)
          if (candidate.operands.size() > 1 &&
              isProperPrefix(candidate.operands, concat.getInputs()) &&
              (!longest ||
               candidate.operands.size() > longest->operands.size()))
            longest = &candidate;
        if (longest) {
          SmallVector<Value> inputs{longest->op.getResult()};
          llvm::append_range(inputs, ArrayRef<Value>(operands).drop_front(
                                         longest->operands.size()));
          rewriter.setInsertionPoint(concat);
          concat = rewriter.replaceOpWithNewOp<ConcatOp>(
              concat, concat.getType(), inputs, /*interleave=*/false);
        }
        earlier.push_back({concat, std::move(operands)});
      }
    });
  }
};

} // namespace
