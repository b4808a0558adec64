//===- NpyHeader.cpp - a .npy header, parsed as the Python literal it is --===//
//
// numpy writes the header with repr() and reads it with ast.literal_eval, so
// the header is whatever Python literal syntax allows, not one spelling of
// it: either quote, whitespace anywhere, a trailing comma or none, `(3,)` and
// `()`. The parser reads the literals a header can hold (strings, integers,
// True, False, None, tuples, lists and dicts) into a small tree, bounded in
// depth, and the header is then checked against numpy's rules: exactly the
// keys 'descr', 'fortran_order' and 'shape', a bool order, a tuple shape of
// non-negative integers.
//
//===----------------------------------------------------------------------===//

#include "cnnc/Support/Npy.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/MathExtras.h"

#include <optional>

using namespace cnnc;
using llvm::StringRef;
using llvm::Twine;

namespace {

/// Tuples in lists in dicts: deeper than any header numpy writes, shallow
/// enough that the recursive parser cannot run out of stack.
constexpr unsigned kMaxDepth = 32;

/// A Python literal of the header.
struct Literal {
  enum Kind { String, Integer, Bool, None, Tuple, List, Dict } kind = None;
  /// Where it starts in the header, for messages.
  size_t offset = 0;
  std::string text;
  /// An integer's magnitude (saturated) and sign.
  uint64_t magnitude = 0;
  bool negative = false;
  bool tooLarge = false;
  bool boolean = false;
  /// A tuple's or list's elements; a dict's keys and values, alternating.
  std::vector<Literal> items;
};

/// What a literal is, for messages: its kind and, if short, its text.
std::string describe(const Literal &literal) {
  switch (literal.kind) {
  case Literal::String:
    return "the string '" + literal.text + "'";
  case Literal::Integer:
    return "the integer " + std::string(literal.negative ? "-" : "") +
           (literal.tooLarge ? std::string("...")
                             : std::to_string(literal.magnitude));
  case Literal::Bool:
    return literal.boolean ? "True" : "False";
  case Literal::None:
    return "None";
  case Literal::Tuple:
    return "a tuple";
  case Literal::List:
    return "a list";
  case Literal::Dict:
    return "a dict";
  }
  return "";
}

class Parser {
public:
  explicit Parser(StringRef text) : text(text) {}

  llvm::Expected<Literal> parseHeader() {
    Literal dict;
    skipSpace();
    if (llvm::Error error = parseValue(dict, 0))
      return std::move(error);
    skipSpace();
    if (position != text.size())
      return fail("unexpected text after the header's dict");
    if (dict.kind != Literal::Dict)
      return failAt(dict.offset,
                    "the header is " + describe(dict) + ", not a dict");
    return dict;
  }

private:
  llvm::Error failAt(size_t offset, const Twine &message) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   message + " (at character " +
                                       Twine(offset + 1) + " of the header)");
  }
  llvm::Error fail(const Twine &message) { return failAt(position, message); }

  /// Python's whitespace between tokens; inside brackets newlines are too.
  void skipSpace() {
    while (position < text.size() && StringRef(" \t\f\r\n").contains(peek()))
      ++position;
  }
  char peek() const { return position < text.size() ? text[position] : 0; }
  bool consume(char c) {
    if (peek() != c)
      return false;
    ++position;
    return true;
  }

  llvm::Error parseValue(Literal &value, unsigned depth) {
    value.offset = position;
    char c = peek();
    if (c == '\'' || c == '"')
      return parseString(value);
    if (llvm::isDigit(c) || c == '-' || c == '+')
      return parseInteger(value);
    if (c == '(' || c == '[' || c == '{') {
      if (depth >= kMaxDepth)
        return fail("the header nests deeper than " + Twine(kMaxDepth) +
                    " levels");
      return parseContainer(value, depth);
    }
    if (llvm::isAlpha(c) || c == '_') {
      size_t start = position;
      while (llvm::isAlnum(peek()) || peek() == '_')
        ++position;
      StringRef word = text.slice(start, position);
      if (word == "True" || word == "False") {
        value.kind = Literal::Bool;
        value.boolean = word == "True";
        return llvm::Error::success();
      }
      if (word == "None") {
        value.kind = Literal::None;
        return llvm::Error::success();
      }
      return failAt(start, "'" + word + "' is not a Python literal");
    }
    if (position == text.size())
      return fail("the header ends in the middle of a value");
    return fail("unexpected character '" + printable(c) + "'");
  }

  static std::string printable(char c) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f)
      return std::string(1, c);
    return "\\x" + llvm::utohexstr(u, /*LowerCase=*/true, /*Width=*/2);
  }

  llvm::Error parseString(Literal &value) {
    value.kind = Literal::String;
    char quote = text[position++];
    while (true) {
      if (position >= text.size() || peek() == '\n')
        return failAt(value.offset, "unterminated string");
      char c = text[position++];
      if (c == quote)
        return llvm::Error::success();
      if (c != '\\') {
        value.text += c;
        continue;
      }
      char escaped = peek();
      ++position;
      switch (escaped) {
      case '\\':
      case '\'':
      case '"':
        value.text += escaped;
        break;
      case 'n':
        value.text += '\n';
        break;
      case 't':
        value.text += '\t';
        break;
      default:
        return failAt(position - 2, "unsupported escape '\\" +
                                        printable(escaped) + "' in a string");
      }
    }
  }

  llvm::Error parseInteger(Literal &value) {
    value.kind = Literal::Integer;
    if (peek() == '-' || peek() == '+') {
      value.negative = text[position++] == '-';
      skipSpace();
    }
    if (!llvm::isDigit(peek()))
      return fail("expected digits");
    // Python 3 refuses leading zeros (`007`); so does this.
    if (peek() == '0' &&
        llvm::isDigit(position + 1 < text.size() ? text[position + 1] : 0))
      return fail("an integer with a leading zero");
    while (llvm::isDigit(peek())) {
      unsigned digit = text[position++] - '0';
      bool overflow = false;
      uint64_t times10 =
          llvm::SaturatingMultiply<uint64_t>(value.magnitude, 10, &overflow);
      value.magnitude =
          llvm::SaturatingAdd<uint64_t>(times10, digit, &overflow);
      value.tooLarge |= overflow;
    }
    // Python 2's long integers (`3L`), which numpy 1.x wrote under Python 2.
    consume('L') || consume('l');
    if (llvm::isAlnum(peek()) || peek() == '.' || peek() == '_')
      return fail("an integer is followed by '" + printable(peek()) +
                  "' (only decimal integers are read)");
    return llvm::Error::success();
  }

  llvm::Error parseContainer(Literal &value, unsigned depth) {
    char open = text[position++];
    char close = open == '(' ? ')' : open == '[' ? ']' : '}';
    value.kind = open == '('   ? Literal::Tuple
                 : open == '[' ? Literal::List
                               : Literal::Dict;
    bool sawComma = false;
    while (true) {
      skipSpace();
      if (consume(close))
        break;
      if (position == text.size())
        return failAt(value.offset, "the header ends before the '" +
                                        Twine(close) + "' that closes this '" +
                                        Twine(open) + "'");
      if (!value.items.empty() && !sawComma)
        return fail("expected ',' or '" + Twine(close) + "'");
      value.items.emplace_back();
      if (llvm::Error error = parseValue(value.items.back(), depth + 1))
        return error;
      skipSpace();
      if (value.kind == Literal::Dict) {
        if (!consume(':'))
          return fail("expected ':' after a key of the dict");
        skipSpace();
        value.items.emplace_back();
        if (llvm::Error error = parseValue(value.items.back(), depth + 1))
          return error;
        skipSpace();
      }
      sawComma = consume(',');
    }
    // `(3)` is the integer 3 in Python, not a tuple; `(3,)` is a tuple.
    if (value.kind == Literal::Tuple && value.items.size() == 1 && !sawComma) {
      Literal inner = std::move(value.items.front());
      inner.offset = value.offset;
      value = std::move(inner);
    }
    return llvm::Error::success();
  }

  StringRef text;
  size_t position = 0;
};

llvm::Error headerError(const Literal &where, const Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 message + " (at character " +
                                     Twine(where.offset + 1) +
                                     " of the header)");
}

/// The element type of a descr that cnnc reads; an error for any other.
llvm::Error readDescr(const Literal &descr, NpyHeader &result) {
  if (descr.kind == Literal::List)
    return headerError(descr, "'descr' is a list: the file holds a structured "
                              "array, which cnnc does not read");
  if (descr.kind != Literal::String)
    return headerError(descr,
                       "'descr' must be a string, not " + describe(descr));
  StringRef text = descr.text;
  result.descr = text.str();
  char order = text.empty() ? 0 : text.front();
  StringRef type = text.drop_front();
  if ((order == '<' || order == '>') &&
      (type == "f2" || type == "f4" || type == "f8")) {
    result.bigEndian = order == '>';
    result.elementType = type == "f2"   ? NpyElementType::Float16
                         : type == "f4" ? NpyElementType::Float32
                                        : NpyElementType::Float64;
    return llvm::Error::success();
  }
  std::string advice;
  if (text == "<V2" || text == ">V2" || text == "|V2")
    advice = ": 2-byte raw values, as ml_dtypes' bfloat16 is saved, which "
             "numpy itself reads back as raw bytes; save float32 instead "
             "(x.astype(numpy.float32))";
  else if (text == "|O")
    advice = ": Python objects (saved with pickle), as numpy saves a custom "
             "dtype";
  return headerError(descr, "'descr' is '" + text + "'" + advice +
                                "; cnnc reads float16, float32 and float64 "
                                "('<f2', '<f4', '<f8', or '>' for "
                                "big-endian)");
}

llvm::Error readShape(const Literal &shape, NpyHeader &result) {
  if (shape.kind != Literal::Tuple)
    return headerError(shape, "'shape' must be a tuple of integers, not " +
                                  describe(shape));
  if (shape.items.size() > kMaxNpyRank)
    return headerError(shape, "'shape' has " + Twine(shape.items.size()) +
                                  " dimensions, more than " +
                                  Twine(kMaxNpyRank));
  uint64_t elements = 1;
  bool overflow = false;
  for (const Literal &size : shape.items) {
    if (size.kind != Literal::Integer)
      return headerError(size, "'shape' must be a tuple of integers, but it "
                               "holds " +
                                   describe(size));
    if (size.negative && size.magnitude != 0)
      return headerError(size, "'shape' has a negative dimension");
    if (size.tooLarge || size.magnitude > uint64_t(INT64_MAX))
      return headerError(size, "'shape' has a dimension larger than 2^63");
    result.shape.push_back(static_cast<int64_t>(size.magnitude));
    elements =
        llvm::SaturatingMultiply<uint64_t>(elements, size.magnitude, &overflow);
  }
  uint64_t elementBytes = result.elementType == NpyElementType::Float16   ? 2
                          : result.elementType == NpyElementType::Float32 ? 4
                                                                          : 8;
  uint64_t bytes =
      llvm::SaturatingMultiply<uint64_t>(elements, elementBytes, &overflow);
  if (overflow || bytes > (uint64_t(1) << 62))
    return headerError(shape, "'shape' announces more than 2^62 bytes of data");
  result.numElements = elements;
  result.dataBytes = bytes;
  return llvm::Error::success();
}

} // namespace

llvm::Expected<NpyHeader> cnnc::parseNpyHeader(StringRef text) {
  llvm::Expected<Literal> dict = Parser(text).parseHeader();
  if (!dict)
    return dict.takeError();
  std::optional<Literal> descr, fortranOrder, shape;
  for (size_t i = 0; i + 1 < dict->items.size(); i += 2) {
    const Literal &key = dict->items[i];
    if (key.kind != Literal::String)
      return headerError(key, "the header's keys must be strings, not " +
                                  describe(key));
    std::optional<Literal> *slot = key.text == "descr"           ? &descr
                                   : key.text == "fortran_order" ? &fortranOrder
                                   : key.text == "shape"         ? &shape
                                                                 : nullptr;
    if (!slot)
      return headerError(key, "unknown key '" + key.text +
                                  "' (a .npy header has 'descr', "
                                  "'fortran_order' and 'shape')");
    if (*slot)
      return headerError(key, "the key '" + key.text + "' appears twice");
    *slot = dict->items[i + 1];
  }
  for (auto [name, slot] :
       {std::pair<StringRef, std::optional<Literal> *>{"descr", &descr},
        {"fortran_order", &fortranOrder},
        {"shape", &shape}})
    if (!*slot)
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     "the header has no '" + name + "' key");

  NpyHeader result;
  if (llvm::Error error = readDescr(*descr, result))
    return std::move(error);
  if (fortranOrder->kind != Literal::Bool)
    return headerError(*fortranOrder,
                       "'fortran_order' must be True or False, not " +
                           describe(*fortranOrder));
  result.fortranOrder = fortranOrder->boolean;
  if (llvm::Error error = readShape(*shape, result))
    return std::move(error);
  return result;
}
