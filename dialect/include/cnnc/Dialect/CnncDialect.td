//===- CnncDialect.td - the annotations of cnnc's passes ---*- tablegen -*-===//
//
// The `cnnc` dialect has no ops: it declares the attributes that cnnc's
// passes hand to each other on upstream ops (linalg generics, functions,
// modules), so that each one is named and typed once and verified.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_DIALECT_CNNCDIALECT_TD
#define CNNC_DIALECT_CNNCDIALECT_TD

include "mlir/IR/OpBase.td"

def Cnnc_Dialect : Dialect {
  let name = "cnnc";
  let cppNamespace = "::cnnc";
  let summary = "The annotations that cnnc's passes hand to each other";
  let description = [{
    Discardable attributes that carry a contract from one pass to a later
    one, on ops of upstream dialects. The conversion from `cnn` marks what
    the buffer-level passes may absorb, and those passes, which know nothing
    of `cnn`, read the marks:

    - `cnnc.epilogue` (unit, on a `linalg.generic`): the element-wise chain
      of a convolution, updating its result in place; the vector kernel
      applies it to its accumulators (`cnn-vectorize-convolutions`), and
      `cnn-fuse-elementwise` leaves it alone.
    - `cnnc.channel_sum` (unit, on a `linalg.generic`): a squeeze-and-
      excitation pool's reduction of a convolution's result, which the
      convolution's kernel may take over.
    - `cnnc.concat_chain_buffer` (unit, on a `tensor.empty`): the buffer of a
      chain of growing concats, until the conversion places it.
    - `cnnc.scratch` (unit, on a function argument): the arena that the
      caller provides (`cnn-plan-memory` with `scratch-argument`).
    - `cnnc.arena_bytes`, `cnnc.unplanned_bytes` (integers, on the module):
      the arena's size and what the buffers would take without reuse.

    A mark is a hint: a pass that does not find what it expects next to a
    marked op leaves the op to run on its own.
  }];
  let discardableAttrs = (ins
    "::mlir::UnitAttr":$epilogue,
    "::mlir::UnitAttr":$channel_sum,
    "::mlir::UnitAttr":$concat_chain_buffer,
    "::mlir::UnitAttr":$scratch,
    "::mlir::IntegerAttr":$arena_bytes,
    "::mlir::IntegerAttr":$unplanned_bytes
  );
  let hasOperationAttrVerify = 1;
  let hasRegionArgAttrVerify = 1;
}

#endif // CNNC_DIALECT_CNNCDIALECT_TD
