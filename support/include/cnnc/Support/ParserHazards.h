//===- ParserHazards.h - IR text that upstream MLIR 19 cannot parse safely ===//
//
// A few constructs crash the parsers of upstream MLIR 19 instead of failing
// with a diagnostic. The one known today: the custom form of every linalg
// structured op (named ops and linalg.generic) parses an optional property
// attribute `<...>` and then casts it to a dictionary without a check, so
// `linalg.exp<1>` or `linalg.matmul <[1, 2]>` reads an integer or an array as
// a dictionary and crashes or aborts (found by fuzz-cnn-ir). The parser gives
// no hook before an op's own parse function runs, so cnnc's readers of IR
// (cnnc-opt, the IR fuzzer) scan the text for such constructs first and
// refuse them with a located error (ParserHazards.cpp says how it lexes).
// Only the main input is scanned: files that options load themselves
// (--irdl-file, the transform interpreter's libraries) are not.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_SUPPORT_PARSERHAZARDS_H
#define CNNC_SUPPORT_PARSERHAZARDS_H

#include "llvm/ADT/StringRef.h"

#include <cstddef>
#include <optional>
#include <string>

namespace llvm {
class MemoryBuffer;
} // namespace llvm

namespace cnnc {

/// A construct in MLIR text that upstream MLIR 19's parser would crash on.
struct ParserHazard {
  /// Byte offset in the text of the construct's first character.
  size_t offset;
  /// What is wrong and what to write instead, without a location.
  std::string message;
};

/// The first hazard in `text`, if any: none in MLIR bytecode, whose reader
/// parses no custom syntax. `splitMarker`: the marker at which the tool
/// splits its input into files parsed one by one (cnnc-opt's
/// --split-input-file), empty if it does not.
std::optional<ParserHazard> findParserHazard(llvm::StringRef text,
                                             llvm::StringRef splitMarker = "");

/// Scans `buffer`; on a hazard, prints it to standard error at its line and
/// column ("FILE:LINE:COL: error: ...", with the line and a caret) and
/// returns false.
bool checkParserHazards(const llvm::MemoryBuffer &buffer,
                        llvm::StringRef splitMarker = "");

} // namespace cnnc

#endif // CNNC_SUPPORT_PARSERHAZARDS_H
