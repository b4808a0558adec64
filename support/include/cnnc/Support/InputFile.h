//===- InputFile.h - reading a user's files with bounds ---------*- C++ -*-===//
//
// Every file a cnnc tool reads on a user's behalf (a model, a checkpoint, IR,
// a .npy input) goes through here, so that none can make a tool read forever:
// a regular file is read up to its size, a directory is refused, and anything
// else (a pipe, a device such as /dev/zero, standard input) is read only up
// to a limit, or, by a reader of a format with a header, only as far as the
// header announces. Every error names the file.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_SUPPORT_INPUTFILE_H
#define CNNC_SUPPORT_INPUTFILE_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace cnnc {

/// The whole of `path` ("-": standard input). A regular file is mapped as it
/// is; a stream (anything but a regular file or a directory) is read up to
/// `streamLimit` bytes, and one that has more is refused. Errors read
/// "cannot read 'PATH': REASON".
llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>>
readInputFile(llvm::StringRef path, uint64_t streamLimit,
              bool requiresNullTerminator = true);

/// The whole of `path`, which must be a regular file: for formats whose data
/// is handed out as views into the mapped file.
llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>>
mapRegularFile(llvm::StringRef path);

/// A user's file read from the front a piece at a time, so that a reader of a
/// format with a header reads what the header announces and no more. Reads
/// from a file descriptor ("-": standard input) or from bytes in memory (for
/// tests and fuzzing). Move-only.
class InputStream {
public:
  /// Opens `path` for reading; refuses a directory.
  static llvm::Expected<InputStream> open(llvm::StringRef path);
  /// Reads `bytes` (not copied: they must outlive the stream), named `name`
  /// in messages.
  static InputStream fromMemory(llvm::StringRef bytes, llvm::StringRef name);

  InputStream(InputStream &&other);
  InputStream &operator=(InputStream &&other) = delete;
  InputStream(const InputStream &) = delete;
  ~InputStream();

  /// The next `size` bytes, valid until the next read; an error if the file
  /// ends first: "'NAME' is truncated: WHAT needs N bytes from byte M, the
  /// file has K".
  llvm::Expected<llvm::StringRef> read(uint64_t size, llvm::StringRef what);
  /// The next `size` bytes, or fewer if the file ends first. A stream's bytes
  /// are read in pieces of at most 64 MiB, so a size that the file does not
  /// have is never allocated up front.
  llvm::Expected<llvm::StringRef> readUpTo(uint64_t size);
  /// Whether the file has no more bytes (from a file: after reading one
  /// more). What the last read returned stays valid.
  llvm::Expected<bool> atEnd();
  /// Bytes read so far.
  uint64_t offset() const { return position; }
  /// The file's name as the user gave it.
  llvm::StringRef name() const { return fileName; }

private:
  friend llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>>
  readInputFile(llvm::StringRef path, uint64_t streamLimit,
                bool requiresNullTerminator);

  InputStream(std::string name, llvm::sys::fs::file_t file, bool ownsFile);

  std::string fileName;
  llvm::sys::fs::file_t file;
  /// Whether `file` is ours to close (not standard input, not memory).
  bool ownsFile;
  /// For bytes in memory: those not read yet.
  std::optional<llvm::StringRef> memory;
  /// What the last read returned, for a file.
  std::string buffer;
  uint64_t position = 0;
};

} // namespace cnnc

#endif // CNNC_SUPPORT_INPUTFILE_H
