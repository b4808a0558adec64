//===- Emitter.cpp - from a parsed model to cnn dialect IR ----------------===//
//
// An interpreter over the syntax tree: integers, booleans, lists and control
// flow are evaluated at compile time; tensor operations become cnn ops. Each
// parameterized layer gets a hierarchical name from the nesting of named
// calls, seq stages and blocks, so that checkpoints bind by name.
//
//===----------------------------------------------------------------------===//

#include "cnnc/Frontend/Emitter.h"
#include "cnnc/Dialect/CNNOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/MathExtras.h"

#include <cmath>
#include <functional>
#include <map>

using namespace mlir;
using namespace cnnc::frontend;
using cnnc::frontend::Module;
namespace cnn = cnnc::cnn;
using llvm::SMLoc;

namespace {

//===----------------------------------------------------------------------===//
// Values of the language.
//===----------------------------------------------------------------------===//

struct Val {
  enum class Kind { None, Int, Float, Bool, String, Tensor, List };
  Kind kind = Kind::None;
  int64_t i = 0;
  double f = 0;
  std::string s;
  mlir::Value tensor;
  std::vector<Val> list;

  static Val none() { return Val(); }
  static Val integer(int64_t v) {
    Val r;
    r.kind = Kind::Int;
    r.i = v;
    return r;
  }
  static Val real(double v) {
    Val r;
    r.kind = Kind::Float;
    r.f = v;
    return r;
  }
  static Val boolean(bool v) {
    Val r;
    r.kind = Kind::Bool;
    r.i = v;
    return r;
  }
  static Val string(std::string v) {
    Val r;
    r.kind = Kind::String;
    r.s = std::move(v);
    return r;
  }
  static Val fromTensor(mlir::Value v) {
    Val r;
    r.kind = Kind::Tensor;
    r.tensor = v;
    return r;
  }
  static Val fromList(std::vector<Val> v) {
    Val r;
    r.kind = Kind::List;
    r.list = std::move(v);
    return r;
  }

  bool is(Kind k) const { return kind == k; }
  RankedTensorType tensorType() const {
    return cast<RankedTensorType>(tensor.getType());
  }
};

std::string formatShape(ArrayRef<int64_t> shape) {
  std::string text = "[";
  for (auto [index, size] : llvm::enumerate(shape))
    text += (index ? ", " : "") + std::to_string(size);
  return text + "]";
}

std::string elementName(Type type) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << type;
  return text;
}

std::string describe(const Val &value) {
  switch (value.kind) {
  case Val::Kind::None:
    return "none";
  case Val::Kind::Int:
    return "integer " + std::to_string(value.i);
  case Val::Kind::Float:
    return "number " + std::to_string(value.f);
  case Val::Kind::Bool:
    return value.i ? "true" : "false";
  case Val::Kind::String:
    return "string \"" + value.s + "\"";
  case Val::Kind::Tensor:
    return "tensor " + elementName(value.tensorType().getElementType()) +
           formatShape(value.tensorType().getShape());
  case Val::Kind::List:
    return "list of " + std::to_string(value.list.size()) + " values";
  }
  return "value";
}

//===----------------------------------------------------------------------===//
// Call arguments, bound to a signature.
//===----------------------------------------------------------------------===//

/// One formal parameter of a built-in: its name and, when optional, its
/// default (std::nullopt: required).
struct Formal {
  const char *name;
  std::optional<Val> defaultValue;
};

Formal required(const char *name) { return {name, std::nullopt}; }
Formal optional(const char *name, Val value) { return {name, value}; }

/// The arguments of one call, by parameter name, with where each came from.
class Arguments {
public:
  const Val &get(llvm::StringRef name) const { return values.at(name.str()); }
  SMLoc loc(llvm::StringRef name) const {
    auto it = locs.find(name.str());
    return it == locs.end() ? callLoc : it->second;
  }
  bool given(llvm::StringRef name) const { return locs.count(name.str()); }

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
};

/// A seq being evaluated: the value flowing through and the next stage index.
struct SeqState {
  Val running;
  int64_t nextIndex = 0;
};

/// Where `name` is assigned in `statements` (searched depth-first), if
/// anywhere: to tell "used before it is defined" from "not defined".
std::optional<SMLoc> findDefinition(const StmtList &statements,
                                    llvm::StringRef name) {
  for (const StmtPtr &statement : statements) {
    if ((statement->kind == Stmt::Kind::Assign ||
         statement->kind == Stmt::Kind::For) &&
        statement->target == name)
      return statement->targetLoc;
    for (const StmtList *nested : {&statement->body, &statement->elseBody})
      if (std::optional<SMLoc> loc = findDefinition(*nested, name))
        return loc;
  }
  return std::nullopt;
}

class Emitter {
public:
  Emitter(const Module &module, MLIRContext &context, Diagnostics &diagnostics)
      : ast(module), context(context), builder(&context),
        diagnostics(diagnostics) {
    for (const auto &block : module.blocks)
      blocks[block->name] = block.get();
    llvm::SourceMgr &sourceMgr = diagnostics.getSourceMgr();
    fileName = StringAttr::get(
        &context, sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID())
                      ->getBufferIdentifier());
  }

  std::optional<EmittedModel> run();

private:
  // Diagnostics and locations.
  LogicalResult fail(SMLoc loc, const Twine &message) {
    diagnostics.error(loc, message);
    return failure();
  }
  Location location(SMLoc loc) {
    auto [line, column] = diagnostics.getSourceMgr().getLineAndColumn(loc);
    return FileLineColLoc::get(fileName, line, column);
  }

  // Statements and expressions.
  LogicalResult execute(const StmtList &statements, Frame &frame,
                        SeqState *seq);
  LogicalResult executeStage(const Stmt &statement, Frame &frame,
                             SeqState &seq);
  FailureOr<Val> evaluate(const Expr &expr, Frame &frame,
                          std::optional<std::string> nameHint = std::nullopt);
  FailureOr<Val> evaluateBinary(const Expr &expr, Frame &frame);
  FailureOr<Val> evaluateCall(const Expr &expr, Frame &frame,
                              std::optional<Val> piped,
                              std::optional<std::string> name);
  FailureOr<Val> evaluateSeq(const Expr &expr, Frame &frame,
                             std::optional<std::string> name);
  FailureOr<std::optional<std::string>>
  evaluateName(const Expr *nameExpr, Frame &frame,
               std::optional<std::string> fallback);
  FailureOr<Val>
  callBlock(const BlockDecl &block, const Expr &call,
            std::vector<std::pair<SMLoc, Val>> positional,
            std::vector<std::tuple<std::string, SMLoc, Val>> keywords,
            std::optional<std::string> name);
  FailureOr<Val>
  callBuiltin(const Expr &call, std::vector<std::pair<SMLoc, Val>> positional,
              std::vector<std::tuple<std::string, SMLoc, Val>> keywords,
              std::optional<std::string> name);
  FailureOr<Arguments>
  bind(llvm::StringRef callee, SMLoc callLoc, ArrayRef<Formal> formals,
       std::vector<std::pair<SMLoc, Val>> &positional,
       std::vector<std::tuple<std::string, SMLoc, Val>> &keywords);

  // Argument conversion.
  FailureOr<mlir::Value> tensorArg(const Arguments &args, llvm::StringRef name,
                                   int64_t rank = -1);
  FailureOr<int64_t> intArg(const Arguments &args, llvm::StringRef name);
  FailureOr<double> floatArg(const Arguments &args, llvm::StringRef name);
  FailureOr<bool> boolArg(const Arguments &args, llvm::StringRef name);
  FailureOr<SmallVector<int64_t>> pairArg(const Arguments &args,
                                          llvm::StringRef name);
  FailureOr<SmallVector<int64_t>> paddingArg(const Arguments &args,
                                             llvm::StringRef name,
                                             ArrayRef<int64_t> kernel,
                                             ArrayRef<int64_t> stride,
                                             ArrayRef<int64_t> dilation);

  // Layers.
  FailureOr<mlir::Value> weight(SMLoc loc, llvm::StringRef suffix,
                                ArrayRef<int64_t> shape, Type elementType);
  LogicalResult checkpointOnly(SMLoc loc, llvm::StringRef suffix);
  template <typename OpTy, typename... Args>
  FailureOr<mlir::Value> create(SMLoc loc, Args &&...args);

  /// An optional attribute, left out when it has the op's default value, so
  /// that the printed IR shows only what the model says.
  DenseI64ArrayAttr arrayAttr(ArrayRef<int64_t> values,
                              ArrayRef<int64_t> defaults) {
    return values == defaults ? DenseI64ArrayAttr()
                              : builder.getDenseI64ArrayAttr(values);
  }
  IntegerAttr intAttr(int64_t value, int64_t defaultValue) {
    return value == defaultValue ? IntegerAttr()
                                 : builder.getI64IntegerAttr(value);
  }

  std::string qualified(llvm::StringRef suffix) const {
    std::string name;
    for (const std::string &part : namePath)
      name += part + ".";
    return name + suffix.str();
  }

  const Module &ast;
  MLIRContext &context;
  OpBuilder builder;
  Diagnostics &diagnostics;
  StringAttr fileName;
  llvm::StringMap<const BlockDecl *> blocks;
  std::vector<std::string> namePath;
  std::vector<const BlockDecl *> callStack;
  std::vector<ParameterInfo> parameters;
  llvm::StringMap<size_t> parameterIndex;
  int64_t steps = 0; // Statements executed, against runaway loops.
};

//===----------------------------------------------------------------------===//
// Model.
//===----------------------------------------------------------------------===//

std::optional<EmittedModel> Emitter::run() {
  const ModelDecl &model = *ast.model;
  Location modelLoc = location(model.loc);
  OwningOpRef<ModuleOp> module = ModuleOp::create(modelLoc);
  builder.setInsertionPointToEnd(module->getBody());

  SmallVector<Type> inputTypes;
  for (const InputDecl &input : model.inputs) {
    Type element = llvm::StringSwitch<Type>(input.elementType)
                       .Case("f16", builder.getF16Type())
                       .Case("bf16", builder.getBF16Type())
                       .Case("f64", builder.getF64Type())
                       .Default(builder.getF32Type());
    inputTypes.push_back(RankedTensorType::get(input.shape, element));
  }
  auto func = builder.create<func::FuncOp>(
      modelLoc, model.name, builder.getFunctionType(inputTypes, {}));
  Block *entry = func.addEntryBlock();
  builder.setInsertionPointToEnd(entry);

  Frame frame;
  frame.isModel = true;
  frame.body = &model.body;
  for (auto [index, input] : llvm::enumerate(model.inputs)) {
    if (frame.variables.count(input.name)) {
      diagnostics.error(input.loc,
                        "input '" + input.name + "' is declared twice");
      return std::nullopt;
    }
    BlockArgument argument = entry->getArgument(index);
    argument.setLoc(
        NameLoc::get(builder.getStringAttr(input.name), location(input.loc)));
    func.setArgAttr(index, "cnn.name", builder.getStringAttr(input.name));
    frame.variables[input.name] = Val::fromTensor(argument);
    frame.definedAt[input.name] = input.loc;
  }

  if (failed(execute(model.body, frame, /*seq=*/nullptr)))
    return std::nullopt;
  if (frame.outputs.empty()) {
    diagnostics.error(model.loc, "model '" + model.name +
                                     "' returns nothing: end it with "
                                     "'return OUTPUT'");
    return std::nullopt;
  }

  SmallVector<mlir::Value> results;
  SmallVector<Type> resultTypes;
  for (auto &[name, value] : frame.outputs) {
    results.push_back(value.tensor);
    resultTypes.push_back(value.tensor.getType());
  }
  builder.create<func::ReturnOp>(location(frame.returnLoc), results);
  func.setType(builder.getFunctionType(inputTypes, resultTypes));
  for (auto [index, output] : llvm::enumerate(frame.outputs))
    func.setResultAttr(index, "cnn.name", builder.getStringAttr(output.first));

  EmittedModel emitted;
  emitted.module = std::move(module);
  emitted.parameters = std::move(parameters);
  return emitted;
}

//===----------------------------------------------------------------------===//
// Statements.
//===----------------------------------------------------------------------===//

LogicalResult Emitter::execute(const StmtList &statements, Frame &frame,
                               SeqState *seq) {
  for (const StmtPtr &statementPtr : statements) {
    const Stmt &statement = *statementPtr;
    if (++steps > 1'000'000)
      return fail(statement.loc, "the model takes too many steps to "
                                 "evaluate (a runaway loop?)");
    switch (statement.kind) {
    case Stmt::Kind::Assign: {
      FailureOr<Val> value =
          evaluate(*statement.value, frame, statement.target);
      if (failed(value))
        return failure();
      if (blocks.count(statement.target))
        return fail(statement.targetLoc,
                    "'" + statement.target +
                        "' is a block: a variable cannot take its name");
      frame.variables[statement.target] = std::move(*value);
      frame.definedAt[statement.target] = statement.targetLoc;
      break;
    }
    case Stmt::Kind::Return: {
      if (seq)
        return fail(statement.loc, "'return' inside a seq: the seq's value "
                                   "is its last stage");
      if (frame.isModel) {
        for (auto [index, expr] : llvm::enumerate(statement.values)) {
          FailureOr<Val> value = evaluate(*expr, frame);
          if (failed(value))
            return failure();
          if (!value->is(Val::Kind::Tensor))
            return fail(expr->loc, "a model returns tensors, but this is " +
                                       describe(*value));
          std::string name = expr->kind == Expr::Kind::Name
                                 ? expr->text
                                 : "output" + std::to_string(index);
          for (auto &existing : frame.outputs)
            if (existing.first == name)
              return fail(expr->loc, "output '" + name + "' is returned twice");
          frame.outputs.emplace_back(name, std::move(*value));
        }
      } else {
        std::vector<Val> values;
        for (const ExprPtr &expr : statement.values) {
          FailureOr<Val> value = evaluate(*expr, frame);
          if (failed(value))
            return failure();
          values.push_back(std::move(*value));
        }
        frame.returned = values.size() == 1 ? std::move(values.front())
                                            : Val::fromList(std::move(values));
      }
      frame.returnLoc = statement.loc;
      return success();
    }
    case Stmt::Kind::If: {
      FailureOr<Val> condition = evaluate(*statement.value, frame);
      if (failed(condition))
        return failure();
      if (!condition->is(Val::Kind::Bool))
        return fail(statement.value->loc,
                    "a condition must be true or false, but this is " +
                        describe(*condition));
      if (failed(execute(condition->i ? statement.body : statement.elseBody,
                         frame, seq)))
        return failure();
      break;
    }
    case Stmt::Kind::For: {
      FailureOr<Val> sequence = evaluate(*statement.value, frame);
      if (failed(sequence))
        return failure();
      if (!sequence->is(Val::Kind::List))
        return fail(statement.value->loc,
                    "a for loop runs over a list, e.g. 'range(4)' or "
                    "'[16, 24, 32]', but this is " +
                        describe(*sequence));
      for (const Val &element : sequence->list) {
        frame.variables[statement.target] = element;
        frame.definedAt[statement.target] = statement.targetLoc;
        if (failed(execute(statement.body, frame, seq)))
          return failure();
        if (frame.returned || !frame.outputs.empty())
          return success();
      }
      break;
    }
    case Stmt::Kind::Expr:
    case Stmt::Kind::Labeled:
      if (!seq) {
        if (statement.kind == Stmt::Kind::Labeled)
          return fail(statement.loc, "a labeled stage ('" + statement.target +
                                         ": ...') belongs in a seq");
        return fail(statement.loc,
                    "the value of this expression is not used: assign it "
                    "('name = ...'), or make it a stage of a seq");
      }
      if (failed(executeStage(statement, frame, *seq)))
        return failure();
      break;
    }
    if (frame.returned || !frame.outputs.empty())
      return success();
  }
  return success();
}

LogicalResult Emitter::executeStage(const Stmt &statement, Frame &frame,
                                    SeqState &seq) {
  const Expr &expr = *statement.value;
  std::string stageName = statement.kind == Stmt::Kind::Labeled
                              ? statement.target
                              : std::to_string(seq.nextIndex);
  if (statement.kind == Stmt::Kind::Expr)
    ++seq.nextIndex;
  FailureOr<Val> result;
  if (expr.kind == Expr::Kind::Call && !expr.takesPipedInput) {
    result = evaluateCall(expr, frame, seq.running, stageName);
  } else if (expr.kind == Expr::Kind::Name &&
             !frame.variables.count(expr.text)) {
    // A bare op or block name: called with the running value alone.
    Expr call(Expr::Kind::Call, expr.loc);
    call.text = expr.text;
    result = evaluateCall(call, frame, seq.running, stageName);
  } else {
    return fail(expr.loc, "a seq stage must be a call of an op or block, "
                          "which receives the value flowing through the "
                          "seq (e.g. 'relu' or 'conv2d(64, kernel=3)')");
  }
  if (failed(result))
    return failure();
  seq.running = std::move(*result);
  return success();
}

//===----------------------------------------------------------------------===//
// Expressions.
//===----------------------------------------------------------------------===//

FailureOr<std::optional<std::string>>
Emitter::evaluateName(const Expr *nameExpr, Frame &frame,
                      std::optional<std::string> fallback) {
  if (!nameExpr)
    return fallback;
  if (nameExpr->op == TokenKind::Identifier &&
      frame.variables.count(nameExpr->text))
    return fail(nameExpr->loc,
                "'" + nameExpr->text + "' is a variable, so 'as " +
                    nameExpr->text + "' is ambiguous: write 'as (" +
                    nameExpr->text + ")' for its value or 'as \"" +
                    nameExpr->text + "\"' for the name itself");
  FailureOr<Val> name = evaluate(*nameExpr, frame);
  if (failed(name))
    return failure();
  std::string text;
  if (name->is(Val::Kind::String))
    text = name->s;
  else if (name->is(Val::Kind::Int))
    text = std::to_string(name->i);
  else
    return fail(nameExpr->loc, "a name must be a string or an integer, but "
                               "this is " +
                                   describe(*name));
  if (text.empty() || text.front() == '.' || text.back() == '.' ||
      llvm::StringRef(text).contains(".."))
    return fail(nameExpr->loc, "'" + text +
                                   "' is not a valid name: parts separated "
                                   "by single dots, none empty");
  return std::optional<std::string>(text);
}

FailureOr<Val> Emitter::evaluate(const Expr &expr, Frame &frame,
                                 std::optional<std::string> nameHint) {
  switch (expr.kind) {
  case Expr::Kind::Integer:
    return Val::integer(expr.intValue);
  case Expr::Kind::Float:
    return Val::real(expr.floatValue);
  case Expr::Kind::String:
    return Val::string(expr.text);
  case Expr::Kind::Bool:
    return Val::boolean(expr.intValue);
  case Expr::Kind::Name: {
    auto it = frame.variables.find(expr.text);
    if (it != frame.variables.end())
      return it->second;
    if (blocks.count(expr.text))
      return fail(expr.loc, "'" + expr.text + "' is a block: call it, e.g. '" +
                                expr.text + "(...)'");
    if (std::optional<SMLoc> later = findDefinition(*frame.body, expr.text))
      return fail(
          expr.loc,
          "'" + expr.text + "' is used before it is defined (at line " +
              std::to_string(
                  diagnostics.getSourceMgr().getLineAndColumn(*later).first) +
              ")");
    return fail(expr.loc, "'" + expr.text + "' is not defined");
  }
  case Expr::Kind::List: {
    std::vector<Val> elements;
    for (const ExprPtr &element : expr.operands) {
      FailureOr<Val> value = evaluate(*element, frame);
      if (failed(value))
        return failure();
      elements.push_back(std::move(*value));
    }
    return Val::fromList(std::move(elements));
  }
  case Expr::Kind::Unary: {
    FailureOr<Val> operand = evaluate(*expr.operands[0], frame);
    if (failed(operand))
      return failure();
    if (expr.op == TokenKind::KwNot) {
      if (!operand->is(Val::Kind::Bool))
        return fail(expr.loc, "'not' needs true or false, but this is " +
                                  describe(*operand));
      return Val::boolean(!operand->i);
    }
    if (operand->is(Val::Kind::Int)) {
      if (operand->i == INT64_MIN)
        return fail(expr.loc, "integer overflow in negation");
      return Val::integer(-operand->i);
    }
    if (operand->is(Val::Kind::Float))
      return Val::real(-operand->f);
    return fail(expr.loc,
                "'-' needs a number, but this is " + describe(*operand));
  }
  case Expr::Kind::Binary:
    return evaluateBinary(expr, frame);
  case Expr::Kind::Index: {
    FailureOr<Val> list = evaluate(*expr.operands[0], frame);
    if (failed(list))
      return failure();
    FailureOr<Val> index = evaluate(*expr.operands[1], frame);
    if (failed(index))
      return failure();
    if (!list->is(Val::Kind::List))
      return fail(expr.loc,
                  "only lists can be indexed, but this is " + describe(*list));
    if (!index->is(Val::Kind::Int))
      return fail(expr.operands[1]->loc,
                  "an index must be an integer, but this is " +
                      describe(*index));
    int64_t size = static_cast<int64_t>(list->list.size());
    int64_t i = index->i < 0 ? index->i + size : index->i;
    if (i < 0 || i >= size)
      return fail(expr.operands[1]->loc, "index " + std::to_string(index->i) +
                                             " is out of range for a list of " +
                                             std::to_string(size) + " values");
    return list->list[i];
  }
  case Expr::Kind::Call: {
    std::optional<Val> piped;
    if (expr.takesPipedInput) {
      FailureOr<Val> input = evaluate(*expr.operands[0], frame);
      if (failed(input))
        return failure();
      piped = std::move(*input);
      nameHint.reset(); // Only the whole right-hand side takes the name.
    }
    return evaluateCall(expr, frame, std::move(piped), nameHint);
  }
  case Expr::Kind::Seq:
    return evaluateSeq(expr, frame, nameHint);
  }
  return fail(expr.loc, "unsupported expression");
}

FailureOr<Val> Emitter::evaluateBinary(const Expr &expr, Frame &frame) {
  FailureOr<Val> lhs = evaluate(*expr.operands[0], frame);
  if (failed(lhs))
    return failure();
  // 'and' and 'or' short-circuit.
  if (expr.op == TokenKind::KwAnd || expr.op == TokenKind::KwOr) {
    if (!lhs->is(Val::Kind::Bool))
      return fail(expr.operands[0]->loc,
                  describe(expr.op) + " needs true or false, but this is " +
                      describe(*lhs));
    if (lhs->i == (expr.op == TokenKind::KwOr))
      return *lhs;
    FailureOr<Val> rhs = evaluate(*expr.operands[1], frame);
    if (failed(rhs))
      return failure();
    if (!rhs->is(Val::Kind::Bool))
      return fail(expr.operands[1]->loc,
                  describe(expr.op) + " needs true or false, but this is " +
                      describe(*rhs));
    return *rhs;
  }
  FailureOr<Val> rhs = evaluate(*expr.operands[1], frame);
  if (failed(rhs))
    return failure();
  auto mismatch = [&]() -> FailureOr<Val> {
    return fail(expr.loc, "cannot apply " + describe(expr.op) + " to " +
                              describe(*lhs) + " and " + describe(*rhs));
  };

  // Tensors: + and * are the residual add and the broadcasting multiply.
  if (lhs->is(Val::Kind::Tensor) || rhs->is(Val::Kind::Tensor)) {
    if (!lhs->is(Val::Kind::Tensor) || !rhs->is(Val::Kind::Tensor))
      return mismatch();
    FailureOr<mlir::Value> result;
    if (expr.op == TokenKind::Plus)
      result = create<cnn::AddOp>(expr.loc, lhs->tensor, rhs->tensor);
    else if (expr.op == TokenKind::Star)
      result = create<cnn::MulOp>(expr.loc, lhs->tensor, rhs->tensor);
    else
      return fail(expr.loc, describe(expr.op) +
                                " is not defined on tensors (only + and *)");
    if (failed(result))
      return failure();
    return Val::fromTensor(*result);
  }

  // Lists and strings concatenate.
  if (expr.op == TokenKind::Plus && lhs->is(Val::Kind::List) &&
      rhs->is(Val::Kind::List)) {
    std::vector<Val> joined = lhs->list;
    llvm::append_range(joined, rhs->list);
    return Val::fromList(std::move(joined));
  }
  if (lhs->is(Val::Kind::String) && rhs->is(Val::Kind::String)) {
    if (expr.op == TokenKind::Plus)
      return Val::string(lhs->s + rhs->s);
    if (expr.op == TokenKind::Equal || expr.op == TokenKind::NotEqual)
      return Val::boolean((lhs->s == rhs->s) == (expr.op == TokenKind::Equal));
    return mismatch();
  }
  if (lhs->is(Val::Kind::Bool) && rhs->is(Val::Kind::Bool) &&
      (expr.op == TokenKind::Equal || expr.op == TokenKind::NotEqual))
    return Val::boolean((lhs->i == rhs->i) == (expr.op == TokenKind::Equal));

  bool lhsNumber = lhs->is(Val::Kind::Int) || lhs->is(Val::Kind::Float);
  bool rhsNumber = rhs->is(Val::Kind::Int) || rhs->is(Val::Kind::Float);
  if (!lhsNumber || !rhsNumber)
    return mismatch();

  if (lhs->is(Val::Kind::Int) && rhs->is(Val::Kind::Int)) {
    int64_t a = lhs->i, b = rhs->i, r = 0;
    auto overflowed = [&](llvm::StringRef op) -> FailureOr<Val> {
      return fail(expr.loc, "integer overflow in " + std::to_string(a) + " " +
                                op + " " + std::to_string(b));
    };
    switch (expr.op) {
    case TokenKind::Plus:
      if (llvm::AddOverflow(a, b, r))
        return overflowed("+");
      return Val::integer(r);
    case TokenKind::Minus:
      if (llvm::SubOverflow(a, b, r))
        return overflowed("-");
      return Val::integer(r);
    case TokenKind::Star:
      if (llvm::MulOverflow(a, b, r))
        return overflowed("*");
      return Val::integer(r);
    case TokenKind::Slash:
    case TokenKind::Percent: {
      if (b == 0)
        return fail(expr.loc, "division by zero");
      if (a == INT64_MIN && b == -1)
        return overflowed(expr.op == TokenKind::Slash ? "/" : "%");
      // Floor division and a remainder with the divisor's sign, as Python.
      int64_t q = a / b, m = a % b;
      if (m != 0 && ((m < 0) != (b < 0))) {
        --q;
        m += b;
      }
      return Val::integer(expr.op == TokenKind::Slash ? q : m);
    }
    case TokenKind::Equal:
      return Val::boolean(a == b);
    case TokenKind::NotEqual:
      return Val::boolean(a != b);
    case TokenKind::Less:
      return Val::boolean(a < b);
    case TokenKind::LessEqual:
      return Val::boolean(a <= b);
    case TokenKind::Greater:
      return Val::boolean(a > b);
    case TokenKind::GreaterEqual:
      return Val::boolean(a >= b);
    default:
      return mismatch();
    }
  }

  double a = lhs->is(Val::Kind::Int) ? static_cast<double>(lhs->i) : lhs->f;
  double b = rhs->is(Val::Kind::Int) ? static_cast<double>(rhs->i) : rhs->f;
  switch (expr.op) {
  case TokenKind::Plus:
    return Val::real(a + b);
  case TokenKind::Minus:
    return Val::real(a - b);
  case TokenKind::Star:
    return Val::real(a * b);
  case TokenKind::Slash:
    if (b == 0)
      return fail(expr.loc, "division by zero");
    return Val::real(a / b);
  case TokenKind::Equal:
    return Val::boolean(a == b);
  case TokenKind::NotEqual:
    return Val::boolean(a != b);
  case TokenKind::Less:
    return Val::boolean(a < b);
  case TokenKind::LessEqual:
    return Val::boolean(a <= b);
  case TokenKind::Greater:
    return Val::boolean(a > b);
  case TokenKind::GreaterEqual:
    return Val::boolean(a >= b);
  default:
    return mismatch();
  }
}

FailureOr<Val> Emitter::evaluateSeq(const Expr &expr, Frame &frame,
                                    std::optional<std::string> nameHint) {
  FailureOr<Val> input = evaluate(*expr.operands[0], frame);
  if (failed(input))
    return failure();
  FailureOr<std::optional<std::string>> name =
      evaluateName(expr.name.get(), frame, nameHint);
  if (failed(name))
    return failure();
  if (*name)
    namePath.push_back(**name);
  SeqState seq;
  seq.running = std::move(*input);
  LogicalResult result = execute(expr.body, frame, &seq);
  if (*name)
    namePath.pop_back();
  if (failed(result))
    return failure();
  return seq.running;
}

FailureOr<Val> Emitter::evaluateCall(const Expr &expr, Frame &frame,
                                     std::optional<Val> piped,
                                     std::optional<std::string> nameHint) {
  std::vector<std::pair<SMLoc, Val>> positional;
  std::vector<std::tuple<std::string, SMLoc, Val>> keywords;
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

FailureOr<Arguments>
Emitter::bind(llvm::StringRef callee, SMLoc callLoc, ArrayRef<Formal> formals,
              std::vector<std::pair<SMLoc, Val>> &positional,
              std::vector<std::tuple<std::string, SMLoc, Val>> &keywords) {
  Arguments args;
  args.callLoc = callLoc;
  if (positional.size() > formals.size())
    return fail(positional[formals.size()].first,
                "'" + callee + "' takes at most " +
                    std::to_string(formals.size()) +
                    " positional argument(s), but " +
                    std::to_string(positional.size()) + " are given");
  for (auto [index, argument] : llvm::enumerate(positional)) {
    args.values[formals[index].name] = std::move(argument.second);
    args.locs[formals[index].name] = argument.first;
  }
  for (auto &keywordArgument : keywords) {
    const std::string &keyword = std::get<0>(keywordArgument);
    SMLoc loc = std::get<1>(keywordArgument);
    Val &value = std::get<2>(keywordArgument);
    const Formal *formal = llvm::find_if(
        formals, [&](const Formal &f) { return keyword == f.name; });
    if (formal == formals.end()) {
      std::string known;
      for (const Formal &f : formals)
        known += (known.empty() ? "" : ", ") + std::string(f.name);
      return fail(loc, "'" + callee + "' has no parameter '" + keyword +
                           "' (its parameters: " + known + ")");
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

FailureOr<Val>
Emitter::callBlock(const BlockDecl &block, const Expr &call,
                   std::vector<std::pair<SMLoc, Val>> positional,
                   std::vector<std::tuple<std::string, SMLoc, Val>> keywords,
                   std::optional<std::string> name) {
  if (llvm::is_contained(callStack, &block)) {
    std::string cycle;
    auto first = llvm::find(callStack, &block);
    for (const BlockDecl *caller : llvm::make_range(first, callStack.end()))
      cycle += caller->name + " -> ";
    (void)fail(call.loc, "blocks cannot be recursive, but this call makes a "
                         "cycle: " +
                             cycle + block.name);
    return failure();
  }
  if (callStack.size() >= 64)
    return fail(call.loc, "blocks nest more than 64 deep");

  // Defaults are evaluated at the call, in the block's own empty scope.
  std::vector<Formal> formals;
  Frame defaults;
  StmtList noStatements;
  defaults.body = &noStatements;
  for (const Parameter &parameter : block.parameters) {
    std::optional<Val> defaultValue;
    if (parameter.defaultValue) {
      FailureOr<Val> value = evaluate(*parameter.defaultValue, defaults);
      if (failed(value))
        return failure();
      defaultValue = std::move(*value);
    }
    formals.push_back({parameter.name.c_str(), defaultValue});
  }
  FailureOr<Arguments> args =
      bind(block.name, call.loc, formals, positional, keywords);
  if (failed(args))
    return failure();

  Frame frame;
  frame.body = &block.body;
  for (const Parameter &parameter : block.parameters) {
    frame.variables[parameter.name] = args->get(parameter.name);
    frame.definedAt[parameter.name] = parameter.loc;
  }
  callStack.push_back(&block);
  if (name)
    namePath.push_back(*name);
  LogicalResult result = execute(block.body, frame, /*seq=*/nullptr);
  if (name)
    namePath.pop_back();
  callStack.pop_back();
  if (failed(result))
    return failure();
  if (!frame.returned)
    return fail(block.loc, "block '" + block.name + "' ends without 'return'");
  return *frame.returned;
}

//===----------------------------------------------------------------------===//
// Argument conversion.
//===----------------------------------------------------------------------===//

FailureOr<mlir::Value> Emitter::tensorArg(const Arguments &args,
                                          llvm::StringRef name, int64_t rank) {
  const Val &value = args.get(name);
  if (!value.is(Val::Kind::Tensor))
    return fail(args.loc(name), "'" + name + "' must be a tensor, but it is " +
                                    describe(value));
  if (rank >= 0 && value.tensorType().getRank() != rank)
    return fail(args.loc(name), "'" + name + "' must be a tensor of rank " +
                                    std::to_string(rank) + ", but it is " +
                                    describe(value));
  return value.tensor;
}

FailureOr<int64_t> Emitter::intArg(const Arguments &args,
                                   llvm::StringRef name) {
  const Val &value = args.get(name);
  if (!value.is(Val::Kind::Int))
    return fail(args.loc(name), "'" + name +
                                    "' must be an integer, but it is " +
                                    describe(value));
  return value.i;
}

FailureOr<double> Emitter::floatArg(const Arguments &args,
                                    llvm::StringRef name) {
  const Val &value = args.get(name);
  if (value.is(Val::Kind::Int))
    return static_cast<double>(value.i);
  if (!value.is(Val::Kind::Float))
    return fail(args.loc(name), "'" + name + "' must be a number, but it is " +
                                    describe(value));
  return value.f;
}

FailureOr<bool> Emitter::boolArg(const Arguments &args, llvm::StringRef name) {
  const Val &value = args.get(name);
  if (!value.is(Val::Kind::Bool))
    return fail(args.loc(name), "'" + name +
                                    "' must be true or false, but it is " +
                                    describe(value));
  return static_cast<bool>(value.i);
}

FailureOr<SmallVector<int64_t>> Emitter::pairArg(const Arguments &args,
                                                 llvm::StringRef name) {
  const Val &value = args.get(name);
  if (value.is(Val::Kind::Int))
    return SmallVector<int64_t>{value.i, value.i};
  if (value.is(Val::Kind::List) && value.list.size() == 2 &&
      value.list[0].is(Val::Kind::Int) && value.list[1].is(Val::Kind::Int))
    return SmallVector<int64_t>{value.list[0].i, value.list[1].i};
  return fail(args.loc(name), "'" + name +
                                  "' must be an integer or a list [height, "
                                  "width], but it is " +
                                  describe(value));
}

FailureOr<SmallVector<int64_t>>
Emitter::paddingArg(const Arguments &args, llvm::StringRef name,
                    ArrayRef<int64_t> kernel, ArrayRef<int64_t> stride,
                    ArrayRef<int64_t> dilation) {
  const Val &value = args.get(name);
  if (value.is(Val::Kind::String)) {
    if (value.s == "valid")
      return SmallVector<int64_t>{0, 0, 0, 0};
    if (value.s == "same") {
      if (stride[0] != 1 || stride[1] != 1)
        return fail(args.loc(name),
                    "padding \"same\" needs stride 1, as in PyTorch");
      // PyTorch puts the odd pixel at the bottom and right.
      SmallVector<int64_t> padding(4);
      for (int axis = 0; axis < 2; ++axis) {
        int64_t total = 0;
        if (llvm::MulOverflow(dilation[axis], kernel[axis] - 1, total))
          return fail(args.loc(name), "padding overflows");
        padding[axis] = total / 2;
        padding[axis + 2] = total - total / 2;
      }
      return padding;
    }
    return fail(args.loc(name), "padding must be an integer, a list, "
                                "\"same\" or \"valid\", not \"" +
                                    value.s + "\"");
  }
  if (value.is(Val::Kind::Int))
    return SmallVector<int64_t>{value.i, value.i, value.i, value.i};
  if (value.is(Val::Kind::List) && llvm::all_of(value.list, [](const Val &v) {
        return v.is(Val::Kind::Int);
      })) {
    if (value.list.size() == 2)
      return SmallVector<int64_t>{value.list[0].i, value.list[1].i,
                                  value.list[0].i, value.list[1].i};
    if (value.list.size() == 4)
      return SmallVector<int64_t>{value.list[0].i, value.list[1].i,
                                  value.list[2].i, value.list[3].i};
  }
  return fail(args.loc(name), "padding must be an integer, [height, width], "
                              "[top, left, bottom, right], \"same\" or "
                              "\"valid\", but it is " +
                                  describe(value));
}

//===----------------------------------------------------------------------===//
// Layers.
//===----------------------------------------------------------------------===//

template <typename OpTy, typename... Args>
FailureOr<mlir::Value> Emitter::create(SMLoc at, Args &&...args) {
  // Build the op's state, then run its shape rules at the model's line:
  // a broken rule is reported there instead of aborting in the builder.
  Location loc = location(at);
  OperationState state(loc, OpTy::getOperationName());
  Type placeholder[] = {builder.getNoneType()};
  OpTy::build(builder, state, TypeRange(placeholder),
              std::forward<Args>(args)...);
  SmallVector<Type> types;
  if (failed(OpTy::inferReturnTypes(&context, loc, state.operands,
                                    state.attributes.getDictionary(&context),
                                    state.getRawProperties(), state.regions,
                                    types)))
    return failure();
  state.types.assign(types.begin(), types.end());
  return builder.create(state)->getResult(0);
}

FailureOr<mlir::Value> Emitter::weight(SMLoc loc, llvm::StringRef suffix,
                                       ArrayRef<int64_t> shape,
                                       Type elementType) {
  if (namePath.empty())
    return fail(loc, "this layer has parameters but no name: assign it to a "
                     "variable ('conv1 = conv2d(...)'), or name it with 'as'");
  std::string name = qualified(suffix);
  for (int64_t size : shape)
    if (size <= 0)
      return fail(loc, "parameter '" + name + "' would have shape " +
                           formatShape(shape) + ": sizes must be positive");
  auto [it, inserted] = parameterIndex.try_emplace(name, parameters.size());
  if (!inserted) {
    (void)fail(loc, "parameter '" + name +
                        "' is defined twice: give the layers different names");
    diagnostics.note(parameters[it->second].loc, "first defined here");
    return failure();
  }
  parameters.push_back({name, SmallVector<int64_t>(shape), loc, false});
  auto type = RankedTensorType::get(shape, elementType);
  return builder
      .create<cnn::WeightOp>(location(loc), type, builder.getStringAttr(name),
                             ElementsAttr())
      .getResult();
}

LogicalResult Emitter::checkpointOnly(SMLoc loc, llvm::StringRef suffix) {
  std::string name = qualified(suffix);
  auto [it, inserted] = parameterIndex.try_emplace(name, parameters.size());
  if (!inserted)
    return fail(loc, "parameter '" + name + "' is defined twice");
  parameters.push_back({name, {}, loc, true});
  return success();
}

FailureOr<Val>
Emitter::callBuiltin(const Expr &call,
                     std::vector<std::pair<SMLoc, Val>> positional,
                     std::vector<std::tuple<std::string, SMLoc, Val>> keywords,
                     std::optional<std::string> name) {
  llvm::StringRef callee = call.text;
  SMLoc loc = call.loc;
  auto bindTo = [&](std::initializer_list<Formal> formals) {
    return bind(callee, loc, formals, positional, keywords);
  };
  auto tensorResult = [](FailureOr<mlir::Value> value) -> FailureOr<Val> {
    if (failed(value))
      return failure();
    return Val::fromTensor(*value);
  };
  // Parameterized layers name their parameters under the call's name.
  struct Scope {
    Scope(std::vector<std::string> &path, std::optional<std::string> name)
        : path(path), pushed(name.has_value()) {
      if (pushed)
        path.push_back(*name);
    }
    ~Scope() {
      if (pushed)
        path.pop_back();
    }
    std::vector<std::string> &path;
    bool pushed;
  } scope(namePath, name);
  Val none = Val::none();

  // Element-wise activations without arguments.
  using Unary = std::function<FailureOr<mlir::Value>(mlir::Value)>;
  std::map<std::string, Unary> unaries = {
      {"relu", [&](mlir::Value x) { return create<cnn::ReluOp>(loc, x); }},
      {"relu6", [&](mlir::Value x) { return create<cnn::Relu6Op>(loc, x); }},
      {"sigmoid",
       [&](mlir::Value x) { return create<cnn::SigmoidOp>(loc, x); }},
      {"hard_sigmoid",
       [&](mlir::Value x) { return create<cnn::HardSigmoidOp>(loc, x); }},
      {"hard_swish",
       [&](mlir::Value x) { return create<cnn::HardSwishOp>(loc, x); }},
      {"silu", [&](mlir::Value x) { return create<cnn::SiluOp>(loc, x); }},
      {"tanh", [&](mlir::Value x) { return create<cnn::TanhOp>(loc, x); }},
      {"global_avg_pool",
       [&](mlir::Value x) { return create<cnn::GlobalAvgPoolOp>(loc, x); }},
  };
  if (auto it = unaries.find(callee.str()); it != unaries.end()) {
    FailureOr<Arguments> args = bindTo({required("x")});
    if (failed(args))
      return failure();
    FailureOr<mlir::Value> x = tensorArg(*args, "x");
    if (failed(x))
      return failure();
    return tensorResult(it->second(*x));
  }

  if (callee == "conv2d") {
    FailureOr<Arguments> args =
        bindTo({required("x"), required("out_channels"), required("kernel"),
                optional("stride", Val::integer(1)),
                optional("padding", Val::integer(0)),
                optional("dilation", Val::integer(1)),
                optional("groups", Val::integer(1)),
                optional("bias", Val::boolean(true))});
    if (failed(args))
      return failure();
    FailureOr<mlir::Value> x = tensorArg(*args, "x", 4);
    if (failed(x))
      return failure();
    FailureOr<int64_t> out = intArg(*args, "out_channels");
    if (failed(out))
      return failure();
    FailureOr<SmallVector<int64_t>> kernel = pairArg(*args, "kernel");
    if (failed(kernel))
      return failure();
    FailureOr<SmallVector<int64_t>> stride = pairArg(*args, "stride");
    if (failed(stride))
      return failure();
    FailureOr<SmallVector<int64_t>> dilation = pairArg(*args, "dilation");
    if (failed(dilation))
      return failure();
    FailureOr<int64_t> groups = intArg(*args, "groups");
    if (failed(groups))
      return failure();
    FailureOr<bool> hasBias = boolArg(*args, "bias");
    if (failed(hasBias))
      return failure();
    FailureOr<SmallVector<int64_t>> padding =
        paddingArg(*args, "padding", *kernel, *stride, *dilation);
    if (failed(padding))
      return failure();
    auto inputType = cast<RankedTensorType>(x->getType());
    int64_t channels = inputType.getDimSize(1);
    if (*groups <= 0 || channels % *groups != 0)
      return fail(args->loc("groups"),
                  "groups (" + std::to_string(*groups) +
                      ") must be positive and divide the input's " +
                      std::to_string(channels) + " channels");
    if (*out <= 0)
      return fail(args->loc("out_channels"),
                  "out_channels must be positive, got " + std::to_string(*out));
    Type element = inputType.getElementType();
    FailureOr<mlir::Value> filter =
        weight(loc, "weight",
               {*out, channels / *groups, (*kernel)[0], (*kernel)[1]}, element);
    if (failed(filter))
      return failure();
    mlir::Value bias;
    if (*hasBias) {
      FailureOr<mlir::Value> b = weight(loc, "bias", {*out}, element);
      if (failed(b))
        return failure();
      bias = *b;
    }
    return tensorResult(create<cnn::Conv2DOp>(
        loc, *x, *filter, bias, arrayAttr(*stride, {1, 1}),
        arrayAttr(*padding, {0, 0, 0, 0}), arrayAttr(*dilation, {1, 1}),
        intAttr(*groups, 1)));
  }

  if (callee == "deform_conv2d") {
    FailureOr<Arguments> args =
        bindTo({required("x"), required("offset"), required("out_channels"),
                required("kernel"), optional("stride", Val::integer(1)),
                optional("padding", Val::integer(0)),
                optional("dilation", Val::integer(1)),
                optional("groups", Val::integer(1)),
                optional("offset_groups", Val::integer(1)),
                optional("mask", none), optional("bias", Val::boolean(true))});
    if (failed(args))
      return failure();
    FailureOr<mlir::Value> x = tensorArg(*args, "x", 4);
    if (failed(x))
      return failure();
    FailureOr<mlir::Value> offset = tensorArg(*args, "offset", 4);
    if (failed(offset))
      return failure();
    FailureOr<int64_t> out = intArg(*args, "out_channels");
    if (failed(out))
      return failure();
    FailureOr<SmallVector<int64_t>> kernel = pairArg(*args, "kernel");
    if (failed(kernel))
      return failure();
    FailureOr<SmallVector<int64_t>> stride = pairArg(*args, "stride");
    if (failed(stride))
      return failure();
    FailureOr<SmallVector<int64_t>> dilation = pairArg(*args, "dilation");
    if (failed(dilation))
      return failure();
    FailureOr<int64_t> groups = intArg(*args, "groups");
    if (failed(groups))
      return failure();
    FailureOr<int64_t> offsetGroups = intArg(*args, "offset_groups");
    if (failed(offsetGroups))
      return failure();
    FailureOr<bool> hasBias = boolArg(*args, "bias");
    if (failed(hasBias))
      return failure();
    FailureOr<SmallVector<int64_t>> padding =
        paddingArg(*args, "padding", *kernel, *stride, *dilation);
    if (failed(padding))
      return failure();
    mlir::Value mask;
    if (!args->get("mask").is(Val::Kind::None)) {
      FailureOr<mlir::Value> m = tensorArg(*args, "mask", 4);
      if (failed(m))
        return failure();
      mask = *m;
    }
    auto inputType = cast<RankedTensorType>(x->getType());
    int64_t channels = inputType.getDimSize(1);
    if (*groups <= 0 || channels % *groups != 0)
      return fail(args->loc("groups"),
                  "groups (" + std::to_string(*groups) +
                      ") must be positive and divide the input's " +
                      std::to_string(channels) + " channels");
    if (*out <= 0)
      return fail(args->loc("out_channels"),
                  "out_channels must be positive, got " + std::to_string(*out));
    Type element = inputType.getElementType();
    FailureOr<mlir::Value> filter =
        weight(loc, "weight",
               {*out, channels / *groups, (*kernel)[0], (*kernel)[1]}, element);
    if (failed(filter))
      return failure();
    mlir::Value bias;
    if (*hasBias) {
      FailureOr<mlir::Value> b = weight(loc, "bias", {*out}, element);
      if (failed(b))
        return failure();
      bias = *b;
    }
    return tensorResult(create<cnn::DeformConv2DOp>(
        loc, *x, *offset, *filter, mask, bias, arrayAttr(*stride, {1, 1}),
        arrayAttr(*padding, {0, 0, 0, 0}), arrayAttr(*dilation, {1, 1}),
        intAttr(*groups, 1), intAttr(*offsetGroups, 1)));
  }

  if (callee == "batch_norm") {
    FailureOr<Arguments> args =
        bindTo({required("x"), optional("eps", Val::real(1e-5))});
    if (failed(args))
      return failure();
    FailureOr<mlir::Value> x = tensorArg(*args, "x");
    if (failed(x))
      return failure();
    FailureOr<double> eps = floatArg(*args, "eps");
    if (failed(eps))
      return failure();
    auto type = cast<RankedTensorType>(x->getType());
    if (type.getRank() < 2)
      return fail(args->loc("x"), "batch_norm needs a channel dimension, but "
                                  "'x' is " +
                                      describe(args->get("x")));
    int64_t channels = type.getDimSize(1);
    Type element = type.getElementType();
    FailureOr<mlir::Value> gamma = weight(loc, "weight", {channels}, element);
    if (failed(gamma))
      return failure();
    FailureOr<mlir::Value> beta = weight(loc, "bias", {channels}, element);
    if (failed(beta))
      return failure();
    FailureOr<mlir::Value> mean =
        weight(loc, "running_mean", {channels}, element);
    if (failed(mean))
      return failure();
    FailureOr<mlir::Value> variance =
        weight(loc, "running_var", {channels}, element);
    if (failed(variance) || failed(checkpointOnly(loc, "num_batches_tracked")))
      return failure();
    FloatAttr epsilon =
        *eps == 1e-5 ? FloatAttr() : builder.getF64FloatAttr(*eps);
    return tensorResult(create<cnn::BatchNormOp>(loc, *x, *mean, *variance,
                                                 *gamma, *beta, epsilon));
  }

  if (callee == "dense") {
    FailureOr<Arguments> args = bindTo({required("x"), required("out_features"),
                                        optional("bias", Val::boolean(true))});
    if (failed(args))
      return failure();
    FailureOr<mlir::Value> x = tensorArg(*args, "x", 2);
    if (failed(x))
      return failure();
    FailureOr<int64_t> out = intArg(*args, "out_features");
    if (failed(out))
      return failure();
    FailureOr<bool> hasBias = boolArg(*args, "bias");
    if (failed(hasBias))
      return failure();
    if (*out <= 0)
      return fail(args->loc("out_features"),
                  "out_features must be positive, got " + std::to_string(*out));
    auto type = cast<RankedTensorType>(x->getType());
    Type element = type.getElementType();
    FailureOr<mlir::Value> w =
        weight(loc, "weight", {*out, type.getDimSize(1)}, element);
    if (failed(w))
      return failure();
    mlir::Value bias;
    if (*hasBias) {
      FailureOr<mlir::Value> b = weight(loc, "bias", {*out}, element);
      if (failed(b))
        return failure();
      bias = *b;
    }
    return tensorResult(create<cnn::DenseOp>(loc, *x, *w, bias));
  }

  if (callee == "prelu") {
    FailureOr<Arguments> args =
        bindTo({required("x"), optional("num_parameters", Val::integer(1))});
    if (failed(args))
      return failure();
    FailureOr<mlir::Value> x = tensorArg(*args, "x");
    if (failed(x))
      return failure();
    FailureOr<int64_t> count = intArg(*args, "num_parameters");
    if (failed(count))
      return failure();
    auto type = cast<RankedTensorType>(x->getType());
    FailureOr<mlir::Value> slope =
        weight(loc, "weight", {*count}, type.getElementType());
    if (failed(slope))
      return failure();
    return tensorResult(create<cnn::PReluOp>(loc, *x, *slope));
  }

  if (callee == "clip") {
    FailureOr<Arguments> args =
        bindTo({required("x"), required("min"), required("max")});
    if (failed(args))
      return failure();
    FailureOr<mlir::Value> x = tensorArg(*args, "x");
    if (failed(x))
      return failure();
    FailureOr<double> lo = floatArg(*args, "min");
    if (failed(lo))
      return failure();
    FailureOr<double> hi = floatArg(*args, "max");
    if (failed(hi))
      return failure();
    return tensorResult(
        create<cnn::ClipOp>(loc, *x, llvm::APFloat(*lo), llvm::APFloat(*hi)));
  }

  if (callee == "leaky_relu") {
    FailureOr<Arguments> args =
        bindTo({required("x"), optional("negative_slope", Val::real(0.01))});
    if (failed(args))
      return failure();
    FailureOr<mlir::Value> x = tensorArg(*args, "x");
    if (failed(x))
      return failure();
    FailureOr<double> slope = floatArg(*args, "negative_slope");
    if (failed(slope))
      return failure();
    return tensorResult(
        create<cnn::LeakyReluOp>(loc, *x, llvm::APFloat(*slope)));
  }

  if (callee == "max_pool2d" || callee == "avg_pool2d") {
    bool isMax = callee == "max_pool2d";
    std::vector<Formal> formals = {required("x"), required("kernel"),
                                   optional("stride", none),
                                   optional("padding", Val::integer(0)),
                                   optional("ceil_mode", Val::boolean(false))};
    if (isMax) {
      formals.push_back(optional("dilation", Val::integer(1)));
    } else {
      formals.push_back(optional("count_include_pad", Val::boolean(true)));
      formals.push_back(optional("divisor_override", none));
    }
    FailureOr<Arguments> args =
        bind(callee, loc, formals, positional, keywords);
    if (failed(args))
      return failure();
    FailureOr<mlir::Value> x = tensorArg(*args, "x", 4);
    if (failed(x))
      return failure();
    FailureOr<SmallVector<int64_t>> kernel = pairArg(*args, "kernel");
    if (failed(kernel))
      return failure();
    // PyTorch: the stride defaults to the kernel size.
    FailureOr<SmallVector<int64_t>> stride =
        args->get("stride").is(Val::Kind::None)
            ? FailureOr<SmallVector<int64_t>>(*kernel)
            : pairArg(*args, "stride");
    if (failed(stride))
      return failure();
    FailureOr<SmallVector<int64_t>> dilation =
        (isMax ? pairArg(*args, "dilation")
               : FailureOr<SmallVector<int64_t>>(SmallVector<int64_t>{1, 1}));
    if (failed(dilation))
      return failure();
    FailureOr<bool> ceil = boolArg(*args, "ceil_mode");
    if (failed(ceil))
      return failure();
    FailureOr<SmallVector<int64_t>> padding =
        paddingArg(*args, "padding", *kernel, *stride, *dilation);
    if (failed(padding))
      return failure();
    if (isMax)
      return tensorResult(create<cnn::MaxPool2DOp>(
          loc, *x, builder.getDenseI64ArrayAttr(*kernel),
          builder.getDenseI64ArrayAttr(*stride),
          arrayAttr(*padding, {0, 0, 0, 0}), arrayAttr(*dilation, {1, 1}),
          *ceil ? builder.getUnitAttr() : UnitAttr()));
    FailureOr<bool> countPad = boolArg(*args, "count_include_pad");
    if (failed(countPad))
      return failure();
    IntegerAttr divisor;
    if (!args->get("divisor_override").is(Val::Kind::None)) {
      FailureOr<int64_t> d = intArg(*args, "divisor_override");
      if (failed(d))
        return failure();
      divisor = builder.getI64IntegerAttr(*d);
    }
    auto kernelAttr = builder.getDenseI64ArrayAttr(*kernel);
    auto strideAttr = builder.getDenseI64ArrayAttr(*stride);
    DenseI64ArrayAttr paddingAttr = arrayAttr(*padding, {0, 0, 0, 0});
    return tensorResult(create<cnn::AvgPool2DOp>(
        loc, *x, kernelAttr, strideAttr, paddingAttr,
        *ceil ? builder.getUnitAttr() : UnitAttr(),
        *countPad ? builder.getUnitAttr() : UnitAttr(), divisor));
  }

  if (callee == "softmax") {
    FailureOr<Arguments> args =
        bindTo({required("x"), optional("axis", Val::integer(1))});
    if (failed(args))
      return failure();
    FailureOr<mlir::Value> x = tensorArg(*args, "x");
    if (failed(x))
      return failure();
    FailureOr<int64_t> axis = intArg(*args, "axis");
    if (failed(axis))
      return failure();
    return tensorResult(create<cnn::SoftmaxOp>(loc, *x, intAttr(*axis, 1)));
  }

  if (callee == "flatten") {
    FailureOr<Arguments> args =
        bindTo({required("x"), optional("start_dim", Val::integer(1)),
                optional("end_dim", Val::integer(-1))});
    if (failed(args))
      return failure();
    FailureOr<mlir::Value> x = tensorArg(*args, "x");
    if (failed(x))
      return failure();
    FailureOr<int64_t> start = intArg(*args, "start_dim");
    if (failed(start))
      return failure();
    FailureOr<int64_t> end = intArg(*args, "end_dim");
    if (failed(end))
      return failure();
    return tensorResult(
        create<cnn::FlattenOp>(loc, *x, intAttr(*start, 1), intAttr(*end, -1)));
  }

  if (callee == "reshape") {
    FailureOr<Arguments> args = bindTo({required("x"), required("shape")});
    if (failed(args))
      return failure();
    FailureOr<mlir::Value> x = tensorArg(*args, "x");
    if (failed(x))
      return failure();
    const Val &shape = args->get("shape");
    SmallVector<int64_t> sizes;
    for (const Val &size : shape.list)
      if (size.is(Val::Kind::Int))
        sizes.push_back(size.i);
    if (!shape.is(Val::Kind::List) || sizes.size() != shape.list.size())
      return fail(args->loc("shape"),
                  "'shape' must be a list of integers, but it is " +
                      describe(shape));
    return tensorResult(
        create<cnn::ReshapeOp>(loc, *x, ArrayRef<int64_t>(sizes)));
  }

  if (callee == "concat") {
    FailureOr<Arguments> args = bindTo({required("xs")});
    if (failed(args))
      return failure();
    const Val &xs = args->get("xs");
    SmallVector<mlir::Value> inputs;
    for (const Val &x : xs.list)
      if (x.is(Val::Kind::Tensor))
        inputs.push_back(x.tensor);
    if (!xs.is(Val::Kind::List) || xs.list.empty() ||
        inputs.size() != xs.list.size())
      return fail(args->loc("xs"),
                  "concat takes a non-empty list of tensors, e.g. "
                  "concat([a, b]), but got " +
                      describe(xs));
    return tensorResult(
        create<cnn::ConcatOp>(loc, ValueRange(inputs), /*interleave=*/false));
  }

  if (callee == "channel_shuffle") {
    FailureOr<Arguments> args = bindTo({required("x"), required("groups")});
    if (failed(args))
      return failure();
    FailureOr<mlir::Value> x = tensorArg(*args, "x");
    if (failed(x))
      return failure();
    FailureOr<int64_t> groups = intArg(*args, "groups");
    if (failed(groups))
      return failure();
    return tensorResult(
        create<cnn::ChannelShuffleOp>(loc, *x, static_cast<uint64_t>(*groups)));
  }

  if (callee == "slice") {
    FailureOr<Arguments> args =
        bindTo({required("x"), required("offset"), required("size")});
    if (failed(args))
      return failure();
    FailureOr<mlir::Value> x = tensorArg(*args, "x");
    if (failed(x))
      return failure();
    FailureOr<int64_t> offset = intArg(*args, "offset");
    if (failed(offset))
      return failure();
    FailureOr<int64_t> size = intArg(*args, "size");
    if (failed(size))
      return failure();
    return tensorResult(create<cnn::SliceOp>(
        loc, *x, static_cast<uint64_t>(*offset), static_cast<uint64_t>(*size)));
  }

  if (callee == "chunk") {
    FailureOr<Arguments> args = bindTo({required("x"), required("chunks")});
    if (failed(args))
      return failure();
    FailureOr<mlir::Value> x = tensorArg(*args, "x");
    if (failed(x))
      return failure();
    FailureOr<int64_t> chunks = intArg(*args, "chunks");
    if (failed(chunks))
      return failure();
    auto type = cast<RankedTensorType>(x->getType());
    if (type.getRank() < 2)
      return fail(args->loc("x"), "chunk needs a channel dimension");
    int64_t channels = type.getDimSize(1);
    if (*chunks <= 0 || channels % *chunks != 0)
      return fail(args->loc("chunks"),
                  "chunks (" + std::to_string(*chunks) +
                      ") must be positive and divide the " +
                      std::to_string(channels) + " channels");
    std::vector<Val> parts;
    int64_t size = channels / *chunks;
    for (int64_t i = 0; i < *chunks; ++i) {
      FailureOr<mlir::Value> part =
          create<cnn::SliceOp>(loc, *x, static_cast<uint64_t>(i * size),
                               static_cast<uint64_t>(size));
      if (failed(part))
        return failure();
      parts.push_back(Val::fromTensor(*part));
    }
    return Val::fromList(std::move(parts));
  }

  if (callee == "dropout") {
    // Inference: the identity. It still takes a stage index in a seq, as
    // nn.Dropout does in an nn.Sequential.
    FailureOr<Arguments> args =
        bindTo({required("x"), optional("p", Val::real(0.5))});
    if (failed(args))
      return failure();
    FailureOr<mlir::Value> x = tensorArg(*args, "x");
    if (failed(x))
      return failure();
    return Val::fromTensor(*x);
  }

  // Compile-time functions.
  if (callee == "channels" || callee == "height" || callee == "width" ||
      callee == "batch") {
    FailureOr<Arguments> args = bindTo({required("x")});
    if (failed(args))
      return failure();
    FailureOr<mlir::Value> x = tensorArg(*args, "x", 4);
    if (failed(x))
      return failure();
    int dim = llvm::StringSwitch<int>(callee)
                  .Case("batch", 0)
                  .Case("channels", 1)
                  .Case("height", 2)
                  .Default(3);
    return Val::integer(cast<RankedTensorType>(x->getType()).getDimSize(dim));
  }
  if (callee == "shape") {
    FailureOr<Arguments> args = bindTo({required("x")});
    if (failed(args))
      return failure();
    FailureOr<mlir::Value> x = tensorArg(*args, "x");
    if (failed(x))
      return failure();
    std::vector<Val> sizes;
    for (int64_t size : cast<RankedTensorType>(x->getType()).getShape())
      sizes.push_back(Val::integer(size));
    return Val::fromList(std::move(sizes));
  }
  if (callee == "range") {
    FailureOr<Arguments> args =
        bindTo({required("start_or_end"), optional("end", none)});
    if (failed(args))
      return failure();
    FailureOr<int64_t> first = intArg(*args, "start_or_end");
    if (failed(first))
      return failure();
    int64_t start = 0, end = *first;
    if (!args->get("end").is(Val::Kind::None)) {
      FailureOr<int64_t> last = intArg(*args, "end");
      if (failed(last))
        return failure();
      start = *first;
      end = *last;
    }
    if (end > start &&
        static_cast<uint64_t>(end) - static_cast<uint64_t>(start) > 1'000'000)
      return fail(loc, "range(" + std::to_string(start) + ", " +
                           std::to_string(end) +
                           ") is too long (at most 1000000 values)");
    std::vector<Val> values;
    for (int64_t i = start; i < end; ++i)
      values.push_back(Val::integer(i));
    return Val::fromList(std::move(values));
  }
  if (callee == "len") {
    FailureOr<Arguments> args = bindTo({required("list")});
    if (failed(args))
      return failure();
    const Val &list = args->get("list");
    if (!list.is(Val::Kind::List))
      return fail(args->loc("list"),
                  "len takes a list, but got " + describe(list));
    return Val::integer(static_cast<int64_t>(list.list.size()));
  }
  if (callee == "min" || callee == "max") {
    FailureOr<Arguments> args = bindTo({required("a"), required("b")});
    if (failed(args))
      return failure();
    FailureOr<int64_t> a = intArg(*args, "a");
    if (failed(a))
      return failure();
    FailureOr<int64_t> b = intArg(*args, "b");
    if (failed(b))
      return failure();
    return Val::integer(callee == "min" ? std::min(*a, *b) : std::max(*a, *b));
  }
  if (callee == "str") {
    FailureOr<Arguments> args = bindTo({required("value")});
    if (failed(args))
      return failure();
    const Val &value = args->get("value");
    if (value.is(Val::Kind::String))
      return value;
    if (value.is(Val::Kind::Int))
      return Val::string(std::to_string(value.i));
    return fail(args->loc("value"),
                "str takes an integer or a string, but got " + describe(value));
  }

  return fail(loc, "unknown op or block '" + callee + "'");
}

} // namespace

std::optional<EmittedModel>
cnnc::frontend::emitModel(const Module &module, MLIRContext &context,
                          Diagnostics &diagnostics) {
  context.loadDialect<cnn::CNNDialect, func::FuncDialect>();
  Emitter emitter(module, context, diagnostics);
  return emitter.run();
}
