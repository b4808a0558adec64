//===- FusionReport.h - what was fused, and what was not --------*- C++ -*-===//
//
// The fusion report as data: for each function, every cnn.fused chain (its
// kind, its ops with their layer names and source positions, the memory
// it saves), every candidate chain a fusion pass left unfused with the
// pass's own reason (FusionRejections.h), and the concat chains. Read from
// the IR after the fusion passes (describeFusion), printed as text for
// people or as JSON for tools (docs/fusion-report.md gives the schema).
// cnn-report-fusion and `cnnc --fusion-report` both print it.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_PASSES_FUSIONREPORT_H
#define CNNC_PASSES_FUSIONREPORT_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cnnc::fusion {

/// A place in the model's source.
struct SourcePosition {
  std::string file;
  unsigned line = 0, column = 0;
};

/// One op of a chain.
struct ReportedOp {
  std::string name;  // "cnn.conv2d"
  std::string layer; // "features.1.0.block.1" (its location's NameLoc), or ""
  /// Where the op is written, and the block calls that led there,
  /// innermost first; none for an op without a file location.
  std::optional<SourcePosition> position;
  std::vector<SourcePosition> calledFrom;
};

/// A chain that a fusion pass made into a cnn.fused op.
struct FusedChain {
  int64_t id = 0; // 1, 2, ... in program order within its function.
  std::string kind;
  std::optional<int64_t> tileRows;
  /// Whether code generation lowers the kind as one loop nest (a plugin's
  /// custom kind is lowered op by op).
  bool fusedLowering = true;
  std::vector<ReportedOp> ops;
  /// Bytes of intermediate tensors no longer in memory, and the traffic
  /// that saves (written once, read once; for squeeze-and-excitation also
  /// the pool's read of its input when the convolution sums for it).
  int64_t intermediateBytes = 0, trafficBytes = 0;
};

/// A candidate chain that a fusion pass matched and left unfused.
struct RejectedChain {
  std::string kind, pass, reason, detail;
  std::vector<ReportedOp> ops;
  /// The fused chains that hold some of its ops (other passes' kinds, which
  /// took them before or after), in order.
  std::vector<int64_t> inFusedChains;
};

struct FunctionReport {
  std::string name;
  std::vector<FusedChain> fused;
  std::vector<RejectedChain> notFused;
  /// Concats that extend the one before into its buffer, and the bytes
  /// they no longer copy.
  int64_t extendingConcats = 0, uncopiedBytes = 0;
};

/// The scratch arena with and without fusion (cnnc --fusion-report).
struct ScratchMemory {
  int64_t unfusedBytes = 0, fusedBytes = 0;
  bool fusion = true; // false: compiled with --no-fusion.
};

struct FusionReport {
  std::vector<FunctionReport> functions;
  std::optional<ScratchMemory> scratch;
};

enum class FusionReportFormat { Text, JSON };

/// Reads the report from `module` after the fusion passes.
FusionReport describeFusion(mlir::ModuleOp module);

/// Prints `report`: text (what cnn-report-fusion has always printed, with
/// the chains not fused after the fused ones) or JSON (one object, the
/// schema of docs/fusion-report.md).
void printFusionReport(const FusionReport &report, FusionReportFormat format,
                       llvm::raw_ostream &os);

} // namespace cnnc::fusion

#endif // CNNC_PASSES_FUSIONREPORT_H
