//===- VectorEmitter.cpp - building vector kernels on f32 buffers ---------===//

#include "cnnc/Transforms/VectorEmitter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <algorithm>

using namespace mlir;
using cnnc::VectorEmitter;

Value VectorEmitter::index(int64_t value) {
  return b.create<arith::ConstantIndexOp>(loc, value);
}

Value VectorEmitter::add(Value lhs, Value rhs) {
  return b.create<arith::AddIOp>(loc, lhs, rhs);
}

Value VectorEmitter::add(Value lhs, int64_t rhs) {
  return rhs == 0 ? lhs : add(lhs, index(rhs));
}

Value VectorEmitter::mul(Value lhs, int64_t rhs) {
  return rhs == 1 ? lhs : b.create<arith::MulIOp>(loc, lhs, index(rhs));
}

Value VectorEmitter::divide(Value lhs, int64_t rhs) {
  return rhs == 1 ? lhs : b.create<arith::DivUIOp>(loc, lhs, index(rhs));
}

VectorType VectorEmitter::vectorType(int64_t width) {
  return VectorType::get({width}, b.getF32Type());
}

Value VectorEmitter::mask(int64_t width, int64_t active) {
  active = std::clamp<int64_t>(active, 0, width);
  return b.create<vector::CreateMaskOp>(
      loc, VectorType::get({width}, b.getI1Type()), ValueRange{index(active)});
}

Value VectorEmitter::zeros(int64_t width) {
  return b.create<arith::ConstantOp>(
      loc, DenseElementsAttr::get(vectorType(width), b.getF32FloatAttr(0)));
}

Value VectorEmitter::loadRow(Value memref, SmallVector<Value> indices,
                             Value column, int64_t stride, int64_t valid) {
  indices.push_back(column);
  if (valid <= 0)
    return zeros(lanes);
  if (stride == 1) {
    if (valid >= lanes)
      return b.create<vector::LoadOp>(loc, vectorType(lanes), memref, indices);
    return b.create<vector::MaskedLoadOp>(loc, vectorType(lanes), memref,
                                          indices, mask(lanes, valid),
                                          zeros(lanes));
  }
  // One masked load of the span that covers the strided lanes, then a
  // shuffle that keeps every stride-th lane.
  int64_t span = lanes * stride;
  int64_t needed = (std::min(valid, lanes) - 1) * stride + 1;
  Value wide = b.create<vector::MaskedLoadOp>(
      loc, vectorType(span), memref, indices, mask(span, needed), zeros(span));
  SmallVector<int64_t> picks;
  for (int64_t lane = 0; lane < lanes; ++lane)
    picks.push_back(lane * stride);
  return b.create<vector::ShuffleOp>(loc, wide, wide, picks);
}

Value VectorEmitter::loadOutput(Value memref, SmallVector<Value> indices,
                                int64_t valid) {
  Value column = indices.pop_back_val();
  return loadRow(memref, std::move(indices), column, 1, valid);
}

void VectorEmitter::storeRow(Value value, Value memref, ValueRange indices,
                             int64_t valid) {
  if (valid <= 0)
    return;
  if (valid >= lanes) {
    b.create<vector::StoreOp>(loc, value, memref, indices);
    return;
  }
  b.create<vector::MaskedStoreOp>(loc, memref, indices, mask(lanes, valid),
                                  value);
}

Value VectorEmitter::loadVector(Value memref, ValueRange indices) {
  return b.create<vector::LoadOp>(loc, vectorType(lanes), memref, indices);
}

Value VectorEmitter::loadPrefix(Value memref, ValueRange indices,
                                int64_t valid) {
  SmallVector<Value> rest(indices);
  Value column = rest.pop_back_val();
  return loadRow(memref, rest, column, 1, valid);
}

void VectorEmitter::storeVector(Value value, Value memref, ValueRange indices) {
  b.create<vector::StoreOp>(loc, value, memref, indices);
}

Value VectorEmitter::loadScalar(Value memref, ValueRange indices) {
  return b.create<memref::LoadOp>(loc, memref, indices);
}

Value VectorEmitter::broadcast(Value scalar) {
  return b.create<vector::BroadcastOp>(loc, vectorType(lanes), scalar);
}

Value VectorEmitter::shuffle(Value vector, ArrayRef<int64_t> picks) {
  return b.create<vector::ShuffleOp>(loc, vector, vector, picks);
}

Value VectorEmitter::combinePairwise(
    ArrayRef<Value> values, function_ref<Value(Value, Value)> combine) {
  assert(!values.empty() && "nothing to combine");
  SmallVector<Value> terms(values);
  while (terms.size() > 1) {
    SmallVector<Value> next;
    for (size_t i = 0; i + 1 < terms.size(); i += 2)
      next.push_back(combine(terms[i], terms[i + 1]));
    if (terms.size() % 2)
      next.push_back(terms.back());
    terms = std::move(next);
  }
  return terms.front();
}

SmallVector<Value> VectorEmitter::transpose(ArrayRef<Value> rows) {
  int64_t size = static_cast<int64_t>(rows.size());
  SmallVector<Value> r(rows);
  for (int64_t half = size / 2; half >= 1; half /= 2) {
    SmallVector<int64_t> low, high;
    for (int64_t k = 0; k < size; ++k) {
      bool first = k % (2 * half) < half;
      low.push_back(first ? k : size + k - half);
      high.push_back(first ? k + half : size + k);
    }
    SmallVector<Value> next(r);
    for (int64_t i = 0; i < size; ++i) {
      if (i % (2 * half) >= half)
        continue;
      next[i] = b.create<vector::ShuffleOp>(loc, r[i], r[i + half], low);
      next[i + half] =
          b.create<vector::ShuffleOp>(loc, r[i], r[i + half], high);
    }
    r = std::move(next);
  }
  return r;
}

Value VectorEmitter::multiplyAdd(Value acc, Value lhs, Value rhs) {
  // llvm.fmuladd, not a multiply and an add marked `contract`: those fuse
  // only when instruction selection finds both in one basic block, which
  // depends on where LLVM's loop passes put them, and so could differ
  // between two copies of the same kernel (results would depend on the
  // thread count). fmuladd fuses wherever the target has a fast FMA, and
  // nowhere else, the same way in every copy.
  return b.create<LLVM::FMulAddOp>(loc, lhs, rhs, acc);
}

Value VectorEmitter::broadcastScalar(Value memref, ValueRange indices) {
  Value scalar = b.create<memref::LoadOp>(loc, memref, indices);
  return b.create<vector::BroadcastOp>(loc, vectorType(lanes), scalar);
}

SmallVector<Value> VectorEmitter::loopCarrying(int64_t extent, ValueRange init,
                                               CarriedBody body) {
  if (extent == 1)
    return body(index(0), init);
  auto loop = b.create<scf::ForOp>(
      loc, index(0), index(extent), index(1), init,
      [&](OpBuilder &nested, Location, Value iv, ValueRange carried) {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPointToEnd(nested.getInsertionBlock());
        b.create<scf::YieldOp>(loc, body(iv, carried));
      });
  return SmallVector<Value>(loop.getResults());
}

SmallVector<Value> VectorEmitter::loopCarrying(Value begin, Value end,
                                               ValueRange init,
                                               CarriedBody body) {
  auto loop = b.create<scf::ForOp>(
      loc, begin, end, index(1), init,
      [&](OpBuilder &nested, Location, Value iv, ValueRange carried) {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPointToEnd(nested.getInsertionBlock());
        b.create<scf::YieldOp>(loc, body(iv, carried));
      });
  return SmallVector<Value>(loop.getResults());
}

void VectorEmitter::loop(int64_t begin, int64_t end, int64_t step,
                         function_ref<void(Value)> body) {
  if (begin >= end)
    return;
  if (end - begin <= step) {
    body(index(begin));
    return;
  }
  b.create<scf::ForOp>(loc, index(begin), index(end), index(step), ValueRange{},
                       [&](OpBuilder &nested, Location, Value iv, ValueRange) {
                         OpBuilder::InsertionGuard guard(b);
                         b.setInsertionPointToEnd(nested.getInsertionBlock());
                         body(iv);
                         b.create<scf::YieldOp>(loc);
                       });
}

void VectorEmitter::blocks(int64_t extent, int64_t block,
                           function_ref<void(Value, int64_t)> body) {
  int64_t fullEnd = extent / block * block;
  loop(0, fullEnd, block, [&](Value begin) { body(begin, block); });
  if (fullEnd < extent)
    body(index(fullEnd), extent - fullEnd);
}

void VectorEmitter::parallel(ArrayRef<int64_t> extents,
                             function_ref<void(ValueRange)> body) {
  if (llvm::any_of(extents, [](int64_t extent) { return extent <= 0; }))
    return;
  // One dimension of the loop per extent of more than one point; the
  // others are index 0.
  SmallVector<Value> lower, upper, steps;
  for (int64_t extent : extents)
    if (extent > 1) {
      lower.push_back(index(0));
      upper.push_back(index(extent));
      steps.push_back(index(1));
    }
  auto expand = [&](ValueRange ivs) {
    SmallVector<Value> indices;
    size_t next = 0;
    for (int64_t extent : extents)
      indices.push_back(extent > 1 ? ivs[next++] : index(0));
    return indices;
  };
  if (lower.empty()) {
    body(expand({}));
    return;
  }
  b.create<scf::ParallelOp>(loc, lower, upper, steps,
                            [&](OpBuilder &nested, Location, ValueRange ivs) {
                              OpBuilder::InsertionGuard guard(b);
                              b.setInsertionPointToEnd(
                                  nested.getInsertionBlock());
                              body(expand(ivs));
                            });
}

LogicalResult cnnc::rewriteExistingOpsOnce(Operation *root,
                                           RewritePatternSet &&patterns) {
  GreedyRewriteConfig config;
  config.strictMode = GreedyRewriteStrictness::ExistingOps;
  return applyPatternsAndFoldGreedily(root, std::move(patterns), config);
}
