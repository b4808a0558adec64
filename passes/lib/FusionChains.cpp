//===- FusionChains.cpp - what the fusion passes may chain ----------------===//

#include "cnnc/Passes/FusionChains.h"
#include "cnnc/Dialect/CNNOps.h"
#include "cnnc/Dialect/LayerName.h"

#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

using namespace mlir;
using namespace cnnc::cnn;

bool cnnc::fusion::isEpilogueOp(Operation *op, Value value, bool binaryOps) {
  if (isa<ActivationOpInterface>(op))
    return true;
  if (auto prelu = dyn_cast<PReluOp>(op))
    return prelu.getInput() == value;
  if (!binaryOps || !isa<AddOp, MulOp>(op))
    return false;
  Value lhs = op->getOperand(0), rhs = op->getOperand(1);
  if (lhs == rhs)
    return false;
  // The chain's value keeps its shape: only the other operand broadcasts.
  return op->getResult(0).getType() == value.getType();
}

SmallVector<Operation *> cnnc::fusion::collectEpilogue(Value value,
                                                       bool binaryOps) {
  SmallVector<Operation *> chain;
  Block *block = value.getParentBlock();
  while (value.hasOneUse()) {
    Operation *user = *value.getUsers().begin();
    if (user->getBlock() != block || !isEpilogueOp(user, value, binaryOps))
      break;
    chain.push_back(user);
    value = user->getResult(0);
  }
  return chain;
}

bool cnnc::fusion::isUnfused(Operation *op) {
  return !op->getParentOfType<FusedOp>();
}

Conv2DOp cnnc::fusion::producerThroughActivations(
    Value value, SmallVectorImpl<Operation *> &activations) {
  Block *block = value.getParentBlock();
  activations.clear();
  while (Operation *producer = value.getDefiningOp()) {
    if (!value.hasOneUse() || producer->getBlock() != block ||
        !isa<ActivationOpInterface>(producer))
      break;
    activations.insert(activations.begin(), producer);
    value = producer->getOperand(0);
  }
  auto conv = value.getDefiningOp<Conv2DOp>();
  if (!conv || !value.hasOneUse() || conv->getBlock() != block)
    return nullptr;
  return conv;
}

cnnc::fusion::Producer cnnc::fusion::traceProducer(Value value) {
  Producer producer;
  Block *block = value.getParentBlock();
  Value current = value;
  while (Operation *def = current.getDefiningOp()) {
    if (def->getBlock() != block)
      break;
    if (auto conv = dyn_cast<Conv2DOp>(def)) {
      producer.conv = conv;
      break;
    }
    if (!isa<ActivationOpInterface, BatchNormOp>(def))
      break;
    if (isa<BatchNormOp>(def))
      producer.batchNorm = def;
    producer.links.insert(producer.links.begin(), def);
    current = def->getOperand(0);
    // Nearest the convolution wins: the walk overwrites as it goes up.
    if (!current.hasOneUse())
      producer.sharedResult = current.getDefiningOp();
  }
  if (!producer.conv)
    return Producer();
  return producer;
}

std::pair<Conv2DOp, Value> cnnc::fusion::convolutionFusedBefore(Value value) {
  auto fused = value.getDefiningOp<FusedOp>();
  if (!fused || fused->getBlock() != value.getParentBlock())
    return {};
  SmallVector<Operation *> chain = fused.getChain();
  auto conv = dyn_cast<Conv2DOp>(chain.front());
  if (!conv)
    return {};
  auto argument = dyn_cast<BlockArgument>(conv.getInput());
  if (!argument || argument.getOwner() != &fused.getBody().front())
    return {};
  return {conv, fused.getInputs()[argument.getArgNumber()]};
}

std::string cnnc::fusion::describeOp(Operation *op) {
  std::string text = op->getName().getStringRef().str();
  std::string layer = getLayerName(op->getLoc());
  if (!layer.empty())
    text += " (" + layer + ")";
  return text;
}

bool cnnc::fusion::tilesReadInputRows(Conv2DOp conv) {
  ArrayRef<int64_t> pad = conv.getPadding();
  int64_t reach = (conv.getKernelHeight() - 1) * conv.getDilations()[0];
  return pad[0] <= reach && pad[2] <= reach;
}

LogicalResult cnnc::fusion::fuseExistingOps(Operation *root,
                                            RewritePatternSet &&patterns) {
  GreedyRewriteConfig config;
  config.strictMode = GreedyRewriteStrictness::ExistingOps;
  return applyPatternsAndFoldGreedily(root, std::move(patterns), config);
}
