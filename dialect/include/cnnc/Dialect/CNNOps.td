//===- CNNOps.td - cnn dialect operations ------------------*- tablegen -*-===//
//
// Every op infers its result type (InferTypeOpAdaptor); the rules it checks
// live in its `inferReturnTypes`, which the VerifyShapeRules trait also runs
// as the op's verifier.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_DIALECT_CNNOPS_TD
#define CNNC_DIALECT_CNNOPS_TD

include "cnnc/Dialect/CNNAttributes.td"
include "cnnc/Dialect/CNNBase.td"
include "cnnc/Dialect/CNNInterfaces.td"

//===----------------------------------------------------------------------===//
// Parameters.
//===----------------------------------------------------------------------===//

def CNN_WeightOp : Op<CNN_Dialect, "weight", [Pure]> {
  let summary = "a learned parameter of the model, named as in its checkpoint";
  let description = [{
    A tensor of trained values: a convolution filter, a bias, batch-norm
    statistics. `name` is the parameter's hierarchical name, the key under
    which a checkpoint stores it (torchvision's `state_dict` naming, e.g.
    `layer1.0.conv1.weight`). `value` holds the data once weights are bound;
    without it the op stands for a parameter still to be supplied. The result
    type is written on the op, as for a constant, and must equal the value's.

    ```mlir
    %w = cnn.weight "layer1.0.conv1.weight" : tensor<64x64x1x1xf32>
    %b = cnn.weight "fc.bias" = dense<0.5> : tensor<10xf32>
    ```

    With a value, the value's type is the result type and is written once.
  }];
  let arguments = (ins StrAttr:$name, OptionalAttr<ElementsAttr>:$value);
  let results = (outs CNN_Tensor:$output);
  let hasCustomAssemblyFormat = 1;
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Convolutions.
//===----------------------------------------------------------------------===//

def CNN_Conv2DOp : CNN_Op<"conv2d"> {
  let summary = "2-D convolution: standard, grouped, depthwise, pointwise, dilated";
  let description = [{
    Cross-correlation as in `torch.nn.functional.conv2d`, with asymmetric
    padding. `input` is [N, C, H, W], `filter` is [O, C/groups, KH, KW] and the
    optional `bias` is [O]. The result is [N, O, Ho, Wo] with

        Ho = floor((H + pad_top + pad_bottom - dilation_h * (KH - 1) - 1) / stride_h) + 1

    and likewise for Wo. `padding` is (top, left, bottom, right) and pads with
    zeros. `groups` splits the input and output channels into independent
    groups; `groups == C` is a depthwise convolution with channel multiplier
    O / C, a 1x1 filter with one group is a pointwise convolution.

    Example (a ResNeXt grouped 3x3 convolution):

    ```mlir
    %y = cnn.conv2d %x, %w bias %b stride [1, 1] pad [1, 1, 1, 1] groups 32
        : (tensor<1x128x28x28xf32>, tensor<128x4x3x3xf32>, tensor<128xf32>)
        -> tensor<1x128x28x28xf32>
    ```
  }];
  let arguments = (ins CNN_FeatureMap:$input, CNN_FeatureMap:$filter,
                       Optional<CNN_Vector>:$bias,
                       CNN_PairAttr<"{1, 1}">:$strides,
                       CNN_PaddingAttr:$padding,
                       CNN_PairAttr<"{1, 1}">:$dilations,
                       DefaultValuedOptionalAttr<I64Attr, "1">:$groups);
  let results = (outs CNN_FeatureMap:$output);
  let assemblyFormat = [{
    $input `,` $filter (`bias` $bias^)? (`stride` $strides^)? (`pad` $padding^)?
    (`dilation` $dilations^)? (`groups` $groups^)? attr-dict
    `:` functional-type(operands, results)
  }];
  let extraClassDeclaration = [{
    int64_t getInputChannels() { return getInput().getType().getDimSize(1); }
    int64_t getOutputChannels() { return getFilter().getType().getDimSize(0); }
    int64_t getKernelHeight() { return getFilter().getType().getDimSize(2); }
    int64_t getKernelWidth() { return getFilter().getType().getDimSize(3); }
    int64_t getNumGroups() { return static_cast<int64_t>(getGroups()); }
    /// O / groups output channels per group.
    int64_t getChannelMultiplier() { return getOutputChannels() / getNumGroups(); }
    /// groups == C > 1: each input channel has its own filter(s).
    bool isDepthwise();
    /// A 1x1 kernel, one group, no padding: a matrix product over channels
    /// (of every stride-th pixel when the stride is larger than 1).
    bool isPointwise();
    /// 1 < groups < C (depthwise is reported by isDepthwise, not here).
    bool isGrouped();
    /// A dilation larger than 1 along an axis where the kernel has several
    /// taps.
    bool isDilated();
    /// Multiply-accumulates the op performs (bias excluded), saturating at
    /// UINT64_MAX.
    uint64_t getNumMACs();
  }];
}

def CNN_DeformConv2DOp : CNN_Op<"deform_conv2d", [AttrSizedOperandSegments]> {
  let summary = "deformable 2-D convolution, v1 and v2 (modulated)";
  let description = [{
    `torchvision.ops.deform_conv2d`. `input` is [N, C, H, W], `filter` is
    [O, C/groups, KH, KW]; the output [N, O, Ho, Wo] has the size of a plain
    convolution with the same attributes. `offset` is [N, 2*og*KH*KW, Ho, Wo]
    where og is `offset_groups`: for each offset group and kernel tap a (dy, dx)
    pair that moves the sampling point, which is read by bilinear
    interpolation with zeros outside the image. The optional `mask`
    [N, og*KH*KW, Ho, Wo] scales each sample (deformable convolution v2).

    ```mlir
    %y = cnn.deform_conv2d %x, %offset, %w mask %m bias %b pad [1, 1, 1, 1]
        : (tensor<1x64x28x28xf32>, tensor<1x18x28x28xf32>, tensor<64x64x3x3xf32>,
           tensor<1x9x28x28xf32>, tensor<64xf32>) -> tensor<1x64x28x28xf32>
    ```
  }];
  let arguments = (ins CNN_FeatureMap:$input, CNN_FeatureMap:$offset,
                       CNN_FeatureMap:$filter, Optional<CNN_FeatureMap>:$mask,
                       Optional<CNN_Vector>:$bias,
                       CNN_PairAttr<"{1, 1}">:$strides,
                       CNN_PaddingAttr:$padding,
                       CNN_PairAttr<"{1, 1}">:$dilations,
                       DefaultValuedOptionalAttr<I64Attr, "1">:$groups,
                       DefaultValuedOptionalAttr<I64Attr, "1">:$offset_groups);
  let results = (outs CNN_FeatureMap:$output);
  let assemblyFormat = [{
    $input `,` $offset `,` $filter (`mask` $mask^)? (`bias` $bias^)?
    (`stride` $strides^)? (`pad` $padding^)? (`dilation` $dilations^)?
    (`groups` $groups^)? (`offset_groups` $offset_groups^)? attr-dict
    `:` functional-type(operands, results)
  }];
  let extraClassDeclaration = [{
    bool isModulated() { return static_cast<bool>(getMask()); }
    /// Multiply-accumulates of the convolution proper (bias and bilinear
    /// sampling excluded), saturating at UINT64_MAX.
    uint64_t getNumMACs();
  }];
}

//===----------------------------------------------------------------------===//
// Channel manipulation.
//===----------------------------------------------------------------------===//

def CNN_ChannelShuffleOp : CNN_Op<"channel_shuffle"> {
  let summary = "ShuffleNet channel shuffle";
  let description = [{
    Views the C channels as [groups, C / groups], transposes to
    [C / groups, groups] and flattens back: output channel `k * groups + i`
    is input channel `i * (C / groups) + k`. As `torch.nn.ChannelShuffle`.
    A shuffle with one group (or with C groups) is the identity and folds away;
    consecutive shuffles compose into one shuffle or cancel.

    ```mlir
    %y = cnn.channel_shuffle %x groups 3 : tensor<1x240x28x28xf32>
    ```
  }];
  let arguments = (ins CNN_ChannelTensor:$input, I64Attr:$groups);
  let results = (outs CNN_ChannelTensor:$output);
  let assemblyFormat = "$input `groups` $groups attr-dict `:` type($input)";
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

def CNN_ConcatOp : CNN_Op<"concat"> {
  let summary = "concatenation along the channel dimension";
  let description = [{
    Concatenates its operands along dimension 1 (channels), as
    `torch.cat(xs, dim=1)` in Inception modules and DenseNet blocks. All other
    dimensions and the element types must match.

    With `interleave`, the k inputs (which must have equal channel counts)
    alternate channel by channel: output channel `c * k + i` is channel `c`
    of input `i`. This is `channel_shuffle(concat(inputs), k)` in one op, the
    form `cnn-fold-channel-shuffle` gives ShuffleNet's concat-then-shuffle,
    so that each input is written straight to its channels.

    ```mlir
    %y = cnn.concat %a, %b : tensor<1x64x28x28xf32>, tensor<1x32x28x28xf32>
        -> tensor<1x96x28x28xf32>
    %z = cnn.concat %a, %c interleave : tensor<1x64x28x28xf32>,
        tensor<1x64x28x28xf32> -> tensor<1x128x28x28xf32>
    ```
  }];
  let arguments = (ins Variadic<CNN_ChannelTensor>:$inputs,
                       UnitAttr:$interleave);
  let results = (outs CNN_ChannelTensor:$output);
  let assemblyFormat = [{
    $inputs (`interleave` $interleave^)? attr-dict `:` type($inputs) `->` type($output)
  }];
  let hasFolder = 1;
}

def CNN_SliceOp : CNN_Op<"slice"> {
  let summary = "a contiguous range of channels";
  let description = [{
    Takes channels [offset, offset + size) of its input, as ShuffleNet v2's
    channel split (`x[:, offset:offset + size]`). A slice that selects exactly
    one operand of a concat folds to that operand.

    ```mlir
    %y = cnn.slice %x offset 58 size 58 : tensor<1x116x28x28xf32> -> tensor<1x58x28x28xf32>
    ```
  }];
  let arguments = (ins CNN_ChannelTensor:$input, I64Attr:$offset, I64Attr:$size);
  let results = (outs CNN_ChannelTensor:$output);
  let assemblyFormat = [{
    $input `offset` $offset `size` $size attr-dict `:` type($input) `->` type($output)
  }];
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

//===----------------------------------------------------------------------===//
// Element-wise arithmetic with broadcasting.
//===----------------------------------------------------------------------===//

class CNN_BroadcastBinaryOp<string mnemonic, string what,
                            list<Trait> traits = [Commutative]>
    : CNN_Op<mnemonic, traits> {
  let summary = "element-wise " # what # " with NumPy broadcasting";
  let description = [{
    Element-wise }] # what # [{ of two tensors whose shapes broadcast as in
    NumPy and PyTorch: shapes are aligned at their trailing dimension and each
    pair of sizes must be equal or contain a 1. Residual connections add two
    feature maps of equal shape; squeeze-and-excitation multiplies [N, C, H, W]
    by [N, C, 1, 1].
  }];
  let arguments = (ins CNN_Tensor:$lhs, CNN_Tensor:$rhs);
  let results = (outs CNN_Tensor:$output);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($output)
  }];
}

def CNN_AddOp : CNN_BroadcastBinaryOp<"add", "addition">;
def CNN_MulOp : CNN_BroadcastBinaryOp<"mul", "multiplication">;
// Imported models (ONNX's Sub and Div) subtract and divide feature maps.
def CNN_SubOp : CNN_BroadcastBinaryOp<"sub", "subtraction (lhs - rhs)", []>;
def CNN_DivOp : CNN_BroadcastBinaryOp<"div", "division (lhs / rhs)", []>;

//===----------------------------------------------------------------------===//
// Normalization.
//===----------------------------------------------------------------------===//

def CNN_BatchNormOp : CNN_Op<"batch_norm", [AttrSizedOperandSegments]> {
  let summary = "batch normalization, inference form";
  let description = [{
    `(x - mean) / sqrt(variance + epsilon) * scale + shift` per channel
    (dimension 1), with the running statistics `mean` and `variance` of a
    trained model; `scale` (gamma) and `shift` (beta) are absent for a
    non-affine batch norm. All four are [C]. As
    `torch.nn.functional.batch_norm(training=False)`.

    ```mlir
    %y = cnn.batch_norm %x mean %m variance %v scale %g shift %b epsilon 1.0e-03
        : (tensor<1x32x112x112xf32>, tensor<32xf32>, tensor<32xf32>,
           tensor<32xf32>, tensor<32xf32>) -> tensor<1x32x112x112xf32>
    ```
  }];
  let arguments = (ins CNN_ChannelTensor:$input, CNN_Vector:$mean,
                       CNN_Vector:$variance, Optional<CNN_Vector>:$scale,
                       Optional<CNN_Vector>:$shift,
                       DefaultValuedOptionalAttr<F64Attr, "1e-5">:$epsilon);
  let results = (outs CNN_ChannelTensor:$output);
  let assemblyFormat = [{
    $input `mean` $mean `variance` $variance (`scale` $scale^)? (`shift` $shift^)?
    (`epsilon` $epsilon^)? attr-dict `:` functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// Activations. Each maps every element independently; the result has the
// operand's type. ActivationOpInterface is how passes and plugins find them.
//===----------------------------------------------------------------------===//

class CNN_ActivationOp<string mnemonic, string formula, list<Trait> traits = []>
    : CNN_Op<mnemonic,
             !listconcat([Elementwise, CNN_ActivationOpInterface], traits)> {
  let summary = "activation: " # formula;
  let description = [{
    Element-wise `}] # formula # [{`, with PyTorch's semantics.
  }];
  let results = (outs CNN_Tensor:$output);
}

class CNN_UnaryActivationOp<string mnemonic, string formula>
    : CNN_ActivationOp<mnemonic, formula> {
  let arguments = (ins CNN_Tensor:$input);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def CNN_ReluOp : CNN_UnaryActivationOp<"relu", "max(x, 0)">;
def CNN_Relu6Op : CNN_UnaryActivationOp<"relu6", "min(max(x, 0), 6)">;
def CNN_SigmoidOp : CNN_UnaryActivationOp<"sigmoid", "1 / (1 + exp(-x))">;
def CNN_HardSigmoidOp
    : CNN_UnaryActivationOp<"hard_sigmoid", "relu6(x + 3) / 6">;
def CNN_HardSwishOp
    : CNN_UnaryActivationOp<"hard_swish", "x * relu6(x + 3) / 6">;
def CNN_SiluOp : CNN_UnaryActivationOp<"silu", "x * sigmoid(x)">;
def CNN_TanhOp : CNN_UnaryActivationOp<"tanh", "tanh(x)">;

def CNN_ClipOp : CNN_ActivationOp<"clip", "min(max(x, min), max)"> {
  let arguments = (ins CNN_Tensor:$input, F64Attr:$min, F64Attr:$max);
  let assemblyFormat = "$input `min` $min `max` $max attr-dict `:` type($input)";
}

def CNN_LeakyReluOp
    : CNN_ActivationOp<"leaky_relu", "x >= 0 ? x : negative_slope * x"> {
  let arguments = (ins CNN_Tensor:$input,
                       DefaultValuedOptionalAttr<F64Attr, "0.01">:$negative_slope);
  let assemblyFormat = [{
    $input (`negative_slope` $negative_slope^)? attr-dict `:` type($input)
  }];
}

def CNN_PReluOp : CNN_Op<"prelu"> {
  let summary = "activation: x >= 0 ? x : slope[c] * x, learned per channel";
  let description = [{
    `torch.nn.functional.prelu`: `slope` is [C] (one slope per channel of
    dimension 1) or [1] (one slope shared by all channels).
  }];
  let arguments = (ins CNN_Tensor:$input, CNN_Vector:$slope);
  let results = (outs CNN_Tensor:$output);
  let assemblyFormat = "$input `,` $slope attr-dict `:` type($input) `,` type($slope)";
}

//===----------------------------------------------------------------------===//
// Pooling.
//===----------------------------------------------------------------------===//

def CNN_MaxPool2DOp : CNN_Op<"max_pool2d"> {
  let summary = "2-D max pooling";
  let description = [{
    `torch.nn.functional.max_pool2d` with asymmetric padding (top, left,
    bottom, right) that pads with -inf. The output size follows the
    convolution formula, rounded up with `ceil_mode`, where as in PyTorch a
    window that would start in the bottom or right padding is dropped and a
    window may overhang the padded input by less than a stride. Each padding
    is at most half the kernel size (PyTorch 1.13's rule, which ignores the
    dilation).

    ```mlir
    %y = cnn.max_pool2d %x kernel [3, 3] stride [2, 2] pad [1, 1, 1, 1]
        : tensor<1x64x112x112xf32> -> tensor<1x64x56x56xf32>
    ```
  }];
  let arguments = (ins CNN_FeatureMap:$input, DenseI64ArrayAttr:$kernel_size,
                       DenseI64ArrayAttr:$strides, CNN_PaddingAttr:$padding,
                       CNN_PairAttr<"{1, 1}">:$dilations, UnitAttr:$ceil_mode);
  let results = (outs CNN_FeatureMap:$output);
  let assemblyFormat = [{
    $input `kernel` $kernel_size `stride` $strides (`pad` $padding^)?
    (`dilation` $dilations^)? (`ceil_mode` $ceil_mode^)? attr-dict
    `:` type($input) `->` type($output)
  }];
}

def CNN_AvgPool2DOp : CNN_Op<"avg_pool2d"> {
  let summary = "2-D average pooling";
  let description = [{
    `torch.nn.functional.avg_pool2d` with asymmetric padding (top, left,
    bottom, right). The divisor is the window's size clipped to the padded
    input with `count_include_pad`, or the number of real (non-padding)
    elements without it, unless `divisor_override` is given. Output size and
    `ceil_mode` as for max pooling.

    ```mlir
    %y = cnn.avg_pool2d %x kernel [2, 2] stride [2, 2] count_include_pad
        : tensor<1x256x56x56xf32> -> tensor<1x256x28x28xf32>
    ```
  }];
  let arguments = (ins CNN_FeatureMap:$input, DenseI64ArrayAttr:$kernel_size,
                       DenseI64ArrayAttr:$strides, CNN_PaddingAttr:$padding,
                       UnitAttr:$ceil_mode, UnitAttr:$count_include_pad,
                       OptionalAttr<I64Attr>:$divisor_override);
  let results = (outs CNN_FeatureMap:$output);
  let assemblyFormat = [{
    $input `kernel` $kernel_size `stride` $strides (`pad` $padding^)?
    (`ceil_mode` $ceil_mode^)? (`count_include_pad` $count_include_pad^)?
    (`divisor` $divisor_override^)? attr-dict `:` type($input) `->` type($output)
  }];
}

def CNN_GlobalAvgPoolOp : CNN_Op<"global_avg_pool"> {
  let summary = "mean over the spatial dimensions";
  let description = [{
    [N, C, H, W] -> [N, C, 1, 1], as `adaptive_avg_pool2d(x, 1)`: the squeeze
    of squeeze-and-excitation and the head of most classifiers.
  }];
  let arguments = (ins CNN_FeatureMap:$input);
  let results = (outs CNN_FeatureMap:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

//===----------------------------------------------------------------------===//
// Dense layers and shape changes.
//===----------------------------------------------------------------------===//

def CNN_DenseOp : CNN_Op<"dense"> {
  let summary = "fully connected layer";
  let description = [{
    `torch.nn.functional.linear`: `input` [N, K], `weight` [O, K] (PyTorch's
    layout), optional `bias` [O]; the result is input * weight^T + bias, [N, O].

    ```mlir
    %y = cnn.dense %x, %w bias %b : (tensor<1x2048xf32>, tensor<1000x2048xf32>,
        tensor<1000xf32>) -> tensor<1x1000xf32>
    ```
  }];
  let arguments = (ins CNN_Matrix:$input, CNN_Matrix:$weight,
                       Optional<CNN_Vector>:$bias);
  let results = (outs CNN_Matrix:$output);
  let assemblyFormat = [{
    $input `,` $weight (`bias` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let extraClassDeclaration = [{
    /// Multiply-accumulates (bias excluded), saturating at UINT64_MAX.
    uint64_t getNumMACs();
  }];
}

def CNN_SoftmaxOp : CNN_Op<"softmax"> {
  let summary = "softmax along one dimension";
  let description = [{
    `exp(x) / sum(exp(x))` along dimension `axis` (default 1), computed stably
    as in `torch.softmax`. A negative axis counts from the last dimension.
  }];
  let arguments = (ins CNN_Tensor:$input,
                       DefaultValuedOptionalAttr<I64Attr, "1">:$axis);
  let results = (outs CNN_Tensor:$output);
  let assemblyFormat = "$input (`axis` $axis^)? attr-dict `:` type($input)";
}

def CNN_FlattenOp : CNN_Op<"flatten"> {
  let summary = "merges a range of dimensions into one";
  let description = [{
    `torch.flatten(x, start_dim, end_dim)`: dimensions start_dim..end_dim
    (inclusive; negative values count from the end) become one. The defaults,
    1 and -1, turn [N, C, H, W] into [N, C*H*W].

    ```mlir
    %y = cnn.flatten %x : tensor<1x2048x1x1xf32> -> tensor<1x2048xf32>
    ```
  }];
  let arguments = (ins CNN_Tensor:$input,
                       DefaultValuedOptionalAttr<I64Attr, "1">:$start_dim,
                       DefaultValuedOptionalAttr<I64Attr, "-1">:$end_dim);
  let results = (outs CNN_Tensor:$output);
  let assemblyFormat = [{
    $input (`start_dim` $start_dim^)? (`end_dim` $end_dim^)? attr-dict
    `:` type($input) `->` type($output)
  }];
  let hasFolder = 1;
}

def CNN_ReshapeOp : CNN_Op<"reshape"> {
  let summary = "reinterprets the elements with a new static shape";
  let description = [{
    Row-major reshape to `shape`, which must hold as many elements as the
    input. A reshape to the input's shape folds away, and a reshape of a
    reshape (or of a flatten) reads the original tensor directly.

    ```mlir
    %y = cnn.reshape %x to [1, 3, 80, 28, 28] : tensor<1x240x28x28xf32>
    ```
  }];
  let arguments = (ins CNN_Tensor:$input, DenseI64ArrayAttr:$shape);
  let results = (outs CNN_Tensor:$output);
  let assemblyFormat = "$input `to` $shape attr-dict `:` type($input)";
  let hasFolder = 1;
}

def CNN_TransposeOp : CNN_Op<"transpose"> {
  let summary = "permutes the dimensions";
  let description = [{
    `x.permute(permutation)`: dimension i of the result is dimension
    `permutation[i]` of the input (ONNX's Transpose, NumPy's transpose).

    ```mlir
    %y = cnn.transpose %x perm [0, 2, 1] : tensor<2x3x4xf32> -> tensor<2x4x3xf32>
    ```
  }];
  let arguments = (ins CNN_Tensor:$input, DenseI64ArrayAttr:$permutation);
  let results = (outs CNN_Tensor:$output);
  let assemblyFormat = [{
    $input `perm` $permutation attr-dict `:` type($input) `->` type($output)
  }];
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Fusion.
//===----------------------------------------------------------------------===//

def CNN_FusedOp : Op<CNN_Dialect, "fused",
    [IsolatedFromAbove, SingleBlock, Pure]> {
  let summary = "a chain of layers that runs as one loop nest";
  let description = [{
    Made by the fusion passes (`cnn-fuse-*`): the ops of `body` compute the
    result from the block arguments, which stand for `inputs` (the chain's
    feature maps and parameters). `kind` (a `#cnn.fusion_kind`, written as
    its name) names the fusion that made the op and decides how code
    generation lowers it:

    - `conv_epilogue`: one convolution followed by element-wise ops (bias,
      activations, a residual add, a per-channel scale) applied to its
      accumulators while they are still in registers;
    - `depthwise_pointwise`: a depthwise convolution, activations, a
      pointwise convolution and its epilogue, computed in tiles of output
      rows so that the depthwise result lives only in a small tile buffer;
    - `bottleneck`: a pointwise expansion (or reduction), activations, a
      convolution, activations, a pointwise projection and its epilogue,
      in tiles of output rows, the expansion recomputed for the rows that
      neighbouring tiles share;
    - `squeeze_excite`: a convolution and its activations, the global
      average pool of their result, the excitation computing a channel scale
      from the pooled vector, the scaling `mul` and the element-wise ops
      after it; the pool's sums are accumulated by the convolution's kernel
      as it stores its result, and the scale and the ops after it are one
      pass over the feature map;
    - any other kind (a user's fusion pass): the body is inlined and lowered
      op by op, so a new kind is correct before it is fast.

    `tile_rows`, set by the fusions that tile (`depthwise_pointwise`,
    `bottleneck`), is the number of output rows each tile computes; without
    it a tile is the whole image.

    The chain reads nothing but its operands (the op is isolated from
    above), and removing the op and inlining its body gives the unfused
    program back.

    ```mlir
    %y = cnn.fused "conv_epilogue" (%x, %w, %b) : (tensor<1x64x56x56xf32>,
        tensor<64x64x3x3xf32>, tensor<64xf32>) -> tensor<1x64x56x56xf32> {
    ^bb0(%input: tensor<1x64x56x56xf32>, %filter: tensor<64x64x3x3xf32>,
         %bias: tensor<64xf32>):
      %0 = cnn.conv2d %input, %filter bias %bias pad [1, 1, 1, 1] : ...
      %1 = cnn.relu %0 : tensor<1x64x56x56xf32>
      cnn.yield %1 : tensor<1x64x56x56xf32>
    }
    ```
  }];
  let arguments = (ins Variadic<AnyRankedTensor>:$inputs,
                       CNN_FusionKindAttr:$kind,
                       OptionalAttr<I64Attr>:$tile_rows);
  let results = (outs Variadic<AnyRankedTensor>:$results);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    custom<FusionKind>($kind) `(` $inputs `)` attr-dict `:`
    functional-type($inputs, $results) $body
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// Replaces `chain` (ops in program order, each but the last used only
    /// by later ops of the chain) by one fused op of `kind` whose result is
    /// the last op's result. The values the chain reads from outside become
    /// operands, in order of first use; the op is built where the last op
    /// of the chain was.
    static FusedOp fuseChain(::mlir::RewriterBase &rewriter, FusionKind kind,
                             ::llvm::ArrayRef<::mlir::Operation *> chain);
    /// The same for the kind called `kind`: a plugin's, lowered op by op
    /// (or one of cnnc's, by its name).
    static FusedOp fuseChain(::mlir::RewriterBase &rewriter,
                             ::llvm::StringRef kind,
                             ::llvm::ArrayRef<::mlir::Operation *> chain);

    /// The ops of the body, without the terminator.
    ::llvm::SmallVector<::mlir::Operation *> getChain();

    /// The kind, as a value to switch on (`custom` for a plugin's).
    FusionKind getFusionKind() { return getKind().getKind(); }
    /// The kind's name, as the op prints it.
    ::llvm::StringRef getKindName() { return getKind().getName(); }
    /// Whether code generation lowers the op as one loop nest (the kinds
    /// listed above); any other kind is inlined and lowered op by op.
    bool hasFusedLowering() { return getKind().hasFusedLowering(); }
  }];
}

def CNN_YieldOp : Op<CNN_Dialect, "yield",
    [Pure, Terminator, HasParent<"FusedOp">]> {
  let summary = "the results of a fused chain";
  let description = [{
    Ends the body of `cnn.fused`; its operands are the fused op's results.
  }];
  let arguments = (ins Variadic<AnyRankedTensor>:$values);
  let assemblyFormat = "$values attr-dict `:` type($values)";
}

#endif // CNNC_DIALECT_CNNOPS_TD
