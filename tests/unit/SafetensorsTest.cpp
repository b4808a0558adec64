//===- SafetensorsTest.cpp - the safetensors reader -----------------------===//

#include "cnnc/Frontend/Safetensors.h"

#include "llvm/Support/MemoryBuffer.h"

#include "Bytes.h"

#include <catch2/catch.hpp>

#include <cstring>
#include <string>

using namespace cnnc;
using cnnc::test::bytesOf;

namespace {

/// The 8-byte little-endian length of a header.
std::string lengthField(uint64_t length) {
  std::string bytes(8, '\0');
  for (int i = 0; i < 8; ++i)
    bytes[i] = static_cast<char>((length >> (8 * i)) & 0xff);
  return bytes;
}

/// A safetensors file: the length field, `header` and `data`.
std::string makeFile(const std::string &header, const std::string &data = "") {
  return lengthField(header.size()) + header + data;
}

llvm::Expected<SafetensorsFile> read(const std::string &bytes) {
  return SafetensorsFile::fromBuffer(
      llvm::MemoryBuffer::getMemBufferCopy(bytes, "test"));
}

/// The error message of reading `bytes`, or "" if it reads.
std::string errorOf(const std::string &bytes) {
  llvm::Expected<SafetensorsFile> file = read(bytes);
  if (file)
    return "";
  return llvm::toString(file.takeError());
}

/// A header with a single F32 tensor "w" of `shape` at `offsets`.
std::string oneTensor(const std::string &shape, const std::string &offsets,
                      const std::string &dtype = "\"F32\"") {
  return R"({"w": {"dtype": )" + dtype + R"(, "shape": )" + shape +
         R"(, "data_offsets": )" + offsets + "}}";
}

template <typename T> T load(const SafetensorsTensor &tensor, size_t index) {
  T value;
  std::memcpy(&value, tensor.data.data() + index * sizeof(T), sizeof(T));
  return value;
}

/// A valid file of several dtypes, a scalar, an empty tensor, a gap and
/// metadata; its last tensor ends at the end of the file.
std::string validFile() {
  std::string data;
  data += bytesOf<float>({1.5f, -2.0f, 3.25f, 4.0f, 5.0f, 6.0f}); // [0, 24)
  data += bytesOf<int64_t>({-7});                                 // [24, 32)
  data += std::string(4, '\x55');                                 // gap
  data += bytesOf<uint16_t>({0x3c00, 0xc000});                    // [36, 40)
  data += bytesOf<uint16_t>({0x3f80});                            // [40, 42)
  data += bytesOf<uint8_t>({1, 0, 1});                            // [42, 45)
  data += bytesOf<int32_t>({-1, 2});                              // [45, 53)
  data += bytesOf<double>({0.125});                               // [53, 61)
  std::string header = R"({
    "__metadata__": {"format": "pt", "note": "h\u00e9llo"},
    "conv.weight": {"dtype": "F32", "shape": [2, 3, 1, 1], "data_offsets": [0, 24]},
    "bn.num_batches_tracked": {"dtype": "I64", "shape": [], "data_offsets": [24, 32]},
    "half": {"dtype": "F16", "shape": [2], "data_offsets": [36, 40]},
    "brain": {"dtype": "BF16", "shape": [1], "data_offsets": [40, 42]},
    "mask": {"dtype": "BOOL", "shape": [3], "data_offsets": [42, 45]},
    "empty": {"dtype": "U8", "shape": [0, 5], "data_offsets": [45, 45]},
    "ints": {"dtype": "I32", "shape": [2], "data_offsets": [45, 53]},
    "dbl": {"dtype": "F64", "shape": [1, 1], "data_offsets": [53, 61]}
  }   )";
  return makeFile(header, data);
}

} // namespace

TEST_CASE("a valid file reads back", "[safetensors]") {
  llvm::Expected<SafetensorsFile> file = read(validFile());
  INFO((file ? std::string() : llvm::toString(file.takeError())));
  REQUIRE(static_cast<bool>(file));

  std::vector<std::string> names;
  for (const SafetensorsTensor &tensor : file->tensors())
    names.push_back(tensor.name);
  CHECK(names == std::vector<std::string>{"bn.num_batches_tracked", "brain",
                                          "conv.weight", "dbl", "empty", "half",
                                          "ints", "mask"});

  const SafetensorsTensor *conv = file->lookup("conv.weight");
  REQUIRE(conv);
  CHECK(conv->dtype == "F32");
  CHECK(llvm::ArrayRef<int64_t>(conv->shape) ==
        llvm::ArrayRef<int64_t>({2, 3, 1, 1}));
  CHECK(conv->numElements() == 6);
  CHECK(conv->data.size() == 24);
  CHECK(load<float>(*conv, 0) == 1.5f);
  CHECK(load<float>(*conv, 2) == 3.25f);
  CHECK(load<float>(*conv, 5) == 6.0f);

  const SafetensorsTensor *scalar = file->lookup("bn.num_batches_tracked");
  REQUIRE(scalar);
  CHECK(scalar->dtype == "I64");
  CHECK(scalar->shape.empty());
  CHECK(scalar->numElements() == 1);
  CHECK(load<int64_t>(*scalar, 0) == -7);

  const SafetensorsTensor *half = file->lookup("half");
  REQUIRE(half);
  CHECK(load<uint16_t>(*half, 1) == 0xc000);
  CHECK(file->lookup("brain")->dtype == "BF16");
  CHECK(load<uint16_t>(*file->lookup("brain"), 0) == 0x3f80);
  CHECK(load<uint8_t>(*file->lookup("mask"), 2) == 1);
  CHECK(load<int32_t>(*file->lookup("ints"), 0) == -1);
  CHECK(load<double>(*file->lookup("dbl"), 0) == 0.125);

  const SafetensorsTensor *empty = file->lookup("empty");
  REQUIRE(empty);
  CHECK(empty->numElements() == 0);
  CHECK(empty->data.empty());

  CHECK(file->lookup("missing") == nullptr);
  CHECK(file->lookup("") == nullptr);
  CHECK(file->lookup("__metadata__") == nullptr);
  CHECK(file->metadata() == std::map<std::string, std::string>{
                                {"format", "pt"}, {"note", "h\xc3\xa9llo"}});

  // Moving the file keeps the tensors' data valid.
  SafetensorsFile moved = std::move(*file);
  CHECK(load<float>(*moved.lookup("conv.weight"), 1) == -2.0f);
}

TEST_CASE("an empty header and no metadata", "[safetensors]") {
  llvm::Expected<SafetensorsFile> file = read(makeFile("{}"));
  REQUIRE(static_cast<bool>(file));
  CHECK(file->tensors().empty());
  CHECK(file->metadata().empty());
}

TEST_CASE("dtype sizes", "[safetensors]") {
  CHECK(SafetensorsFile::dtypeSize("F64") == 8);
  CHECK(SafetensorsFile::dtypeSize("I64") == 8);
  CHECK(SafetensorsFile::dtypeSize("F32") == 4);
  CHECK(SafetensorsFile::dtypeSize("I32") == 4);
  CHECK(SafetensorsFile::dtypeSize("F16") == 2);
  CHECK(SafetensorsFile::dtypeSize("BF16") == 2);
  CHECK(SafetensorsFile::dtypeSize("I16") == 2);
  CHECK(SafetensorsFile::dtypeSize("I8") == 1);
  CHECK(SafetensorsFile::dtypeSize("U8") == 1);
  CHECK(SafetensorsFile::dtypeSize("BOOL") == 1);
  CHECK(SafetensorsFile::dtypeSize("f32") == 0);
  CHECK(SafetensorsFile::dtypeSize("F8_E4M3") == 0);
  CHECK(SafetensorsFile::dtypeSize("") == 0);
}

TEST_CASE("open reads a file and names it in errors", "[safetensors]") {
  llvm::Expected<SafetensorsFile> missing =
      SafetensorsFile::open("/nonexistent/dir/w.safetensors");
  REQUIRE(!missing);
  std::string message = llvm::toString(missing.takeError());
  CHECK_THAT(message, Catch::StartsWith("cannot read "
                                        "'/nonexistent/dir/w.safetensors': "));
}

TEST_CASE("open refuses what is not a regular file", "[safetensors]") {
  // /dev/zero would otherwise be read forever.
  llvm::Expected<SafetensorsFile> device = SafetensorsFile::open("/dev/zero");
  REQUIRE(!device);
  CHECK(llvm::toString(device.takeError()) ==
        "cannot read '/dev/zero': it is not a regular file (but a pipe, a "
        "device or a socket); save it to a file first");
  llvm::Expected<SafetensorsFile> directory = SafetensorsFile::open("/");
  REQUIRE(!directory);
  CHECK(llvm::toString(directory.takeError()) ==
        "cannot read '/': it is a directory");
}

TEST_CASE("rejects a file shorter than 8 bytes", "[safetensors]") {
  CHECK(errorOf("") ==
        "the file is 0 bytes long, too short for the 8-byte header length");
  CHECK(errorOf(std::string("\x02\0\0\0\0", 5)) ==
        "the file is 5 bytes long, too short for the 8-byte header length");
}

TEST_CASE("rejects a header length past the file", "[safetensors]") {
  std::string file = lengthField(1000000) + std::string(1226, ' ');
  CHECK(errorOf(file) ==
        "header length 1000000 exceeds the file size (1234 bytes)");
  std::string header = "{}";
  file = lengthField(header.size() + 1) + header;
  CHECK(errorOf(file) == "header length 3 plus the 8 bytes that give it exceed "
                         "the file size (10 bytes)");
}

TEST_CASE("rejects an absurdly large header length", "[safetensors]") {
  CHECK(errorOf(lengthField(uint64_t(1) << 40) + "{}") ==
        "header length 1099511627776 exceeds the limit of 100000000 bytes");
  CHECK(errorOf(lengthField(~uint64_t(0)) + "{}") ==
        "header length 18446744073709551615 exceeds the limit of 100000000 "
        "bytes");
}

TEST_CASE("rejects a header that is not UTF-8", "[safetensors]") {
  CHECK(errorOf(makeFile("{\"w\xff\": 1}")) ==
        "header is not valid UTF-8 (at byte 3 of the header)");
}

TEST_CASE("rejects a header that is not JSON", "[safetensors]") {
  CHECK_THAT(errorOf(makeFile("{\"w\": ")),
             Catch::StartsWith("header is not valid JSON: "));
  CHECK_THAT(errorOf(makeFile("")),
             Catch::StartsWith("header is not valid JSON: "));
  CHECK_THAT(errorOf(makeFile("{} x")),
             Catch::StartsWith("header is not valid JSON: "));
}

TEST_CASE("rejects a header nested too deep", "[safetensors]") {
  // llvm::json's parser recurses: this would overflow the stack.
  std::string deep(1000000, '[');
  CHECK(errorOf(makeFile(deep)) ==
        "header JSON nests more than 64 levels deep");
  std::string object =
      "{\"a\": " + std::string(70, '[') + std::string(70, ']') + "}";
  CHECK(errorOf(makeFile(object)) ==
        "header JSON nests more than 64 levels deep");
  // Brackets in strings do not count.
  std::string quoted =
      R"({"__metadata__": {"k": ")" + std::string(100, '[') + R"(\"["}})";
  llvm::Expected<SafetensorsFile> file = read(makeFile(quoted));
  REQUIRE(static_cast<bool>(file));
  CHECK(file->metadata().at("k") == std::string(100, '[') + "\"[");
}

TEST_CASE("rejects a header that is not an object", "[safetensors]") {
  CHECK(errorOf(makeFile("[1, 2]")) == "header is not a JSON object but [1,2]");
  CHECK(errorOf(makeFile("\"w\"")) == "header is not a JSON object but \"w\"");
}

TEST_CASE("rejects an entry that is not an object", "[safetensors]") {
  CHECK(errorOf(makeFile(R"({"w": [1, 2]})")) ==
        "the entry of tensor 'w' is not a JSON object but [1,2]");
  CHECK(errorOf(makeFile(R"({"w": null})")) ==
        "the entry of tensor 'w' is not a JSON object but null");
}

TEST_CASE("rejects a missing or mistyped dtype", "[safetensors]") {
  CHECK(errorOf(makeFile(R"({"w": {"shape": [], "data_offsets": [0, 4]}})",
                         std::string(4, '\0'))) ==
        "tensor 'w' has no \"dtype\"");
  CHECK(errorOf(
            makeFile(oneTensor("[1]", "[0, 4]", "4"), std::string(4, '\0'))) ==
        "\"dtype\" of tensor 'w' is not a string but 4");
}

TEST_CASE("rejects an unknown dtype", "[safetensors]") {
  CHECK(errorOf(makeFile(oneTensor("[1]", "[0, 4]", "\"F8_E4M3\""),
                         std::string(4, '\0'))) ==
        "tensor 'w' has unknown dtype 'F8_E4M3' (expected F64, F32, F16, "
        "BF16, I64, I32, I16, I8, U8 or BOOL)");
  CHECK_THAT(errorOf(makeFile(oneTensor("[1]", "[0, 4]", "\"f32\""),
                              std::string(4, '\0'))),
             Catch::StartsWith("tensor 'w' has unknown dtype 'f32'"));
}

TEST_CASE("rejects a missing or mistyped shape", "[safetensors]") {
  CHECK(errorOf(makeFile(R"({"w": {"dtype": "F32", "data_offsets": [0, 4]}})",
                         std::string(4, '\0'))) ==
        "tensor 'w' has no \"shape\"");
  CHECK(errorOf(makeFile(oneTensor("4", "[0, 16]"), std::string(16, '\0'))) ==
        "\"shape\" of tensor 'w' is not an array but 4");
}

TEST_CASE("rejects negative or non-integer dimensions", "[safetensors]") {
  std::string data(16, '\0');
  CHECK(errorOf(makeFile(oneTensor("[2, -2]", "[0, 16]"), data)) ==
        "dimension 1 of the shape of tensor 'w' is negative: -2");
  CHECK(errorOf(makeFile(oneTensor("[2.5]", "[0, 16]"), data)) ==
        "dimension 0 of the shape of tensor 'w' is not an integer: 2.5");
  CHECK(errorOf(makeFile(oneTensor("[4.0]", "[0, 16]"), data)) ==
        "dimension 0 of the shape of tensor 'w' is not an integer: 4.0");
  CHECK(errorOf(makeFile(oneTensor("[\"4\"]", "[0, 16]"), data)) ==
        "dimension 0 of the shape of tensor 'w' is not an integer: \"4\"");
  CHECK(errorOf(makeFile(oneTensor("[null]", "[0, 16]"), data)) ==
        "dimension 0 of the shape of tensor 'w' is not an integer: null");
  CHECK(errorOf(makeFile(oneTensor("[9223372036854775808]", "[0, 16]"),
                         data)) == "dimension 0 of the shape of tensor 'w' is "
                                   "too large: 9223372036854775808");
  CHECK(errorOf(makeFile(oneTensor("[1e30]", "[0, 16]"), data)) ==
        "dimension 0 of the shape of tensor 'w' is too large: 1e+30");
  // 2^63 written as a float: llvm::json's getAsInteger would convert it
  // with undefined behaviour.
  CHECK(errorOf(makeFile(oneTensor("[9223372036854775808.0]", "[0, 16]"),
                         data)) == "dimension 0 of the shape of tensor 'w' is "
                                   "not an integer: 9.2233720368547758e+18");
}

TEST_CASE("rejects an element count that overflows", "[safetensors]") {
  std::string data(16, '\0');
  CHECK(errorOf(
            makeFile(oneTensor("[4294967296, 4294967296]", "[0, 16]"), data)) ==
        "the element count of tensor 'w' (shape [4294967296, 4294967296]) "
        "overflows 64 bits");
  // Even if a later dimension is zero, like the reference implementation.
  CHECK_THAT(errorOf(makeFile(
                 oneTensor("[4294967296, 4294967296, 0]", "[0, 0]"), data)),
             Catch::EndsWith("overflows 64 bits"));
  CHECK(
      errorOf(makeFile(oneTensor("[4611686018427387904]", "[0, 16]"), data)) ==
      "the byte size of tensor 'w' (F32 [4611686018427387904]) overflows "
      "64 bits");
}

TEST_CASE("rejects data_offsets that are not two integers", "[safetensors]") {
  std::string data(16, '\0');
  CHECK(errorOf(makeFile(R"({"w": {"dtype": "F32", "shape": [4]}})", data)) ==
        "tensor 'w' has no \"data_offsets\"");
  CHECK(errorOf(makeFile(oneTensor("[4]", "[0, 16, 32]"), data)) ==
        "\"data_offsets\" of tensor 'w' is not two integers [begin, end] but "
        "[0,16,32]");
  CHECK(errorOf(makeFile(oneTensor("[4]", "[16]"), data)) ==
        "\"data_offsets\" of tensor 'w' is not two integers [begin, end] but "
        "[16]");
  CHECK(errorOf(makeFile(oneTensor("[4]", "{\"begin\": 0}"), data)) ==
        "\"data_offsets\" of tensor 'w' is not two integers [begin, end] but "
        "{\"begin\":0}");
  CHECK(errorOf(makeFile(oneTensor("[4]", "[0, 16.0]"), data)) ==
        "\"data_offsets\" of tensor 'w' is not two non-negative integers "
        "[begin, end] but [0,16]");
  CHECK(errorOf(makeFile(oneTensor("[4]", "[-16, 0]"), data)) ==
        "\"data_offsets\" of tensor 'w' is not two non-negative integers "
        "[begin, end] but [-16,0]");
}

TEST_CASE("rejects data_offsets that begin after they end", "[safetensors]") {
  CHECK(errorOf(makeFile(oneTensor("[4]", "[16, 0]"), std::string(16, '\0'))) ==
        "\"data_offsets\" of tensor 'w' begin after they end: [16, 0]");
}

TEST_CASE("rejects data_offsets past the data buffer", "[safetensors]") {
  CHECK(errorOf(makeFile(oneTensor("[4]", "[8, 24]"), std::string(16, '\0'))) ==
        "\"data_offsets\" of tensor 'w' end at 24, past the end of the data "
        "buffer (16 bytes)");
  CHECK(errorOf(makeFile(oneTensor("[4]", "[0, 18446744073709551615]"),
                         std::string(16, '\0'))) ==
        "\"data_offsets\" of tensor 'w' end at 18446744073709551615, past the "
        "end of the data buffer (16 bytes)");
}

TEST_CASE("rejects a byte size that does not match the shape",
          "[safetensors]") {
  CHECK(errorOf(
            makeFile(oneTensor("[2, 2]", "[0, 12]"), std::string(16, '\0'))) ==
        "tensor 'w' has 12 bytes of data (\"data_offsets\" [0, 12]) but F32 "
        "[2, 2] needs 16");
  CHECK(errorOf(makeFile(oneTensor("[]", "[0, 8]", "\"I32\""),
                         std::string(16, '\0'))) ==
        "tensor 'w' has 8 bytes of data (\"data_offsets\" [0, 8]) but I32 [] "
        "needs 4");
}

TEST_CASE("rejects overlapping tensors, allows gaps", "[safetensors]") {
  std::string data(32, '\0');
  std::string overlapping =
      R"({"a": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]},
          "b": {"dtype": "F32", "shape": [4], "data_offsets": [12, 28]}})";
  CHECK(errorOf(makeFile(overlapping, data)) ==
        "tensors 'a' (bytes [0, 16)) and 'b' (bytes [12, 28)) overlap in the "
        "data buffer");
  std::string same =
      R"({"a": {"dtype": "U8", "shape": [4], "data_offsets": [4, 8]},
          "b": {"dtype": "I32", "shape": [1], "data_offsets": [4, 8]}})";
  CHECK(errorOf(makeFile(same, data)) ==
        "tensors 'a' (bytes [4, 8)) and 'b' (bytes [4, 8)) overlap in the data "
        "buffer");
  std::string inside =
      R"({"big": {"dtype": "F32", "shape": [8], "data_offsets": [0, 32]},
          "small": {"dtype": "I8", "shape": [2], "data_offsets": [30, 32]}})";
  CHECK_THAT(errorOf(makeFile(inside, data)),
             Catch::EndsWith("overlap in the data buffer"));
  std::string gaps =
      R"({"a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]},
          "b": {"dtype": "F32", "shape": [2], "data_offsets": [16, 24]},
          "empty": {"dtype": "F32", "shape": [0], "data_offsets": [6, 6]}})";
  CHECK(errorOf(makeFile(gaps, data)) == "");
}

TEST_CASE("rejects duplicate names and keys", "[safetensors]") {
  std::string data(16, '\0');
  // llvm::json keeps the last of duplicate keys; the reader finds them.
  std::string twice =
      R"({"w": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]},
          "w": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}})";
  CHECK(errorOf(makeFile(twice, data)) ==
        "tensor 'w' appears more than once in the header");
  // The same name spelled with an escape.
  std::string escaped =
      R"({"ab": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
          "a\u0062": {"dtype": "F32", "shape": [2], "data_offsets": [8, 16]}})";
  CHECK(errorOf(makeFile(escaped, data)) ==
        "tensor 'ab' appears more than once in the header");
  std::string key =
      R"({"w": {"dtype": "F32", "shape": [4], "dtype": "I32",
                "data_offsets": [0, 16]}})";
  CHECK(errorOf(makeFile(key, data)) ==
        "key 'dtype' appears more than once in the entry of tensor 'w'");
  std::string metadata = R"({"__metadata__": {"a": "1", "a": "2"}})";
  CHECK(errorOf(makeFile(metadata)) ==
        "key 'a' appears more than once in \"__metadata__\"");
  std::string metadataTwice = R"({"__metadata__": {}, "__metadata__": {}})";
  CHECK(errorOf(makeFile(metadataTwice)) ==
        "\"__metadata__\" appears more than once in the header");
  // Keys at different levels or in different objects may repeat.
  std::string distinct =
      R"({"dtype": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
          "x": {"dtype": "F32", "shape": [2], "data_offsets": [8, 16]}})";
  CHECK(errorOf(makeFile(distinct, data)) == "");
}

TEST_CASE("rejects malformed metadata", "[safetensors]") {
  CHECK(errorOf(makeFile(R"({"__metadata__": ["a"]})")) ==
        "\"__metadata__\" is not a JSON object but [\"a\"]");
  CHECK(errorOf(makeFile(R"({"__metadata__": {"epochs": 3}})")) ==
        "the value of 'epochs' in \"__metadata__\" is not a string but 3");
}

TEST_CASE("names in messages are escaped and cut short", "[safetensors]") {
  CHECK(errorOf(makeFile(R"({"a\nb'": 1})")) ==
        "the entry of tensor 'a\\x0ab\\'' is not a JSON object but 1");
  std::string longName(500, 'n');
  CHECK(errorOf(makeFile("{\"" + longName + "\": 1}")) ==
        "the entry of tensor '" + std::string(120, 'n') +
            "...' is not a JSON object but 1");
}

TEST_CASE("every truncation of a valid file fails cleanly", "[safetensors]") {
  std::string file = validFile();
  REQUIRE(errorOf(file) == "");
  for (size_t length = 0; length < file.size(); ++length) {
    // A copy of exactly `length` bytes, so that reading past it is caught by
    // AddressSanitizer.
    std::string message = errorOf(file.substr(0, length));
    INFO("length " << length);
    CHECK(!message.empty());
  }
}

TEST_CASE("corrupting any byte of a valid file does not crash",
          "[safetensors]") {
  std::string file = validFile();
  size_t failures = 0;
  for (size_t i = 0; i < file.size(); ++i) {
    for (unsigned char value : {0x00, 0x22, 0x5b, 0x7b, 0x80, 0xff}) {
      std::string corrupt = file;
      corrupt[i] = static_cast<char>(value);
      llvm::Expected<SafetensorsFile> result = read(corrupt);
      if (!result) {
        ++failures;
        llvm::consumeError(result.takeError());
        continue;
      }
      // What does read is safe to walk in full.
      for (const SafetensorsTensor &tensor : result->tensors()) {
        CHECK(static_cast<int64_t>(tensor.data.size()) ==
              tensor.numElements() * SafetensorsFile::dtypeSize(tensor.dtype));
        unsigned sum = 0;
        for (char c : tensor.data)
          sum += static_cast<unsigned char>(c);
        (void)sum;
      }
    }
  }
  CHECK(failures > 0);
}
