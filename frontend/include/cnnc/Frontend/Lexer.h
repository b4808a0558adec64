//===- Lexer.h - tokens of the .cnn model language --------------*- C++ -*-===//

#ifndef CNNC_FRONTEND_LEXER_H
#define CNNC_FRONTEND_LEXER_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/SMLoc.h"

#include <cstdint>

namespace cnnc::frontend {

class Diagnostics;

enum class TokenKind {
  Eof,
  Error, // A malformed token, already reported.
  Identifier,
  Integer,
  Float,
  String,
  // Keywords.
  KwModel,
  KwBlock,
  KwReturn,
  KwIf,
  KwElse,
  KwFor,
  KwIn,
  KwSeq,
  KwAs,
  KwAnd,
  KwOr,
  KwNot,
  KwTrue,
  KwFalse,
  // Punctuation and operators.
  LParen,
  RParen,
  LBrace,
  RBrace,
  LBracket,
  RBracket,
  Comma,
  Colon,
  Semicolon,
  Assign,
  Arrow,
  Plus,
  Minus,
  Star,
  Slash,
  Percent,
  Equal,
  NotEqual,
  Less,
  LessEqual,
  Greater,
  GreaterEqual,
};

/// Human-readable name of a token kind, for diagnostics ("'{'", "identifier").
llvm::StringRef describe(TokenKind kind);

struct Token {
  TokenKind kind = TokenKind::Eof;
  llvm::StringRef text;  // The token's characters in the source buffer.
  int64_t intValue = 0;  // Integer.
  double floatValue = 0; // Float.

  llvm::SMLoc loc() const { return llvm::SMLoc::getFromPointer(text.data()); }
  bool is(TokenKind k) const { return kind == k; }
};

/// Splits a source buffer into tokens. Comments run from '#' to the end of the
/// line; newlines are whitespace. Malformed input (a stray character, an
/// unterminated string, an integer that does not fit in 64 bits, bytes that
/// are not UTF-8) is reported and yields an Error token.
class Lexer {
public:
  Lexer(llvm::StringRef buffer, Diagnostics &diagnostics);

  Token next();

private:
  Token make(TokenKind kind, const char *start);
  Token lexNumber(const char *start);
  Token lexString(const char *start);
  Token lexIdentifier(const char *start);
  void skipWhitespaceAndComments();

  llvm::StringRef buffer;
  const char *cursor;
  Diagnostics &diagnostics;
};

} // namespace cnnc::frontend

#endif // CNNC_FRONTEND_LEXER_H
