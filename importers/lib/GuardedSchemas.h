//===- GuardedSchemas.h - ONNX inference that checks first ------*- C++ -*-===//
//
// Some of ONNX 1.12's shape inference functions index their inputs' shapes
// without checking the rank; what they read may be a rank ONNX inferred a
// few nodes earlier, so no check of the file's declarations can rule it
// out. The registry here hands ONNX's shape inference the same schemas,
// except that those functions first check what they are about to read and
// fail with an error (an exception ONNX reports) instead of crashing.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_IMPORTERS_LIB_GUARDEDSCHEMAS_H
#define CNNC_IMPORTERS_LIB_GUARDEDSCHEMAS_H

#include <onnx/defs/schema.h>

namespace cnnc::onnx_import {

/// ONNX's registry, with the guarded inference functions; for
/// onnx::shape_inference::InferShapes.
const onnx::ISchemaRegistry &guardedSchemaRegistry();

} // namespace cnnc::onnx_import

#endif // CNNC_IMPORTERS_LIB_GUARDEDSCHEMAS_H
