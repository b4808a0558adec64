//===- CInterface.h - the C API of generated libraries ----------*- C++ -*-===//
//
// Every generated library exports `int <model>_run(inputs..., outputs...)`
// and the introspection entry `<model>_model()`; docs/c-api.md describes
// them and generateHeader() writes the matching header.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_TARGET_CPU_CINTERFACE_H
#define CNNC_TARGET_CPU_CINTERFACE_H

#include "llvm/ADT/SmallVector.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace cnnc {

/// The version of the introspection structures; bumped on any change.
constexpr unsigned kCInterfaceVersion = 4;

/// The alignment, in bytes, that caller-provided scratch memory must have.
constexpr unsigned kScratchAlignment = 64;

/// What the run functions of a generated library return (`enum cnnc_status`
/// in the header).
enum class CStatus {
  Ok = 0,
  OutOfMemory = 1,
  NullPointer = 2,
  MisalignedScratch = 3,
  ContextBusy = 4,
  /// This CPU lacks a feature the code was compiled for (CpuFeatures.h).
  UnsupportedCpu = 5,
  /// The caller's scratch memory is smaller than the arena
  /// (`<model>_run_with_scratch_size`).
  ScratchTooSmall = 6,
  /// An output's memory overlaps an input's, another output's or the
  /// scratch arena's (the model writes its outputs as it goes).
  OverlappingBuffers = 7,
};

/// The message that `status_message` of a library returns for `status`.
const char *statusMessageText(CStatus status);

struct TensorSignature {
  std::string name;
  std::string dtype; // "f32", "f16", "bf16" or "f64".
  llvm::SmallVector<int64_t> shape;
};

struct ModelSignature {
  std::string name;
  std::vector<TensorSignature> inputs, outputs;
};

/// Adds the C API to a translated module whose model function takes a bare
/// pointer per input, then per output, then the scratch arena of
/// `scratchBytes` bytes: `<model>_run_with_scratch`,
/// `<model>_run_with_scratch_size`, `<model>_run` (which
/// allocates the arena), generic entry points, and `<model>_model`. The model
/// function itself becomes internal.
llvm::Error addCInterface(llvm::Module &module, const ModelSignature &signature,
                          uint64_t scratchBytes);

/// The C header that declares the library's API for `signature`, with
/// `targetSection` (C declarations about the target, cpuFeaturesHeaderSection)
/// after the includes.
std::string generateHeader(const ModelSignature &signature,
                           llvm::StringRef targetSection = "");

} // namespace cnnc

#endif // CNNC_TARGET_CPU_CINTERFACE_H
