//===- LowerParallelLoops.cpp - scf.parallel on the runtime's thread pool -===//
//
// The kernels mark the loops whose iterations may run on different threads
// as scf.parallel. Code for the C API runs them on the thread pool that each
// generated library carries (target/cpu/runtime): every function gets the
// pool as its last argument, and each parallel loop worth it becomes a call
// cnnc_rt_parallel_for(pool, task, context, iterations, grain), its body a
// task function over a range of the flattened iterations.
//
// The task reads what the body used from outside from a context array of
// pointer-sized slots: buffers as their data pointers (rebuilt as memrefs
// from a descriptor, which the LLVM lowering then folds away), indices as
// integers, and the pool itself (for loops nested in the body). Views,
// constants and index arithmetic are rebuilt inside the task instead, as
// cnn-outline-loop-nests does. (Upstream's async and OpenMP lowerings would
// need their runtime libraries; a generated library needs only libc.)
//
//===----------------------------------------------------------------------===//

#include "cnnc/Target/CPU/Passes.h"
#include "cnnc/Transforms/Outlining.h"

#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/SetVector.h"

namespace cnnc {
#define GEN_PASS_DEF_CNNLOWERPARALLELLOOPS
#include "cnnc/Target/CPU/Passes.h.inc"
} // namespace cnnc

using namespace mlir;

namespace {

/// The estimated work of `region`: its arithmetic, math, vector and memory
/// ops, each times the trip counts of the loops around it inside `region`.
int64_t estimateWork(Region &region) {
  int64_t work = 0;
  for (Block &block : region)
    for (Operation &op : block) {
      if (auto loop = dyn_cast<scf::ForOp>(op)) {
        std::optional<int64_t> lb = getConstantIntValue(loop.getLowerBound()),
                               ub = getConstantIntValue(loop.getUpperBound()),
                               step = getConstantIntValue(loop.getStep());
        int64_t trips =
            lb && ub && step && *step > 0
                ? std::max<int64_t>(0, (*ub - *lb + *step - 1) / *step)
                : 1;
        work += trips * estimateWork(loop.getRegion());
        continue;
      }
      for (Region &nested : op.getRegions())
        work += estimateWork(nested);
      StringRef dialect =
          op.getDialect() ? op.getDialect()->getNamespace() : "";
      if (dialect == "arith" || dialect == "math" || dialect == "vector" ||
          isa<memref::LoadOp, memref::StoreOp>(op))
        ++work;
    }
  return work;
}

/// The trip counts of `loop`'s dimensions, if its bounds are constants.
std::optional<SmallVector<int64_t>> tripCounts(scf::ParallelOp loop) {
  SmallVector<int64_t> trips;
  for (auto [lbValue, ubValue, stepValue] :
       llvm::zip(loop.getLowerBound(), loop.getUpperBound(), loop.getStep())) {
    std::optional<int64_t> lb = getConstantIntValue(lbValue),
                           ub = getConstantIntValue(ubValue),
                           step = getConstantIntValue(stepValue);
    if (!lb || !ub || !step || *step <= 0)
      return std::nullopt;
    trips.push_back(std::max<int64_t>(0, (*ub - *lb + *step - 1) / *step));
  }
  return trips;
}

/// The iterations a parallel loop's split dimensions should give at least:
/// enough chunks for any thread count worth having on one chip, and for the
/// runtime's static partition to balance.
constexpr int64_t kSplitIterations = 64;

/// A buffer the task can rebuild from a data pointer.
bool isPlainBuffer(Type type) {
  auto memref = dyn_cast<MemRefType>(type);
  return memref && memref.hasStaticShape() && memref.getLayout().isIdentity();
}

/// The LLVM struct of a memref descriptor of `rank` dimensions.
Type descriptorType(MLIRContext *context, int64_t rank) {
  Type ptr = LLVM::LLVMPointerType::get(context);
  Type i64 = IntegerType::get(context, 64);
  SmallVector<Type> fields = {ptr, ptr, i64};
  if (rank > 0) {
    fields.push_back(LLVM::LLVMArrayType::get(i64, rank));
    fields.push_back(LLVM::LLVMArrayType::get(i64, rank));
  }
  return LLVM::LLVMStructType::getLiteral(context, fields);
}

class ParallelLowering {
public:
  ParallelLowering(ModuleOp module, int64_t minParallelWork,
                   int64_t minChunkWork)
      : module(module), symbols(module), minParallelWork(minParallelWork),
        minChunkWork(minChunkWork) {}

  void run() {
    addPoolArguments();
    SmallVector<func::FuncOp> worklist;
    for (auto func : module.getOps<func::FuncOp>())
      if (!func.isExternal())
        worklist.push_back(func);
    while (!worklist.empty()) {
      func::FuncOp func = worklist.pop_back_val();
      // The outermost parallel loops of this function; loops nested in
      // them move into their tasks, which are processed in turn.
      SmallVector<scf::ParallelOp> loops;
      func.walk<WalkOrder::PreOrder>([&](scf::ParallelOp loop) {
        loops.push_back(loop);
        return WalkResult::skip();
      });
      for (scf::ParallelOp loop : loops)
        if (func::FuncOp task = lower(func, loop))
          worklist.push_back(task);
    }
  }

private:
  Type ptrType() { return LLVM::LLVMPointerType::get(module.getContext()); }

  /// Every function with a body takes the pool last; calls pass their
  /// caller's.
  void addPoolArguments() {
    Type ptr = ptrType();
    auto *annotations =
        module.getContext()->getOrLoadDialect<cnnc::CnncDialect>();
    for (auto func : module.getOps<func::FuncOp>()) {
      if (func.isExternal())
        continue;
      unsigned position = func.getNumArguments();
      (void)func.insertArgument(position, ptr, {}, func.getLoc());
      if (!func.isPrivate())
        func.setArgAttr(position,
                        cnnc::CnncDialect::PoolAttrHelper::getNameStr(),
                        UnitAttr::get(module.getContext()));
      pools[func] = func.getArgument(position);
    }
    (void)annotations;
    module.walk([&](func::CallOp call) {
      auto callee = symbols.lookup<func::FuncOp>(call.getCallee());
      auto caller = call->getParentOfType<func::FuncOp>();
      if (!callee || callee.isExternal() || !pools.count(caller))
        return;
      call.getOperandsMutable().append(pools[caller]);
    });
  }

  func::FuncOp runtimeDeclaration(FunctionType taskType) {
    if (auto existing = symbols.lookup<func::FuncOp>(cnnc::kParallelForName))
      return existing;
    MLIRContext *context = module.getContext();
    Type i64 = IntegerType::get(context, 64);
    Type i32 = IntegerType::get(context, 32);
    auto type = FunctionType::get(
        context, {ptrType(), taskType, ptrType(), i64, i64}, {i32});
    OpBuilder b(module.getBodyRegion());
    auto declaration =
        b.create<func::FuncOp>(module.getLoc(), cnnc::kParallelForName, type);
    declaration.setPrivate();
    symbols.insert(declaration);
    return declaration;
  }

  /// Replaces `loop` in `func` by a runtime call and returns the task, or
  /// leaves it (returning null) when it is not worth threads or uses what
  /// a task cannot receive.
  func::FuncOp lower(func::FuncOp func, scf::ParallelOp loop) {
    std::optional<SmallVector<int64_t>> trips = tripCounts(loop);
    if (!trips || !loop.getInitVals().empty())
      return {};
    // Only the outer dimensions that give enough iterations are split
    // between threads; the inner ones stay loops in each iteration, so that
    // they keep their unit-stride inner loop (which LLVM vectorizes) and do
    // not pay a division per element.
    size_t splitDims = 0;
    int64_t iterations = 1;
    while (splitDims < trips->size() && iterations < kSplitIterations)
      iterations *= (*trips)[splitDims++];
    int64_t innerTrips = 1;
    for (size_t d = splitDims; d < trips->size(); ++d)
      innerTrips *= (*trips)[d];
    int64_t perIteration =
        std::max<int64_t>(1, innerTrips * estimateWork(loop.getRegion()));
    if (iterations < 2 || iterations * perIteration < minParallelWork)
      return {};
    int64_t grain =
        std::max<int64_t>(1, (minChunkWork + perIteration - 1) / perIteration);

    // What the body uses from outside: rebuildable definitions, and the
    // values that go through the context.
    SetVector<Value> used;
    getUsedValuesDefinedAbove(loop.getRegion(), used);
    used.insert(loop->operand_begin(), loop->operand_end());
    SetVector<Operation *> rebuilt;
    SetVector<Value> passed;
    SmallVector<Value> worklist(used.begin(), used.end());
    while (!worklist.empty()) {
      Value value = worklist.pop_back_val();
      Operation *def = value.getDefiningOp();
      if (def &&
          (cnnc::isRebuildable(def) ||
           isa<arith::DivUIOp, arith::RemUIOp, arith::SubIOp>(def)) &&
          isMemoryEffectFree(def)) {
        if (rebuilt.insert(def))
          worklist.append(def->operand_begin(), def->operand_end());
        continue;
      }
      if (!isPlainBuffer(value.getType()) && !value.getType().isIndex() &&
          value.getType() != ptrType())
        return {};
      passed.insert(value);
    }
    Value pool = pools.lookup(func);
    if (pool)
      passed.insert(pool);

    MLIRContext *context = module.getContext();
    Location loc = loop.getLoc();
    Type i64 = IntegerType::get(context, 64);
    Type i32 = IntegerType::get(context, 32);
    auto taskType = FunctionType::get(context, {ptrType(), i64, i64, i32}, {});

    // The context: one slot per passed value, on the caller's stack.
    OpBuilder b(func.getBody());
    Value slots = b.create<LLVM::ConstantOp>(
        loc, i64, b.getI64IntegerAttr(static_cast<int64_t>(passed.size())));
    Value contextArray =
        b.create<LLVM::AllocaOp>(loc, ptrType(), ptrType(), slots);
    b.setInsertionPoint(loop);
    for (auto [index, value] : llvm::enumerate(passed)) {
      Value slot = b.create<LLVM::GEPOp>(
          loc, ptrType(), ptrType(), contextArray,
          ArrayRef<LLVM::GEPArg>{static_cast<int32_t>(index)});
      Value stored = value;
      if (isa<MemRefType>(value.getType())) {
        Value address =
            b.create<memref::ExtractAlignedPointerAsIndexOp>(loc, value);
        stored = b.create<LLVM::IntToPtrOp>(
            loc, ptrType(), b.create<arith::IndexCastOp>(loc, i64, address));
      } else if (value.getType().isIndex()) {
        stored = b.create<arith::IndexCastOp>(loc, i64, value);
      }
      b.create<LLVM::StoreOp>(loc, stored, slot);
    }

    // The task.
    OpBuilder top(module.getBodyRegion());
    top.setInsertionPointAfter(func);
    auto task = top.create<func::FuncOp>(
        loc, (func.getSymName() + "_task" + Twine(taskCounts[func]++)).str(),
        taskType);
    task.setPrivate();
    // One copy of the task's code for every thread count: inlined into the
    // runtime's one-thread path, LLVM could order a reassociable reduction
    // differently there, and results would depend on the thread count.
    task->setAttr("passthrough", b.getArrayAttr(b.getStringAttr("noinline")));
    symbols.insert(task);
    Block *entry = task.addEntryBlock();
    OpBuilder t = OpBuilder::atBlockBegin(entry);
    IRMapping mapping;
    Value taskContext = entry->getArgument(0);
    for (auto [index, value] : llvm::enumerate(passed)) {
      Value slot = t.create<LLVM::GEPOp>(
          loc, ptrType(), ptrType(), taskContext,
          ArrayRef<LLVM::GEPArg>{static_cast<int32_t>(index)});
      Type type = value.getType();
      if (auto memref = dyn_cast<MemRefType>(type)) {
        Value data = t.create<LLVM::LoadOp>(loc, ptrType(), slot);
        mapping.map(value, rebuildMemRef(t, loc, memref, data));
      } else if (type.isIndex()) {
        Value integer = t.create<LLVM::LoadOp>(loc, i64, slot);
        mapping.map(value, t.create<arith::IndexCastOp>(loc, t.getIndexType(),
                                                        integer));
      } else {
        mapping.map(value, t.create<LLVM::LoadOp>(loc, ptrType(), slot));
      }
    }
    if (pool)
      pools[task] = mapping.lookup(pool);
    // Definitions before their users: in the order of the caller's walk.
    DenseMap<Operation *, int64_t> order;
    func.walk<WalkOrder::PreOrder>(
        [&](Operation *op) { order[op] = static_cast<int64_t>(order.size()); });
    SmallVector<Operation *> definitions(rebuilt.begin(), rebuilt.end());
    llvm::sort(definitions, [&](Operation *x, Operation *y) {
      return order.lookup(x) < order.lookup(y);
    });
    for (Operation *op : definitions)
      t.clone(*op, mapping);
    // The runtime passes 0 <= begin <= end <= iterations; saying so (as a
    // max and a min) bounds the induction variables for LLVM, which then
    // simplifies the kernels' index arithmetic and addresses as it does in
    // loops with constant bounds.
    Value begin = t.create<arith::MaxSIOp>(
        loc,
        t.create<arith::IndexCastOp>(loc, t.getIndexType(),
                                     entry->getArgument(1)),
        t.create<arith::ConstantIndexOp>(loc, 0));
    Value end = t.create<arith::MinSIOp>(
        loc,
        t.create<arith::IndexCastOp>(loc, t.getIndexType(),
                                     entry->getArgument(2)),
        t.create<arith::ConstantIndexOp>(loc, iterations));
    // The split dimensions' positions at `begin`, then carried from one
    // iteration to the next (the last counts up, a wrap carries into the
    // one before), not divided out of the flat iteration in each: LLVM
    // sees positions that step with the loop as plain values, and keeps
    // the constant offsets of the kernels' addresses, which a remainder of
    // an induction variable it cannot bound would make it lose.
    auto constant = [&](OpBuilder &builder, int64_t value) -> Value {
      return builder.create<arith::ConstantIndexOp>(loc, value);
    };
    SmallVector<Value> start(splitDims);
    {
      Value rest = begin;
      for (size_t d = splitDims; d-- > 0;) {
        if (d == 0) {
          start[d] = rest;
          break;
        }
        start[d] =
            t.create<arith::RemUIOp>(loc, rest, constant(t, (*trips)[d]));
        rest = t.create<arith::DivUIOp>(loc, rest, constant(t, (*trips)[d]));
      }
    }
    auto serial = t.create<scf::ForOp>(loc, begin, end, constant(t, 1), start);
    {
      OpBuilder inner = OpBuilder::atBlockBegin(serial.getBody());
      ValueRange positions = serial.getRegionIterArgs();
      // The next positions, computed first so that the body's clone goes
      // after them, into the loops of the other dimensions.
      SmallVector<Value> next(splitDims);
      Value carry;
      for (size_t d = splitDims; d-- > 0;) {
        Value incremented =
            inner.create<arith::AddIOp>(loc, positions[d], constant(inner, 1));
        Value stepped = incremented;
        Value wraps;
        if (d > 0) {
          wraps = inner.create<arith::CmpIOp>(loc, arith::CmpIPredicate::eq,
                                              incremented,
                                              constant(inner, (*trips)[d]));
          stepped = inner.create<arith::SelectOp>(
              loc, wraps, constant(inner, 0), incremented);
        }
        next[d] = carry ? inner
                              .create<arith::SelectOp>(loc, carry, stepped,
                                                       positions[d])
                              .getResult()
                        : stepped;
        if (wraps)
          carry =
              carry ? inner.create<arith::AndIOp>(loc, carry, wraps).getResult()
                    : wraps;
      }
      inner.create<scf::YieldOp>(loc, next);
      inner.setInsertionPoint(serial.getBody()->getTerminator());
      SmallVector<Value> ivs(trips->size());
      for (size_t d = 0; d < splitDims; ++d) {
        Value scaled = inner.create<arith::MulIOp>(
            loc, positions[d], mapping.lookupOrDefault(loop.getStep()[d]));
        ivs[d] = inner.create<arith::AddIOp>(
            loc, mapping.lookupOrDefault(loop.getLowerBound()[d]), scaled);
      }
      for (size_t d = splitDims; d < trips->size(); ++d) {
        auto dimension = inner.create<scf::ForOp>(
            loc, mapping.lookupOrDefault(loop.getLowerBound()[d]),
            mapping.lookupOrDefault(loop.getUpperBound()[d]),
            mapping.lookupOrDefault(loop.getStep()[d]));
        ivs[d] = dimension.getInductionVar();
        inner.setInsertionPointToStart(dimension.getBody());
      }
      mapping.map(loop.getInductionVars(), ivs);
      for (Operation &op : loop.getBody()->without_terminator())
        inner.clone(op, mapping);
    }
    t.create<func::ReturnOp>(loc);

    // The call that replaces the loop.
    func::FuncOp runtime = runtimeDeclaration(taskType);
    Value taskAddress = b.create<func::ConstantOp>(
        loc, taskType, FlatSymbolRefAttr::get(task.getSymNameAttr()));
    Value poolValue =
        pool ? pool : b.create<LLVM::ZeroOp>(loc, ptrType()).getResult();
    b.create<func::CallOp>(
        loc, runtime,
        ValueRange{poolValue, taskAddress, contextArray,
                   b.create<arith::ConstantIntOp>(loc, iterations, 64),
                   b.create<arith::ConstantIntOp>(loc, grain, 64)});
    loop.erase();
    return task;
  }

  /// A memref of `type` (static, identity layout) over `data`.
  Value rebuildMemRef(OpBuilder &b, Location loc, MemRefType type, Value data) {
    MLIRContext *context = b.getContext();
    Type i64 = IntegerType::get(context, 64);
    Type descriptor = descriptorType(context, type.getRank());
    Value value = b.create<LLVM::UndefOp>(loc, descriptor);
    value = b.create<LLVM::InsertValueOp>(loc, value, data, 0);
    value = b.create<LLVM::InsertValueOp>(loc, value, data, 1);
    auto constant = [&](int64_t v) {
      return b.create<LLVM::ConstantOp>(loc, i64, b.getI64IntegerAttr(v));
    };
    value = b.create<LLVM::InsertValueOp>(loc, value, constant(0), 2);
    int64_t stride = 1;
    for (int64_t d = type.getRank() - 1; d >= 0; --d) {
      value = b.create<LLVM::InsertValueOp>(
          loc, value, constant(type.getDimSize(d)), ArrayRef<int64_t>{3, d});
      value = b.create<LLVM::InsertValueOp>(loc, value, constant(stride),
                                            ArrayRef<int64_t>{4, d});
      stride *= type.getDimSize(d);
    }
    return b.create<UnrealizedConversionCastOp>(loc, type, value).getResult(0);
  }

  ModuleOp module;
  SymbolTable symbols;
  int64_t minParallelWork, minChunkWork;
  DenseMap<func::FuncOp, Value> pools;
  DenseMap<func::FuncOp, unsigned> taskCounts;
};

struct CNNLowerParallelLoops
    : cnnc::impl::CNNLowerParallelLoopsBase<CNNLowerParallelLoops> {
  using Base::Base;
  void runOnOperation() override {
    ParallelLowering(getOperation(), minParallelWork, minChunkWork).run();
  }
};

} // namespace
