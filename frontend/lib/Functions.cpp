//===- Functions.cpp - the compile-time functions of the language ---------===//
//
// Functions of integers, lists and tensor shapes, evaluated while compiling;
// a table like the ops' (Ops.cpp).
//
//===----------------------------------------------------------------------===//

#include "Interpreter.h"

#include <fmt/format.h>

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
  };
  return table;
}
