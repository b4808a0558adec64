//===- Npy.cpp - reading and writing NumPy's .npy files -------------------===//

#include "cnnc/Support/Npy.h"
#include "cnnc/Support/OutputFile.h"

#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/Twine.h"
#include "llvm/ADT/bit.h"
#include "llvm/Support/Endian.h"

#include <cstring>

using namespace cnnc;
using llvm::StringRef;
using llvm::Twine;

namespace {

constexpr StringRef kMagic = "\x93NUMPY";

llvm::Error fail(const InputStream &stream, const Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "'" + stream.name() + "' " + message);
}

/// A float16's value, exactly (every float16 is a float32).
float halfToFloat(uint16_t half) {
  uint32_t sign = static_cast<uint32_t>(half & 0x8000) << 16;
  uint32_t exponent = (half >> 10) & 0x1f;
  uint32_t mantissa = half & 0x3ff;
  uint32_t bits;
  if (exponent == 0x1f) { // Infinity or NaN, keeping a NaN's payload.
    bits = sign | 0x7f800000 | (mantissa << 13);
  } else if (exponent != 0) {
    bits = sign | ((exponent + 127 - 15) << 23) | (mantissa << 13);
  } else if (mantissa == 0) {
    bits = sign;
  } else { // Subnormal: normalize.
    exponent = 127 - 15 + 1;
    while (!(mantissa & 0x400)) {
      mantissa <<= 1;
      --exponent;
    }
    bits = sign | (exponent << 23) | ((mantissa & 0x3ff) << 13);
  }
  float value;
  std::memcpy(&value, &bits, sizeof(value));
  return value;
}

/// `value` as a float16's bits, rounded to nearest, ties to even.
uint16_t roundToHalf(double value) {
  llvm::APFloat half(value);
  bool lost;
  half.convert(llvm::APFloat::IEEEhalf(), llvm::APFloat::rmNearestTiesToEven,
               &lost);
  return static_cast<uint16_t>(half.bitcastToAPInt().getZExtValue());
}

/// Element `index` of `data`, exactly.
double elementAt(StringRef data, uint64_t index, const NpyHeader &header) {
  llvm::endianness endian =
      header.bigEndian ? llvm::endianness::big : llvm::endianness::little;
  using llvm::support::endian::read;
  switch (header.elementType) {
  case NpyElementType::Float16:
    return halfToFloat(read<uint16_t>(data.data() + 2 * index, endian));
  case NpyElementType::Float32: {
    uint32_t bits = read<uint32_t>(data.data() + 4 * index, endian);
    float value;
    std::memcpy(&value, &bits, sizeof(value));
    return value;
  }
  case NpyElementType::Float64: {
    uint64_t bits = read<uint64_t>(data.data() + 8 * index, endian);
    double value;
    std::memcpy(&value, &bits, sizeof(value));
    return value;
  }
  }
  return 0;
}

/// Reads the data `header` announces and calls `store(i, value)` for the
/// values in C order.
template <typename T>
llvm::Expected<std::vector<T>> readElements(InputStream &stream,
                                            const NpyHeader &header) {
  llvm::Expected<StringRef> data = stream.readUpTo(header.dataBytes);
  if (!data)
    return data.takeError();
  if (data->size() < header.dataBytes)
    return fail(stream, "is truncated: " + Twine(data->size()) +
                            " bytes of data for " + Twine(header.numElements) +
                            " " + npyTypeName(header.elementType) + " values");
  llvm::Expected<bool> atEnd = stream.atEnd();
  if (!atEnd)
    return atEnd.takeError();
  if (!*atEnd)
    return fail(stream, "has more bytes after the " + Twine(header.dataBytes) +
                            " bytes of data its header announces");

  std::vector<T> values(header.numElements);
  if (!header.fortranOrder || header.shape.size() < 2) {
    for (uint64_t i = 0; i < header.numElements; ++i)
      values[i] = static_cast<T>(elementAt(*data, i, header));
    return values;
  }
  // Column-major: element (i0, ..., in) is at i0 + d0 * (i1 + d1 * (...)).
  // Walk the C-order indices and keep the column-major offset in step.
  size_t rank = header.shape.size();
  llvm::SmallVector<uint64_t> index(rank, 0), stride(rank, 1);
  for (size_t d = 1; d < rank; ++d)
    stride[d] = stride[d - 1] * header.shape[d - 1];
  uint64_t source = 0;
  for (uint64_t i = 0; i < header.numElements; ++i) {
    values[i] = static_cast<T>(elementAt(*data, source, header));
    for (size_t d = rank; d-- > 0;) {
      source += stride[d];
      if (++index[d] < static_cast<uint64_t>(header.shape[d]))
        break;
      source -= stride[d] * index[d];
      index[d] = 0;
    }
  }
  return values;
}

} // namespace

StringRef cnnc::npyTypeName(NpyElementType type) {
  switch (type) {
  case NpyElementType::Float16:
    return "float16";
  case NpyElementType::Float32:
    return "float32";
  case NpyElementType::Float64:
    return "float64";
  }
  return "";
}

llvm::Expected<NpyHeader> cnnc::readNpyHeader(InputStream &stream) {
  // The magic string and the version, then the header length's bytes.
  llvm::Expected<StringRef> preamble = stream.readUpTo(8);
  if (!preamble)
    return preamble.takeError();
  if (!preamble->starts_with(kMagic) || preamble->size() < 8)
    return fail(stream, "is not a .npy file (it does not start with "
                        "\"\\x93NUMPY\" and a version)");
  unsigned major = static_cast<unsigned char>((*preamble)[6]);
  unsigned minor = static_cast<unsigned char>((*preamble)[7]);
  if ((major != 1 && major != 2 && major != 3) || minor != 0)
    return fail(stream, "has .npy format version " + Twine(major) + "." +
                            Twine(minor) +
                            "; cnnc reads versions 1.0, 2.0 and 3.0");
  unsigned lengthBytes = major == 1 ? 2 : 4;
  llvm::Expected<StringRef> lengthField =
      stream.read(lengthBytes, "the header length");
  if (!lengthField)
    return lengthField.takeError();
  uint64_t length = major == 1
                        ? llvm::support::endian::read16le(lengthField->data())
                        : llvm::support::endian::read32le(lengthField->data());
  if (length > kMaxNpyHeaderBytes)
    return fail(stream, "announces a header of " + Twine(length) +
                            " bytes, more than the " +
                            Twine(kMaxNpyHeaderBytes) + " cnnc reads");
  llvm::Expected<StringRef> text = stream.read(length, "the header");
  if (!text)
    return text.takeError();
  llvm::Expected<NpyHeader> header = parseNpyHeader(*text);
  if (!header)
    return fail(stream, "has a .npy header cnnc cannot use: " +
                            llvm::toString(header.takeError()));
  return header;
}

llvm::Expected<std::vector<float>>
cnnc::readNpyValues(InputStream &stream, const NpyHeader &header) {
  return readElements<float>(stream, header);
}

llvm::Expected<std::vector<double>>
cnnc::readNpyDoubles(InputStream &stream, const NpyHeader &header) {
  return readElements<double>(stream, header);
}

llvm::Error cnnc::writeNpy(StringRef path, llvm::ArrayRef<int64_t> shape,
                           llvm::ArrayRef<float> values) {
  std::vector<double> wide(values.begin(), values.end());
  return writeNpy(path, shape, wide, NpyElementType::Float32);
}

llvm::Error cnnc::writeNpy(StringRef path, llvm::ArrayRef<int64_t> shape,
                           llvm::ArrayRef<double> values, NpyElementType type) {
  // A tuple: `(3,)` with one element, `(1,3)` with more.
  std::string dims;
  for (int64_t size : shape)
    dims += std::to_string(size) + ",";
  if (shape.size() > 1)
    dims.pop_back();
  const char *descr = type == NpyElementType::Float16   ? "<f2"
                      : type == NpyElementType::Float32 ? "<f4"
                                                        : "<f8";
  std::string header = std::string("{'descr': '") + descr +
                       "', 'fortran_order': False, 'shape': (" + dims + "), }";
  // Padded so that the data starts on a 64-byte boundary, ending in '\n'.
  size_t total = kMagic.size() + 4 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  return writeOutputFile(path, [&](llvm::raw_pwrite_stream &os) {
    os << kMagic << '\x01' << '\x00';
    os << static_cast<char>(header.size() & 0xff)
       << static_cast<char>(header.size() >> 8) << header;
    for (double value : values) {
      char bytes[8];
      switch (type) {
      case NpyElementType::Float16:
        llvm::support::endian::write16le(bytes, roundToHalf(value));
        os.write(bytes, 2);
        break;
      case NpyElementType::Float32:
        llvm::support::endian::write32le(
            bytes, llvm::bit_cast<uint32_t>(static_cast<float>(value)));
        os.write(bytes, 4);
        break;
      case NpyElementType::Float64:
        llvm::support::endian::write64le(bytes,
                                         llvm::bit_cast<uint64_t>(value));
        os.write(bytes, 8);
        break;
      }
    }
    return llvm::Error::success();
  });
}
