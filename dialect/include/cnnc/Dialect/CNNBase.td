//===- CNNBase.td - cnn dialect definition and shared constraints -*- tablegen -*-===//
//
// The `cnn` dialect: convolutional-network layers on value-semantic tensors.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_DIALECT_CNNBASE_TD
#define CNNC_DIALECT_CNNBASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/IR/CommonTypeConstraints.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def CNN_Dialect : Dialect {
  let name = "cnn";
  let cppNamespace = "::cnnc::cnn";
  let summary = "Convolutional neural network layers on tensors";
  let description = [{
    The `cnn` dialect models the layers of convolutional networks at the level
    a network architect thinks in: convolution (standard, grouped, depthwise,
    pointwise, dilated, deformable), channel shuffle, channel concat and slice,
    batch normalization, activations, pooling, dense layers and reshapes.

    All ops work on statically shaped, value-semantic tensors. Feature maps use
    the logical layout NCHW; the physical layout is chosen later, during code
    generation. Semantics follow PyTorch (`torch.nn.functional` and
    `torchvision.ops`), which is the numerical reference for cnnc. Every op
    infers its result type from its operands and attributes, and its verifier
    explains precisely which rule an invalid op breaks.
  }];
  let useDefaultAttributePrinterParser = 1;
  // `cnn.name` on a model function's arguments and results: the tensor's
  // name in the model, which the C API of a generated library keeps.
  // `cnn.fusion_rejected` on the ops of a candidate chain that a fusion pass
  // left unfused: an array of #cnn.fusion_rejection, why (CNNAttributes.td).
  let discardableAttrs = (ins "::mlir::StringAttr":$name,
                              "::mlir::ArrayAttr":$fusion_rejected);
  let hasOperationAttrVerify = 1;
}

//===----------------------------------------------------------------------===//
// Type constraints.
//===----------------------------------------------------------------------===//

def CNN_Float : AnyTypeOf<[F16, BF16, F32, F64], "floating-point">;

class CNN_StaticTensor<list<Pred> preds, string description>
    : RankedTensorOf<[CNN_Float], !listconcat([HasStaticShapePred], preds),
                     "statically shaped " # description>;

// Any statically shaped tensor: the operand of element-wise ops.
def CNN_Tensor : CNN_StaticTensor<[], "tensor">;
// A feature map (N, C, H, W) or a convolution filter (O, C/groups, KH, KW).
def CNN_FeatureMap : CNN_StaticTensor<[HasAnyRankOfPred<[4]>], "4-D tensor">;
// Per-channel parameters: bias, batch-norm statistics, PReLU slopes.
def CNN_Vector : CNN_StaticTensor<[HasAnyRankOfPred<[1]>], "1-D tensor">;
// Inputs and weights of dense layers.
def CNN_Matrix : CNN_StaticTensor<[HasAnyRankOfPred<[2]>], "2-D tensor">;
// A tensor with a channel dimension (dimension 1): rank 2 or more.
def CNN_ChannelTensor : CNN_StaticTensor<[HasRankGreaterOrEqualPred<2>],
                                         "tensor of rank >= 2">;

//===----------------------------------------------------------------------===//
// Attribute shorthands. Defaults are those of PyTorch; the verifiers check
// counts and ranges so that the diagnostics can name the offending value.
//===----------------------------------------------------------------------===//

// (height, width) pairs: strides, dilations, kernel sizes.
class CNN_PairAttr<string default> : DefaultValuedOptionalAttr<DenseI64ArrayAttr, default>;
// (top, left, bottom, right) padding.
def CNN_PaddingAttr : DefaultValuedOptionalAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">;

//===----------------------------------------------------------------------===//
// Base classes.
//===----------------------------------------------------------------------===//

// Runs the op's shape rules (its inferReturnTypes) as the first verifier after
// the ODS type constraints, so that an invalid op gets the precise diagnostic
// of the rule it breaks rather than a generic "failed to infer" message.
def CNN_VerifyShapeRules : NativeOpTrait<"VerifyShapeRules"> {
  let cppNamespace = "::cnnc::cnn::OpTrait";
}

class CNN_Op<string mnemonic, list<Trait> traits = []>
    : Op<CNN_Dialect, mnemonic,
         !listconcat([Pure, CNN_VerifyShapeRules, InferTypeOpAdaptor], traits)>;

#endif // CNNC_DIALECT_CNNBASE_TD
