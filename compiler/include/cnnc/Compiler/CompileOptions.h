//===- CompileOptions.h - the options of cnnc's pipelines -------*- C++ -*-===//
//
// One set of options for every way into the compiler: cnnc's flags fill a
// CompileOptions, and cnnc-opt's pipelines take the same PipelineOptions as
// text (`--cnnc-lower-to-loops="fusion=false tile-bytes=65536"`).
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_COMPILER_COMPILEOPTIONS_H
#define CNNC_COMPILER_COMPILEOPTIONS_H

#include "cnnc/Compiler/Progress.h"
#include "cnnc/Target/CPU/Emission.h"
#include "cnnc/Target/CPU/LowerToLLVM.h"

#include "mlir/Pass/PassOptions.h"
#include "llvm/Support/CommandLine.h"

#include <string>

namespace cnnc {

/// What compile() produces, from the model in the cnn dialect to a library.
enum class EmitKind {
  CNN,
  Linalg,
  Loops,
  LLVMDialect,
  LLVMIR,
  Asm,
  Obj,
  /// A static archive (.a) that holds the object file.
  Archive,
  SharedLib,
  Header,
  /// A picture of the model after the graph and fusion passes: Graphviz
  /// text, or SVG drawn by Graphviz's dot (ModelGraph.h).
  Dot,
  SVG
};

/// The names and descriptions of the EmitKinds, for command-line options
/// (cnnc's --emit and CompileOptions::emit).
llvm::cl::ValuesClass emitKindValues();

/// The values of the sanitize option (cnnc::Sanitizer): none, address,
/// thread.
llvm::cl::ValuesClass sanitizerValues();

/// What an output file's name asks for: .so, .o, .a, .h, .ll, .s, .dot and
/// .svg name the library, the object, the static archive, the header, LLVM
/// IR, assembly and the model's picture; anything else the cnn dialect.
EmitKind emitKindForOutput(llvm::StringRef path);

/// Whether `kind` is code for the machine (LLVM IR and after, not the
/// header): its functions take bare pointers and the scratch arena, the
/// calling convention of the C API.
bool isMachineCode(EmitKind kind);

/// The options of the lowering pipelines from the cnn dialect: what the
/// registered pipelines (cnnc-lower-to-loops, cnnc-lower-to-llvm) take.
struct PipelineOptions : mlir::PassPipelineOptions<PipelineOptions> {
  Option<bool> fusion{*this, "fusion",
                      llvm::cl::desc("Run the fusion passes (off: each layer "
                                     "its own loop nest)"),
                      llvm::cl::init(true)};
  Option<bool> winograd{
      *this, "winograd",
      llvm::cl::desc("Run the stride-1 3x3 convolutions that the cost rule "
                     "picks as Winograd F(m x m, 3 x 3) (cnn-use-winograd; "
                     "off: all directly)"),
      llvm::cl::init(true)};
  Option<int64_t> winogradTile{
      *this, "winograd-tile",
      llvm::cl::desc("Winograd output tile m: 0 lets the cost rule choose "
                     "per convolution, 2 or 4 forces it on every one that "
                     "has the form"),
      llvm::cl::init(0)};
  Option<int64_t> winogradMaxTile{
      *this, "winograd-max-tile",
      llvm::cl::desc("Largest Winograd output tile the cost rule may choose: "
                     "4 (default) for F(4x4, 3x3) where it is fastest, or 2 "
                     "for F(2x2, 3x3) only (a smaller rounding error)"),
      llvm::cl::init(4)};
  Option<std::string> fusionPasses{
      *this, "fusion-passes",
      llvm::cl::desc("More fusion passes to run before cnnc's own, as a "
                     "textual pass pipeline (a plugin's pass, or an in-tree "
                     "one with options)")};
  Option<int64_t> tileBytes{
      *this, "tile-bytes",
      llvm::cl::desc("Tile budget in bytes of the tiled fusions (bottleneck, "
                     "depthwise-pointwise); 0: their defaults"),
      llvm::cl::init(0)};
  Option<bool> scratchArgument{
      *this, "scratch-argument",
      llvm::cl::desc("Take the arena of temporary buffers as a new last "
                     "function argument instead of allocating it"),
      llvm::cl::init(false)};
  Option<bool> barePointers{
      *this, "bare-pointers",
      llvm::cl::desc("Pass each memref as a bare pointer to its data (the C "
                     "API) instead of a memref descriptor"),
      llvm::cl::init(false)};
  Option<int64_t> block{
      *this, "block",
      llvm::cl::desc("Channels per block of the channel-blocked layout of "
                     "feature maps (cnn-assign-layout): the target's f32 "
                     "vector width; 0 keeps NCHW"),
      llvm::cl::init(0)};
  Option<bool> loneConvolutionsInNCHW{
      *this, "lone-convolutions-in-nchw",
      llvm::cl::desc("Keep a blocked region in NCHW when its convolutions "
                     "all have fast NCHW kernels: 1x1 stride 1, depthwise of "
                     "a model input or a slice of it (cnn-assign-layout)"),
      llvm::cl::init(true)};
  Option<int64_t> vectorRegisters{
      *this, "vector-registers",
      llvm::cl::desc("Vector registers of the target, which size the "
                     "kernels' register tiles"),
      llvm::cl::init(16)};
  Option<int64_t> vectorLanes{
      *this, "vector-lanes",
      llvm::cl::desc("f32 lanes of the target's vectors, for the kernels "
                     "that do not take theirs from the blocked layout"),
      llvm::cl::init(8)};
  Option<int64_t> batch{
      *this, "batch",
      llvm::cl::desc("Recompile the model for this static batch size, the "
                     "first dimension of every input (cnn-set-batch); 0 "
                     "keeps the model's"),
      llvm::cl::init(0)};
  Option<int64_t> minParallelWork{
      *this, "min-parallel-work",
      llvm::cl::desc("Least estimated work (ops) of a parallel loop that "
                     "runs on the thread pool in code for the C API "
                     "(cnn-lower-parallel-loops); 1 threads every loop"),
      llvm::cl::init(kDefaultMinParallelWork)};
};

/// The options of cnnc::compile: the pipeline's, and what to emit for which
/// machine. (Emitting code for the machine implies bare-pointers and
/// scratch-argument: the C API needs both.)
struct CompileOptions : PipelineOptions {
  /// compile() takes the blocked layout's block, the vector lanes and the
  /// registers from the target unless `block` is set (to a block, or 0).
  CompileOptions() { block = kBlockFromTarget; }
  static constexpr int64_t kBlockFromTarget = -1;

  Option<EmitKind> emit{*this, "emit", llvm::cl::desc("What to produce"),
                        llvm::cl::init(EmitKind::CNN), emitKindValues()};
  Option<unsigned> optLevel{*this, "opt-level",
                            llvm::cl::desc("LLVM optimization level, 0 to 3"),
                            llvm::cl::init(3)};
  Option<bool> llvmUnrollLoops{
      *this, "llvm-unroll-loops",
      llvm::cl::desc("Run LLVM's loop unrolling passes too (off by default: "
                     "the kernels arrive unrolled to their register tiles, "
                     "and LLVM's unrolling costs compile time for almost "
                     "no change in the code)"),
      llvm::cl::init(false)};
  Option<bool> verifyEach{
      *this, "verify-each",
      llvm::cl::desc("Verify the IR after every pass (off by default: the "
                     "lowered module is verified once, before translation to "
                     "LLVM IR; every pass's verification took a quarter of a "
                     "large model's MLIR time)"),
      llvm::cl::init(false)};
  Option<std::string> triple{
      *this, "mtriple", llvm::cl::desc("Target triple (default: the host's)")};
  Option<std::string> cpu{
      *this, "mcpu",
      llvm::cl::desc("Target CPU (default: the host's for the host's "
                     "architecture, generic for another)")};
  Option<std::string> features{
      *this, "mattr",
      llvm::cl::desc("Target features to add (+name) or remove (-name), "
                     "separated by commas")};
  Option<unsigned> codegenThreads{
      *this, "codegen-threads",
      llvm::cl::desc("Threads that generate a shared library's machine code, "
                     "one object file each (0: up to one per CPU, fewer for "
                     "a small model, 1 when the MLIR context is "
                     "single-threaded)"),
      llvm::cl::init(0)};
  Option<std::string> name{
      *this, "name",
      llvm::cl::desc("The model's name in the library: the prefix of its C "
                     "symbols (<name>_run, <name>_model) and the name its "
                     "description gives (default: the model's own)")};
  Option<Sanitizer> sanitize{
      *this, "sanitize",
      llvm::cl::desc("Instrument the generated code for a sanitizer, to "
                     "test it (the program that loads the library carries "
                     "the sanitizer's runtime)"),
      llvm::cl::init(Sanitizer::None), sanitizerValues()};

  /// For code for the machine: compile() may free the data of the module's
  /// weights (their resource blobs) as soon as it is done with each, the
  /// originals that passes repacked after the MLIR pipeline and the rest
  /// once LLVM IR holds them: the lowered module then reads them as empty.
  /// Only for a caller whose context holds no other module that uses the
  /// same weights (a clone made before compile()). Not a pipeline option.
  bool releaseWeights = false;
  /// Told where the compile is (Progress.h): compile() and writeArtifacts()
  /// report their stages here when it is set. Not a pipeline option.
  ProgressCallback progress;
};

} // namespace cnnc

#endif // CNNC_COMPILER_COMPILEOPTIONS_H
