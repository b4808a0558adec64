//===- Weights.h - giving a model's parameters their values -----*- C++ -*-===//

#ifndef CNNC_FRONTEND_WEIGHTS_H
#define CNNC_FRONTEND_WEIGHTS_H

#include "cnnc/Frontend/Diagnostics.h"
#include "cnnc/Frontend/Emitter.h"
#include "cnnc/Frontend/Safetensors.h"

#include "mlir/Support/LogicalResult.h"

#include <cstdint>

namespace cnnc::frontend {

/// Gives every cnn.weight of the model deterministic pseudo-random values
/// drawn from `seed`, each parameter from its own stream: He-uniform filters
/// and dense weights, biases and running means in [-0.1, 0.1], variances and
/// batch-norm scales in [0.5, 1.5], so that activations stay in range and a
/// deep model's output depends on its input.
void bindRandomWeights(EmittedModel &model, uint64_t seed);

/// Gives every parameter the checkpoint tensor of the same name. Reports, at
/// the line of the layer that declares it, each parameter that is missing
/// or has another shape or dtype (all of them, not only the first), and
/// warns about tensors of the file that no parameter uses.
mlir::LogicalResult bindCheckpoint(EmittedModel &model,
                                   const SafetensorsFile &checkpoint,
                                   llvm::StringRef path,
                                   Diagnostics &diagnostics);

} // namespace cnnc::frontend

#endif // CNNC_FRONTEND_WEIGHTS_H
