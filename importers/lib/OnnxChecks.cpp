//===- OnnxChecks.cpp - what ONNX 1.12's shape inference trusts -----------===//

#include "OnnxChecks.h"

#include <algorithm>
#include <map>

namespace cnnc::onnx_import {
namespace {

std::string typeName(int type) {
  return onnx::TensorProto_DataType_Name(
      static_cast<onnx::TensorProto_DataType>(type));
}

/// Attributes that ONNX defines as positive and that ONNX 1.12's shape
/// inference divides by (convPoolShapeInference divides by the strides)
/// without checking: 0 there is a division by zero, a crash, not an error.
/// Checked on every node first, whatever its operator, and in subgraphs.
bool checkPositiveAttributes(const onnx::GraphProto &graph,
                             std::string &error) {
  for (const auto &node : graph.node())
    for (const auto &attr : node.attribute()) {
      // Subgraphs (If, Loop, Scan) are inferred too.
      if (attr.has_g() && !checkPositiveAttributes(attr.g(), error))
        return false;
      for (const auto &subgraph : attr.graphs())
        if (!checkPositiveAttributes(subgraph, error))
          return false;
      const std::string &name = attr.name();
      if (name != "strides" && name != "dilations" && name != "group" &&
          name != "blocksize")
        continue;
      std::vector<int64_t> values(attr.ints().begin(), attr.ints().end());
      if (attr.type() == onnx::AttributeProto::INT)
        values.push_back(attr.i());
      for (int64_t value : values)
        if (value <= 0) {
          error = "node '" + node.name() + "' (" + node.op_type() +
                  "): attribute '" + name + "' must be positive, got " +
                  std::to_string(value);
          return false;
        }
    }
  return true;
}

/// Bytes of one element of an ONNX tensor type; 0 for one of no fixed size.
size_t elementBytes(int type) {
  switch (type) {
  case onnx::TensorProto::DOUBLE:
  case onnx::TensorProto::INT64:
  case onnx::TensorProto::UINT64:
  case onnx::TensorProto::COMPLEX64:
    return 8;
  case onnx::TensorProto::FLOAT:
  case onnx::TensorProto::INT32:
  case onnx::TensorProto::UINT32:
    return 4;
  case onnx::TensorProto::FLOAT16:
  case onnx::TensorProto::BFLOAT16:
  case onnx::TensorProto::INT16:
  case onnx::TensorProto::UINT16:
    return 2;
  case onnx::TensorProto::INT8:
  case onnx::TensorProto::UINT8:
  case onnx::TensorProto::BOOL:
    return 1;
  case onnx::TensorProto::COMPLEX128:
    return 16;
  default:
    return 0;
  }
}

/// Whether `tensor`'s inline data hold as many elements as its dimensions
/// say. ONNX 1.12's data propagation (in shape inference) trusts the
/// dimensions and reads past short data (a heap overflow), so every tensor
/// is checked before, not only as the importer reads it.
bool checkTensorData(const onnx::TensorProto &tensor, const std::string &what,
                     std::string &error) {
  if (tensor.data_location() == onnx::TensorProto::EXTERNAL)
    return true; // Read, and checked, from its file later.
  int64_t expected = 1;
  for (int64_t d : tensor.dims())
    if (d < 0 || __builtin_mul_overflow(expected, d, &expected)) {
      error = what + " has a negative dimension or 2^63 elements or more";
      return false;
    }
  int type = tensor.data_type();
  int64_t count = -1;
  if (tensor.has_raw_data()) {
    size_t bytes = elementBytes(type);
    if (bytes != 0 && tensor.raw_data().size() % bytes == 0)
      count = static_cast<int64_t>(tensor.raw_data().size() / bytes);
    else if (bytes == 0)
      return true; // A type that nothing reads as numbers.
  } else {
    switch (type) {
    case onnx::TensorProto::FLOAT:
      count = tensor.float_data_size();
      break;
    case onnx::TensorProto::DOUBLE:
      count = tensor.double_data_size();
      break;
    case onnx::TensorProto::INT64:
      count = tensor.int64_data_size();
      break;
    case onnx::TensorProto::UINT64:
    case onnx::TensorProto::UINT32:
      count = tensor.uint64_data_size();
      break;
    case onnx::TensorProto::STRING:
      count = tensor.string_data_size();
      break;
    case onnx::TensorProto::COMPLEX64:
    case onnx::TensorProto::COMPLEX128:
      return true; // Two numbers an element; nothing reads them.
    default:
      count = tensor.int32_data_size();
      break;
    }
  }
  if (count != expected) {
    std::string shape;
    for (int64_t d : tensor.dims())
      shape += (shape.empty() ? "" : ", ") + std::to_string(d);
    error =
        what + (count < 0 ? " has " + std::to_string(tensor.raw_data().size()) +
                                " bytes of raw data, not a whole number of " +
                                typeName(type) + " values; its shape [" +
                                shape + "] holds " + std::to_string(expected)
                          : " has " + std::to_string(count) +
                                " values, but its shape [" + shape +
                                "] holds " + std::to_string(expected));
    return false;
  }
  return true;
}

/// checkTensorData on every initializer and tensor attribute of `graph`
/// and its subgraphs.
bool checkGraphTensors(const onnx::GraphProto &graph, std::string &error) {
  for (const auto &init : graph.initializer())
    if (!checkTensorData(init, "initializer '" + init.name() + "'", error))
      return false;
  for (const auto &node : graph.node())
    for (const auto &attr : node.attribute()) {
      std::string what = "node '" + node.name() + "' (" + node.op_type() +
                         "): attribute '" + attr.name() + "'";
      if (attr.has_t() && !checkTensorData(attr.t(), what, error))
        return false;
      for (const auto &tensor : attr.tensors())
        if (!checkTensorData(tensor, what, error))
          return false;
      if (attr.has_g() && !checkGraphTensors(attr.g(), error))
        return false;
      for (const auto &subgraph : attr.graphs())
        if (!checkGraphTensors(subgraph, error))
          return false;
    }
  return true;
}

} // namespace

bool checkBeforeInference(const onnx::GraphProto &graph, std::string &error) {
  return checkPositiveAttributes(graph, error) &&
         checkGraphTensors(graph, error);
}

} // namespace cnnc::onnx_import
