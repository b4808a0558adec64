//===- ParserHazards.cpp - IR text that upstream MLIR 19 cannot parse -----===//
//
// The text is first cut into the chunks that MLIR's --split-input-file
// makes (its exact rule: a marker that differs in its last two characters
// does not split). In each chunk, one pass lexes as far as MLIR's lexer
// decides what is code: comments (up to a line feed or a carriage return),
// strings (with MLIR's escapes), and the bodies of dialect attributes and
// types (`#name<...>`, `!name<...>` with the '<' right after the name:
// nested brackets and strings, where "//" is no comment); it also matches
// the braces of code. A second pass looks at every `linalg.NAME` in code,
// whatever stands before it (a number glued to it is no obstacle, as in
// MLIR's lexer) but a sigil (`#linalg.binary_fn`), and reads what follows
// the name as MLIR's parser does: whitespace (a NUL byte is whitespace
// there) and comments, linalg.generic's attribute dictionary or its alias,
// then the `<`. Where MLIR stops with an error first (a malformed string or
// dialect body: the rest of the chunk; an unclosed dictionary), there is
// nothing to refuse.
//
//===----------------------------------------------------------------------===//

#include "cnnc/Support/ParserHazards.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/SourceMgr.h"

#include <algorithm>
#include <vector>

using namespace cnnc;
using llvm::StringRef;

namespace {

bool isLetter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool isDigit(char c) { return c >= '0' && c <= '9'; }
/// Characters after the first of a bare identifier (MLIR's bare-id).
bool isBareIdChar(char c) {
  return isLetter(c) || isDigit(c) || c == '_' || c == '$' || c == '.';
}
/// Characters of a sigil's name after a letter or punctuation: MLIR's
/// suffix-id.
bool isSuffixIdChar(char c) { return isBareIdChar(c) || c == '-'; }
bool isSigil(char c) {
  return c == '#' || c == '!' || c == '%' || c == '^' || c == '@';
}

class Scanner {
public:
  explicit Scanner(StringRef text) : text(text) {}

  std::optional<ParserHazard> run() {
    lex();
    size_t region = 0, tokenEnd = 0;
    StringRef prefix = "linalg.";
    for (size_t at = text.find(prefix); at != StringRef::npos;
         at = text.find(prefix, at + 1)) {
      while (region < outsideCode.size() && outsideCode[region].second <= at)
        ++region;
      if (region < outsideCode.size() && outsideCode[region].first <= at)
        continue;
      // After a sigil, the name is part of its token.
      if (at > 0 && isSigil(text[at - 1]))
        continue;
      // A name inside the last one's token ends where that token does.
      size_t end = std::max(at + prefix.size(), tokenEnd);
      while (end < text.size() && isBareIdChar(text[end]))
        ++end;
      tokenEnd = end;
      if (end == at + prefix.size())
        continue;
      if (std::optional<ParserHazard> hazard =
              checkOp(text.slice(at, end), end))
        return hazard;
    }
    return std::nullopt;
  }

private:
  char at(size_t pos) const { return pos < text.size() ? text[pos] : '\0'; }

  /// The end of the comment at `pos`: the next line feed or carriage
  /// return.
  size_t commentEnd(size_t pos) const {
    while (pos < text.size() && text[pos] != '\n' && text[pos] != '\r')
      ++pos;
    return pos;
  }

  /// The end of a sigil's name that starts at `pos`: digits only if it
  /// starts with one, as in MLIR's lexer.
  size_t suffixIdEnd(size_t pos) const {
    bool digits = isDigit(at(pos));
    while (pos < text.size() &&
           (digits ? isDigit(text[pos]) : isSuffixIdChar(text[pos])))
      ++pos;
    return pos;
  }

  /// The first pass: outsideCode and closingBrace.
  void lex() {
    std::vector<size_t> open;
    size_t pos = 0;
    // A string or dialect body from `begin` to `end`; where MLIR stops at
    // it with an error, nothing after it is parsed.
    auto close = [&](size_t begin, std::optional<size_t> end) {
      pos = end ? *end : text.size();
      outsideCode.push_back({begin, pos});
    };
    while (pos < text.size()) {
      char c = text[pos];
      size_t begin = pos;
      if (c == '/' && at(pos + 1) == '/') {
        pos = commentEnd(pos);
        outsideCode.push_back({begin, pos});
      } else if (c == '"') {
        close(begin, skipString(pos));
      } else if ((c == '#' || c == '!') && pos + 1 < text.size() &&
                 isSuffixIdChar(text[pos + 1])) {
        pos = suffixIdEnd(pos + 1);
        if (at(pos) == '<' && pos < text.size())
          close(pos, skipDialectBody(pos));
      } else {
        ++pos;
        if (c == '{') {
          open.push_back(begin);
        } else if (c == '}' && !open.empty()) {
          closingBrace[open.back()] = pos;
          open.pop_back();
        }
      }
    }
  }

  /// After a linalg op's name, ending at `end`: named ops take their
  /// properties `<...>` right after the name, linalg.generic after its
  /// attribute dictionary. A `<` there must open a dictionary.
  std::optional<ParserHazard> checkOp(StringRef name, size_t end) {
    // Names inside one token share their end: skip the gap after it once.
    if (end != lastEnd) {
      lastEnd = end;
      lastGapEnd = skipGap(end);
    }
    size_t pos = lastGapEnd;
    if (name == "linalg.generic") {
      if (at(pos) == '{' && pos < text.size()) {
        auto close = closingBrace.find(pos);
        // Unclosed: MLIR stops with an error first.
        if (close == closingBrace.end())
          return std::nullopt;
        pos = skipGap(close->second);
      } else if (at(pos) == '#') {
        // An alias of the dictionary; with a '<' right after it, a dialect
        // attribute, which is no dictionary (an error).
        pos = suffixIdEnd(pos + 1);
        if (at(pos) == '<')
          return std::nullopt;
        pos = skipGap(pos);
      }
    }
    if (at(pos) != '<' || pos >= text.size() || at(skipGap(pos + 1)) == '{')
      return std::nullopt;
    return ParserHazard{
        pos, ("the properties of '" + name +
              "' must be a dictionary, written <{...}>: upstream MLIR 19's "
              "parser of linalg ops crashes on any other attribute there")
                 .str()};
  }

  /// The first position from `pos` that is not whitespace or a comment, as
  /// MLIR's lexer skips them: spaces, tabs, line breaks and NUL bytes (the
  /// buffer's own terminator lies past the text), comments up to a line
  /// break.
  size_t skipGap(size_t pos) const {
    while (pos < text.size()) {
      char c = text[pos];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\0') {
        ++pos;
      } else if (c == '/' && at(pos + 1) == '/') {
        pos = commentEnd(pos);
      } else {
        break;
      }
    }
    return pos;
  }

  /// Past the string literal at `pos` (a '"'), as MLIR's lexer reads it;
  /// nothing if the lexer stops there with an error.
  std::optional<size_t> skipString(size_t pos) const {
    for (++pos; pos < text.size(); ++pos) {
      char c = text[pos];
      if (c == '"')
        return pos + 1;
      if (c == '\n' || c == '\v' || c == '\f')
        return std::nullopt;
      if (c == '\\') {
        char next = at(pos + 1);
        if (next == '"' || next == '\\' || next == 'n' || next == 't')
          ++pos;
        else if (llvm::isHexDigit(next) && llvm::isHexDigit(at(pos + 2)))
          pos += 2;
        else
          return std::nullopt;
      }
    }
    return std::nullopt;
  }

  /// Past the body <...> of a dialect attribute or type at `pos` (a '<'),
  /// as MLIR's parser takes it before the dialect parses it: properly nested
  /// brackets and strings, where "//" is no comment and "->" no '>';
  /// nothing where MLIR stops with an error.
  std::optional<size_t> skipDialectBody(size_t pos) const {
    llvm::SmallVector<char, 8> open;
    while (pos < text.size()) {
      char c = text[pos];
      if (c == '"') {
        std::optional<size_t> end = skipString(pos);
        if (!end)
          return std::nullopt;
        pos = *end;
        continue;
      }
      ++pos;
      if (c == '<' || c == '[' || c == '(' || c == '{') {
        open.push_back(c);
      } else if (c == '-' && at(pos) == '>') {
        ++pos;
      } else if (c == '>' || c == ']' || c == ')' || c == '}') {
        char expected = c == '>' ? '<' : c == ']' ? '[' : c == ')' ? '(' : '{';
        if (open.empty() || open.pop_back_val() != expected)
          return std::nullopt;
        if (open.empty())
          return pos;
      } else if (c == '\0') {
        return std::nullopt;
      }
    }
    return std::nullopt;
  }

  StringRef text;
  size_t lastEnd = StringRef::npos, lastGapEnd = 0;
  /// [begin, end) of each comment, string and dialect body, in order.
  std::vector<std::pair<size_t, size_t>> outsideCode;
  /// The position after the '}' that closes the '{' of code at a position.
  llvm::DenseMap<size_t, size_t> closingBrace;
};

} // namespace

/// The chunks that MLIR 19's splitAndProcessBuffer makes of `text` with
/// `marker`, as [begin, end) offsets: split at the marker less its last two
/// characters, which must follow (and not be followed by '0'), else the
/// piece joins the chunk before it ("near miss").
static std::vector<std::pair<size_t, size_t>> chunksOf(StringRef text,
                                                       StringRef marker) {
  constexpr size_t checkLen = 2;
  // No splitting, or a marker upstream itself cannot split with.
  if (marker.size() <= checkLen)
    return {{0, text.size()}};
  StringRef prefix = marker.drop_back(checkLen),
            suffix = marker.take_back(checkLen);
  llvm::SmallVector<StringRef, 8> pieces;
  text.split(pieces, prefix);
  std::vector<std::pair<size_t, size_t>> chunks;
  auto offset = [&](StringRef piece) {
    return static_cast<size_t>(piece.data() - text.data());
  };
  StringRef previous;
  for (StringRef piece : pieces) {
    if (previous.empty()) {
      previous = piece;
      continue;
    }
    if (piece.starts_with(suffix) && piece.size() > checkLen &&
        piece[checkLen] != '0') {
      chunks.push_back({offset(previous), offset(previous) + previous.size()});
      previous = piece.drop_front(checkLen);
    } else {
      previous = StringRef(previous.data(),
                           offset(piece) + piece.size() - offset(previous));
    }
  }
  if (!previous.empty())
    chunks.push_back({offset(previous), offset(previous) + previous.size()});
  return chunks;
}

std::optional<ParserHazard> cnnc::findParserHazard(StringRef text,
                                                   StringRef splitMarker) {
  for (auto [begin, end] : chunksOf(text, splitMarker)) {
    StringRef chunk = text.slice(begin, end);
    // MLIR bytecode is read by its own reader, which calls no op's custom
    // parser; its strings are stored without quotes.
    if (chunk.starts_with("ML\xefR"))
      continue;
    if (std::optional<ParserHazard> hazard = Scanner(chunk).run()) {
      hazard->offset += begin;
      return hazard;
    }
  }
  return std::nullopt;
}

bool cnnc::checkParserHazards(const llvm::MemoryBuffer &buffer,
                              StringRef splitMarker) {
  std::optional<ParserHazard> hazard =
      findParserHazard(buffer.getBuffer(), splitMarker);
  if (!hazard)
    return true;
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBuffer(buffer.getMemBufferRef(),
                                       /*RequiresNullTerminator=*/false),
      llvm::SMLoc());
  sourceMgr.PrintMessage(
      llvm::SMLoc::getFromPointer(buffer.getBufferStart() + hazard->offset),
      llvm::SourceMgr::DK_Error, hazard->message);
  return false;
}
