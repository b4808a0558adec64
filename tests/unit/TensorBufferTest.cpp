//===- TensorBufferTest.cpp - the tools' cache-line-aligned buffers -------===//

#include "cnnc/Target/CPU/TensorBuffer.h"

#include <catch2/catch.hpp>

#include <cstdint>
#include <memory>

using cnnc::kTensorBufferAlignment;
using cnnc::TensorWords;

TEST_CASE("tensor buffers start on a cache line", "[tensor-buffer]") {
  // Sizes around malloc's thresholds: small bins, and past the 128 KiB
  // where glibc maps pages and returns 16 bytes past a page boundary.
  for (std::size_t words :
       {1u, 3u, 7u, 64u, 1000u, 16385u, 100352u, 1u << 20}) {
    // Keep earlier buffers alive so that each comes from a new chunk.
    std::vector<TensorWords> buffers;
    for (int i = 0; i < 4; ++i) {
      buffers.emplace_back(words, uint64_t(i));
      const TensorWords &buffer = buffers.back();
      CAPTURE(words, i);
      CHECK(reinterpret_cast<std::uintptr_t>(buffer.data()) %
                kTensorBufferAlignment ==
            0);
      CHECK(buffer.size() == words);
      CHECK(buffer.front() == uint64_t(i));
      CHECK(buffer.back() == uint64_t(i));
    }
  }
  // Growing reallocates on the same alignment.
  TensorWords grown(5);
  for (int i = 0; i < 100000; ++i)
    grown.push_back(i);
  CHECK(reinterpret_cast<std::uintptr_t>(grown.data()) %
            kTensorBufferAlignment ==
        0);
  CHECK(grown[5 + 99999] == 99999u);
}
