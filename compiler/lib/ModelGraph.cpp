//===- ModelGraph.cpp - a picture of the model ----------------------------===//

#include "cnnc/Compiler/ModelGraph.h"
#include "cnnc/Dialect/CNNOps.h"
#include "cnnc/Dialect/LayerName.h"
#include "cnnc/Support/OutputFile.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"

#include <fmt/format.h>

using namespace mlir;
using namespace cnnc::cnn;

namespace {

/// The fill of a fused chain's cluster, by kind (a plugin's kinds are grey).
llvm::StringRef clusterColor(FusedOp fused) {
  switch (fused.getFusionKind()) {
  case FusionKind::ConvEpilogue:
    return "#fff1cc";
  case FusionKind::DepthwisePointwise:
    return "#dcf2e2";
  case FusionKind::Bottleneck:
    return "#dbe8f8";
  case FusionKind::SqueezeExcite:
    return "#f1e0f5";
  case FusionKind::Custom:
    return "#ebebeb";
  }
  return "#ebebeb";
}

std::string formatShape(llvm::ArrayRef<int64_t> shape) {
  return llvm::join(
      llvm::map_range(shape, [](int64_t size) { return std::to_string(size); }),
      "x");
}

/// A string in a Graphviz label: quotes and backslashes escaped.
std::string escape(llvm::StringRef text) {
  std::string escaped;
  for (char c : text) {
    if (c == '"' || c == '\\')
      escaped += '\\';
    escaped += c;
  }
  return escaped;
}

/// "3x3 /2 depthwise": what sets a window op apart from its neighbours.
std::string geometry(Operation *op) {
  auto window = [](llvm::ArrayRef<int64_t> kernel,
                   llvm::ArrayRef<int64_t> strides) {
    std::string text = formatShape(kernel);
    if (llvm::any_of(strides, [](int64_t s) { return s != 1; }))
      text += " /" + (strides[0] == strides[1] ? std::to_string(strides[0])
                                               : formatShape(strides));
    return text;
  };
  if (auto conv = dyn_cast<Conv2DOp>(op)) {
    std::string text = window({conv.getKernelHeight(), conv.getKernelWidth()},
                              conv.getStrides());
    if (conv.isDepthwise())
      text += " depthwise";
    else if (conv.getNumGroups() > 1)
      text += fmt::format(" groups {}", conv.getNumGroups());
    if (conv.isDilated())
      text += " dilated";
    return text;
  }
  if (auto pool = dyn_cast<MaxPool2DOp>(op))
    return window(pool.getKernelSize(), pool.getStrides());
  if (auto pool = dyn_cast<AvgPool2DOp>(op))
    return window(pool.getKernelSize(), pool.getStrides());
  return "";
}

class GraphWriter {
public:
  GraphWriter(llvm::raw_ostream &os) : os(os) {}

  void write(func::FuncOp func, const cnnc::ModelSignature &signature) {
    os << fmt::format("digraph \"{}\" {{\n", escape(func.getSymName()));
    os << "  graph [rankdir=TB, fontname=\"Helvetica\", fontsize=10, "
          "nodesep=0.15, ranksep=0.12];\n"
          "  node [shape=box, style=\"rounded,filled\", fillcolor=\"#ffffff\", "
          "fontname=\"Helvetica\", fontsize=9, height=0.3, "
          "margin=\"0.08,0.03\"];\n"
          "  edge [color=\"#555555\", arrowsize=0.6];\n";
    for (auto [index, argument] : llvm::enumerate(func.getArguments())) {
      std::string id = fmt::format("input{}", index);
      sources[argument] = id;
      const cnnc::TensorSignature &input = signature.inputs[index];
      os << fmt::format("  {} [label=\"{}\\n{}\", shape=ellipse, "
                        "fillcolor=\"#e8e8e8\"];\n",
                        id, escape(input.name), formatShape(input.shape));
    }
    int64_t chains = 0;
    for (Operation &op : func.getBody().front()) {
      if (auto fused = dyn_cast<FusedOp>(op)) {
        writeCluster(fused, ++chains);
      } else if (auto ret = dyn_cast<func::ReturnOp>(op)) {
        writeOutputs(ret, signature);
      } else {
        writeNode(&op, "  ");
      }
    }
    for (const std::string &edge : edges)
      os << edge;
    os << "}\n";
  }

private:
  /// A node for `op`, unless it is a parameter, and the edges into it.
  void writeNode(Operation *op, llvm::StringRef indent) {
    if (isa<WeightOp>(op) || op->getNumResults() != 1 ||
        !isa<CNNDialect>(op->getDialect()))
      return;
    std::string id = fmt::format("op{}", nextId++);
    // "conv2d 3x3 /2  1x32x112x112", then the layer: two lines a node keep
    // a hundred layers' picture readable at its natural size.
    std::string label(op->getName().stripDialect());
    if (std::string shape = geometry(op); !shape.empty())
      label += " " + shape;
    if (auto type = dyn_cast<RankedTensorType>(op->getResult(0).getType()))
      label += "  " + formatShape(type.getShape());
    if (std::string layer = getLayerName(op->getLoc()); !layer.empty())
      label += "\\n" + escape(layer);
    os << fmt::format("{}{} [label=\"{}\"];\n", indent, id, label);
    connect(op->getOperands(), id);
    sources[op->getResult(0)] = id;
  }

  /// The chain of `fused`, numbered as the fusion report numbers it.
  void writeCluster(FusedOp fused, int64_t number) {
    Block &body = fused.getBody().front();
    // (Copies: inserting into the map may move its entries.)
    for (auto [argument, input] :
         llvm::zip(body.getArguments(), fused.getInputs()))
      if (std::string source = sources.lookup(input); !source.empty())
        sources[argument] = source;
    os << fmt::format("  subgraph cluster_{} {{\n", number);
    os << fmt::format("    label=\"#{} {}\"; style=\"rounded,filled\"; "
                      "color=\"#999999\"; fillcolor=\"{}\"; fontsize=9;\n",
                      number, escape(fused.getKindName()), clusterColor(fused));
    for (Operation &op : body.without_terminator())
      writeNode(&op, "    ");
    os << "  }\n";
    auto yield = cast<YieldOp>(body.getTerminator());
    for (auto [result, yielded] :
         llvm::zip(fused.getResults(), yield.getValues()))
      if (std::string source = sources.lookup(yielded); !source.empty())
        sources[result] = source;
  }

  void writeOutputs(func::ReturnOp ret, const cnnc::ModelSignature &signature) {
    for (auto [index, value] : llvm::enumerate(ret.getOperands())) {
      std::string id = fmt::format("output{}", index);
      const cnnc::TensorSignature &output = signature.outputs[index];
      os << fmt::format("  {} [label=\"{}\\n{}\", shape=ellipse, "
                        "fillcolor=\"#e8e8e8\"];\n",
                        id, escape(output.name), formatShape(output.shape));
      connect(value, id);
    }
  }

  /// Edges from the nodes of `values` (parameters have none) to `target`.
  void connect(ValueRange values, llvm::StringRef target) {
    for (Value value : values)
      if (auto source = sources.find(value); source != sources.end())
        edges.push_back(
            fmt::format("  {} -> {};\n", source->second, target.str()));
  }

  llvm::raw_ostream &os;
  /// The node that draws each value: an input, an op, or (for a fused op's
  /// block arguments and results) the node outside or inside it.
  llvm::DenseMap<Value, std::string> sources;
  /// Written after the nodes, outside every cluster, so that Graphviz puts
  /// each node in the cluster it was declared in.
  std::vector<std::string> edges;
  int64_t nextId = 0;
};

} // namespace

void cnnc::printModelGraph(ModuleOp module, const ModelSignature &signature,
                           llvm::raw_ostream &os) {
  for (auto func : module.getOps<func::FuncOp>())
    GraphWriter(os).write(func, signature);
}

llvm::Error cnnc::renderSVG(llvm::StringRef dot, llvm::StringRef path) {
  llvm::ErrorOr<std::string> program = llvm::sys::findProgramByName("dot");
  if (!program)
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "--emit=svg renders the graph with Graphviz's 'dot', which is not on "
        "PATH: install graphviz (scripts/install-deps.sh does), or write the "
        "graph itself with --emit=dot");
  // dot reads and writes files: the graph, the picture, its complaints.
  llvm::SmallString<128> graphFile, svgFile, errorFile;
  for (auto [file, suffix] :
       {std::pair(&graphFile, "dot"), std::pair(&svgFile, "svg"),
        std::pair(&errorFile, "txt")})
    if (std::error_code error =
            llvm::sys::fs::createTemporaryFile("cnnc-graph", suffix, *file))
      return llvm::createStringError(error, "cannot create a temporary file: " +
                                                error.message());
  llvm::FileRemover removeGraph(graphFile), removeSvg(svgFile),
      removeErrors(errorFile);
  {
    std::error_code error;
    llvm::raw_fd_ostream graph(graphFile, error);
    if (error)
      return llvm::createStringError(error, "cannot write '" + graphFile +
                                                "': " + error.message());
    graph << dot;
  }
  std::optional<llvm::StringRef> redirects[] = {std::nullopt, std::nullopt,
                                                llvm::StringRef(errorFile)};
  llvm::StringRef arguments[] = {*program, "-Tsvg", graphFile, "-o", svgFile};
  std::string message;
  int status = llvm::sys::ExecuteAndWait(*program, arguments, std::nullopt,
                                         redirects, 0, 0, &message);
  if (status != 0) {
    auto complaints = llvm::MemoryBuffer::getFile(errorFile);
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "Graphviz's dot failed (" +
            (message.empty() ? "exit status " + std::to_string(status)
                             : message) +
            ")" +
            (complaints ? ": " + (*complaints)->getBuffer().trim().str() : ""));
  }
  return copyToOutputFile(svgFile, path);
}
