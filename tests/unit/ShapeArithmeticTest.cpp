//===- ShapeArithmeticTest.cpp - size rules against brute force -----------===//

#include "cnnc/Dialect/ShapeArithmetic.h"

#include <catch2/catch.hpp>

#include <limits>
#include <numeric>
#include <vector>

using namespace cnnc;

namespace {

/// Counts the windows directly, by their start positions in the padded input.
/// Floor mode: every window lies inside the padded input. Ceil mode: a window
/// may overhang the padded input's end by less than a stride, but must not
/// start in the trailing padding (PyTorch drops that one).
int64_t countWindows(int64_t input, int64_t kernel, int64_t stride,
                     int64_t dilation, int64_t padBefore, int64_t padAfter,
                     bool ceilMode) {
  int64_t padded = input + padBefore + padAfter;
  int64_t extent = dilation * (kernel - 1) + 1;
  int64_t count = 0;
  for (int64_t start = 0;; start += stride) {
    int64_t overhang = start + extent - padded;
    bool fits = ceilMode ? overhang < stride && start < input + padBefore
                         : overhang <= 0;
    if (!fits)
      return count;
    ++count;
  }
}

/// The permutation channel shuffle applies, as destination of each channel.
std::vector<int64_t> shufflePermutation(int64_t channels, int64_t groups) {
  std::vector<int64_t> destination(channels);
  int64_t perGroup = channels / groups;
  // Reference semantics: view [groups, perGroup], transpose, flatten.
  for (int64_t g = 0; g < groups; ++g)
    for (int64_t k = 0; k < perGroup; ++k)
      destination[g * perGroup + k] = k * groups + g;
  return destination;
}

std::vector<int64_t> divisors(int64_t n) {
  std::vector<int64_t> result;
  for (int64_t d = 1; d <= n; ++d)
    if (n % d == 0)
      result.push_back(d);
  return result;
}

} // namespace

TEST_CASE("sliding window sizes match PyTorch's known layers",
          "[shape-arithmetic]") {
  // ResNet stem: conv 7x7 s2 p3 and max pool 3x3 s2 p1 on 224.
  CHECK(slidingWindowOutputSize(224, 7, 2, 1, 3, 3, false) == 112);
  CHECK(slidingWindowOutputSize(112, 3, 2, 1, 1, 1, false) == 56);
  // GoogLeNet: max pool 3x3 s2 ceil_mode on 112 and on 28.
  CHECK(slidingWindowOutputSize(112, 3, 2, 1, 0, 0, true) == 56);
  CHECK(slidingWindowOutputSize(28, 3, 2, 1, 0, 0, true) == 14);
  // Dilated 3x3, d=2, p=2 keeps the size.
  CHECK(slidingWindowOutputSize(56, 3, 1, 2, 2, 2, false) == 56);
  // Ceil mode drops a window that would start in the trailing padding:
  // PyTorch gives 3 for max_pool2d(5x5, k=2, s=2, p=1, ceil_mode=True).
  CHECK(slidingWindowOutputSize(5, 2, 2, 1, 1, 1, true) == 3);
  // Kernel larger than the padded input: empty.
  CHECK(*slidingWindowOutputSize(3, 5, 1, 1, 0, 1, false) <= 0);
  // ... except in ceil mode, by less than a stride: PyTorch gives one window
  // for max_pool2d(2x2, kernel 3, stride 2, ceil_mode=True).
  CHECK(slidingWindowOutputSize(2, 3, 2, 1, 0, 0, true) == 1);
  CHECK(*slidingWindowOutputSize(2, 4, 2, 1, 0, 0, true) <= 0);
}

TEST_CASE("sliding window sizes match a brute-force count",
          "[shape-arithmetic]") {
  for (int64_t input = 1; input <= 13; ++input)
    for (int64_t kernel = 1; kernel <= 5; ++kernel)
      for (int64_t stride = 1; stride <= 4; ++stride)
        for (int64_t dilation = 1; dilation <= 3; ++dilation)
          for (int64_t before = 0; before <= 3; ++before)
            for (int64_t after = 0; after <= 3; ++after)
              for (bool ceil : {false, true}) {
                // Ceil mode is defined under pooling's padding rule.
                int64_t extent = dilation * (kernel - 1) + 1;
                if (ceil && (before > extent / 2 || after > extent / 2))
                  continue;
                int64_t expected = countWindows(input, kernel, stride, dilation,
                                                before, after, ceil);
                int64_t actual = *slidingWindowOutputSize(
                    input, kernel, stride, dilation, before, after, ceil);
                INFO("input " << input << " kernel " << kernel << " stride "
                              << stride << " dilation " << dilation << " pad "
                              << before << "," << after << " ceil " << ceil);
                CHECK(std::max<int64_t>(actual, 0) == expected);
              }
}

TEST_CASE("sliding window sizes past 64 bits are reported, not wrapped",
          "[shape-arithmetic]") {
  constexpr int64_t big = std::numeric_limits<int64_t>::max();
  // (3 + 2 * big - 1) / 1 + 1 does not fit in an int64.
  CHECK_FALSE(slidingWindowOutputSize(3, 1, 1, 1, big, big, false));
  CHECK(slidingWindowOutputSize(big, 1, 1, 1, 0, 0, false) == big);
  CHECK_FALSE(slidingWindowOutputSize(big, 1, 2, 1, big, big, false));
  CHECK(*slidingWindowOutputSize(big, 1, 4, 1, big, big, false) > 0);
  CHECK(*slidingWindowOutputSize(4, big, 1, big, 0, 0, false) <= 0);
  CHECK(dilatedKernelSize(big, big) == big);
}

TEST_CASE("shapes broadcast as in NumPy", "[shape-arithmetic]") {
  using Shape = llvm::SmallVector<int64_t>;
  CHECK(*broadcastShapes({1, 64, 56, 56}, {1, 64, 1, 1}) ==
        Shape{1, 64, 56, 56});
  CHECK(*broadcastShapes({64, 1, 1}, {2, 1, 7, 5}) == Shape{2, 64, 7, 5});
  CHECK(*broadcastShapes({}, {3, 4}) == Shape{3, 4});
  CHECK(*broadcastShapes({1}, {1}) == Shape{1});
  CHECK_FALSE(broadcastShapes({1, 64, 56, 56}, {1, 32, 1, 1}).has_value());
  CHECK_FALSE(broadcastShapes({3}, {4}).has_value());
}

TEST_CASE("shuffled channel positions follow view-transpose-flatten",
          "[shape-arithmetic]") {
  for (int64_t channels = 1; channels <= 36; ++channels)
    for (int64_t groups : divisors(channels)) {
      std::vector<int64_t> expected = shufflePermutation(channels, groups);
      for (int64_t c = 0; c < channels; ++c)
        CHECK(shuffledChannelPosition(channels, groups, c) == expected[c]);
    }
  // ShuffleNet g=3 on 6 channels: [0 1 | 2 3 | 4 5] -> [0 2 4 1 3 5].
  CHECK(shuffledChannelPosition(6, 3, 1) == 3);
  CHECK(shuffledChannelPosition(6, 3, 2) == 1);
}

TEST_CASE("composed channel shuffles equal the permutation they compose",
          "[shape-arithmetic]") {
  int64_t single = 0, cancelled = 0, none = 0;
  for (int64_t channels = 1; channels <= 72; ++channels) {
    std::vector<int64_t> groupCounts = divisors(channels);
    for (int64_t first : groupCounts)
      for (int64_t second : groupCounts) {
        std::vector<int64_t> a = shufflePermutation(channels, first);
        std::vector<int64_t> b = shufflePermutation(channels, second);
        std::vector<int64_t> composed(channels);
        for (int64_t c = 0; c < channels; ++c)
          composed[c] = b[a[c]];
        std::vector<int64_t> identity(channels);
        std::iota(identity.begin(), identity.end(), 0);

        // Every shuffle that equals the composition (1 for the identity).
        std::optional<int64_t> expected;
        if (composed == identity)
          expected = 1;
        for (int64_t g : groupCounts)
          if (!expected && composed == shufflePermutation(channels, g))
            expected = g;

        INFO("channels " << channels << " first " << first << " second "
                         << second);
        std::optional<int64_t> actual =
            composeChannelShuffles(channels, first, second);
        REQUIRE(actual.has_value() == expected.has_value());
        if (!actual) {
          ++none;
          continue;
        }
        CHECK(*actual == *expected);
        (*actual == 1 ? cancelled : single) += 1;
      }
  }
  // The sweep exercises all three outcomes.
  CHECK(single > 0);
  CHECK(cancelled > 0);
  CHECK(none > 0);
}
