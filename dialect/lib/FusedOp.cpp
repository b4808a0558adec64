//===- FusedOp.cpp - cnn.fused: a chain of layers as one op ---------------===//
//
// The op every fusion pass builds: its verifier, and the one way to build it
// from a chain of ops, shared by the in-tree passes and by plugins.
//
//===----------------------------------------------------------------------===//

#include "cnnc/Dialect/CNNOps.h"

#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/SmallPtrSet.h"

using namespace mlir;
using namespace cnnc::cnn;

StringRef FusionKindAttr::getName() const {
  return getKind() == FusionKind::Custom ? getCustomName()
                                         : stringifyFusionKind(getKind());
}

LogicalResult FusionKindAttr::verify(function_ref<InFlightDiagnostic()> error,
                                     FusionKind kind, StringRef customName) {
  if (kind != FusionKind::Custom && !customName.empty())
    return error() << "only a custom fusion kind has a name of its own, not "
                   << stringifyFusionKind(kind);
  return success();
}

/// `<"name">`: the kind's name, as cnn.fused writes it.
Attribute FusionKindAttr::parse(AsmParser &parser, Type) {
  std::string name;
  if (parser.parseLess() || parser.parseString(&name) || parser.parseGreater())
    return {};
  return get(parser.getContext(), name);
}

void FusionKindAttr::print(AsmPrinter &printer) const {
  printer << "<";
  printer.printString(getName());
  printer << ">";
}

LogicalResult FusedOp::verify() {
  if (getKindName().empty())
    return emitOpError("expects a non-empty fusion kind");
  Block &body = getBody().front();
  if (body.getNumArguments() != getInputs().size())
    return emitOpError("expects one body argument per input, got ")
           << body.getNumArguments() << " for " << getInputs().size()
           << " inputs";
  for (auto [index, pair] :
       llvm::enumerate(llvm::zip(body.getArguments(), getInputs())))
    if (std::get<0>(pair).getType() != std::get<1>(pair).getType())
      return emitOpError("body argument #")
             << index << " has type " << std::get<0>(pair).getType()
             << " but input #" << index << " has type "
             << std::get<1>(pair).getType();
  auto yield = dyn_cast<YieldOp>(body.getTerminator());
  if (!yield)
    return emitOpError("expects the body to end with cnn.yield");
  if (yield.getValues().getTypes() != getResultTypes())
    return emitOpError("yields ")
           << yield.getValues().getTypes() << " but the op's results are "
           << getResultTypes();
  if (&body.front() == yield.getOperation())
    return emitOpError("expects a body with at least one op");
  return success();
}

SmallVector<Operation *> FusedOp::getChain() {
  SmallVector<Operation *> chain;
  for (Operation &op : getBody().front().without_terminator())
    chain.push_back(&op);
  return chain;
}

/// FusedOp::fuseChain, for a kind already built.
static FusedOp fuseChainAs(RewriterBase &rewriter, FusionKindAttr kind,
                           ArrayRef<Operation *> chain) {
  assert(!chain.empty() && "fusing an empty chain");
  Operation *last = chain.back();
  llvm::SmallPtrSet<Operation *, 8> inChain(chain.begin(), chain.end());
  llvm::SetVector<Value> inputs;
  for (Operation *op : chain)
    for (Value operand : op->getOperands())
      if (!inChain.contains(operand.getDefiningOp()))
        inputs.insert(operand);

  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(last);
  auto fused = rewriter.create<FusedOp>(last->getLoc(), last->getResultTypes(),
                                        inputs.getArrayRef(), kind,
                                        /*tile_rows=*/nullptr);
  Block *body = rewriter.createBlock(&fused.getBody());
  IRMapping mapping;
  for (Value input : inputs)
    mapping.map(input, body->addArgument(input.getType(), input.getLoc()));
  for (Operation *op : chain)
    rewriter.clone(*op, mapping);
  SmallVector<Value> yielded;
  for (Value result : last->getResults())
    yielded.push_back(mapping.lookup(result));
  rewriter.create<YieldOp>(last->getLoc(), yielded);
  rewriter.replaceOp(last, fused.getResults());
  for (Operation *op : llvm::reverse(chain.drop_back()))
    rewriter.eraseOp(op);
  return fused;
}

FusedOp FusedOp::fuseChain(RewriterBase &rewriter, FusionKind kind,
                           ArrayRef<Operation *> chain) {
  return fuseChainAs(
      rewriter, FusionKindAttr::get(rewriter.getContext(), kind, ""), chain);
}

FusedOp FusedOp::fuseChain(RewriterBase &rewriter, StringRef kind,
                           ArrayRef<Operation *> chain) {
  return fuseChainAs(rewriter, FusionKindAttr::get(rewriter.getContext(), kind),
                     chain);
}
