//===- Importer.h - ONNX nodes to cnn ops -----------------------*- C++ -*-===//
//
// The importer's state while it walks the graph: every ONNX value is either
// a tensor of the model function or a constant known while compiling
// (initializers, Constant nodes, static shapes and what is computed from
// them, which is folded here). Each family of operators is converted in its
// own file (ImportNN.cpp, ImportElementwise.cpp, ImportShapes.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_IMPORTERS_IMPORTER_H
#define CNNC_IMPORTERS_IMPORTER_H

#include "OnnxGraph.h"

#include "cnnc/Dialect/CNNOps.h"
#include "cnnc/Dialect/InferredBuild.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <functional>
#include <map>
#include <memory>
#include <string>

namespace cnnc::onnx_import {

namespace cnn = cnnc::cnn;

using Shape = std::vector<int64_t>;

/// An ONNX value: a tensor of the model, or a constant (or both, once a
/// constant has been given to an op as a tensor).
struct Val {
  mlir::Value tensor;
  std::shared_ptr<const ConstTensor> constant;
};

class Importer {
public:
  Importer(const Graph &graph, mlir::MLIRContext &context,
           std::string modelName, std::string tool, llvm::raw_ostream &errors);

  mlir::OwningOpRef<mlir::ModuleOp> run();

  //===--- What the converters of the op families use --------------------===//

  /// Reports `message` for the current node and returns failure.
  mlir::LogicalResult fail(const std::string &message);

  /// The node's input `index`: present and defined (else an error).
  mlir::FailureOr<Val> input(size_t index);
  /// Whether the node has input `index` (not omitted).
  bool hasInput(size_t index) const;
  /// Input `index` as a constant, or an error that says it must be one.
  mlir::FailureOr<std::shared_ptr<const ConstTensor>>
  constantInput(size_t index, const std::string &what);
  /// Input `index` as a tensor of floats (constants become cnn.weight).
  mlir::FailureOr<mlir::Value> tensorInput(size_t index);
  /// A value as a tensor: constants become a cnn.weight named `name`.
  mlir::FailureOr<mlir::Value> asTensor(const Val &value,
                                        const std::string &name);

  /// A cnn.weight with `tensor`'s values (reshaped to `shape` when given),
  /// named `name`.
  mlir::FailureOr<mlir::Value> weight(const ConstTensor &tensor,
                                      const std::string &name,
                                      const Shape &shape = {});

  /// Attributes of the current node, with defaults.
  int64_t intAttr(const std::string &name, int64_t fallback) const;
  double floatAttr(const std::string &name, double fallback) const;
  std::string stringAttr(const std::string &name,
                         const std::string &fallback) const;
  std::vector<int64_t> intsAttr(const std::string &name,
                                const std::vector<int64_t> &fallback) const;
  bool hasAttr(const std::string &name) const;
  /// Fails for any attribute not in `known` (nothing is silently ignored).
  mlir::LogicalResult onlyAttrs(std::initializer_list<const char *> known);
  /// The start of most converters: the attributes checked against `known`,
  /// then input 0 as a tensor.
  mlir::FailureOr<mlir::Value>
  start(std::initializer_list<const char *> known) {
    if (mlir::failed(onlyAttrs(known)))
      return mlir::failure();
    return tensorInput(0);
  }

  /// Defines the node's output `index`.
  void define(size_t index, mlir::Value tensor);
  /// Defines output `index` as `value`, or passes its failure on.
  mlir::LogicalResult result(mlir::FailureOr<mlir::Value> value,
                             size_t index = 0) {
    if (mlir::failed(value))
      return mlir::failure();
    define(index, *value);
    return mlir::success();
  }
  void defineConstant(size_t index, ConstTensor constant);
  /// Whether output `index` is used by the graph (present and named).
  bool hasOutput(size_t index) const;

  /// Builds a cnn op, first checking its shape rules: a broken rule is an
  /// error of the node, not a crash of the builder.
  template <typename OpTy, typename... Args>
  mlir::FailureOr<mlir::Value> create(Args &&...args) {
    mlir::OperationState state(loc, OpTy::getOperationName());
    if (mlir::failed(cnnc::cnn::buildInferred<OpTy>(
            builder, state, std::forward<Args>(args)...)))
      return mlir::failure();
    return builder.create(state)->getResult(0);
  }

  //===--- Data movement along any axis, from cnn's channel ops ----------===//

  mlir::FailureOr<mlir::Value> reshape(mlir::Value x, const Shape &shape);
  /// Concatenation along `axis` (cnn.concat on dimension 1, through
  /// reshapes to [outer, size, inner] for any other axis).
  mlir::FailureOr<mlir::Value> concat(llvm::ArrayRef<mlir::Value> values,
                                      int64_t axis);
  /// Elements [start, start + size) along `axis`.
  mlir::FailureOr<mlir::Value> slice(mlir::Value x, int64_t axis, int64_t start,
                                     int64_t size);
  /// The elements at `indices` along `axis`, in order (slices of runs of
  /// consecutive indices, concatenated).
  mlir::FailureOr<mlir::Value> gather(mlir::Value x, int64_t axis,
                                      llvm::ArrayRef<int64_t> indices);

  static Shape shapeOf(mlir::Value value);
  /// `axis` in [-rank, rank) made non-negative, or an error.
  mlir::FailureOr<int64_t> normalizeAxis(int64_t axis, int64_t rank,
                                         const std::string &what);

  /// Pad nodes that add zeros to H and W only: their output's name, the
  /// padded value and the padding (top, left, bottom, right), which a
  /// convolution reading that output takes into its own.
  struct ZeroPad {
    mlir::Value input;
    Shape padding;
  };
  std::map<std::string, ZeroPad> zeroPads;

  const Graph &graph;
  mlir::MLIRContext &context;
  mlir::OpBuilder builder;
  mlir::Location loc;
  const Node *node = nullptr;
  /// The layer name of the current node: its ONNX name, sanitized.
  std::string layer;
  int64_t opset = 0;

private:
  mlir::LogicalResult importNode(const Node &node);
  std::string layerName(const Node &node, size_t index);
  mlir::LogicalResult recognizeChannelShuffle(mlir::Value result);

  std::string modelName, tool;
  llvm::raw_ostream &errors;
  std::map<std::string, Val> values;
  std::map<std::string, int> layerNames;
  std::map<const ConstTensor *, mlir::Value> materialized;
  bool reported = false;
};

/// A converter of one ONNX operator: reads the current node from the
/// importer and defines its outputs.
using Converter = std::function<mlir::LogicalResult(Importer &)>;

/// The converters of each family, by op type.
void addNNConverters(std::map<std::string, Converter> &converters);
void addPoolingConverters(std::map<std::string, Converter> &converters);

//===--- Window helpers of convolutions and pools (ImportNN.cpp) ---------===//

/// The padding of a window op as cnn writes it (top, left, bottom, right),
/// from auto_pad or pads; `spatial` holds the input's spatial sizes.
mlir::FailureOr<Shape> windowPadding(Importer &im, const Shape &spatial,
                                     const Shape &kernel, const Shape &strides,
                                     const Shape &dilations);
/// A 1-D (rank 3) feature map as a 2-D one of height 1.
mlir::FailureOr<mlir::Value> asFeatureMap(Importer &im, mlir::Value x);
/// A window attribute for a 1-D or 2-D op, padded to 2-D.
Shape pair(const Shape &values, size_t spatial);
/// The attribute, or none when it has the op's default value.
mlir::DenseI64ArrayAttr optionalArray(Importer &im, const Shape &values,
                                      const Shape &defaults);
/// A tensor back to its 1-D form after a 2-D op, if it was 1-D.
mlir::FailureOr<mlir::Value> restoreRank(Importer &im, mlir::Value y,
                                         size_t rank);
void addElementwiseConverters(std::map<std::string, Converter> &converters);
void addShapeConverters(std::map<std::string, Converter> &converters);

/// A name usable as a cnn parameter path: '/' becomes '.', any character
/// but letters, digits, '_' and '.' becomes '_'.
std::string sanitizeName(const std::string &name);

} // namespace cnnc::onnx_import

#endif // CNNC_IMPORTERS_IMPORTER_H
