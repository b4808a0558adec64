//===- Diagnostics.h - errors of the model frontend -------------*- C++ -*-===//

#ifndef CNNC_FRONTEND_DIAGNOSTICS_H
#define CNNC_FRONTEND_DIAGNOSTICS_H

#include "llvm/ADT/Twine.h"
#include "llvm/Support/SMLoc.h"
#include "llvm/Support/SourceMgr.h"

namespace cnnc::frontend {

/// Prints `file:line:col: error: message`, the source line and a caret, and
/// counts errors. Front-end errors all go through here, so that every message
/// points into the model's text.
class Diagnostics {
public:
  explicit Diagnostics(llvm::SourceMgr &sourceMgr) : sourceMgr(sourceMgr) {}

  void error(llvm::SMLoc loc, const llvm::Twine &message);
  void warning(llvm::SMLoc loc, const llvm::Twine &message);
  void note(llvm::SMLoc loc, const llvm::Twine &message);

  unsigned numErrors() const { return errors; }
  /// Past this many errors the parser stops: the rest is likely cascade.
  bool tooMany() const { return errors >= 20; }
  llvm::SourceMgr &getSourceMgr() { return sourceMgr; }

private:
  llvm::SourceMgr &sourceMgr;
  unsigned errors = 0;
};

} // namespace cnnc::frontend

#endif // CNNC_FRONTEND_DIAGNOSTICS_H
