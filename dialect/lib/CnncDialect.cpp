//===- CnncDialect.cpp - the annotations of cnnc's passes -----------------===//

#include "cnnc/Dialect/CnncDialect.h"

#include "mlir/IR/Diagnostics.h"

using namespace mlir;
using cnnc::CnncDialect;

#include "cnnc/Dialect/CnncDialect.cpp.inc"

void CnncDialect::initialize() {}

namespace {

/// Checks `attribute` against the type declared for its name; `onArgument`
/// when it is a function argument's (only `cnnc.scratch` may be).
LogicalResult verifyAnnotation(Operation *op, NamedAttribute attribute,
                               bool onArgument) {
  StringRef name = attribute.getName().strref();
  Attribute value = attribute.getValue();
  auto expect = [&](bool typed, StringRef what) -> LogicalResult {
    if (typed)
      return success();
    return op->emitError() << "'" << name << "' expects " << what << ", got "
                           << value;
  };
  if (onArgument) {
    if (name == CnncDialect::ScratchAttrHelper::getNameStr())
      return expect(isa<UnitAttr>(value), "a unit attribute");
    return op->emitError() << "'" << name
                           << "' is not a cnnc argument attribute";
  }
  if (name == CnncDialect::EpilogueAttrHelper::getNameStr() ||
      name == CnncDialect::ChannelSumAttrHelper::getNameStr() ||
      name == CnncDialect::ConcatChainBufferAttrHelper::getNameStr())
    return expect(isa<UnitAttr>(value), "a unit attribute");
  if (name == CnncDialect::ArenaBytesAttrHelper::getNameStr() ||
      name == CnncDialect::UnplannedBytesAttrHelper::getNameStr())
    return expect(isa<IntegerAttr>(value), "an integer attribute");
  return op->emitError() << "'" << name << "' is not a cnnc attribute";
}

} // namespace

LogicalResult CnncDialect::verifyOperationAttribute(Operation *op,
                                                    NamedAttribute attribute) {
  return verifyAnnotation(op, attribute, /*onArgument=*/false);
}

LogicalResult CnncDialect::verifyRegionArgAttribute(Operation *op, unsigned,
                                                    unsigned,
                                                    NamedAttribute attribute) {
  return verifyAnnotation(op, attribute, /*onArgument=*/true);
}
