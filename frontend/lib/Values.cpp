//===- Values.cpp - values, scopes and expressions of the language --------===//

#include "Interpreter.h"

#include "cnnc/Dialect/CNNOps.h"

#include "llvm/Support/MathExtras.h"

#include <fmt/format.h>

using namespace mlir;
using namespace cnnc::frontend;
using namespace cnnc::frontend::interp;
namespace cnn = cnnc::cnn;

//===----------------------------------------------------------------------===//
// Values.
//===----------------------------------------------------------------------===//

Val Val::integer(int64_t v) {
  Val r;
  r.kind = Kind::Int;
  r.i = v;
  return r;
}

Val Val::real(double v) {
  Val r;
  r.kind = Kind::Float;
  r.f = v;
  return r;
}

Val Val::boolean(bool v) {
  Val r;
  r.kind = Kind::Bool;
  r.i = v;
  return r;
}

Val Val::string(std::string v) {
  Val r;
  r.kind = Kind::String;
  r.s = std::make_shared<const std::string>(std::move(v));
  return r;
}

Val Val::fromTensor(mlir::Value v) {
  Val r;
  r.kind = Kind::Tensor;
  r.tensor = v;
  return r;
}

Val Val::fromList(std::vector<Val> v) {
  Val r;
  r.kind = Kind::List;
  for (const Val &element : v)
    r.listNesting = std::max(r.listNesting, element.listNesting);
  ++r.listNesting;
  r.list = std::make_shared<const std::vector<Val>>(std::move(v));
  return r;
}

const std::string &Val::text() const {
  static const std::string empty;
  return s ? *s : empty;
}

const std::vector<Val> &Val::elements() const {
  static const std::vector<Val> empty;
  return list ? *list : empty;
}

LogicalResult Emitter::checkSize(SMLoc loc, uint64_t size, Val::Kind kind) {
  if (size <= static_cast<uint64_t>(limits::kListSize))
    return success();
  return fail(loc,
              fmt::format("this {} would have {} {} (at most {})",
                          kind == Val::Kind::List ? "list" : "string", size,
                          kind == Val::Kind::List ? "values" : "characters",
                          limits::kListSize));
}

LogicalResult Emitter::spend(SMLoc loc, int64_t units) {
  work += units;
  if (work <= limits::kWork)
    return success();
  return fail(loc, fmt::format("the model takes too much work to evaluate: "
                               "more than {} list elements, string "
                               "characters and ops built (a long list copied "
                               "in a loop?)",
                               limits::kWork));
}

FailureOr<Val> Emitter::makeList(SMLoc loc, std::vector<Val> elements) {
  if (failed(checkSize(loc, elements.size(), Val::Kind::List)) ||
      failed(spend(loc, static_cast<int64_t>(elements.size()))))
    return failure();
  Val list = Val::fromList(std::move(elements));
  if (list.nesting() > limits::kListNesting)
    return fail(
        loc, fmt::format("lists nest more than {} deep", limits::kListNesting));
  return list;
}

FailureOr<Val> Emitter::makeString(SMLoc loc, std::string text) {
  if (failed(checkSize(loc, text.size(), Val::Kind::String)) ||
      failed(spend(loc, static_cast<int64_t>(text.size()))))
    return failure();
  return Val::string(std::move(text));
}

std::string interp::formatShape(ArrayRef<int64_t> shape) {
  return fmt::format("[{}]", fmt::join(shape, ", "));
}

std::string interp::describe(const Val &value) {
  switch (value.kind) {
  case Val::Kind::None:
    return "none";
  case Val::Kind::Int:
    return fmt::format("integer {}", value.i);
  case Val::Kind::Float:
    return fmt::format("number {:f}", value.f);
  case Val::Kind::Bool:
    return value.i ? "true" : "false";
  case Val::Kind::String:
    return fmt::format("string \"{}\"", value.text());
  case Val::Kind::Tensor: {
    std::string element;
    llvm::raw_string_ostream os(element);
    os << value.tensorType().getElementType();
    return "tensor " + element + formatShape(value.tensorType().getShape());
  }
  case Val::Kind::List:
    return fmt::format("list of {} values", value.elements().size());
  }
  return "value";
}

//===----------------------------------------------------------------------===//
// Scopes.
//===----------------------------------------------------------------------===//

namespace {

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

} // namespace

FailureOr<Val> Emitter::lookup(const Expr &expr, Frame &frame) {
  auto it = frame.variables.find(expr.text);
  if (it != frame.variables.end())
    return it->second;
  if (blocks.count(expr.text))
    return fail(expr.loc, "'" + expr.text + "' is a block: call it, e.g. '" +
                              expr.text + "(...)'");
  if (std::optional<SMLoc> later = findDefinition(*frame.body, expr.text))
    return fail(
        expr.loc,
        fmt::format("'{}' is used before it is defined (at line {})", expr.text,
                    diagnostics.getSourceMgr().getLineAndColumn(*later).first));
  return fail(expr.loc, "'" + expr.text + "' is not defined");
}

FailureOr<std::optional<std::string>>
Emitter::evaluateName(const Expr *nameExpr, Frame &frame,
                      std::optional<std::string> fallback) {
  if (!nameExpr)
    return fallback;
  const std::string &word = nameExpr->text;
  if (nameExpr->op == TokenKind::Identifier && frame.variables.count(word))
    return fail(nameExpr->loc,
                fmt::format("'{0}' is a variable, so 'as {0}' is ambiguous: "
                            "write 'as ({0})' for its value or 'as \"{0}\"' "
                            "for the name itself",
                            word));
  FailureOr<Val> name = evaluate(*nameExpr, frame);
  if (failed(name))
    return failure();
  std::string text;
  if (name->is(Val::Kind::String))
    text = name->text();
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

//===----------------------------------------------------------------------===//
// Expressions.
//===----------------------------------------------------------------------===//

FailureOr<Val> Emitter::evaluate(const Expr &expr, Frame &frame,
                                 std::optional<std::string> nameHint) {
  Level level(*this);
  if (level.tooDeep(expr.loc))
    return failure();
  switch (expr.kind) {
  case Expr::Kind::Integer:
    return Val::integer(expr.intValue);
  case Expr::Kind::Float:
    return Val::real(expr.floatValue);
  case Expr::Kind::String:
    return makeString(expr.loc, expr.text);
  case Expr::Kind::Bool:
    return Val::boolean(expr.intValue);
  case Expr::Kind::Name:
    return lookup(expr, frame);
  case Expr::Kind::List: {
    FailureOr<std::vector<Val>> elements = evaluateAll(expr.operands, frame);
    if (failed(elements))
      return failure();
    return makeList(expr.loc, std::move(*elements));
  }
  case Expr::Kind::Unary:
    return evaluateUnary(expr, frame);
  case Expr::Kind::Binary:
    return evaluateBinary(expr, frame);
  case Expr::Kind::Index:
    return evaluateIndex(expr, frame);
  case Expr::Kind::Call: {
    // `x -> f(b)` is `f(x, b)`: the last call of a chain is the whole
    // right-hand side and takes its name; the calls before it (evaluated
    // as its input) take none.
    std::optional<Val> piped;
    if (expr.takesPipedInput) {
      FailureOr<Val> input = evaluate(*expr.operands[0], frame);
      if (failed(input))
        return failure();
      piped = std::move(*input);
    }
    return evaluateCall(expr, frame, std::move(piped), nameHint);
  }
  case Expr::Kind::Seq:
    if (expr.operands.empty())
      return fail(expr.loc, "'seq { ... }' without an input is a stage of "
                            "an enclosing seq, which passes it its value; "
                            "elsewhere write 'seq(x) { ... }'");
    return evaluateSeq(expr, frame, /*piped=*/std::nullopt, nameHint);
  }
  return fail(expr.loc, "unsupported expression");
}

FailureOr<std::vector<Val>> Emitter::evaluateAll(ArrayRef<ExprPtr> exprs,
                                                 Frame &frame) {
  std::vector<Val> values;
  for (const ExprPtr &expr : exprs) {
    FailureOr<Val> value = evaluate(*expr, frame);
    if (failed(value))
      return failure();
    values.push_back(std::move(*value));
  }
  return values;
}

FailureOr<Val> Emitter::evaluateUnary(const Expr &expr, Frame &frame) {
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

FailureOr<Val> Emitter::evaluateIndex(const Expr &expr, Frame &frame) {
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
                "an index must be an integer, but this is " + describe(*index));
  int64_t size = static_cast<int64_t>(list->elements().size());
  int64_t i = index->i < 0 ? index->i + size : index->i;
  if (i < 0 || i >= size)
    return fail(expr.operands[1]->loc,
                fmt::format("index {} is out of range for a list of {} values",
                            index->i, size));
  return list->elements()[i];
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
  return applyBinary(expr, *lhs, *rhs);
}

namespace {

/// A comparison's value, or std::nullopt when `op` is not one.
template <typename T>
std::optional<bool> compare(TokenKind op, const T &a, const T &b) {
  switch (op) {
  case TokenKind::Equal:
    return a == b;
  case TokenKind::NotEqual:
    return a != b;
  case TokenKind::Less:
    return a < b;
  case TokenKind::LessEqual:
    return a <= b;
  case TokenKind::Greater:
    return a > b;
  case TokenKind::GreaterEqual:
    return a >= b;
  default:
    return std::nullopt;
  }
}

/// Floor division and a remainder with the divisor's sign, as Python.
std::pair<int64_t, int64_t> floorDivide(int64_t a, int64_t b) {
  int64_t q = a / b, m = a % b;
  if (m != 0 && ((m < 0) != (b < 0))) {
    --q;
    m += b;
  }
  return {q, m};
}

} // namespace

FailureOr<Val> Emitter::applyBinary(const Expr &expr, const Val &lhs,
                                    const Val &rhs) {
  TokenKind op = expr.op;
  auto mismatch = [&]() -> FailureOr<Val> {
    return fail(expr.loc, "cannot apply " + describe(op) + " to " +
                              describe(lhs) + " and " + describe(rhs));
  };

  // Tensors: + and * are the residual add and the broadcasting multiply.
  if (lhs.is(Val::Kind::Tensor) || rhs.is(Val::Kind::Tensor)) {
    if (!lhs.is(Val::Kind::Tensor) || !rhs.is(Val::Kind::Tensor))
      return mismatch();
    FailureOr<mlir::Value> result;
    if (op == TokenKind::Plus)
      result = create<cnn::AddOp>(expr.loc, lhs.tensor, rhs.tensor);
    else if (op == TokenKind::Star)
      result = create<cnn::MulOp>(expr.loc, lhs.tensor, rhs.tensor);
    else
      return fail(expr.loc,
                  describe(op) + " is not defined on tensors (only + and *)");
    if (failed(result))
      return failure();
    return Val::fromTensor(*result);
  }

  // Lists and strings concatenate.
  if (op == TokenKind::Plus && lhs.is(Val::Kind::List) &&
      rhs.is(Val::Kind::List)) {
    const std::vector<Val> &a = lhs.elements(), &b = rhs.elements();
    if (failed(checkSize(expr.loc, a.size() + b.size(), Val::Kind::List)))
      return failure();
    std::vector<Val> joined;
    joined.reserve(a.size() + b.size());
    llvm::append_range(joined, a);
    llvm::append_range(joined, b);
    return makeList(expr.loc, std::move(joined));
  }
  if (lhs.is(Val::Kind::String) && rhs.is(Val::Kind::String)) {
    if (op == TokenKind::Plus) {
      const std::string &a = lhs.text(), &b = rhs.text();
      if (failed(checkSize(expr.loc, a.size() + b.size(), Val::Kind::String)))
        return failure();
      return makeString(expr.loc, a + b);
    }
    // As Python: by code points, which UTF-8's byte order preserves.
    if (std::optional<bool> comparison = compare(op, lhs.text(), rhs.text()))
      return Val::boolean(*comparison);
    return mismatch();
  }
  if (lhs.is(Val::Kind::Bool) && rhs.is(Val::Kind::Bool) &&
      (op == TokenKind::Equal || op == TokenKind::NotEqual))
    return Val::boolean((lhs.i == rhs.i) == (op == TokenKind::Equal));

  bool lhsNumber = lhs.is(Val::Kind::Int) || lhs.is(Val::Kind::Float);
  bool rhsNumber = rhs.is(Val::Kind::Int) || rhs.is(Val::Kind::Float);
  if (!lhsNumber || !rhsNumber)
    return mismatch();

  if (lhs.is(Val::Kind::Int) && rhs.is(Val::Kind::Int)) {
    int64_t a = lhs.i, b = rhs.i, r = 0;
    if (std::optional<bool> comparison = compare(op, a, b))
      return Val::boolean(*comparison);
    bool overflow = false;
    switch (op) {
    case TokenKind::Plus:
      overflow = llvm::AddOverflow(a, b, r);
      break;
    case TokenKind::Minus:
      overflow = llvm::SubOverflow(a, b, r);
      break;
    case TokenKind::Star:
      overflow = llvm::MulOverflow(a, b, r);
      break;
    case TokenKind::Slash:
    case TokenKind::Percent:
      if (b == 0)
        return fail(expr.loc, "division by zero");
      overflow = a == INT64_MIN && b == -1;
      if (!overflow) {
        auto [quotient, remainder] = floorDivide(a, b);
        r = op == TokenKind::Slash ? quotient : remainder;
      }
      break;
    default:
      return mismatch();
    }
    if (overflow)
      return fail(expr.loc, fmt::format("integer overflow in {} {} {}", a,
                                        describe(op).trim("'"), b));
    return Val::integer(r);
  }

  double a = lhs.is(Val::Kind::Int) ? static_cast<double>(lhs.i) : lhs.f;
  double b = rhs.is(Val::Kind::Int) ? static_cast<double>(rhs.i) : rhs.f;
  if (std::optional<bool> comparison = compare(op, a, b))
    return Val::boolean(*comparison);
  switch (op) {
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
  default:
    return mismatch();
  }
}
