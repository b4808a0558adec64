//===- FuzzNpy.cpp - libFuzzer target: the .npy reader --------------------===//
//
// Reads an input as a .npy file, header and values, as cnnc-run does (from
// memory instead of a file), and the header's text alone through the parser.
//
//===----------------------------------------------------------------------===//

#include "cnnc/Support/Npy.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef bytes(reinterpret_cast<const char *>(data), size);
  cnnc::InputStream stream = cnnc::InputStream::fromMemory(bytes, "fuzz.npy");
  llvm::Expected<cnnc::NpyHeader> header = cnnc::readNpyHeader(stream);
  if (!header) {
    llvm::consumeError(header.takeError());
  } else {
    llvm::Expected<std::vector<float>> values =
        cnnc::readNpyValues(stream, *header);
    if (!values)
      llvm::consumeError(values.takeError());
  }
  // The same bytes as a header's text: the parser sees every input, not
  // only those that start with a valid preamble.
  llvm::Expected<cnnc::NpyHeader> parsed = cnnc::parseNpyHeader(bytes);
  if (!parsed)
    llvm::consumeError(parsed.takeError());
  return 0;
}
