//===- Lexer.cpp - tokens of the .cnn model language ----------------------===//

#include "cnnc/Frontend/Lexer.h"
#include "cnnc/Frontend/Diagnostics.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/ConvertUTF.h"

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <string>

using namespace cnnc::frontend;

llvm::StringRef cnnc::frontend::describe(TokenKind kind) {
  switch (kind) {
  case TokenKind::Eof:
    return "end of file";
  case TokenKind::Error:
    return "invalid token";
  case TokenKind::Identifier:
    return "identifier";
  case TokenKind::Integer:
    return "integer";
  case TokenKind::Float:
    return "number";
  case TokenKind::String:
    return "string";
  case TokenKind::KwModel:
    return "'model'";
  case TokenKind::KwBlock:
    return "'block'";
  case TokenKind::KwReturn:
    return "'return'";
  case TokenKind::KwIf:
    return "'if'";
  case TokenKind::KwElse:
    return "'else'";
  case TokenKind::KwFor:
    return "'for'";
  case TokenKind::KwIn:
    return "'in'";
  case TokenKind::KwSeq:
    return "'seq'";
  case TokenKind::KwAs:
    return "'as'";
  case TokenKind::KwAnd:
    return "'and'";
  case TokenKind::KwOr:
    return "'or'";
  case TokenKind::KwNot:
    return "'not'";
  case TokenKind::KwTrue:
    return "'true'";
  case TokenKind::KwFalse:
    return "'false'";
  case TokenKind::LParen:
    return "'('";
  case TokenKind::RParen:
    return "')'";
  case TokenKind::LBrace:
    return "'{'";
  case TokenKind::RBrace:
    return "'}'";
  case TokenKind::LBracket:
    return "'['";
  case TokenKind::RBracket:
    return "']'";
  case TokenKind::Comma:
    return "','";
  case TokenKind::Colon:
    return "':'";
  case TokenKind::Semicolon:
    return "';'";
  case TokenKind::Assign:
    return "'='";
  case TokenKind::Arrow:
    return "'->'";
  case TokenKind::Plus:
    return "'+'";
  case TokenKind::Minus:
    return "'-'";
  case TokenKind::Star:
    return "'*'";
  case TokenKind::Slash:
    return "'/'";
  case TokenKind::Percent:
    return "'%'";
  case TokenKind::Equal:
    return "'=='";
  case TokenKind::NotEqual:
    return "'!='";
  case TokenKind::Less:
    return "'<'";
  case TokenKind::LessEqual:
    return "'<='";
  case TokenKind::Greater:
    return "'>'";
  case TokenKind::GreaterEqual:
    return "'>='";
  }
  return "token";
}

Lexer::Lexer(llvm::StringRef buffer, Diagnostics &diagnostics)
    : buffer(buffer), cursor(buffer.begin()), diagnostics(diagnostics) {}

Token Lexer::make(TokenKind kind, const char *start) {
  Token token;
  token.kind = kind;
  token.text = llvm::StringRef(start, cursor - start);
  return token;
}

void Lexer::skipWhitespaceAndComments() {
  while (cursor != buffer.end()) {
    char c = *cursor;
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      ++cursor;
    } else if (c == '#') {
      while (cursor != buffer.end() && *cursor != '\n')
        ++cursor;
    } else {
      return;
    }
  }
}

Token Lexer::next() {
  skipWhitespaceAndComments();
  const char *start = cursor;
  if (cursor == buffer.end())
    return make(TokenKind::Eof, start);

  unsigned char c = static_cast<unsigned char>(*cursor);
  if (std::isalpha(c) || c == '_')
    return lexIdentifier(start);
  if (std::isdigit(c))
    return lexNumber(start);
  if (c == '"')
    return lexString(start);

  ++cursor;
  auto peekIs = [&](char expected) {
    if (cursor != buffer.end() && *cursor == expected) {
      ++cursor;
      return true;
    }
    return false;
  };
  switch (c) {
  case '(':
    return make(TokenKind::LParen, start);
  case ')':
    return make(TokenKind::RParen, start);
  case '{':
    return make(TokenKind::LBrace, start);
  case '}':
    return make(TokenKind::RBrace, start);
  case '[':
    return make(TokenKind::LBracket, start);
  case ']':
    return make(TokenKind::RBracket, start);
  case ',':
    return make(TokenKind::Comma, start);
  case ':':
    return make(TokenKind::Colon, start);
  case ';':
    return make(TokenKind::Semicolon, start);
  case '+':
    return make(TokenKind::Plus, start);
  case '*':
    return make(TokenKind::Star, start);
  case '/':
    return make(TokenKind::Slash, start);
  case '%':
    return make(TokenKind::Percent, start);
  case '-':
    return make(peekIs('>') ? TokenKind::Arrow : TokenKind::Minus, start);
  case '=':
    return make(peekIs('=') ? TokenKind::Equal : TokenKind::Assign, start);
  case '<':
    return make(peekIs('=') ? TokenKind::LessEqual : TokenKind::Less, start);
  case '>':
    return make(peekIs('=') ? TokenKind::GreaterEqual : TokenKind::Greater,
                start);
  case '!':
    if (peekIs('='))
      return make(TokenKind::NotEqual, start);
    break;
  default:
    break;
  }

  if (c >= 0x80) {
    // Consume one whole UTF-8 sequence, or one byte when it is malformed, so
    // that the message names what the user sees.
    const llvm::UTF8 *source = reinterpret_cast<const llvm::UTF8 *>(start);
    unsigned length = llvm::getNumBytesForUTF8(c);
    bool valid =
        start + length <= buffer.end() &&
        llvm::isLegalUTF8Sequence(
            source, reinterpret_cast<const llvm::UTF8 *>(start) + length);
    cursor = valid ? start + length : start + 1;
    if (!valid) {
      // One message for a run of bad bytes.
      while (cursor != buffer.end() &&
             static_cast<unsigned char>(*cursor) >= 0x80)
        ++cursor;
      diagnostics.error(llvm::SMLoc::getFromPointer(start),
                        "invalid UTF-8 byte in the model text");
      return make(TokenKind::Error, start);
    }
    diagnostics.error(llvm::SMLoc::getFromPointer(start),
                      "unexpected character '" +
                          llvm::StringRef(start, length) +
                          "' (only ASCII is allowed outside strings and "
                          "comments)");
    return make(TokenKind::Error, start);
  }
  std::string shown = std::isprint(c) ? std::string(1, static_cast<char>(c))
                                      : "\\x" + llvm::utohexstr(c, false, 2);
  diagnostics.error(llvm::SMLoc::getFromPointer(start),
                    "unexpected character '" + shown + "'");
  return make(TokenKind::Error, start);
}

Token Lexer::lexIdentifier(const char *start) {
  while (cursor != buffer.end() &&
         (std::isalnum(static_cast<unsigned char>(*cursor)) || *cursor == '_'))
    ++cursor;
  llvm::StringRef text(start, cursor - start);
  TokenKind kind = llvm::StringSwitch<TokenKind>(text)
                       .Case("model", TokenKind::KwModel)
                       .Case("block", TokenKind::KwBlock)
                       .Case("return", TokenKind::KwReturn)
                       .Case("if", TokenKind::KwIf)
                       .Case("else", TokenKind::KwElse)
                       .Case("for", TokenKind::KwFor)
                       .Case("in", TokenKind::KwIn)
                       .Case("seq", TokenKind::KwSeq)
                       .Case("as", TokenKind::KwAs)
                       .Case("and", TokenKind::KwAnd)
                       .Case("or", TokenKind::KwOr)
                       .Case("not", TokenKind::KwNot)
                       .Case("true", TokenKind::KwTrue)
                       .Case("false", TokenKind::KwFalse)
                       .Default(TokenKind::Identifier);
  return make(kind, start);
}

Token Lexer::lexNumber(const char *start) {
  auto isDigit = [&] {
    return cursor != buffer.end() &&
           std::isdigit(static_cast<unsigned char>(*cursor));
  };
  while (isDigit())
    ++cursor;
  bool isFloat = false;
  if (cursor != buffer.end() && *cursor == '.' && cursor + 1 != buffer.end() &&
      std::isdigit(static_cast<unsigned char>(cursor[1]))) {
    isFloat = true;
    ++cursor;
    while (isDigit())
      ++cursor;
  }
  if (cursor != buffer.end() && (*cursor == 'e' || *cursor == 'E')) {
    const char *exponent = cursor++;
    if (cursor != buffer.end() && (*cursor == '+' || *cursor == '-'))
      ++cursor;
    if (!isDigit()) {
      cursor = exponent; // Not an exponent after all: `2e` is 2 then `e`.
    } else {
      isFloat = true;
      while (isDigit())
        ++cursor;
    }
  }
  Token token = make(isFloat ? TokenKind::Float : TokenKind::Integer, start);
  if (isFloat) {
    std::string text = token.text.str();
    token.floatValue = std::strtod(text.c_str(), nullptr);
    return token;
  }
  unsigned long long value;
  if (token.text.getAsInteger(10, value) ||
      value > static_cast<unsigned long long>(INT64_MAX)) {
    diagnostics.error(token.loc(), "integer literal '" + token.text +
                                       "' does not fit in 64 bits");
    token.kind = TokenKind::Error;
    return token;
  }
  token.intValue = static_cast<int64_t>(value);
  return token;
}

Token Lexer::lexString(const char *start) {
  ++cursor; // Opening quote.
  while (cursor != buffer.end() && *cursor != '"' && *cursor != '\n')
    ++cursor;
  if (cursor == buffer.end() || *cursor != '"') {
    diagnostics.error(llvm::SMLoc::getFromPointer(start),
                      "unterminated string");
    return make(TokenKind::Error, start);
  }
  ++cursor; // Closing quote.
  Token token = make(TokenKind::String, start);
  llvm::StringRef contents = token.text.drop_front().drop_back();
  const auto *begin = reinterpret_cast<const llvm::UTF8 *>(contents.begin());
  const auto *end = reinterpret_cast<const llvm::UTF8 *>(contents.end());
  if (!llvm::isLegalUTF8String(&begin, end)) {
    diagnostics.error(token.loc(), "invalid UTF-8 in a string");
    token.kind = TokenKind::Error;
  }
  return token;
}
