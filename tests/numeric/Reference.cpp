//===- Reference.cpp - naive reference implementations of the cnn ops -----===//
//
// Each function is the most literal loop nest for its op's PyTorch semantics;
// sums are accumulated in double and rounded to float once, at the end.
//
//===----------------------------------------------------------------------===//

#include "Reference.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

namespace cnnc::reference {

namespace {

/// Aborts with a message when a precondition of a reference function fails:
/// a broken test, not a broken lowering.
void require(bool condition, const char *what) {
  if (!condition) {
    std::fprintf(stderr, "reference: precondition violated: %s\n", what);
    std::abort();
  }
}

int64_t product(const Shape &shape, size_t begin, size_t end) {
  int64_t result = 1;
  for (size_t i = begin; i < end; ++i)
    result *= shape[i];
  return result;
}

/// Floor division for a positive divisor.
int64_t floorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && (a < 0))
    --q;
  return q;
}

template <typename F> Tensor map(const Tensor &x, F f) {
  Tensor out(x.shape);
  for (int64_t i = 0; i < x.size(); ++i)
    out.data[i] = static_cast<float>(f(static_cast<double>(x.data[i])));
  return out;
}

/// The index along dimension 1 of element `linear` of a tensor of `shape`.
int64_t channelOf(const Shape &shape, int64_t linear) {
  int64_t inner = product(shape, 2, shape.size());
  return (linear / inner) % shape[1];
}

template <typename F>
Tensor broadcastBinary(const Tensor &a, const Tensor &b, F f) {
  Shape shape = broadcastShapes(a.shape, b.shape);
  size_t rank = shape.size();
  // Strides of a and b in the output's index space: 0 along broadcast dims.
  auto stridesFor = [&](const Shape &s) {
    std::vector<int64_t> strides(rank, 0);
    int64_t stride = 1;
    for (size_t k = 0; k < s.size(); ++k) {
      size_t dim = s.size() - 1 - k;
      size_t outDim = rank - 1 - k;
      strides[outDim] = s[dim] == 1 ? 0 : stride;
      stride *= s[dim];
    }
    return strides;
  };
  std::vector<int64_t> sa = stridesFor(a.shape), sb = stridesFor(b.shape);
  Tensor out(shape);
  std::vector<int64_t> index(rank, 0);
  for (int64_t linear = 0; linear < out.size(); ++linear) {
    int64_t rest = linear, ia = 0, ib = 0;
    for (size_t k = rank; k-- > 0;) {
      index[k] = rest % shape[k];
      rest /= shape[k];
      ia += index[k] * sa[k];
      ib += index[k] * sb[k];
    }
    out.data[linear] = static_cast<float>(
        f(static_cast<double>(a.data[ia]), static_cast<double>(b.data[ib])));
  }
  return out;
}

} // namespace

int64_t numElements(const Shape &shape) {
  return product(shape, 0, shape.size());
}

std::string shapeToString(const Shape &shape) {
  std::string result;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      result += "x";
    result += std::to_string(shape[i]);
  }
  return result;
}

Tensor::Tensor(Shape shape, float fill)
    : shape(std::move(shape)), data(numElements(this->shape), fill) {}

int64_t convOutputSize(int64_t in, int64_t kernel, int64_t padBegin,
                       int64_t padEnd, int64_t stride, int64_t dilation) {
  return floorDiv(in + padBegin + padEnd - dilation * (kernel - 1) - 1,
                  stride) +
         1;
}

int64_t poolOutputSize(int64_t in, int64_t kernel, int64_t padBegin,
                       int64_t padEnd, int64_t stride, int64_t dilation,
                       bool ceilMode) {
  int64_t size = floorDiv(in + padBegin + padEnd - dilation * (kernel - 1) - 1 +
                              (ceilMode ? stride - 1 : 0),
                          stride) +
                 1;
  // Ensure that the last pooling window starts inside the image.
  if (ceilMode && (size - 1) * stride >= in + padBegin)
    --size;
  return size;
}

//===----------------------------------------------------------------------===//
// Convolutions and dense layers.
//===----------------------------------------------------------------------===//

Tensor conv2d(const Tensor &input, const Tensor &filter, const Tensor *bias,
              const ConvParams &p) {
  require(input.rank() == 4 && filter.rank() == 4, "conv2d ranks");
  int64_t n = input.dim(0), c = input.dim(1), h = input.dim(2),
          w = input.dim(3);
  int64_t o = filter.dim(0), cg = filter.dim(1), kh = filter.dim(2),
          kw = filter.dim(3);
  require(c % p.groups == 0 && o % p.groups == 0 && cg == c / p.groups,
          "conv2d groups");
  require(!bias || bias->size() == o, "conv2d bias");
  int64_t og = o / p.groups;
  int64_t ho = convOutputSize(h, kh, p.padding[0], p.padding[2], p.strides[0],
                              p.dilations[0]);
  int64_t wo = convOutputSize(w, kw, p.padding[1], p.padding[3], p.strides[1],
                              p.dilations[1]);
  require(ho > 0 && wo > 0, "conv2d output size");
  Tensor out({n, o, ho, wo});
  for (int64_t b = 0; b < n; ++b)
    for (int64_t oc = 0; oc < o; ++oc) {
      int64_t g = oc / og;
      for (int64_t y = 0; y < ho; ++y)
        for (int64_t x = 0; x < wo; ++x) {
          double acc = bias ? bias->data[oc] : 0.0;
          for (int64_t ic = 0; ic < cg; ++ic)
            for (int64_t i = 0; i < kh; ++i)
              for (int64_t j = 0; j < kw; ++j) {
                int64_t iy =
                    y * p.strides[0] - p.padding[0] + i * p.dilations[0];
                int64_t ix =
                    x * p.strides[1] - p.padding[1] + j * p.dilations[1];
                if (iy < 0 || iy >= h || ix < 0 || ix >= w)
                  continue; // zero padding
                acc += static_cast<double>(input.at(b, g * cg + ic, iy, ix)) *
                       filter.at(oc, ic, i, j);
              }
          out.at(b, oc, y, x) = static_cast<float>(acc);
        }
    }
  return out;
}

double bilinearInterpolate(const float *plane, int64_t height, int64_t width,
                           float y, float x) {
  if (y <= -1 || height <= y || x <= -1 || width <= x)
    return 0.0;
  int64_t yLow = static_cast<int64_t>(std::floor(y));
  int64_t xLow = static_cast<int64_t>(std::floor(x));
  int64_t yHigh = yLow + 1;
  int64_t xHigh = xLow + 1;
  double ly = static_cast<double>(y) - yLow;
  double lx = static_cast<double>(x) - xLow;
  double hy = 1.0 - ly, hx = 1.0 - lx;
  double v1 = 0, v2 = 0, v3 = 0, v4 = 0;
  if (yLow >= 0 && xLow >= 0)
    v1 = plane[yLow * width + xLow];
  if (yLow >= 0 && xHigh <= width - 1)
    v2 = plane[yLow * width + xHigh];
  if (yHigh <= height - 1 && xLow >= 0)
    v3 = plane[yHigh * width + xLow];
  if (yHigh <= height - 1 && xHigh <= width - 1)
    v4 = plane[yHigh * width + xHigh];
  return hy * hx * v1 + hy * lx * v2 + ly * hx * v3 + ly * lx * v4;
}

Tensor deformConv2d(const Tensor &input, const Tensor &offset,
                    const Tensor &filter, const Tensor *mask,
                    const Tensor *bias, const ConvParams &p,
                    int64_t offsetGroups) {
  require(input.rank() == 4 && filter.rank() == 4 && offset.rank() == 4,
          "deform_conv2d ranks");
  int64_t n = input.dim(0), c = input.dim(1), h = input.dim(2),
          w = input.dim(3);
  int64_t o = filter.dim(0), cg = filter.dim(1), kh = filter.dim(2),
          kw = filter.dim(3);
  require(c % p.groups == 0 && o % p.groups == 0 && cg == c / p.groups,
          "deform_conv2d groups");
  require(c % offsetGroups == 0, "deform_conv2d offset groups");
  int64_t og = o / p.groups;
  int64_t ho = convOutputSize(h, kh, p.padding[0], p.padding[2], p.strides[0],
                              p.dilations[0]);
  int64_t wo = convOutputSize(w, kw, p.padding[1], p.padding[3], p.strides[1],
                              p.dilations[1]);
  require(offset.shape == Shape({n, 2 * offsetGroups * kh * kw, ho, wo}),
          "deform_conv2d offset shape");
  require(!mask || mask->shape == Shape({n, offsetGroups * kh * kw, ho, wo}),
          "deform_conv2d mask shape");
  require(!bias || bias->size() == o, "deform_conv2d bias");
  int64_t channelsPerOffsetGroup = c / offsetGroups;
  Tensor out({n, o, ho, wo});
  for (int64_t b = 0; b < n; ++b)
    for (int64_t oc = 0; oc < o; ++oc) {
      int64_t g = oc / og;
      for (int64_t y = 0; y < ho; ++y)
        for (int64_t x = 0; x < wo; ++x) {
          double acc = bias ? bias->data[oc] : 0.0;
          for (int64_t icg = 0; icg < cg; ++icg) {
            int64_t ic = g * cg + icg;
            int64_t offsetGroup = ic / channelsPerOffsetGroup;
            const float *plane = &input.data[(b * c + ic) * h * w];
            for (int64_t i = 0; i < kh; ++i)
              for (int64_t j = 0; j < kw; ++j) {
                int64_t tap = offsetGroup * kh * kw + i * kw + j;
                float dy = offset.at(b, 2 * tap, y, x);
                float dx = offset.at(b, 2 * tap + 1, y, x);
                // As torchvision: an integer base position plus a float
                // offset, in float.
                float sy = static_cast<float>(y * p.strides[0] - p.padding[0] +
                                              i * p.dilations[0]) +
                           dy;
                float sx = static_cast<float>(x * p.strides[1] - p.padding[1] +
                                              j * p.dilations[1]) +
                           dx;
                double value = bilinearInterpolate(plane, h, w, sy, sx);
                if (mask)
                  value *= mask->at(b, tap, y, x);
                acc += value * filter.at(oc, icg, i, j);
              }
          }
          out.at(b, oc, y, x) = static_cast<float>(acc);
        }
    }
  return out;
}

Tensor dense(const Tensor &input, const Tensor &weight, const Tensor *bias) {
  require(input.rank() == 2 && weight.rank() == 2 &&
              input.dim(1) == weight.dim(1),
          "dense shapes");
  int64_t n = input.dim(0), k = input.dim(1), o = weight.dim(0);
  require(!bias || bias->size() == o, "dense bias");
  Tensor out({n, o});
  for (int64_t b = 0; b < n; ++b)
    for (int64_t oc = 0; oc < o; ++oc) {
      double acc = bias ? bias->data[oc] : 0.0;
      for (int64_t i = 0; i < k; ++i)
        acc += static_cast<double>(input.data[b * k + i]) *
               weight.data[oc * k + i];
      out.data[b * o + oc] = static_cast<float>(acc);
    }
  return out;
}

//===----------------------------------------------------------------------===//
// Normalization and element-wise activations.
//===----------------------------------------------------------------------===//

Tensor batchNorm(const Tensor &input, const Tensor &mean,
                 const Tensor &variance, const Tensor *scale,
                 const Tensor *shift, double epsilon) {
  require(input.rank() >= 2, "batch_norm rank");
  int64_t c = input.dim(1);
  require(mean.size() == c && variance.size() == c &&
              (!scale || scale->size() == c) && (!shift || shift->size() == c),
          "batch_norm parameters");
  Tensor out(input.shape);
  for (int64_t i = 0; i < input.size(); ++i) {
    int64_t ch = channelOf(input.shape, i);
    double y = (static_cast<double>(input.data[i]) - mean.data[ch]) /
               std::sqrt(static_cast<double>(variance.data[ch]) + epsilon);
    if (scale)
      y *= scale->data[ch];
    if (shift)
      y += shift->data[ch];
    out.data[i] = static_cast<float>(y);
  }
  return out;
}

Tensor relu(const Tensor &x) {
  return map(x, [](double v) { return v > 0 ? v : 0.0; });
}

Tensor relu6(const Tensor &x) {
  return map(x, [](double v) { return std::min(std::max(v, 0.0), 6.0); });
}

Tensor clip(const Tensor &x, double min, double max) {
  double lo = static_cast<float>(min), hi = static_cast<float>(max);
  return map(x, [&](double v) { return std::min(std::max(v, lo), hi); });
}

Tensor leakyRelu(const Tensor &x, double negativeSlope) {
  double slope = static_cast<float>(negativeSlope);
  return map(x, [&](double v) { return v > 0 ? v : v * slope; });
}

Tensor prelu(const Tensor &x, const Tensor &slope) {
  require(slope.rank() == 1, "prelu slope rank");
  bool shared = slope.size() == 1;
  require(shared || (x.rank() >= 2 && slope.size() == x.dim(1)),
          "prelu slope size");
  Tensor out(x.shape);
  for (int64_t i = 0; i < x.size(); ++i) {
    double v = x.data[i];
    double a = slope.data[shared ? 0 : channelOf(x.shape, i)];
    out.data[i] = static_cast<float>(v > 0 ? v : a * v);
  }
  return out;
}

Tensor sigmoid(const Tensor &x) {
  return map(x, [](double v) { return 1.0 / (1.0 + std::exp(-v)); });
}

Tensor hardSigmoid(const Tensor &x) {
  return map(
      x, [](double v) { return std::min(std::max(v + 3.0, 0.0), 6.0) / 6.0; });
}

Tensor hardSwish(const Tensor &x) {
  return map(x, [](double v) {
    return v * std::min(std::max(v + 3.0, 0.0), 6.0) / 6.0;
  });
}

Tensor silu(const Tensor &x) {
  return map(x, [](double v) { return v / (1.0 + std::exp(-v)); });
}

Tensor tanh(const Tensor &x) {
  return map(x, [](double v) { return std::tanh(v); });
}

//===----------------------------------------------------------------------===//
// Pooling.
//===----------------------------------------------------------------------===//

Tensor maxPool2d(const Tensor &input, const PoolParams &p) {
  require(input.rank() == 4, "max_pool2d rank");
  int64_t n = input.dim(0), c = input.dim(1), h = input.dim(2),
          w = input.dim(3);
  int64_t ho = poolOutputSize(h, p.kernel[0], p.padding[0], p.padding[2],
                              p.strides[0], p.dilations[0], p.ceilMode);
  int64_t wo = poolOutputSize(w, p.kernel[1], p.padding[1], p.padding[3],
                              p.strides[1], p.dilations[1], p.ceilMode);
  require(ho > 0 && wo > 0, "max_pool2d output size");
  Tensor out({n, c, ho, wo});
  for (int64_t b = 0; b < n; ++b)
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t y = 0; y < ho; ++y)
        for (int64_t x = 0; x < wo; ++x) {
          float m = -std::numeric_limits<float>::infinity();
          for (int64_t i = 0; i < p.kernel[0]; ++i)
            for (int64_t j = 0; j < p.kernel[1]; ++j) {
              int64_t iy = y * p.strides[0] - p.padding[0] + i * p.dilations[0];
              int64_t ix = x * p.strides[1] - p.padding[1] + j * p.dilations[1];
              if (iy < 0 || iy >= h || ix < 0 || ix >= w)
                continue; // -inf padding
              m = std::max(m, input.at(b, ch, iy, ix));
            }
          out.at(b, ch, y, x) = m;
        }
  return out;
}

Tensor avgPool2d(const Tensor &input, const PoolParams &p, bool countIncludePad,
                 std::optional<int64_t> divisorOverride) {
  require(input.rank() == 4, "avg_pool2d rank");
  require(p.dilations[0] == 1 && p.dilations[1] == 1, "avg_pool2d dilation");
  int64_t n = input.dim(0), c = input.dim(1), h = input.dim(2),
          w = input.dim(3);
  int64_t ho = poolOutputSize(h, p.kernel[0], p.padding[0], p.padding[2],
                              p.strides[0], 1, p.ceilMode);
  int64_t wo = poolOutputSize(w, p.kernel[1], p.padding[1], p.padding[3],
                              p.strides[1], 1, p.ceilMode);
  require(ho > 0 && wo > 0, "avg_pool2d output size");
  Tensor out({n, c, ho, wo});
  for (int64_t b = 0; b < n; ++b)
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t y = 0; y < ho; ++y)
        for (int64_t x = 0; x < wo; ++x) {
          int64_t y0 = y * p.strides[0] - p.padding[0];
          int64_t x0 = x * p.strides[1] - p.padding[1];
          int64_t y1 = std::min(y0 + p.kernel[0], h + p.padding[2]);
          int64_t x1 = std::min(x0 + p.kernel[1], w + p.padding[3]);
          int64_t poolSize = (y1 - y0) * (x1 - x0);
          y0 = std::max<int64_t>(y0, 0);
          x0 = std::max<int64_t>(x0, 0);
          y1 = std::min(y1, h);
          x1 = std::min(x1, w);
          if (y0 >= y1 || x0 >= x1) {
            out.at(b, ch, y, x) = 0.0f;
            continue;
          }
          double sum = 0;
          for (int64_t iy = y0; iy < y1; ++iy)
            for (int64_t ix = x0; ix < x1; ++ix)
              sum += input.at(b, ch, iy, ix);
          int64_t divisor = divisorOverride   ? *divisorOverride
                            : countIncludePad ? poolSize
                                              : (y1 - y0) * (x1 - x0);
          out.at(b, ch, y, x) = static_cast<float>(sum / divisor);
        }
  return out;
}

Tensor globalAvgPool(const Tensor &input) {
  require(input.rank() == 4, "global_avg_pool rank");
  int64_t n = input.dim(0), c = input.dim(1), h = input.dim(2),
          w = input.dim(3);
  Tensor out({n, c, 1, 1});
  for (int64_t b = 0; b < n; ++b)
    for (int64_t ch = 0; ch < c; ++ch) {
      double sum = 0;
      for (int64_t y = 0; y < h; ++y)
        for (int64_t x = 0; x < w; ++x)
          sum += input.at(b, ch, y, x);
      out.at(b, ch, 0, 0) = static_cast<float>(sum / (h * w));
    }
  return out;
}

//===----------------------------------------------------------------------===//
// Softmax, shapes and data movement.
//===----------------------------------------------------------------------===//

Tensor softmax(const Tensor &x, int64_t axis) {
  int64_t rank = std::max<int64_t>(x.rank(), 1);
  if (axis < 0)
    axis += rank;
  require(axis >= 0 && axis < rank, "softmax axis");
  if (x.rank() == 0)
    return Tensor(x.shape, 1.0f);
  int64_t outer = product(x.shape, 0, axis), dim = x.shape[axis],
          inner = product(x.shape, axis + 1, x.shape.size());
  Tensor out(x.shape);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      auto index = [&](int64_t k) { return (o * dim + k) * inner + i; };
      double m = -std::numeric_limits<double>::infinity();
      for (int64_t k = 0; k < dim; ++k)
        m = std::max(m, static_cast<double>(x.data[index(k)]));
      double sum = 0;
      for (int64_t k = 0; k < dim; ++k)
        sum += std::exp(x.data[index(k)] - m);
      for (int64_t k = 0; k < dim; ++k)
        out.data[index(k)] =
            static_cast<float>(std::exp(x.data[index(k)] - m) / sum);
    }
  return out;
}

Tensor flatten(const Tensor &x, int64_t startDim, int64_t endDim) {
  if (x.rank() == 0) {
    require(startDim >= -1 && startDim <= 0 && endDim >= -1 && endDim <= 0,
            "flatten dims of a scalar");
    return reshape(x, {1});
  }
  int64_t rank = x.rank();
  if (startDim < 0)
    startDim += rank;
  if (endDim < 0)
    endDim += rank;
  require(0 <= startDim && startDim <= endDim && endDim < rank, "flatten dims");
  Shape shape(x.shape.begin(), x.shape.begin() + startDim);
  shape.push_back(product(x.shape, startDim, endDim + 1));
  shape.insert(shape.end(), x.shape.begin() + endDim + 1, x.shape.end());
  return reshape(x, shape);
}

Tensor reshape(const Tensor &x, const Shape &shape) {
  require(numElements(shape) == x.size(), "reshape element count");
  Tensor out = x;
  out.shape = shape;
  return out;
}

Tensor concat(const std::vector<const Tensor *> &inputs) {
  require(!inputs.empty() && inputs[0]->rank() >= 2, "concat inputs");
  Shape shape = inputs[0]->shape;
  shape[1] = 0;
  for (const Tensor *t : inputs) {
    require(t->rank() == inputs[0]->rank(), "concat ranks");
    for (int64_t d = 0; d < t->rank(); ++d)
      require(d == 1 || t->shape[d] == inputs[0]->shape[d], "concat sizes");
    shape[1] += t->shape[1];
  }
  int64_t inner = product(shape, 2, shape.size());
  Tensor out(shape);
  int64_t pos = 0;
  for (int64_t b = 0; b < shape[0]; ++b)
    for (const Tensor *t : inputs) {
      int64_t block = t->shape[1] * inner;
      std::copy_n(t->data.begin() + b * block, block, out.data.begin() + pos);
      pos += block;
    }
  return out;
}

Tensor slice(const Tensor &x, int64_t offset, int64_t size) {
  require(x.rank() >= 2 && offset >= 0 && size > 0 && offset + size <= x.dim(1),
          "slice range");
  Shape shape = x.shape;
  shape[1] = size;
  int64_t inner = product(shape, 2, shape.size());
  Tensor out(shape);
  for (int64_t b = 0; b < shape[0]; ++b)
    for (int64_t ch = 0; ch < size; ++ch)
      for (int64_t i = 0; i < inner; ++i)
        out.data[(b * size + ch) * inner + i] =
            x.data[(b * x.dim(1) + offset + ch) * inner + i];
  return out;
}

Tensor channelShuffle(const Tensor &x, int64_t groups) {
  require(x.rank() >= 2 && groups > 0 && x.dim(1) % groups == 0,
          "channel_shuffle groups");
  int64_t c = x.dim(1), perGroup = c / groups;
  int64_t inner = product(x.shape, 2, x.shape.size());
  Tensor out(x.shape);
  for (int64_t b = 0; b < x.dim(0); ++b)
    for (int64_t i = 0; i < groups; ++i)
      for (int64_t k = 0; k < perGroup; ++k)
        for (int64_t e = 0; e < inner; ++e)
          out.data[(b * c + k * groups + i) * inner + e] =
              x.data[(b * c + i * perGroup + k) * inner + e];
  return out;
}

Shape broadcastShapes(const Shape &a, const Shape &b) {
  size_t rank = std::max(a.size(), b.size());
  Shape shape(rank);
  for (size_t k = 0; k < rank; ++k) {
    int64_t da = k < a.size() ? a[a.size() - 1 - k] : 1;
    int64_t db = k < b.size() ? b[b.size() - 1 - k] : 1;
    require(da == db || da == 1 || db == 1, "broadcastable shapes");
    shape[rank - 1 - k] = da == 1 ? db : da;
  }
  return shape;
}

Tensor add(const Tensor &a, const Tensor &b) {
  return broadcastBinary(a, b, [](double x, double y) { return x + y; });
}

Tensor mul(const Tensor &a, const Tensor &b) {
  return broadcastBinary(a, b, [](double x, double y) { return x * y; });
}

Tensor sub(const Tensor &a, const Tensor &b) {
  return broadcastBinary(a, b, [](double x, double y) { return x - y; });
}

Tensor div(const Tensor &a, const Tensor &b) {
  return broadcastBinary(a, b, [](double x, double y) { return x / y; });
}

Tensor transpose(const Tensor &x, const Shape &permutation) {
  size_t rank = x.shape.size();
  require(permutation.size() == rank, "a permutation of every dimension");
  Shape shape(rank), strides(rank, 1);
  for (size_t d = rank; d-- > 1;)
    strides[d - 1] = strides[d] * x.shape[d];
  for (size_t d = 0; d < rank; ++d)
    shape[d] = x.shape[permutation[d]];
  Tensor out(shape);
  std::vector<int64_t> index(rank, 0);
  for (int64_t i = 0; i < out.size(); ++i) {
    int64_t source = 0;
    for (size_t d = 0; d < rank; ++d)
      source += index[d] * strides[permutation[d]];
    out.data[i] = x.data[source];
    for (size_t d = rank; d-- > 0;) {
      if (++index[d] < shape[d])
        break;
      index[d] = 0;
    }
  }
  return out;
}

} // namespace cnnc::reference
