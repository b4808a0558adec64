//===- Reference.h - naive reference implementations of the cnn ops -------===//
//
// Plain loops over row-major (NCHW) float arrays, accumulating in double, that
// follow PyTorch (and torchvision for deform_conv2d) to the letter. They are
// the oracle of the numeric tests: slow, obvious, and independent of the
// lowering they check. Shapes are assumed valid (the dialect's verifiers check
// them); a violated precondition aborts.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_TESTS_NUMERIC_REFERENCE_H
#define CNNC_TESTS_NUMERIC_REFERENCE_H

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cnnc::reference {

using Shape = std::vector<int64_t>;

/// The number of elements of a tensor of this shape (1 for a scalar).
int64_t numElements(const Shape &shape);

/// "2x3x4" (empty for a scalar).
std::string shapeToString(const Shape &shape);

/// A dense row-major tensor of floats.
struct Tensor {
  Shape shape;
  std::vector<float> data;

  Tensor() = default;
  explicit Tensor(Shape shape, float fill = 0.0f);

  int64_t size() const { return static_cast<int64_t>(data.size()); }
  int64_t dim(int64_t i) const { return shape[i]; }
  int64_t rank() const { return static_cast<int64_t>(shape.size()); }
  /// Element [n, c, h, w] of a 4-D tensor.
  float at(int64_t n, int64_t c, int64_t h, int64_t w) const {
    return data[((n * shape[1] + c) * shape[2] + h) * shape[3] + w];
  }
  float &at(int64_t n, int64_t c, int64_t h, int64_t w) {
    return data[((n * shape[1] + c) * shape[2] + h) * shape[3] + w];
  }
};

/// Window attributes of convolutions: strides and dilations are (h, w),
/// padding is (top, left, bottom, right).
struct ConvParams {
  std::array<int64_t, 2> strides{1, 1};
  std::array<int64_t, 4> padding{0, 0, 0, 0};
  std::array<int64_t, 2> dilations{1, 1};
  int64_t groups = 1;
};

/// Window attributes of pooling, as for convolutions plus the kernel size and
/// ceil_mode (dilations are 1 for average pooling).
struct PoolParams {
  std::array<int64_t, 2> kernel{1, 1};
  std::array<int64_t, 2> strides{1, 1};
  std::array<int64_t, 4> padding{0, 0, 0, 0};
  std::array<int64_t, 2> dilations{1, 1};
  bool ceilMode = false;
};

//===----------------------------------------------------------------------===//
// Output sizes.
//===----------------------------------------------------------------------===//

/// floor((in + padBegin + padEnd - dilation * (kernel - 1) - 1) / stride) + 1.
int64_t convOutputSize(int64_t in, int64_t kernel, int64_t padBegin,
                       int64_t padEnd, int64_t stride, int64_t dilation);

/// ATen's pooling_output_shape_pad_lr: the convolution size, rounded up in
/// ceil mode, minus a last window that would start at or after in + padBegin.
int64_t poolOutputSize(int64_t in, int64_t kernel, int64_t padBegin,
                       int64_t padEnd, int64_t stride, int64_t dilation,
                       bool ceilMode);

//===----------------------------------------------------------------------===//
// Convolutions and dense layers.
//===----------------------------------------------------------------------===//

/// torch.nn.functional.conv2d (cross-correlation) with zero padding
/// (top, left, bottom, right), groups and an optional bias:
/// out[n,o,y,x] = b[o] + sum_{c,i,j} in[n, g*C/G + c, y*s - pt + i*d,
/// x*s - pl + j*d] * w[o,c,i,j], g = o / (O/G).
Tensor conv2d(const Tensor &input, const Tensor &filter, const Tensor *bias,
              const ConvParams &params);

/// torchvision's bilinear_interpolate on one HxW plane: 0 when y <= -1,
/// y >= height, x <= -1 or x >= width, otherwise the bilinear mix of the four
/// neighbours, each neighbour outside the plane counting as 0.
double bilinearInterpolate(const float *plane, int64_t height, int64_t width,
                           float y, float x);

/// torchvision.ops.deform_conv2d: conv2d whose tap (i, j) of output (y, x)
/// reads input channel c at (y*s - pt + i*d + dy, x*s - pl + j*d + dx) by
/// bilinearInterpolate, (dy, dx) = offset[n, 2*(g*KH*KW + i*KW + j) + {0, 1},
/// y, x] with g = c / (C / offsetGroups), scaled by mask[n, g*KH*KW + i*KW +
/// j, y, x] when a mask is given.
Tensor deformConv2d(const Tensor &input, const Tensor &offset,
                    const Tensor &filter, const Tensor *mask,
                    const Tensor *bias, const ConvParams &params,
                    int64_t offsetGroups);

/// torch.nn.functional.linear: out[n,o] = b[o] + sum_k in[n,k] * w[o,k].
Tensor dense(const Tensor &input, const Tensor &weight, const Tensor *bias);

//===----------------------------------------------------------------------===//
// Normalization and element-wise activations.
//===----------------------------------------------------------------------===//

/// batch_norm(training=False): (x - mean[c]) / sqrt(var[c] + eps) *
/// scale[c] + shift[c] along dimension 1; scale 1 and shift 0 when absent.
Tensor batchNorm(const Tensor &input, const Tensor &mean,
                 const Tensor &variance, const Tensor *scale,
                 const Tensor *shift, double epsilon);

/// relu: max(x, 0).
Tensor relu(const Tensor &x);
/// relu6: min(max(x, 0), 6).
Tensor relu6(const Tensor &x);
/// clamp(x, min, max) = min(max(x, min), max), bounds rounded to float as
/// PyTorch does for a float tensor.
Tensor clip(const Tensor &x, double min, double max);
/// leaky_relu: x >= 0 ? x : slope * x (slope rounded to float).
Tensor leakyRelu(const Tensor &x, double negativeSlope);
/// prelu: x >= 0 ? x : slope[c] * x with c the index along dimension 1, or
/// the single slope when slope has one element.
Tensor prelu(const Tensor &x, const Tensor &slope);
/// sigmoid: 1 / (1 + exp(-x)).
Tensor sigmoid(const Tensor &x);
/// hardsigmoid: min(max(x + 3, 0), 6) / 6.
Tensor hardSigmoid(const Tensor &x);
/// hardswish: x * min(max(x + 3, 0), 6) / 6.
Tensor hardSwish(const Tensor &x);
/// silu: x / (1 + exp(-x)).
Tensor silu(const Tensor &x);
/// tanh.
Tensor tanh(const Tensor &x);

//===----------------------------------------------------------------------===//
// Pooling.
//===----------------------------------------------------------------------===//

/// max_pool2d: the maximum over the window taps (y*s - pt + i*d,
/// x*s - pl + j*d) that fall inside the input (padding counts as -inf);
/// output size by poolOutputSize.
Tensor maxPool2d(const Tensor &input, const PoolParams &params);

/// avg_pool2d as ATen's CPU kernel: the window [y*s - pt, y*s - pt + KH) is
/// clamped to end at H + pb, pool_size is its area, it is then clamped to the
/// input and the sum over it is divided by divisorOverride if given, else
/// pool_size with countIncludePad, else the clamped area.
Tensor avgPool2d(const Tensor &input, const PoolParams &params,
                 bool countIncludePad, std::optional<int64_t> divisorOverride);

/// adaptive_avg_pool2d(x, 1): the mean of each [H, W] plane, [N, C, 1, 1].
Tensor globalAvgPool(const Tensor &input);

//===----------------------------------------------------------------------===//
// Softmax, shapes and data movement.
//===----------------------------------------------------------------------===//

/// softmax along axis (negative counts from the end): exp(x - max) /
/// sum(exp(x - max)) over that dimension.
Tensor softmax(const Tensor &x, int64_t axis);

/// torch.flatten(x, start, end): same data, dimensions start..end merged
/// (negative values count from the end; a scalar becomes [1]).
Tensor flatten(const Tensor &x, int64_t startDim, int64_t endDim);

/// reshape: same data in row-major order, new shape.
Tensor reshape(const Tensor &x, const Shape &shape);

/// torch.cat(inputs, dim=1).
Tensor concat(const std::vector<const Tensor *> &inputs);

/// x[:, offset:offset + size].
Tensor slice(const Tensor &x, int64_t offset, int64_t size);

/// nn.ChannelShuffle: output channel k * groups + i is input channel
/// i * (C / groups) + k.
Tensor channelShuffle(const Tensor &x, int64_t groups);

/// NumPy broadcasting of two shapes (aligned at the trailing dimension).
Shape broadcastShapes(const Shape &a, const Shape &b);

/// a + b with NumPy broadcasting.
Tensor add(const Tensor &a, const Tensor &b);

/// a * b with NumPy broadcasting.
Tensor mul(const Tensor &a, const Tensor &b);

/// a - b and a / b with NumPy broadcasting.
Tensor sub(const Tensor &a, const Tensor &b);
Tensor div(const Tensor &a, const Tensor &b);

/// x.permute(permutation).
Tensor transpose(const Tensor &x, const Shape &permutation);

} // namespace cnnc::reference

#endif // CNNC_TESTS_NUMERIC_REFERENCE_H
