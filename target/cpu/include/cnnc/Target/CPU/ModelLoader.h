//===- ModelLoader.h - find the model in a library loaded with dlopen -----===//
//
// A library built by cnnc exports its introspection entry point as
// `<name>_model` (docs/c-api.md, "Loading any model"), next to `<name>_run`;
// there is no common symbol, so that several models link into one program.
// A generic loader (cnnc-run, cnnc-bench, the tests' concurrent_runs, the
// Python package) finds the name the same way:
//
//   1. the name it was given (cnnc-run --name NAME);
//   2. else the file's name: `libNAME.so` or `NAME.so` (the part before the
//      first dot, tried without and then with a leading `lib`);
//   3. else the library's dynamic symbol table: exactly one `X_model` whose
//      `X_run` is exported too.
//
// Header-only, free of LLVM and MLIR, like ModelInfo.h; Linux (ELF) only.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_TARGET_CPU_MODELLOADER_H
#define CNNC_TARGET_CPU_MODELLOADER_H

#include "cnnc/Target/CPU/ModelInfo.h"

#include <dlfcn.h>
#include <elf.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

namespace cnnc {

/// The introspection entry point of a model: `const cnnc_model_info
/// *<name>_model(void)`.
using DescribeModel = const ModelInfo *(*)();

/// A model found in a library: its symbols' prefix and its entry point.
struct FoundModel {
  std::string name;
  DescribeModel describe = nullptr;
};

namespace detail {

/// The names of the functions that an ELF64 file exports (its .dynsym),
/// read from the file; empty when the file is not one this host reads.
inline std::set<std::string> exportedFunctions(const std::string &path) {
  std::ifstream file(path, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(file)),
                          std::istreambuf_iterator<char>());
  std::set<std::string> names;
  Elf64_Ehdr header;
  if (bytes.size() < sizeof header)
    return names;
  std::memcpy(&header, bytes.data(), sizeof header);
  bool littleEndian = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;
  if (std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0 ||
      header.e_ident[EI_CLASS] != ELFCLASS64 ||
      header.e_ident[EI_DATA] != (littleEndian ? ELFDATA2LSB : ELFDATA2MSB) ||
      header.e_shentsize != sizeof(Elf64_Shdr))
    return names;
  // Every read is bounds-checked: the file may be anything.
  auto read = [&](auto &value, uint64_t offset) {
    if (offset > bytes.size() || bytes.size() - offset < sizeof value)
      return false;
    std::memcpy(&value, bytes.data() + offset, sizeof value);
    return true;
  };
  auto section = [&](uint64_t index, Elf64_Shdr &result) {
    return index < header.e_shnum &&
           read(result, header.e_shoff + index * sizeof(Elf64_Shdr));
  };
  for (uint64_t i = 0; i < header.e_shnum; ++i) {
    Elf64_Shdr symbols, strings;
    if (!section(i, symbols) || symbols.sh_type != SHT_DYNSYM ||
        !section(symbols.sh_link, strings) || strings.sh_offset > bytes.size())
      continue;
    uint64_t stringsEnd =
        std::min<uint64_t>(bytes.size(), strings.sh_offset + strings.sh_size);
    for (uint64_t offset = 0; offset + sizeof(Elf64_Sym) <= symbols.sh_size;
         offset += sizeof(Elf64_Sym)) {
      Elf64_Sym symbol;
      if (!read(symbol, symbols.sh_offset + offset))
        break;
      unsigned binding = ELF64_ST_BIND(symbol.st_info);
      if (symbol.st_shndx == SHN_UNDEF ||
          ELF64_ST_TYPE(symbol.st_info) != STT_FUNC ||
          (binding != STB_GLOBAL && binding != STB_WEAK) ||
          symbol.st_name >= stringsEnd - strings.sh_offset)
        continue;
      const char *name = bytes.data() + strings.sh_offset + symbol.st_name;
      names.insert(std::string(
          name,
          strnlen(name, stringsEnd - strings.sh_offset - symbol.st_name)));
    }
  }
  return names;
}

/// The names that the file name `path` suggests: `libNAME.so` gives NAME,
/// then libNAME.
inline std::vector<std::string> namesFromFileName(const std::string &path) {
  std::string stem = path.substr(path.find_last_of('/') + 1);
  stem = stem.substr(0, stem.find('.'));
  std::vector<std::string> names;
  if (stem.size() > 3 && stem.compare(0, 3, "lib") == 0)
    names.push_back(stem.substr(3));
  if (!stem.empty())
    names.push_back(stem);
  return names;
}

} // namespace detail

/// Finds the model of `library` (a dlopen handle of the file at `path`) by
/// the convention above; `name` is the name a user gave, or empty. Returns
/// false with a message in `error` when no name or several fit.
inline bool findModel(void *library, const std::string &path,
                      const std::string &name, FoundModel &found,
                      std::string &error) {
  auto lookup = [&](const std::string &candidate) {
    if (!dlsym(library, (candidate + "_run").c_str()))
      return false;
    found.name = candidate;
    found.describe = reinterpret_cast<DescribeModel>(
        dlsym(library, (candidate + "_model").c_str()));
    return found.describe != nullptr;
  };
  if (!name.empty()) {
    if (lookup(name))
      return true;
    error = "'" + path + "' has no model named '" + name +
            "': it exports no '" + name + "_model' and '" + name + "_run'";
    return false;
  }
  for (const std::string &candidate : detail::namesFromFileName(path))
    if (lookup(candidate))
      return true;
  std::set<std::string> exported = detail::exportedFunctions(path);
  std::vector<std::string> models;
  const std::string suffix = "_model";
  for (const std::string &symbol : exported)
    if (symbol.size() > suffix.size() &&
        symbol.compare(symbol.size() - suffix.size(), suffix.size(), suffix) ==
            0) {
      std::string prefix = symbol.substr(0, symbol.size() - suffix.size());
      if (exported.count(prefix + "_run"))
        models.push_back(prefix);
    }
  if (models.size() == 1 && lookup(models.front()))
    return true;
  if (models.empty()) {
    error = "'" + path +
            "' is not a cnnc library: it exports no NAME_model function with "
            "its NAME_run";
    return false;
  }
  error = "'" + path + "' holds several models (";
  for (size_t i = 0; i < models.size(); ++i)
    error += (i ? ", " : "") + models[i];
  error += "): choose one by name";
  return false;
}

} // namespace cnnc

#endif // CNNC_TARGET_CPU_MODELLOADER_H
