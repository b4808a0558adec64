//===- Safetensors.cpp - reading weights from a safetensors file ----------===//
//
// Everything in the file is checked before anything is handed out, with
// overflow-checked arithmetic on every number that comes from the file, so
// that no input can make the reader crash or read outside the buffer.
//
//===----------------------------------------------------------------------===//

#include "cnnc/Frontend/Safetensors.h"
#include "cnnc/Support/InputFile.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <tuple>

using namespace cnnc;
using llvm::StringRef;
using llvm::Twine;
namespace json = llvm::json;

namespace {

constexpr StringRef kMetadataKey = "__metadata__";

llvm::Error fail(const Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

/// A name from the file, quoted for a message: control characters escaped,
/// and cut short if very long.
std::string quote(StringRef text) {
  constexpr size_t kMaxShown = 120;
  std::string result = "'";
  for (char c : text.take_front(kMaxShown)) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || c == '\\' || c == '\'') {
      result += '\\';
      if (c == '\\' || c == '\'') {
        result += c;
      } else {
        result += 'x';
        result += llvm::hexdigit(u >> 4, /*LowerCase=*/true);
        result += llvm::hexdigit(u & 15, /*LowerCase=*/true);
      }
      continue;
    }
    result += c;
  }
  if (text.size() > kMaxShown)
    result += "...";
  result += "'";
  return result;
}

/// A JSON value for a message, cut short if long.
std::string show(const json::Value &value) {
  constexpr size_t kMaxShown = 60;
  std::string text;
  llvm::raw_string_ostream os(text);
  // A floating-point number with an integral value prints without a
  // fraction, like an integer; show that it is floating-point. (Any
  // non-negative integer written as such below 2^64 is held as an integer.)
  std::optional<double> number = value.getAsNumber();
  if (number && !value.getAsUINT64() && std::isfinite(*number) &&
      *number >= 0 && *number < 1e15 && *number == std::floor(*number))
    os << llvm::format("%.1f", *number);
  else
    os << value;
  os.flush();
  if (text.size() > kMaxShown)
    text = text.substr(0, kMaxShown) + "...";
  return text;
}

/// What a JSON value is, as a count or offset.
struct Count {
  enum Kind { Ok, NotInteger, Negative, TooLarge } kind;
  uint64_t value = 0;
};

/// Only JSON integers count: 2.0 is rejected, like the reference
/// implementation does. (json::Value::getAsInteger would take 2.0, and its
/// conversion of 2^63 written as a float is undefined behaviour.)
Count classify(const json::Value &value) {
  if (value.kind() != json::Value::Number)
    return {Count::NotInteger};
  if (std::optional<uint64_t> u = value.getAsUINT64())
    return {Count::Ok, *u};
  double d = value.getAsNumber().value_or(0);
  if (d < 0)
    return {Count::Negative};
  // An integer too large for uint64 is parsed as a double.
  if (std::isfinite(d) && d == std::floor(d) && d >= 0x1p64)
    return {Count::TooLarge};
  return {Count::NotInteger};
}

/// Scans the header's JSON text for what llvm::json does not check: how deep
/// it nests (its parser recurses, so a header of a million '[' would
/// overflow the stack) and, with `checkDuplicates`, keys that appear twice in
/// an object (its parser keeps the last one silently). The text need not be
/// valid JSON for the nesting check; for duplicates it must be.
llvm::Error scanHeader(StringRef text, bool checkDuplicates) {
  struct Frame {
    bool isObject;
    bool expectKey;
    /// The top-level key this container is under ("" for the top level).
    std::string entry;
    std::string lastKey;
    llvm::StringSet<> keys;
  };
  llvm::SmallVector<Frame, 8> stack;
  size_t size = text.size();
  for (size_t i = 0; i < size; ++i) {
    char c = text[i];
    switch (c) {
    case '"': {
      size_t start = i++;
      while (i < size && text[i] != '"') {
        if (text[i] == '\\')
          ++i;
        ++i;
      }
      if (i >= size)
        return llvm::Error::success(); // Unterminated: the parser says so.
      if (!checkDuplicates || stack.empty() || !stack.back().isObject ||
          !stack.back().expectKey)
        break;
      Frame &frame = stack.back();
      StringRef raw = text.slice(start, i + 1);
      std::string key = raw.drop_front().drop_back().str();
      if (raw.contains('\\')) {
        // Escapes: let the JSON parser decode the key.
        llvm::Expected<json::Value> decoded = json::parse(raw);
        if (!decoded)
          llvm::consumeError(decoded.takeError());
        else if (std::optional<StringRef> s = decoded->getAsString())
          key = s->str();
      }
      if (!frame.keys.insert(key).second) {
        if (stack.size() == 1 && key == kMetadataKey)
          return fail("\"__metadata__\" appears more than once in the header");
        if (stack.size() == 1)
          return fail("tensor " + quote(key) +
                      " appears more than once in the header");
        if (frame.entry == kMetadataKey)
          return fail("key " + quote(key) +
                      " appears more than once in \"__metadata__\"");
        return fail("key " + quote(key) +
                    " appears more than once in the entry of tensor " +
                    quote(frame.entry));
      }
      frame.lastKey = std::move(key);
      frame.expectKey = false;
      break;
    }
    case '{':
    case '[': {
      if (stack.size() >= SafetensorsFile::kMaxNesting)
        return fail("header JSON nests more than " +
                    Twine(SafetensorsFile::kMaxNesting) + " levels deep");
      Frame frame{c == '{', c == '{', "", "", {}};
      if (stack.size() == 1)
        frame.entry = stack.front().lastKey;
      else if (stack.size() > 1)
        frame.entry = stack.back().entry;
      stack.push_back(std::move(frame));
      break;
    }
    case '}':
    case ']':
      if (!stack.empty())
        stack.pop_back();
      break;
    case ',':
      if (!stack.empty() && stack.back().isObject)
        stack.back().expectKey = true;
      break;
    default:
      break;
    }
  }
  return llvm::Error::success();
}

/// The byte range a tensor claims in the data buffer.
struct Extent {
  uint64_t begin;
  uint64_t end;
  size_t tensor;
};

std::string formatShape(llvm::ArrayRef<int64_t> shape) {
  std::string text = "[";
  llvm::raw_string_ostream os(text);
  llvm::interleave(shape, os, ", ");
  os << "]";
  os.flush();
  return text;
}

/// Validates one entry of the header, filling `tensor` (all but data) and
/// `extent`.
llvm::Error parseEntry(StringRef name, const json::Value &value,
                       uint64_t dataSize, SafetensorsTensor &tensor,
                       Extent &extent) {
  std::string where = "tensor " + quote(name);
  const json::Object *entry = value.getAsObject();
  if (!entry)
    return fail("the entry of " + where + " is not a JSON object but " +
                show(value));

  // dtype.
  const json::Value *dtype = entry->get("dtype");
  if (!dtype)
    return fail(where + " has no \"dtype\"");
  std::optional<StringRef> dtypeName = dtype->getAsString();
  if (!dtypeName)
    return fail("\"dtype\" of " + where + " is not a string but " +
                show(*dtype));
  int64_t elementSize = SafetensorsFile::dtypeSize(*dtypeName);
  if (elementSize == 0)
    return fail(where + " has unknown dtype " + quote(*dtypeName) +
                " (expected F64, F32, F16, BF16, I64, I32, I16, I8, U8 or "
                "BOOL)");
  tensor.dtype = dtypeName->str();

  // shape.
  const json::Value *shape = entry->get("shape");
  if (!shape)
    return fail(where + " has no \"shape\"");
  const json::Array *dims = shape->getAsArray();
  if (!dims)
    return fail("\"shape\" of " + where + " is not an array but " +
                show(*shape));
  int64_t numElements = 1;
  bool overflow = false;
  for (auto [index, dim] : llvm::enumerate(*dims)) {
    Count count = classify(dim);
    std::string which =
        "dimension " + std::to_string(index) + " of the shape of " + where;
    switch (count.kind) {
    case Count::NotInteger:
      return fail(which + " is not an integer: " + show(dim));
    case Count::Negative:
      return fail(which + " is negative: " + show(dim));
    case Count::TooLarge:
      return fail(which + " is too large: " + show(dim));
    case Count::Ok:
      break;
    }
    if (count.value > uint64_t(std::numeric_limits<int64_t>::max()))
      return fail(which + " is too large: " + show(dim));
    int64_t size = static_cast<int64_t>(count.value);
    tensor.shape.push_back(size);
    if (!overflow && llvm::MulOverflow(numElements, size, numElements))
      overflow = true;
  }
  if (overflow)
    return fail("the element count of " + where + " (shape " +
                formatShape(tensor.shape) + ") overflows 64 bits");
  int64_t byteSize;
  if (llvm::MulOverflow(numElements, elementSize, byteSize))
    return fail("the byte size of " + where + " (" + tensor.dtype + " " +
                formatShape(tensor.shape) + ") overflows 64 bits");

  // data_offsets.
  const json::Value *offsets = entry->get("data_offsets");
  if (!offsets)
    return fail(where + " has no \"data_offsets\"");
  const json::Array *pair = offsets->getAsArray();
  if (!pair || pair->size() != 2)
    return fail("\"data_offsets\" of " + where +
                " is not two integers [begin, end] but " + show(*offsets));
  uint64_t bounds[2];
  for (int i = 0; i < 2; ++i) {
    Count count = classify((*pair)[i]);
    if (count.kind != Count::Ok)
      return fail("\"data_offsets\" of " + where +
                  " is not two non-negative integers [begin, end] but " +
                  show(*offsets));
    bounds[i] = count.value;
  }
  if (bounds[0] > bounds[1])
    return fail("\"data_offsets\" of " + where + " begin after they end: [" +
                Twine(bounds[0]) + ", " + Twine(bounds[1]) + "]");
  if (bounds[1] > dataSize)
    return fail("\"data_offsets\" of " + where + " end at " + Twine(bounds[1]) +
                ", past the end of the data buffer (" + Twine(dataSize) +
                " bytes)");
  if (bounds[1] - bounds[0] != static_cast<uint64_t>(byteSize))
    return fail(where + " has " + Twine(bounds[1] - bounds[0]) +
                " bytes of data (\"data_offsets\" [" + Twine(bounds[0]) + ", " +
                Twine(bounds[1]) + "]) but " + tensor.dtype + " " +
                formatShape(tensor.shape) + " needs " + Twine(byteSize));
  extent.begin = bounds[0];
  extent.end = bounds[1];
  return llvm::Error::success();
}

llvm::Error parseMetadata(const json::Value &value,
                          std::map<std::string, std::string> &metadata) {
  const json::Object *object = value.getAsObject();
  if (!object)
    return fail("\"__metadata__\" is not a JSON object but " + show(value));
  for (const auto &[key, entry] : *object) {
    std::optional<StringRef> text = entry.getAsString();
    if (!text)
      return fail("the value of " + quote(key.str()) +
                  " in \"__metadata__\" is not a string but " + show(entry));
    metadata.emplace(key.str(), text->str());
  }
  return llvm::Error::success();
}

} // namespace

int64_t SafetensorsTensor::numElements() const {
  int64_t count = 1;
  for (int64_t size : shape)
    count *= size;
  return count;
}

int64_t SafetensorsFile::dtypeSize(StringRef dtype) {
  return llvm::StringSwitch<int64_t>(dtype)
      .Cases("F64", "I64", 8)
      .Cases("F32", "I32", 4)
      .Cases("F16", "BF16", "I16", 2)
      .Cases("I8", "U8", "BOOL", 1)
      .Default(0);
}

const SafetensorsTensor *SafetensorsFile::lookup(StringRef name) const {
  auto it = llvm::partition_point(tensorList, [&](const SafetensorsTensor &t) {
    return StringRef(t.name) < name;
  });
  if (it == tensorList.end() || it->name != name)
    return nullptr;
  return &*it;
}

llvm::Expected<SafetensorsFile> SafetensorsFile::open(StringRef path) {
  // The tensors are views into the mapped file, so it must be a regular
  // file: a pipe or a device (/dev/zero) is refused, not read forever.
  llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> buffer =
      mapRegularFile(path);
  if (!buffer)
    return buffer.takeError();
  llvm::Expected<SafetensorsFile> file = fromBuffer(std::move(*buffer));
  if (!file)
    return fail(path + ": " + llvm::toString(file.takeError()));
  return file;
}

llvm::Expected<SafetensorsFile>
SafetensorsFile::fromBuffer(std::unique_ptr<llvm::MemoryBuffer> buffer) {
  if (!buffer)
    return fail("no buffer to read");
  StringRef bytes = buffer->getBuffer();
  uint64_t fileSize = bytes.size();
  if (fileSize < 8)
    return fail("the file is " + Twine(fileSize) +
                " bytes long, too short for the 8-byte header length");
  uint64_t headerSize = llvm::support::endian::read64le(bytes.data());
  if (headerSize > kMaxHeaderSize)
    return fail("header length " + Twine(headerSize) +
                " exceeds the limit of " + Twine(kMaxHeaderSize) + " bytes");
  if (headerSize > fileSize)
    return fail("header length " + Twine(headerSize) +
                " exceeds the file size (" + Twine(fileSize) + " bytes)");
  if (headerSize > fileSize - 8)
    return fail("header length " + Twine(headerSize) +
                " plus the 8 bytes that give it exceed the file size (" +
                Twine(fileSize) + " bytes)");
  StringRef header = bytes.substr(8, headerSize);
  uint64_t dataStart = 8 + headerSize;
  uint64_t dataSize = fileSize - dataStart;

  size_t badByte = 0;
  if (!json::isUTF8(header, &badByte))
    return fail("header is not valid UTF-8 (at byte " + Twine(badByte) +
                " of the header)");
  if (llvm::Error error = scanHeader(header, /*checkDuplicates=*/false))
    return std::move(error);
  llvm::Expected<json::Value> parsed = json::parse(header);
  if (!parsed)
    return fail("header is not valid JSON: " +
                llvm::toString(parsed.takeError()));
  const json::Object *root = parsed->getAsObject();
  if (!root)
    return fail("header is not a JSON object but " + show(*parsed));
  if (llvm::Error error = scanHeader(header, /*checkDuplicates=*/true))
    return std::move(error);

  SafetensorsFile file;
  // Entries in name order, so that the first error reported does not depend
  // on hashing.
  std::vector<StringRef> names;
  names.reserve(root->size());
  for (const auto &entry : *root)
    names.push_back(entry.first);
  llvm::sort(names);

  std::vector<Extent> extents;
  for (StringRef name : names) {
    const json::Value &value = *root->get(name);
    if (name == kMetadataKey) {
      if (llvm::Error error = parseMetadata(value, file.metadataMap))
        return std::move(error);
      continue;
    }
    SafetensorsTensor tensor;
    tensor.name = name.str();
    Extent extent;
    if (llvm::Error error = parseEntry(name, value, dataSize, tensor, extent))
      return std::move(error);
    extent.tensor = file.tensorList.size();
    tensor.data = llvm::ArrayRef<char>(bytes.data() + dataStart + extent.begin,
                                       extent.end - extent.begin);
    file.tensorList.push_back(std::move(tensor));
    if (extent.end > extent.begin)
      extents.push_back(extent);
  }

  // Non-empty tensors must not share bytes; gaps between them are allowed.
  llvm::sort(extents, [](const Extent &a, const Extent &b) {
    return std::tie(a.begin, a.end) < std::tie(b.begin, b.end);
  });
  for (size_t i = 1; i < extents.size(); ++i) {
    // Sorted by begin, and disjoint up to i - 1: those end in order too, so
    // extent i overlaps one of them iff it overlaps extent i - 1.
    const Extent &prev = extents[i - 1];
    const Extent &cur = extents[i];
    if (cur.begin < prev.end) {
      const SafetensorsTensor &a = file.tensorList[prev.tensor];
      const SafetensorsTensor &b = file.tensorList[cur.tensor];
      return fail("tensors " + quote(a.name) + " (bytes [" + Twine(prev.begin) +
                  ", " + Twine(prev.end) + ")) and " + quote(b.name) +
                  " (bytes [" + Twine(cur.begin) + ", " + Twine(cur.end) +
                  ")) overlap in the data buffer");
    }
  }

  // The names were sorted, and the tensors were added in that order.
  file.buffer = std::move(buffer);
  return std::move(file);
}
