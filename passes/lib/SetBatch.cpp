//===- SetBatch.cpp - recompile a model for another batch size ------------===//
//
// The batch is the first dimension of every input. A new batch is a new
// shape for each input and, through each op's shape rules (the
// InferTypeOpInterface every cnn op implements), for everything computed
// from them; parameters have no batch and keep theirs.
//
//===----------------------------------------------------------------------===//

#include "cnnc/Dialect/CNNOps.h"
#include "cnnc/Passes/Passes.h"

#include "mlir/Interfaces/InferTypeOpInterface.h"

namespace cnnc {
#define GEN_PASS_DEF_CNNSETBATCH
#include "cnnc/Passes/Passes.h.inc"
} // namespace cnnc

using namespace mlir;
using namespace cnnc::cnn;

namespace {

/// `type` with `batch` as its first dimension.
RankedTensorType withBatch(RankedTensorType type, int64_t batch) {
  SmallVector<int64_t> shape(type.getShape());
  shape[0] = batch;
  return type.clone(shape);
}

struct CNNSetBatch : cnnc::impl::CNNSetBatchBase<CNNSetBatch> {
  using Base::Base;

  void runOnOperation() override {
    if (batch < 0) {
      getOperation().emitError()
          << "the batch must be positive (0 keeps the model's), got "
          << static_cast<int64_t>(batch);
      return signalPassFailure();
    }
    if (batch == 0)
      return;
    for (auto function : getOperation().getOps<func::FuncOp>())
      if (!function.isExternal() && failed(setBatch(function)))
        return signalPassFailure();
  }

  LogicalResult setBatch(func::FuncOp function) {
    Block &body = function.getBody().front();
    oldBatch = -1;
    for (BlockArgument argument : body.getArguments()) {
      auto type = dyn_cast<RankedTensorType>(argument.getType());
      if (!type || type.getRank() == 0)
        return function.emitError()
               << "cannot set the batch to " << static_cast<int64_t>(batch)
               << ": input #" << argument.getArgNumber()
               << " is not a tensor with a batch dimension";
      if (oldBatch < 0)
        oldBatch = type.getDimSize(0);
      argument.setType(withBatch(type, batch));
    }
    for (Operation &op : body.without_terminator())
      if (failed(inferAgain(op)))
        return op.emitError()
               << "cannot set the batch to " << static_cast<int64_t>(batch)
               << ": the shape rules of '" << op.getName()
               << "' refuse its operands' new shapes";
    Operation *terminator = body.getTerminator();
    function.setType(FunctionType::get(function.getContext(),
                                       body.getArgumentTypes(),
                                       terminator->getOperandTypes()));
    return success();
  }

  /// Gives `op` the result types its shape rules infer from its operands.
  LogicalResult inferAgain(Operation &op) {
    if (op.getNumOperands() == 0)
      return success(); // Parameters and constants: no batch.
    // A reshape to the old batch first, of an input with the new batch
    // first, keeps the batch there.
    if (auto reshape = dyn_cast<ReshapeOp>(op)) {
      auto input = cast<RankedTensorType>(reshape.getInput().getType());
      ArrayRef<int64_t> shape = reshape.getShape();
      if (!shape.empty() && input.getRank() > 0 && shape[0] == oldBatch &&
          input.getDimSize(0) == batch) {
        SmallVector<int64_t> rebatched(shape);
        rebatched[0] = batch;
        reshape.setShape(rebatched);
      }
    }
    auto infer = dyn_cast<InferTypeOpInterface>(op);
    if (!infer)
      return failure();
    SmallVector<Type> types;
    if (failed(infer.inferReturnTypes(op.getContext(), op.getLoc(),
                                      op.getOperands(), op.getAttrDictionary(),
                                      op.getPropertiesStorage(),
                                      op.getRegions(), types)))
      return failure();
    for (auto [result, type] : llvm::zip(op.getResults(), types))
      result.setType(type);
    return success();
  }

  /// The batch of the function's first input, as the model declares it.
  int64_t oldBatch = -1;
};

} // namespace
