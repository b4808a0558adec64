//===- ParserImpl.h - the parser of the .cnn model language -----*- C++ -*-===//
//
// Recursive descent over the grammar in docs/language.md. Private to the
// frontend: Parser.cpp holds the tokens, declarations and statements,
// ParseExpressions.cpp the expressions.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_FRONTEND_LIB_PARSERIMPL_H
#define CNNC_FRONTEND_LIB_PARSERIMPL_H

#include "cnnc/Frontend/AST.h"
#include "cnnc/Frontend/Diagnostics.h"
#include "cnnc/Frontend/Lexer.h"
#include "cnnc/Frontend/Limits.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <fmt/format.h>

#include <memory>
#include <optional>

namespace cnnc::frontend::parser {

using llvm::SMLoc;

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

/// The height of the tallest child of a node (0 for a leaf).
unsigned childHeight(const Expr &expr);
unsigned childHeight(const Stmt &statement);
inline const char *nodeKind(const Expr &) { return "expression"; }
inline const char *nodeKind(const Stmt &) { return "statement"; }

class Parser {
public:
  Parser(llvm::StringRef buffer, Diagnostics &diagnostics)
      : lexer(buffer, diagnostics), diagnostics(diagnostics) {
    current = lexer.next();
    lookahead = lexer.next();
  }

  std::optional<Module> parse();

  // Token handling (Parser.cpp).
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

  // Declarations (Parser.cpp).
  /// 'block' NAME '(' or 'model' NAME '(': the declaration and its name, or
  /// null (reported, and the parser resynchronized).
  template <typename Decl>
  std::unique_ptr<Decl> parseDeclarationStart(llvm::StringRef keyword,
                                              llvm::StringRef contents);
  /// ')' BODY after a declaration's parameters or inputs.
  bool parseDeclarationEnd(StmtList &body, llvm::StringRef contents);
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

  // Statements (Parser.cpp).
  StmtPtr parseStatement();
  StmtPtr parseIf();
  StmtPtr parseFor();

  // Expressions (ParseExpressions.cpp).
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
  /// ['as' name] after a call or a seq; false after an error.
  bool parseAsName(Expr &node);

private:
  Lexer lexer;
  Diagnostics &diagnostics;
  Token current, lookahead;
  const char *previousEnd = nullptr;
  unsigned depth = 0; // Nesting of expressions and bodies.
};

} // namespace cnnc::frontend::parser

#endif // CNNC_FRONTEND_LIB_PARSERIMPL_H
