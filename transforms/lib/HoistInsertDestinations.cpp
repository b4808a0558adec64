//===- HoistInsertDestinations.cpp - a concat's buffer before its parts ---===//
//
// Empty-tensor elimination lets a chain of destination-style ops that starts
// at a tensor.empty write straight into the slice of a bigger tensor that a
// tensor.insert_slice puts its result in, but only where that bigger tensor
// is defined before the chain's tensor.empty (the slice replaces the
// empty). The lowering of a concat or a channel shuffle builds the
// destination, a tensor.empty and the inserts of the parts one after the
// other, where the op was: after every part is computed. So only the first
// part could be written in place, and the others were computed into buffers
// of their own and copied: in ShuffleNetV2 every unit's branch, reordered to
// NCHW, was then copied into the odd channels of the shuffled tensor.
//
// This pass moves a destination's tensor.empty and its earlier inserts up to
// just before the chain of the part inserted next, when every value they
// read is defined there already. They are pure tensor ops, so moving them
// earlier changes no value; the destination's buffer only lives longer.
// (Upstream's empty-tensor elimination does not move ops; cnnc's concat
// chains place their buffer early themselves, LowerConcatChains.cpp, but a
// concat of two parts, or a shuffle's interleaving inserts, do not.)
//
//===----------------------------------------------------------------------===//

#include "DestinationChains.h"
#include "cnnc/Transforms/Passes.h"

namespace cnnc {
#define GEN_PASS_DEF_CNNHOISTINSERTDESTINATIONS
#include "cnnc/Transforms/Passes.h.inc"
} // namespace cnnc

using namespace mlir;

namespace {

/// Whether `value`, read by an op of `point`'s block, is available just
/// before `point`: defined outside that block (so around it) or before
/// `point` in it.
bool isDefinedBefore(Value value, Operation *point) {
  Operation *def = value.getDefiningOp();
  return !def || def->getBlock() != point->getBlock() ||
         def->isBeforeInBlock(point);
}

/// Moves the ops that define `insert`'s destination before the start of its
/// source's chain, where that is possible; returns whether it moved any.
bool hoistDestination(tensor::InsertSliceOp insert) {
  tensor::EmptyOp start = cnnc::destinationChainStart(insert.getSource());
  if (!start || start->getBlock() != insert->getBlock())
    return false;
  // The destination's chain of inserts back to its tensor.empty, newest
  // first, stopping where it is already defined before `start`.
  SmallVector<Operation *> chain;
  for (Value dest = insert.getDest();;) {
    Operation *def = dest.getDefiningOp();
    if (!def || def->getBlock() != start->getBlock())
      return false;
    if (def->isBeforeInBlock(start))
      break;
    chain.push_back(def);
    if (isa<tensor::EmptyOp>(def))
      break;
    auto earlier = dyn_cast<tensor::InsertSliceOp>(def);
    if (!earlier)
      return false;
    dest = earlier.getDest();
  }
  if (chain.empty())
    return false;
  // Everything else they read (an earlier part, dynamic sizes) must be
  // defined before `start`.
  for (Operation *op : chain)
    for (Value operand : op->getOperands()) {
      Operation *def = operand.getDefiningOp();
      if (!llvm::is_contained(chain, def) && !isDefinedBefore(operand, start))
        return false;
    }
  for (Operation *op : llvm::reverse(chain))
    op->moveBefore(start);
  return true;
}

struct CNNHoistInsertDestinations
    : cnnc::impl::CNNHoistInsertDestinationsBase<CNNHoistInsertDestinations> {
  void runOnOperation() override {
    SmallVector<tensor::InsertSliceOp> inserts;
    getOperation().walk(
        [&](tensor::InsertSliceOp insert) { inserts.push_back(insert); });
    for (tensor::InsertSliceOp insert : inserts)
      hoistDestination(insert);
  }
};

} // namespace
