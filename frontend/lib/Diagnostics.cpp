//===- Diagnostics.cpp - errors of the model frontend ---------------------===//

#include "cnnc/Frontend/Diagnostics.h"

using namespace cnnc::frontend;

void Diagnostics::error(llvm::SMLoc loc, const llvm::Twine &message) {
  ++errors;
  sourceMgr.PrintMessage(loc, llvm::SourceMgr::DK_Error, message);
}

void Diagnostics::warning(llvm::SMLoc loc, const llvm::Twine &message) {
  sourceMgr.PrintMessage(loc, llvm::SourceMgr::DK_Warning, message);
}

void Diagnostics::note(llvm::SMLoc loc, const llvm::Twine &message) {
  sourceMgr.PrintMessage(loc, llvm::SourceMgr::DK_Note, message);
}
