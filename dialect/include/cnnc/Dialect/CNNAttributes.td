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

#endif // CNNC_DIALECT_CNNATTRIBUTES_TD
