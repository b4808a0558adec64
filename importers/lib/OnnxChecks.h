//===- OnnxChecks.h - what ONNX 1.12's shape inference trusts ---*- C++ -*-===//
//
// Debian's ONNX library (1.12) infers shapes without checking what it
// reads: a stride of 0 divides by zero, data shorter than a tensor's shape
// are read past their end. Each was a crash of cnnc that fuzz-onnx found;
// these checks run on the model before the inference and make each an
// error instead. (What an inference function reads of a shape that ONNX
// itself inferred is checked in GuardedSchemas.h.)
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_IMPORTERS_LIB_ONNXCHECKS_H
#define CNNC_IMPORTERS_LIB_ONNXCHECKS_H

#include <onnx/onnx_pb.h>

#include <string>

namespace cnnc::onnx_import {

/// Checks `graph` (and its subgraphs) for what ONNX's shape inference
/// would crash on; false with `error` set to what is wrong, naming the
/// node or tensor.
bool checkBeforeInference(const onnx::GraphProto &graph, std::string &error);

} // namespace cnnc::onnx_import

#endif // CNNC_IMPORTERS_LIB_ONNXCHECKS_H
