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
//===----------------------------------------------------------------------===//

#ifndef CNNC_COMPILER_IRDUMPS_H
#define CNNC_COMPILER_IRDUMPS_H

#include "mlir/Pass/PassManager.h"

namespace cnnc {

/// Resource blobs whose hex string is longer than this are elided in dumps.
inline constexpr int64_t kDumpResourceLimit = 64;

/// mlir::applyPassManagerCLOptions (IR printing, crash reproducers, pass
/// statistics), with IR dumps that elide weights as this file says.
mlir::LogicalResult applyPassManagerCLOptionsEliding(mlir::PassManager &pm);

} // namespace cnnc

#endif // CNNC_COMPILER_IRDUMPS_H
