//===- ParseExpressions.cpp - expressions of the .cnn model language ------===//
//
// From `expr` down to `primary` in the grammar of docs/language.md. Chains
// are built by loops, and finish() counts each link against the nesting
// limit.
//
//===----------------------------------------------------------------------===//

#include "ParserImpl.h"

#include "llvm/ADT/STLExtras.h"

#include <cctype>

using namespace cnnc::frontend;
using namespace cnnc::frontend::parser;

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
    // `as conv-1` would parse as `(... as conv) - 1`: a tensor minus an
    // integer, far from the mistake. Names that are not identifiers are
    // strings.
    if (at(TokenKind::Minus) && peek().text.data() == token.text.end() &&
        !peekNext().is(TokenKind::Eof) &&
        peekNext().text.data() == peek().text.end()) {
      std::string written = (token.text + peek().text + peekNext().text).str();
      diagnostics.error(token.loc(),
                        "a name with '-' must be a string: 'as \"" + written +
                            "\"', not 'as " + written + "'");
      return nullptr;
    }
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

bool Parser::parseAsName(Expr &node) {
  if (!consumeIf(TokenKind::KwAs))
    return true;
  node.name = parseName();
  return node.name != nullptr;
}

ExprPtr Parser::parseCall(Token callee, bool piped) {
  auto call = std::make_unique<Expr>(Expr::Kind::Call, callee.loc());
  call->text = callee.text.str();
  call->takesPipedInput = piped;
  SMLoc open = peek().loc();
  if (consumeIf(TokenKind::LParen) &&
      !parseArguments(call->arguments, open, call->text))
    return nullptr;
  if (!parseAsName(*call))
    return nullptr;
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
    // `seq { ... }` without an input: a stage of an enclosing seq, which
    // passes it its value (a nested nn.Sequential).
    if (!at(TokenKind::LBrace)) {
      if (!expect(TokenKind::LParen, "after 'seq' (or '{' for a nested seq)"))
        return nullptr;
      ExprPtr input = parseExpr();
      if (!input || !expect(TokenKind::RParen, "after the seq's input"))
        return nullptr;
      seq->operands.push_back(std::move(input));
    }
    if (!parseBody(seq->body) || !parseAsName(*seq))
      return nullptr;
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
