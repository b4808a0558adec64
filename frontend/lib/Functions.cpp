//===- Functions.cpp - the compile-time functions of the language ---------===//
//
// Functions of integers, lists and tensor shapes, evaluated while compiling;
// a table like the ops' (Ops.cpp).
//
//===----------------------------------------------------------------------===//

#include "Interpreter.h"

#include <fmt/format.h>

#include <cmath>

using namespace mlir;
using namespace cnnc::frontend;
using namespace cnnc::frontend::interp;

namespace {

/// channels(x), height(x), width(x), batch(x): dimension `dim` of a 4-D x.
template <int dim> FailureOr<Val> dimension(Call &call) {
  mlir::Value x = call.tensor("x", 4);
  if (call.failed())
    return failure();
  return Val::integer(cast<RankedTensorType>(x.getType()).getDimSize(dim));
}

FailureOr<Val> shape(Call &call) {
  mlir::Value x = call.tensor("x");
  if (call.failed())
    return failure();
  std::vector<Val> sizes;
  for (int64_t size : cast<RankedTensorType>(x.getType()).getShape())
    sizes.push_back(Val::integer(size));
  return call.emitter.makeList(call.loc, std::move(sizes));
}

FailureOr<Val> range(Call &call) {
  int64_t first = call.integer("start_or_end");
  int64_t start = 0, end = first;
  if (!call.isNone("end")) {
    start = first;
    end = call.integer("end");
  }
  if (call.failed())
    return failure();
  if (end > start && static_cast<uint64_t>(end) - static_cast<uint64_t>(start) >
                         limits::kListSize)
    return call.fail(fmt::format("range({}, {}) is too long (at most {} "
                                 "values)",
                                 start, end, limits::kListSize));
  std::vector<Val> values;
  for (int64_t i = start; i < end; ++i)
    values.push_back(Val::integer(i));
  return call.emitter.makeList(call.loc, std::move(values));
}

FailureOr<Val> len(Call &call) {
  const Val &list = call.get("list");
  if (!list.is(Val::Kind::List))
    return call.fail("list", "len takes a list, but got " + describe(list));
  return Val::integer(static_cast<int64_t>(list.elements().size()));
}

/// min(a, b) and max(a, b) of integers.
template <bool isMax> FailureOr<Val> extremum(Call &call) {
  int64_t a = call.integer("a");
  int64_t b = call.integer("b");
  if (call.failed())
    return failure();
  return Val::integer(isMax ? std::max(a, b) : std::min(a, b));
}

/// How int(), round(), floor() and ceil() take a number to an integer.
enum class Rounding { TowardZero, HalfToEven, Down, Up };

/// `x` rounded to an integer as Python's int(), round(), math.floor() and
/// math.ceil() do; an integer is itself, a boolean 0 or 1.
template <Rounding rounding> FailureOr<Val> toInteger(Call &call) {
  const Val &value = call.get("x");
  if (value.is(Val::Kind::Int) || value.is(Val::Kind::Bool))
    return Val::integer(value.i);
  if (!value.is(Val::Kind::Float))
    return call.fail("x", fmt::format("{} takes a number, but got {}",
                                      call.callee.str(), describe(value)));
  double x = value.f, r = 0;
  switch (rounding) {
  case Rounding::TowardZero:
    r = std::trunc(x);
    break;
  case Rounding::HalfToEven:
    // Python 3's round(): a tie goes to the even neighbour (round(2.5)
    // is 2), which std::round (ties away from zero) would not give.
    r = std::floor(x);
    if (x - r > 0.5 || (x - r == 0.5 && std::fmod(r, 2.0) != 0))
      r += 1;
    break;
  case Rounding::Down:
    r = std::floor(x);
    break;
  case Rounding::Up:
    r = std::ceil(x);
    break;
  }
  // 2^63 is exactly representable; every double below it converts.
  constexpr double kLimit = 9223372036854775808.0;
  if (!std::isfinite(r) || r >= kLimit || r < -kLimit)
    return call.fail("x", fmt::format("{}({}) is not a 64-bit integer",
                                      call.callee.str(), x));
  return Val::integer(static_cast<int64_t>(r));
}

FailureOr<Val> str(Call &call) {
  const Val &value = call.get("value");
  if (value.is(Val::Kind::String))
    return value;
  if (value.is(Val::Kind::Int))
    return call.emitter.makeString(call.loc, std::to_string(value.i));
  return call.fail("value", "str takes an integer or a string, but got " +
                                describe(value));
}

} // namespace

llvm::ArrayRef<Builtin> interp::functionBuiltins() {
  static const std::vector<Builtin> table = {
      {"batch", {required("x")}, dimension<0>},
      {"channels", {required("x")}, dimension<1>},
      {"height", {required("x")}, dimension<2>},
      {"width", {required("x")}, dimension<3>},
      {"shape", {required("x")}, shape},
      {"range",
       {required("start_or_end"), optional("end", Val::none())},
       range},
      {"len", {required("list")}, len},
      {"min", {required("a"), required("b")}, extremum<false>},
      {"max", {required("a"), required("b")}, extremum<true>},
      {"str", {required("value")}, str},
      {"int", {required("x")}, toInteger<Rounding::TowardZero>},
      {"round", {required("x")}, toInteger<Rounding::HalfToEven>},
      {"floor", {required("x")}, toInteger<Rounding::Down>},
      {"ceil", {required("x")}, toInteger<Rounding::Up>},
  };
  return table;
}
