//===- Passes.td - cnn graph and fusion passes -------------*- tablegen -*-===//

#ifndef CNNC_PASSES_TD
#define CNNC_PASSES_TD

include "mlir/Pass/PassBase.td"

def CNNPrintStats : Pass<"cnn-print-stats", "mlir::ModuleOp"> {
  let summary = "Print op counts, convolution variants and MACs of each function";
  let description = [{
    Reports, for each function in order, how many ops of each `cnn` kind it
    holds, how its convolutions split into standard, pointwise, depthwise,
    grouped, dilated and deformable ones, and the multiply-accumulates of its
    convolutions and dense layers (saturating at 2^64 - 1). The IR is left
    unchanged; the report goes to stderr, for a quick look at a model and for
    FLOP counts in benchmark tables.
  }];
  let dependentDialects = ["cnnc::cnn::CNNDialect"];
}

def CNNSetBatch : Pass<"cnn-set-batch", "mlir::ModuleOp"> {
  let summary = "Recompile a model for another static batch size";
  let description = [{
    Gives every input of every function the batch `batch` as its first
    dimension and infers the shapes of everything after it again with each
    op's shape rules, so that one model description serves any batch size
    (`cnnc --batch N`). Parameters keep their shapes. A `cnn.reshape` whose
    target's first dimension is its input's batch keeps the batch there; a
    reshape or any other op that cannot take the new batch is an error at
    its location, as is an input of rank 0. `batch` 0 leaves the model as
    it is.
  }];
  let options = [
    Option<"batch", "batch", "int64_t", /*default=*/"0",
           "The batch size of the inputs (0: keep the model's)">
  ];
  let dependentDialects = ["cnnc::cnn::CNNDialect", "mlir::func::FuncDialect"];
}

def CNNFoldBatchNorm : Pass<"cnn-fold-batch-norm", "mlir::ModuleOp"> {
  let summary = "Fold inference batch norms into the preceding convolution or dense layer";
  let description = [{
    A `cnn.batch_norm` whose input is a `cnn.conv2d` or `cnn.dense` used by
    nothing else, with every parameter a `cnn.weight` holding values, is
    folded into that layer: each output channel's filter is scaled by
    scale / sqrt(variance + epsilon) and its bias becomes
    (bias - mean) * scale / sqrt(variance + epsilon) + shift, computed in
    double precision. The batch norm disappears, and with it one pass over
    the feature map. Convolutions whose result has other users, and
    parameters without values, are left alone.
  }];
  let dependentDialects = ["cnnc::cnn::CNNDialect"];
}

def CNNFoldConstants : Pass<"cnn-fold-constants", "mlir::ModuleOp"> {
  let summary = "Evaluate ops whose operands are all parameters at compile time";
  let description = [{
    An op whose every operand is a `cnn.weight` with values computes the same
    result on every run, so it is evaluated once, at compile time, and
    replaced by a new `cnn.weight` named after the op and its operands (for
    example `relu(prelu.weight)`). Evaluated: the element-wise activations
    (relu, relu6, clip, leaky_relu, sigmoid, hard_sigmoid, hard_swish, silu,
    tanh), add and mul with broadcasting, reshape and flatten, and the
    channel moves (channel_shuffle, slice, concat), in double precision,
    rounded to the element type. Parameters that become unused are removed;
    convolutions, pooling and dense layers on constants are left to run.
  }];
  let dependentDialects = ["cnnc::cnn::CNNDialect"];
}

def CNNFoldChannelShuffle : Pass<"cnn-fold-channel-shuffle", "mlir::ModuleOp"> {
  let summary = "Fold channel shuffles into channel indexing: no data movement";
  let description = [{
    Rewrites a `cnn.channel_shuffle` so that no op moves data for it:

    - `channel_shuffle(concat(x_1, ..., x_g), g)` with g inputs of equal
      channel counts (ShuffleNet v2's concat-then-shuffle) becomes
      `concat x_1, ..., x_g interleave`, which code generation lowers to
      strided channel slices that each input's producer writes directly;
    - `channel_shuffle(act(y))` for an element-wise activation used only by
      the shuffle becomes `act(channel_shuffle(y))`;
    - `channel_shuffle(conv2d(x), g)` for a grouped convolution with g
      groups (at most `max-groups`), valued parameters and no other user
      (ShuffleNet v1) becomes the interleaved concat of g ordinary
      convolutions, one per group, on channel slices of the input with
      slices of the filter and bias: each writes its output channels into
      their shuffled positions;
    - `act(concat(...))` used only by the activation becomes the concat of
      the activations, so that each can join its producer's epilogue;
    - a shuffle read only by one-group convolutions with valued filters is
      folded into their filters: each filter's input channels are permuted
      at compile time to read the unshuffled input.

    Shuffles that meet none of these (a depthwise producer read by a
    depthwise consumer, a shuffle also read by other ops) are left to run as
    a copy.
  }];
  let options = [
    Option<"maxGroups", "max-groups", "int64_t", /*default=*/"16",
           "Most groups of a grouped convolution split into one "
           "convolution per group">,
  ];
  let dependentDialects = ["cnnc::cnn::CNNDialect"];
}

def CNNEliminateConcat : Pass<"cnn-eliminate-concat", "mlir::ModuleOp"> {
  let summary = "Grow concatenations in place: each one extends the one before";
  let description = [{
    A `cnn.concat` whose first operands are exactly the operands of an
    earlier concat (DenseNet: layer k reads `concat(x0, y1, ..., yk)`, layer
    k+1 reads `concat(x0, y1, ..., yk, y(k+1))`) becomes the concat of that
    earlier concat and the remaining operands, so that the IR shows one
    growing feature map. Code generation gives such a chain (every concat
    whose first operand is a concat) one buffer of the final size: each
    producer writes its channels into it once, and each concat of the chain
    is a leading channel range of that buffer, so nothing is copied layer
    after layer. (Concats with distinct operands, such as Inception's, need
    no rewrite: their producers already write into the concat's buffer.)
    Interleaved concats are left alone.
  }];
  let dependentDialects = ["cnnc::cnn::CNNDialect"];
}

def CNNFuseSqueezeExcite
    : Pass<"cnn-fuse-squeeze-excite", "mlir::ModuleOp"> {
  let summary = "Fuse squeeze-and-excitation blocks around their convolution";
  let description = [{
    A convolution (and the activations after it) whose result x is read by
    exactly a `cnn.global_avg_pool` and a `cnn.mul` that scales x by a
    vector computed from the pooled one (the excitation: 1x1 convolutions or
    dense layers, activations, reshapes; reading the pooled vector, not x),
    together with the element-wise ops after the mul (a residual add, an
    activation), becomes one `cnn.fused "squeeze_excite"`. Code generation
    accumulates the pool's channel sums in the convolution's kernel, from
    the values in registers as they are stored, so x is not read back for
    the pool, and applies the scale and the ops after it in one pass over x.
    Blocks whose intermediate values have other users, or whose excitation
    reads x itself, are left alone.
  }];
  let dependentDialects = ["cnnc::cnn::CNNDialect"];
}

def CNNFuseEpilogue : Pass<"cnn-fuse-epilogue", "mlir::ModuleOp"> {
  let summary = "Fuse the element-wise ops after a convolution into its epilogue";
  let description = [{
    A `cnn.conv2d` followed by a chain of element-wise ops (activations,
    prelu, a residual `add`, a per-channel `mul` such as a
    squeeze-and-excitation scale) becomes one `cnn.fused "conv_epilogue"`:
    code generation applies the chain to the convolution's accumulators in
    registers before they are stored, so the feature map is written once
    instead of once per op. The chain stops at an intermediate result with
    another user (including a function result), at an op that broadcasts the
    chain's value itself, and at anything but an element-wise op. Bias and
    folded batch norm are already part of the convolution.
  }];
  let options = [
    Option<"binaryOps", "binary-ops", "bool", /*default=*/"true",
           "Also fuse add and mul with another tensor (residual connections, "
           "per-channel scales); off: activations only">,
  ];
  let dependentDialects = ["cnnc::cnn::CNNDialect"];
}

def CNNFuseBottleneck : Pass<"cnn-fuse-bottleneck", "mlir::ModuleOp"> {
  let summary = "Fuse 1x1 -> KxK -> 1x1 bottlenecks into row tiles";
  let description = [{
    A pointwise convolution (1x1, stride 1, unpadded, one group), the
    activations after it, a depthwise convolution with multiplier 1 (with
    `dense-middle`, also one with one group; any stride, padding,
    dilation), its activations, and a
    pointwise projection with its element-wise epilogue become one
    `cnn.fused "bottleneck"`: ResNet's bottleneck (1x1 reduce, 3x3, 1x1
    expand, residual) and MobileNetV2's inverted residual (1x1 expand,
    depthwise 3x3, 1x1 project, residual). Code generation computes
    `tile_rows` output rows at a time; each tile expands the input rows it
    needs (recomputing the rows it shares with its neighbours, the halo),
    pads them, and runs the middle convolution and the projection, so that
    neither intermediate feature map exists in full. `tile_rows` keeps the
    expanded tile within `tile-bytes`. Chains whose intermediates have other
    users, and middle convolutions whose padding exceeds their reach, are
    left alone. (ResNet's form, with `dense-middle`, cuts its scratch memory
    but measured 0.93-0.99x of the unfused time here, so the default
    pipeline leaves it out.)
  }];
  let options = [
    Option<"tileBytes", "tile-bytes", "int64_t", /*default=*/"393216",
           "Most bytes of the expanded tile (whole rows; at least one "
           "output row)">,
    Option<"denseMiddle", "dense-middle", "bool", /*default=*/"false",
           "Also fuse bottlenecks whose middle convolution has one group "
           "(ResNet); off by default: measured no faster on this machine">,
  ];
  let dependentDialects = ["cnnc::cnn::CNNDialect"];
}

def CNNFuseDepthwisePointwise
    : Pass<"cnn-fuse-depthwise-pointwise", "mlir::ModuleOp"> {
  let summary = "Fuse depthwise -> activations -> pointwise chains into row tiles";
  let description = [{
    A depthwise convolution (channel multiplier 1), the activations after it
    and the pointwise (1x1, stride 1, unpadded) convolution that consumes
    them, with the pointwise convolution's element-wise epilogue, become one
    `cnn.fused "depthwise_pointwise"` (MobileNet, Xception, the second half of
    MobileNetV2's inverted residual). Code generation computes the depthwise
    result `tile_rows` output rows at a time into a small buffer and feeds it
    to the pointwise convolution at once, so the full depthwise feature map
    is never stored. `tile_rows` is chosen so that the tile's bytes stay
    within `tile-bytes`. Chains whose intermediate results have other users
    are left alone.
  }];
  let options = [
    Option<"tileBytes", "tile-bytes", "int64_t", /*default=*/"131072",
           "Most bytes of the depthwise tile (whole rows; at least one row)">,
  ];
  let dependentDialects = ["cnnc::cnn::CNNDialect"];
}

def CNNReportFusion : Pass<"cnn-report-fusion", "mlir::ModuleOp"> {
  let summary = "Print what the fusion passes fused, and what they did not and why";
  let description = [{
    For each function, lists every `cnn.fused` op in order: its kind, the ops
    of its chain with their layer names (the NameLoc of their locations) and
    source positions in the model file, and the bytes of the intermediate
    tensors that no longer go to memory (each would have been written once
    and read back once). Then every candidate chain that a fusion pass
    matched and left unfused, with the pass's own reason (multi_use, shape,
    unsupported_op, cost_rule, limit; the `cnn.fusion_rejected` marks the
    passes leave on its ops), and whether a later pass fused its ops into
    another kind; then how many concats extend the one before (sharing its
    buffer) and the bytes they no longer copy. The IR is left unchanged;
    the report goes to stderr, as text or (`format=json`) as the JSON of
    docs/fusion-report.md. `cnnc --fusion-report` prints the same report
    after the fusion passes, with the scratch memory.
  }];
  let options = [
    Option<"format", "format", "std::string", /*default=*/"\"text\"",
           "text (for people) or json (docs/fusion-report.md's schema)">,
  ];
  let dependentDialects = ["cnnc::cnn::CNNDialect"];
}

#endif // CNNC_PASSES_TD
