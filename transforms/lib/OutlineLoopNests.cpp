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
//===----------------------------------------------------------------------===//

#include "cnnc/Transforms/Outlining.h"
#include "cnnc/Transforms/Passes.h"

#include "mlir/IR/IRMapping.h"
#include "mlir/Transforms/RegionUtils.h"

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

struct OutlineLoopNests
    : cnnc::impl::CNNOutlineLoopNestsBase<OutlineLoopNests> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
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
        last = outline(func, &op, last, symbols, count++);
      }
      // The views and constants that only the nests used are dead now.
      for (Operation &op :
           llvm::make_early_inc_range(llvm::reverse(func.getBody().front())))
        if (cnnc::isRebuildable(&op) && op.use_empty())
          op.erase();
    }
  }

  /// Outlines `nest` into a new function placed after `after`; returns it.
  Operation *outline(func::FuncOp parent, Operation *nest, Operation *after,
                     SymbolTable &symbols, unsigned index) {
    // What the nest uses from outside: rebuildable definitions (in order)
    // and the values that become arguments.
    SetVector<Value> used;
    getUsedValuesDefinedAbove(nest->getRegions(), used);
    used.insert(nest->operand_begin(), nest->operand_end());
    SetVector<Operation *> rebuilt;
    SetVector<Value> arguments;
    SmallVector<Value> worklist(used.begin(), used.end());
    while (!worklist.empty()) {
      Value value = worklist.pop_back_val();
      Operation *def = value.getDefiningOp();
      if (cnnc::isRebuildable(def)) {
        if (rebuilt.insert(def))
          worklist.append(def->operand_begin(), def->operand_end());
      } else {
        arguments.insert(value);
      }
    }

    // A stable order: the parent's arguments by position, then other
    // values by where they are defined.
    SmallVector<Value> ordered(arguments.begin(), arguments.end());
    llvm::stable_sort(ordered, [](Value x, Value y) {
      auto xArg = dyn_cast<BlockArgument>(x), yArg = dyn_cast<BlockArgument>(y);
      if (xArg || yArg)
        return xArg && (!yArg || xArg.getArgNumber() < yArg.getArgNumber());
      return x.getDefiningOp()->isBeforeInBlock(y.getDefiningOp());
    });
    arguments = SetVector<Value>(ordered.begin(), ordered.end());

    OpBuilder b(parent);
    b.setInsertionPointAfter(after);
    SmallVector<Type> types;
    for (Value value : arguments)
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
    // Definitions come before their users in the parent's block.
    SmallVector<Operation *> definitions(rebuilt.begin(), rebuilt.end());
    llvm::sort(definitions, [](Operation *x, Operation *y) {
      return x->isBeforeInBlock(y);
    });
    for (Operation *op : definitions)
      b.clone(*op, mapping);
    b.clone(*nest, mapping);
    b.create<func::ReturnOp>(nest->getLoc());

    OpBuilder call(nest);
    call.create<func::CallOp>(
        nest->getLoc(), outlined,
        SmallVector<Value>(arguments.begin(), arguments.end()));
    nest->erase();
    return outlined;
  }
};

} // namespace
