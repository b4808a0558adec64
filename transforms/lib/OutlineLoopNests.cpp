//===- OutlineLoopNests.cpp - one function per loop nest ------------------===//
//
// After lowering, a model is one function holding every layer's loop nests.
// LLVM's optimizations scale worse than linearly with the size of a function
// (dominator tree updates in the loop passes): DenseNet-121 took minutes to
// compile. Each top-level loop nest of a function becomes its own private,
// non-inlined function, called in place; the views and constants it uses are
// rebuilt inside it, so its arguments are the function's own buffers (the
// model's inputs, outputs and arena), which keep their simple layouts.
//
// The byte offsets of its views of the arena are arguments instead: nests
// that differ only in where their buffers lie (fills of padding borders,
// reorders, pools, element-wise ops of one shape; DenseNet-121's 517 nests
// are 262 functions) become one function, called with each one's offsets,
// so that LLVM optimizes and compiles each body once. MLIR has no pass that
// merges functions, and LLVM's MergeFunctions merges only identical ones.
// The weights stay globals that the nest names itself: passed in as
// arguments too, the nests of same-shape convolutions would have merged
// (DenseNet-121: 223 functions, 11.1-11.5 s to compile, 12.9 without), but
// LLVM then kept the filter addresses of the kernels' prefetches in
// registers and spilled them, and DenseNet-121 ran 7% slower.
//
//===----------------------------------------------------------------------===//

#include "cnnc/Transforms/Outlining.h"
#include "cnnc/Transforms/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/OperationSupport.h"
#include "mlir/Transforms/RegionUtils.h"

#include <functional>

namespace cnnc {
#define GEN_PASS_DEF_CNNOUTLINELOOPNESTS
#include "cnnc/Transforms/Passes.h.inc"
} // namespace cnnc

using namespace mlir;

namespace {} // namespace

bool cnnc::isRebuildable(Operation *op) {
  return op && op->getNumRegions() == 0 && isMemoryEffectFree(op) &&
         isa<arith::ConstantOp, memref::ViewOp, memref::SubViewOp,
             memref::ExpandShapeOp, memref::CollapseShapeOp,
             memref::GetGlobalOp, memref::ReinterpretCastOp, memref::CastOp,
             arith::AddIOp, arith::MulIOp>(op);
}

namespace {

/// A hash of what a function does, blind to its name and to which values
/// its ops use: equal for the functions that may be the same.
llvm::hash_code hashBody(func::FuncOp func) {
  llvm::hash_code hash = hash_value(func.getFunctionType());
  func.getBody().walk([&](Operation *op) {
    hash =
        llvm::hash_combine(hash, OperationEquivalence::computeHash(
                                     op, OperationEquivalence::ignoreHashValue,
                                     OperationEquivalence::ignoreHashValue,
                                     OperationEquivalence::IgnoreLocations));
  });
  return hash;
}

struct OutlineLoopNests
    : cnnc::impl::CNNOutlineLoopNestsBase<OutlineLoopNests> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    SmallVector<std::pair<func::FuncOp, func::CallOp>> outlined;
    for (func::FuncOp func : llvm::to_vector(module.getOps<func::FuncOp>())) {
      if (func.isExternal() || func.isPrivate() ||
          !llvm::hasSingleElement(func.getBody()))
        continue;
      unsigned count = 0;
      Operation *last = func;
      for (Operation &op : llvm::make_early_inc_range(func.getBody().front())) {
        if (op.getNumRegions() == 0 || op.getNumResults() != 0 ||
            op.hasTrait<OpTrait::IsTerminator>())
          continue;
        outlined.push_back(outline(func, &op, last, symbols, count++));
        last = outlined.back().first;
      }
      // The views and constants that only the nests used are dead now.
      for (Operation &op :
           llvm::make_early_inc_range(llvm::reverse(func.getBody().front())))
        if (cnnc::isRebuildable(&op) && op.use_empty())
          op.erase();
    }
    shareIdenticalNests(outlined);
  }

  /// Replaces each nest whose function is the same as an earlier one's, up
  /// to names, by that earlier function.
  void
  shareIdenticalNests(ArrayRef<std::pair<func::FuncOp, func::CallOp>> nests) {
    DenseMap<llvm::hash_code, SmallVector<func::FuncOp>> kept;
    for (auto [nest, call] : nests) {
      SmallVector<func::FuncOp> &same = kept[hashBody(nest)];
      auto original = llvm::find_if(same, [&](func::FuncOp other) {
        return other.getFunctionType() == nest.getFunctionType() &&
               OperationEquivalence::isRegionEquivalentTo(
                   &other.getBody(), &nest.getBody(),
                   OperationEquivalence::IgnoreLocations);
      });
      if (original == same.end()) {
        same.push_back(nest);
        continue;
      }
      // The nest's one call is the one made when it was outlined.
      call.setCallee(original->getSymName());
      nest.erase();
    }
  }

  /// Outlines `nest` into a new function placed after `after`; returns it
  /// and the call that replaces the nest.
  std::pair<func::FuncOp, func::CallOp>
  outline(func::FuncOp parent, Operation *nest, Operation *after,
          SymbolTable &symbols, unsigned index) {
    // What the nest uses from outside: the definitions it rebuilds and the
    // values that become arguments, both in the order the nest first uses
    // them (operands before the ops that use them), so that two nests that
    // do the same get the same function whatever the order of the parent's
    // ops.
    SetVector<Value> used;
    getUsedValuesDefinedAbove(nest->getRegions(), used);
    used.insert(nest->operand_begin(), nest->operand_end());
    SetVector<Operation *> rebuilt;
    SetVector<Value> arguments;
    std::function<void(Value)> visit = [&](Value value) {
      Operation *def = value.getDefiningOp();
      if (!cnnc::isRebuildable(def)) {
        arguments.insert(value);
        return;
      }
      if (rebuilt.contains(def))
        return;
      // A view's byte offset is an argument of its own (below), even where
      // the same constant also serves the nest as something else.
      auto view = dyn_cast<memref::ViewOp>(def);
      for (OpOperand &operand : def->getOpOperands())
        if (!view || &operand != &view.getByteShiftMutable())
          visit(operand.get());
      rebuilt.insert(def);
    };
    nest->walk<WalkOrder::PreOrder>([&](Operation *op) {
      for (Value operand : op->getOperands())
        if (used.contains(operand))
          visit(operand);
    });

    // The views' offsets come after the other arguments, in the order the
    // views are rebuilt.
    SmallVector<Value> callArguments(arguments.begin(), arguments.end());
    for (Operation *op : rebuilt)
      if (auto view = dyn_cast<memref::ViewOp>(op))
        callArguments.push_back(view.getByteShift());

    OpBuilder b(parent);
    b.setInsertionPointAfter(after);
    SmallVector<Type> types;
    for (Value value : callArguments)
      types.push_back(value.getType());
    std::string name = (parent.getSymName() + "_nest" + Twine(index)).str();
    auto outlined = b.create<func::FuncOp>(nest->getLoc(), name,
                                           b.getFunctionType(types, {}));
    outlined.setPrivate();
    // One function per nest is the point: keep LLVM from inlining it back.
    outlined->setAttr("passthrough",
                      b.getArrayAttr(b.getStringAttr("noinline")));
    symbols.insert(outlined, Block::iterator(after->getNextNode()));

    Block *body = outlined.addEntryBlock();
    IRMapping mapping;
    for (auto [value, argument] : llvm::zip(arguments, body->getArguments()))
      mapping.map(value, argument);
    b.setInsertionPointToStart(body);
    // Definitions come before their users: each one's operands were
    // visited before it.
    unsigned offsetArgument = arguments.size();
    for (Operation *op : rebuilt) {
      Operation *copy = b.clone(*op, mapping);
      if (auto view = dyn_cast<memref::ViewOp>(copy))
        view.getByteShiftMutable().assign(body->getArgument(offsetArgument++));
    }
    b.clone(*nest, mapping);
    b.create<func::ReturnOp>(nest->getLoc());

    OpBuilder callBuilder(nest);
    auto call = callBuilder.create<func::CallOp>(nest->getLoc(), outlined,
                                                 callArguments);
    nest->erase();
    return {outlined, call};
  }
};

} // namespace
