//===- Importer.cpp - the importer's walk over the graph ------------------===//
//
// Nodes are converted in the file's (topological) order; each defines its
// outputs as tensors or as constants. At the end the model's outputs are
// returned, Reshape-Transpose-Reshape chains that shuffle channels become
// cnn.channel_shuffle, and what no output needs is erased.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "cnnc/Importers/ONNX.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Transforms/DialectConversion.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/WithColor.h"

using namespace mlir;
using namespace cnnc::onnx_import;

namespace {

std::string formatShape(const Shape &shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

/// An identifier of the .cnn language and of C: letters, digits and '_'.
std::string identifier(const std::string &name) {
  std::string id;
  for (char c : name)
    id += llvm::isAlnum(c) ? c : '_';
  if (id.empty() || llvm::isDigit(id[0]))
    id = "v" + id;
  return id;
}

} // namespace

std::string cnnc::onnx_import::sanitizeName(const std::string &name) {
  std::string out;
  for (char c : name) {
    if (c == '/')
      c = '.';
    else if (!llvm::isAlnum(c) && c != '_' && c != '.')
      c = '_';
    if (c == '.' && (out.empty() || out.back() == '.'))
      continue;
    out += c;
  }
  while (!out.empty() && out.back() == '.')
    out.pop_back();
  return out;
}

Importer::Importer(const Graph &graph, MLIRContext &context,
                   std::string modelName, std::string tool,
                   llvm::raw_ostream &errors)
    : graph(graph), context(context), builder(&context),
      loc(FileLineColLoc::get(&context, graph.path, 0, 0)), opset(graph.opset),
      modelName(std::move(modelName)), tool(std::move(tool)), errors(errors) {}

LogicalResult Importer::fail(const std::string &message) {
  auto &os = llvm::WithColor::error(errors, tool) << graph.path << ": ";
  if (node)
    os << "node '" << node->name << "' (" << node->opType << "): ";
  os << message << "\n";
  reported = true;
  return failure();
}

bool Importer::hasInput(size_t index) const {
  return index < node->inputs.size() && !node->inputs[index].empty();
}

bool Importer::hasOutput(size_t index) const {
  return index < node->outputs.size() && !node->outputs[index].empty();
}

FailureOr<Val> Importer::input(size_t index) {
  if (!hasInput(index))
    return fail("input " + std::to_string(index) + " is missing");
  auto it = values.find(node->inputs[index]);
  if (it == values.end())
    return fail("input '" + node->inputs[index] +
                "' is not defined before the node");
  return it->second;
}

FailureOr<std::shared_ptr<const ConstTensor>>
Importer::constantInput(size_t index, const std::string &what) {
  FailureOr<Val> value = input(index);
  if (failed(value))
    return failure();
  if (!value->constant)
    return fail(what + " (input '" + node->inputs[index] +
                "') must be a constant: cnnc compiles static graphs");
  return value->constant;
}

FailureOr<Value> Importer::tensorInput(size_t index) {
  FailureOr<Val> value = input(index);
  if (failed(value))
    return failure();
  return asTensor(*value, sanitizeName(node->inputs[index]));
}

FailureOr<Value> Importer::asTensor(const Val &value, const std::string &name) {
  if (value.tensor)
    return value.tensor;
  auto it = materialized.find(value.constant.get());
  if (it != materialized.end())
    return it->second;
  FailureOr<Value> tensor = weight(*value.constant, name);
  if (succeeded(tensor))
    materialized[value.constant.get()] = *tensor;
  return tensor;
}

FailureOr<Value> Importer::weight(const ConstTensor &tensor,
                                  const std::string &name, const Shape &shape) {
  if (!tensor.isFloat)
    return fail("a " + tensor.typeName +
                " tensor is used as data: cnnc computes on float tensors");
  Shape dims = shape.empty() ? tensor.shape : shape;
  if (tensor.values.empty())
    return fail("parameter '" + name +
                "' has no values (a dimension of 0): "
                "cnnc has no empty tensors");
  std::vector<float> data(tensor.values.begin(), tensor.values.end());
  auto type = RankedTensorType::get(dims, builder.getF32Type());
  if (type.getNumElements() != static_cast<int64_t>(data.size()))
    return fail("parameter '" + name + "' has " + std::to_string(data.size()) +
                " values, not the " + std::to_string(type.getNumElements()) +
                " of " + formatShape(dims));
  // Parameters are resources, as the frontend binds them; single values
  // are splats, which upstream folds read element by element.
  ElementsAttr value;
  if (data.size() == 1) {
    value = DenseElementsAttr::get(type, ArrayRef<float>(data));
  } else {
    AsmResourceBlob blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(
        ArrayRef<char>(reinterpret_cast<const char *>(data.data()),
                       data.size() * sizeof(float)),
        alignof(double));
    value = cast<ElementsAttr>(
        DenseResourceElementsAttr::get(type, name, std::move(blob)));
  }
  return builder
      .create<cnn::WeightOp>(loc, type, builder.getStringAttr(name), value)
      .getResult();
}

int64_t Importer::intAttr(const std::string &name, int64_t fallback) const {
  auto it = node->attributes.find(name);
  return it == node->attributes.end() ? fallback : it->second.i;
}

double Importer::floatAttr(const std::string &name, double fallback) const {
  auto it = node->attributes.find(name);
  return it == node->attributes.end() ? fallback : it->second.f;
}

std::string Importer::stringAttr(const std::string &name,
                                 const std::string &fallback) const {
  auto it = node->attributes.find(name);
  return it == node->attributes.end() ? fallback : it->second.s;
}

std::vector<int64_t>
Importer::intsAttr(const std::string &name,
                   const std::vector<int64_t> &fallback) const {
  auto it = node->attributes.find(name);
  return it == node->attributes.end() ? fallback : it->second.ints;
}

bool Importer::hasAttr(const std::string &name) const {
  return node->attributes.count(name) != 0;
}

LogicalResult Importer::onlyAttrs(std::initializer_list<const char *> known) {
  for (const auto &entry : node->attributes)
    if (llvm::none_of(known, [&](const char *k) { return entry.first == k; }))
      return fail("attribute '" + entry.first + "' is not supported");
  return success();
}

void Importer::define(size_t index, Value tensor) {
  if (hasOutput(index))
    values[node->outputs[index]] = Val{tensor, nullptr};
}

void Importer::defineConstant(size_t index, ConstTensor constant) {
  if (hasOutput(index))
    values[node->outputs[index]] =
        Val{Value(), std::make_shared<const ConstTensor>(std::move(constant))};
}

Shape Importer::shapeOf(Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  return Shape(type.getShape().begin(), type.getShape().end());
}

FailureOr<int64_t> Importer::normalizeAxis(int64_t axis, int64_t rank,
                                           const std::string &what) {
  if (axis < -rank || axis >= rank)
    return fail(what + " " + std::to_string(axis) +
                " is out of range for rank " + std::to_string(rank));
  return axis < 0 ? axis + rank : axis;
}

std::string Importer::layerName(const Node &n, size_t index) {
  // PyTorch's exporter names nodes by module scope, each scope the module's
  // full name: "/layer1/layer1.0/conv1/Conv" is the layer layer1.0.conv1,
  // as in the state_dict. A scope that extends the one before replaces it,
  // and the trailing op type ("Conv", "Relu_1") goes.
  SmallVector<llvm::StringRef> scopes;
  llvm::StringRef(n.name).split(scopes, '/', -1, /*KeepEmpty=*/false);
  if (scopes.size() > 1 &&
      (scopes.back() == n.opType || scopes.back().starts_with(n.opType + "_")))
    scopes.pop_back();
  std::vector<std::string> path;
  for (llvm::StringRef scope : scopes) {
    if (!path.empty() && scope.starts_with(path.back() + "."))
      path.back() = scope.str();
    else
      path.push_back(scope.str());
  }
  std::string name = sanitizeName(llvm::join(path, "/"));
  if (name.empty())
    name = n.opType + "_" + std::to_string(index);
  int &count = layerNames[name];
  if (count++)
    name += "_" + std::to_string(count - 1);
  return name;
}

LogicalResult Importer::importNode(const Node &n) {
  static const std::map<std::string, Converter> converters = [] {
    std::map<std::string, Converter> all;
    addNNConverters(all);
    addPoolingConverters(all);
    addElementwiseConverters(all);
    addShapeConverters(all);
    return all;
  }();
  std::string key = n.domain.empty() ? n.opType : n.domain + "." + n.opType;
  // DeformConv is in the default domain from opset 19 on; before, an
  // exporter's symbolic puts it in a domain of its own.
  if (n.opType == "DeformConv")
    key = n.opType;
  auto it = converters.find(key);
  if (it == converters.end())
    return fail(n.domain.empty() ? "operator '" + n.opType +
                                       "' is not supported (docs/onnx.md lists "
                                       "the supported ones)"
                                 : "operator '" + n.opType + "' of domain '" +
                                       n.domain + "' is not supported");
  return it->second(*this);
}

/// Reshape([N, C, ...] -> [N, g, C/g, ...]), Transpose(0, 2, 1, ...) and
/// Reshape back to [N, C, ...] are PyTorch's channel_shuffle.
LogicalResult Importer::recognizeChannelShuffle(Value result) {
  auto last = result.getDefiningOp<cnn::ReshapeOp>();
  auto transpose = last ? last.getInput().getDefiningOp<cnn::TransposeOp>()
                        : cnn::TransposeOp();
  auto first = transpose ? transpose.getInput().getDefiningOp<cnn::ReshapeOp>()
                         : cnn::ReshapeOp();
  if (!first)
    return success();
  Value x = first.getInput();
  Shape in = shapeOf(x), split = shapeOf(first), out = shapeOf(last);
  if (in != out || in.size() < 2 || split.size() != in.size() + 1 ||
      split[0] != in[0] || split[1] * split[2] != in[1] ||
      !std::equal(in.begin() + 2, in.end(), split.begin() + 3))
    return success();
  Shape expected = {0, 2, 1};
  for (size_t d = 3; d < split.size(); ++d)
    expected.push_back(static_cast<int64_t>(d));
  if (Shape(transpose.getPermutation()) != expected)
    return success();
  builder.setInsertionPoint(last);
  Location at = last.getLoc();
  Value shuffled = builder.create<cnn::ChannelShuffleOp>(
      at, x, static_cast<uint64_t>(split[1]));
  last.getResult().replaceAllUsesWith(shuffled);
  return success();
}

OwningOpRef<ModuleOp> Importer::run() {
  // Diagnostics of the ops' shape rules name the node being converted.
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diagnostic) {
    if (diagnostic.getSeverity() != DiagnosticSeverity::Error)
      return success();
    (void)fail(diagnostic.str());
    return success();
  });

  OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
  builder.setInsertionPointToEnd(module->getBody());
  SmallVector<Type> inputTypes;
  for (const ValueInfo &input : graph.inputs) {
    if (input.typeName != "FLOAT") {
      (void)fail("input '" + input.name + "' is " +
                 (input.typeName.empty() ? "not a tensor" : input.typeName) +
                 ": cnnc compiles models whose inputs are float tensors");
      return nullptr;
    }
    Shape dims;
    bool open = !input.hasShape;
    for (const auto &dim : input.dims)
      open |= !dim.has_value();
    if (open) {
      std::string example = "1,3,224,224";
      if (input.hasShape) {
        example.clear();
        for (const auto &dim : input.dims)
          example +=
              (example.empty() ? "" : ",") + std::to_string(dim.value_or(1));
      }
      (void)fail("input '" + input.name +
                 "' has a dynamic shape: give it a static one with "
                 "--input-shape " +
                 input.name + "=" + example);
      return nullptr;
    }
    for (const auto &dim : input.dims)
      dims.push_back(*dim);
    inputTypes.push_back(RankedTensorType::get(dims, builder.getF32Type()));
  }
  auto func = builder.create<func::FuncOp>(
      loc, modelName, builder.getFunctionType(inputTypes, {}));
  Block *entry = func.addEntryBlock();
  builder.setInsertionPointToEnd(entry);
  for (auto [index, input] : llvm::enumerate(graph.inputs)) {
    func.setArgAttr(index, "cnn.name",
                    builder.getStringAttr(identifier(input.name)));
    values[input.name] = Val{entry->getArgument(index), nullptr};
  }
  for (const auto &[name, tensor] : graph.initializers)
    values[name] = Val{Value(), tensor};

  for (auto [index, n] : llvm::enumerate(graph.nodes)) {
    node = &n;
    // Constants name no layer: the ops of a scope keep its name.
    layer = n.opType == "Constant" ? "" : layerName(n, index);
    loc = NameLoc::get(builder.getStringAttr(layer),
                       FileLineColLoc::get(&context, graph.path, 0, 0));
    if (failed(importNode(n))) {
      if (!reported)
        (void)fail("cannot be converted");
      return nullptr;
    }
    // The shapes must be ONNX's where its shape inference knows them.
    for (const std::string &output : n.outputs) {
      auto value = values.find(output);
      auto inferred = graph.inferred.find(output);
      if (value == values.end() || !value->second.tensor ||
          inferred == graph.inferred.end() || !inferred->second.hasShape)
        continue;
      Shape ours = shapeOf(value->second.tensor), theirs;
      bool known = true;
      for (const auto &dim : inferred->second.dims)
        if (dim)
          theirs.push_back(*dim);
        else
          known = false;
      if (known && ours != theirs) {
        (void)fail("cnnc computes the shape " + formatShape(ours) + " for '" +
                   output + "', ONNX's shape inference " + formatShape(theirs));
        return nullptr;
      }
    }
  }
  node = nullptr;

  SmallVector<Value> results;
  for (const ValueInfo &output : graph.outputs) {
    auto it = values.find(output.name);
    if (it == values.end()) {
      (void)fail("output '" + output.name + "' is not computed by any node");
      return nullptr;
    }
    FailureOr<Value> tensor = asTensor(it->second, sanitizeName(output.name));
    if (failed(tensor))
      return nullptr;
    results.push_back(*tensor);
  }
  builder.create<func::ReturnOp>(loc, results);
  func.setType(
      builder.getFunctionType(inputTypes, ValueRange(results).getTypes()));
  for (auto [index, output] : llvm::enumerate(graph.outputs))
    func.setResultAttr(index, "cnn.name",
                       builder.getStringAttr(identifier(output.name)));

  SmallVector<cnn::ReshapeOp> reshapes;
  func.walk([&](cnn::ReshapeOp op) { reshapes.push_back(op); });
  for (cnn::ReshapeOp op : reshapes)
    (void)recognizeChannelShuffle(op.getResult());
  // What no output needs (shape computations, replaced chains) goes.
  for (Operation &op : llvm::make_early_inc_range(llvm::reverse(*entry)))
    if (isOpTriviallyDead(&op))
      op.erase();
  if (failed(verify(*module)))
    return nullptr;
  return module;
}

std::string cnnc::parseInputShape(llvm::StringRef spec,
                                  OnnxImportOptions &options) {
  auto [name, dims] = spec.split('=');
  if (name.empty() || dims.empty())
    return "--input-shape takes NAME=D0,D1,..., e.g. input=1,3,224,224; got '" +
           spec.str() + "'";
  std::vector<int64_t> shape;
  SmallVector<llvm::StringRef> parts;
  dims.split(parts, ',');
  for (llvm::StringRef part : parts) {
    int64_t size;
    if (part.trim().getAsInteger(10, size) || size <= 0)
      return "--input-shape " + spec.str() +
             ": sizes must be positive integers";
    shape.push_back(size);
  }
  options.inputShapes[name.str()] = shape;
  return "";
}

namespace {
/// The module of a graph that `graph` loaded, or the error that it set.
OwningOpRef<ModuleOp> importGraph(const std::optional<Graph> &graph,
                                  const std::string &error,
                                  llvm::StringRef path, MLIRContext &context,
                                  const cnnc::OnnxImportOptions &options) {
  llvm::raw_ostream &errors = options.errors ? *options.errors : llvm::errs();
  if (!graph) {
    // The ONNX library's messages run over several lines; one is enough.
    std::string message;
    for (llvm::StringRef line : llvm::split(error, '\n'))
      if (!line.trim().empty())
        message += (message.empty() ? "" : "; ") + line.trim().str();
    llvm::WithColor::error(errors, options.tool)
        << path << ": " << message << "\n";
    return nullptr;
  }
  std::string name = options.modelName;
  if (name.empty())
    name = identifier(llvm::sys::path::stem(path).str());
  return Importer(*graph, context, name, options.tool, errors).run();
}
} // namespace

OwningOpRef<ModuleOp> cnnc::importOnnxModel(llvm::StringRef path,
                                            MLIRContext &context,
                                            const OnnxImportOptions &options) {
  context.loadDialect<cnn::CNNDialect, func::FuncDialect>();
  std::string error;
  std::optional<Graph> graph =
      loadGraph(path.str(), options.inputShapes, error);
  return importGraph(graph, error, path, context, options);
}

OwningOpRef<ModuleOp>
cnnc::importOnnxModelFromBuffer(llvm::StringRef bytes, llvm::StringRef name,
                                MLIRContext &context,
                                const OnnxImportOptions &options) {
  context.loadDialect<cnn::CNNDialect, func::FuncDialect>();
  std::string error;
  std::optional<Graph> graph =
      loadGraphFromBuffer(bytes.str(), name.str(), options.inputShapes, error);
  return importGraph(graph, error, name, context, options);
}
