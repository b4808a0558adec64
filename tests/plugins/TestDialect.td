//===- TestDialect.td - a dialect loaded as a plugin in tests -*- tablegen -*-===//

#ifndef CNNC_TEST_DIALECT_TD
#define CNNC_TEST_DIALECT_TD

include "mlir/IR/OpBase.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def CnncTest_Dialect : Dialect {
  let name = "cnnc_test";
  let cppNamespace = "::cnnc_test";
  let summary = "A dialect that tests load with --load-dialect-plugin";
}

def CnncTest_MarkOp : Op<CnncTest_Dialect, "mark", [Pure, AllTypesMatch<["input", "output"]>]> {
  let summary = "returns its operand; marks a value in tests";
  let arguments = (ins AnyType:$input, StrAttr:$label);
  let results = (outs AnyType:$output);
  let assemblyFormat = "$input $label attr-dict `:` type($input)";
}

#endif // CNNC_TEST_DIALECT_TD
