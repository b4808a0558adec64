//===- Passes.td - cnn to linalg conversion ----------------*- tablegen -*-===//

#ifndef CNNC_CONVERSION_PASSES_TD
#define CNNC_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def CNNLowerToLinalg : Pass<"cnn-lower-to-linalg", "mlir::ModuleOp"> {
  let summary = "Lower cnn ops to linalg, tensor, arith and math ops on tensors";
  let description = [{
    Rewrites every cnn op as upstream ops on tensors: convolutions as
    `linalg.conv_2d_nchw_fchw` (one group) or a grouped `linalg.generic`,
    deformable convolution as a `linalg.generic` that samples its input
    bilinearly, pooling as `linalg.pooling_nchw_*` on a padded input, dense
    layers as `linalg.matmul_transpose_b`, element-wise ops as
    `linalg.generic`, and channel shuffles, slices, concatenations and reshapes
    as `tensor` ops. Every result is a linalg structured op or a tensor op, so
    that tiling, fusion and vectorization apply to them. Parameters
    (`cnn.weight`) become constants and must have values.
  }];
  let dependentDialects = [
    "cnnc::CnncDialect", "mlir::arith::ArithDialect", "mlir::linalg::LinalgDialect",
    "mlir::math::MathDialect", "mlir::scf::SCFDialect",
    "mlir::tensor::TensorDialect"
  ];
}

#endif // CNNC_CONVERSION_PASSES_TD
