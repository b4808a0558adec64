//===- OutputFile.h - writing a user's files, failures named ----*- C++ -*-===//
//
// Every file a cnnc tool writes on a user's behalf goes through here, so that
// a full disk, a missing directory or /dev/full is an error that names the
// file ("cannot write 'PATH': REASON") instead of LLVM's fatal "IO failure on
// output stream", which names nothing and aborts.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_SUPPORT_OUTPUTFILE_H
#define CNNC_SUPPORT_OUTPUTFILE_H

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

namespace cnnc {

/// Creates `path` ("-": standard output), lets `write` fill it, and checks
/// that every byte reached the file, flushing and closing it. Any failure
/// (to create, to write, to close, or `write`'s own error) removes the file
/// and is returned; the system's reasons read "cannot write 'PATH': REASON".
llvm::Error writeOutputFile(
    llvm::StringRef path,
    llvm::function_ref<llvm::Error(llvm::raw_pwrite_stream &)> write);

/// Copies the file `from` to `path` (for outputs that another program writes
/// to a temporary file first), with writeOutputFile's errors.
llvm::Error copyToOutputFile(llvm::StringRef from, llvm::StringRef path);

} // namespace cnnc

#endif // CNNC_SUPPORT_OUTPUTFILE_H
