//===- WindowShapeRules.cpp - the shape rules of sliding windows ----------===//
//
// The result types of the ops that slide a window over an image
// (convolutions and pooling) and the rules that define them; see
// ShapeRules.cpp.
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

namespace {

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

/// The rules shared by conv2d and deform_conv2d, on their operands and
/// attributes of the same names.
template <typename Adaptor>
FailureOr<ConvolutionShape> checkConvolution(const Rules &rules,
                                             Adaptor &adaptor) {
  Value inputValue = adaptor.getInput(), filterValue = adaptor.getFilter(),
        bias = adaptor.getBias();
  ArrayRef<int64_t> strides = adaptor.getStrides(),
                    padding = adaptor.getPadding(),
                    dilations = adaptor.getDilations();
  int64_t groups = static_cast<int64_t>(adaptor.getGroups());
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

/// Rules shared by the pooling ops; adds the output type to `inferred`.
LogicalResult inferPooling(const Rules &rules, Value inputValue,
                           ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                           ArrayRef<int64_t> padding,
                           ArrayRef<int64_t> dilations, bool ceilMode,
                           SmallVectorImpl<Type> &inferred) {
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
  inferred.push_back(RankedTensorType::get(
      {input->getDimSize(0), input->getDimSize(1), out->first, out->second},
      input->getElementType()));
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
  FailureOr<ConvolutionShape> conv = checkConvolution(rules, adaptor);
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
  FailureOr<ConvolutionShape> conv = checkConvolution(rules, adaptor);
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
// Pooling.
//===----------------------------------------------------------------------===//

LogicalResult MaxPool2DOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  return inferPooling(Rules(loc, getOperationName()), adaptor.getInput(),
                      adaptor.getKernelSize(), adaptor.getStrides(),
                      adaptor.getPadding(), adaptor.getDilations(),
                      adaptor.getCeilMode(), inferred);
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
  return inferPooling(rules, adaptor.getInput(), adaptor.getKernelSize(),
                      adaptor.getStrides(), adaptor.getPadding(), noDilation,
                      adaptor.getCeilMode(), inferred);
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
