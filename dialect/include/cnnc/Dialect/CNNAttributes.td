//===- CNNAttributes.td - cnn dialect attributes -----------*- tablegen -*-===//

#ifndef CNNC_DIALECT_CNNATTRIBUTES_TD
#define CNNC_DIALECT_CNNATTRIBUTES_TD

include "cnnc/Dialect/CNNBase.td"
include "mlir/IR/EnumAttr.td"

def CNN_FusionKind : I32EnumAttr<"FusionKind",
    "how code generation lowers a cnn.fused op", [
  I32EnumAttrCase<"ConvEpilogue", 0, "conv_epilogue">,
  I32EnumAttrCase<"DepthwisePointwise", 1, "depthwise_pointwise">,
  I32EnumAttrCase<"Bottleneck", 2, "bottleneck">,
  I32EnumAttrCase<"SqueezeExcite", 3, "squeeze_excite">,
  // A kind that a plugin's fusion pass names: inlined and lowered op by op.
  I32EnumAttrCase<"Custom", 4, "custom">
]> {
  let cppNamespace = "::cnnc::cnn";
  // The attribute is CNN_FusionKindAttr below, which also carries the name
  // of a custom kind.
  let genSpecializedAttr = 0;
}

def CNN_FusionKindAttr : AttrDef<CNN_Dialect, "FusionKind"> {
  let mnemonic = "fusion_kind";
  let summary = "the kind of a fused chain: one of cnnc's, or a plugin's by name";
  let description = [{
    Says which fusion made a `cnn.fused` op and so how code generation
    lowers it: one of the kinds cnnc lowers as one loop nest
    (`conv_epilogue`, `depthwise_pointwise`, `bottleneck`,
    `squeeze_excite`), or `custom` with the name a plugin gave its kind
    (such a chain is inlined and lowered op by op). It prints as its name:
    `#cnn.fusion_kind<"bottleneck">`, and `cnn.fused "bottleneck"` on the op.
  }];
  let parameters = (ins
    EnumParameter<CNN_FusionKind>:$kind,
    StringRefParameter<"the name of a custom kind, empty for cnnc's own",
                       [{""}]>:$customName
  );
  let builders = [
    // The kind called `name`: one of cnnc's, else a custom one.
    AttrBuilder<(ins "::llvm::StringRef":$name), [{
      std::optional<FusionKind> kind = symbolizeFusionKind(name);
      if (kind && *kind != FusionKind::Custom)
        return $_get($_ctxt, *kind, "");
      return $_get($_ctxt, FusionKind::Custom, name);
    }]>
  ];
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// The kind's name: `conv_epilogue`, ..., or the custom kind's.
    ::llvm::StringRef getName() const;
    /// Whether code generation lowers the chain as one loop nest (cnnc's own
    /// kinds); a custom kind is inlined and lowered op by op.
    bool hasFusedLowering() const { return getKind() != FusionKind::Custom; }
  }];
}

def CNN_FusionRejectReason : I32EnumAttr<"FusionRejectReason",
    "why a fusion pass left a candidate chain unfused", [
  // An intermediate result of the chain has a user outside it (another
  // layer, a function result): fusing would have to store it anyway.
  I32EnumAttrCase<"MultiUse", 0, "multi_use">,
  // A stride, group count, channel multiplier, padding or broadcast that the
  // fused kernel does not take.
  I32EnumAttrCase<"Shape", 1, "shape">,
  // An op inside the chain that the fused kernel does not take, such as a
  // batch norm not yet folded into its convolution.
  I32EnumAttrCase<"UnsupportedOp", 2, "unsupported_op">,
  // The kernel would take the chain, but a rule of the pass (an option that
  // is off because it measured no faster) leaves it alone.
  I32EnumAttrCase<"CostRule", 3, "cost_rule">,
  // A bound of the pass, such as the length of an excitation.
  I32EnumAttrCase<"Limit", 4, "limit">,
  // An op of the chain is already in a cnn.fused op that an earlier pass
  // made (squeeze-and-excitation takes the depthwise convolution that a
  // bottleneck would need).
  I32EnumAttrCase<"Taken", 5, "taken">
]> {
  let cppNamespace = "::cnnc::cnn";
  let genSpecializedAttr = 0;
}

def CNN_FusionRejectionAttr : AttrDef<CNN_Dialect, "FusionRejection"> {
  let mnemonic = "fusion_rejection";
  let summary = "a candidate chain that a fusion pass matched and left unfused, and why";
  let description = [{
    A fusion pass that matches the start of a chain it fuses (its anchor:
    a convolution, a pool) and then finds a reason not to fuse it marks
    every op of that candidate chain with one of these, in the discardable
    attribute `cnn.fusion_rejected` (an array: an op may be part of several
    candidates). `candidate` is a distinct attribute that the ops of one
    candidate share. `cnn-report-fusion` lists the candidates with their
    ops' layer names and source positions; the passes record them with
    `cnnc::fusion::recordRejection` (FusionRejections.h) from the same
    matcher that decides to fuse.

    ```mlir
    %0 = cnn.conv2d %x, %w {cnn.fusion_rejected = [#cnn.fusion_rejection<
           pass = "cnn-fuse-bottleneck", kind = "bottleneck",
           reason = cost_rule, detail = "...", candidate = distinct[0]<unit>>]}
    ```
  }];
  let parameters = (ins
    StringRefParameter<"the pass that matched the candidate">:$pass,
    StringRefParameter<"the fusion kind the pass would have made">:$kind,
    EnumParameter<CNN_FusionRejectReason>:$reason,
    StringRefParameter<"the reason in words, with the values that decided">:$detail,
    "::mlir::DistinctAttr":$candidate
  );
  let assemblyFormat = "`<` struct(params) `>`";
}

#endif // CNNC_DIALECT_CNNATTRIBUTES_TD
