//===- Ops.cpp - the ops of the language, as a table ----------------------===//
//
// Each op is one entry of opBuiltins(): its signature (the parameters, in
// order, with defaults) and a handler that reads the bound arguments, declares
// the layer's parameters and builds the cnn op. A handler reads its arguments
// in its signature's order (Call reports the first wrong one) and checks
// call.failed() before it uses them (call.op() checks by itself).
//
//===----------------------------------------------------------------------===//

#include "Interpreter.h"

#include "cnnc/Dialect/CNNOps.h"

#include "llvm/Support/MathExtras.h"

#include <fmt/format.h>

using namespace mlir;
using namespace cnnc::frontend;
using namespace cnnc::frontend::interp;
namespace cnn = cnnc::cnn;

//===----------------------------------------------------------------------===//
// Parameters of layers.
//===----------------------------------------------------------------------===//

std::string Emitter::qualified(llvm::StringRef suffix) const {
  std::string name;
  for (const std::string &part : namePath)
    name += part + ".";
  return name + suffix.str();
}

FailureOr<mlir::Value> Emitter::weight(SMLoc loc, llvm::StringRef suffix,
                                       ArrayRef<int64_t> shape,
                                       Type elementType) {
  if (namePath.empty())
    return fail(loc, "this layer has parameters but no name: assign it to a "
                     "variable ('conv1 = conv2d(...)'), or name it with 'as'");
  std::string name = qualified(suffix);
  for (int64_t size : shape)
    if (size <= 0)
      return fail(loc, "parameter '" + name + "' would have shape " +
                           formatShape(shape) + ": sizes must be positive");
  if (failed(checkTensorSize(loc, "parameter '" + name + "'", shape)))
    return failure();
  int64_t elements = 1;
  for (int64_t size : shape)
    elements *= size; // At most limits::kTensorElements.
  if (elements > limits::kParameterElements - parameterElements)
    return fail(loc, fmt::format("the model's parameters would have {} "
                                 "elements with '{}', more than the {} they "
                                 "may have in all",
                                 parameterElements + elements, name,
                                 limits::kParameterElements));
  parameterElements += elements;
  auto [it, inserted] = parameterIndex.try_emplace(name, parameters.size());
  if (!inserted) {
    (void)fail(loc, "parameter '" + name +
                        "' is defined twice: give the layers different names");
    diagnostics.note(parameters[it->second].loc, "first defined here");
    return failure();
  }
  if (failed(spend(loc, 1)))
    return failure();
  parameters.push_back({name, SmallVector<int64_t>(shape), loc, false});
  auto type = RankedTensorType::get(shape, elementType);
  return builder
      .create<cnn::WeightOp>(location(loc), type, builder.getStringAttr(name),
                             ElementsAttr())
      .getResult();
}

LogicalResult Emitter::checkpointOnly(SMLoc loc, llvm::StringRef suffix) {
  std::string name = qualified(suffix);
  auto [it, inserted] = parameterIndex.try_emplace(name, parameters.size());
  if (!inserted)
    return fail(loc, "parameter '" + name + "' is defined twice");
  parameters.push_back({name, {}, loc, true});
  return success();
}

namespace {

mlir::UnitAttr unitIf(Call &call, bool value) {
  return value ? call.builder().getUnitAttr() : mlir::UnitAttr();
}

/// A bias [out] when `hasBias`, else the null value.
FailureOr<mlir::Value> optionalBias(Call &call, bool hasBias, int64_t out,
                                    Type element) {
  if (!hasBias)
    return mlir::Value();
  return call.weight("bias", {out}, element);
}

//===----------------------------------------------------------------------===//
// Convolutions: conv2d and deform_conv2d share their filter, groups and bias.
//===----------------------------------------------------------------------===//

struct Convolution {
  int64_t outChannels = 0;
  SmallVector<int64_t> kernel, stride, dilation, padding;
  int64_t groups = 1;
  bool hasBias = false;
  mlir::Value filter, bias;

  /// out_channels, kernel, stride, dilation and groups, in this order.
  static Convolution readGeometry(Call &call) {
    Convolution conv;
    conv.outChannels = call.integer("out_channels");
    conv.kernel = call.pair("kernel");
    conv.stride = call.pair("stride");
    conv.dilation = call.pair("dilation");
    conv.groups = call.integer("groups");
    return conv;
  }

  /// bias, then padding (which depends on the geometry).
  void readBiasAndPadding(Call &call) {
    hasBias = call.flag("bias");
    padding = call.padding("padding", kernel, stride, dilation);
  }

  /// Checks groups and out_channels against `x`'s channels and declares the
  /// weight [O, C/groups, KH, KW] and the bias [O].
  LogicalResult declareParameters(Call &call, mlir::Value x) {
    auto type = cast<RankedTensorType>(x.getType());
    int64_t channels = type.getDimSize(1);
    if (groups <= 0 || channels % groups != 0)
      return call.fail("groups",
                       fmt::format("groups ({}) must be positive and divide "
                                   "the input's {} channels",
                                   groups, channels));
    if (outChannels <= 0)
      return call.fail(
          "out_channels",
          fmt::format("out_channels must be positive, got {}", outChannels));
    Type element = type.getElementType();
    FailureOr<mlir::Value> w = call.weight(
        "weight", {outChannels, channels / groups, kernel[0], kernel[1]},
        element);
    if (failed(w))
      return failure();
    FailureOr<mlir::Value> b =
        optionalBias(call, hasBias, outChannels, element);
    if (failed(b))
      return failure();
    filter = *w;
    bias = *b;
    return success();
  }

  DenseI64ArrayAttr strideAttr(Call &call) const {
    return call.emitter.arrayAttr(stride, {1, 1});
  }
  DenseI64ArrayAttr paddingAttr(Call &call) const {
    return call.emitter.arrayAttr(padding, {0, 0, 0, 0});
  }
  DenseI64ArrayAttr dilationAttr(Call &call) const {
    return call.emitter.arrayAttr(dilation, {1, 1});
  }
  IntegerAttr groupsAttr(Call &call) const {
    return call.emitter.intAttr(groups, 1);
  }
};

FailureOr<Val> conv2d(Call &call) {
  mlir::Value x = call.tensor("x", 4);
  Convolution conv = Convolution::readGeometry(call);
  conv.readBiasAndPadding(call);
  if (call.failed() || failed(conv.declareParameters(call, x)))
    return failure();
  return call.op<cnn::Conv2DOp>(x, conv.filter, conv.bias,
                                conv.strideAttr(call), conv.paddingAttr(call),
                                conv.dilationAttr(call), conv.groupsAttr(call));
}

FailureOr<Val> deformConv2d(Call &call) {
  mlir::Value x = call.tensor("x", 4);
  mlir::Value offset = call.tensor("offset", 4);
  Convolution conv = Convolution::readGeometry(call);
  int64_t offsetGroups = call.integer("offset_groups");
  conv.readBiasAndPadding(call);
  mlir::Value mask;
  if (!call.isNone("mask"))
    mask = call.tensor("mask", 4);
  if (call.failed() || failed(conv.declareParameters(call, x)))
    return failure();
  return call.op<cnn::DeformConv2DOp>(
      x, offset, conv.filter, mask, conv.bias, conv.strideAttr(call),
      conv.paddingAttr(call), conv.dilationAttr(call), conv.groupsAttr(call),
      call.emitter.intAttr(offsetGroups, 1));
}

//===----------------------------------------------------------------------===//
// Other layers with parameters.
//===----------------------------------------------------------------------===//

FailureOr<Val> batchNorm(Call &call) {
  mlir::Value x = call.tensor("x");
  double eps = call.number("eps");
  int64_t channels =
      call.channels("x", "batch_norm needs a channel dimension, but 'x' is " +
                             describe(call.get("x")));
  if (call.failed())
    return failure();
  Type element = cast<RankedTensorType>(x.getType()).getElementType();
  SmallVector<mlir::Value, 4> values;
  for (const char *suffix : {"weight", "bias", "running_mean", "running_var"}) {
    FailureOr<mlir::Value> value = call.weight(suffix, {channels}, element);
    if (failed(value))
      return failure();
    values.push_back(*value);
  }
  if (failed(call.emitter.checkpointOnly(call.loc, "num_batches_tracked")))
    return failure();
  FloatAttr epsilon =
      eps == 1e-5 ? FloatAttr() : call.builder().getF64FloatAttr(eps);
  return call.op<cnn::BatchNormOp>(x, values[2], values[3], values[0],
                                   values[1], epsilon);
}

FailureOr<Val> dense(Call &call) {
  mlir::Value x = call.tensor("x", 2);
  int64_t out = call.integer("out_features");
  bool hasBias = call.flag("bias");
  if (call.failed())
    return failure();
  if (out <= 0)
    return call.fail("out_features",
                     fmt::format("out_features must be positive, got {}", out));
  auto type = cast<RankedTensorType>(x.getType());
  Type element = type.getElementType();
  FailureOr<mlir::Value> w =
      call.weight("weight", {out, type.getDimSize(1)}, element);
  if (failed(w))
    return failure();
  FailureOr<mlir::Value> bias = optionalBias(call, hasBias, out, element);
  if (failed(bias))
    return failure();
  return call.op<cnn::DenseOp>(x, *w, *bias);
}

FailureOr<Val> prelu(Call &call) {
  mlir::Value x = call.tensor("x");
  int64_t count = call.integer("num_parameters");
  if (call.failed())
    return failure();
  FailureOr<mlir::Value> slope = call.weight(
      "weight", {count}, cast<RankedTensorType>(x.getType()).getElementType());
  if (failed(slope))
    return failure();
  return call.op<cnn::PReluOp>(x, *slope);
}

//===----------------------------------------------------------------------===//
// Layers without parameters.
//===----------------------------------------------------------------------===//

/// An element-wise activation (or a pool) of `x` alone.
template <typename OpTy> FailureOr<Val> unary(Call &call) {
  mlir::Value x = call.tensor("x");
  return call.op<OpTy>(x);
}

FailureOr<Val> clip(Call &call) {
  mlir::Value x = call.tensor("x");
  double lo = call.number("min");
  double hi = call.number("max");
  return call.op<cnn::ClipOp>(x, llvm::APFloat(lo), llvm::APFloat(hi));
}

FailureOr<Val> leakyRelu(Call &call) {
  mlir::Value x = call.tensor("x");
  double slope = call.number("negative_slope");
  return call.op<cnn::LeakyReluOp>(x, llvm::APFloat(slope));
}

/// What the pools share: the window (the stride defaults to the kernel, as
/// in PyTorch), ceil_mode, and the padding.
struct Window {
  mlir::Value x;
  SmallVector<int64_t> kernel, stride, dilation{1, 1}, padding;
  bool ceilMode = false;

  static Window read(Call &call, bool hasDilation) {
    Window window;
    window.x = call.tensor("x", 4);
    window.kernel = call.pair("kernel");
    window.stride = call.isNone("stride") ? window.kernel : call.pair("stride");
    if (hasDilation)
      window.dilation = call.pair("dilation");
    window.ceilMode = call.flag("ceil_mode");
    window.padding =
        call.padding("padding", window.kernel, window.stride, window.dilation);
    return window;
  }
};

FailureOr<Val> maxPool2d(Call &call) {
  Window w = Window::read(call, /*hasDilation=*/true);
  OpBuilder &b = call.builder();
  return call.op<cnn::MaxPool2DOp>(
      w.x, b.getDenseI64ArrayAttr(w.kernel), b.getDenseI64ArrayAttr(w.stride),
      call.emitter.arrayAttr(w.padding, {0, 0, 0, 0}),
      call.emitter.arrayAttr(w.dilation, {1, 1}), unitIf(call, w.ceilMode));
}

FailureOr<Val> avgPool2d(Call &call) {
  Window w = Window::read(call, /*hasDilation=*/false);
  bool countPad = call.flag("count_include_pad");
  IntegerAttr divisor;
  if (!call.isNone("divisor_override"))
    divisor =
        call.builder().getI64IntegerAttr(call.integer("divisor_override"));
  OpBuilder &b = call.builder();
  return call.op<cnn::AvgPool2DOp>(
      w.x, b.getDenseI64ArrayAttr(w.kernel), b.getDenseI64ArrayAttr(w.stride),
      call.emitter.arrayAttr(w.padding, {0, 0, 0, 0}), unitIf(call, w.ceilMode),
      unitIf(call, countPad), divisor);
}

FailureOr<Val> softmax(Call &call) {
  mlir::Value x = call.tensor("x");
  int64_t axis = call.integer("axis");
  return call.op<cnn::SoftmaxOp>(x, call.emitter.intAttr(axis, 1));
}

FailureOr<Val> flatten(Call &call) {
  mlir::Value x = call.tensor("x");
  int64_t start = call.integer("start_dim");
  int64_t end = call.integer("end_dim");
  return call.op<cnn::FlattenOp>(x, call.emitter.intAttr(start, 1),
                                 call.emitter.intAttr(end, -1));
}

/// `sizes` with its -1, if any, replaced by what the input's elements
/// leave for it, as torch.reshape does: at most one -1, and the other sizes
/// must divide the elements.
FailureOr<SmallVector<int64_t>> inferReshapeSize(Call &call, mlir::Value x,
                                                 ArrayRef<int64_t> sizes) {
  std::string written = formatShape(sizes);
  auto refuse = [&](const Twine &message) -> FailureOr<SmallVector<int64_t>> {
    (void)call.fail("shape", message);
    return failure();
  };
  int64_t inferred = -1, known = 1;
  for (auto [index, size] : llvm::enumerate(sizes)) {
    if (size == -1) {
      if (inferred >= 0)
        return refuse("reshape infers at most one size, but " + written +
                      " has more than one -1");
      inferred = static_cast<int64_t>(index);
      continue;
    }
    if (size <= 0)
      return refuse("reshape's sizes must be positive, or -1 for "
                    "the one to infer, but " +
                    written + " has " + std::to_string(size));
    if (llvm::MulOverflow(known, size, known))
      return refuse("shape " + written +
                    " has more elements than fit in 64 bits");
  }
  SmallVector<int64_t> resolved(sizes);
  if (inferred < 0)
    return resolved; // The op's shape rule compares the element counts.
  auto type = cast<RankedTensorType>(x.getType());
  int64_t elements = type.getNumElements();
  if (elements % known != 0)
    return refuse(fmt::format("cannot infer the -1 of {}: the "
                              "input {} has {} elements, not a "
                              "multiple of {}",
                              written, describe(call.get("x")), elements,
                              known));
  resolved[inferred] = elements / known;
  return resolved;
}

FailureOr<Val> reshape(Call &call) {
  mlir::Value x = call.tensor("x");
  if (call.failed())
    return failure();
  const Val &shape = call.get("shape");
  SmallVector<int64_t> sizes;
  for (const Val &size : shape.elements())
    if (size.is(Val::Kind::Int))
      sizes.push_back(size.i);
  if (!shape.is(Val::Kind::List) || sizes.size() != shape.elements().size())
    return call.fail("shape", "'shape' must be a list of integers, but it is " +
                                  describe(shape));
  FailureOr<SmallVector<int64_t>> resolved = inferReshapeSize(call, x, sizes);
  if (failed(resolved))
    return failure();
  return call.op<cnn::ReshapeOp>(x, ArrayRef<int64_t>(*resolved));
}

FailureOr<Val> concat(Call &call) {
  const Val &xs = call.get("xs");
  SmallVector<mlir::Value> inputs;
  for (const Val &x : xs.elements())
    if (x.is(Val::Kind::Tensor))
      inputs.push_back(x.tensor);
  if (!xs.is(Val::Kind::List) || xs.elements().empty() ||
      inputs.size() != xs.elements().size())
    return call.fail("xs", "concat takes a non-empty list of tensors, e.g. "
                           "concat([a, b]), but got " +
                               describe(xs));
  return call.op<cnn::ConcatOp>(ValueRange(inputs), /*interleave=*/false);
}

FailureOr<Val> channelShuffle(Call &call) {
  mlir::Value x = call.tensor("x");
  int64_t groups = call.integer("groups");
  return call.op<cnn::ChannelShuffleOp>(x, static_cast<uint64_t>(groups));
}

FailureOr<Val> slice(Call &call) {
  mlir::Value x = call.tensor("x");
  int64_t offset = call.integer("offset");
  int64_t size = call.integer("size");
  return call.op<cnn::SliceOp>(x, static_cast<uint64_t>(offset),
                               static_cast<uint64_t>(size));
}

FailureOr<Val> chunk(Call &call) {
  mlir::Value x = call.tensor("x");
  int64_t chunks = call.integer("chunks");
  int64_t channels = call.channels("x", "chunk needs a channel dimension");
  if (call.failed())
    return failure();
  if (chunks <= 0 || channels % chunks != 0)
    return call.fail("chunks", fmt::format("chunks ({}) must be positive and "
                                           "divide the {} channels",
                                           chunks, channels));
  if (failed(call.emitter.checkSize(call.loc, chunks, Val::Kind::List)))
    return failure();
  std::vector<Val> parts;
  int64_t size = channels / chunks;
  for (int64_t i = 0; i < chunks; ++i) {
    FailureOr<Val> part = call.op<cnn::SliceOp>(
        x, static_cast<uint64_t>(i * size), static_cast<uint64_t>(size));
    if (failed(part))
      return failure();
    parts.push_back(std::move(*part));
  }
  return call.emitter.makeList(call.loc, std::move(parts));
}

FailureOr<Val> dropout(Call &call) {
  // Inference: the identity. It still takes a stage index in a seq, as
  // nn.Dropout does in an nn.Sequential.
  mlir::Value x = call.tensor("x");
  if (call.failed())
    return failure();
  return Val::fromTensor(x);
}

} // namespace

llvm::ArrayRef<Builtin> interp::opBuiltins() {
  static const Val none = Val::none();
  static const Val zero = Val::integer(0), one = Val::integer(1);
  static const Val yes = Val::boolean(true), no = Val::boolean(false);
  static const std::vector<Builtin> table = {
      {"relu", {required("x")}, unary<cnn::ReluOp>},
      {"relu6", {required("x")}, unary<cnn::Relu6Op>},
      {"sigmoid", {required("x")}, unary<cnn::SigmoidOp>},
      {"hard_sigmoid", {required("x")}, unary<cnn::HardSigmoidOp>},
      {"hard_swish", {required("x")}, unary<cnn::HardSwishOp>},
      {"silu", {required("x")}, unary<cnn::SiluOp>},
      {"tanh", {required("x")}, unary<cnn::TanhOp>},
      {"global_avg_pool", {required("x")}, unary<cnn::GlobalAvgPoolOp>},
      {"conv2d",
       {required("x"), required("out_channels"), required("kernel"),
        optional("stride", one), optional("padding", zero),
        optional("dilation", one), optional("groups", one),
        optional("bias", yes)},
       conv2d},
      {"deform_conv2d",
       {required("x"), required("offset"), required("out_channels"),
        required("kernel"), optional("stride", one), optional("padding", zero),
        optional("dilation", one), optional("groups", one),
        optional("offset_groups", one), optional("mask", none),
        optional("bias", yes)},
       deformConv2d},
      {"batch_norm",
       {required("x"), optional("eps", Val::real(1e-5))},
       batchNorm},
      {"dense",
       {required("x"), required("out_features"), optional("bias", yes)},
       dense},
      {"prelu", {required("x"), optional("num_parameters", one)}, prelu},
      {"clip", {required("x"), required("min"), required("max")}, clip},
      {"leaky_relu",
       {required("x"), optional("negative_slope", Val::real(0.01))},
       leakyRelu},
      {"max_pool2d",
       {required("x"), required("kernel"), optional("stride", none),
        optional("padding", zero), optional("ceil_mode", no),
        optional("dilation", one)},
       maxPool2d},
      {"avg_pool2d",
       {required("x"), required("kernel"), optional("stride", none),
        optional("padding", zero), optional("ceil_mode", no),
        optional("count_include_pad", yes), optional("divisor_override", none)},
       avgPool2d},
      {"softmax", {required("x"), optional("axis", one)}, softmax},
      {"flatten",
       {required("x"), optional("start_dim", one),
        optional("end_dim", Val::integer(-1))},
       flatten},
      {"reshape", {required("x"), required("shape")}, reshape},
      {"concat", {required("xs")}, concat},
      {"channel_shuffle", {required("x"), required("groups")}, channelShuffle},
      {"slice", {required("x"), required("offset"), required("size")}, slice},
      {"chunk", {required("x"), required("chunks")}, chunk},
      {"dropout", {required("x"), optional("p", Val::real(0.5))}, dropout},
  };
  return table;
}
