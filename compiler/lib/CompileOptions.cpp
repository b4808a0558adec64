//===- CompileOptions.cpp - the options of cnnc's pipelines ---------------===//

#include "cnnc/Compiler/CompileOptions.h"

#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/Path.h"

using namespace llvm;
using cnnc::EmitKind;
using cnnc::Sanitizer;

cl::ValuesClass cnnc::emitKindValues() {
  return cl::values(
      clEnumValN(EmitKind::CNN, "cnn",
                 "the model in the cnn dialect (tensors, NCHW)"),
      clEnumValN(EmitKind::Linalg, "linalg",
                 "after the graph and fusion passes and "
                 "cnn-lower-to-linalg: linalg and tensor ops"),
      clEnumValN(EmitKind::Loops, "loops",
                 "after bufferization, memory planning and "
                 "vectorization: loops on buffers"),
      clEnumValN(EmitKind::LLVMDialect, "llvm-dialect",
                 "after bufferization and lowering: the LLVM dialect"),
      clEnumValN(EmitKind::LLVMIR, "llvm", "optimized LLVM IR"),
      clEnumValN(EmitKind::Asm, "asm", "assembly for the target"),
      clEnumValN(EmitKind::Obj, "obj", "an object file (needs -o)"),
      clEnumValN(EmitKind::Archive, "archive",
                 "a static archive of the object file (needs -o)"),
      clEnumValN(EmitKind::SharedLib, "so",
                 "a shared library linked with lld (needs -o)"),
      clEnumValN(EmitKind::Header, "header",
                 "the C header of the library's API"),
      clEnumValN(EmitKind::Dot, "dot",
                 "a picture of the model after fusion, as Graphviz text: "
                 "layers, shapes, fused chains as clusters (--no-fusion: "
                 "before fusion)"),
      clEnumValN(EmitKind::SVG, "svg",
                 "the same picture as SVG, drawn by Graphviz's dot"));
}

cl::ValuesClass cnnc::sanitizerValues() {
  return cl::values(clEnumValN(Sanitizer::None, "none", "no instrumentation"),
                    clEnumValN(Sanitizer::Address, "address",
                               "AddressSanitizer: out-of-bounds accesses"),
                    clEnumValN(Sanitizer::Thread, "thread",
                               "ThreadSanitizer: data races between threads"));
}

EmitKind cnnc::emitKindForOutput(StringRef path) {
  return StringSwitch<EmitKind>(sys::path::extension(path))
      .Case(".so", EmitKind::SharedLib)
      .Case(".o", EmitKind::Obj)
      .Case(".a", EmitKind::Archive)
      .Case(".h", EmitKind::Header)
      .Case(".ll", EmitKind::LLVMIR)
      .Case(".s", EmitKind::Asm)
      .Case(".dot", EmitKind::Dot)
      .Case(".svg", EmitKind::SVG)
      .Default(EmitKind::CNN);
}

bool cnnc::isMachineCode(EmitKind kind) {
  return kind == EmitKind::LLVMIR || kind == EmitKind::Asm ||
         kind == EmitKind::Obj || kind == EmitKind::Archive ||
         kind == EmitKind::SharedLib;
}
