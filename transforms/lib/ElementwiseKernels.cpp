//===- ElementwiseKernels.cpp - element-wise generics as vector loops -----===//
//
// An element-wise linalg.generic that no convolution kernel took over (in
// the NCHW layout: a squeeze-and-excitation scale, a residual add, an
// activation on the model's input) is otherwise left to LLVM's loop
// vectorizer, which gives up on most of them: its operands are views of
// one arena, and the vectorizer cannot prove that a broadcast operand (the
// SE scale of a channel) does not alias the output it stores to, so the
// loop ran one element at a time. Here such a generic becomes loops over
// its outer dimensions (scf.parallel) and, along its innermost dimension,
// `lanes`-wide vectors (the last one masked): operands indexed by that
// dimension are loaded as vectors, the others as scalars broadcast to every
// lane, and the body's element-wise ops are applied to vectors. Upstream's
// linalg::vectorize would need the generic tiled to vector-sized pieces
// first and masked transfers lowered after; the pattern below does both in
// one step with the kernels' own VectorEmitter, as ReductionKernels.cpp
// does for sums.
//
//===----------------------------------------------------------------------===//

#include "BlockedKernelSupport.h"
#include "BlockedKernels.h"

#include "mlir/IR/IRMapping.h"

using namespace mlir;
using namespace cnnc;
using namespace cnnc::blocked;

namespace {

/// Rows (after merging) shorter than this stay scalar: a vector would be mostly
/// masked lanes.
constexpr int64_t kMinInnerExtent = 4;

/// How an operand is read along the innermost loop dimension.
enum class Access { Vector, Broadcast };

/// Whether `map` (of an operand) reads along the innermost loop dimension
/// contiguously (it is the operand's last result) or not at all; every
/// result a loop dimension or the constant 0.
std::optional<Access> accessOf(AffineMap map, unsigned innermost) {
  for (auto [i, result] : llvm::enumerate(map.getResults())) {
    if (auto constant = dyn_cast<AffineConstantExpr>(result)) {
      if (constant.getValue() != 0)
        return std::nullopt;
      continue;
    }
    auto dim = dyn_cast<AffineDimExpr>(result);
    if (!dim)
      return std::nullopt;
    if (dim.getPosition() == innermost)
      return i + 1 == map.getNumResults() ? std::optional(Access::Vector)
                                          : std::nullopt;
  }
  return Access::Broadcast;
}

/// Whether the loop dimension `dim` can join the `merged` innermost ones
/// (one run of memory in every operand): each vector operand's last
/// results are dimensions dim, dim + 1, ... in order, over contiguous
/// memory; no broadcast operand depends on it.
bool canMerge(linalg::GenericOp generic, ArrayRef<Access> accesses,
              unsigned dim, unsigned merged) {
  for (OpOperand &operand : generic->getOpOperands()) {
    AffineMap map = generic.getMatchingIndexingMap(&operand);
    if (accesses[operand.getOperandNumber()] == Access::Broadcast) {
      if (map.isFunctionOfDim(dim))
        return false;
      continue;
    }
    unsigned results = map.getNumResults();
    if (results < merged + 1)
      return false;
    for (unsigned i = 0; i <= merged; ++i) {
      auto expr =
          dyn_cast<AffineDimExpr>(map.getResult(results - 1 - merged + i));
      if (!expr || expr.getPosition() != dim + i)
        return false;
    }
    auto type = cast<MemRefType>(operand.get().getType());
    SmallVector<ReassociationIndices> groups;
    for (unsigned i = 0; i + merged + 1 < results; ++i)
      groups.push_back({static_cast<int64_t>(i)});
    ReassociationIndices last;
    for (unsigned i = results - merged - 1; i < results; ++i)
      last.push_back(i);
    groups.push_back(last);
    if (!memref::CollapseShapeOp::isGuaranteedCollapsible(type, groups))
      return false;
  }
  return true;
}

/// Whether an input reads the output's buffer other than element for
/// element (through another map or another view of it): the loops would
/// then see values that earlier iterations wrote, in an order that vectors
/// change.
bool readsOutputElsewhere(linalg::GenericOp generic) {
  for (OpOperand *input : generic.getDpsInputOperands())
    for (OpOperand &init : generic.getDpsInitsMutable())
      if (rootBuffer(input->get()) == rootBuffer(init.get()) &&
          !(input->get() == init.get() &&
            generic.getMatchingIndexingMap(input) ==
                generic.getMatchingIndexingMap(&init)))
        return true;
  return false;
}

/// Whether the body's ops can be applied lane by lane to vectors: ops of
/// f32 and i1 values that are element-wise and vectorizable (arith, math).
bool hasVectorizableBody(linalg::GenericOp generic) {
  for (Operation &op : generic.getRegion().front().without_terminator()) {
    bool constant = isa<arith::ConstantOp>(op);
    if (!constant &&
        (!op.hasTrait<OpTrait::Elementwise>() ||
         !op.hasTrait<OpTrait::Vectorizable>() || op.getNumRegions() != 0))
      return false;
    auto scalar = [](Type type) { return type.isF32() || type.isInteger(1); };
    if (!llvm::all_of(op.getOperandTypes(), scalar) ||
        !llvm::all_of(op.getResultTypes(), scalar))
      return false;
  }
  return true;
}

struct ElementwiseLowering : OpRewritePattern<linalg::GenericOp> {
  ElementwiseLowering(MLIRContext *context, int64_t lanes)
      : OpRewritePattern(context), lanes(lanes) {}

  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    if (hasCnncAnnotation(op))
      return failure();
    if (!op.hasPureBufferSemantics() || op.getNumLoops() == 0 ||
        op.getNumReductionLoops() != 0)
      return failure();
    if (!llvm::all_of(op->getOperands(), isUsableBuffer))
      return rewriter.notifyMatchFailure(op, "needs static f32 buffers");
    unsigned innermost = op.getNumLoops() - 1;
    SmallVector<int64_t> extents = op.getStaticLoopRanges();
    SmallVector<Access> accesses;
    for (OpOperand &operand : op->getOpOperands()) {
      AffineMap map = op.getMatchingIndexingMap(&operand);
      std::optional<Access> access = accessOf(map, innermost);
      if (!access)
        return rewriter.notifyMatchFailure(op, "operand not contiguous");
      accesses.push_back(*access);
    }
    for (OpOperand &init : op.getDpsInitsMutable())
      if (!op.getMatchingIndexingMap(&init).isIdentity())
        return rewriter.notifyMatchFailure(op, "output not the loop nest");
    if (!hasVectorizableBody(op))
      return rewriter.notifyMatchFailure(op, "body not element-wise");
    if (readsOutputElsewhere(op))
      return rewriter.notifyMatchFailure(op, "reads its output elsewhere");

    // Short rows join the dimensions outside them where memory allows: a
    // 7 x 7 image is 49 elements in a row rather than 7 rows of 7.
    unsigned merged = 1;
    int64_t inner = extents[innermost];
    while (merged < op.getNumLoops() && inner < 4 * lanes &&
           canMerge(op, accesses, innermost - merged, merged)) {
      inner *= extents[innermost - merged];
      ++merged;
    }
    unsigned firstMerged = op.getNumLoops() - merged;
    if (inner < kMinInnerExtent)
      return rewriter.notifyMatchFailure(op, "rows too short");

    Location loc = op.getLoc();
    VectorEmitter e(rewriter, loc, lanes);
    Block &body = op.getRegion().front();
    auto vectorOf = [&](Type type) { return VectorType::get({lanes}, type); };
    // Vector operands with their merged dimensions as one.
    SmallVector<Value> memrefs;
    for (OpOperand &operand : op->getOpOperands()) {
      Value memref = operand.get();
      unsigned rank = cast<MemRefType>(memref.getType()).getRank();
      if (accesses[operand.getOperandNumber()] == Access::Vector &&
          merged > 1) {
        SmallVector<ReassociationIndices> groups;
        for (unsigned i = 0; i + merged < rank; ++i)
          groups.push_back({static_cast<int64_t>(i)});
        ReassociationIndices last;
        for (unsigned i = rank - merged; i < rank; ++i)
          last.push_back(i);
        groups.push_back(last);
        memref = rewriter.create<memref::CollapseShapeOp>(loc, memref, groups);
      }
      memrefs.push_back(memref);
    }
    ArrayRef<int64_t> outer =
        ArrayRef<int64_t>(extents).take_front(firstMerged);
    e.parallel(outer, [&](ValueRange outerIndices) {
      e.blocks(inner, lanes, [&](Value begin, int64_t valid) {
        // The operands' elements at these loop indices.
        IRMapping mapping;
        for (OpOperand &operand : op->getOpOperands()) {
          AffineMap map = op.getMatchingIndexingMap(&operand);
          SmallVector<Value> indices;
          for (AffineExpr result : map.getResults()) {
            auto dim = dyn_cast<AffineDimExpr>(result);
            if (!dim)
              indices.push_back(e.index(0));
            else if (dim.getPosition() < firstMerged)
              indices.push_back(outerIndices[dim.getPosition()]);
            else if (dim.getPosition() == innermost)
              indices.push_back(begin);
          }
          Value memref = memrefs[operand.getOperandNumber()];
          Value value =
              accesses[operand.getOperandNumber()] == Access::Vector
                  ? (valid == lanes ? e.loadVector(memref, indices)
                                    : e.loadPrefix(memref, indices, valid))
                  : e.broadcastScalar(memref, indices);
          mapping.map(body.getArgument(operand.getOperandNumber()), value);
        }
        // The body on vectors; values from outside it in every lane.
        auto lookup = [&](Value scalar) {
          if (Value vector = mapping.lookupOrNull(scalar))
            return vector;
          Value vector = rewriter.create<vector::BroadcastOp>(
              loc, vectorOf(scalar.getType()), scalar);
          mapping.map(scalar, vector);
          return vector;
        };
        for (Operation &scalarOp : body.without_terminator()) {
          if (auto constant = dyn_cast<arith::ConstantOp>(scalarOp)) {
            auto splat = SplatElementsAttr::get(vectorOf(constant.getType()),
                                                constant.getValue());
            mapping.map(constant.getResult(),
                        rewriter.create<arith::ConstantOp>(loc, splat));
            continue;
          }
          SmallVector<Value> operands;
          for (Value operand : scalarOp.getOperands())
            operands.push_back(lookup(operand));
          SmallVector<Type> types;
          for (Type type : scalarOp.getResultTypes())
            types.push_back(vectorOf(type));
          Operation *vectorOp =
              rewriter.create(loc, scalarOp.getName().getIdentifier(), operands,
                              types, scalarOp.getAttrs());
          mapping.map(scalarOp.getResults(), vectorOp->getResults());
        }
        auto yield = cast<linalg::YieldOp>(body.getTerminator());
        for (OpOperand &init : op.getDpsInitsMutable()) {
          SmallVector<Value> indices(outerIndices);
          indices.push_back(begin);
          e.storeRow(lookup(yield.getOperand(init.getOperandNumber() -
                                             op.getNumDpsInputs())),
                     memrefs[init.getOperandNumber()], indices, valid);
        }
      });
    });
    rewriter.eraseOp(op);
    return success();
  }

  int64_t lanes;
};

} // namespace

void cnnc::blocked::populateElementwiseKernelPatterns(
    RewritePatternSet &patterns, int64_t lanes) {
  patterns.add<ElementwiseLowering>(patterns.getContext(), lanes);
}
