//===- Safetensors.h - reading weights from a safetensors file --*- C++ -*-===//
//
// A safetensors file (https://github.com/huggingface/safetensors) is:
//
//   u64 N (little-endian) | N bytes of UTF-8 JSON | data buffer
//
// The JSON maps each tensor name to {"dtype", "shape", "data_offsets"}, the
// offsets being [begin, end) in bytes from the start of the data buffer, and
// may hold a "__metadata__" object of string -> string. The reader maps the
// file once, validates all of it up front and then hands out views into the
// mapping: a file that opens is safe to read in full.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_FRONTEND_SAFETENSORS_H
#define CNNC_FRONTEND_SAFETENSORS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace cnnc {

/// One tensor of a safetensors file, as validated by SafetensorsFile.
struct SafetensorsTensor {
  std::string name;
  /// As in the file: "F32", "F16", "BF16", "F64", "I64", "I32", "I16", "I8",
  /// "U8" or "BOOL".
  std::string dtype;
  /// Empty for a scalar.
  llvm::SmallVector<int64_t> shape;
  /// The tensor's bytes, little-endian and row-major; points into the file's
  /// buffer, so it lives as long as the SafetensorsFile. Not aligned in
  /// general: copy or use unaligned loads.
  llvm::ArrayRef<char> data;

  /// The product of the shape (1 for a scalar); validated not to overflow.
  int64_t numElements() const;
};

/// A validated safetensors file. Move-only: it owns (shares, through
/// sharedBuffer()) the buffer that the tensors' data point into.
class SafetensorsFile {
public:
  /// A header longer than this is rejected (the limit of the reference
  /// implementation).
  static constexpr uint64_t kMaxHeaderSize = 100'000'000;
  /// The header JSON may nest this deep; a valid header nests 3 levels.
  static constexpr unsigned kMaxNesting = 64;

  /// Maps and validates the whole file, which must be a regular file. On any
  /// problem, an llvm::Error whose message says what is wrong and where (the
  /// tensor's name, the offending numbers), prefixed with `path: `, e.g.
  /// "w.safetensors: header length 1000000 exceeds the file size (1234
  /// bytes)", or "cannot read 'PATH': REASON" if the file cannot be mapped.
  static llvm::Expected<SafetensorsFile> open(llvm::StringRef path);
  /// Same, from bytes already in memory (for tests and fuzzing); takes
  /// ownership. Messages carry no file name.
  static llvm::Expected<SafetensorsFile>
  fromBuffer(std::unique_ptr<llvm::MemoryBuffer> buffer);

  SafetensorsFile(SafetensorsFile &&) = default;
  SafetensorsFile &operator=(SafetensorsFile &&) = default;
  SafetensorsFile(const SafetensorsFile &) = delete;
  SafetensorsFile &operator=(const SafetensorsFile &) = delete;

  /// The tensor called `name`, or nullptr if there is none.
  const SafetensorsTensor *lookup(llvm::StringRef name) const;
  /// Every tensor, sorted by name.
  llvm::ArrayRef<SafetensorsTensor> tensors() const { return tensorList; }
  /// The "__metadata__" object (empty if absent).
  const std::map<std::string, std::string> &metadata() const {
    return metadataMap;
  }

  /// The buffer the tensors' data point into, shared: a view held past the
  /// SafetensorsFile (a weight's resource blob) keeps it alive with this.
  std::shared_ptr<const llvm::MemoryBuffer> sharedBuffer() const {
    return buffer;
  }

  /// Bytes per element of a safetensors dtype, 0 if unknown.
  static int64_t dtypeSize(llvm::StringRef dtype);

private:
  SafetensorsFile() = default;

  std::shared_ptr<const llvm::MemoryBuffer> buffer;
  std::vector<SafetensorsTensor> tensorList;
  std::map<std::string, std::string> metadataMap;
};

} // namespace cnnc

#endif // CNNC_FRONTEND_SAFETENSORS_H
