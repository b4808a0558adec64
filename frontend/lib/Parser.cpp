//===- Parser.cpp - parser of the .cnn model language ---------------------===//
//
// Recursive descent over the grammar in docs/language.md.
//
//===----------------------------------------------------------------------===//

#include "cnnc/Frontend/Parser.h"
#include "cnnc/Frontend/Limits.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSet.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

using namespace cnnc::frontend;
using llvm::SMLoc;

namespace {

/// One more level of the parser's recursion, for as long as it lives.
class Nested {
public:
  explicit Nested(unsigned &depth) : depth(depth) { ++depth; }
  ~Nested() { --depth; }
  Nested(const Nested &) = delete;
  Nested &operator=(const Nested &) = delete;

private:
  unsigned &depth;
};

unsigned heightOf(const StmtList &body) {
  unsigned height = 0;
  for (const StmtPtr &statement : body)
    height = std::max(height, statement->height);
  return height;
}

unsigned heightOf(const ExprPtr &expr) { return expr ? expr->height : 0; }

/// The height of the tallest child of a node.
unsigned childHeight(const Expr &expr) {
  unsigned height = std::max(heightOf(expr.name), heightOf(expr.body));
  for (const ExprPtr &operand : expr.operands)
    height = std::max(height, heightOf(operand));
  for (const Argument &argument : expr.arguments)
    height = std::max(height, heightOf(argument.value));
  return height;
}

unsigned childHeight(const Stmt &statement) {
  unsigned height =
      std::max({heightOf(statement.value), heightOf(statement.body),
                heightOf(statement.elseBody)});
  for (const ExprPtr &value : statement.values)
    height = std::max(height, heightOf(value));
  return height;
}

const char *nodeKind(const Expr &) { return "expression"; }
const char *nodeKind(const Stmt &) { return "statement"; }

class Parser {
public:
  Parser(llvm::StringRef buffer, Diagnostics &diagnostics)
      : lexer(buffer, diagnostics), diagnostics(diagnostics) {
    current = lexer.next();
    lookahead = lexer.next();
  }

  std::optional<Module> parse();

private:
  // Token handling.
  const Token &peek() const { return current; }
  const Token &peekNext() const { return lookahead; }
  bool at(TokenKind kind) const { return current.is(kind); }
  Token consume() {
    Token token = current;
    previousEnd = current.text.end();
    current = lookahead;
    lookahead = lexer.next();
    return token;
  }
  bool consumeIf(TokenKind kind) {
    if (!at(kind))
      return false;
    consume();
    return true;
  }
  /// Consumes a token of the given kind or reports "expected ...".
  bool expect(TokenKind kind, llvm::StringRef context);
  void errorAtCurrent(const llvm::Twine &message);
  /// After an error: skips to the start of the next statement or to the '}'
  /// that closes the current body.
  void synchronize();
  bool startsNewLine(const Token &token) const;

  // Declarations.
  std::unique_ptr<BlockDecl> parseBlock();
  std::unique_ptr<ModelDecl> parseModel();
  bool parseBody(StmtList &body);

  /// Gives a finished node its height, and refuses it (reported, null) past
  /// limits::kNesting: so a chain, which the loops below build without
  /// recursing, still counts one level per link, and every recursive walk
  /// of the tree (the emitter, the destructors) stays shallow.
  template <typename Node>
  std::unique_ptr<Node> finish(std::unique_ptr<Node> node) {
    node->height = 1 + childHeight(*node);
    if (node->height <= limits::kNesting)
      return node;
    diagnostics.error(node->loc,
                      fmt::format("{} is nested too deeply: at most {} "
                                  "levels, and each link of a chain such as "
                                  "'a + b + c' or 'x -> f -> g' is one",
                                  nodeKind(*node), limits::kNesting));
    return nullptr;
  }
  /// Whether the parser's recursion is past the limit (then reported).
  bool tooDeep();

  // Statements and expressions.
  StmtPtr parseStatement();
  StmtPtr parseIf();
  StmtPtr parseFor();
  ExprPtr parseExpr();
  /// operand (operator operand)*, for any of `operators`.
  ExprPtr parseLeftAssociative(ExprPtr (Parser::*operand)(),
                               llvm::ArrayRef<TokenKind> operators);
  ExprPtr makeBinary(const Token &op, ExprPtr lhs, ExprPtr rhs);
  /// prefix* operand, e.g. 'not' not | comparison.
  ExprPtr parsePrefix(TokenKind prefix, ExprPtr (Parser::*operand)());
  ExprPtr parseOr();
  ExprPtr parseAnd();
  ExprPtr parseNot();
  ExprPtr parseComparison();
  ExprPtr parseSum();
  ExprPtr parseTerm();
  ExprPtr parseUnary();
  ExprPtr parsePostfix();
  ExprPtr parsePrimary();
  ExprPtr parseCall(Token callee, bool piped);
  bool parseArguments(std::vector<Argument> &arguments, SMLoc open,
                      llvm::StringRef callee);
  ExprPtr parseName();

  Lexer lexer;
  Diagnostics &diagnostics;
  Token current, lookahead;
  const char *previousEnd = nullptr;
  unsigned depth = 0; // Nesting of expressions and bodies.
};

bool Parser::startsNewLine(const Token &token) const {
  if (!previousEnd)
    return true;
  for (const char *p = previousEnd; p < token.text.data(); ++p)
    if (*p == '\n')
      return true;
  return false;
}

void Parser::errorAtCurrent(const llvm::Twine &message) {
  // An Error token was reported by the lexer already.
  if (!at(TokenKind::Error))
    diagnostics.error(peek().loc(), message);
}

bool Parser::expect(TokenKind kind, llvm::StringRef context) {
  if (consumeIf(kind))
    return true;
  if (at(TokenKind::Eof))
    errorAtCurrent("expected " + describe(kind) + " " + context +
                   ", but the file ends here");
  else
    errorAtCurrent("expected " + describe(kind) + " " + context + ", found " +
                   (at(TokenKind::Identifier) || at(TokenKind::Integer)
                        ? "'" + peek().text.str() + "'"
                        : describe(peek().kind).str()));
  return false;
}

void Parser::synchronize() {
  int nesting = 0;
  while (!at(TokenKind::Eof)) {
    if (nesting == 0) {
      if (at(TokenKind::RBrace))
        return;
      if ((at(TokenKind::KwReturn) || at(TokenKind::KwIf) ||
           at(TokenKind::KwFor) || at(TokenKind::KwBlock) ||
           at(TokenKind::KwModel) ||
           (at(TokenKind::Identifier) && (peekNext().is(TokenKind::Assign) ||
                                          peekNext().is(TokenKind::Colon)))) &&
          startsNewLine(peek()))
        return;
      if (consumeIf(TokenKind::Semicolon))
        return;
    }
    if (at(TokenKind::LParen) || at(TokenKind::LBracket) ||
        at(TokenKind::LBrace))
      ++nesting;
    else if ((at(TokenKind::RParen) || at(TokenKind::RBracket) ||
              at(TokenKind::RBrace)) &&
             nesting > 0)
      --nesting;
    consume();
  }
}

std::optional<Module> Parser::parse() {
  Module module;
  llvm::StringSet<> blockNames;
  while (!at(TokenKind::Eof) && !diagnostics.tooMany()) {
    if (at(TokenKind::KwBlock)) {
      if (auto block = parseBlock()) {
        if (!blockNames.insert(block->name).second)
          diagnostics.error(block->loc,
                            "block '" + block->name + "' is defined twice");
        module.blocks.push_back(std::move(block));
      }
      continue;
    }
    if (at(TokenKind::KwModel)) {
      SMLoc loc = peek().loc();
      auto model = parseModel();
      if (model && module.model) {
        diagnostics.error(loc, "a file describes one model, but '" +
                                   model->name + "' is a second one");
        diagnostics.note(module.model->loc, "the first model is here");
      } else if (model) {
        module.model = std::move(model);
      }
      continue;
    }
    errorAtCurrent("expected 'block' or 'model' at the top level, found " +
                   (at(TokenKind::Identifier) ? "'" + peek().text.str() + "'"
                                              : describe(peek().kind).str()));
    consume();
    synchronize();
    // A stray '}' at the top level would stop synchronize forever.
    consumeIf(TokenKind::RBrace);
  }
  if (diagnostics.numErrors() == 0 && !module.model) {
    llvm::SMLoc end = peek().loc();
    diagnostics.error(end, "the file declares no model: write "
                           "'model NAME(input: f32[...]) { ... }'");
  }
  if (diagnostics.numErrors() != 0)
    return std::nullopt;
  return module;
}

std::unique_ptr<BlockDecl> Parser::parseBlock() {
  consume(); // 'block'
  auto block = std::make_unique<BlockDecl>();
  block->loc = peek().loc();
  block->name = peek().text.str();
  if (!expect(TokenKind::Identifier, "after 'block'") ||
      !expect(TokenKind::LParen, "before the block's parameters")) {
    synchronize();
    return nullptr;
  }
  llvm::StringSet<> names;
  if (!at(TokenKind::RParen)) {
    do {
      Parameter parameter;
      parameter.loc = peek().loc();
      parameter.name = peek().text.str();
      if (!expect(TokenKind::Identifier, "as a parameter name")) {
        synchronize();
        return nullptr;
      }
      if (!names.insert(parameter.name).second)
        diagnostics.error(parameter.loc,
                          "parameter '" + parameter.name + "' appears twice");
      if (consumeIf(TokenKind::Assign)) {
        parameter.defaultValue = parseExpr();
        if (!parameter.defaultValue) {
          synchronize();
          return nullptr;
        }
      } else if (!block->parameters.empty() &&
                 block->parameters.back().defaultValue) {
        diagnostics.error(parameter.loc,
                          "parameter '" + parameter.name +
                              "' needs a default value: it follows one");
      }
      block->parameters.push_back(std::move(parameter));
    } while (consumeIf(TokenKind::Comma));
  }
  if (!expect(TokenKind::RParen, "after the block's parameters") ||
      !parseBody(block->body)) {
    synchronize();
    return nullptr;
  }
  return block;
}

std::unique_ptr<ModelDecl> Parser::parseModel() {
  consume(); // 'model'
  auto model = std::make_unique<ModelDecl>();
  model->loc = peek().loc();
  model->name = peek().text.str();
  if (!expect(TokenKind::Identifier, "after 'model'") ||
      !expect(TokenKind::LParen, "before the model's inputs")) {
    synchronize();
    return nullptr;
  }
  do {
    InputDecl input;
    input.loc = peek().loc();
    input.name = peek().text.str();
    if (!expect(TokenKind::Identifier, "as an input name") ||
        !expect(TokenKind::Colon, "between an input's name and its type")) {
      synchronize();
      return nullptr;
    }
    SMLoc typeLoc = peek().loc();
    input.elementType = peek().text.str();
    if (!expect(TokenKind::Identifier, "as the element type (f32, f16, bf16 "
                                       "or f64)")) {
      synchronize();
      return nullptr;
    }
    if (input.elementType != "f32" && input.elementType != "f16" &&
        input.elementType != "bf16" && input.elementType != "f64")
      diagnostics.error(typeLoc, "unknown element type '" + input.elementType +
                                     "': use f32, f16, bf16 or f64");
    if (!expect(TokenKind::LBracket, "before the input's shape")) {
      synchronize();
      return nullptr;
    }
    do {
      Token size = peek();
      if (!expect(TokenKind::Integer, "as a dimension size")) {
        synchronize();
        return nullptr;
      }
      if (size.intValue <= 0)
        diagnostics.error(size.loc(), "dimension sizes must be positive");
      input.shape.push_back(size.intValue);
    } while (consumeIf(TokenKind::Comma));
    if (!expect(TokenKind::RBracket, "after the input's shape")) {
      synchronize();
      return nullptr;
    }
    model->inputs.push_back(std::move(input));
  } while (consumeIf(TokenKind::Comma));
  if (!expect(TokenKind::RParen, "after the model's inputs") ||
      !parseBody(model->body)) {
    synchronize();
    return nullptr;
  }
  return model;
}

bool Parser::parseBody(StmtList &body) {
  SMLoc open = peek().loc();
  if (!expect(TokenKind::LBrace, "to open a body"))
    return false;
  Nested nested(depth);
  if (depth > limits::kNesting) {
    errorAtCurrent(fmt::format(
        "bodies are nested too deeply: at most {} levels", limits::kNesting));
    return false;
  }
  while (!at(TokenKind::RBrace) && !at(TokenKind::Eof) &&
         !diagnostics.tooMany()) {
    if (at(TokenKind::KwBlock) || at(TokenKind::KwModel)) {
      // Most likely a missing '}' before the next declaration.
      errorAtCurrent("expected '}' to close the body before this " +
                     describe(peek().kind));
      diagnostics.note(open, "the body opens here");
      return false;
    }
    if (StmtPtr statement = parseStatement()) {
      body.push_back(std::move(statement));
      consumeIf(TokenKind::Semicolon);
    } else {
      synchronize();
    }
  }
  if (expect(TokenKind::RBrace, "to close the body"))
    return true;
  if (!diagnostics.tooMany())
    diagnostics.note(open, "the body opens here");
  return false;
}

StmtPtr Parser::parseStatement() {
  SMLoc loc = peek().loc();
  if (at(TokenKind::KwIf))
    return parseIf();
  if (at(TokenKind::KwFor))
    return parseFor();
  if (consumeIf(TokenKind::KwReturn)) {
    auto statement = std::make_unique<Stmt>(Stmt::Kind::Return, loc);
    do {
      ExprPtr value = parseExpr();
      if (!value)
        return nullptr;
      statement->values.push_back(std::move(value));
    } while (consumeIf(TokenKind::Comma));
    return finish(std::move(statement));
  }
  if (at(TokenKind::Identifier) &&
      (peekNext().is(TokenKind::Assign) || peekNext().is(TokenKind::Colon))) {
    Token target = consume();
    bool labeled = consume().is(TokenKind::Colon);
    auto statement = std::make_unique<Stmt>(
        labeled ? Stmt::Kind::Labeled : Stmt::Kind::Assign, loc);
    statement->target = target.text.str();
    statement->targetLoc = target.loc();
    statement->value = parseExpr();
    if (!statement->value)
      return nullptr;
    return finish(std::move(statement));
  }
  auto statement = std::make_unique<Stmt>(Stmt::Kind::Expr, loc);
  statement->value = parseExpr();
  if (!statement->value)
    return nullptr;
  return finish(std::move(statement));
}

StmtPtr Parser::parseIf() {
  auto statement = std::make_unique<Stmt>(Stmt::Kind::If, consume().loc());
  statement->value = parseExpr();
  if (!statement->value || !parseBody(statement->body))
    return nullptr;
  if (consumeIf(TokenKind::KwElse)) {
    if (at(TokenKind::KwIf)) {
      StmtPtr elseIf = parseIf();
      if (!elseIf)
        return nullptr;
      statement->elseBody.push_back(std::move(elseIf));
    } else if (!parseBody(statement->elseBody)) {
      return nullptr;
    }
  }
  return finish(std::move(statement));
}

StmtPtr Parser::parseFor() {
  auto statement = std::make_unique<Stmt>(Stmt::Kind::For, consume().loc());
  statement->targetLoc = peek().loc();
  statement->target = peek().text.str();
  if (!expect(TokenKind::Identifier, "as the loop variable") ||
      !expect(TokenKind::KwIn, "after the loop variable"))
    return nullptr;
  statement->value = parseExpr();
  if (!statement->value || !parseBody(statement->body))
    return nullptr;
  return finish(std::move(statement));
}

bool Parser::tooDeep() {
  if (depth <= limits::kNesting)
    return false;
  errorAtCurrent(fmt::format("expression is nested too deeply: at most {} "
                             "levels",
                             limits::kNesting));
  return true;
}

ExprPtr Parser::parseExpr() {
  Nested nested(depth);
  if (tooDeep())
    return nullptr;
  ExprPtr value = parseOr();
  while (value && at(TokenKind::Arrow)) {
    consume();
    Token callee = peek();
    if (!expect(TokenKind::Identifier, "after '->' (an op or block name)"))
      return nullptr;
    ExprPtr call = parseCall(callee, /*piped=*/true);
    if (!call)
      return nullptr;
    call->operands.insert(call->operands.begin(), std::move(value));
    value = finish(std::move(call));
  }
  return value;
}

ExprPtr Parser::parseLeftAssociative(ExprPtr (Parser::*operand)(),
                                     llvm::ArrayRef<TokenKind> operators) {
  ExprPtr lhs = (this->*operand)();
  while (lhs && llvm::is_contained(operators, peek().kind)) {
    Token op = consume();
    ExprPtr rhs = (this->*operand)();
    if (!rhs)
      return nullptr;
    lhs = makeBinary(op, std::move(lhs), std::move(rhs));
  }
  return lhs;
}

ExprPtr Parser::makeBinary(const Token &op, ExprPtr lhs, ExprPtr rhs) {
  auto binary = std::make_unique<Expr>(Expr::Kind::Binary, op.loc());
  binary->op = op.kind;
  binary->operands.push_back(std::move(lhs));
  binary->operands.push_back(std::move(rhs));
  return finish(std::move(binary));
}

ExprPtr Parser::parseOr() {
  return parseLeftAssociative(&Parser::parseAnd, {TokenKind::KwOr});
}

ExprPtr Parser::parseAnd() {
  return parseLeftAssociative(&Parser::parseNot, {TokenKind::KwAnd});
}

ExprPtr Parser::parseNot() {
  return parsePrefix(TokenKind::KwNot, &Parser::parseComparison);
}

ExprPtr Parser::parseComparison() {
  ExprPtr lhs = parseSum();
  if (!lhs)
    return nullptr;
  switch (peek().kind) {
  case TokenKind::Equal:
  case TokenKind::NotEqual:
  case TokenKind::Less:
  case TokenKind::LessEqual:
  case TokenKind::Greater:
  case TokenKind::GreaterEqual: {
    Token op = consume();
    ExprPtr rhs = parseSum();
    if (!rhs)
      return nullptr;
    return makeBinary(op, std::move(lhs), std::move(rhs));
  }
  default:
    return lhs;
  }
}

ExprPtr Parser::parseSum() {
  return parseLeftAssociative(&Parser::parseTerm,
                              {TokenKind::Plus, TokenKind::Minus});
}

ExprPtr Parser::parseTerm() {
  return parseLeftAssociative(
      &Parser::parseUnary,
      {TokenKind::Star, TokenKind::Slash, TokenKind::Percent});
}

ExprPtr Parser::parseUnary() {
  return parsePrefix(TokenKind::Minus, &Parser::parsePostfix);
}

ExprPtr Parser::parsePrefix(TokenKind prefix, ExprPtr (Parser::*operand)()) {
  if (!at(prefix))
    return (this->*operand)();
  Token op = consume();
  Nested nested(depth);
  if (tooDeep())
    return nullptr;
  ExprPtr value = parsePrefix(prefix, operand);
  if (!value)
    return nullptr;
  auto unary = std::make_unique<Expr>(Expr::Kind::Unary, op.loc());
  unary->op = op.kind;
  unary->operands.push_back(std::move(value));
  return finish(std::move(unary));
}

ExprPtr Parser::parsePostfix() {
  ExprPtr value = parsePrimary();
  while (value && at(TokenKind::LBracket)) {
    Token open = consume();
    ExprPtr index = parseExpr();
    if (!index || !expect(TokenKind::RBracket, "after the index"))
      return nullptr;
    auto indexed = std::make_unique<Expr>(Expr::Kind::Index, open.loc());
    indexed->operands.push_back(std::move(value));
    indexed->operands.push_back(std::move(index));
    value = finish(std::move(indexed));
  }
  return value;
}

ExprPtr Parser::parseName() {
  // `as NAME`: an identifier or integer stands for itself.
  Token token = peek();
  // Keywords are fine as names too: `as block`.
  bool isWord = !token.text.empty() &&
                (std::isalpha(static_cast<unsigned char>(token.text.front())) ||
                 token.text.front() == '_');
  if (at(TokenKind::Identifier) || at(TokenKind::Integer) || isWord) {
    consume();
    auto name = std::make_unique<Expr>(Expr::Kind::String, token.loc());
    name->text = token.text.str();
    name->op = token.kind; // Marks a bare identifier for the emitter.
    return name;
  }
  if (at(TokenKind::String) || at(TokenKind::LParen))
    return parsePrimary();
  errorAtCurrent("expected a name after 'as': an identifier, an integer, a "
                 "string or a parenthesized expression");
  return nullptr;
}

bool Parser::parseArguments(std::vector<Argument> &arguments, SMLoc open,
                            llvm::StringRef callee) {
  bool sawKeyword = false;
  while (!at(TokenKind::RParen)) {
    Argument argument;
    argument.loc = peek().loc();
    if (at(TokenKind::Identifier) && peekNext().is(TokenKind::Assign)) {
      argument.keyword = consume().text.str();
      consume(); // '='
      for (const Argument &other : arguments)
        if (other.keyword == argument.keyword) {
          diagnostics.error(argument.loc, "keyword argument '" +
                                              argument.keyword +
                                              "' is given twice");
          return false;
        }
      sawKeyword = true;
    } else if (sawKeyword) {
      errorAtCurrent("positional argument after a keyword argument");
      return false;
    }
    argument.value = parseExpr();
    if (!argument.value)
      return false;
    arguments.push_back(std::move(argument));
    if (!consumeIf(TokenKind::Comma))
      break;
  }
  if (expect(TokenKind::RParen, "to close the argument list"))
    return true;
  diagnostics.note(open, "the argument list of '" + callee + "' opens here");
  return false;
}

ExprPtr Parser::parseCall(Token callee, bool piped) {
  auto call = std::make_unique<Expr>(Expr::Kind::Call, callee.loc());
  call->text = callee.text.str();
  call->takesPipedInput = piped;
  SMLoc open = peek().loc();
  if (consumeIf(TokenKind::LParen) &&
      !parseArguments(call->arguments, open, call->text))
    return nullptr;
  if (consumeIf(TokenKind::KwAs)) {
    call->name = parseName();
    if (!call->name)
      return nullptr;
  }
  return finish(std::move(call));
}

ExprPtr Parser::parsePrimary() {
  Token token = peek();
  switch (token.kind) {
  case TokenKind::Integer: {
    consume();
    auto value = std::make_unique<Expr>(Expr::Kind::Integer, token.loc());
    value->intValue = token.intValue;
    return value;
  }
  case TokenKind::Float: {
    consume();
    auto value = std::make_unique<Expr>(Expr::Kind::Float, token.loc());
    value->floatValue = token.floatValue;
    return value;
  }
  case TokenKind::String: {
    consume();
    auto value = std::make_unique<Expr>(Expr::Kind::String, token.loc());
    value->text = token.text.drop_front().drop_back().str();
    return value;
  }
  case TokenKind::KwTrue:
  case TokenKind::KwFalse: {
    consume();
    auto value = std::make_unique<Expr>(Expr::Kind::Bool, token.loc());
    value->intValue = token.is(TokenKind::KwTrue);
    return value;
  }
  case TokenKind::Identifier: {
    consume();
    if (at(TokenKind::LParen))
      return parseCall(token, /*piped=*/false);
    auto name = std::make_unique<Expr>(Expr::Kind::Name, token.loc());
    name->text = token.text.str();
    return name;
  }
  case TokenKind::LParen: {
    consume();
    ExprPtr value = parseExpr();
    if (!value || !expect(TokenKind::RParen, "to close the parenthesis"))
      return nullptr;
    return value;
  }
  case TokenKind::LBracket: {
    consume();
    auto list = std::make_unique<Expr>(Expr::Kind::List, token.loc());
    while (!at(TokenKind::RBracket)) {
      ExprPtr element = parseExpr();
      if (!element)
        return nullptr;
      list->operands.push_back(std::move(element));
      if (!consumeIf(TokenKind::Comma))
        break;
    }
    if (!expect(TokenKind::RBracket, "to close the list"))
      return nullptr;
    return finish(std::move(list));
  }
  case TokenKind::KwSeq: {
    consume();
    auto seq = std::make_unique<Expr>(Expr::Kind::Seq, token.loc());
    if (!expect(TokenKind::LParen, "after 'seq'"))
      return nullptr;
    ExprPtr input = parseExpr();
    if (!input || !expect(TokenKind::RParen, "after the seq's input"))
      return nullptr;
    seq->operands.push_back(std::move(input));
    if (!parseBody(seq->body))
      return nullptr;
    if (consumeIf(TokenKind::KwAs)) {
      seq->name = parseName();
      if (!seq->name)
        return nullptr;
    }
    return finish(std::move(seq));
  }
  case TokenKind::Eof:
    errorAtCurrent("expected an expression, but the file ends here");
    return nullptr;
  default:
    errorAtCurrent("expected an expression, found " +
                   (token.is(TokenKind::Identifier)
                        ? "'" + token.text.str() + "'"
                        : describe(token.kind).str()));
    return nullptr;
  }
}

} // namespace

std::optional<Module> cnnc::frontend::parseModule(Diagnostics &diagnostics) {
  llvm::SourceMgr &sourceMgr = diagnostics.getSourceMgr();
  llvm::StringRef buffer =
      sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID())->getBuffer();
  Parser parser(buffer, diagnostics);
  return parser.parse();
}
