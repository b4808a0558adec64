//===- NpyTest.cpp - the .npy reader and writer ---------------------------===//

#include "cnnc/Support/Npy.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"

#include "Bytes.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>

using namespace cnnc;
using cnnc::test::bytesOf;

namespace {

/// The message of parsing `header`, or "" if it parses.
std::string headerError(const std::string &header) {
  llvm::Expected<NpyHeader> parsed = parseNpyHeader(header);
  if (parsed)
    return "";
  return llvm::toString(parsed.takeError());
}

NpyHeader parse(const std::string &header) {
  llvm::Expected<NpyHeader> parsed = parseNpyHeader(header);
  if (!parsed)
    FAIL(llvm::toString(parsed.takeError()));
  return *parsed;
}

/// A version 1.0 .npy file with `header` and `data`.
std::string npyFile(const std::string &header, const std::string &data,
                    char major = 1) {
  std::string bytes = std::string("\x93NUMPY", 6) + major + '\0';
  if (major == 1) {
    bytes += static_cast<char>(header.size() & 0xff);
    bytes += static_cast<char>(header.size() >> 8);
  } else {
    for (int i = 0; i < 4; ++i)
      bytes += static_cast<char>((header.size() >> (8 * i)) & 0xff);
  }
  return bytes + header + data;
}

/// Reads `bytes` as a .npy file: the values, or the error's message.
llvm::Expected<std::vector<float>> readAll(const std::string &bytes) {
  InputStream stream = InputStream::fromMemory(bytes, "x.npy");
  llvm::Expected<NpyHeader> header = readNpyHeader(stream);
  if (!header)
    return header.takeError();
  return readNpyValues(stream, *header);
}

std::string readError(const std::string &bytes) {
  llvm::Expected<std::vector<float>> values = readAll(bytes);
  if (values)
    return "";
  return llvm::toString(values.takeError());
}

std::vector<float> readValues(const std::string &bytes) {
  llvm::Expected<std::vector<float>> values = readAll(bytes);
  if (!values)
    FAIL(llvm::toString(values.takeError()));
  return *values;
}

} // namespace

TEST_CASE("parses the header as a Python literal", "[npy]") {
  NpyHeader header =
      parse("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 3), }");
  CHECK(header.descr == "<f4");
  CHECK(header.elementType == NpyElementType::Float32);
  CHECK(!header.bigEndian);
  CHECK(!header.fortranOrder);
  CHECK(header.shape == llvm::SmallVector<int64_t>{1, 3});
  CHECK(header.numElements == 3);
  CHECK(header.dataBytes == 12);

  // The spelling #14 row 15 found read as C order: no spaces at all.
  header = parse("{'descr':'<f4','fortran_order':True,'shape':(2,3)}");
  CHECK(header.fortranOrder);
  CHECK(header.shape == llvm::SmallVector<int64_t>{2, 3});
  // Double quotes, keys in any order, whitespace and newlines anywhere.
  header = parse("\n\t{ \"shape\" :\n( 4 , ) ,\"fortran_order\"\t: True ,"
                 " 'descr' : \"<f8\" }   \n");
  CHECK(header.elementType == NpyElementType::Float64);
  CHECK(header.shape == llvm::SmallVector<int64_t>{4});
  CHECK(header.fortranOrder);
  // A scalar, and a zero-size array.
  header = parse("{'descr': '>f2', 'fortran_order': False, 'shape': ()}");
  CHECK(header.shape.empty());
  CHECK(header.numElements == 1);
  CHECK(header.dataBytes == 2);
  CHECK(header.bigEndian);
  CHECK(header.elementType == NpyElementType::Float16);
  header = parse("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 5)}");
  CHECK(header.numElements == 0);
  // Python 2's long integers, and an escaped quote in a string.
  header = parse("{'descr': '<f4', 'fortran_order': False, 'shape': (3L, "
                 "4L), }");
  CHECK(header.shape == llvm::SmallVector<int64_t>{3, 4});
  CHECK(headerError("{'descr': '<f4', 'fortran_order': False, 'shape': (), "
                    "'it\\'s': 1}") ==
        "unknown key 'it's' (a .npy header has 'descr', 'fortran_order' and "
        "'shape') (at character 55 of the header)");
}

TEST_CASE("refuses malformed headers, saying what and where", "[npy]") {
  using Catch::Matchers::Equals;
  const std::string good = "'fortran_order': False, 'shape': (2,)";
  CHECK_THAT(headerError(""),
             Equals("the header ends in the middle of a value (at character "
                    "1 of the header)"));
  CHECK_THAT(headerError("   "),
             Equals("the header ends in the middle of a value (at character "
                    "4 of the header)"));
  CHECK_THAT(headerError("[1, 2]"),
             Equals("the header is a list, not a dict (at character 1 of "
                    "the header)"));
  CHECK_THAT(headerError("{'descr': '<f4', " + good + "} x"),
             Equals("unexpected text after the header's dict (at character "
                    "57 of the header)"));
  CHECK_THAT(headerError("{'descr': '<f4', " + good),
             Equals("the header ends before the '}' that closes this '{' (at "
                    "character 1 of the header)"));
  CHECK_THAT(headerError("{'descr': '<f4' " + good + "}"),
             Equals("expected ',' or '}' (at character 17 of the header)"));
  CHECK_THAT(headerError("{'descr' '<f4', " + good + "}"),
             Equals("expected ':' after a key of the dict (at character 10 "
                    "of the header)"));
  CHECK_THAT(headerError("{'descr': '<f4"),
             Equals("unterminated string (at character 11 of the header)"));
  // The string ends at the next quote, as in Python.
  CHECK_THAT(headerError("{'descr': '<f4, " + good + "}"),
             Equals("expected ',' or '}' (at character 18 of the header)"));
  CHECK_THAT(headerError("{'descr': '<f4\n', " + good + "}"),
             Equals("unterminated string (at character 11 of the header)"));
  CHECK_THAT(headerError("{'descr': '<\\q4', " + good + "}"),
             Equals("unsupported escape '\\q' in a string (at character 13 "
                    "of the header)"));
  CHECK_THAT(headerError("{'descr': '<f4', 'fortran_order': false, 'shape': "
                         "(2,)}"),
             Equals("'false' is not a Python literal (at character 35 of the "
                    "header)"));
  CHECK_THAT(headerError("{'descr': '<f4', 'fortran_order': 0, 'shape': "
                         "(2,)}"),
             Equals("'fortran_order' must be True or False, not the integer "
                    "0 (at character 35 of the header)"));
  CHECK_THAT(headerError("{'descr': '<f4', " + good + ", 'extra': 1}"),
             Equals("unknown key 'extra' (a .npy header has 'descr', "
                    "'fortran_order' and 'shape') (at character 57 of the "
                    "header)"));
  CHECK_THAT(headerError("{'descr': '<f4', " + good + ", 'descr': '<f8'}"),
             Equals("the key 'descr' appears twice (at character 57 of the "
                    "header)"));
  CHECK_THAT(headerError("{" + good + "}"),
             Equals("the header has no 'descr' key"));
  CHECK_THAT(headerError("{'descr': '<f4', 'shape': (2,)}"),
             Equals("the header has no 'fortran_order' key"));
  CHECK_THAT(headerError("{1: '<f4', " + good + "}"),
             Equals("the header's keys must be strings, not the integer 1 "
                    "(at character 2 of the header)"));
  CHECK_THAT(headerError("{'descr': '<f4', 'fortran_order': False, 'shape': "
                         "[2, 3]}"),
             Equals("'shape' must be a tuple of integers, not a list (at "
                    "character 51 of the header)"));
  // `(2)` is the integer 2, not a tuple.
  CHECK_THAT(headerError("{'descr': '<f4', 'fortran_order': False, 'shape': "
                         "(2)}"),
             Equals("'shape' must be a tuple of integers, not the integer 2 "
                    "(at character 51 of the header)"));
  CHECK_THAT(headerError("{'descr': '<f4', 'fortran_order': False, 'shape': "
                         "(2, 'a')}"),
             Equals("'shape' must be a tuple of integers, but it holds the "
                    "string 'a' (at character 55 of the header)"));
  CHECK_THAT(headerError("{'descr': '<f4', 'fortran_order': False, 'shape': "
                         "(2, -3)}"),
             Equals("'shape' has a negative dimension (at character 55 of "
                    "the header)"));
  CHECK_THAT(headerError("{'descr': '<f4', 'fortran_order': False, 'shape': "
                         "(2.5,)}"),
             Equals("an integer is followed by '.' (only decimal integers "
                    "are read) (at character 53 of the header)"));
  CHECK_THAT(headerError("{'descr': '<f4', 'fortran_order': False, 'shape': "
                         "(007,)}"),
             Equals("an integer with a leading zero (at character 52 of the "
                    "header)"));
  CHECK_THAT(headerError("{'descr': '<f4', 'fortran_order': False, 'shape': "
                         "(,)}"),
             Equals("unexpected character ',' (at character 52 of the "
                    "header)"));
  CHECK_THAT(headerError("{'descr': '<f4', 'fortran_order': False, 'shape': "
                         "(2,,)}"),
             Equals("unexpected character ',' (at character 54 of the "
                    "header)"));
  CHECK_THAT(headerError("{'descr': '<f4', 'fortran_order': False, 'shape': "
                         "(99999999999999999999,)}"),
             Equals("'shape' has a dimension larger than 2^63 (at character "
                    "52 of the header)"));
  CHECK_THAT(headerError("{'descr': '<f8', 'fortran_order': False, 'shape': "
                         "(4294967296, 4294967296)}"),
             Equals("'shape' announces more than 2^62 bytes of data (at "
                    "character 51 of the header)"));
  CHECK_THAT(headerError("{'descr': '<f4', 'fortran_order': False, 'shape': " +
                         std::string(40, '(') + std::string(40, ')') + "}"),
             Equals("the header nests deeper than 32 levels (at character "
                    "82 of the header)"));
  std::string manyDims = "(";
  for (int i = 0; i < 65; ++i)
    manyDims += "1,";
  CHECK_THAT(headerError("{'descr': '<f4', 'fortran_order': False, 'shape': " +
                         manyDims + ")}"),
             Equals("'shape' has 65 dimensions, more than 64 (at character "
                    "51 of the header)"));
  CHECK_THAT(headerError(std::string("{'descr': '<f4'\0, ", 18) + good + "}"),
             Equals("expected ',' or '}' (at character 16 of the header)"));
  CHECK_THAT(headerError("{'descr': '<f4', " + good + "}\x01"),
             Equals("unexpected text after the header's dict (at character "
                    "56 of the header)"));
}

TEST_CASE("reads float16, float32 and float64, refuses other descrs", "[npy]") {
  using Catch::Matchers::Contains;
  using Catch::Matchers::Equals;
  for (const char *descr : {"<f2", "<f4", "<f8", ">f2", ">f4", ">f8"})
    CHECK(headerError(std::string("{'descr': '") + descr +
                      "', 'fortran_order': False, 'shape': ()}") == "");
  const std::string rest = "', 'fortran_order': False, 'shape': ()}";
  CHECK_THAT(headerError("{'descr': '<i4" + rest),
             Equals("'descr' is '<i4'; cnnc reads float16, float32 and "
                    "float64 ('<f2', '<f4', '<f8', or '>' for big-endian) (at "
                    "character 11 of the header)"));
  // ml_dtypes' bfloat16, as numpy saves it.
  CHECK_THAT(headerError("{'descr': '<V2" + rest),
             Contains("'descr' is '<V2': 2-byte raw values, as ml_dtypes' "
                      "bfloat16 is saved, which numpy itself reads back as "
                      "raw bytes; save float32 instead"));
  CHECK_THAT(headerError("{'descr': '|O" + rest),
             Contains("'descr' is '|O': Python objects"));
  for (const char *descr : {"=f4", "f4", "<f4 ", "<f16", "float32", ""})
    CHECK_THAT(headerError(std::string("{'descr': '") + descr + rest),
               Contains("cnnc reads float16, float32 and float64"));
  CHECK_THAT(headerError("{'descr': [('a', '<f4')], 'fortran_order': False, "
                         "'shape': ()}"),
             Equals("'descr' is a list: the file holds a structured array, "
                    "which cnnc does not read (at character 11 of the "
                    "header)"));
  CHECK_THAT(headerError("{'descr': None, 'fortran_order': False, 'shape': "
                         "()}"),
             Equals("'descr' must be a string, not None (at character 11 of "
                    "the header)"));
}

TEST_CASE("converts every element type to float32", "[npy]") {
  const std::string shape = "'fortran_order': False, 'shape': (5,)}";
  std::vector<float> expected = {1.5f, -2.25f, 0.0f, 65504.0f, 0x1p-24f};
  CHECK(readValues(npyFile("{'descr': '<f4', " + shape,
                           bytesOf<float>({1.5f, -2.25f, 0.0f, 65504.0f,
                                           0x1p-24f}))) == expected);
  CHECK(readValues(npyFile(
            "{'descr': '<f8', " + shape,
            bytesOf<double>({1.5, -2.25, 0.0, 65504.0, 0x1p-24}))) == expected);
  // float16: 1.5, -2.25, 0, the largest, the smallest subnormal.
  CHECK(readValues(npyFile("{'descr': '<f2', " + shape,
                           bytesOf<uint16_t>({0x3e00, 0xc080, 0x0000, 0x7bff,
                                              0x0001}))) == expected);
  // Big-endian: the same values, bytes swapped.
  std::string big;
  for (float value : expected) {
    char raw[4];
    llvm::support::endian::write32be(raw, llvm::bit_cast<uint32_t>(value));
    big.append(raw, 4);
  }
  CHECK(readValues(npyFile("{'descr': '>f4', " + shape, big)) == expected);
  // float16 infinities and NaN, and float64 past float32's range.
  std::vector<float> special = readValues(
      npyFile("{'descr': '<f2', 'fortran_order': False, 'shape': (3,)}",
              bytesOf<uint16_t>({0x7c00, 0xfc00, 0x7e00})));
  CHECK(special[0] == std::numeric_limits<float>::infinity());
  CHECK(special[1] == -std::numeric_limits<float>::infinity());
  CHECK(std::isnan(special[2]));
  CHECK(readValues(npyFile("{'descr': '<f8', 'fortran_order': False, "
                           "'shape': (1,)}",
                           bytesOf<double>({1e300})))[0] ==
        std::numeric_limits<float>::infinity());
}

TEST_CASE("transposes Fortran order into C order", "[npy]") {
  // A [2, 3, 2] array whose C-order values are 0, 1, ..., 11, stored
  // column-major: element (i, j, k) at i + 2 * (j + 3 * k).
  std::string data;
  for (int k = 0; k < 2; ++k)
    for (int j = 0; j < 3; ++j)
      for (int i = 0; i < 2; ++i)
        data += bytesOf<float>({static_cast<float>(i * 6 + j * 2 + k)});
  std::vector<float> values = readValues(
      npyFile("{'descr':'<f4','fortran_order':True,'shape':(2,3,2)}", data));
  for (int i = 0; i < 12; ++i)
    CHECK(values[i] == static_cast<float>(i));
  // Zero-size and one-dimensional Fortran arrays.
  CHECK(readValues(npyFile("{'descr':'<f4','fortran_order':True,'shape':(2,0,"
                           "3)}",
                           ""))
            .empty());
  CHECK(readValues(npyFile("{'descr':'<f4','fortran_order':True,'shape':(2,)}",
                           bytesOf<float>({4, 5}))) ==
        std::vector<float>{4, 5});
}

TEST_CASE("reads exactly what the header announces", "[npy]") {
  using Catch::Matchers::Equals;
  const std::string header =
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2,)}";
  CHECK_THAT(readError(npyFile(header, bytesOf<float>({1}))),
             Equals("'x.npy' is truncated: 4 bytes of data for 2 float32 "
                    "values"));
  CHECK_THAT(readError(npyFile(header, bytesOf<float>({1, 2, 3}))),
             Equals("'x.npy' has more bytes after the 8 bytes of data its "
                    "header announces"));
  CHECK_THAT(readError(npyFile(header, "", 2)),
             Equals("'x.npy' is truncated: 0 bytes of data for 2 float32 "
                    "values"));
  CHECK(readValues(npyFile(header, bytesOf<float>({1, 2}), 3)) ==
        std::vector<float>{1, 2});
  CHECK_THAT(readError(npyFile(header, bytesOf<float>({1, 2}), 4)),
             Equals("'x.npy' has .npy format version 4.0; cnnc reads "
                    "versions 1.0, 2.0 and 3.0"));
  CHECK_THAT(readError(std::string("\x93NUMPY\x01\x01", 8)),
             Equals("'x.npy' has .npy format version 1.1; cnnc reads "
                    "versions 1.0, 2.0 and 3.0"));
  for (std::string prefix :
       {std::string(""), std::string("\x93NUMP"), std::string("\x93NUMPY", 6),
        std::string("\x93NUMPX\x01\x00", 8)})
    CHECK_THAT(readError(prefix),
               Equals("'x.npy' is not a .npy file (it does not start with "
                      "\"\\x93NUMPY\" and a version)"));
  CHECK_THAT(readError(std::string("\x93NUMPY\x01\x00\x10", 9)),
             Equals("'x.npy' is truncated: the header length needs 2 bytes "
                    "from byte 8, and the file ends after 1"));
  CHECK_THAT(readError(std::string("\x93NUMPY\x01\x00\x10\x00{}", 12)),
             Equals("'x.npy' is truncated: the header needs 16 bytes from "
                    "byte 10, and the file ends after 2"));
  CHECK_THAT(readError(std::string("\x93NUMPY\x02\x00\xff\xff\xff\x7f", 12)),
             Equals("'x.npy' announces a header of 2147483647 bytes, more "
                    "than the 1048576 cnnc reads"));
  CHECK_THAT(
      readError(npyFile("{'descr': '<f4'}", "")),
      Equals("'x.npy' has a .npy header cnnc cannot use: the header has no "
             "'fortran_order' key"));
}

TEST_CASE("every truncation of a file is an error, never a crash", "[npy]") {
  std::string file =
      npyFile("{'descr': '>f8', 'fortran_order': True, 'shape': (2, 3), }",
              std::string(48, '\x3f'));
  REQUIRE(readError(file) == "");
  for (size_t size = 0; size < file.size(); ++size)
    CHECK(readError(file.substr(0, size)) != "");
}

TEST_CASE("writes what numpy writes, and reads it back", "[npy]") {
  llvm::SmallString<128> path;
  REQUIRE(!llvm::sys::fs::createTemporaryFile("npy-test", "npy", path));
  llvm::FileRemover remove(path);
  // Values whose every byte is non-zero: a read that overwrote any byte of
  // the data would show.
  std::vector<float> values = {0.1f, -1.3f, 3.7f, 7.9f, -0.11f, 2.3f};
  REQUIRE(!writeNpy(path, {2, 3}, values));
  llvm::Expected<InputStream> stream = InputStream::open(path);
  REQUIRE(static_cast<bool>(stream));
  llvm::Expected<NpyHeader> header = readNpyHeader(*stream);
  REQUIRE(static_cast<bool>(header));
  // The data starts on a 64-byte boundary, as numpy's does.
  CHECK(stream->offset() % 64 == 0);
  CHECK(header->shape == llvm::SmallVector<int64_t>{2, 3});
  llvm::Expected<std::vector<float>> read = readNpyValues(*stream, *header);
  REQUIRE(static_cast<bool>(read));
  CHECK(*read == values);

  llvm::Error full = writeNpy("/dev/full", {2, 3}, values);
  CHECK(llvm::toString(std::move(full)) ==
        "cannot write '/dev/full': No space left on device");
}

TEST_CASE("writes float16 and float64 files, rounding to nearest even",
          "[npy]") {
  llvm::SmallString<128> path;
  REQUIRE(!llvm::sys::fs::createTemporaryFile("npy-test", "npy", path));
  llvm::FileRemover remove(path);
  // 1 + 2^-11 is a tie between 1 and 1 + 2^-10 (to even: 1); 1 + 3 * 2^-11
  // one between 1 + 2^-10 and 1 + 2^-9 (to even: 1 + 2^-9).
  std::vector<double> values = {0.1, 1 + 0x1p-11, 1 + 3 * 0x1p-11, -2.5};
  for (NpyElementType type :
       {NpyElementType::Float16, NpyElementType::Float64}) {
    REQUIRE(!writeNpy(path, {4}, values, type));
    llvm::Expected<InputStream> stream = InputStream::open(path);
    REQUIRE(static_cast<bool>(stream));
    llvm::Expected<NpyHeader> header = readNpyHeader(*stream);
    REQUIRE(static_cast<bool>(header));
    CHECK(header->elementType == type);
    llvm::Expected<std::vector<double>> read = readNpyDoubles(*stream, *header);
    REQUIRE(static_cast<bool>(read));
    if (type == NpyElementType::Float64) {
      CHECK(*read == values);
    } else {
      // 0.1 as the nearest float16, 0x2e66.
      CHECK((*read)[0] == 0x1.998p-4);
      CHECK((*read)[1] == 1.0);
      CHECK((*read)[2] == 1 + 0x1p-9);
      CHECK((*read)[3] == -2.5);
    }
  }
}
