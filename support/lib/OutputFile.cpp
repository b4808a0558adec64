//===- OutputFile.cpp - writing a user's files, failures named ------------===//

#include "cnnc/Support/OutputFile.h"

#include "llvm/ADT/Twine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace cnnc;
using llvm::StringRef;

namespace {

llvm::Error cannotWrite(StringRef path, std::error_code error) {
  std::string where =
      path == "-" ? std::string("to standard output") : "'" + path.str() + "'";
  return llvm::createStringError(error, "cannot write " + where + ": " +
                                            error.message());
}

} // namespace

llvm::Error cnnc::writeOutputFile(
    StringRef path,
    llvm::function_ref<llvm::Error(llvm::raw_pwrite_stream &)> write) {
  std::error_code error;
  llvm::ToolOutputFile output(path, error, llvm::sys::fs::OF_None);
  if (error)
    return cannotWrite(path, error);
  llvm::raw_fd_ostream &os = output.os();
  llvm::Error written = write(os);
  // Standard output is not ours to close; a file is closed here, so that a
  // failure of the last write or of the close is seen, not left to the
  // stream's destructor (which would abort on it). Unless kept, the output
  // is removed (a device such as /dev/full is not: LLVM removes only
  // regular files, links and directories).
  if (path == "-")
    os.flush();
  else
    os.close();
  std::error_code streamError = os.error();
  // A stream destroyed with its error set aborts the program.
  os.clear_error();
  if (written)
    return written;
  if (streamError)
    return cannotWrite(path, streamError);
  output.keep();
  return llvm::Error::success();
}

llvm::Error cnnc::copyToOutputFile(StringRef from, StringRef path) {
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> bytes =
      llvm::MemoryBuffer::getFile(from, /*IsText=*/false,
                                  /*RequiresNullTerminator=*/false);
  if (!bytes)
    return llvm::createStringError(bytes.getError(),
                                   "cannot read '" + from +
                                       "': " + bytes.getError().message());
  return writeOutputFile(path, [&](llvm::raw_pwrite_stream &os) {
    os << (*bytes)->getBuffer();
    return llvm::Error::success();
  });
}
