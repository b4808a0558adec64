//===- CnncDialect.cpp - the annotations of cnnc's passes -----------------===//

#include "cnnc/Dialect/CnncDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"

using namespace mlir;
using cnnc::CnncDialect;

#include "cnnc/Dialect/CnncDialect.cpp.inc"
#include "cnnc/Dialect/CnncEnums.cpp.inc"

#include "llvm/ADT/TypeSwitch.h"

#define GET_ATTRDEF_CLASSES
#include "cnnc/Dialect/CnncAttributes.cpp.inc"

void CnncDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "cnnc/Dialect/CnncAttributes.cpp.inc"
      >();
}

namespace {

/// The counts of a blocked convolution after its window (groups, lanes,
/// input channels), in the order printed, each only when not 0.
constexpr llvm::StringLiteral kCountParameters[] = {
    "group_in_blocks", "group_out_blocks", "group_in_channels",
    "lanes",           "group_size",       "in_channels"};

} // namespace

void cnnc::BlockedConvAttr::print(AsmPrinter &printer) const {
  printer << "<" << stringifyConvForm(getForm()) << ", strides = [";
  llvm::interleaveComma(getStrides(), printer);
  printer << "], dilations = [";
  llvm::interleaveComma(getDilations(), printer);
  printer << "]";
  int64_t values[] = {getGroupInBlocks(),   getGroupOutBlocks(),
                      getGroupInChannels(), getLanes(),
                      getGroupSize(),       getInChannels()};
  for (auto [name, value] : llvm::zip(kCountParameters, values))
    if (value != 0)
      printer << ", " << name << " = " << value;
  printer << ">";
}

Attribute cnnc::BlockedConvAttr::parse(AsmParser &parser, Type) {
  StringRef formName;
  SmallVector<int64_t, 2> strides, dilations;
  auto parsePair = [&](StringRef keyword, SmallVectorImpl<int64_t> &pair) {
    return failure(
        parser.parseComma() || parser.parseKeyword(keyword) ||
        parser.parseEqual() ||
        parser.parseCommaSeparatedList(AsmParser::Delimiter::Square, [&]() {
          return parser.parseInteger(pair.emplace_back());
        }));
  };
  if (parser.parseLess() || parser.parseKeyword(&formName) ||
      failed(parsePair("strides", strides)) ||
      failed(parsePair("dilations", dilations)))
    return {};
  std::optional<ConvForm> form = symbolizeConvForm(formName);
  if (!form) {
    parser.emitError(parser.getCurrentLocation())
        << "unknown convolution form '" << formName << "'";
    return {};
  }
  int64_t values[6] = {0, 0, 0, 0, 0, 0};
  while (succeeded(parser.parseOptionalComma())) {
    StringRef name;
    if (parser.parseKeyword(&name) || parser.parseEqual())
      return {};
    const auto *found = llvm::find(kCountParameters, name);
    if (found == std::end(kCountParameters)) {
      parser.emitError(parser.getCurrentLocation())
          << "unknown blocked convolution parameter '" << name << "'";
      return {};
    }
    if (parser.parseInteger(values[found - std::begin(kCountParameters)]))
      return {};
  }
  if (parser.parseGreater())
    return {};
  return parser.getChecked<BlockedConvAttr>(
      parser.getContext(), *form, strides, dilations, values[0], values[1],
      values[2], values[3], values[4], values[5]);
}

LogicalResult cnnc::BlockedConvAttr::verify(
    function_ref<InFlightDiagnostic()> emitError, ConvForm form,
    ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations,
    int64_t groupInBlocks, int64_t groupOutBlocks, int64_t groupInChannels,
    int64_t lanes, int64_t groupSize, int64_t inChannels) {
  auto positivePair = [](ArrayRef<int64_t> pair) {
    return pair.size() == 2 && pair[0] > 0 && pair[1] > 0;
  };
  if (!positivePair(strides) || !positivePair(dilations))
    return emitError() << "expects two positive strides and dilations";
  bool grouped = groupInBlocks != 0 || groupOutBlocks != 0 ||
                 groupInChannels != 0 || lanes != 0;
  if (grouped && (form != ConvForm::Dense || groupInBlocks <= 0 ||
                  groupOutBlocks <= 0 || groupInChannels <= 0 || lanes <= 0))
    return emitError() << "expects group_in_blocks, group_out_blocks, "
                          "group_in_channels and lanes all positive, and only "
                          "on the dense form";
  if (inChannels < 0 ||
      (inChannels > 0 && (form != ConvForm::Dense || grouped)))
    return emitError() << "expects in_channels only on the dense form "
                          "without groups, and positive";
  if ((form == ConvForm::LaneGroups) != (groupSize > 0))
    return emitError() << "expects a positive group_size on the lane_groups "
                          "form and on no other";
  return success();
}

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
    if (name == CnncDialect::ScratchAttrHelper::getNameStr() ||
        name == CnncDialect::PoolAttrHelper::getNameStr())
      return expect(isa<UnitAttr>(value), "a unit attribute");
    return op->emitError() << "'" << name
                           << "' is not a cnnc argument attribute";
  }
  if (name == CnncDialect::EpilogueAttrHelper::getNameStr() ||
      name == CnncDialect::ChannelSumAttrHelper::getNameStr() ||
      name == CnncDialect::ConcatChainBufferAttrHelper::getNameStr())
    return expect(isa<UnitAttr>(value), "a unit attribute");
  if (name == CnncDialect::BlockedConvAttrHelper::getNameStr())
    return expect(isa<cnnc::BlockedConvAttr>(value), "a #cnnc.blocked_conv");
  if (name == CnncDialect::ReorderAttrHelper::getNameStr())
    return expect(isa<cnnc::ReorderAttr>(value), "a #cnnc.reorder");
  if (name == CnncDialect::ArenaBytesAttrHelper::getNameStr() ||
      name == CnncDialect::UnplannedBytesAttrHelper::getNameStr() ||
      name == CnncDialect::WinogradInputAttrHelper::getNameStr() ||
      name == CnncDialect::WinogradOutputAttrHelper::getNameStr())
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
