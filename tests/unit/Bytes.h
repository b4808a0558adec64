//===- Bytes.h - bytes of values, for the readers' unit tests ---*- C++ -*-===//

#ifndef CNNC_TESTS_UNIT_BYTES_H
#define CNNC_TESTS_UNIT_BYTES_H

#include <cstring>
#include <initializer_list>
#include <string>

namespace cnnc::test {

/// The bytes of `values` as the machine stores them (the tests run
/// little-endian), for building files in memory.
template <typename T> std::string bytesOf(std::initializer_list<T> values) {
  std::string bytes;
  for (T value : values) {
    char raw[sizeof(T)];
    std::memcpy(raw, &value, sizeof(T));
    bytes.append(raw, sizeof(T));
  }
  return bytes;
}

} // namespace cnnc::test

#endif // CNNC_TESTS_UNIT_BYTES_H
