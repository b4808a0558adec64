//===- ParserHazards.cpp - IR text that upstream MLIR 19 cannot parse -----===//
//
// The scan errs on the side of refusing. Every occurrence of `linalg.`
// followed by a name is taken for an op, even where MLIR's lexer would see
// a string or a comment (a lexer of this scan's own that disagreed with
// MLIR's on a number glued to a name, a line break or a split marker inside
// a string would let a hazard through). Only what follows such a name is
// read as MLIR's lexer reads it: whitespace (a NUL byte is whitespace
// there), comments ending at a line break, linalg.generic's attribute
// dictionary, and then the `<`. Where the dictionary cannot be followed
// (too long, a malformed string in it), an op in code is refused; one
// inside what a light lexing takes for a comment or a string is not, so
// that FileCheck lines that quote a generic do not trip the scan.
//
//===----------------------------------------------------------------------===//

#include "cnnc/Support/ParserHazards.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/SourceMgr.h"

#include <vector>

using namespace cnnc;
using llvm::StringRef;

namespace {

/// linalg.generic's attribute dictionary is followed this far and no
/// further: a longer one is refused, so that text made of many generics
/// costs linear time.
constexpr size_t kDictionaryBytes = 8192;

bool isLetter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool isDigit(char c) { return c >= '0' && c <= '9'; }
/// Characters after the first of a bare identifier (MLIR's bare-id).
bool isBareIdChar(char c) {
  return isLetter(c) || isDigit(c) || c == '_' || c == '$' || c == '.';
}
/// Characters of a sigil's name (#alias, !type): MLIR's suffix-id.
bool isSuffixIdChar(char c) { return isBareIdChar(c) || c == '-'; }

class Scanner {
public:
  explicit Scanner(StringRef text) : text(text) {}

  std::optional<ParserHazard> run() {
    markOutsideCode();
    size_t region = 0;
    StringRef prefix = "linalg.";
    for (size_t at = text.find(prefix); at != StringRef::npos;
         at = text.find(prefix, at + 1)) {
      // A name inside the last one's token ends where that token does.
      size_t end = at + prefix.size();
      if (lastEnd != StringRef::npos && end <= lastEnd)
        end = lastEnd;
      while (end < text.size() && isBareIdChar(text[end]))
        ++end;
      if (end == at + prefix.size())
        continue;
      while (region < outsideCode.size() && outsideCode[region].second <= at)
        ++region;
      bool inCode =
          region == outsideCode.size() || outsideCode[region].first > at;
      if (std::optional<ParserHazard> hazard =
              checkOp(text.slice(at, end), end, inCode))
        return hazard;
    }
    return std::nullopt;
  }

private:
  char at(size_t pos) const { return pos < text.size() ? text[pos] : '\0'; }

  /// After a linalg op's name, ending at `end`: named ops take their
  /// properties `<...>` right after the name, linalg.generic after its
  /// attribute dictionary. A `<` there must open a dictionary.
  std::optional<ParserHazard> checkOp(StringRef name, size_t end, bool inCode) {
    // Names inside one token share their end: skip the gap after it once.
    if (end != lastEnd) {
      lastEnd = end;
      lastGapEnd = skipGap(end);
    }
    size_t pos = lastGapEnd;
    if (name == "linalg.generic") {
      if (at(pos) == '{') {
        std::optional<size_t> close = skipDictionary(pos);
        if (!close && !inCode)
          return std::nullopt;
        if (!close)
          return ParserHazard{
              pos, "cannot tell where the attribute dictionary of "
                   "'linalg.generic' ends (it is longer than 8 KiB, or holds "
                   "a malformed string or dialect attribute): upstream MLIR "
                   "19's parser of linalg ops crashes on properties <...> "
                   "that follow it and are not a dictionary"};
        pos = skipGap(*close);
      } else if (at(pos) == '#') {
        // An alias of the dictionary.
        ++pos;
        while (pos < text.size() && isSuffixIdChar(text[pos]))
          ++pos;
        pos = skipGap(pos);
      }
    }
    if (at(pos) != '<' || at(skipGap(pos + 1)) == '{')
      return std::nullopt;
    return ParserHazard{
        pos, ("the properties of '" + name +
              "' must be a dictionary, written <{...}>: upstream MLIR 19's "
              "parser of linalg ops crashes on any other attribute there")
                 .str()};
  }

  /// Marks comments, strings and dialect bodies as a light lexing finds
  /// them (outsideCode, in order); a string MLIR's lexer stops at ends there.
  void markOutsideCode() {
    size_t pos = 0;
    while (pos < text.size()) {
      char c = text[pos];
      size_t begin = pos;
      if (c == '/' && at(pos + 1) == '/') {
        while (pos < text.size() && text[pos] != '\n' && text[pos] != '\r')
          ++pos;
        outsideCode.push_back({begin, pos});
      } else if (c == '"') {
        std::optional<size_t> end = skipString(pos);
        pos = end ? *end : pos + 1;
        outsideCode.push_back({begin, pos});
      } else if ((c == '#' || c == '!') && isSuffixIdChar(at(pos + 1))) {
        ++pos;
        while (pos < text.size() && isSuffixIdChar(text[pos]))
          ++pos;
        size_t next = skipGap(pos);
        if (at(next) != '<' || next >= text.size())
          continue;
        std::optional<size_t> end = skipDialectBody(next, text.size());
        pos = end ? *end : next + 1;
        outsideCode.push_back({next, pos});
      } else {
        ++pos;
      }
    }
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
        while (pos < text.size() && text[pos] != '\n' && text[pos] != '\r')
          ++pos;
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
  /// brackets and strings, where "//" is no comment and "->" no '>'.
  std::optional<size_t> skipDialectBody(size_t pos, size_t limit) const {
    llvm::SmallVector<char, 8> open;
    while (pos < limit) {
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

  /// Past the dictionary {...} at `pos`, as MLIR's lexer reads it; nothing
  /// where this scan cannot be sure (see kDictionaryBytes).
  std::optional<size_t> skipDictionary(size_t pos) const {
    size_t limit = std::min(text.size(), pos + kDictionaryBytes);
    unsigned depth = 0;
    while (pos < limit) {
      char c = text[pos];
      if (c == '"') {
        std::optional<size_t> end = skipString(pos);
        if (!end)
          return std::nullopt;
        pos = *end;
      } else if (c == '/' && at(pos + 1) == '/') {
        pos = skipGap(pos);
      } else if (c == '#' || c == '!') {
        // A dialect attribute or type with a body: #dialect.name<...>
        // (the '<' may follow after a gap); else an alias.
        ++pos;
        while (pos < limit && isSuffixIdChar(text[pos]))
          ++pos;
        size_t next = skipGap(pos);
        if (at(next) == '<' && next < limit) {
          std::optional<size_t> end = skipDialectBody(next, limit);
          if (!end)
            return std::nullopt;
          pos = *end;
        }
      } else {
        ++pos;
        if (c == '{')
          ++depth;
        else if (c == '}' && --depth == 0)
          return pos;
      }
    }
    return std::nullopt;
  }

  StringRef text;
  size_t lastEnd = StringRef::npos, lastGapEnd = 0;
  /// [begin, end) of each comment, string and dialect body, in order.
  std::vector<std::pair<size_t, size_t>> outsideCode;
};

} // namespace

std::optional<ParserHazard> cnnc::findParserHazard(StringRef text) {
  // MLIR bytecode is read by its own reader, which calls no op's custom
  // parser; its strings are stored without quotes.
  if (text.starts_with("ML\xefR"))
    return std::nullopt;
  return Scanner(text).run();
}

bool cnnc::checkParserHazards(const llvm::MemoryBuffer &buffer) {
  std::optional<ParserHazard> hazard = findParserHazard(buffer.getBuffer());
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
