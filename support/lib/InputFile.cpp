//===- InputFile.cpp - reading a user's files with bounds -----------------===//

#include "cnnc/Support/InputFile.h"

#include "llvm/ADT/Twine.h"

#include <algorithm>

using namespace cnnc;
using llvm::StringRef;
using llvm::Twine;
namespace fs = llvm::sys::fs;

namespace {

/// A stream is read in pieces of this size: a header that announces more
/// than the file has costs no more memory than the file gives.
constexpr uint64_t kPieceBytes = uint64_t(64) << 20;

constexpr const char *kNotRegular = "it is not a regular file (but a pipe, "
                                    "a device or a socket); save it to a "
                                    "file first";

llvm::Error cannotRead(StringRef path, const Twine &reason) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "cannot read '" + path + "': " + reason);
}

/// An open file, and what it is.
struct OpenFile {
  fs::file_t handle;
  /// Standard input is not ours to close.
  bool owned;
  fs::file_status status;
};

llvm::Expected<OpenFile> openForReading(StringRef path) {
  OpenFile file{fs::getStdinHandle(), false, {}};
  if (path != "-") {
    llvm::Expected<fs::file_t> handle = fs::openNativeFileForRead(path);
    if (!handle)
      return cannotRead(path, llvm::toString(handle.takeError()));
    file = {*handle, true, {}};
  }
  if (std::error_code error = fs::status(file.handle, file.status)) {
    if (file.owned)
      fs::closeFile(file.handle);
    return cannotRead(path, error.message());
  }
  if (file.status.type() == fs::file_type::directory_file) {
    if (file.owned)
      fs::closeFile(file.handle);
    return cannotRead(path, "it is a directory");
  }
  return file;
}

/// Closes what openForReading opened, when it goes out of scope.
struct CloseOnExit {
  OpenFile &file;
  ~CloseOnExit() {
    if (file.owned)
      fs::closeFile(file.handle);
  }
};

/// A MemoryBuffer that owns the string it holds: a stream's bytes are handed
/// out without a second copy.
class StringMemoryBuffer : public llvm::MemoryBuffer {
public:
  StringMemoryBuffer(std::string bytes, StringRef name)
      : bytes(std::move(bytes)), name(name.str()) {
    // std::string keeps a '\0' after its last character.
    init(this->bytes.data(), this->bytes.data() + this->bytes.size(),
         /*RequiresNullTerminator=*/true);
  }
  StringRef getBufferIdentifier() const override { return name; }
  BufferKind getBufferKind() const override { return MemoryBuffer_Malloc; }

private:
  std::string bytes;
  std::string name;
};

} // namespace

llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>>
cnnc::readInputFile(StringRef path, uint64_t streamLimit,
                    bool requiresNullTerminator) {
  llvm::Expected<OpenFile> file = openForReading(path);
  if (!file)
    return file.takeError();
  CloseOnExit closer{*file};
  if (file->status.type() == fs::file_type::regular_file) {
    llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
        llvm::MemoryBuffer::getOpenFile(
            file->handle, path, file->status.getSize(), requiresNullTerminator);
    if (!buffer)
      return cannotRead(path, buffer.getError().message());
    return std::move(*buffer);
  }
  // One byte past the limit tells a stream at the limit from a longer one.
  InputStream stream(path.str(), file->handle, /*ownsFile=*/false);
  uint64_t wanted = streamLimit == UINT64_MAX ? streamLimit : streamLimit + 1;
  llvm::Expected<StringRef> bytes = stream.readUpTo(wanted);
  if (!bytes)
    return bytes.takeError();
  if (bytes->size() > streamLimit)
    return cannotRead(path, "it is not a regular file, and it gives more "
                            "than " +
                                Twine(streamLimit) +
                                " bytes, the limit for a stream");
  return std::make_unique<StringMemoryBuffer>(std::move(stream.buffer), path);
}

llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>>
cnnc::mapRegularFile(StringRef path) {
  // Looked at before it is opened: opening a pipe waits for a writer.
  fs::file_status status;
  if (path != "-" && !fs::status(path, status) &&
      status.type() != fs::file_type::regular_file &&
      status.type() != fs::file_type::directory_file)
    return cannotRead(path, kNotRegular);
  llvm::Expected<OpenFile> file = openForReading(path);
  if (!file)
    return file.takeError();
  CloseOnExit closer{*file};
  if (file->status.type() != fs::file_type::regular_file)
    return cannotRead(path, kNotRegular);
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
      llvm::MemoryBuffer::getOpenFile(file->handle, path,
                                      file->status.getSize(),
                                      /*RequiresNullTerminator=*/false);
  if (!buffer)
    return cannotRead(path, buffer.getError().message());
  return std::move(*buffer);
}

InputStream::InputStream(std::string name, fs::file_t file, bool ownsFile)
    : fileName(std::move(name)), file(file), ownsFile(ownsFile) {}

InputStream::InputStream(InputStream &&other)
    : fileName(std::move(other.fileName)), file(other.file),
      ownsFile(other.ownsFile), memory(other.memory),
      buffer(std::move(other.buffer)), position(other.position) {
  other.ownsFile = false;
}

InputStream::~InputStream() {
  if (ownsFile)
    fs::closeFile(file);
}

llvm::Expected<InputStream> InputStream::open(StringRef path) {
  llvm::Expected<OpenFile> file = openForReading(path);
  if (!file)
    return file.takeError();
  return InputStream(path.str(), file->handle, file->owned);
}

InputStream InputStream::fromMemory(StringRef bytes, StringRef name) {
  InputStream stream(name.str(), fs::kInvalidFile, /*ownsFile=*/false);
  stream.memory = bytes;
  return stream;
}

llvm::Expected<StringRef> InputStream::readUpTo(uint64_t size) {
  if (memory) {
    StringRef piece = memory->take_front(size);
    *memory = memory->drop_front(piece.size());
    position += piece.size();
    return piece;
  }
  buffer.clear();
  while (buffer.size() < size) {
    size_t have = buffer.size();
    size_t piece = static_cast<size_t>(std::min(size - have, kPieceBytes));
    // Grown geometrically, and straight to `size` once the next step would
    // pass half of it: a stream read up to a limit takes no more memory
    // than the limit (and the copy of half of it, once).
    if (buffer.capacity() < have + piece) {
      uint64_t grown = std::max<uint64_t>(2 * buffer.capacity(), have + piece);
      buffer.reserve(static_cast<size_t>(grown > size / 2 ? size : grown));
    }
    buffer.resize(have + piece);
    llvm::Expected<size_t> got = fs::readNativeFile(
        file, llvm::MutableArrayRef<char>(buffer.data() + have, piece));
    if (!got)
      return cannotRead(fileName, llvm::toString(got.takeError()));
    buffer.resize(have + *got);
    if (*got == 0)
      break; // The end of the file.
  }
  position += buffer.size();
  return StringRef(buffer);
}

llvm::Expected<StringRef> InputStream::read(uint64_t size, StringRef what) {
  uint64_t start = position;
  llvm::Expected<StringRef> bytes = readUpTo(size);
  if (!bytes || bytes->size() == size)
    return bytes;
  return llvm::createStringError(
      llvm::inconvertibleErrorCode(),
      "'" + fileName + "' is truncated: " + what + " needs " + Twine(size) +
          " bytes from byte " + Twine(start) + ", and the file ends after " +
          Twine(bytes->size()));
}

llvm::Expected<bool> InputStream::atEnd() {
  if (memory)
    return memory->empty();
  // Not through `buffer`: what the last read returned stays valid.
  char next;
  llvm::Expected<size_t> got =
      fs::readNativeFile(file, llvm::MutableArrayRef<char>(&next, 1));
  if (!got)
    return cannotRead(fileName, llvm::toString(got.takeError()));
  position += *got;
  return *got == 0;
}
