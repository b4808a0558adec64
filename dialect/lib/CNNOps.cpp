//===- CNNOps.cpp - cnn op definitions and queries ------------------------===//
//
// The ODS-generated op classes and the queries passes ask of convolutions.
// Shape rules live in ShapeRules.cpp, folds and canonicalizations in Folds.cpp.
//
//===----------------------------------------------------------------------===//

#include "cnnc/Dialect/CNNOps.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace cnnc::cnn;

/// cnn.fused's kind, written as its name: `cnn.fused "bottleneck"(...)`.
static ParseResult parseFusionKind(OpAsmParser &parser, FusionKindAttr &kind) {
  std::string name;
  if (parser.parseString(&name))
    return failure();
  kind = FusionKindAttr::get(parser.getContext(), name);
  return success();
}

static void printFusionKind(OpAsmPrinter &printer, FusedOp,
                            FusionKindAttr kind) {
  printer.printString(kind.getName());
}

#define GET_OP_CLASSES
#include "cnnc/Dialect/CNNOps.cpp.inc"

bool Conv2DOp::isDepthwise() {
  return getNumGroups() > 1 && getNumGroups() == getInputChannels();
}

bool Conv2DOp::isPointwise() {
  return getKernelHeight() == 1 && getKernelWidth() == 1 &&
         getNumGroups() == 1 &&
         llvm::all_of(getPadding(), [](int64_t pad) { return pad == 0; });
}

bool Conv2DOp::isGrouped() { return getNumGroups() > 1 && !isDepthwise(); }

bool Conv2DOp::isDilated() {
  // Dilation only matters along an axis where the kernel has several taps.
  ArrayRef<int64_t> dilations = getDilations();
  return (getKernelHeight() > 1 && dilations[0] > 1) ||
         (getKernelWidth() > 1 && dilations[1] > 1);
}

/// Product of sizes, saturating at UINT64_MAX rather than wrapping.
static uint64_t saturatingProduct(ArrayRef<int64_t> sizes) {
  uint64_t product = 1;
  for (int64_t size : sizes)
    product = llvm::SaturatingMultiply(product, static_cast<uint64_t>(size));
  return product;
}

uint64_t Conv2DOp::getNumMACs() {
  ArrayRef<int64_t> out = getOutput().getType().getShape();
  ArrayRef<int64_t> filter = getFilter().getType().getShape();
  return saturatingProduct(
      {out[0], out[1], out[2], out[3], filter[1], filter[2], filter[3]});
}

uint64_t DeformConv2DOp::getNumMACs() {
  ArrayRef<int64_t> out = getOutput().getType().getShape();
  ArrayRef<int64_t> filter = getFilter().getType().getShape();
  return saturatingProduct(
      {out[0], out[1], out[2], out[3], filter[1], filter[2], filter[3]});
}

uint64_t DenseOp::getNumMACs() {
  ArrayRef<int64_t> in = getInput().getType().getShape();
  return saturatingProduct({in[0], in[1], getWeight().getType().getDimSize(0)});
}

LogicalResult WeightOp::verify() {
  if (getName().empty())
    return emitOpError("expects a non-empty parameter name");
  if (llvm::is_contained(getType().getShape(), 0))
    return emitOpError("expects no empty dimension, got ") << getType();
  int64_t elements = 1;
  for (int64_t size : getType().getShape())
    if (llvm::MulOverflow(elements, size, elements))
      return emitOpError("expects fewer elements than fit in 64 bits, got ")
             << getType();
  if (std::optional<ElementsAttr> value = getValue()) {
    if (value->getType() != getType())
      return emitOpError("value of type ")
             << value->getType() << " does not match the result type "
             << getType();
  }
  return success();
}

// cnn.weight "name" : type
// cnn.weight "name" = <elements attribute, which carries the type>
ParseResult WeightOp::parse(OpAsmParser &parser, OperationState &result) {
  // A plain string: parseAttribute would take the `: type` that follows.
  std::string name;
  if (parser.parseString(&name))
    return failure();
  result.addAttribute("name", parser.getBuilder().getStringAttr(name));
  Type type;
  if (succeeded(parser.parseOptionalEqual())) {
    ElementsAttr value;
    if (parser.parseAttribute(value, "value", result.attributes))
      return failure();
    type = value.getType();
    if (parser.parseOptionalAttrDict(result.attributes))
      return failure();
  } else if (parser.parseOptionalAttrDict(result.attributes) ||
             parser.parseColonType(type)) {
    return failure();
  }
  result.addTypes(type);
  return success();
}

void WeightOp::print(OpAsmPrinter &printer) {
  printer << " ";
  printer.printAttribute(getNameAttr());
  if (std::optional<ElementsAttr> value = getValue()) {
    printer << " = ";
    printer.printAttribute(*value);
    printer.printOptionalAttrDict((*this)->getAttrs(), {"name", "value"});
    return;
  }
  printer.printOptionalAttrDict((*this)->getAttrs(), {"name", "value"});
  printer << " : " << getType();
}
