//===- Progress.h - stage progress of a long compile ------------*- C++ -*-===//
//
// A ResNet-50 takes a while to compile; on a terminal cnnc says what it is
// doing: "cnnc: [1/4] MLIR passes: 12/40 cnn-fuse-bottleneck", one line
// that is rewritten in place and cleared at the end. compile() and
// writeArtifacts() report through an optional callback in CompileOptions,
// so that libraries and tests that do not set one stay silent.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_COMPILER_PROGRESS_H
#define CNNC_COMPILER_PROGRESS_H

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

#include <functional>

namespace mlir {
class PassManager;
} // namespace mlir

namespace cnnc {

enum class EmitKind;

/// Where a compile is: stage `stage` of `stages` (from 1), named `name`,
/// and within it `done` of `total` steps (total 0: no count) with a
/// `detail` (the pass that runs).
struct ProgressEvent {
  unsigned stage = 0, stages = 0;
  llvm::StringRef name;
  unsigned done = 0, total = 0;
  llvm::StringRef detail;
};

/// Called on each step of a compile; a last call with stage 0 says that the
/// compile is over (or failed).
using ProgressCallback = std::function<void(const ProgressEvent &)>;

/// The stages a compile for `emit` goes through, in order; the progress
/// events number them.
llvm::SmallVector<llvm::StringRef> progressStages(EmitKind emit);

/// Reports each top-level pass of `pm` as a step of `stage`.
void addProgressInstrumentation(mlir::PassManager &pm,
                                const ProgressCallback &progress,
                                unsigned stage, unsigned stages,
                                llvm::StringRef name);

/// Prints events as one line on `os` (a terminal), rewritten with '\r'
/// and cleared by the final event.
class ProgressPrinter {
public:
  explicit ProgressPrinter(llvm::raw_ostream &os) : os(os) {}
  void operator()(const ProgressEvent &event);

private:
  llvm::raw_ostream &os;
};

} // namespace cnnc

#endif // CNNC_COMPILER_PROGRESS_H
