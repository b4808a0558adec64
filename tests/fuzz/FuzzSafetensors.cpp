//===- FuzzSafetensors.cpp - libFuzzer target: the safetensors reader -----===//
//
// Validates an input as a safetensors file, then reads every byte of every
// tensor it hands out: a file that opens must be safe to read in full.
//
//===----------------------------------------------------------------------===//

#include "cnnc/Frontend/Safetensors.h"

#include "llvm/Support/MemoryBuffer.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::Expected<cnnc::SafetensorsFile> file =
      cnnc::SafetensorsFile::fromBuffer(llvm::MemoryBuffer::getMemBufferCopy(
          llvm::StringRef(reinterpret_cast<const char *>(data), size),
          "fuzz.safetensors"));
  if (!file) {
    llvm::consumeError(file.takeError());
    return 0;
  }
  unsigned checksum = 0;
  for (const cnnc::SafetensorsTensor &tensor : file->tensors()) {
    for (char byte : tensor.data)
      checksum += static_cast<unsigned char>(byte);
    (void)tensor.numElements();
    (void)file->lookup(tensor.name);
  }
  // Keeps the reads from being optimized away.
  volatile unsigned sink = checksum;
  (void)sink;
  return 0;
}
