//===- PlanMemory.cpp - one arena for a function's temporary buffers ------===//
//
// After bufferization every intermediate tensor is a memref.alloc. Their live
// ranges in the function's top-level op order (an alloc inside a loop lives
// for the whole loop) decide which may share bytes;
// a greedy placement (largest first, lowest free offset) packs them into one
// arena, which is allocated once.
//
// Every size is computed with checked arithmetic: a buffer or an arena past
// kMaxBytes (2^62 bytes, as for cnnc-run's .npy data) is an error at the
// buffer's location, not a size that wraps around to a small or negative
// arena.
//
//===----------------------------------------------------------------------===//

#include "cnnc/Dialect/CnncDialect.h"
#include "cnnc/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "llvm/Support/CheckedArithmetic.h"
#include "llvm/Support/MathExtras.h"

namespace cnnc {
#define GEN_PASS_DEF_CNNPLANMEMORY
#include "cnnc/Transforms/Passes.h.inc"
} // namespace cnnc

using namespace mlir;
using cnnc::CnncDialect;

namespace {

constexpr int64_t kAlignment = 64;

/// The largest buffer and the largest arena, in bytes. Far beyond any
/// machine's memory, yet small enough that an offset plus a size (each at
/// most this) never overflows the int64 of an MLIR index or an LLVM i64.
constexpr int64_t kMaxBytes = int64_t(1) << 62;

struct Buffer {
  memref::AllocOp alloc;
  int64_t bytes;
  unsigned first, last; // Live range, in top-level op positions.
  int64_t offset = 0;
};

/// The position of the top-level op of `block` that contains `op`.
std::optional<unsigned>
topLevelPosition(Operation *op, Block &block,
                 const DenseMap<Operation *, unsigned> &positions) {
  while (op && op->getBlock() != &block)
    op = op->getParentOp();
  if (!op)
    return std::nullopt;
  return positions.lookup(op);
}

/// The last top-level position where `value` or a view of it is used, or
/// std::nullopt when the buffer escapes (returned, stored, or passed to a
/// call, which could keep it).
std::optional<unsigned>
lastUse(Value value, Block &block,
        const DenseMap<Operation *, unsigned> &positions) {
  Operation *allocation = value.getDefiningOp();
  unsigned last = 0;
  SmallVector<Value> worklist = {value};
  while (!worklist.empty()) {
    Value current = worklist.pop_back_val();
    for (OpOperand &use : current.getUses()) {
      Operation *user = use.getOwner();
      if (isa<func::ReturnOp, func::CallOp>(user))
        return std::nullopt;
      // A loop that updates the buffer in place carries it through its
      // iterations: the region argument and the result alias it. A buffer
      // made inside the loop and carried out would need a slot per
      // iteration: give up.
      if (auto loop = dyn_cast<scf::ForOp>(user)) {
        if (use.getOperandNumber() < loop.getNumControlOperands())
          return std::nullopt;
        unsigned carried =
            use.getOperandNumber() - loop.getNumControlOperands();
        worklist.push_back(loop.getRegionIterArgs()[carried]);
        worklist.push_back(loop.getResult(carried));
        continue;
      }
      if (isa<scf::YieldOp>(user)) {
        auto loop = dyn_cast<scf::ForOp>(user->getParentOp());
        if (!loop || loop->isAncestor(allocation))
          return std::nullopt;
        continue;
      }
      if (user->hasTrait<OpTrait::IsTerminator>())
        return std::nullopt;
      std::optional<unsigned> position =
          topLevelPosition(user, block, positions);
      if (!position)
        return std::nullopt;
      last = std::max(last, *position);
      // Views alias the buffer: follow them. Any other op that makes a
      // memref from it might alias it in ways not tracked here: give up.
      auto view = dyn_cast<ViewLikeOpInterface>(user);
      bool isView = view && view.getViewSource() == current;
      for (Value result : user->getResults()) {
        if (!isa<BaseMemRefType>(result.getType()))
          continue;
        if (!isView)
          return std::nullopt;
        worklist.push_back(result);
      }
    }
  }
  return last;
}

/// `bytes` rounded up to the alignment; `bytes` is at most kMaxBytes.
int64_t alignUp(int64_t bytes) {
  return (bytes + kAlignment - 1) / kAlignment * kAlignment;
}

/// The bytes of a statically shaped `type`, or std::nullopt when they
/// overflow int64 (MLIR's getNumElements would wrap around).
std::optional<int64_t> bytesOf(MemRefType type) {
  std::optional<int64_t> bytes = (type.getElementTypeBitWidth() + 7) / 8;
  for (int64_t dim : type.getShape())
    if (bytes)
      bytes = llvm::checkedMul<int64_t>(*bytes, dim);
  return bytes;
}

/// Prints `bytes` as the error messages do: the number, and 2^k for the
/// powers of two that a limit is.
std::string describeBytes(int64_t bytes) {
  std::string text = std::to_string(bytes) + " bytes";
  if (bytes > 0 && llvm::isPowerOf2_64(bytes))
    text += " (2^" + std::to_string(llvm::Log2_64(bytes)) + ")";
  return text;
}

struct PlanMemoryPass : cnnc::impl::CNNPlanMemoryBase<PlanMemoryPass> {
  using CNNPlanMemoryBase::CNNPlanMemoryBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    int64_t arenaTotal = 0, unplannedTotal = 0;
    for (func::FuncOp func : module.getOps<func::FuncOp>()) {
      if (func.isExternal())
        continue;
      FailureOr<std::pair<int64_t, int64_t>> planned = plan(func);
      if (failed(planned))
        return signalPassFailure();
      // Each arena is at most kMaxBytes, but a module may have many
      // functions; the bytes without reuse are a report only: they
      // saturate at INT64_MAX.
      std::optional<int64_t> total =
          llvm::checkedAdd<int64_t>(arenaTotal, planned->first);
      if (!total) {
        func.emitError("the arenas of the module's functions take more than ")
            << describeBytes(INT64_MAX) << " together";
        return signalPassFailure();
      }
      arenaTotal = *total;
      unplannedTotal = saturatingAdd(unplannedTotal, planned->second);
      if (scratchArgument && failed(checkNoAllocation(func)))
        return signalPassFailure();
    }
    Builder b(module.getContext());
    auto *cnncDialect = module.getContext()->getLoadedDialect<CnncDialect>();
    cnncDialect->getArenaBytesAttrHelper().setAttr(
        module, b.getI64IntegerAttr(arenaTotal));
    cnncDialect->getUnplannedBytesAttrHelper().setAttr(
        module, b.getI64IntegerAttr(unplannedTotal));
  }

  static int64_t saturatingAdd(int64_t a, int64_t b) {
    return llvm::checkedAdd<int64_t>(a, b).value_or(INT64_MAX);
  }

  /// Plans one function; returns the arena's bytes and the bytes the
  /// planned buffers would take separately (saturated at INT64_MAX), or
  /// fails (with an error) when a buffer or the arena is past kMaxBytes.
  FailureOr<std::pair<int64_t, int64_t>> plan(func::FuncOp func) {
    Block &block = func.getBody().front();
    DenseMap<Operation *, unsigned> positions;
    for (auto [index, op] : llvm::enumerate(block))
      positions[&op] = index;

    // Buffers allocated inside a loop (the tiles of a fused chain) are live
    // for the whole top-level op that holds them: one slot serves every
    // iteration, since iterations run one after another.
    std::vector<Buffer> buffers;
    SmallVector<memref::AllocOp> allocs;
    func.walk([&](memref::AllocOp alloc) { allocs.push_back(alloc); });
    for (memref::AllocOp alloc : allocs) {
      MemRefType type = alloc.getType();
      if (!type.hasStaticShape() || !type.getLayout().isIdentity() ||
          !alloc.getDynamicSizes().empty() ||
          alloc.getSymbolOperands().size() ||
          !type.getElementType().isIntOrFloat())
        continue;
      std::optional<unsigned> first = topLevelPosition(alloc, block, positions);
      std::optional<unsigned> last = lastUse(alloc, block, positions);
      if (!first || !last)
        continue;
      std::optional<int64_t> bytes = bytesOf(type);
      if (!bytes || *bytes > kMaxBytes) {
        InFlightDiagnostic diag = alloc.emitError("this buffer, ") << type;
        if (bytes)
          diag << ", takes " << describeBytes(*bytes);
        else
          diag << ", takes 2^63 bytes or more";
        diag << ", more than the " << describeBytes(kMaxBytes)
             << " that cnnc allows for one tensor";
        return failure();
      }
      buffers.push_back({alloc, *bytes, *first, std::max(*first, *last)});
    }
    if (buffers.empty()) {
      if (scratchArgument)
        addScratchArgument(func, 0);
      return std::pair<int64_t, int64_t>(0, 0);
    }

    // Largest first; each at the lowest offset free during its lifetime.
    std::vector<Buffer *> order;
    for (Buffer &buffer : buffers)
      order.push_back(&buffer);
    llvm::sort(order, [](const Buffer *a, const Buffer *b) {
      return a->bytes != b->bytes ? a->bytes > b->bytes : a->first < b->first;
    });
    std::vector<Buffer *> placed;
    int64_t arenaBytes = 0, unplannedBytes = 0;
    for (Buffer *buffer : order) {
      int64_t size = alignUp(buffer->bytes);
      unplannedBytes = saturatingAdd(unplannedBytes, size);
      std::vector<std::pair<int64_t, int64_t>> busy;
      for (Buffer *other : placed)
        if (other->first <= buffer->last && buffer->first <= other->last)
          busy.push_back(
              {other->offset, other->offset + alignUp(other->bytes)});
      llvm::sort(busy);
      // Every placed buffer ends within the arena, at most kMaxBytes: the
      // subtraction cannot overflow, where `offset + size` could.
      int64_t offset = 0;
      for (auto [start, end] : busy) {
        if (size <= start - offset)
          break;
        offset = std::max(offset, end);
      }
      buffer->offset = offset;
      std::optional<int64_t> end = llvm::checkedAdd<int64_t>(offset, size);
      if (!end || *end > kMaxBytes) {
        buffer->alloc.emitError("with this buffer, the arena of @")
            << func.getSymName() << " takes more than the "
            << describeBytes(kMaxBytes) << " that cnnc allows for it";
        return failure();
      }
      arenaBytes = std::max(arenaBytes, *end);
      placed.push_back(buffer);
    }

    // One allocation at the top of the function; views replace the rest.
    OpBuilder b(&block, block.begin());
    Location loc = func.getLoc();
    auto arenaType = MemRefType::get({arenaBytes}, b.getIntegerType(8));
    Value arena = scratchArgument
                      ? addScratchArgument(func, arenaBytes)
                      : b.create<memref::AllocOp>(
                            loc, arenaType, b.getI64IntegerAttr(kAlignment));
    for (Buffer &buffer : buffers) {
      b.setInsertionPoint(buffer.alloc);
      Value offset = b.create<arith::ConstantIndexOp>(buffer.alloc.getLoc(),
                                                      buffer.offset);
      Value view = b.create<memref::ViewOp>(buffer.alloc.getLoc(),
                                            buffer.alloc.getType(), arena,
                                            offset, ValueRange{});
      buffer.alloc.replaceAllUsesWith(view);
      buffer.alloc.erase();
    }
    return std::pair<int64_t, int64_t>(arenaBytes, unplannedBytes);
  }

  /// Appends the caller-provided arena to the function's arguments.
  Value addScratchArgument(func::FuncOp func, int64_t bytes) {
    Builder b(func.getContext());
    unsigned index = func.getNumArguments();
    auto type = MemRefType::get({bytes}, b.getIntegerType(8));
    func.insertArgument(
        index, type,
        b.getDictionaryAttr(b.getNamedAttr(
            CnncDialect::ScratchAttrHelper::getNameStr(), b.getUnitAttr())),
        func.getLoc());
    return func.getArgument(index);
  }

  /// With a caller-provided arena, nothing may be allocated on the heap.
  LogicalResult checkNoAllocation(func::FuncOp func) {
    WalkResult result = func.walk([](memref::AllocOp alloc) {
      alloc.emitError("this buffer cannot be placed in the scratch arena "
                      "(dynamic shape, non-identity layout, or it escapes "
                      "the function)");
      return WalkResult::interrupt();
    });
    return failure(result.wasInterrupted());
  }
};

} // namespace
