//===- Passes.td - buffer-level passes of cnnc -------------*- tablegen -*-===//
//
// Passes on linalg, memref, scf and vector ops that know nothing of the cnn
// dialect: what they take from the conversion they read from the `cnnc`
// dialect's annotations.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_TRANSFORMS_PASSES_TD
#define CNNC_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def CNNFuseElementwise : Pass<"cnn-fuse-elementwise", "mlir::ModuleOp"> {
  let summary = "Merge chains of element-wise linalg.generic ops into one loop";
  let description = [{
    Runs on tensors, after `cnn-lower-to-linalg`. An element-wise
    `linalg.generic` whose result only feeds another element-wise generic is
    merged into it (upstream's element-wise op fusion), so that a chain such
    as DenseNet's pre-activation batch norm -> relu, or a squeeze-and-
    excitation scale -> residual add -> relu, reads and writes its feature
    maps once instead of once per op. Convolution epilogues (generics marked
    `cnnc.epilogue`, which update a convolution's result in place and are
    applied in registers later), producers with several users (which
    would be computed twice) and producers the consumer broadcasts (an SE
    gate on [N, C, 1, 1], which would be recomputed at every pixel) are left
    alone.
  }];
  let dependentDialects = ["cnnc::CnncDialect", "mlir::linalg::LinalgDialect"];
}

def CNNPlanMemory : Pass<"cnn-plan-memory", "mlir::ModuleOp"> {
  let summary = "Place a function's temporary buffers in one arena, reused by liveness";
  let description = [{
    Runs after bufferization, before deallocation. Every statically shaped
    `memref.alloc` at the top level of a function whose uses all stay inside
    the function is given an offset in one arena: buffers that are live at
    the same time never overlap, and a buffer reuses the bytes of buffers
    that died before it was allocated (greedy placement, largest first,
    64-byte alignment). The allocations become `memref.view`s of a single
    `memref.alloc` of the arena. The arena's size and the bytes the separate
    allocations would need are recorded on the module as
    `cnnc.arena_bytes` and `cnnc.unplanned_bytes` (per function, summed).

    With `scratch-argument`, the arena is not allocated: it becomes a new
    last argument of the function, `memref<NxI8>` with the attribute
    `cnnc.scratch`, so that the caller provides the memory and a call never
    allocates; a buffer that cannot be placed in the arena is then an error.
  }];
  let options = [
    Option<"scratchArgument", "scratch-argument", "bool", /*default=*/"false",
           "Take the arena as a new last function argument instead of "
           "allocating it">
  ];
  let dependentDialects = [
    "cnnc::CnncDialect", "mlir::arith::ArithDialect",
    "mlir::memref::MemRefDialect"
  ];
}

def CNNFlattenConstantGlobals
    : Pass<"cnn-flatten-constant-globals", "mlir::ModuleOp"> {
  let summary = "Store constant globals of rank 2 or more as flat 1-D arrays";
  let description = [{
    Runs after bufferization. Every constant `memref.global` of static shape
    and rank 2 or more becomes a 1-D global of the same data, and each
    `memref.get_global` of it is followed by a `memref.expand_shape` back to
    the original shape. LLVM represents an N-d constant as nested arrays
    (one constant per innermost row): for the weights of a real network
    that is millions of objects, which dominated compile time; a flat array
    is one.
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect"];
}

def CNNOutlineLoopNests : Pass<"cnn-outline-loop-nests", "mlir::ModuleOp"> {
  let summary = "Move each top-level loop nest of a function into a function of its own";
  let description = [{
    Runs on buffers, after vectorization. Every top-level op with regions and
    no results (an `scf.for` nest, a linalg op on buffers) of a public
    function becomes a private function `<name>_nest<k>`, marked
    `noinline`, and a call to it. Views, constants and index arithmetic that
    the nest uses are rebuilt inside the new function, so that its
    arguments are the parent's own buffers (inputs, outputs, arena) with
    their simple layouts. A model is then many small functions, not one
    huge one: LLVM's optimizations, some of which scale worse than linearly
    with a function's size, compile DenseNet-121 in seconds instead of
    minutes, and each layer is its own symbol in the assembly.
  }];
  let dependentDialects = ["mlir::func::FuncDialect"];
}

def CNNVectorizeConvolutions
    : Pass<"cnn-vectorize-convolutions", "mlir::ModuleOp"> {
  let summary = "Register-tiled vector loop nests for convolutions on buffers";
  let description = [{
    Runs after bufferization. Rewrites `linalg.conv_2d_nchw_fchw` and
    `linalg.depthwise_conv_2d_nchw_chw` on static f32 memrefs (innermost
    stride 1) as scf loops over register tiles of 8-lane vectors along the
    output width: a convolution keeps 6 output channels x 16 columns (or
    12 x 8 for narrow images) of accumulators in registers across the whole
    reduction over input channels and kernel taps, a depthwise convolution
    up to 32 columns of one channel. 1x1 stride-1 convolutions run over the
    flattened image as matrix products. A filter that is a constant global
    is prepacked at compile time into a new global in the order the tile
    reads it, [O / R][C][KH][KW][R]. Strided rows are read by masked loads
    and shuffles, row and channel tails by masked loads and stores. Other
    convolutions are left for the loop lowering.
  }];
  let dependentDialects = [
    "cnnc::CnncDialect", "mlir::arith::ArithDialect",
    "mlir::memref::MemRefDialect", "mlir::scf::SCFDialect",
    "mlir::vector::VectorDialect"
  ];
}

#endif // CNNC_TRANSFORMS_PASSES_TD
