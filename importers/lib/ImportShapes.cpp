//===- ImportShapes.cpp - data movement and shape computations -----------===//
//
// Reshape, Flatten, Squeeze and Unsqueeze are cnn.reshape; Concat, Split,
// Slice and Gather along channels are cnn.concat and cnn.slice, along any
// other axis the same ops on a [outer, size, inner] view. Shape, Constant,
// Cast and the ops of shape computations (Gather, Unsqueeze, Concat, Slice,
// Squeeze on constants) are evaluated while importing.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include <numeric>

using namespace mlir;
using namespace cnnc::onnx_import;

namespace {

/// The product of `shape`'s dimensions [begin, end); INT64_MAX where it
/// overflows.
int64_t product(const Shape &shape, size_t begin, size_t end) {
  return ConstTensor::elementsOf(
      std::vector<int64_t>(shape.begin() + begin, shape.begin() + end));
}

/// Elements [start, start + size) along `axis` of a constant.
ConstTensor sliceConstant(const ConstTensor &t, size_t axis,
                          const std::vector<int64_t> &indices) {
  ConstTensor out = t;
  out.shape[axis] = static_cast<int64_t>(indices.size());
  int64_t outer = product(t.shape, 0, axis);
  int64_t inner = product(t.shape, axis + 1, t.shape.size());
  out.values.clear();
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i : indices)
      for (int64_t k = 0; k < inner; ++k)
        out.values.push_back(t.values[(o * t.shape[axis] + i) * inner + k]);
  return out;
}

/// Reshape's target: 0 copies the input's size (unless allowzero), -1 is
/// inferred.
LogicalResult reshapeOp(Importer &im) {
  if (failed(im.onlyAttrs({"allowzero"})))
    return failure();
  FailureOr<Val> x = im.input(0);
  auto target = im.constantInput(1, "the shape");
  if (failed(x) || failed(target))
    return failure();
  Shape in = x->tensor ? Importer::shapeOf(x->tensor) : x->constant->shape;
  bool allowZero = im.intAttr("allowzero", 0) != 0;
  Shape shape;
  int64_t inferred = -1, known = 1;
  for (auto [index, value] : llvm::enumerate((*target)->values)) {
    int64_t size = toInt64(value);
    if (size == 0 && !allowZero) {
      if (index >= in.size())
        return im.fail("shape entry 0 at " + std::to_string(index) +
                       " copies a dimension the input does not have");
      size = in[index];
    } else if (size == -1) {
      if (inferred >= 0)
        return im.fail("the shape has more than one -1");
      inferred = static_cast<int64_t>(index);
      size = 1;
    } else if (size <= 0) {
      return im.fail("shape entry " + std::to_string(size) +
                     " is not supported (sizes must be positive)");
    }
    if (__builtin_mul_overflow(known, size, &known))
      return im.fail("the shape has 2^63 elements or more");
    shape.push_back(size);
  }
  int64_t total = product(in, 0, in.size());
  if (inferred >= 0) {
    if (known == 0 || total % known != 0)
      return im.fail("the shape's -1 cannot be inferred");
    shape[inferred] = total / known;
  }
  if (!x->tensor) {
    ConstTensor out = *x->constant;
    out.shape = shape;
    if (out.numElements() != total)
      return im.fail("cannot reshape a constant to another element count");
    im.defineConstant(0, std::move(out));
    return success();
  }
  return im.result(im.reshape(x->tensor, shape));
}

LogicalResult flattenOp(Importer &im) {
  FailureOr<Value> x = im.start({"axis"});
  if (failed(x))
    return failure();
  Shape shape = Importer::shapeOf(*x);
  int64_t rank = static_cast<int64_t>(shape.size());
  int64_t axis = im.intAttr("axis", 1);
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis > rank)
    return im.fail("axis is out of range");
  Shape flat = {product(shape, 0, axis), product(shape, axis, rank)};
  if (axis == 1 && rank >= 2)
    return im.result(im.create<cnn::FlattenOp>(*x));
  return im.result(im.reshape(*x, flat));
}

/// The axes of Squeeze and Unsqueeze: an attribute before opset 13, an
/// input from 13 on.
FailureOr<std::vector<int64_t>> axesOf(Importer &im, bool required) {
  if (im.opset < 13 || im.hasAttr("axes"))
    return im.intsAttr("axes", {});
  if (!im.hasInput(1)) {
    if (required)
      return im.fail("axes are missing");
    return std::vector<int64_t>();
  }
  auto axes = im.constantInput(1, "axes");
  if (failed(axes))
    return failure();
  std::vector<int64_t> out;
  for (double a : (*axes)->values)
    out.push_back(toInt64(a));
  return out;
}

LogicalResult squeezeOps(Importer &im, bool unsqueeze) {
  if (failed(im.onlyAttrs({"axes"})))
    return failure();
  FailureOr<Val> x = im.input(0);
  FailureOr<std::vector<int64_t>> axes = axesOf(im, unsqueeze);
  if (failed(x) || failed(axes))
    return failure();
  Shape in = x->tensor ? Importer::shapeOf(x->tensor) : x->constant->shape;
  Shape shape;
  if (unsqueeze) {
    int64_t rank = static_cast<int64_t>(in.size() + axes->size());
    std::vector<bool> inserted(rank, false);
    for (int64_t a : *axes) {
      FailureOr<int64_t> axis = im.normalizeAxis(a, rank, "axis");
      if (failed(axis))
        return failure();
      inserted[*axis] = true;
    }
    size_t next = 0;
    for (int64_t d = 0; d < rank; ++d)
      shape.push_back(inserted[d] ? 1 : in[next++]);
  } else {
    int64_t rank = static_cast<int64_t>(in.size());
    std::vector<bool> removed(rank, axes->empty());
    for (int64_t a : *axes) {
      FailureOr<int64_t> axis = im.normalizeAxis(a, rank, "axis");
      if (failed(axis))
        return failure();
      if (in[*axis] != 1)
        return im.fail("axis " + std::to_string(a) + " has size " +
                       std::to_string(in[*axis]) + ", not 1");
      removed[*axis] = true;
    }
    for (int64_t d = 0; d < rank; ++d)
      if (!removed[d] || in[d] != 1)
        shape.push_back(in[d]);
  }
  if (!x->tensor) {
    ConstTensor out = *x->constant;
    out.shape = shape;
    im.defineConstant(0, std::move(out));
    return success();
  }
  return im.result(im.reshape(x->tensor, shape));
}

LogicalResult transposeOp(Importer &im) {
  FailureOr<Value> x = im.start({"perm"});
  if (failed(x))
    return failure();
  int64_t rank = static_cast<int64_t>(Importer::shapeOf(*x).size());
  std::vector<int64_t> reversed(rank);
  std::iota(reversed.rbegin(), reversed.rend(), 0);
  std::vector<int64_t> perm = im.intsAttr("perm", reversed);
  return im.result(
      im.create<cnn::TransposeOp>(*x, im.builder.getDenseI64ArrayAttr(perm)));
}

LogicalResult concatOp(Importer &im) {
  if (failed(im.onlyAttrs({"axis"})))
    return failure();
  std::vector<Val> inputs;
  bool allConstant = true;
  for (size_t i = 0; i < im.node->inputs.size(); ++i) {
    FailureOr<Val> v = im.input(i);
    if (failed(v))
      return failure();
    allConstant &= !v->tensor && v->constant;
    inputs.push_back(*v);
  }
  if (inputs.empty())
    return im.fail("no inputs");
  Shape first = inputs[0].tensor ? Importer::shapeOf(inputs[0].tensor)
                                 : inputs[0].constant->shape;
  FailureOr<int64_t> axis = im.normalizeAxis(
      im.intAttr("axis", 0), static_cast<int64_t>(first.size()), "axis");
  if (failed(axis))
    return failure();
  for (const Val &v : inputs) {
    Shape shape = v.tensor ? Importer::shapeOf(v.tensor) : v.constant->shape;
    bool fits = shape.size() == first.size();
    for (size_t d = 0; fits && d < shape.size(); ++d)
      fits = static_cast<int64_t>(d) == *axis || shape[d] == first[d];
    if (!fits)
      return im.fail("the inputs' shapes differ outside the axis");
  }
  if (allConstant) {
    ConstTensor out = *inputs[0].constant;
    out.shape[*axis] = 0;
    int64_t outer = product(first, 0, *axis);
    out.values.clear();
    for (const Val &v : inputs)
      out.shape[*axis] += v.constant->shape[*axis];
    for (int64_t o = 0; o < outer; ++o)
      for (const Val &v : inputs) {
        int64_t chunk =
            product(v.constant->shape, *axis, v.constant->shape.size());
        out.values.insert(out.values.end(),
                          v.constant->values.begin() + o * chunk,
                          v.constant->values.begin() + (o + 1) * chunk);
      }
    im.defineConstant(0, std::move(out));
    return success();
  }
  SmallVector<Value> tensors;
  for (size_t i = 0; i < inputs.size(); ++i) {
    FailureOr<Value> t = im.tensorInput(i);
    if (failed(t))
      return failure();
    tensors.push_back(*t);
  }
  return im.result(im.concat(tensors, *axis));
}

LogicalResult splitOp(Importer &im) {
  FailureOr<Value> x = im.start({"axis", "split"});
  if (failed(x))
    return failure();
  Shape shape = Importer::shapeOf(*x);
  FailureOr<int64_t> axis = im.normalizeAxis(
      im.intAttr("axis", 0), static_cast<int64_t>(shape.size()), "axis");
  if (failed(axis))
    return failure();
  std::vector<int64_t> sizes = im.intsAttr("split", {});
  if (im.opset >= 13 && im.hasInput(1)) {
    auto split = im.constantInput(1, "split");
    if (failed(split))
      return failure();
    for (double s : (*split)->values)
      sizes.push_back(toInt64(s));
  }
  size_t parts = im.node->outputs.size();
  if (sizes.empty()) {
    if (shape[*axis] % static_cast<int64_t>(parts) != 0)
      return im.fail("dimension " + std::to_string(*axis) + " (" +
                     std::to_string(shape[*axis]) + ") does not split into " +
                     std::to_string(parts) + " equal parts");
    sizes.assign(parts, shape[*axis] / static_cast<int64_t>(parts));
  }
  if (sizes.size() != parts ||
      std::accumulate(sizes.begin(), sizes.end(), int64_t(0)) != shape[*axis])
    return im.fail("the split sizes do not add up to dimension " +
                   std::to_string(*axis));
  int64_t start = 0;
  for (size_t i = 0; i < parts; ++i) {
    if (sizes[i] == 0)
      return im.fail("empty parts are not supported (cnn tensors have no "
                     "empty dimension)");
    if (im.hasOutput(i) &&
        failed(im.result(im.slice(*x, *axis, start, sizes[i]), i)))
      return failure();
    start += sizes[i];
  }
  return success();
}

/// Slice: starts, ends, axes and steps (inputs from opset 10 on), clamped
/// as ONNX specifies; any step, through gather.
LogicalResult sliceOp(Importer &im) {
  if (failed(im.onlyAttrs({"starts", "ends", "axes"})))
    return failure();
  FailureOr<Val> x = im.input(0);
  if (failed(x))
    return failure();
  std::vector<int64_t> starts, ends, axes, steps;
  if (im.opset < 10) {
    starts = im.intsAttr("starts", {});
    ends = im.intsAttr("ends", {});
    axes = im.intsAttr("axes", {});
  } else {
    const char *names[] = {"starts", "ends", "axes", "steps"};
    std::vector<int64_t> *lists[] = {&starts, &ends, &axes, &steps};
    for (size_t i = 1; i <= 4; ++i) {
      if (!im.hasInput(i))
        continue;
      auto c = im.constantInput(i, names[i - 1]);
      if (failed(c))
        return failure();
      for (double v : (*c)->values)
        lists[i - 1]->push_back(toInt64(v));
    }
  }
  Shape shape = x->tensor ? Importer::shapeOf(x->tensor) : x->constant->shape;
  int64_t rank = static_cast<int64_t>(shape.size());
  if (axes.empty())
    for (size_t i = 0; i < starts.size(); ++i)
      axes.push_back(static_cast<int64_t>(i));
  if (steps.empty())
    steps.assign(starts.size(), 1);
  if (starts.size() != ends.size() || axes.size() != starts.size() ||
      steps.size() != starts.size())
    return im.fail("starts, ends, axes and steps differ in length");
  Val current = *x;
  for (size_t i = 0; i < axes.size(); ++i) {
    FailureOr<int64_t> axis = im.normalizeAxis(axes[i], rank, "axis");
    if (failed(axis))
      return failure();
    int64_t size = shape[*axis], step = steps[i];
    if (step == 0)
      return im.fail("a step is 0");
    // ONNX's clamping: with a negative step, start in [0, size - 1] and
    // end in [-1, size - 1].
    auto clampIndex = [&](int64_t v, int64_t low, int64_t high) {
      if (v < 0)
        v = v < -size ? -size - 1 : v + size;
      return std::clamp<int64_t>(v, low, high);
    };
    int64_t start = step > 0 ? clampIndex(starts[i], 0, size)
                             : clampIndex(starts[i], 0, size - 1);
    int64_t end = step > 0 ? clampIndex(ends[i], 0, size)
                           : clampIndex(ends[i], -1, size - 1);
    // The count first: stepping past the end could overflow.
    int64_t span = step > 0 ? end - start : start - end;
    int64_t stride = step > 0 ? step : -step;
    int64_t count = span <= 0 ? 0 : (span - 1) / stride + 1;
    std::vector<int64_t> indices;
    for (int64_t k = 0; k < count; ++k)
      indices.push_back(start + k * step);
    if (indices.empty())
      return im.fail("the slice is empty (cnn tensors have no empty "
                     "dimension)");
    if (!current.tensor) {
      current.constant = std::make_shared<const ConstTensor>(
          sliceConstant(*current.constant, *axis, indices));
    } else {
      FailureOr<Value> sliced = im.gather(current.tensor, *axis, indices);
      if (failed(sliced))
        return failure();
      current.tensor = *sliced;
    }
    shape[*axis] = static_cast<int64_t>(indices.size());
  }
  if (current.tensor)
    im.define(0, current.tensor);
  else
    im.defineConstant(0, *current.constant);
  return success();
}

LogicalResult gatherOp(Importer &im) {
  if (failed(im.onlyAttrs({"axis"})))
    return failure();
  FailureOr<Val> x = im.input(0);
  auto indices = im.constantInput(1, "the indices");
  if (failed(x) || failed(indices))
    return failure();
  Shape shape = x->tensor ? Importer::shapeOf(x->tensor) : x->constant->shape;
  FailureOr<int64_t> axis = im.normalizeAxis(
      im.intAttr("axis", 0), static_cast<int64_t>(shape.size()), "axis");
  if (failed(axis))
    return failure();
  std::vector<int64_t> picked;
  for (double v : (*indices)->values) {
    int64_t i = toInt64(v);
    if (i < -shape[*axis] || i >= shape[*axis])
      return im.fail("index " + std::to_string(i) + " is out of range");
    picked.push_back(i < 0 ? i + shape[*axis] : i);
  }
  Shape out(shape.begin(), shape.begin() + *axis);
  out.insert(out.end(), (*indices)->shape.begin(), (*indices)->shape.end());
  out.insert(out.end(), shape.begin() + *axis + 1, shape.end());
  if (!x->tensor) {
    ConstTensor result = sliceConstant(*x->constant, *axis, picked);
    result.shape = out;
    im.defineConstant(0, std::move(result));
    return success();
  }
  if (picked.empty())
    return im.fail("no indices");
  FailureOr<Value> gathered = im.gather(x->tensor, *axis, picked);
  if (failed(gathered))
    return failure();
  if (out.empty())
    return im.fail("a scalar result is not supported");
  return im.result(im.reshape(*gathered, out));
}

LogicalResult shapeOp(Importer &im) {
  if (failed(im.onlyAttrs({"start", "end"})))
    return failure();
  FailureOr<Val> x = im.input(0);
  if (failed(x))
    return failure();
  Shape shape = x->tensor ? Importer::shapeOf(x->tensor) : x->constant->shape;
  int64_t rank = static_cast<int64_t>(shape.size());
  int64_t start = im.intAttr("start", 0), end = im.intAttr("end", rank);
  if (start < 0)
    start += rank;
  if (end < 0)
    end += rank;
  start = std::clamp<int64_t>(start, 0, rank);
  end = std::clamp<int64_t>(end, start, rank);
  ConstTensor out;
  out.isFloat = false;
  out.typeName = "INT64";
  out.shape = {end - start};
  for (int64_t d = start; d < end; ++d)
    out.values.push_back(static_cast<double>(shape[d]));
  im.defineConstant(0, std::move(out));
  return success();
}

LogicalResult constantOp(Importer &im) {
  if (im.node->attributes.size() != 1)
    return im.fail("expects exactly one value attribute");
  const auto &[name, attr] = *im.node->attributes.begin();
  ConstTensor out;
  if (name == "value" && attr.tensor) {
    out = *attr.tensor;
  } else if (name == "value_float") {
    out.values = {attr.f};
  } else if (name == "value_floats") {
    out.values = attr.floats;
    out.shape = {static_cast<int64_t>(attr.floats.size())};
  } else if (name == "value_int" || name == "value_ints") {
    out.isFloat = false;
    out.typeName = "INT64";
    if (name == "value_int") {
      out.values = {static_cast<double>(attr.i)};
    } else {
      out.values.assign(attr.ints.begin(), attr.ints.end());
      out.shape = {static_cast<int64_t>(attr.ints.size())};
    }
  } else {
    return im.fail("attribute '" + name + "' is not supported");
  }
  im.defineConstant(0, std::move(out));
  return success();
}

/// Cast of a constant (shape computations); a tensor stays float.
LogicalResult castOp(Importer &im) {
  if (failed(im.onlyAttrs({"to"})))
    return failure();
  FailureOr<Val> x = im.input(0);
  if (failed(x))
    return failure();
  int64_t to = im.intAttr("to", 1);
  bool toFloat = to == 1 || to == 11;
  if (x->tensor) {
    if (to != 1)
      return im.fail("a cast of a tensor to another type than FLOAT");
    im.define(0, x->tensor);
    return success();
  }
  ConstTensor out = *x->constant;
  out.isFloat = toFloat;
  out.typeName = toFloat ? "FLOAT" : "INT64";
  for (double &v : out.values)
    v = toFloat ? static_cast<double>(static_cast<float>(v)) : std::trunc(v);
  im.defineConstant(0, std::move(out));
  return success();
}

} // namespace

//===----------------------------------------------------------------------===//
// Data movement along any axis.
//===----------------------------------------------------------------------===//

FailureOr<Value> Importer::reshape(Value x, const Shape &shape) {
  if (shapeOf(x) == shape)
    return x;
  return create<cnn::ReshapeOp>(x, builder.getDenseI64ArrayAttr(shape));
}

FailureOr<Value> Importer::concat(ArrayRef<Value> inputs, int64_t axis) {
  if (inputs.size() == 1)
    return inputs[0];
  Shape shape = shapeOf(inputs[0]);
  if (axis == 1 && shape.size() >= 2)
    return create<cnn::ConcatOp>(ValueRange(inputs), /*interleave=*/false);
  int64_t outer = product(shape, 0, axis);
  int64_t inner = product(shape, axis + 1, shape.size());
  SmallVector<Value> views;
  int64_t total = 0;
  for (Value input : inputs) {
    int64_t size = shapeOf(input)[axis];
    total += size;
    FailureOr<Value> view = reshape(input, {outer, size, inner});
    if (failed(view))
      return failure();
    views.push_back(*view);
  }
  FailureOr<Value> joined =
      create<cnn::ConcatOp>(ValueRange(views), /*interleave=*/false);
  if (failed(joined))
    return failure();
  shape[axis] = total;
  return reshape(*joined, shape);
}

FailureOr<Value> Importer::slice(Value x, int64_t axis, int64_t start,
                                 int64_t size) {
  Shape shape = shapeOf(x);
  if (start == 0 && size == shape[axis])
    return x;
  Value view = x;
  bool channels = axis == 1 && shape.size() >= 2;
  if (!channels) {
    FailureOr<Value> v = reshape(x, {product(shape, 0, axis), shape[axis],
                                     product(shape, axis + 1, shape.size())});
    if (failed(v))
      return failure();
    view = *v;
  }
  FailureOr<Value> sliced = create<cnn::SliceOp>(
      view, static_cast<uint64_t>(start), static_cast<uint64_t>(size));
  if (failed(sliced) || channels)
    return sliced;
  shape[axis] = size;
  return reshape(*sliced, shape);
}

FailureOr<Value> Importer::gather(Value x, int64_t axis,
                                  ArrayRef<int64_t> indices) {
  SmallVector<Value> pieces;
  for (size_t i = 0; i < indices.size();) {
    size_t run = 1;
    while (i + run < indices.size() &&
           indices[i + run] == indices[i] + static_cast<int64_t>(run))
      ++run;
    if (pieces.size() >= 256) {
      (void)fail("selects more than 256 separate ranges along axis " +
                 std::to_string(axis));
      return failure();
    }
    FailureOr<Value> piece =
        slice(x, axis, indices[i], static_cast<int64_t>(run));
    if (failed(piece))
      return failure();
    pieces.push_back(*piece);
    i += run;
  }
  return concat(pieces, axis);
}

void cnnc::onnx_import::addShapeConverters(
    std::map<std::string, Converter> &converters) {
  converters["Reshape"] = reshapeOp;
  converters["Flatten"] = flattenOp;
  converters["Squeeze"] = [](Importer &im) { return squeezeOps(im, false); };
  converters["Unsqueeze"] = [](Importer &im) { return squeezeOps(im, true); };
  converters["Transpose"] = transposeOp;
  converters["Concat"] = concatOp;
  converters["Split"] = splitOp;
  converters["Slice"] = sliceOp;
  converters["Gather"] = gatherOp;
  converters["Shape"] = shapeOp;
  converters["Constant"] = constantOp;
  converters["Cast"] = castOp;
}
