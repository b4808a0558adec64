//===- Interpreter.h - the evaluator behind emitModel -----------*- C++ -*-===//
//
// An interpreter over the syntax tree: integers, booleans, lists and control
// flow are evaluated at compile time; tensor operations become cnn ops. Each
// parameterized layer gets a hierarchical name from the nesting of named
// calls, seq stages and blocks, so that checkpoints bind by name.
//
// Private to the frontend. One file per concern:
//   Values.cpp     values, scopes and expressions
//   Emitter.cpp    the model, its statements, diagnostics and locations
//   Calls.cpp      calls: binding arguments, blocks, seq, built-in dispatch
//   Ops.cpp        the ops, as a table of signature + handler
//   Functions.cpp  the compile-time functions, in the same kind of table
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_FRONTEND_LIB_INTERPRETER_H
#define CNNC_FRONTEND_LIB_INTERPRETER_H

#include "cnnc/Dialect/InferredBuild.h"
#include "cnnc/Frontend/AST.h"
#include "cnnc/Frontend/Diagnostics.h"
#include "cnnc/Frontend/Emitter.h"
#include "cnnc/Frontend/Limits.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Location.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/SMLoc.h"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace cnnc::frontend::interp {

using llvm::SMLoc;
using mlir::FailureOr;
using mlir::LogicalResult;

//===----------------------------------------------------------------------===//
// Values of the language.
//===----------------------------------------------------------------------===//

/// A value. Strings and lists never change once built, so copies share
/// them: passing, returning or storing a long list costs nothing, and only
/// building one counts against the work budget (Emitter::makeList).
class Val {
public:
  enum class Kind { None, Int, Float, Bool, String, Tensor, List };

  static Val none() { return Val(); }
  static Val integer(int64_t v);
  static Val real(double v);
  static Val boolean(bool v);
  static Val string(std::string v);
  static Val fromTensor(mlir::Value v);
  static Val fromList(std::vector<Val> v);

  bool is(Kind k) const { return kind == k; }
  /// A string's characters (empty for other kinds).
  const std::string &text() const;
  /// A list's elements (none for other kinds).
  const std::vector<Val> &elements() const;
  /// Levels of lists: 0 for other kinds, 1 for a list of no lists, ...
  unsigned nesting() const { return listNesting; }
  mlir::RankedTensorType tensorType() const {
    return mlir::cast<mlir::RankedTensorType>(tensor.getType());
  }

  Kind kind = Kind::None;
  int64_t i = 0; // Int; Bool as 0 or 1.
  double f = 0;  // Float.
  mlir::Value tensor;

private:
  std::shared_ptr<const std::string> s;
  std::shared_ptr<const std::vector<Val>> list;
  unsigned listNesting = 0;
};

/// "integer 3", "tensor f32[1, 3, 8, 8]", ...: a value in a message.
std::string describe(const Val &value);
/// "[1, 3, 8, 8]".
std::string formatShape(llvm::ArrayRef<int64_t> shape);

//===----------------------------------------------------------------------===//
// Calls: signatures, arguments, frames.
//===----------------------------------------------------------------------===//

/// One formal parameter of a built-in or block: its name and, when optional,
/// its default (std::nullopt: required).
struct Formal {
  std::string name;
  std::optional<Val> defaultValue;
};

inline Formal required(const char *name) { return {name, std::nullopt}; }
inline Formal optional(const char *name, Val value) {
  return {name, std::move(value)};
}

/// Arguments as written at a call: positional ones, then keyword ones.
using Positional = std::vector<std::pair<SMLoc, Val>>;
using Keywords = std::vector<std::tuple<std::string, SMLoc, Val>>;

/// The arguments of one call, by parameter name, with where each came from.
class Arguments {
public:
  const Val &get(llvm::StringRef name) const { return values.at(name.str()); }
  SMLoc loc(llvm::StringRef name) const {
    auto it = locs.find(name.str());
    return it == locs.end() ? callLoc : it->second;
  }

  std::map<std::string, Val> values;
  std::map<std::string, SMLoc> locs;
  SMLoc callLoc;
};

/// Evaluation state of one block invocation (or the model body).
struct Frame {
  const StmtList *body = nullptr; // The block's or model's statements.
  llvm::StringMap<Val> variables;
  llvm::StringMap<SMLoc> definedAt;
  bool isModel = false;
  std::optional<Val> returned;
  SMLoc returnLoc;
  std::vector<std::pair<std::string, Val>> outputs; // Model only.

  bool done() const { return returned || !outputs.empty(); }
};

/// A seq being evaluated: the value flowing through and the next stage index.
struct SeqState {
  Val running;
  int64_t nextIndex = 0;
};

class Call;

/// A built-in op or function: what it takes, and what it does with it.
/// Adding an op is adding one of these to the table of Ops.cpp.
struct Builtin {
  const char *name;
  std::vector<Formal> signature;
  FailureOr<Val> (*handler)(Call &call);
};

/// The ops (Ops.cpp) and the compile-time functions (Functions.cpp).
llvm::ArrayRef<Builtin> opBuiltins();
llvm::ArrayRef<Builtin> functionBuiltins();

//===----------------------------------------------------------------------===//
// The evaluator.
//===----------------------------------------------------------------------===//

class Emitter {
public:
  Emitter(const Module &module, mlir::MLIRContext &context,
          Diagnostics &diagnostics);

  std::optional<EmittedModel> run();

  // Diagnostics and locations (Emitter.cpp). Inside a block call, an
  // error is followed by a "called from" note for each call, innermost
  // first, and op locations are CallSiteLocs, which MLIR's diagnostic
  // handler prints in the same way.
  LogicalResult fail(SMLoc loc, const llvm::Twine &message);
  void noteCallSites();

  // Building lists and strings (Values.cpp): each is charged to the work
  // budget, and refused past the limits on size, list nesting and work.
  FailureOr<Val> makeList(SMLoc loc, std::vector<Val> elements);
  FailureOr<Val> makeString(SMLoc loc, std::string text);
  /// Whether a list (or string) of `size` elements (or characters) may be
  /// built: to ask before allocating it.
  LogicalResult checkSize(SMLoc loc, uint64_t size, Val::Kind kind);
  /// Counts `units` of work (elements, characters, ops) done at `loc`.
  LogicalResult spend(SMLoc loc, int64_t units);
  /// Whether a tensor of `shape` may exist (limits::kTensorElements); if
  /// not, reports "`what` `shape` would have N elements, ..." at `loc`.
  LogicalResult checkTensorSize(SMLoc loc, const llvm::Twine &what,
                                llvm::ArrayRef<int64_t> shape);
  mlir::Location location(SMLoc loc);
  /// location(loc), with the line named by the layer being built (the dotted
  /// path of names, `features.1.0.block.1`) when it has one: an op's
  /// location, from which the fusion report and the model's picture read
  /// its layer name.
  mlir::Location layerLocation(SMLoc loc);

  // Statements (Emitter.cpp).
  LogicalResult execute(const StmtList &statements, Frame &frame,
                        SeqState *seq);
  LogicalResult executeStatement(const Stmt &statement, Frame &frame,
                                 SeqState *seq);
  LogicalResult executeReturn(const Stmt &statement, Frame &frame);
  LogicalResult executeFor(const Stmt &statement, Frame &frame, SeqState *seq);
  LogicalResult executeStage(const Stmt &statement, Frame &frame,
                             SeqState &seq);

  // Expressions and scopes (Values.cpp).
  FailureOr<Val> evaluate(const Expr &expr, Frame &frame,
                          std::optional<std::string> nameHint = std::nullopt);
  FailureOr<Val> lookup(const Expr &name, Frame &frame);
  /// Each of `exprs`, in order.
  FailureOr<std::vector<Val>> evaluateAll(llvm::ArrayRef<ExprPtr> exprs,
                                          Frame &frame);
  FailureOr<Val> evaluateUnary(const Expr &expr, Frame &frame);
  FailureOr<Val> evaluateIndex(const Expr &expr, Frame &frame);
  FailureOr<Val> evaluateBinary(const Expr &expr, Frame &frame);
  FailureOr<Val> applyBinary(const Expr &expr, const Val &lhs, const Val &rhs);
  FailureOr<std::optional<std::string>>
  evaluateName(const Expr *nameExpr, Frame &frame,
               std::optional<std::string> fallback);

  // Calls (Calls.cpp).
  FailureOr<Val> evaluateCall(const Expr &expr, Frame &frame,
                              std::optional<Val> piped,
                              std::optional<std::string> name);
  /// `seq(x) { ... }`, or a nested `seq { ... }` stage that gets the
  /// enclosing seq's value as `piped`.
  FailureOr<Val> evaluateSeq(const Expr &expr, Frame &frame,
                             std::optional<Val> piped,
                             std::optional<std::string> name);
  FailureOr<Arguments> bind(llvm::StringRef callee, SMLoc callLoc,
                            llvm::ArrayRef<Formal> formals,
                            Positional &positional, Keywords &keywords);
  /// The block's parameters, with their defaults evaluated for this call.
  FailureOr<std::vector<Formal>> blockFormals(const BlockDecl &block,
                                              SMLoc callLoc);
  FailureOr<Val> callBlock(const BlockDecl &block, const Expr &call,
                           Positional positional, Keywords keywords,
                           std::optional<std::string> name);
  FailureOr<Val> callBuiltin(const Expr &call, Positional positional,
                             Keywords keywords,
                             std::optional<std::string> name);

  // Layers (Ops.cpp).
  FailureOr<mlir::Value> weight(SMLoc loc, llvm::StringRef suffix,
                                llvm::ArrayRef<int64_t> shape,
                                mlir::Type elementType);
  LogicalResult checkpointOnly(SMLoc loc, llvm::StringRef suffix);
  std::string qualified(llvm::StringRef suffix) const;

  /// Builds an op, then runs its shape rules at the model's line: a broken
  /// rule is reported there instead of aborting in the builder.
  template <typename OpTy, typename... Args>
  FailureOr<mlir::Value> create(SMLoc at, Args &&...args) {
    if (mlir::failed(spend(at, 1)))
      return mlir::failure();
    mlir::Location loc = layerLocation(at);
    mlir::OperationState state(loc, OpTy::getOperationName());
    if (mlir::failed(cnnc::cnn::buildInferred<OpTy>(
            builder, state, std::forward<Args>(args)...)))
      return mlir::failure();
    for (mlir::Type type : state.types)
      if (auto tensor = mlir::dyn_cast<mlir::RankedTensorType>(type))
        if (mlir::failed(checkTensorSize(
                at, "the result of '" + OpTy::getOperationName() + "'",
                tensor.getShape())))
          return mlir::failure();
    return builder.create(state)->getResult(0);
  }

  /// An optional attribute, left out when it has the op's default value, so
  /// that the printed IR shows only what the model says.
  mlir::DenseI64ArrayAttr arrayAttr(llvm::ArrayRef<int64_t> values,
                                    llvm::ArrayRef<int64_t> defaults) {
    return values == defaults ? mlir::DenseI64ArrayAttr()
                              : builder.getDenseI64ArrayAttr(values);
  }
  mlir::IntegerAttr intAttr(int64_t value, int64_t defaultValue) {
    return value == defaultValue ? mlir::IntegerAttr()
                                 : builder.getI64IntegerAttr(value);
  }

  const Module &ast;
  mlir::MLIRContext &context;
  mlir::OpBuilder builder;
  Diagnostics &diagnostics;
  mlir::StringAttr fileName;
  llvm::StringMap<const BlockDecl *> blocks;
  llvm::StringMap<const Builtin *> builtins;
  std::vector<std::string> namePath;
  std::vector<const BlockDecl *> callStack; // The blocks being called.
  /// Where the block calls in progress were made, outermost first, and the
  /// same as locations: each the caller of the CallSiteLocs inside its call.
  std::vector<SMLoc> callSites;
  std::vector<mlir::Location> callers;
  std::vector<ParameterInfo> parameters;
  llvm::StringMap<size_t> parameterIndex;
  int64_t steps = 0; // Statements executed, against runaway loops.
  int64_t work = 0;  // Elements, characters and ops built (limits::kWork).
  int64_t parameterElements = 0; // All so far (limits::kParameterElements).
  /// Levels of evaluate() and execute() in progress (limits::
  /// kEvaluationDepth): the parser bounds one block's nesting, and this the
  /// nesting of blocks called inside each other.
  unsigned depth = 0;
};

/// One more level of evaluation, for as long as it lives.
class Level {
public:
  explicit Level(Emitter &emitter) : emitter(emitter) { ++emitter.depth; }
  ~Level() { --emitter.depth; }
  Level(const Level &) = delete;
  Level &operator=(const Level &) = delete;

  /// Past limits::kEvaluationDepth: reported at `loc`.
  bool tooDeep(SMLoc loc);

private:
  Emitter &emitter;
};

//===----------------------------------------------------------------------===//
// A built-in's view of its call.
//===----------------------------------------------------------------------===//

/// One call of a built-in: its arguments, and readers that convert them.
/// A reader that meets a wrong argument reports it and marks the call
/// failed; later readers then report nothing and return placeholders. So a
/// handler reads its arguments in its signature's order, the first wrong one
/// is the one reported, and it checks failed() once before using them.
class Call {
public:
  Call(Emitter &emitter, llvm::StringRef callee, SMLoc loc, Arguments args)
      : emitter(emitter), callee(callee), loc(loc), args(std::move(args)) {}

  const Val &get(llvm::StringRef name) const { return args.get(name); }
  SMLoc argLoc(llvm::StringRef name) const { return args.loc(name); }
  bool isNone(llvm::StringRef name) const {
    return get(name).is(Val::Kind::None);
  }

  mlir::Value tensor(llvm::StringRef name, int64_t rank = -1);
  int64_t integer(llvm::StringRef name);
  double number(llvm::StringRef name);
  bool flag(llvm::StringRef name);
  /// The channels (dimension 1) of the tensor `name`; `message` when it has
  /// none.
  int64_t channels(llvm::StringRef name, const llvm::Twine &message);
  /// An integer or [height, width].
  llvm::SmallVector<int64_t> pair(llvm::StringRef name);
  /// [top, left, bottom, right] from an integer, a pair, four integers,
  /// "valid" or "same".
  llvm::SmallVector<int64_t> padding(llvm::StringRef name,
                                     llvm::ArrayRef<int64_t> kernel,
                                     llvm::ArrayRef<int64_t> stride,
                                     llvm::ArrayRef<int64_t> dilation);
  bool failed() const { return hasFailed; }

  /// Reports `message` at the argument `name` (or at the call), and fails.
  mlir::FailureOr<Val> fail(llvm::StringRef name, const llvm::Twine &message);
  mlir::FailureOr<Val> fail(const llvm::Twine &message);

  /// A parameter of this layer (`weight`, `bias`, ...).
  FailureOr<mlir::Value> weight(llvm::StringRef suffix,
                                llvm::ArrayRef<int64_t> shape,
                                mlir::Type elementType) {
    return emitter.weight(loc, suffix, shape, elementType);
  }
  /// The op, at the call's line, as the call's value; nothing once a reader
  /// has failed (so a handler that only passes its arguments on need not
  /// check).
  template <typename OpTy, typename... Args> FailureOr<Val> op(Args &&...args) {
    if (hasFailed)
      return mlir::failure();
    FailureOr<mlir::Value> value =
        emitter.create<OpTy>(loc, std::forward<Args>(args)...);
    if (mlir::failed(value))
      return mlir::failure();
    return Val::fromTensor(*value);
  }

  Emitter &emitter;
  mlir::OpBuilder &builder() { return emitter.builder; }
  llvm::StringRef callee;
  SMLoc loc;

private:
  Arguments args;
  bool hasFailed = false;
};

} // namespace cnnc::frontend::interp

#endif // CNNC_FRONTEND_LIB_INTERPRETER_H
