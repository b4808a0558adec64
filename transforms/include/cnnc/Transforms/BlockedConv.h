//===- BlockedConv.h - convolutions in the channel-blocked layout -*- C++
//-*-===//
//
// The contract between cnn-assign-layout, which builds convolutions on
// channel-blocked tensors ([N, C/L, H, W, L], L lanes of one vector
// register) as linalg.generic ops, and cnn-vectorize-blocked-convolutions,
// which replaces them by register-tiled vector code once they are on
// buffers. A generic carries its form, window and groups in the attribute
// `cnnc.blocked_conv` (#cnnc.blocked_conv<...>); its indexing maps and
// iterators are always the ones built here, so the generic alone is a
// correct (if slow) convolution, and the kernel pass checks that the maps
// are these before trusting the attribute.
//
// Forms (iteration dimensions: parallel | reduction):
//   dense       n ob oh ow co | cb kh kw ci   in [N, Cb, Hp, Wp, L]
//               filter [Ob, span, KH, KW, L(ci), L(co)]. One group: span =
//               Cb. Groups of whole output blocks (opg per group, cig input
//               channels): ob reads the `span` blocks from the one holding
//               its group's first channel, ((ob / opg) * cig) / L, with
//               zero weights for channels of other groups.
//   plain_input n ob oh ow co | c kh kw       in [N, C, Hp, Wp] (NCHW)
//               filter [Ob, C, KH, KW, L(co)]: a first layer with few
//               channels reads the model's input as it is.
//   depthwise   n cb oh ow l  | kh kw         in [N, Cb, Hp, Wp, L]
//               filter [Cb, KH, KW, L].
//   lane_groups n ob oh ow l  | kh kw j       in [N, Cb, Hp, Wp, L]
//               filter [Ob, KH, KW, g, L]: groups of g channels (g divides
//               L, as many in as out) inside one block; lane l reads input
//               lane (l / g) * g + j.
// The input is already padded; the output is [N, Ob, Ho, Wo, L].
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_TRANSFORMS_BLOCKEDCONV_H
#define CNNC_TRANSFORMS_BLOCKEDCONV_H

#include "cnnc/Dialect/CnncDialect.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/SmallVector.h"

#include <array>
#include <optional>

namespace cnnc::blocked {

using ::cnnc::ConvForm;

struct ConvSpec {
  ConvForm form = ConvForm::Dense;
  std::array<int64_t, 2> strides = {1, 1};
  std::array<int64_t, 2> dilations = {1, 1};
  /// Dense with groups: the input blocks a group reads (its span), the
  /// output blocks per group and the input channels per group (all 0: one
  /// group), and the lanes of a block.
  int64_t groupInBlocks = 0, groupOutBlocks = 0, groupInChannels = 0, lanes = 0;
  /// LaneGroups: channels per group.
  int64_t groupSize = 0;
  /// Dense with one group: the input channels when the last input block
  /// holds fewer than its lanes (else 0), so the reduction can skip the
  /// empty lanes, whose weights are zero.
  int64_t inChannels = 0;

  unsigned numLoops() const;
  unsigned numReductions() const;
  BlockedConvAttr toAttr(mlir::MLIRContext *context) const;
  static ConvSpec fromAttr(BlockedConvAttr attr);
  /// The spec that marks `op` (cnnc.blocked_conv), if any.
  static std::optional<ConvSpec> of(mlir::Operation *op);
  /// Marks `op` with this spec.
  void mark(mlir::Operation *op) const;
  /// The input, filter and output maps of the generic.
  llvm::SmallVector<mlir::AffineMap> indexingMaps(mlir::MLIRContext *) const;
  llvm::SmallVector<mlir::utils::IteratorType> iteratorTypes() const;
};

/// Whether `generic`'s body is `out + in * filter` (in either order): the
/// body of every blocked convolution.
bool isMultiplyAccumulate(mlir::linalg::GenericOp generic);

} // namespace cnnc::blocked

#endif // CNNC_TRANSFORMS_BLOCKEDCONV_H
