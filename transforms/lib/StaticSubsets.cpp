//===- StaticSubsets.cpp - fast subset checks for tensor slices -----------===//
//
// Why not upstream's models: in MLIR 19 they compare every offset, size and
// stride through ValueBoundsConstraintSet, which builds and solves a
// Presburger system per comparison. For DenseNet-121 (one concat buffer per
// dense block, hundreds of slices of it) that was two thirds of one-shot
// bufferization's 1.3-1.6 s. The answers here are upstream's: a component
// both sides hold as the same value or constant is equal, two different
// constants are not, slices with positive strides are apart by upstream's
// rule, and anything else is left to upstream's analysis; except that
// slices with a negative stride are never called apart (upstream's rule
// assumes the offset is the lowest index, and would). The constants are read
// from the ops' static arrays, not as attributes (making an IntegerAttr per
// component was the next cost).
//
//===----------------------------------------------------------------------===//

#include "cnnc/Transforms/StaticSubsets.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Interfaces/SubsetOpInterface.h"
#include "mlir/Interfaces/ValueBoundsOpInterface.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

#include <optional>

using namespace mlir;

namespace {

/// The offsets, sizes or strides of a slice.
enum class Part { Offsets, Sizes, Strides };

ArrayRef<int64_t> staticPart(OffsetSizeAndStrideOpInterface op, Part part) {
  switch (part) {
  case Part::Offsets:
    return op.getStaticOffsets();
  case Part::Sizes:
    return op.getStaticSizes();
  case Part::Strides:
    return op.getStaticStrides();
  }
  llvm_unreachable("unknown part of a slice");
}

/// One component as a value or an attribute. Only for the rare dynamic
/// case: an attribute per component is what made upstream's checks slow.
OpFoldResult mixedComponent(OffsetSizeAndStrideOpInterface op, Part part,
                            unsigned dim) {
  switch (part) {
  case Part::Offsets:
    return op.getMixedOffsets()[dim];
  case Part::Sizes:
    return op.getMixedSizes()[dim];
  case Part::Strides:
    return op.getMixedStrides()[dim];
  }
  llvm_unreachable("unknown part of a slice");
}

/// Whether component `dim` of `part` is the same on both slices: equal
/// constants, the same value, or values the analysis proves equal.
bool componentEqual(OffsetSizeAndStrideOpInterface lhs,
                    OffsetSizeAndStrideOpInterface rhs, Part part,
                    unsigned dim) {
  int64_t left = staticPart(lhs, part)[dim];
  int64_t right = staticPart(rhs, part)[dim];
  if (!ShapedType::isDynamic(left) && !ShapedType::isDynamic(right))
    return left == right;
  OpFoldResult leftValue = mixedComponent(lhs, part, dim);
  OpFoldResult rightValue = mixedComponent(rhs, part, dim);
  if (leftValue == rightValue)
    return true;
  FailureOr<bool> equal = ValueBoundsConstraintSet::areEqual(
      ValueBoundsConstraintSet::Variable(leftValue),
      ValueBoundsConstraintSet::Variable(rightValue));
  return succeeded(equal) && *equal;
}

/// Whether `slice` lies, along dimension `dim`, before `other`, by
/// upstream's rule (areOverlappingSlices): offset + size * stride <= the
/// other's offset. std::nullopt where a component is dynamic or either
/// stride is not positive (the rule takes each offset for the lowest index).
std::optional<bool> endsBefore(OffsetSizeAndStrideOpInterface slice,
                               OffsetSizeAndStrideOpInterface other,
                               unsigned dim) {
  int64_t offset = slice.getStaticOffsets()[dim];
  int64_t size = slice.getStaticSizes()[dim];
  int64_t stride = slice.getStaticStrides()[dim];
  int64_t otherOffset = other.getStaticOffsets()[dim];
  int64_t otherStride = other.getStaticStrides()[dim];
  if (ShapedType::isDynamic(offset) || ShapedType::isDynamic(size) ||
      ShapedType::isDynamic(stride) || ShapedType::isDynamic(otherOffset) ||
      ShapedType::isDynamic(otherStride) || stride < 1 || otherStride < 1)
    return std::nullopt;
  return offset + size * stride - otherOffset <= 0;
}

bool hasNonPositiveStride(OffsetSizeAndStrideOpInterface slice) {
  return llvm::any_of(slice.getStaticStrides(), [](int64_t stride) {
    return !ShapedType::isDynamic(stride) && stride < 1;
  });
}

/// The candidate as a slice whose offsets, sizes and strides are the subset
/// it accesses (tensor's slice ops); null for any other op.
OffsetSizeAndStrideOpInterface asTensorSlice(SubsetOpInterface candidate) {
  Operation *op = candidate.getOperation();
  if (!isa<tensor::ExtractSliceOp, tensor::InsertSliceOp,
           tensor::ParallelInsertSliceOp>(op))
    return nullptr;
  return cast<OffsetSizeAndStrideOpInterface>(op);
}

using EquivalenceFn = function_ref<bool(Value, Value)>;
using UpstreamCheck = bool (*)(Operation *, SubsetOpInterface, EquivalenceFn);

/// What both checks share: upstream's `check` decides where the candidate
/// is not one of tensor's slices; slices of tensors that are not
/// equivalent, or of other ranks, are neither equivalent nor proven apart;
/// the rest is `compare`'s (the two slices and their rank).
template <typename Compare>
bool compareSlices(Operation *op, SubsetOpInterface candidate,
                   EquivalenceFn equivalenceFn, UpstreamCheck check,
                   Compare compare) {
  OffsetSizeAndStrideOpInterface other = asTensorSlice(candidate);
  if (!other)
    return check(op, candidate, equivalenceFn);
  if (!equivalenceFn(cast<SubsetOpInterface>(op).getTensorContainer(),
                     candidate.getTensorContainer()))
    return false;
  auto slice = cast<OffsetSizeAndStrideOpInterface>(op);
  unsigned rank = slice.getStaticOffsets().size();
  if (other.getStaticOffsets().size() != rank)
    return false;
  return compare(slice, other, rank);
}

template <typename SliceOp>
struct StaticSliceSubsetModel
    : public SubsetOpInterface::ExternalModel<StaticSliceSubsetModel<SliceOp>,
                                              SliceOp> {
  FailureOr<HyperrectangularSlice>
  getAccessedHyperrectangularSlice(Operation *op) const {
    return HyperrectangularSlice(cast<OffsetSizeAndStrideOpInterface>(op));
  }

  bool operatesOnEquivalentSubset(Operation *op, SubsetOpInterface candidate,
                                  EquivalenceFn equivalenceFn) const {
    return compareSlices(
        op, candidate, equivalenceFn, detail::defaultOperatesOnEquivalentSubset,
        [](OffsetSizeAndStrideOpInterface slice,
           OffsetSizeAndStrideOpInterface other, unsigned rank) {
          for (Part part : {Part::Offsets, Part::Sizes, Part::Strides})
            for (unsigned dim = 0; dim < rank; ++dim)
              if (!componentEqual(slice, other, part, dim))
                return false;
          return true;
        });
  }

  bool operatesOnDisjointSubset(Operation *op, SubsetOpInterface candidate,
                                EquivalenceFn equivalenceFn) const {
    return compareSlices(
        op, candidate, equivalenceFn, detail::defaultOperatesOnDisjointSubset,
        [&](OffsetSizeAndStrideOpInterface slice,
            OffsetSizeAndStrideOpInterface other, unsigned rank) {
          // Apart along one dimension is apart; overlapping along every
          // one, all constants and positive strides, is overlapping. Only
          // the rest needs upstream's analysis.
          bool allStatic = true;
          for (unsigned dim = 0; dim < rank; ++dim) {
            std::optional<bool> before = endsBefore(slice, other, dim);
            std::optional<bool> after = endsBefore(other, slice, dim);
            if ((before && *before) || (after && *after))
              return true;
            allStatic &= before.has_value() && after.has_value();
          }
          // Upstream's rule takes the offset for the lowest index, which a
          // negative stride breaks (rows 5, 4, 3 and rows 0-3 would be
          // apart): such slices are not proven apart.
          if (allStatic || hasNonPositiveStride(slice) ||
              hasNonPositiveStride(other))
            return false;
          return detail::defaultOperatesOnDisjointSubset(op, candidate,
                                                         equivalenceFn);
        });
  }
};

template <typename SliceOp> bool hasStaticModel(MLIRContext *context) {
  std::optional<RegisteredOperationName> name =
      RegisteredOperationName::lookup(SliceOp::getOperationName(), context);
  if (!name)
    return false;
  auto *model = name->getInterface<SubsetOpInterface>();
  using Fallback = detail::SubsetOpInterfaceInterfaceTraits::FallbackModel<
      StaticSliceSubsetModel<SliceOp>>;
  return model && model->operatesOnEquivalentSubset ==
                      &Fallback::operatesOnEquivalentSubset;
}

} // namespace

bool cnnc::hasStaticSubsetModels(MLIRContext *context) {
  return hasStaticModel<tensor::ExtractSliceOp>(context) &&
         hasStaticModel<tensor::InsertSliceOp>(context);
}

void cnnc::registerStaticSubsetModels(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *context, tensor::TensorDialect *) {
    tensor::ExtractSliceOp::attachInterface<
        StaticSliceSubsetModel<tensor::ExtractSliceOp>>(*context);
    tensor::InsertSliceOp::attachInterface<
        StaticSliceSubsetModel<tensor::InsertSliceOp>>(*context);
  });
}
