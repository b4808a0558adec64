//===- CnncDialect.td - the annotations of cnnc's passes ---*- tablegen -*-===//
//
// The `cnnc` dialect has no ops: it declares the attributes that cnnc's
// passes hand to each other on upstream ops (linalg generics, functions,
// modules), so that each one is named and typed once and verified.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_DIALECT_CNNCDIALECT_TD
#define CNNC_DIALECT_CNNCDIALECT_TD

include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"
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
    - `cnnc.pool` (unit, on a function argument): the thread pool that the
      caller provides (`cnn-lower-parallel-loops`; a null pointer runs
      everything on the calling thread).
    - `cnnc.arena_bytes`, `cnnc.unplanned_bytes` (integers, on the module):
      the arena's size and what the buffers would take without reuse.
    - `cnnc.blocked_conv` (`#cnnc.blocked_conv<...>`, on a `linalg.generic`):
      a convolution on channel-blocked tensors that `cnn-assign-layout`
      built, its form, window and groups, for
      `cnn-vectorize-blocked-convolutions`.
    - `cnnc.reorder` (`#cnnc.reorder<to_blocked>` or `<from_blocked>`, on a
      `linalg.generic`): a reorder between NCHW and the blocked layout that
      `cnn-lower-reorders` built, which the blocked kernels transpose in
      registers.
    - `cnnc.winograd_input`, `cnnc.winograd_output` (integers m, on a
      `linalg.generic`): the input and output transforms of a Winograd
      F(m x m, 3 x 3) convolution that `cnn-use-winograd` built, for their
      vector kernels in `cnn-vectorize-blocked-convolutions`.

    A mark is a hint: a pass that does not find what it expects next to a
    marked op leaves the op to run on its own.
  }];
  let discardableAttrs = (ins
    "::mlir::UnitAttr":$epilogue,
    "::mlir::UnitAttr":$channel_sum,
    "::mlir::UnitAttr":$concat_chain_buffer,
    "::mlir::UnitAttr":$scratch,
    "::mlir::UnitAttr":$pool,
    "::mlir::IntegerAttr":$arena_bytes,
    "::mlir::IntegerAttr":$unplanned_bytes,
    "::cnnc::BlockedConvAttr":$blocked_conv,
    "::cnnc::ReorderAttr":$reorder,
    "::mlir::IntegerAttr":$winograd_input,
    "::mlir::IntegerAttr":$winograd_output
  );
  let hasOperationAttrVerify = 1;
  let hasRegionArgAttrVerify = 1;
  let useDefaultAttributePrinterParser = 1;
}

//===----------------------------------------------------------------------===//
// The blocked layout's contracts.
//===----------------------------------------------------------------------===//

def Cnnc_ConvForm : I32EnumAttr<"ConvForm",
    "how a blocked convolution reads its input and filter", [
  I32EnumAttrCase<"Dense", 0, "dense">,
  I32EnumAttrCase<"PlainInput", 1, "plain_input">,
  I32EnumAttrCase<"Depthwise", 2, "depthwise">,
  I32EnumAttrCase<"LaneGroups", 3, "lane_groups">
]> {
  let cppNamespace = "::cnnc";
  let genSpecializedAttr = 0;
}

def Cnnc_BlockedConvAttr : AttrDef<Cnnc_Dialect, "BlockedConv"> {
  let mnemonic = "blocked_conv";
  let summary = "a convolution on channel-blocked tensors: its form, window and groups";
  let description = [{
    What `cnn-vectorize-blocked-convolutions` needs to know of a blocked
    convolution generic beyond its operands: the form (`dense`,
    `plain_input`, `depthwise`, `lane_groups`; see
    transforms/include/cnnc/Transforms/BlockedConv.h), strides and
    dilations; for `dense` with groups, the input blocks a group reads
    (`group_in_blocks`), the output blocks per group, the input channels
    per group and the lanes of a block; for `lane_groups`, the channels per
    group; for `dense` without groups, `in_channels`, the input channels
    when they do not fill the last input block (the kernel's reduction
    then skips that block's empty lanes). The generic's indexing maps
    follow from these, and the kernel pass checks them before trusting the
    attribute.
  }];
  let parameters = (ins
    EnumParameter<Cnnc_ConvForm>:$form,
    ArrayRefParameter<"int64_t", "[row, column]">:$strides,
    ArrayRefParameter<"int64_t", "[row, column]">:$dilations,
    DefaultValuedParameter<"int64_t", "0">:$group_in_blocks,
    DefaultValuedParameter<"int64_t", "0">:$group_out_blocks,
    DefaultValuedParameter<"int64_t", "0">:$group_in_channels,
    DefaultValuedParameter<"int64_t", "0">:$lanes,
    DefaultValuedParameter<"int64_t", "0">:$group_size,
    DefaultValuedParameter<"int64_t", "0">:$in_channels
  );
  // `#cnnc.blocked_conv<dense, strides = [1, 1], dilations = [1, 1]>`,
  // then the counts (groups, lanes, in_channels) that are not 0, as
  // `name = value`.
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
}

def Cnnc_ReorderDirection : I32EnumAttr<"ReorderDirection",
    "which way a reorder between NCHW and the blocked layout goes", [
  I32EnumAttrCase<"ToBlocked", 0, "to_blocked">,
  I32EnumAttrCase<"FromBlocked", 1, "from_blocked">
]> {
  let cppNamespace = "::cnnc";
  let genSpecializedAttr = 0;
}

def Cnnc_ReorderAttr : AttrDef<Cnnc_Dialect, "Reorder"> {
  let mnemonic = "reorder";
  let summary = "a reorder between NCHW and the channel-blocked layout";
  let description = [{
    Marks the generic that `cnn-lower-reorders` makes of a tensor.pack
    (`to_blocked`) or tensor.unpack (`from_blocked`) between an NCHW tensor
    and its blocked layout, which the blocked kernels replace by register
    transposes.
  }];
  let parameters = (ins EnumParameter<Cnnc_ReorderDirection>:$direction);
  let assemblyFormat = "`<` $direction `>`";
}

#endif // CNNC_DIALECT_CNNCDIALECT_TD
