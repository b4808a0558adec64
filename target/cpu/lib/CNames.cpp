//===- CNames.cpp - the C names a generated library declares --------------===//

#include "cnnc/Target/CPU/CNames.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Regex.h"

#include <fmt/format.h>

using namespace llvm;

bool cnnc::isCKeyword(StringRef name) {
  static constexpr StringLiteral kKeywords[] = {
      // C17.
      "auto", "break", "case", "char", "const", "continue", "default", "do",
      "double", "else", "enum", "extern", "float", "for", "goto", "if",
      "inline", "int", "long", "register", "restrict", "return", "short",
      "signed", "sizeof", "static", "struct", "switch", "typedef", "union",
      "unsigned", "void", "volatile", "while",
      // C23.
      "alignas", "alignof", "bool", "constexpr", "false", "nullptr",
      "static_assert", "thread_local", "true", "typeof", "typeof_unqual",
      // C++.
      "and", "and_eq", "asm", "bitand", "bitor", "catch", "char8_t", "char16_t",
      "char32_t", "class", "co_await", "co_return", "co_yield", "compl",
      "concept", "const_cast", "consteval", "constinit", "decltype", "delete",
      "dynamic_cast", "explicit", "export", "friend", "mutable", "namespace",
      "new", "noexcept", "not", "not_eq", "operator", "or", "or_eq", "private",
      "protected", "public", "reinterpret_cast", "requires", "static_cast",
      "template", "this", "throw", "try", "typeid", "typename", "using",
      "virtual", "wchar_t", "xor", "xor_eq"};
  return is_contained(kKeywords, name);
}

std::string cnnc::symbolPrefixProblem(StringRef name) {
  if (name.empty())
    return "it is empty";
  if (isDigit(name.front()) ||
      !all_of(name, [](char c) { return isAlnum(c) || c == '_'; }))
    return "it is not a C identifier (letters, digits and '_', not first a "
           "digit)";
  if (isCKeyword(name))
    return "it is a C or C++ keyword";
  if (name.starts_with("_"))
    return "C reserves names that begin with '_'";
  if (name.starts_with("cnnc_rt_"))
    return "names that begin with 'cnnc_rt_' are cnnc's thread-pool runtime's";
  return "";
}

namespace {

/// Whether C takes `name` as a parameter of the header of `prefix` (see
/// headerParameterNames).
bool usableParameterName(StringRef prefix, StringRef name) {
  if (!cnnc::symbolPrefixProblem(name).empty())
    return false;
  // The types and limits of stdint.h, which the header includes.
  static const Regex stdintType("^u?int(_least|_fast)?[0-9]+_t$|^u?int(max|"
                                "ptr)_t$");
  static const Regex stdintMacro(
      "^(U?INT|SIZE_|PTRDIFF_|WCHAR_|WINT_|SIG_ATOMIC_)[A-Z0-9_]*$");
  if (stdintType.match(name) || stdintMacro.match(name))
    return false;
  return !is_contained({"context", "scratch", "NULL", "EOF", "errno"}, name) &&
         !name.starts_with((prefix + "_").str()) &&
         !name.starts_with_insensitive("cnnc_");
}

} // namespace

std::vector<std::string>
cnnc::headerParameterNames(StringRef prefix, ArrayRef<std::string> inputs,
                           ArrayRef<std::string> outputs) {
  std::vector<std::string> names;
  StringSet<> taken;
  // Each tensor's own name first, so that a stand-in never takes it.
  for (const std::string &name :
       llvm::concat<const std::string>(inputs, outputs)) {
    bool usable = usableParameterName(prefix, name) && !taken.contains(name);
    names.push_back(usable ? name : "");
    if (usable)
      taken.insert(name);
  }
  for (auto [index, name] : enumerate(names)) {
    if (!name.empty())
      continue;
    bool input = index < inputs.size();
    name = fmt::format("{}{}", input ? "input" : "output",
                       input ? index : index - inputs.size());
    while (taken.contains(name))
      name += "_";
    taken.insert(name);
  }
  return names;
}

std::string cnnc::internalModelFunctionName(StringRef prefix) {
  return (prefix + ".impl").str();
}
