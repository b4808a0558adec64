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
    A buffer or an arena of more than 2^62 bytes is an error at the buffer
    (sizes are computed with checked arithmetic, never wrapped around); the
    bytes without reuse, a report only, saturate at INT64_MAX.

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

def CNNWriteResultsInPlace
    : Pass<"cnn-write-results-in-place", "mlir::ModuleOp"> {
  let summary = "Compute a function's results in its out-parameters, not in copies";
  let description = [{
    Runs after `buffer-results-to-out-params`, before `cnn-plan-memory`.
    A `memref.copy` at the top level of a function from a statically shaped
    `memref.alloc` (identity layout, the same type) into an out-parameter,
    where nothing uses the allocation after the copy and nothing but the
    copy uses the out-parameter, is removed, and the allocation's uses
    write into the out-parameter instead: a model's output is computed
    where the caller wants it, not in the arena and then copied. The
    out-parameter then holds partial results while the function runs, so
    the caller must not pass an output that overlaps an input (the C entry
    points check that).
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect"];
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
    their simple layouts (in the order the nest first uses them), and the
    byte offsets of its views of the arena. A model is then many small
    functions, not one huge one: LLVM's optimizations, some of which scale
    worse than linearly with a function's size, compile DenseNet-121 in
    seconds instead of minutes. Nests that differ only in those offsets
    and in which buffers they are given (padding borders, reorders, pools
    and element-wise ops of one shape: DenseNet-121's 517 nests are 262
    functions, ResNet-50's 152 are 108) share the function of the first of
    them, so that LLVM optimizes and compiles each body once (and `perf`
    counts them as one symbol). Weights stay globals named inside the
    nest.
  }];
  let dependentDialects = ["mlir::func::FuncDialect"];
}

def CNNVectorizeConvolutions
    : Pass<"cnn-vectorize-convolutions", "mlir::ModuleOp"> {
  let summary = "Register-tiled vector loop nests for convolutions on buffers";
  let description = [{
    Runs after bufferization. Rewrites `linalg.conv_2d_nchw_fchw` and
    `linalg.depthwise_conv_2d_nchw_chw` on static f32 memrefs (innermost
    stride 1) as scf loops over register tiles of vectors along the
    output width: a convolution keeps 6 output channels x 2 vectors of
    columns (or 12 x 1 for narrow images; 6 x 4 and 24 x 1 with 32
    registers) of accumulators in registers across the whole reduction over
    input channels and kernel taps, a depthwise convolution up to 4 vectors
    of one channel. 1x1 stride-1 convolutions run over the
    flattened image as matrix products. A filter that is a constant global
    is prepacked at compile time into a new global in the order the tile
    reads it, [O / R][C][KH][KW][R]. Strided rows are read by masked loads
    and shuffles, row and channel tails by masked loads and stores. Other
    convolutions are left for the loop lowering. The vectors are
    `vector-lanes` wide and the convolution tile is sized to
    `vector-registers` (with 32 registers: 6 channels x 4 vectors).
  }];
  let options = [
    Option<"vectorRegisters", "vector-registers", "int64_t", /*default=*/"16",
           "Vector registers of the target (16 for AVX2, 32 for AVX-512 "
           "and NEON)">,
    Option<"vectorLanes", "vector-lanes", "int64_t", /*default=*/"8",
           "f32 lanes of the target's vectors">
  ];
  let dependentDialects = [
    "cnnc::CnncDialect", "mlir::arith::ArithDialect",
    "mlir::LLVM::LLVMDialect", "mlir::memref::MemRefDialect",
    "mlir::scf::SCFDialect", "mlir::vector::VectorDialect"
  ];
}

def CNNVectorizeBlockedConvolutions
    : Pass<"cnn-vectorize-blocked-convolutions", "mlir::ModuleOp"> {
  let summary = "Register-tiled vector kernels for convolutions in the channel-blocked layout";
  let description = [{
    Runs after bufferization. Replaces every `linalg.generic` marked
    `cnnc.blocked_conv` (a convolution on channel-blocked buffers
    [N, C/L, H, W, L] built by the blocked lowering, in one of the forms
    dense, plain_input, depthwise or lane_groups) by loops over register
    tiles of L-lane vectors: output blocks x pixels of accumulators for
    dense convolutions (filter vectors times broadcast input values),
    pixels of one block for depthwise ones, and shuffled input vectors
    shared between taps for grouped convolutions with several groups per
    block. The tile is sized to `vector-registers`. The fill or bias that
    initializes the output, an element-wise epilogue (`cnnc.epilogue`) and
    a channel sum (`cnnc.channel_sum`) on the same buffer are applied in
    registers. A generic whose maps are not those of its form is left
    alone. Reorders between NCHW and the blocked layout (`cnnc.reorder`)
    become transposes of L x L register tiles, and dense layers
    (`linalg.matmul_transpose_b`) dot products of `vector-lanes`-wide
    vectors, several weight rows at a time. Max and average pools over a
    window in the blocked layout become one vector per output pixel,
    started from the output's fill, the taps combined in the generic's
    order. Last, an element-wise generic
    that no kernel took over (in NCHW: a squeeze-and-excitation scale, an
    add) becomes parallel loops over its outer dimensions and
    `vector-lanes`-wide vectors along its rows (short rows merged with the
    dimensions outside them where memory is contiguous; the last vector
    masked), operands that do not vary along a row broadcast.
  }];
  let options = [
    Option<"vectorRegisters", "vector-registers", "int64_t", /*default=*/"16",
           "Vector registers of the target (16 for AVX2, 32 for AVX-512 "
           "and NEON)">,
    Option<"vectorLanes", "vector-lanes", "int64_t", /*default=*/"8",
           "f32 lanes of the target's vectors, for the kernels that do not "
           "take theirs from a blocked layout (dense layers, element-wise "
           "loops)">
  ];
  let dependentDialects = [
    "cnnc::CnncDialect", "mlir::arith::ArithDialect",
    "mlir::LLVM::LLVMDialect", "mlir::memref::MemRefDialect",
    "mlir::scf::SCFDialect", "mlir::vector::VectorDialect"
  ];
}

def CNNAssignLayout : Pass<"cnn-assign-layout", "mlir::ModuleOp"> {
  let summary = "Give feature maps the channel-blocked layout [N, C/L, H, W, L]";
  let description = [{
    Runs on tensors, after `cnn-lower-to-linalg`. Every convolution that has
    a blocked form (one group, depthwise, or grouped with several groups per
    block or whole blocks per group; a constant filter) becomes a
    `linalg.generic` marked `cnnc.blocked_conv` on blocked tensors, its
    filter repacked at compile time in the order its kernel reads it. The
    blocked layout then spreads to the ops computed from those results
    channel by channel (element-wise and pooling generics, spatial padding,
    row slices, block-aligned channel slices and concatenations, the values
    loops carry), so each feature map is reordered at most once: from NCHW
    at the model's inputs (`tensor.pack`, zero-padding the channels to whole
    blocks), back at its outputs and before the few ops that need NCHW
    (`tensor.unpack`). A first convolution with fewer channels than a block
    reads its NCHW input directly. `block` is the vector width in f32 lanes
    (8 for AVX2, 16 for AVX-512, 4 for NEON); 0 leaves the module in NCHW.

    A blocked region (its input from NCHW, its results read in NCHW,
    nothing but element-wise ops, slices, inserts and loops between) whose
    convolutions all have fast NCHW kernels (1x1 stride-1 convolutions of
    one group, a depthwise convolution of a model input or of a slice of it,
    such as a fused chain's band of rows) stays in NCHW, unless
    `lone-convolutions-in-nchw` is false: the NCHW kernels run a 1x1 as a
    matrix product over the image as fast as the blocked one, and the
    region's reorder back to NCHW, a whole pass over its output, is saved.
  }];
  let options = [
    Option<"block", "block", "int64_t", /*default=*/"0",
           "Channels per block: the vector width in f32 lanes (0: NCHW)">,
    Option<"loneConvolutionsInNCHW", "lone-convolutions-in-nchw", "bool",
           /*default=*/"true",
           "Keep a blocked region in NCHW when its convolutions all have "
           "fast NCHW kernels (1x1 stride 1, depthwise of a model input or a "
           "slice of it)">
  ];
  let dependentDialects = [
    "cnnc::CnncDialect",
    "mlir::arith::ArithDialect", "mlir::linalg::LinalgDialect",
    "mlir::tensor::TensorDialect"
  ];
}

def CNNLowerReorders : Pass<"cnn-lower-reorders", "mlir::ModuleOp"> {
  let summary = "Lower tensor.pack and tensor.unpack to generics marked cnnc.reorder";
  let description = [{
    Runs on tensors, before bufferization. Each reorder that
    `cnn-assign-layout` leaves between NCHW and the blocked layout becomes a
    `linalg.generic` that states it element by element (a pack reads its
    source with tensor.extract, zero past the channels; an unpack reads
    channel c at block c / L, lane c % L) and is marked `cnnc.reorder`, so
    that `cnn-vectorize-blocked-convolutions` replaces it by transposes of
    L x L register tiles.
  }];
  let dependentDialects = [
    "cnnc::CnncDialect",
    "mlir::linalg::LinalgDialect", "mlir::tensor::TensorDialect"
  ];
}

def CNNPadInPlace : Pass<"cnn-pad-in-place", "mlir::ModuleOp"> {
  let summary = "Let a padded convolution input's producer write into the padded buffer";
  let description = [{
    Runs on tensors, before empty-tensor elimination. A `tensor.pad` with a
    constant value whose source is computed by a chain of destination-style
    ops starting at a `tensor.empty`, and read by nothing but the pad,
    becomes a fill of the padded tensor (placed before the chain) and a
    `tensor.insert_slice` of the source into its interior. Empty-tensor
    elimination then makes the chain write into that interior, so the
    padded input of a convolution is never copied.

    First, pads of slices of one tensor, at least one of them in a loop
    (the row tiles of a fused chain whose first op reads a padded input),
    become slices of a single pad of the whole tensor, when that gives the
    same values: along a dimension that some tile pads, a tile's low
    padding starts at the tensor's start and its high padding ends at the
    tensor's end; along the others every slice takes the whole extent. The
    tiles then read the whole pad in place instead of filling and copying
    a padded tile each, and the rule above lets the tensor's producer
    write into it.
  }];
  let dependentDialects = [
    "cnnc::CnncDialect",
    "mlir::arith::ArithDialect", "mlir::linalg::LinalgDialect",
    "mlir::tensor::TensorDialect"
  ];
}

def CNNHoistInsertDestinations
    : Pass<"cnn-hoist-insert-destinations", "mlir::ModuleOp"> {
  let summary = "Define a concat's destination before its parts, so that they are written in place";
  let description = [{
    Runs on tensors, before empty-tensor elimination. A `tensor.insert_slice`
    whose source is computed by a chain of destination-style ops starting
    at a `tensor.empty` (with no other reader) can have that chain write
    into its slice of the destination, but only if the destination is
    defined before the chain starts. The lowering of a concat or a channel
    shuffle builds the destination (a `tensor.empty` and the inserts of the
    parts, one after the other) after every part is computed; this pass
    moves the destination's `tensor.empty` and its earlier inserts up to
    just before the chain of the next part, when every value they read is
    defined there. Then each part is written into its slice (strided for a
    shuffle's interleaving) instead of into a buffer of its own and a copy.
  }];
  let dependentDialects = ["mlir::tensor::TensorDialect"];
}

def CNNUseWinograd : Pass<"cnn-use-winograd", "mlir::ModuleOp"> {
  let summary = "Run stride-1 3x3 blocked convolutions as Winograd F(m x m, 3 x 3)";
  let description = [{
    Runs on tensors, after `cnn-assign-layout`. A dense blocked convolution
    (one group) with a 3x3 window, stride 1 and dilation 1 becomes three
    ops: the input transform B^T d B of each alpha x alpha input tile
    (alpha = m + 2) of each channel block, a `linalg.generic` marked
    `cnnc.winograd_input` that writes V [N, alpha, alpha, Cb, TH, TW, L];
    the alpha^2 matrix products over the channels, one grouped 1x1 blocked
    convolution (`cnnc.blocked_conv`, alpha^2 groups of whole blocks) with
    the filter transformed at compile time (G g G^T); and the output
    transform A^T M A, a `linalg.generic` marked `cnnc.winograd_output`
    that adds each m x m output tile to the convolution's initial value
    (its bias), so that its kernel takes over the init and the element-wise
    epilogue as the convolution's would. The image's border needs no copy:
    the input's zero padding grows to whole tiles (the padded buffer is
    written in place, `cnn-pad-in-place`), and the output transform writes
    only the pixels inside the image.

    Cost rule (`tile=0`): a convolution with at least `min-channels` input
    and output channels (padded to blocks) takes the tile m in {2, 4} (up
    to `max-tile`) with the lowest estimated time, in vector multiply-adds: the products,
    T alpha^2 Cb Ob L multiply-adds at the direct kernel's speed, plus the
    transforms, T (Cb * in(m) + Ob * out(m)) loads, stores and adds at
    `transform-cost` each (T tiles, in and out counted per tile and block
    from the matrices' nonzeros), plus the transformed filter's
    alpha^2 Cin Cout 4 bytes, read from memory once per call at `byte-cost`
    each, if that is below `max-ratio` times the direct convolution's
    N Ho Wo 9 Cb Ob L multiply-adds plus its filter's 9 Cin Cout 4 bytes.
    (So the large-channel layers on small images, whose filters grow from
    9 to 16 or 36 values per channel pair and are read for few pixels,
    stay direct: ResNet-50's 512-channel 3x3 layers at 7x7.) `max-tile`
    is 4 by default: F(4x4, 3x3) runs ResNet-50's 64- and 128-channel
    layers faster (the model 3.5-5% faster than with F(2x2) alone). Its
    rounding error, about 1e-6 per layer against F(2x2)'s and the direct
    convolution's 2e-7, grows through a model (ResNet-50's output differs
    from PyTorch's by 3.5e-5 instead of 2.1e-5, within the end-to-end
    tests' 1e-4); `max-tile=2` keeps to F(2x2). `tile=2` or `tile=4`
    forces that tile on every convolution that has the form, for tests and
    measurements. `cnnc --no-winograd` leaves this pass out.
  }];
  let options = [
    Option<"tile", "tile", "int64_t", /*default=*/"0",
           "Output tile m: 0 chooses by the cost rule, 2 or 4 forces it">,
    Option<"maxTile", "max-tile", "int64_t", /*default=*/"4",
           "Largest tile m the cost rule may choose (2 or 4)">,
    Option<"minChannels", "min-channels", "int64_t", /*default=*/"32",
           "Fewest input and output channels (padded to blocks)">,
    Option<"maxRatio", "max-ratio", "double", /*default=*/"0.8",
           "Estimated Winograd time over direct time below which it is used">,
    Option<"transformCost", "transform-cost", "double", /*default=*/"2.0",
           "Cost of one transform vector instruction in multiply-adds">,
    Option<"byteCost", "byte-cost", "double", /*default=*/"0.3",
           "Cost of reading one byte of filter in multiply-adds">
  ];
  let dependentDialects = [
    "cnnc::CnncDialect",
    "mlir::arith::ArithDialect", "mlir::linalg::LinalgDialect",
    "mlir::tensor::TensorDialect"
  ];
}

#endif // CNNC_TRANSFORMS_PASSES_TD
