//===- OnnxGraph.h - an ONNX graph as plain C++ data ------------*- C++ -*-===//
//
// What the importer needs of an ONNX model, read by OnnxLoader.cpp (the one
// file that sees protobuf and the ONNX library, compiled with exceptions and
// RTTI as they need) into structures that the MLIR side reads without them.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_IMPORTERS_ONNXGRAPH_H
#define CNNC_IMPORTERS_ONNXGRAPH_H

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cnnc::onnx_import {

/// A constant tensor: an initializer, a Constant node's value, an attribute,
/// or a shape computed while importing. Floats keep their f32 values (exact
/// in double); integers and booleans are held as int64.
struct ConstTensor {
  std::vector<int64_t> shape;
  bool isFloat = true;
  std::vector<double> values;
  /// The ONNX element type's name (FLOAT, INT64, ...), for messages.
  std::string typeName = "FLOAT";

  /// The product of the shape; INT64_MAX where it overflows (a file may
  /// declare any dimensions).
  int64_t numElements() const { return elementsOf(shape); }

  static int64_t elementsOf(const std::vector<int64_t> &shape) {
    int64_t n = 1;
    for (int64_t d : shape)
      if (__builtin_mul_overflow(n, d, &n))
        return INT64_MAX;
    return n;
  }
};

/// An integer constant's value (held as a double) as int64, saturated: an
/// INT64 initializer of INT64_MAX (a Slice's "to the end") is 2^63 as a
/// double, one past int64, and converting that is undefined behaviour.
inline int64_t toInt64(double value) {
  if (value != value)
    return 0;
  if (value >= 0x1p63)
    return INT64_MAX;
  if (value < -0x1p63)
    return INT64_MIN;
  return static_cast<int64_t>(value);
}

/// Elements of a constant that the importer computes itself (a Pad's block
/// of padding, two constants broadcast and folded): 2^24, 64 MiB of f32
/// in the library. A file that asks for more is an error, not an
/// allocation of whatever size it names.
inline constexpr int64_t kMaxConstantElements = int64_t(1) << 24;

/// An attribute of a node, of any of the kinds cnnc reads.
struct Attribute {
  enum Kind { Int, Float, String, Ints, Floats, Tensor, Other } kind = Other;
  int64_t i = 0;
  double f = 0;
  std::string s;
  std::vector<int64_t> ints;
  std::vector<double> floats;
  std::shared_ptr<ConstTensor> tensor;
};

struct Node {
  std::string name; // as written, possibly empty
  std::string opType;
  std::string domain;               // "" for the default domain
  std::vector<std::string> inputs;  // "" for an omitted optional input
  std::vector<std::string> outputs; // "" for an omitted optional output
  std::map<std::string, Attribute> attributes;
};

/// A graph input or output: its name, element type and shape, where a
/// dimension without a static size is nullopt (and named in dimNames).
struct ValueInfo {
  std::string name;
  std::string typeName;  // FLOAT, INT64, ... or "" when not a tensor
  bool hasShape = false; // the shape is known (possibly with free dims)
  std::vector<std::optional<int64_t>> dims;
  std::vector<std::string> dimNames; // dim_param per dimension, or ""
};

struct Graph {
  std::string path;                      // the file, for messages
  int64_t opset = 0;                     // of the default domain
  std::map<std::string, int64_t> opsets; // every domain's
  std::vector<ValueInfo> inputs;         // without the initializers
  std::vector<ValueInfo> outputs;
  std::vector<Node> nodes; // in topological order
  std::map<std::string, std::shared_ptr<ConstTensor>> initializers;
  /// The shapes ONNX's shape inference found, for the values it could.
  std::map<std::string, ValueInfo> inferred;
};

/// Input shapes given on the command line (--input-shape NAME=1,3,224,224).
using InputShapes = std::map<std::string, std::vector<int64_t>>;

/// Reads the model with the ONNX library: parses the protobuf, runs its
/// checker, applies `shapes` to the inputs, and runs its shape inference.
/// On failure returns nullopt and sets `error` to a message that names the
/// file (and the node, where one is at fault).
std::optional<Graph> loadGraph(const std::string &path,
                               const InputShapes &shapes, std::string &error);

/// The same from the bytes of a model file in memory; `name` stands for the
/// file in messages. A tensor whose data is in an external file is refused:
/// there is no directory to look for it in.
std::optional<Graph> loadGraphFromBuffer(const std::string &bytes,
                                         const std::string &name,
                                         const InputShapes &shapes,
                                         std::string &error);

} // namespace cnnc::onnx_import

#endif // CNNC_IMPORTERS_ONNXGRAPH_H
