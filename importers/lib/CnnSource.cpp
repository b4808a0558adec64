//===- CnnSource.cpp - cnn IR back to the .cnn language -------------------===//
//
// One statement per op, in the function's order: `NAME = call(...)`, where
// NAME comes from the op's layer (its location's name) or, for a model
// output, from the output's name. A layer with parameters is named with
// `as "LAYER"`, LAYER being its weights' common prefix, so the frontend
// gives the parameters the names the checkpoint holds.
//
//===----------------------------------------------------------------------===//

#include "cnnc/Importers/CnnSource.h"

#include "cnnc/Dialect/CNNOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/FileSystem.h"

#include <cmath>
#include <map>

using namespace mlir;
using llvm::Error;
namespace cnn = cnnc::cnn;

namespace {

Error fail(Operation *op, const llvm::Twine &why) {
  std::string name;
  if (auto named = dyn_cast<NameLoc>(op->getLoc()))
    name = " (layer '" + named.getName().str() + "')";
  return llvm::createStringError(
      llvm::inconvertibleErrorCode(),
      "'" + op->getName().getStringRef() + "'" + name +
          " has no form in the .cnn language: " + why);
}

std::string list(ArrayRef<int64_t> values) {
  std::string text = "[";
  for (size_t i = 0; i < values.size(); ++i)
    text += (i ? ", " : "") + std::to_string(values[i]);
  return text + "]";
}

/// A number that reads back as the same double.
std::string number(double value) {
  char buffer[40];
  std::snprintf(buffer, sizeof(buffer), "%.17g", value);
  std::string text = buffer;
  if (text.find_first_of(".e") == std::string::npos)
    text += ".0";
  return text;
}

class Writer {
public:
  Writer(func::FuncOp func, llvm::raw_ostream &os) : func(func), os(os) {}

  Error run(llvm::StringRef header);

private:
  std::string variable(Operation *op);
  std::string fresh(std::string base);
  FailureOr<std::string> operand(Value value);
  /// The layer name of a parameterized op: its weight operands must be
  /// cnn.weight ops named LAYER.suffix.
  llvm::Expected<std::string>
  layerOf(Operation *op, ArrayRef<std::pair<Value, const char *>> params);
  llvm::Expected<std::string> expression(Operation *op);

  func::FuncOp func;
  llvm::raw_ostream &os;
  llvm::DenseMap<Value, std::string> names;
  llvm::StringSet<> used;
  llvm::DenseSet<Operation *> parameters; // weights used as parameters
};

std::string Writer::fresh(std::string base) {
  static const llvm::StringSet<> reserved = {"model",
                                             "block",
                                             "seq",
                                             "for",
                                             "in",
                                             "if",
                                             "else",
                                             "return",
                                             "as",
                                             "true",
                                             "false",
                                             "and",
                                             "or",
                                             "not",
                                             "none",
                                             "conv2d",
                                             "deform_conv2d",
                                             "batch_norm",
                                             "dense",
                                             "prelu",
                                             "relu",
                                             "relu6",
                                             "sigmoid",
                                             "hard_sigmoid",
                                             "hard_swish",
                                             "silu",
                                             "tanh",
                                             "clip",
                                             "leaky_relu",
                                             "max_pool2d",
                                             "avg_pool2d",
                                             "global_avg_pool",
                                             "concat",
                                             "chunk",
                                             "slice",
                                             "channel_shuffle",
                                             "flatten",
                                             "reshape",
                                             "softmax",
                                             "dropout",
                                             "channels",
                                             "height",
                                             "width",
                                             "batch",
                                             "shape",
                                             "len",
                                             "range",
                                             "min",
                                             "max",
                                             "str"};
  std::string id;
  for (char c : base)
    id += llvm::isAlnum(c) ? c : '_';
  while (id.find("__") != std::string::npos)
    id.erase(id.find("__"), 1);
  if (id.empty() || llvm::isDigit(id[0]) || id[0] == '_')
    id = "v" + id;
  if (reserved.contains(id))
    id += "_";
  std::string name = id;
  for (int k = 1; used.contains(name); ++k)
    name = id + "_" + std::to_string(k);
  used.insert(name);
  return name;
}

std::string Writer::variable(Operation *op) {
  std::string base = "x";
  if (auto named = dyn_cast<NameLoc>(op->getLoc()))
    base = named.getName().str();
  return fresh(base);
}

FailureOr<std::string> Writer::operand(Value value) {
  auto it = names.find(value);
  if (it == names.end())
    return failure();
  return it->second;
}

llvm::Expected<std::string>
Writer::layerOf(Operation *op,
                ArrayRef<std::pair<Value, const char *>> params) {
  std::string layer;
  for (auto [value, suffix] : params) {
    auto weight = value ? value.getDefiningOp<cnn::WeightOp>() : nullptr;
    if (!weight)
      return fail(op, "its parameters must be constants (cnn.weight)");
    llvm::StringRef name = weight.getName();
    std::string tail = std::string(".") + suffix;
    if (!name.ends_with(tail))
      return fail(op, "parameter '" + name + "' is not named LAYER" + tail);
    std::string prefix = name.drop_back(tail.size()).str();
    if (!layer.empty() && prefix != layer)
      return fail(op, "its parameters belong to different layers ('" + layer +
                          "', '" + prefix + "')");
    layer = prefix;
    parameters.insert(weight);
  }
  if (layer.find('"') != std::string::npos)
    return fail(op, "its layer name holds a '\"'");
  return layer;
}

llvm::Expected<std::string> Writer::expression(Operation *op) {
  SmallVector<std::string> args;
  for (Value value : op->getOperands()) {
    FailureOr<std::string> name = operand(value);
    args.push_back(succeeded(name) ? *name : "");
  }
  auto named = [&](llvm::Expected<std::string> layer,
                   std::string call) -> llvm::Expected<std::string> {
    if (!layer)
      return layer.takeError();
    return call + " as \"" + *layer + "\"";
  };
  auto pair = [](ArrayRef<int64_t> values, ArrayRef<int64_t> defaults,
                 const char *key) -> std::string {
    if (values.empty() || values == defaults)
      return "";
    return std::string(", ") + key + "=" + list(values);
  };
  return llvm::TypeSwitch<Operation *, llvm::Expected<std::string>>(op)
      .Case([&](cnn::Conv2DOp conv) -> llvm::Expected<std::string> {
        SmallVector<std::pair<Value, const char *>> params = {
            {conv.getFilter(), "weight"}};
        if (conv.getBias())
          params.push_back({conv.getBias(), "bias"});
        std::string call =
            "conv2d(" + args[0] + ", " +
            std::to_string(conv.getOutputChannels()) + ", " +
            list({conv.getKernelHeight(), conv.getKernelWidth()}) +
            pair(conv.getStrides(), {1, 1}, "stride") +
            pair(conv.getPadding(), {0, 0, 0, 0}, "padding") +
            pair(conv.getDilations(), {1, 1}, "dilation") +
            (conv.getNumGroups() != 1
                 ? ", groups=" + std::to_string(conv.getNumGroups())
                 : "") +
            (conv.getBias() ? "" : ", bias=false") + ")";
        return named(layerOf(op, params), call);
      })
      .Case([&](cnn::DeformConv2DOp conv) -> llvm::Expected<std::string> {
        SmallVector<std::pair<Value, const char *>> params = {
            {conv.getFilter(), "weight"}};
        if (conv.getBias())
          params.push_back({conv.getBias(), "bias"});
        auto filter = conv.getFilter().getType();
        std::string mask;
        if (conv.getMask())
          mask = ", mask=" + args[3];
        std::string call =
            "deform_conv2d(" + args[0] + ", " + args[1] + ", " +
            std::to_string(filter.getDimSize(0)) + ", " +
            list({filter.getDimSize(2), filter.getDimSize(3)}) +
            pair(conv.getStrides(), {1, 1}, "stride") +
            pair(conv.getPadding(), {0, 0, 0, 0}, "padding") +
            pair(conv.getDilations(), {1, 1}, "dilation") +
            (conv.getGroups() != 1
                 ? ", groups=" + std::to_string(conv.getGroups())
                 : "") +
            (conv.getOffsetGroups() != 1
                 ? ", offset_groups=" + std::to_string(conv.getOffsetGroups())
                 : "") +
            mask + (conv.getBias() ? "" : ", bias=false") + ")";
        return named(layerOf(op, params), call);
      })
      .Case([&](cnn::BatchNormOp bn) -> llvm::Expected<std::string> {
        if (!bn.getScale() || !bn.getShift())
          return fail(op, "the language's batch_norm has a scale and shift");
        double eps = bn.getEpsilon().convertToDouble();
        std::string call = "batch_norm(" + args[0] +
                           (eps == 1e-5 ? "" : ", eps=" + number(eps)) + ")";
        return named(layerOf(op, {{bn.getScale(), "weight"},
                                  {bn.getShift(), "bias"},
                                  {bn.getMean(), "running_mean"},
                                  {bn.getVariance(), "running_var"}}),
                     call);
      })
      .Case([&](cnn::DenseOp dense) -> llvm::Expected<std::string> {
        SmallVector<std::pair<Value, const char *>> params = {
            {dense.getWeight(), "weight"}};
        if (dense.getBias())
          params.push_back({dense.getBias(), "bias"});
        int64_t out = dense.getType().getDimSize(1);
        return named(layerOf(op, params),
                     "dense(" + args[0] + ", " + std::to_string(out) +
                         (dense.getBias() ? "" : ", bias=false") + ")");
      })
      .Case([&](cnn::PReluOp prelu) -> llvm::Expected<std::string> {
        int64_t n = prelu.getSlope().getType().getNumElements();
        return named(
            layerOf(op, {{prelu.getSlope(), "weight"}}),
            "prelu(" + args[0] +
                (n == 1 ? "" : ", num_parameters=" + std::to_string(n)) + ")");
      })
      .Case<cnn::ReluOp, cnn::Relu6Op, cnn::SigmoidOp, cnn::HardSigmoidOp,
            cnn::HardSwishOp, cnn::SiluOp, cnn::TanhOp, cnn::GlobalAvgPoolOp>(
          [&](Operation *) -> llvm::Expected<std::string> {
            std::string callee =
                op->getName().getStringRef().drop_front(4).str();
            return callee + "(" + args[0] + ")";
          })
      .Case([&](cnn::ClipOp clip) -> llvm::Expected<std::string> {
        double lo = clip.getMin().convertToDouble();
        double hi = clip.getMax().convertToDouble();
        if (!std::isfinite(lo) || !std::isfinite(hi))
          return fail(op, "its bounds are not finite");
        return "clip(" + args[0] + ", " + number(lo) + ", " + number(hi) + ")";
      })
      .Case([&](cnn::LeakyReluOp leaky) -> llvm::Expected<std::string> {
        return "leaky_relu(" + args[0] + ", negative_slope=" +
               number(leaky.getNegativeSlope().convertToDouble()) + ")";
      })
      .Case([&](cnn::MaxPool2DOp pool) -> llvm::Expected<std::string> {
        return "max_pool2d(" + args[0] + ", " + list(pool.getKernelSize()) +
               ", stride=" + list(pool.getStrides()) +
               pair(pool.getPadding(), {0, 0, 0, 0}, "padding") +
               (pool.getCeilMode() ? ", ceil_mode=true" : "") +
               pair(pool.getDilations(), {1, 1}, "dilation") + ")";
      })
      .Case([&](cnn::AvgPool2DOp pool) -> llvm::Expected<std::string> {
        std::optional<uint64_t> divisor = pool.getDivisorOverride();
        return "avg_pool2d(" + args[0] + ", " + list(pool.getKernelSize()) +
               ", stride=" + list(pool.getStrides()) +
               pair(pool.getPadding(), {0, 0, 0, 0}, "padding") +
               (pool.getCeilMode() ? ", ceil_mode=true" : "") +
               (pool.getCountIncludePad() ? "" : ", count_include_pad=false") +
               (divisor ? ", divisor_override=" + std::to_string(*divisor)
                        : "") +
               ")";
      })
      .Case([&](cnn::ConcatOp concat) -> llvm::Expected<std::string> {
        if (concat.getInterleave())
          return fail(op, "an interleaved concat");
        return "concat([" + llvm::join(args, ", ") + "])";
      })
      .Case([&](cnn::SliceOp slice) -> llvm::Expected<std::string> {
        return "slice(" + args[0] + ", " + std::to_string(slice.getOffset()) +
               ", " + std::to_string(slice.getSize()) + ")";
      })
      .Case([&](cnn::ChannelShuffleOp shuffle) -> llvm::Expected<std::string> {
        return "channel_shuffle(" + args[0] + ", " +
               std::to_string(shuffle.getGroups()) + ")";
      })
      .Case([&](cnn::FlattenOp flatten) -> llvm::Expected<std::string> {
        int64_t start = flatten.getStartDim(), end = flatten.getEndDim();
        return "flatten(" + args[0] +
               (start == 1 ? "" : ", start_dim=" + std::to_string(start)) +
               (end == -1 ? "" : ", end_dim=" + std::to_string(end)) + ")";
      })
      .Case([&](cnn::ReshapeOp reshape) -> llvm::Expected<std::string> {
        return "reshape(" + args[0] + ", " + list(reshape.getShape()) + ")";
      })
      .Case([&](cnn::SoftmaxOp softmax) -> llvm::Expected<std::string> {
        int64_t axis = softmax.getAxis();
        return "softmax(" + args[0] +
               (axis == 1 ? "" : ", axis=" + std::to_string(axis)) + ")";
      })
      .Case<cnn::AddOp, cnn::MulOp>(
          [&](Operation *) -> llvm::Expected<std::string> {
            for (Value v : op->getOperands())
              if (v.getDefiningOp<cnn::WeightOp>())
                return fail(op, "an operand is a constant tensor, which the "
                                "language has no literal for");
            return args[0] + (isa<cnn::AddOp>(op) ? " + " : " * ") + args[1];
          })
      .Default([&](Operation *) -> llvm::Expected<std::string> {
        return fail(op, "the language has no such op");
      });
}

Error Writer::run(llvm::StringRef header) {
  for (llvm::StringRef line : llvm::split(header, '\n'))
    if (!line.empty())
      os << "# " << line << "\n";
  std::string modelName = fresh(func.getSymName().str());
  os << "model " << modelName << "(";
  for (BlockArgument arg : func.getArguments()) {
    auto attr =
        func.getArgAttrOfType<StringAttr>(arg.getArgNumber(), "cnn.name");
    std::string name = fresh(attr ? attr.str() : "input");
    names[arg] = name;
    auto type = cast<RankedTensorType>(arg.getType());
    if (!type.getElementType().isF32())
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     "the .cnn writer handles f32 inputs");
    os << (arg.getArgNumber() ? ", " : "") << name << ": f32"
       << list(type.getShape());
  }
  os << ") {\n";

  // Outputs are named after the model's: their producers take the names.
  auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
  llvm::DenseMap<Operation *, std::string> outputNames;
  SmallVector<std::string> returned;
  for (auto [index, value] : llvm::enumerate(ret.getOperands())) {
    auto attr = func.getResultAttrOfType<StringAttr>(index, "cnn.name");
    std::string name = attr ? attr.str() : "output" + std::to_string(index);
    Operation *producer = value.getDefiningOp();
    if (producer && !isa<cnn::WeightOp>(producer) &&
        !outputNames.count(producer)) {
      outputNames[producer] = fresh(name);
      returned.push_back(outputNames[producer]);
    } else {
      returned.push_back("");
    }
  }

  for (Operation &op : func.getBody().front().without_terminator()) {
    if (isa<cnn::WeightOp>(op))
      continue;
    if (op.getNumResults() != 1)
      return fail(&op, "it has several results");
    llvm::Expected<std::string> text = expression(&op);
    if (!text)
      return text.takeError();
    std::string name =
        outputNames.count(&op) ? outputNames[&op] : variable(&op);
    names[op.getResult(0)] = name;
    os << "  " << name << " = " << *text << "\n";
  }
  // A weight read as data (not as a layer's parameter) cannot be written.
  for (Operation &op : func.getBody().front().without_terminator())
    if (isa<cnn::WeightOp>(op) && !parameters.contains(&op))
      return fail(&op, "a constant read as data");

  for (auto [index, value] : llvm::enumerate(ret.getOperands())) {
    if (!returned[index].empty())
      continue;
    auto attr = func.getResultAttrOfType<StringAttr>(index, "cnn.name");
    returned[index] = fresh(attr ? attr.str() : "output");
    FailureOr<std::string> source = operand(value);
    if (failed(source))
      return fail(ret, "an output is a constant");
    os << "  " << returned[index] << " = " << *source << "\n";
  }
  os << "  return " << llvm::join(returned, ", ") << "\n}\n";
  return Error::success();
}

/// The float values of a weight's value attribute.
std::vector<float> valuesOf(ElementsAttr value) {
  std::vector<float> data;
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(value)) {
    if (AsmResourceBlob *blob = resource.getRawHandle().getBlob()) {
      ArrayRef<char> bytes = blob->getData();
      data.resize(bytes.size() / sizeof(float));
      std::memcpy(data.data(), bytes.data(), data.size() * sizeof(float));
    }
    return data;
  }
  for (float v : value.getValues<float>())
    data.push_back(v);
  return data;
}

} // namespace

Error cnnc::writeCnnSource(ModuleOp module, llvm::raw_ostream &os,
                           llvm::StringRef header) {
  SmallVector<func::FuncOp> funcs(module.getOps<func::FuncOp>());
  if (funcs.size() != 1)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "the module must hold one model function");
  return Writer(funcs[0], os).run(header);
}

Error cnnc::writeSafetensors(ModuleOp module, llvm::StringRef path) {
  std::map<std::string, std::pair<std::vector<int64_t>, std::vector<float>>>
      tensors;
  module.walk([&](cnn::WeightOp op) {
    if (!op.getValue())
      return;
    auto type = op.getType();
    tensors[op.getName().str()] = {
        std::vector<int64_t>(type.getShape().begin(), type.getShape().end()),
        valuesOf(*op.getValue())};
  });
  std::string headerText = "{";
  uint64_t offset = 0;
  for (const auto &[name, tensor] : tensors) {
    uint64_t bytes = tensor.second.size() * sizeof(float);
    headerText += (headerText.size() > 1 ? "," : "") + std::string("\"") +
                  name +
                  "\":{\"dtype\":\"F32\",\"shape\":" + list(tensor.first) +
                  ",\"data_offsets\":[" + std::to_string(offset) + "," +
                  std::to_string(offset + bytes) + "]}";
    offset += bytes;
  }
  headerText += "}";
  while (headerText.size() % 8 != 0)
    headerText += ' ';
  std::error_code error;
  llvm::raw_fd_ostream out(path, error, llvm::sys::fs::OF_None);
  if (error)
    return llvm::createStringError(error, "cannot write '" + path +
                                              "': " + error.message());
  uint64_t size = headerText.size();
  char length[8];
  for (int i = 0; i < 8; ++i)
    length[i] = static_cast<char>((size >> (8 * i)) & 0xff);
  out.write(length, 8);
  out << headerText;
  for (const auto &[name, tensor] : tensors)
    out.write(reinterpret_cast<const char *>(tensor.second.data()),
              tensor.second.size() * sizeof(float));
  out.close();
  if (out.has_error())
    return llvm::createStringError(out.error(), "cannot write '" + path + "'");
  return Error::success();
}
