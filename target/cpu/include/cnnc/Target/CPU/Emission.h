//===- Emission.h - from the LLVM dialect to machine code -------*- C++ -*-===//

#ifndef CNNC_TARGET_CPU_EMISSION_H
#define CNNC_TARGET_CPU_EMISSION_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/CodeGen.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Triple.h"

#include <functional>
#include <memory>
#include <string>

namespace cnnc {

/// A sanitizer's instrumentation of the generated code, to test it: the
/// library then calls that sanitizer's runtime, which the program that
/// loads it must carry (built with -fsanitize=address or thread).
enum class Sanitizer { None, Address, Thread };

/// The machine to generate code for. An empty triple means the host's; an
/// empty cpu the host's for the host's architecture, `generic` for another
/// (TargetMachine.h resolves and checks them).
struct TargetSpec {
  std::string triple;
  std::string cpu;
  unsigned optLevel = 3; // 0 to 3, as -O.
  Sanitizer sanitizer = Sanitizer::None;
  /// Features to add or remove, as --mattr: "+avx2,-avx512f".
  std::string features;
  /// Whether LLVM's loop unrolling passes run. cnnc's kernels are unrolled
  /// to their register tiles before LLVM sees them; LLVM's unrolling then
  /// changes only small loops (border fills, copies) and costs a third of
  /// a large model's LLVM time, so it is off unless asked for.
  bool unrollLoops = false;
};

/// Instruments every function defined in `module` for `sanitizer`, after
/// optimization, as clang does with -fsanitize.
void instrumentForSanitizer(llvm::Module &module, Sanitizer sanitizer);

/// The vector registers of a target, which size the blocked layout and the
/// kernels' register tiles: f32 lanes per register and how many registers.
struct TargetVectors {
  int64_t lanes = 4;
  int64_t registers = 16;
};

/// What `target`'s CPU has: 16 lanes and 32 registers with AVX-512, 8 and
/// 16 with AVX2 (and FMA), 4 and 32 on AArch64 (NEON), else 4 and 16.
llvm::Expected<TargetVectors> getTargetVectors(const TargetSpec &target);

/// Lets the translation to LLVM IR take the `cnnc` dialect's annotations
/// (a scratch argument, the arena's size on the module), which mean nothing
/// to LLVM, without a warning.
void registerAnnotationsTranslation(mlir::DialectRegistry &registry);

/// Translates a module in the LLVM dialect to LLVM IR for `target`, lets
/// `extend` add to it (the C API), and optimizes it (optimizeModule) unless
/// told not to (writeSharedLibrary can optimize it in parts, at once).
llvm::Expected<std::unique_ptr<llvm::Module>> translateToLLVMIR(
    mlir::ModuleOp module, llvm::LLVMContext &context, const TargetSpec &target,
    llvm::function_ref<llvm::Error(llvm::Module &)> extend = nullptr,
    bool optimize = true);

/// Replaces each large constant array of `module` (the weights) by a
/// constant byte array with the same contents, which code generation
/// writes in one piece rather than element by element.
void storeConstantArraysAsBytes(llvm::Module &module);

/// Runs LLVM's optimization pipeline at the target's level (its loop
/// unrolling only if the target asks for it), then the target's sanitizer
/// instrumentation, if any.
llvm::Error optimizeModule(llvm::Module &module, const TargetSpec &target);

/// Told after code generation of each function: how many functions with a
/// body are done, of how many.
using CodegenProgress = std::function<void(unsigned done, unsigned total)>;

/// Writes `module` as an object file or as assembly.
llvm::Error emitMachineCode(llvm::Module &module, const TargetSpec &target,
                            llvm::CodeGenFileType kind,
                            llvm::raw_pwrite_stream &os,
                            CodegenProgress progress = nullptr);

/// Writes `module` as a static archive (the GNU format, with a symbol
/// table) that holds its object file as `member`: what `ar rcs` makes, for
/// programs that link the model statically.
llvm::Error writeStaticArchive(llvm::Module &module, const TargetSpec &target,
                               llvm::StringRef member, llvm::raw_ostream &os,
                               CodegenProgress progress = nullptr);

/// Links object files for `triple` (Linux, ELF) into a shared library with
/// lld, against libc and libm only: the host's, or a cross libc for another
/// architecture.
llvm::Error linkSharedLibrary(llvm::ArrayRef<std::string> objects,
                              llvm::StringRef output,
                              const llvm::Triple &triple);

/// How many object files emitObjectFiles should make of `module` on at
/// most `threads` threads: one per 20,000 instructions or so, at most
/// `threads`; with `exact`, `threads` (but no more than the functions).
unsigned codegenPartitions(const llvm::Module &module, unsigned threads,
                           bool exact = false);

/// Writes `module` as one object file per path, generated at once on one
/// thread each (and first optimized, each part on its thread, if
/// `optimize`): the first holds every global variable (the weights) and
/// the functions of its share, the others the rest of the functions; the
/// symbols between them are hidden. The objects are for one shared library
/// (linkSharedLibrary): their hidden symbols would clash with another
/// model's in a static link. `module` is left split (its moved functions
/// declared only).
llvm::Error emitObjectFiles(llvm::Module &module, const TargetSpec &target,
                            llvm::ArrayRef<std::string> paths,
                            CodegenProgress progress = nullptr,
                            bool optimize = false);

/// Writes `module` as a shared library at `output`: object files in
/// temporary files, generated (and optimized, if `optimize`) on
/// codegenPartitions(module, threads, exact) threads (emitObjectFiles),
/// linked with linkSharedLibrary.
llvm::Error writeSharedLibrary(llvm::Module &module, const TargetSpec &target,
                               llvm::StringRef output,
                               CodegenProgress progress = nullptr,
                               unsigned threads = 1, bool exact = false,
                               bool optimize = false);

} // namespace cnnc

#endif // CNNC_TARGET_CPU_EMISSION_H
