//===- ShapeRules.cpp - result types and the rules that define them -------===//
//
// Each op's inferReturnTypes checks every rule the op must satisfy and reports
// the first one broken, naming the values involved. It runs when an op is
// built or parsed without result types, and as the op's verifier (see
// VerifyShapeRules.h). At parse time operands have not been verified yet, so
// nothing here assumes more of a type than it has checked. The ops that slide
// a window over an image (convolutions, pooling) are in WindowShapeRules.cpp.
//
//===----------------------------------------------------------------------===//

#include "ShapeRules.h"
#include "cnnc/Dialect/CNNOps.h"
#include "cnnc/Dialect/ShapeArithmetic.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/STLExtras.h"

#include <string>

using namespace mlir;
using namespace cnnc;
using namespace cnnc::cnn;
using namespace cnnc::cnn::shape_rules;

std::string shape_rules::formatList(ArrayRef<int64_t> values) {
  std::string text = "[";
  llvm::raw_string_ostream os(text);
  llvm::interleaveComma(values, os);
  os << "]";
  return text;
}

namespace {

/// Normalizes a possibly negative dimension index into [0, rank).
FailureOr<int64_t> normalizeDim(const Rules &rules, int64_t dim, int64_t rank,
                                StringRef name) {
  if (dim < -rank || dim >= rank)
    return rules.fail("expects '", name, "' to be in [", -rank, ", ", rank,
                      ") for a tensor of rank ", rank, ", got ", dim);
  return dim < 0 ? dim + rank : dim;
}

LogicalResult sameAsInput(const Rules &rules, Value input,
                          SmallVectorImpl<Type> &inferred) {
  FailureOr<RankedTensorType> type = rules.tensor(input, "input");
  if (failed(type))
    return failure();
  inferred.push_back(*type);
  return success();
}

} // namespace

//===----------------------------------------------------------------------===//
// Channel manipulation.
//===----------------------------------------------------------------------===//

LogicalResult
ChannelShuffleOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                   Adaptor adaptor,
                                   SmallVectorImpl<Type> &inferred) {
  Rules rules(loc, getOperationName());
  FailureOr<RankedTensorType> input = rules.tensor(adaptor.getInput(), "input");
  int64_t groups = static_cast<int64_t>(adaptor.getGroups());
  if (failed(input) || failed(rules.positive(groups, "groups")))
    return failure();
  if (input->getRank() < 2)
    return rules.fail("expects 'input' to have a channel dimension (rank >= "
                      "2), got ",
                      *input);
  if (input->getDimSize(1) % groups != 0)
    return rules.fail("channels (", input->getDimSize(1),
                      ") must be divisible by groups (", groups, ")");
  inferred.push_back(*input);
  return success();
}

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  Rules rules(loc, getOperationName());
  ValueRange inputs = adaptor.getInputs();
  if (inputs.empty())
    return rules.fail("expects at least one input");
  FailureOr<RankedTensorType> first = rules.tensor(inputs[0], "inputs[0]");
  if (failed(first))
    return failure();
  if (first->getRank() < 2)
    return rules.fail("expects inputs with a channel dimension (rank >= 2), "
                      "got ",
                      *first);
  SmallVector<int64_t> shape(first->getShape());
  for (auto [index, value] : llvm::enumerate(inputs.drop_front())) {
    std::string name = "inputs[" + std::to_string(index + 1) + "]";
    FailureOr<RankedTensorType> type = rules.tensor(value, name);
    if (failed(type) ||
        failed(rules.sameElementType(*first, "inputs[0]", value, name)))
      return failure();
    if (type->getRank() != first->getRank())
      return rules.fail("expects all inputs to have rank ", first->getRank(),
                        ", but ", name, " is ", *type);
    for (int64_t dim = 0; dim < first->getRank(); ++dim) {
      if (dim != 1 && type->getDimSize(dim) != first->getDimSize(dim))
        return rules.fail("expects all inputs to match outside the channel "
                          "dimension, but inputs[0] is ",
                          *first, " and ", name, " is ", *type, " (dimension ",
                          dim, ")");
    }
    if (adaptor.getInterleave() && type->getDimSize(1) != first->getDimSize(1))
      return rules.fail("expects inputs with equal channel counts to "
                        "interleave, but inputs[0] is ",
                        *first, " and ", name, " is ", *type);
    if (llvm::AddOverflow(shape[1], type->getDimSize(1), shape[1]))
      return rules.fail("concatenated channel count overflows");
  }
  inferred.push_back(RankedTensorType::get(shape, first->getElementType()));
  return success();
}

LogicalResult SliceOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &inferred) {
  Rules rules(loc, getOperationName());
  FailureOr<RankedTensorType> input = rules.tensor(adaptor.getInput(), "input");
  if (failed(input))
    return failure();
  if (input->getRank() < 2)
    return rules.fail("expects 'input' to have a channel dimension (rank >= "
                      "2), got ",
                      *input);
  int64_t offset = static_cast<int64_t>(adaptor.getOffset());
  int64_t size = static_cast<int64_t>(adaptor.getSize());
  int64_t channels = input->getDimSize(1);
  if (offset < 0)
    return rules.fail("expects 'offset' to be non-negative, got ", offset);
  if (failed(rules.positive(size, "size")))
    return failure();
  if (offset >= channels || size > channels - offset)
    return rules.fail("channel range [", offset, ", ", offset, " + ", size,
                      ") is out of bounds for ", channels, " channels");
  SmallVector<int64_t> shape(input->getShape());
  shape[1] = size;
  inferred.push_back(RankedTensorType::get(shape, input->getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// Element-wise arithmetic.
//===----------------------------------------------------------------------===//

static LogicalResult inferBroadcast(const Rules &rules, Value lhs, Value rhs,
                                    SmallVectorImpl<Type> &inferred) {
  FailureOr<RankedTensorType> lhsType = rules.tensor(lhs, "lhs");
  if (failed(lhsType))
    return failure();
  FailureOr<RankedTensorType> rhsType = rules.tensor(rhs, "rhs");
  if (failed(rhsType) ||
      failed(rules.sameElementType(*lhsType, "lhs", rhs, "rhs")))
    return failure();
  std::optional<SmallVector<int64_t>> shape =
      broadcastShapes(lhsType->getShape(), rhsType->getShape());
  if (!shape)
    return rules.fail("operand shapes ", formatList(lhsType->getShape()),
                      " and ", formatList(rhsType->getShape()),
                      " do not broadcast: aligned from the last dimension, "
                      "each pair of sizes must be equal or contain a 1");
  inferred.push_back(RankedTensorType::get(*shape, lhsType->getElementType()));
  return success();
}

// add, mul, sub and div share their rule.
#define CNNC_BROADCAST_RULES(OP)                                               \
  LogicalResult OP::inferReturnTypes(                                          \
      MLIRContext *, std::optional<Location> loc, Adaptor adaptor,             \
      SmallVectorImpl<Type> &inferred) {                                       \
    return inferBroadcast(Rules(loc, getOperationName()), adaptor.getLhs(),    \
                          adaptor.getRhs(), inferred);                         \
  }
CNNC_BROADCAST_RULES(AddOp)
CNNC_BROADCAST_RULES(MulOp)
CNNC_BROADCAST_RULES(SubOp)
CNNC_BROADCAST_RULES(DivOp)
#undef CNNC_BROADCAST_RULES

//===----------------------------------------------------------------------===//
// Normalization.
//===----------------------------------------------------------------------===//

LogicalResult BatchNormOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  Rules rules(loc, getOperationName());
  if (failed(checkRequiredOperands(rules, adaptor, {0, 1, 2},
                                   {"input", "mean", "variance"})))
    return failure();
  FailureOr<RankedTensorType> input = rules.tensor(adaptor.getInput(), "input");
  if (failed(input))
    return failure();
  if (input->getRank() < 2)
    return rules.fail("expects 'input' to have a channel dimension (rank >= "
                      "2), got ",
                      *input);
  int64_t channels = input->getDimSize(1);
  std::pair<Value, StringRef> parameters[] = {
      {adaptor.getMean(), "mean"},
      {adaptor.getVariance(), "variance"},
      {adaptor.getScale(), "scale"},
      {adaptor.getShift(), "shift"}};
  for (auto [value, name] : parameters) {
    if (value && (failed(rules.vectorOfLength(value, name, channels,
                                              "one per channel")) ||
                  failed(rules.sameElementType(*input, "input", value, name))))
      return failure();
  }
  double epsilon = adaptor.getEpsilon().convertToDouble();
  if (!(epsilon >= 0.0) || !std::isfinite(epsilon))
    return rules.fail("expects 'epsilon' to be finite and non-negative, got ",
                      epsilon);
  inferred.push_back(*input);
  return success();
}

//===----------------------------------------------------------------------===//
// Activations.
//===----------------------------------------------------------------------===//

#define CNN_SAME_TYPE_AS_INPUT(OP)                                             \
  LogicalResult OP::inferReturnTypes(                                          \
      MLIRContext *, std::optional<Location> loc, Adaptor adaptor,             \
      SmallVectorImpl<Type> &inferred) {                                       \
    return sameAsInput(Rules(loc, getOperationName()), adaptor.getInput(),     \
                       inferred);                                              \
  }
CNN_SAME_TYPE_AS_INPUT(ReluOp)
CNN_SAME_TYPE_AS_INPUT(Relu6Op)
CNN_SAME_TYPE_AS_INPUT(SigmoidOp)
CNN_SAME_TYPE_AS_INPUT(HardSigmoidOp)
CNN_SAME_TYPE_AS_INPUT(HardSwishOp)
CNN_SAME_TYPE_AS_INPUT(SiluOp)
CNN_SAME_TYPE_AS_INPUT(TanhOp)
#undef CNN_SAME_TYPE_AS_INPUT

LogicalResult ClipOp::inferReturnTypes(MLIRContext *,
                                       std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &inferred) {
  Rules rules(loc, getOperationName());
  double min = adaptor.getMin().convertToDouble();
  double max = adaptor.getMax().convertToDouble();
  if (std::isnan(min) || std::isnan(max) || min > max)
    return rules.fail("expects 'min' <= 'max', got min ", min, " and max ",
                      max);
  return sameAsInput(rules, adaptor.getInput(), inferred);
}

LogicalResult LeakyReluOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  Rules rules(loc, getOperationName());
  double slope = adaptor.getNegativeSlope().convertToDouble();
  if (!std::isfinite(slope))
    return rules.fail("expects a finite 'negative_slope', got ", slope);
  return sameAsInput(rules, adaptor.getInput(), inferred);
}

LogicalResult PReluOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &inferred) {
  Rules rules(loc, getOperationName());
  FailureOr<RankedTensorType> input = rules.tensor(adaptor.getInput(), "input");
  if (failed(input))
    return failure();
  FailureOr<RankedTensorType> slope =
      rules.tensor(adaptor.getSlope(), "slope", 1);
  if (failed(slope) || failed(rules.sameElementType(
                           *input, "input", adaptor.getSlope(), "slope")))
    return failure();
  int64_t slopes = slope->getDimSize(0);
  if (slopes != 1) {
    if (input->getRank() < 2)
      return rules.fail("expects a single slope for an input without a "
                        "channel dimension, got ",
                        slopes);
    if (slopes != input->getDimSize(1))
      return rules.fail("expects 'slope' to have 1 element or one per channel ",
                        "(", input->getDimSize(1), "), got ", slopes);
  }
  inferred.push_back(*input);
  return success();
}

//===----------------------------------------------------------------------===//
// Dense layers and shape changes.
//===----------------------------------------------------------------------===//

LogicalResult DenseOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &inferred) {
  Rules rules(loc, getOperationName());
  FailureOr<RankedTensorType> input =
      rules.tensor(adaptor.getInput(), "input", 2);
  if (failed(input))
    return failure();
  FailureOr<RankedTensorType> weight =
      rules.tensor(adaptor.getWeight(), "weight", 2);
  if (failed(weight) || failed(rules.sameElementType(
                            *input, "input", adaptor.getWeight(), "weight")))
    return failure();
  if (weight->getDimSize(1) != input->getDimSize(1))
    return rules.fail("input has ", input->getDimSize(1),
                      " features but 'weight' ([out, in]) expects ",
                      weight->getDimSize(1));
  int64_t outFeatures = weight->getDimSize(0);
  if (Value bias = adaptor.getBias();
      bias && (failed(rules.vectorOfLength(bias, "bias", outFeatures,
                                           "one per output feature")) ||
               failed(rules.sameElementType(*input, "input", bias, "bias"))))
    return failure();
  inferred.push_back(RankedTensorType::get({input->getDimSize(0), outFeatures},
                                           input->getElementType()));
  return success();
}

LogicalResult SoftmaxOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  Rules rules(loc, getOperationName());
  FailureOr<RankedTensorType> input = rules.tensor(adaptor.getInput(), "input");
  if (failed(input))
    return failure();
  // As PyTorch, a scalar has one (implicit) dimension to name: -1 or 0.
  if (failed(normalizeDim(rules, static_cast<int64_t>(adaptor.getAxis()),
                          std::max<int64_t>(input->getRank(), 1), "axis")))
    return failure();
  inferred.push_back(*input);
  return success();
}

LogicalResult FlattenOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  Rules rules(loc, getOperationName());
  FailureOr<RankedTensorType> input = rules.tensor(adaptor.getInput(), "input");
  if (failed(input))
    return failure();
  int64_t rank = input->getRank();
  // torch.flatten of a scalar is a 1-element vector.
  if (rank == 0) {
    for (int64_t dim : {static_cast<int64_t>(adaptor.getStartDim()),
                        static_cast<int64_t>(adaptor.getEndDim())})
      if (failed(normalizeDim(rules, dim, 1, "start_dim and end_dim")))
        return failure();
    inferred.push_back(RankedTensorType::get({1}, input->getElementType()));
    return success();
  }
  FailureOr<int64_t> start = normalizeDim(
      rules, static_cast<int64_t>(adaptor.getStartDim()), rank, "start_dim");
  if (failed(start))
    return failure();
  FailureOr<int64_t> end = normalizeDim(
      rules, static_cast<int64_t>(adaptor.getEndDim()), rank, "end_dim");
  if (failed(end))
    return failure();
  if (*start > *end)
    return rules.fail("expects 'start_dim' (", *start,
                      ") to come no later than 'end_dim' (", *end, ")");
  ArrayRef<int64_t> dims = input->getShape();
  SmallVector<int64_t> shape(dims.take_front(*start));
  int64_t merged = 1;
  for (int64_t size : dims.slice(*start, *end - *start + 1))
    merged *= size; // Cannot overflow: tensor() checked the element count.
  shape.push_back(merged);
  llvm::append_range(shape, dims.drop_front(*end + 1));
  inferred.push_back(RankedTensorType::get(shape, input->getElementType()));
  return success();
}

LogicalResult ReshapeOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  Rules rules(loc, getOperationName());
  FailureOr<RankedTensorType> input = rules.tensor(adaptor.getInput(), "input");
  if (failed(input))
    return failure();
  ArrayRef<int64_t> shape = adaptor.getShape();
  int64_t elements = 1;
  for (int64_t size : shape) {
    if (size <= 0)
      return rules.fail("expects a shape of positive sizes, got ",
                        formatList(shape));
    if (llvm::MulOverflow(elements, size, elements))
      return rules.fail("shape ", formatList(shape),
                        " has more elements than fit in 64 bits");
  }
  if (elements != input->getNumElements())
    return rules.fail("cannot reshape ", *input, " (", input->getNumElements(),
                      " elements) to ", formatList(shape), " (", elements,
                      " elements)");
  inferred.push_back(RankedTensorType::get(shape, input->getElementType()));
  return success();
}

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  Rules rules(loc, getOperationName());
  FailureOr<RankedTensorType> input = rules.tensor(adaptor.getInput(), "input");
  if (failed(input))
    return failure();
  ArrayRef<int64_t> permutation = adaptor.getPermutation();
  int64_t rank = input->getRank();
  SmallVector<bool> seen(rank, false);
  bool valid = static_cast<int64_t>(permutation.size()) == rank;
  for (int64_t dim : permutation) {
    if (!valid || dim < 0 || dim >= rank || seen[dim]) {
      valid = false;
      break;
    }
    seen[dim] = true;
  }
  if (!valid)
    return rules.fail("expects 'permutation' to be a permutation of the ", rank,
                      " dimensions of ", *input, ", got ",
                      formatList(permutation));
  SmallVector<int64_t> shape;
  for (int64_t dim : permutation)
    shape.push_back(input->getDimSize(dim));
  inferred.push_back(RankedTensorType::get(shape, input->getElementType()));
  return success();
}
