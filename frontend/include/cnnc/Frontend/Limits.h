//===- Limits.h - what a .cnn model may ask of the compiler -----*- C++ -*-===//
//
// A model is a program, run at compile time; these bounds make every model
// finish in bounded time and memory, and turn a model that would exceed them
// into an error at its line instead of a crash, an abort or a hang.
// docs/language.md ("Limits") states the same numbers.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_FRONTEND_LIMITS_H
#define CNNC_FRONTEND_LIMITS_H

#include <cstddef>
#include <cstdint>

namespace cnnc::frontend::limits {

/// Levels of the syntax tree of one block or model: each body, statement,
/// parenthesis, call, list and operator counts one, so a chain counts one
/// level per link (`a + b + c` two, `x -> relu -> relu` two, `l[0][0]` two).
/// Every pass over the tree recurses at most this deep.
inline constexpr unsigned kNesting = 200;

/// Block calls active at once.
inline constexpr unsigned kBlockDepth = 64;

/// Expressions and statements being evaluated at once, all blocks together:
/// a block called from an expression nested in a block called from ...
/// adds its own levels to its caller's.
inline constexpr unsigned kEvaluationDepth = 1000;

/// Statements executed while evaluating the model.
inline constexpr int64_t kSteps = 1'000'000;

/// Work while evaluating the model: list elements and string characters
/// built (a concatenation builds a new list), and ops created.
inline constexpr int64_t kWork = 10'000'000;

/// Elements of one list, characters of one string (and range's length).
inline constexpr int64_t kListSize = 1'000'000;

/// Lists inside lists.
inline constexpr unsigned kListNesting = 200;

/// Elements of one tensor: an input, a parameter or an op's result.
inline constexpr int64_t kTensorElements = int64_t(1) << 31;

/// Elements of all parameters together (4 GiB in f32).
inline constexpr int64_t kParameterElements = int64_t(1) << 30;

/// Characters of a layer's dotted name, and so of a parameter's name.
inline constexpr size_t kNameLength = 1000;

/// Bytes of a model's source read from a stream (standard input, a pipe, a
/// device): one that gives more is refused, so that `cnnc /dev/zero` stops.
/// A regular file is read up to its size.
inline constexpr uint64_t kSourceStreamBytes = uint64_t(64) << 20;

} // namespace cnnc::frontend::limits

#endif // CNNC_FRONTEND_LIMITS_H
