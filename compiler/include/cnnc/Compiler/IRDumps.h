//===- IRDumps.h - the IR that --mlir-print-ir-* dumps ----------*- C++ -*-===//
//
// A model's weights are resource blobs, printed in hex: a dump of the IR
// after each pass (--mlir-print-ir-after-all) of a model with 100 MB of
// weights is gigabytes of hex. cnnc's dumps elide every blob whose hex
// string is longer than kDumpResourceLimit characters (about 30 bytes:
// `dense_resource<fc.weight>` stays, its entry in `dialect_resources`
// goes), unless the command line says how long a string to print
// (--mlir-elide-resource-strings-if-larger=N; a large N prints them all). What
// cnnc emits (--emit=cnn, linalg, loops, llvm-dialect) is not a dump: it keeps
// every weight, to be read back.
//
// A dump of ResNet-50 after a pass is still long: --print-ir-function=NAME
// prints only one function, and of a pass on the module only that function.
// cnnc renames the model function NAME.impl and outlines its loop nests as
// NAME.impl_nestN, so NAME also matches those (NAME.impl_nest3 only that
// loop nest).
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_COMPILER_IRDUMPS_H
#define CNNC_COMPILER_IRDUMPS_H

#include "mlir/Pass/PassManager.h"
#include "llvm/Support/CommandLine.h"

namespace cnnc {

/// Resource blobs whose hex string is longer than this are elided in dumps.
inline constexpr int64_t kDumpResourceLimit = 64;

/// For a driver that applies the pass manager's options itself (cnnc-opt,
/// through MlirOptMain): gives the command line the dumps' limit where it
/// has none, until resetDumpResourceLimit(); false where it has one.
bool setDumpResourceLimit();
void resetDumpResourceLimit();

/// Registers --print-ir-function in `category`, and takes over MLIR's
/// --mlir-print-ir-before and --mlir-print-ir-after, whose pass lists a
/// dump of one function needs and MLIR keeps to itself. Call it after
/// mlir::registerPassManagerCLOptions, before the command line is read.
void registerIRDumpOptions(llvm::cl::OptionCategory &category);

/// Hands the pass lists on to MLIR's options once the command line is
/// read; false, with an error printed, for a name that is no pass's or a
/// dump that --print-ir-function cannot limit.
bool forwardIRDumpOptions();

/// mlir::applyPassManagerCLOptions (IR printing, crash reproducers, pass
/// statistics), with IR dumps that elide weights as this file says and
/// print only the function that --print-ir-function names.
mlir::LogicalResult applyPassManagerCLOptionsEliding(mlir::PassManager &pm);

/// Whether the command line asks for IR dumps on stderr.
bool irDumpsRequested();

/// Warns if --print-ir-function named a function that no dump printed.
void warnIfIRFunctionUnprinted();

} // namespace cnnc

#endif // CNNC_COMPILER_IRDUMPS_H
