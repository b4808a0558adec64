//===- Calls.cpp - calls of blocks and built-ins, and seq -----------------===//

#include "Interpreter.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/MathExtras.h"

#include <fmt/format.h>

using namespace mlir;
using namespace cnnc::frontend;
using namespace cnnc::frontend::interp;

namespace {

/// Pushes a name on the path of layer names for as long as it lives (none
/// when there is no name). A path longer than limits::kNameLength is
/// refused: reported at `loc`, nothing pushed, and failed() is true.
class NameScope {
public:
  NameScope(Emitter &emitter, SMLoc loc, const std::optional<std::string> &name)
      : path(emitter.namePath) {
    if (!name)
      return;
    size_t length = name->size();
    for (const std::string &part : path)
      length += part.size() + 1;
    if (length > limits::kNameLength) {
      std::string full = emitter.qualified(*name);
      (void)emitter.fail(
          loc, fmt::format("the layer name '{}...' would be {} characters "
                           "long (at most {})",
                           llvm::StringRef(full).take_front(60).str(), length,
                           limits::kNameLength));
      state = State::Failed;
      return;
    }
    path.push_back(*name);
    state = State::Pushed;
  }
  ~NameScope() {
    if (state == State::Pushed)
      path.pop_back();
  }
  NameScope(const NameScope &) = delete;
  NameScope &operator=(const NameScope &) = delete;

  bool failed() const { return state == State::Failed; }

private:
  enum class State { None, Pushed, Failed };
  std::vector<std::string> &path;
  State state = State::None;
};

/// Where a call's name is reported: its `as` expression, else the call.
SMLoc nameLoc(const Expr &call) {
  return call.name ? call.name->loc : call.loc;
}

/// A block call in progress, for as long as it lives: what happens inside
/// has CallSiteLocs whose caller is `site`, and its errors say "called from"
/// there.
class CallSiteScope {
public:
  CallSiteScope(Emitter &emitter, SMLoc site) : emitter(emitter) {
    emitter.callers.push_back(emitter.location(site));
    emitter.callSites.push_back(site);
  }
  ~CallSiteScope() {
    emitter.callers.pop_back();
    emitter.callSites.pop_back();
  }
  CallSiteScope(const CallSiteScope &) = delete;
  CallSiteScope &operator=(const CallSiteScope &) = delete;

private:
  Emitter &emitter;
};

} // namespace

//===----------------------------------------------------------------------===//
// Calls.
//===----------------------------------------------------------------------===//

FailureOr<Val> Emitter::evaluateCall(const Expr &expr, Frame &frame,
                                     std::optional<Val> piped,
                                     std::optional<std::string> nameHint) {
  Positional positional;
  Keywords keywords;
  if (piped)
    positional.emplace_back(expr.loc, std::move(*piped));
  for (const Argument &argument : expr.arguments) {
    FailureOr<Val> value = evaluate(*argument.value, frame);
    if (failed(value))
      return failure();
    if (argument.keyword.empty())
      positional.emplace_back(argument.loc, std::move(*value));
    else
      keywords.emplace_back(argument.keyword, argument.loc, std::move(*value));
  }
  FailureOr<std::optional<std::string>> name =
      evaluateName(expr.name.get(), frame, nameHint);
  if (failed(name))
    return failure();

  auto block = blocks.find(expr.text);
  if (block != blocks.end())
    return callBlock(*block->second, expr, std::move(positional),
                     std::move(keywords), *name);
  return callBuiltin(expr, std::move(positional), std::move(keywords), *name);
}

FailureOr<Arguments> Emitter::bind(llvm::StringRef callee, SMLoc callLoc,
                                   ArrayRef<Formal> formals,
                                   Positional &positional, Keywords &keywords) {
  Arguments args;
  args.callLoc = callLoc;
  if (positional.size() > formals.size())
    return fail(positional[formals.size()].first,
                fmt::format("'{}' takes at most {} positional argument(s), "
                            "but {} are given",
                            callee.str(), formals.size(), positional.size()));
  for (auto [index, argument] : llvm::enumerate(positional)) {
    args.values[formals[index].name] = std::move(argument.second);
    args.locs[formals[index].name] = argument.first;
  }
  for (auto &[keyword, loc, value] : keywords) {
    const std::string &name = keyword;
    const Formal *formal =
        llvm::find_if(formals, [&](const Formal &f) { return name == f.name; });
    if (formal == formals.end()) {
      std::vector<llvm::StringRef> known;
      for (const Formal &f : formals)
        known.push_back(f.name);
      return fail(loc,
                  fmt::format("'{}' has no parameter '{}' (its "
                              "parameters: {})",
                              callee.str(), keyword, fmt::join(known, ", ")));
    }
    if (args.values.count(keyword))
      return fail(loc, "'" + keyword + "' of '" + callee +
                           "' is given twice (positionally and by name)");
    args.values[keyword] = std::move(value);
    args.locs[keyword] = loc;
  }
  for (const Formal &formal : formals) {
    if (args.values.count(formal.name))
      continue;
    if (!formal.defaultValue)
      return fail(callLoc,
                  "'" + callee + "' needs argument '" + formal.name + "'");
    args.values[formal.name] = *formal.defaultValue;
  }
  return args;
}

FailureOr<Val> Emitter::callBlock(const BlockDecl &block, const Expr &call,
                                  Positional positional, Keywords keywords,
                                  std::optional<std::string> name) {
  if (llvm::is_contained(callStack, &block)) {
    std::vector<llvm::StringRef> cycle;
    for (const BlockDecl *caller :
         llvm::make_range(llvm::find(callStack, &block), callStack.end()))
      cycle.push_back(caller->name);
    cycle.push_back(block.name);
    // The message names the whole cycle: no call-site notes.
    diagnostics.error(call.loc, fmt::format("blocks cannot be recursive, but "
                                            "this call makes a cycle: {}",
                                            fmt::join(cycle, " -> ")));
    return failure();
  }
  if (callStack.size() >= limits::kBlockDepth)
    return fail(call.loc, fmt::format("blocks nest more than {} deep",
                                      limits::kBlockDepth));
  // The block is on the call stack from here on, its defaults included: a
  // default that calls the block again is a cycle, found before it recurses.
  callStack.push_back(&block);
  auto popBlock = llvm::make_scope_exit([this] { callStack.pop_back(); });

  FailureOr<std::vector<Formal>> formals = blockFormals(block, call.loc);
  if (failed(formals))
    return failure();
  FailureOr<Arguments> args =
      bind(block.name, call.loc, *formals, positional, keywords);
  if (failed(args))
    return failure();

  Frame frame;
  frame.body = &block.body;
  for (const Parameter &parameter : block.parameters) {
    frame.variables[parameter.name] = args->get(parameter.name);
    frame.definedAt[parameter.name] = parameter.loc;
  }
  {
    NameScope scope(*this, nameLoc(call), name);
    if (scope.failed())
      return failure();
    CallSiteScope site(*this, call.loc);
    if (failed(execute(block.body, frame, /*seq=*/nullptr)))
      return failure();
  }
  if (!frame.returned) {
    // About the block, not the call: no call-site notes.
    diagnostics.error(block.loc,
                      "block '" + block.name + "' ends without 'return'");
    return failure();
  }
  return *frame.returned;
}

FailureOr<std::vector<Formal>> Emitter::blockFormals(const BlockDecl &block,
                                                     SMLoc callLoc) {
  // Defaults are evaluated at the call, in the block's own empty scope.
  CallSiteScope site(*this, callLoc);
  Frame defaults;
  StmtList noStatements;
  defaults.body = &noStatements;
  std::vector<Formal> formals;
  for (const Parameter &parameter : block.parameters) {
    std::optional<Val> defaultValue;
    if (parameter.defaultValue) {
      FailureOr<Val> value = evaluate(*parameter.defaultValue, defaults);
      if (failed(value))
        return failure();
      defaultValue = std::move(*value);
    }
    formals.push_back({parameter.name, std::move(defaultValue)});
  }
  return formals;
}

FailureOr<Val> Emitter::callBuiltin(const Expr &call, Positional positional,
                                    Keywords keywords,
                                    std::optional<std::string> name) {
  // Parameterized layers name their parameters under the call's name.
  NameScope scope(*this, nameLoc(call), name);
  if (scope.failed())
    return failure();
  const Builtin *builtin = builtins.lookup(call.text);
  if (!builtin)
    return fail(call.loc, "unknown op or block '" + call.text + "'");
  FailureOr<Arguments> args =
      bind(call.text, call.loc, builtin->signature, positional, keywords);
  if (failed(args))
    return failure();
  Call state(*this, call.text, call.loc, std::move(*args));
  return builtin->handler(state);
}

FailureOr<Val> Emitter::evaluateSeq(const Expr &expr, Frame &frame,
                                    std::optional<Val> piped,
                                    std::optional<std::string> nameHint) {
  FailureOr<Val> input = piped ? FailureOr<Val>(std::move(*piped))
                               : evaluate(*expr.operands[0], frame);
  if (failed(input))
    return failure();
  FailureOr<std::optional<std::string>> name =
      evaluateName(expr.name.get(), frame, nameHint);
  if (failed(name))
    return failure();
  NameScope scope(*this, nameLoc(expr), *name);
  if (scope.failed())
    return failure();
  SeqState seq;
  seq.running = std::move(*input);
  if (failed(execute(expr.body, frame, &seq)))
    return failure();
  return seq.running;
}

//===----------------------------------------------------------------------===//
// A built-in's arguments.
//===----------------------------------------------------------------------===//

FailureOr<Val> Call::fail(llvm::StringRef name, const Twine &message) {
  hasFailed = true;
  return emitter.fail(argLoc(name), message);
}

FailureOr<Val> Call::fail(const Twine &message) {
  hasFailed = true;
  return emitter.fail(loc, message);
}

mlir::Value Call::tensor(llvm::StringRef name, int64_t rank) {
  if (hasFailed)
    return {};
  const Val &value = get(name);
  if (!value.is(Val::Kind::Tensor))
    (void)fail(name,
               "'" + name + "' must be a tensor, but it is " + describe(value));
  else if (rank >= 0 && value.tensorType().getRank() != rank)
    (void)fail(name, fmt::format("'{}' must be a tensor of rank {}, but it "
                                 "is {}",
                                 name.str(), rank, describe(value)));
  return hasFailed ? mlir::Value() : value.tensor;
}

int64_t Call::integer(llvm::StringRef name) {
  if (hasFailed)
    return 0;
  const Val &value = get(name);
  if (!value.is(Val::Kind::Int))
    (void)fail(name, "'" + name + "' must be an integer, but it is " +
                         describe(value));
  return value.i;
}

double Call::number(llvm::StringRef name) {
  if (hasFailed)
    return 0;
  const Val &value = get(name);
  if (value.is(Val::Kind::Int))
    return static_cast<double>(value.i);
  if (!value.is(Val::Kind::Float))
    (void)fail(name,
               "'" + name + "' must be a number, but it is " + describe(value));
  return value.f;
}

bool Call::flag(llvm::StringRef name) {
  if (hasFailed)
    return false;
  const Val &value = get(name);
  if (!value.is(Val::Kind::Bool))
    (void)fail(name, "'" + name + "' must be true or false, but it is " +
                         describe(value));
  return value.i;
}

int64_t Call::channels(llvm::StringRef name, const Twine &message) {
  mlir::Value x = tensor(name);
  if (hasFailed)
    return 0;
  auto type = cast<RankedTensorType>(x.getType());
  if (type.getRank() >= 2)
    return type.getDimSize(1);
  (void)fail(name, message);
  return 0;
}

SmallVector<int64_t> Call::pair(llvm::StringRef name) {
  if (hasFailed)
    return {1, 1};
  const Val &value = get(name);
  if (value.is(Val::Kind::Int))
    return {value.i, value.i};
  const std::vector<Val> &list = value.elements();
  if (value.is(Val::Kind::List) && list.size() == 2 &&
      list[0].is(Val::Kind::Int) && list[1].is(Val::Kind::Int))
    return {list[0].i, list[1].i};
  (void)fail(name, "'" + name +
                       "' must be an integer or a list [height, width], but "
                       "it is " +
                       describe(value));
  return {1, 1};
}

SmallVector<int64_t> Call::padding(llvm::StringRef name,
                                   ArrayRef<int64_t> kernel,
                                   ArrayRef<int64_t> stride,
                                   ArrayRef<int64_t> dilation) {
  if (hasFailed)
    return {0, 0, 0, 0};
  const Val &value = get(name);
  if (value.is(Val::Kind::String)) {
    if (value.text() == "valid")
      return {0, 0, 0, 0};
    if (value.text() != "same") {
      (void)fail(name, "padding must be an integer, a list, \"same\" or "
                       "\"valid\", not \"" +
                           value.text() + "\"");
      return {0, 0, 0, 0};
    }
    if (stride[0] != 1 || stride[1] != 1) {
      (void)fail(name, "padding \"same\" needs stride 1, as in PyTorch");
      return {0, 0, 0, 0};
    }
    // PyTorch puts the odd pixel at the bottom and right.
    SmallVector<int64_t> padding(4);
    for (int axis = 0; axis < 2; ++axis) {
      int64_t total = 0;
      if (llvm::MulOverflow(dilation[axis], kernel[axis] - 1, total)) {
        (void)fail(name, "padding overflows");
        return {0, 0, 0, 0};
      }
      padding[axis] = total / 2;
      padding[axis + 2] = total - total / 2;
    }
    return padding;
  }
  if (value.is(Val::Kind::Int))
    return {value.i, value.i, value.i, value.i};
  const std::vector<Val> &list = value.elements();
  if (value.is(Val::Kind::List) &&
      llvm::all_of(list, [](const Val &v) { return v.is(Val::Kind::Int); })) {
    if (list.size() == 2)
      return {list[0].i, list[1].i, list[0].i, list[1].i};
    if (list.size() == 4)
      return {list[0].i, list[1].i, list[2].i, list[3].i};
  }
  (void)fail(name, "padding must be an integer, [height, width], [top, left, "
                   "bottom, right], \"same\" or \"valid\", but it is " +
                       describe(value));
  return {0, 0, 0, 0};
}
