//===- ShapeRules.cpp - result types and the rules that define them -------===//
//
// Each op's inferReturnTypes checks every rule the op must satisfy and reports
// the first one broken, naming the values involved. It runs when an op is
// built or parsed without result types, and as the op's verifier (see
// VerifyShapeRules.h). At parse time operands have not been verified yet, so
// nothing here assumes more of a type than it has checked.
//
//===----------------------------------------------------------------------===//

#include "cnnc/Dialect/CNNOps.h"
#include "cnnc/Dialect/ShapeArithmetic.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/MathExtras.h"

#include <cmath>
#include <string>

using namespace mlir;
using namespace cnnc;
using namespace cnnc::cnn;

namespace {

std::string formatList(ArrayRef<int64_t> values) {
  std::string text = "[";
  llvm::raw_string_ostream os(text);
  llvm::interleaveComma(values, os);
  os << "]";
  return text;
}

/// Reports broken rules of one op, prefixed like the verifier's own messages.
class Rules {
public:
  Rules(std::optional<Location> loc, StringRef opName)
      : loc(loc), opName(opName) {}

  template <typename... Args> LogicalResult fail(Args &&...args) const {
    return emitOptionalError(loc, "'", opName, "' op ",
                             std::forward<Args>(args)...);
  }

  /// The operand as a statically shaped tensor of the given rank (any rank
  /// when `rank` is negative), with no empty dimension.
  FailureOr<RankedTensorType> tensor(Value value, StringRef name,
                                     int64_t rank = -1) const {
    auto type = dyn_cast<RankedTensorType>(value.getType());
    if (!type || !type.hasStaticShape())
      return fail("expects '", name, "' to be a statically shaped tensor, got ",
                  value.getType());
    if (rank >= 0 && type.getRank() != rank)
      return fail("expects '", name, "' to have rank ", rank, ", got ", type);
    if (llvm::is_contained(type.getShape(), 0))
      return fail("expects '", name, "' to have no empty dimension, got ",
                  type);
    int64_t elements = 1;
    for (int64_t size : type.getShape())
      if (llvm::MulOverflow(elements, size, elements))
        return fail("expects '", name,
                    "' to have fewer elements than fit in 64 bits, got ", type);
    return type;
  }

  /// `other` must have the element type of `reference`.
  LogicalResult sameElementType(RankedTensorType reference, StringRef refName,
                                Value other, StringRef otherName) const {
    Type elementType = cast<ShapedType>(other.getType()).getElementType();
    if (elementType != reference.getElementType())
      return fail("expects '", otherName, "' to have the element type of '",
                  refName, "' (", reference.getElementType(), "), got ",
                  elementType);
    return success();
  }

  /// A 1-D operand of exactly `length` elements.
  LogicalResult vectorOfLength(Value value, StringRef name, int64_t length,
                               StringRef what) const {
    FailureOr<RankedTensorType> type = tensor(value, name, 1);
    if (failed(type))
      return failure();
    if (type->getDimSize(0) != length)
      return fail("expects '", name, "' to have ", length, " elements (", what,
                  "), got ", type->getDimSize(0));
    return success();
  }

  LogicalResult pair(ArrayRef<int64_t> values, StringRef name) const {
    if (values.size() != 2 ||
        llvm::any_of(values, [](int64_t v) { return v <= 0; }))
      return fail("expects '", name,
                  "' to be two positive integers (height, width), got ",
                  formatList(values));
    return success();
  }

  LogicalResult padding(ArrayRef<int64_t> values) const {
    if (values.size() != 4 ||
        llvm::any_of(values, [](int64_t v) { return v < 0; }))
      return fail("expects 'padding' to be four non-negative integers (top, "
                  "left, bottom, right), got ",
                  formatList(values));
    return success();
  }

  LogicalResult positive(int64_t value, StringRef name) const {
    if (value <= 0)
      return fail("expects '", name, "' to be positive, got ", value);
    return success();
  }

private:
  std::optional<Location> loc;
  StringRef opName;
};

/// Ops with optional operands in the middle carry operand segment sizes; the
/// generated checks let a required operand's segment be empty, so check that
/// before reading any operand.
template <typename Adaptor>
LogicalResult checkRequiredOperands(const Rules &rules, Adaptor &adaptor,
                                    ArrayRef<unsigned> required,
                                    ArrayRef<StringRef> names) {
  for (auto [index, name] : llvm::zip_equal(required, names))
    if (adaptor.getODSOperands(index).size() != 1)
      return rules.fail("expects exactly one '", name, "' operand, got ",
                        adaptor.getODSOperands(index).size());
  return success();
}

/// The spatial output size [Ho, Wo] of a sliding window over `input`
/// ([N, C, H, W]), or a diagnostic when the window does not fit.
/// A 128-bit integer in decimal, for messages about sizes past int64.
std::string toDecimal(__int128 value) {
  if (value == 0)
    return "0";
  bool negative = value < 0;
  unsigned __int128 magnitude = negative
                                    ? -static_cast<unsigned __int128>(value)
                                    : static_cast<unsigned __int128>(value);
  std::string digits;
  for (; magnitude; magnitude /= 10)
    digits.insert(digits.begin(), static_cast<char>('0' + magnitude % 10));
  return negative ? "-" + digits : digits;
}

FailureOr<std::pair<int64_t, int64_t>>
slidingWindowOutput(const Rules &rules, RankedTensorType input,
                    ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                    ArrayRef<int64_t> padding, ArrayRef<int64_t> dilations,
                    bool ceilMode) {
  int64_t h = input.getDimSize(2), w = input.getDimSize(3);
  std::optional<int64_t> outH = slidingWindowOutputSize(
      h, kernel[0], strides[0], dilations[0], padding[0], padding[2], ceilMode);
  std::optional<int64_t> outW = slidingWindowOutputSize(
      w, kernel[1], strides[1], dilations[1], padding[1], padding[3], ceilMode);
  if (!outH || !outW)
    return rules.fail("output size does not fit in 64 bits");
  if (*outH <= 0 || *outW <= 0) {
    __int128 paddedH = static_cast<__int128>(h) + padding[0] + padding[2];
    __int128 paddedW = static_cast<__int128>(w) + padding[1] + padding[3];
    return rules.fail("dilated kernel (",
                      dilatedKernelSize(kernel[0], dilations[0]), "x",
                      dilatedKernelSize(kernel[1], dilations[1]),
                      ") is larger than the padded input (", toDecimal(paddedH),
                      "x", toDecimal(paddedW), "): the output would be empty");
  }
  return std::make_pair(*outH, *outW);
}

struct ConvolutionShape {
  RankedTensorType input, filter;
  int64_t outH, outW;
};

/// The rules shared by conv2d and deform_conv2d.
FailureOr<ConvolutionShape>
checkConvolution(const Rules &rules, Value inputValue, Value filterValue,
                 Value bias, ArrayRef<int64_t> strides,
                 ArrayRef<int64_t> padding, ArrayRef<int64_t> dilations,
                 int64_t groups) {
  FailureOr<RankedTensorType> input = rules.tensor(inputValue, "input", 4);
  if (failed(input))
    return failure();
  FailureOr<RankedTensorType> filter = rules.tensor(filterValue, "filter", 4);
  if (failed(filter) ||
      failed(rules.sameElementType(*input, "input", filterValue, "filter")) ||
      failed(rules.pair(strides, "strides")) ||
      failed(rules.padding(padding)) ||
      failed(rules.pair(dilations, "dilations")) ||
      failed(rules.positive(groups, "groups")))
    return failure();

  int64_t channels = input->getDimSize(1);
  int64_t outChannels = filter->getDimSize(0);
  if (channels % groups != 0)
    return rules.fail("input channels (", channels,
                      ") must be divisible by groups (", groups, ")");
  if (outChannels % groups != 0)
    return rules.fail("output channels (", outChannels,
                      ", filter dimension 0) must be divisible by groups (",
                      groups, ")");
  if (filter->getDimSize(1) != channels / groups)
    return rules.fail("filter must have input channels / groups = ", channels,
                      " / ", groups, " = ", channels / groups,
                      " channels in dimension 1, got ", filter->getDimSize(1));
  if (bias && (failed(rules.tensor(bias, "bias", 1)) ||
               failed(rules.sameElementType(*input, "input", bias, "bias")) ||
               failed(rules.vectorOfLength(bias, "bias", outChannels,
                                           "one per output channel"))))
    return failure();

  SmallVector<int64_t, 2> kernel = {filter->getDimSize(2),
                                    filter->getDimSize(3)};
  FailureOr<std::pair<int64_t, int64_t>> out = slidingWindowOutput(
      rules, *input, kernel, strides, padding, dilations, /*ceilMode=*/false);
  if (failed(out))
    return failure();
  return ConvolutionShape{*input, *filter, out->first, out->second};
}

/// Rules shared by the pooling ops; returns the output type.
FailureOr<RankedTensorType>
checkPooling(const Rules &rules, Value inputValue, ArrayRef<int64_t> kernel,
             ArrayRef<int64_t> strides, ArrayRef<int64_t> padding,
             ArrayRef<int64_t> dilations, bool ceilMode) {
  FailureOr<RankedTensorType> input = rules.tensor(inputValue, "input", 4);
  if (failed(input) || failed(rules.pair(kernel, "kernel_size")) ||
      failed(rules.pair(strides, "strides")) ||
      failed(rules.padding(padding)) ||
      failed(rules.pair(dilations, "dilations")))
    return failure();
  // PyTorch 1.13's rule (on the kernel, not the dilated kernel); it makes
  // every window hold an input element.
  for (int i = 0; i < 4; ++i) {
    if (padding[i] > kernel[i % 2] / 2)
      return rules.fail("padding (", formatList(padding),
                        ") must be at most half the kernel size (", kernel[0],
                        "x", kernel[1], ")");
  }
  FailureOr<std::pair<int64_t, int64_t>> out = slidingWindowOutput(
      rules, *input, kernel, strides, padding, dilations, ceilMode);
  if (failed(out))
    return failure();
  return RankedTensorType::get(
      {input->getDimSize(0), input->getDimSize(1), out->first, out->second},
      input->getElementType());
}

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
// Convolutions.
//===----------------------------------------------------------------------===//

LogicalResult Conv2DOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  Rules rules(loc, getOperationName());
  FailureOr<ConvolutionShape> conv = checkConvolution(
      rules, adaptor.getInput(), adaptor.getFilter(), adaptor.getBias(),
      adaptor.getStrides(), adaptor.getPadding(), adaptor.getDilations(),
      static_cast<int64_t>(adaptor.getGroups()));
  if (failed(conv))
    return failure();
  inferred.push_back(RankedTensorType::get({conv->input.getDimSize(0),
                                            conv->filter.getDimSize(0),
                                            conv->outH, conv->outW},
                                           conv->input.getElementType()));
  return success();
}

LogicalResult
DeformConv2DOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                 Adaptor adaptor,
                                 SmallVectorImpl<Type> &inferred) {
  Rules rules(loc, getOperationName());
  if (failed(checkRequiredOperands(rules, adaptor, {0, 1, 2},
                                   {"input", "offset", "filter"})))
    return failure();
  FailureOr<ConvolutionShape> conv = checkConvolution(
      rules, adaptor.getInput(), adaptor.getFilter(), adaptor.getBias(),
      adaptor.getStrides(), adaptor.getPadding(), adaptor.getDilations(),
      static_cast<int64_t>(adaptor.getGroups()));
  if (failed(conv))
    return failure();
  int64_t offsetGroups = static_cast<int64_t>(adaptor.getOffsetGroups());
  int64_t channels = conv->input.getDimSize(1);
  if (failed(rules.positive(offsetGroups, "offset_groups")))
    return failure();
  if (channels % offsetGroups != 0)
    return rules.fail("input channels (", channels,
                      ") must be divisible by offset_groups (", offsetGroups,
                      ")");

  int64_t batch = conv->input.getDimSize(0);
  // The filter's element count fits in 64 bits, so KH * KW does.
  int64_t taps = conv->filter.getDimSize(2) * conv->filter.getDimSize(3);
  // Offsets and mask: one (dy, dx) pair, resp. one scale, per offset group,
  // kernel tap and output position.
  auto checkPerTap = [&](Value value, StringRef name,
                         int64_t valuesPerTap) -> LogicalResult {
    FailureOr<RankedTensorType> type = rules.tensor(value, name, 4);
    if (failed(type) ||
        failed(rules.sameElementType(conv->input, "input", value, name)))
      return failure();
    int64_t channels;
    if (llvm::MulOverflow(valuesPerTap, offsetGroups, channels) ||
        llvm::MulOverflow(channels, taps, channels))
      return rules.fail("expects '", name,
                        "' to have more channels than fit in 64 bits");
    SmallVector<int64_t, 4> expected = {batch, channels, conv->outH,
                                        conv->outW};
    if (type->getShape() != ArrayRef<int64_t>(expected))
      return rules.fail("expects '", name, "' of shape ", formatList(expected),
                        " ([N, ", valuesPerTap == 2 ? "2 * " : "",
                        "offset_groups * KH * KW, Ho, Wo]), got ",
                        formatList(type->getShape()));
    return success();
  };
  if (failed(checkPerTap(adaptor.getOffset(), "offset", 2)))
    return failure();
  if (adaptor.getMask() && failed(checkPerTap(adaptor.getMask(), "mask", 1)))
    return failure();
  inferred.push_back(RankedTensorType::get(
      {batch, conv->filter.getDimSize(0), conv->outH, conv->outW},
      conv->input.getElementType()));
  return success();
}

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

LogicalResult AddOp::inferReturnTypes(MLIRContext *,
                                      std::optional<Location> loc,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &inferred) {
  return inferBroadcast(Rules(loc, getOperationName()), adaptor.getLhs(),
                        adaptor.getRhs(), inferred);
}

LogicalResult MulOp::inferReturnTypes(MLIRContext *,
                                      std::optional<Location> loc,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &inferred) {
  return inferBroadcast(Rules(loc, getOperationName()), adaptor.getLhs(),
                        adaptor.getRhs(), inferred);
}

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
// Pooling.
//===----------------------------------------------------------------------===//

LogicalResult MaxPool2DOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  Rules rules(loc, getOperationName());
  FailureOr<RankedTensorType> type = checkPooling(
      rules, adaptor.getInput(), adaptor.getKernelSize(), adaptor.getStrides(),
      adaptor.getPadding(), adaptor.getDilations(), adaptor.getCeilMode());
  if (failed(type))
    return failure();
  inferred.push_back(*type);
  return success();
}

LogicalResult AvgPool2DOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  Rules rules(loc, getOperationName());
  // PyTorch only forbids zero.
  if (std::optional<uint64_t> divisor = adaptor.getDivisorOverride();
      divisor && *divisor == 0)
    return rules.fail("expects a non-zero 'divisor_override'");
  int64_t noDilation[] = {1, 1};
  FailureOr<RankedTensorType> type = checkPooling(
      rules, adaptor.getInput(), adaptor.getKernelSize(), adaptor.getStrides(),
      adaptor.getPadding(), noDilation, adaptor.getCeilMode());
  if (failed(type))
    return failure();
  inferred.push_back(*type);
  return success();
}

LogicalResult
GlobalAvgPoolOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                  Adaptor adaptor,
                                  SmallVectorImpl<Type> &inferred) {
  Rules rules(loc, getOperationName());
  FailureOr<RankedTensorType> input =
      rules.tensor(adaptor.getInput(), "input", 4);
  if (failed(input))
    return failure();
  inferred.push_back(
      RankedTensorType::get({input->getDimSize(0), input->getDimSize(1), 1, 1},
                            input->getElementType()));
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
