//===- Npy.h - reading and writing NumPy's .npy files -----------*- C++ -*-===//
//
// A .npy file (numpy.lib.format) is
//
//   "\x93NUMPY" | major | minor | header length (u16 in 1.0, u32 in 2.0 and
//   3.0, little-endian) | header | data
//
// where the header is the text of a Python dict literal such as
// "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 3, 224, 224), }",
// padded with spaces and a newline. The header is parsed as the literal it is
// (either quote, any whitespace, tuples such as `(3,)` and `()`), the data is
// read exactly as far as the header announces, and values are converted to
// float32 in C order. Element types: float16, float32 and float64 ('<f2',
// '<f4', '<f8'), little- or big-endian ('>'). numpy has no bfloat16: the
// ml_dtypes package saves its bfloat16 as '<V2', 2 raw bytes that numpy
// itself reads back as raw bytes; that and every other descr are refused
// with a message that says what to save instead.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_SUPPORT_NPY_H
#define CNNC_SUPPORT_NPY_H

#include "cnnc/Support/InputFile.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace cnnc {

/// The element types cnnc reads from .npy files.
enum class NpyElementType { Float16, Float32, Float64 };

/// What a .npy header says about its data.
struct NpyHeader {
  /// As the file writes it, e.g. "<f4".
  std::string descr;
  NpyElementType elementType = NpyElementType::Float32;
  bool bigEndian = false;
  /// Column-major data: read and transposed into C order.
  bool fortranOrder = false;
  /// Empty for a scalar.
  llvm::SmallVector<int64_t> shape;
  /// The product of the shape, and the bytes of data it needs: both checked
  /// against overflow.
  uint64_t numElements = 1;
  uint64_t dataBytes = 0;
};

/// The longest header read (numpy's own reader refuses more than 10,000
/// bytes unless told otherwise): a larger announced length is an error, not
/// an allocation.
inline constexpr uint64_t kMaxNpyHeaderBytes = 1 << 20;
/// The most dimensions a shape may have (numpy 2 allows 64).
inline constexpr size_t kMaxNpyRank = 64;

/// Parses the header's dict literal; messages say what is wrong and at which
/// character of the header.
llvm::Expected<NpyHeader> parseNpyHeader(llvm::StringRef text);

/// Reads the magic string, the version, the header length and the header
/// from the front of `stream`. Messages name the file.
llvm::Expected<NpyHeader> readNpyHeader(InputStream &stream);

/// Reads the data `header` announces from `stream` (positioned after the
/// header), checks that the file ends there, and returns its values as
/// float32 in C order (float64 rounded to nearest, float16 exact).
llvm::Expected<std::vector<float>> readNpyValues(InputStream &stream,
                                                 const NpyHeader &header);
/// The same, as float64: every value exact.
llvm::Expected<std::vector<double>> readNpyDoubles(InputStream &stream,
                                                   const NpyHeader &header);

/// Writes `values` to `path` as a float32, C-order .npy file (version 1.0,
/// data aligned to 64 bytes, as numpy writes it).
llvm::Error writeNpy(llvm::StringRef path, llvm::ArrayRef<int64_t> shape,
                     llvm::ArrayRef<float> values);
/// The same with `values` stored as `type` (rounded to nearest, ties to
/// even, for float16 and float32).
llvm::Error writeNpy(llvm::StringRef path, llvm::ArrayRef<int64_t> shape,
                     llvm::ArrayRef<double> values, NpyElementType type);

/// The name of an element type as numpy says it ("float32").
llvm::StringRef npyTypeName(NpyElementType type);

} // namespace cnnc

#endif // CNNC_SUPPORT_NPY_H
