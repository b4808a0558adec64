//===- CNNInterfaces.td - cnn dialect op interfaces --------*- tablegen -*-===//

#ifndef CNNC_DIALECT_CNNINTERFACES_TD
#define CNNC_DIALECT_CNNINTERFACES_TD

include "mlir/IR/OpBase.td"

def CNN_ActivationOpInterface : OpInterface<"ActivationOpInterface"> {
  let cppNamespace = "::cnnc::cnn";
  let description = [{
    An activation: an op that maps each element of one feature map on its
    own, with no other tensor operand (relu, relu6, clip, leaky_relu,
    sigmoid, hard_sigmoid, hard_swish, silu, tanh). Fusion passes take any
    such op into a chain (a convolution's epilogue, the ops between two
    convolutions), and so can a plugin, through
    `isa<cnn::ActivationOpInterface>(op)`, without a list of op classes that
    goes stale when an activation is added.
  }];
  let methods = [
    InterfaceMethod<"The feature map the activation maps.",
      "::mlir::TypedValue<::mlir::RankedTensorType>", "getInput", (ins),
      [{ return $_op.getInput(); }]>
  ];
}

#endif // CNNC_DIALECT_CNNINTERFACES_TD
