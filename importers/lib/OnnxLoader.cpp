//===- OnnxLoader.cpp - reading a model with the ONNX library -------------===//
//
// The only file of the importer that sees protobuf and the ONNX library:
// ONNX's protobuf classes parse the file, its checker validates it, and its
// shape inference (strict, with data propagation) checks that the shapes
// agree; the result is copied into OnnxGraph.h's plain structures. The ONNX
// library reports errors by exceptions, so this file is compiled with them
// (and with RTTI, which protobuf's headers expect).
//
//===----------------------------------------------------------------------===//

#include "GuardedSchemas.h"
#include "OnnxChecks.h"
#include "OnnxGraph.h"

#include <onnx/checker.h>
#include <onnx/defs/schema.h>
#include <onnx/defs/tensor_proto_util.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace cnnc::onnx_import {
namespace {

constexpr const char *kUnparsable =
    "not an ONNX model: its protobuf does not parse (a truncated or corrupt "
    "file?)";

std::string typeName(int type) {
  return onnx::TensorProto_DataType_Name(
      static_cast<onnx::TensorProto_DataType>(type));
}

std::string directoryOf(const std::string &path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

/// Little-endian bytes of `count` elements of `type` as doubles; false for
/// a type cnnc does not read.
bool decodeRaw(int type, const char *bytes, size_t size, ConstTensor &out) {
  auto read = [&](auto zero) {
    using T = decltype(zero);
    if (size % sizeof(T) != 0)
      return false;
    out.values.resize(size / sizeof(T));
    for (size_t i = 0; i < out.values.size(); ++i) {
      T value;
      std::memcpy(&value, bytes + i * sizeof(T), sizeof(T));
      out.values[i] = static_cast<double>(value);
    }
    return true;
  };
  switch (type) {
  case onnx::TensorProto::FLOAT:
    return read(float());
  case onnx::TensorProto::DOUBLE:
    return read(double());
  case onnx::TensorProto::INT64:
    return read(int64_t());
  case onnx::TensorProto::INT32:
    return read(int32_t());
  case onnx::TensorProto::INT16:
    return read(int16_t());
  case onnx::TensorProto::INT8:
    return read(int8_t());
  case onnx::TensorProto::UINT8:
  case onnx::TensorProto::BOOL:
    return read(uint8_t());
  default:
    return false;
  }
}

/// A TensorProto's values (inline, raw or in an external file next to the
/// model: `modelDir`, or nowhere for a model read from memory).
std::shared_ptr<ConstTensor>
readTensor(const onnx::TensorProto &proto,
           const std::optional<std::string> &modelDir, std::string &error) {
  auto tensor = std::make_shared<ConstTensor>();
  for (int64_t d : proto.dims())
    tensor->shape.push_back(d);
  int type = proto.data_type();
  tensor->typeName = typeName(type);
  tensor->isFloat = type == onnx::TensorProto::FLOAT ||
                    type == onnx::TensorProto::DOUBLE ||
                    type == onnx::TensorProto::FLOAT16;
  std::string what = "tensor '" + proto.name() + "'";
  int64_t expected = tensor->numElements();
  if (proto.data_location() == onnx::TensorProto::EXTERNAL) {
    if (!modelDir) {
      error = what + " keeps its data in an external file, which a model "
                     "read from memory cannot have";
      return nullptr;
    }
    std::string location;
    int64_t offset = 0, length = -1;
    for (const auto &entry : proto.external_data()) {
      if (entry.key() == "location")
        location = entry.value();
      else if (entry.key() == "offset")
        offset = std::stoll(entry.value());
      else if (entry.key() == "length")
        length = std::stoll(entry.value());
    }
    // As ONNX specifies (and its later checkers enforce): a path relative
    // to the model's directory, inside it. Anything else would let a model
    // copy any file it names (a key, /etc/shadow) into the library as
    // weights, or read a device forever.
    std::filesystem::path relative(location);
    if (relative.is_absolute() ||
        std::any_of(
            relative.begin(), relative.end(),
            [](const std::filesystem::path &part) { return part == ".."; })) {
      error = what + " keeps its data in '" + location +
              "', which is not a path inside the model's directory";
      return nullptr;
    }
    std::string file = *modelDir + "/" + location;
    std::error_code status;
    std::ifstream in;
    if (std::filesystem::is_regular_file(file, status))
      in.open(file, std::ios::binary);
    if (location.empty() || !in) {
      error = what + " keeps its data in an external file, '" + file +
              "', which cannot be read (or is not a regular file)";
      return nullptr;
    }
    in.seekg(0, std::ios::end);
    int64_t fileSize = in.tellg();
    // The offset first: `fileSize - offset` must not overflow.
    bool inside = offset >= 0 && offset <= fileSize;
    if (inside && length < 0)
      length = fileSize - offset;
    if (!inside || length > fileSize - offset) {
      error = what + ": its external data (offset " + std::to_string(offset) +
              ", length " + std::to_string(length) +
              ") lies beyond the end of '" + file + "' (" +
              std::to_string(fileSize) + " bytes)";
      return nullptr;
    }
    std::string bytes(static_cast<size_t>(length), '\0');
    in.seekg(offset);
    in.read(bytes.data(), length);
    if (!decodeRaw(type, bytes.data(), bytes.size(), *tensor)) {
      error = what + " has element type " + tensor->typeName +
              ", which cnnc does not read";
      return nullptr;
    }
  } else if (proto.has_raw_data()) {
    if (!decodeRaw(type, proto.raw_data().data(), proto.raw_data().size(),
                   *tensor)) {
      error = what + " has element type " + tensor->typeName +
              ", which cnnc does not read";
      return nullptr;
    }
  } else {
    switch (type) {
    case onnx::TensorProto::FLOAT:
      for (float v : proto.float_data())
        tensor->values.push_back(v);
      break;
    case onnx::TensorProto::DOUBLE:
      for (double v : proto.double_data())
        tensor->values.push_back(v);
      break;
    case onnx::TensorProto::INT64:
      for (int64_t v : proto.int64_data())
        tensor->values.push_back(static_cast<double>(v));
      break;
    case onnx::TensorProto::INT32:
    case onnx::TensorProto::INT16:
    case onnx::TensorProto::INT8:
    case onnx::TensorProto::UINT8:
    case onnx::TensorProto::BOOL:
      for (int32_t v : proto.int32_data())
        tensor->values.push_back(v);
      break;
    default:
      error = what + " has element type " + tensor->typeName +
              ", which cnnc does not read";
      return nullptr;
    }
  }
  if (static_cast<int64_t>(tensor->values.size()) != expected) {
    std::ostringstream os;
    os << what << " has " << tensor->values.size()
       << " values, but its shape [";
    for (size_t i = 0; i < tensor->shape.size(); ++i)
      os << (i ? ", " : "") << tensor->shape[i];
    os << "] holds " << expected;
    error = os.str();
    return nullptr;
  }
  return tensor;
}

ValueInfo readValueInfo(const onnx::ValueInfoProto &proto) {
  ValueInfo info;
  info.name = proto.name();
  if (!proto.type().has_tensor_type())
    return info;
  const auto &tensorType = proto.type().tensor_type();
  info.typeName = typeName(tensorType.elem_type());
  if (!tensorType.has_shape())
    return info;
  info.hasShape = true;
  for (const auto &dim : tensorType.shape().dim()) {
    if (dim.has_dim_value() && dim.dim_value() > 0)
      info.dims.push_back(dim.dim_value());
    else
      info.dims.push_back(std::nullopt);
    info.dimNames.push_back(dim.has_dim_param() ? dim.dim_param() : "");
  }
  return info;
}

bool readAttribute(const onnx::AttributeProto &proto,
                   const std::optional<std::string> &modelDir, Attribute &out,
                   std::string &error) {
  switch (proto.type()) {
  case onnx::AttributeProto::INT:
    out.kind = Attribute::Int;
    out.i = proto.i();
    break;
  case onnx::AttributeProto::FLOAT:
    out.kind = Attribute::Float;
    out.f = proto.f();
    break;
  case onnx::AttributeProto::STRING:
    out.kind = Attribute::String;
    out.s = proto.s();
    break;
  case onnx::AttributeProto::INTS:
    out.kind = Attribute::Ints;
    out.ints.assign(proto.ints().begin(), proto.ints().end());
    break;
  case onnx::AttributeProto::FLOATS:
    out.kind = Attribute::Floats;
    out.floats.assign(proto.floats().begin(), proto.floats().end());
    break;
  case onnx::AttributeProto::TENSOR:
    out.kind = Attribute::Tensor;
    out.tensor = readTensor(proto.t(), modelDir, error);
    return out.tensor != nullptr;
  default:
    out.kind = Attribute::Other;
    break;
  }
  return true;
}

/// The graph of a parsed `model`, checked; `path` names it in messages and
/// `modelDir` is where its external data are (none from memory).
std::optional<Graph> load(onnx::ModelProto &model, const std::string &path,
                          const std::optional<std::string> &modelDir,
                          const InputShapes &shapes, std::string &error) {
  try {
    // The file's overload checks external data next to the model, not in
    // the working directory.
    if (modelDir)
      onnx::checker::check_model(path);
    else
      onnx::checker::check_model(model);
  } catch (const std::exception &e) {
    error = std::string("ONNX's checker rejects the model: ") + e.what();
    return std::nullopt;
  }

  Graph graph;
  graph.path = path;
  for (const auto &opset : model.opset_import()) {
    std::string domain = opset.domain() == "ai.onnx" ? "" : opset.domain();
    graph.opsets[domain] = opset.version();
  }
  graph.opset = graph.opsets.count("") ? graph.opsets[""] : 0;

  onnx::GraphProto *proto = model.mutable_graph();
  std::map<std::string, bool> isInitializer;
  for (const auto &init : proto->initializer())
    isInitializer[init.name()] = true;
  std::map<std::string, bool> applied;
  for (auto &input : *proto->mutable_input()) {
    auto it = shapes.find(input.name());
    if (it == shapes.end() || isInitializer.count(input.name()))
      continue;
    applied[input.name()] = true;
    auto *shape = input.mutable_type()->mutable_tensor_type()->mutable_shape();
    if (shape->dim_size() != 0 &&
        shape->dim_size() != static_cast<int>(it->second.size())) {
      error = "--input-shape gives '" + input.name() + "' " +
              std::to_string(it->second.size()) +
              " dimensions, the model declares " +
              std::to_string(shape->dim_size());
      return std::nullopt;
    }
    shape->clear_dim();
    for (int64_t d : it->second)
      shape->add_dim()->set_dim_value(d);
  }
  for (const auto &[name, dims] : shapes)
    if (!applied.count(name)) {
      error = "--input-shape names '" + name +
              "', which is not an input of the model; its inputs:";
      for (const auto &input : proto->input())
        if (!isInitializer.count(input.name()))
          error += " '" + input.name() + "'";
      return std::nullopt;
    }

  if (!checkBeforeInference(*proto, error))
    return std::nullopt;
  try {
    onnx::shape_inference::InferShapes(
        model, &guardedSchemaRegistry(),
        onnx::ShapeInferenceOptions(/*check_type=*/true, /*strict=*/1,
                                    /*data_prop=*/true));
  } catch (const std::exception &e) {
    error = std::string("ONNX's shape inference fails: ") + e.what();
    return std::nullopt;
  }

  const std::optional<std::string> &dir = modelDir;
  for (const auto &init : proto->initializer()) {
    std::shared_ptr<ConstTensor> tensor = readTensor(init, dir, error);
    if (!tensor) {
      error = "initializer " + error.substr(7);
      return std::nullopt;
    }
    graph.initializers[init.name()] = tensor;
  }
  for (const auto &input : proto->input())
    if (!graph.initializers.count(input.name()))
      graph.inputs.push_back(readValueInfo(input));
  for (const auto &output : proto->output())
    graph.outputs.push_back(readValueInfo(output));
  for (const auto &info : proto->value_info())
    graph.inferred[info.name()] = readValueInfo(info);

  for (const auto &nodeProto : proto->node()) {
    Node node;
    node.name = nodeProto.name();
    node.opType = nodeProto.op_type();
    node.domain = nodeProto.domain() == "ai.onnx" ? "" : nodeProto.domain();
    node.inputs.assign(nodeProto.input().begin(), nodeProto.input().end());
    node.outputs.assign(nodeProto.output().begin(), nodeProto.output().end());
    for (const auto &attr : nodeProto.attribute()) {
      Attribute attribute;
      if (!readAttribute(attr, dir, attribute, error)) {
        error = "node '" + node.name + "' (" + node.opType + "): attribute '" +
                attr.name() + "': " + error;
        return std::nullopt;
      }
      node.attributes[attr.name()] = std::move(attribute);
    }
    graph.nodes.push_back(std::move(node));
  }
  return graph;
}

} // namespace

std::optional<Graph> loadGraph(const std::string &path,
                               const InputShapes &shapes, std::string &error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot read the file";
    return std::nullopt;
  }
  onnx::ModelProto model;
  if (!model.ParseFromIstream(&in)) {
    error = kUnparsable;
    return std::nullopt;
  }
  try {
    return load(model, path, directoryOf(path), shapes, error);
  } catch (const std::exception &e) {
    error = e.what();
    return std::nullopt;
  }
}

std::optional<Graph> loadGraphFromBuffer(const std::string &bytes,
                                         const std::string &name,
                                         const InputShapes &shapes,
                                         std::string &error) {
  onnx::ModelProto model;
  if (!model.ParseFromString(bytes)) {
    error = kUnparsable;
    return std::nullopt;
  }
  try {
    return load(model, name, std::nullopt, shapes, error);
  } catch (const std::exception &e) {
    error = e.what();
    return std::nullopt;
  }
}

} // namespace cnnc::onnx_import
