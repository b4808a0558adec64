//===- ParserHazards.cpp - IR text that upstream MLIR 19 cannot parse -----===//

#include "cnnc/Support/ParserHazards.h"

#include "llvm/ADT/Twine.h"
#include "llvm/Support/SourceMgr.h"

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
/// Characters of a sigil's name (%x, ^bb, @f, #map, !type): MLIR's suffix-id.
bool isSuffixIdChar(char c) { return isBareIdChar(c) || c == '-'; }

/// Walks MLIR text token by token, as far as this check needs: comments and
/// strings are skipped whole, so that nothing inside them is taken for code.
class Scanner {
public:
  explicit Scanner(StringRef text) : text(text) {}

  std::optional<ParserHazard> run() {
    while (pos < text.size()) {
      char c = text[pos];
      if (skipCommentOrString())
        continue;
      if (c == '%' || c == '^' || c == '@' || c == '#' || c == '!') {
        ++pos;
        skipWhile(isSuffixIdChar);
        continue;
      }
      if (isDigit(c)) {
        // A number, or a dimension list such as 4x8xf32: never an op name.
        skipWhile(isBareIdChar);
        continue;
      }
      if (isLetter(c) || c == '_') {
        size_t start = pos;
        skipWhile(isBareIdChar);
        if (std::optional<ParserHazard> hazard =
                checkOp(text.slice(start, pos)))
          return hazard;
        continue;
      }
      ++pos;
    }
    return std::nullopt;
  }

private:
  /// After the name of a linalg structured op in custom form, the optional
  /// properties `<...>` must open with a dictionary. Named ops put them right
  /// after the name, linalg.generic after its attribute dictionary.
  std::optional<ParserHazard> checkOp(StringRef name) {
    if (!name.starts_with("linalg.") ||
        name.size() == StringRef("linalg.").size())
      return std::nullopt;
    size_t resume = pos;
    skipSpaceAndComments();
    if (pos < text.size() && text[pos] == '{') {
      skipBraces();
      skipSpaceAndComments();
    }
    std::optional<ParserHazard> hazard;
    if (pos < text.size() && text[pos] == '<') {
      size_t less = pos;
      ++pos;
      skipSpaceAndComments();
      if (pos >= text.size() || text[pos] != '{')
        hazard = ParserHazard{
            less, ("the properties of '" + name +
                   "' must be a dictionary, written <{...}>: upstream MLIR "
                   "19's parser of linalg ops crashes on any other attribute "
                   "there")
                      .str()};
    }
    // The op's operands and attributes are scanned as any other text.
    pos = resume;
    return hazard;
  }

  /// Skips a comment or a string at `pos`, if one starts there.
  bool skipCommentOrString() {
    if (text.substr(pos).starts_with("//")) {
      size_t end = text.find('\n', pos);
      pos = end == StringRef::npos ? text.size() : end + 1;
      return true;
    }
    if (text[pos] != '"')
      return false;
    // Up to the closing quote; an escape's next character is never one. A
    // newline ends an unterminated string, as in MLIR's lexer.
    for (++pos; pos < text.size(); ++pos) {
      char c = text[pos];
      if (c == '\\') {
        ++pos;
      } else if (c == '"') {
        ++pos;
        break;
      } else if (c == '\n') {
        break;
      }
    }
    return true;
  }

  void skipSpaceAndComments() {
    while (pos < text.size()) {
      char c = text[pos];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
        ++pos;
      else if (!(c == '/' && skipCommentOrString()))
        return;
    }
  }

  /// Skips a {...} at `pos`, nested braces, strings and comments included.
  void skipBraces() {
    unsigned depth = 0;
    while (pos < text.size()) {
      if (skipCommentOrString())
        continue;
      char c = text[pos++];
      if (c == '{')
        ++depth;
      else if (c == '}' && --depth == 0)
        return;
    }
  }

  template <typename Predicate> void skipWhile(Predicate predicate) {
    while (pos < text.size() && predicate(text[pos]))
      ++pos;
  }

  StringRef text;
  size_t pos = 0;
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
