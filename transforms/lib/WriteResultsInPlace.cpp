//===- WriteResultsInPlace.cpp - results computed in their out-parameters -===//
//
// buffer-results-to-out-params leaves every result as a buffer of its own
// and a copy into the caller's out-parameter at the end: for a model whose
// output is a feature map (a layer, a segmentation head) that copy is a
// whole extra pass over the output's memory (18% of a depthwise layer's
// time). Where the copied buffer is a plain allocation used by nothing after
// the copy, and the out-parameter by nothing but the copy, the allocation
// is replaced by the out-parameter so that its producers write the result
// where the caller wants it. Upstream's hoist-static-allocs option does the
// same at call sites, but crashes in LLVM 19 on a function that returns
// one of its arguments, and would also move allocations that escape.
//
// This makes the out-parameter hold partial results while the function
// runs, so an output must not share memory with an input or the scratch
// arena: the C entry points check that (CNNC_ERROR_OVERLAPPING_BUFFERS).
//
//===----------------------------------------------------------------------===//

#include "cnnc/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace cnnc {
#define GEN_PASS_DEF_CNNWRITERESULTSINPLACE
#include "cnnc/Transforms/Passes.h.inc"
} // namespace cnnc

using namespace mlir;

namespace {

/// Whether every use of `value`, and of the views of it, is in an
/// operation before `op` (in `op`'s block, counting the operations that
/// contain the users): a view taken before the copy and written through
/// after it would otherwise write into the out-parameter.
bool allUsesBefore(Value value, Operation *op) {
  Block *block = op->getBlock();
  for (Operation *user : value.getUsers()) {
    if (user == op)
      continue;
    Operation *ancestor = block->findAncestorOpInBlock(*user);
    if (!ancestor || !ancestor->isBeforeInBlock(op))
      return false;
    if (auto view = dyn_cast<ViewLikeOpInterface>(user))
      if (view.getViewSource() == value &&
          !llvm::all_of(user->getResults(), [&](Value result) {
            return allUsesBefore(result, op);
          }))
        return false;
  }
  return true;
}

struct CNNWriteResultsInPlace
    : cnnc::impl::CNNWriteResultsInPlaceBase<CNNWriteResultsInPlace> {
  void runOnOperation() override {
    getOperation().walk([](func::FuncOp function) {
      if (function.isExternal())
        return;
      Block &entry = function.getBody().front();
      SmallVector<memref::CopyOp> copies;
      for (Operation &op : entry)
        if (auto copy = dyn_cast<memref::CopyOp>(op))
          copies.push_back(copy);
      for (memref::CopyOp copy : copies) {
        auto result = dyn_cast<BlockArgument>(copy.getTarget());
        auto alloc = copy.getSource().getDefiningOp<memref::AllocOp>();
        if (!result || result.getOwner() != &entry || !result.hasOneUse() ||
            !alloc || alloc->getBlock() != &entry ||
            alloc.getType() != result.getType() ||
            !alloc.getType().getLayout().isIdentity() ||
            !alloc.getType().hasStaticShape() ||
            !allUsesBefore(alloc.getResult(), copy))
          continue;
        copy.erase();
        alloc.getResult().replaceAllUsesWith(result);
        alloc.erase();
      }
    });
  }
};

} // namespace
