//===- Harness.h - compile, JIT and compare one cnn op ----------*- C++ -*-===//
//
// A numeric test case is a module with one function, @main, that applies one
// cnn op to its tensor arguments (weights included) and returns the result,
// together with the argument values and the reference result. The harness
// lowers the module with a pipeline (cnnc::buildCNNToLLVMPipeline), JITs it
// with mlir::ExecutionEngine at a given optimization level, calls
// _mlir_ciface_main with one memref descriptor per argument plus one for the
// result (an out-parameter), and measures the relative L2 error against the
// reference.
//
// Every call runs in a forked child process, so that a crash or a hang of the
// generated code fails that case alone and the suite goes on.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_TESTS_NUMERIC_HARNESS_H
#define CNNC_TESTS_NUMERIC_HARNESS_H

#include "Reference.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/Pass/PassManager.h"

#include <array>
#include <cstdint>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace cnnc {
struct PipelineOptions;
} // namespace cnnc

namespace cnnc::numeric {

using reference::Shape;
using reference::Tensor;

/// The relative L2 error every case must stay within, at every level.
constexpr double kTolerance = 1e-5;

/// Deterministic draws (std::mt19937_64 is specified bit for bit, unlike the
/// standard distributions).
class Random {
public:
  explicit Random(uint64_t seed) : engine(seed) {}

  /// Uniform in [lo, hi) on a grid of 2^-24 of the range; never exactly 0.
  float uniform(float lo, float hi);
  /// Uniform in [lo, hi], inclusive.
  int64_t integer(int64_t lo, int64_t hi);
  bool coin() { return integer(0, 1) == 1; }
  /// A tensor whose elements are uniform in [lo, hi) and never 0.
  Tensor tensor(const Shape &shape, float lo = -1.0f, float hi = 1.0f);

private:
  std::mt19937_64 engine;
};

/// `tensor<2x3xf32>` (`tensor<f32>` for a scalar).
std::string tensorType(const Shape &shape);
/// `[1, 2, 3]`.
std::string list(const std::vector<int64_t> &values);
template <size_t N> std::string list(const std::array<int64_t, N> &values) {
  return list(std::vector<int64_t>(values.begin(), values.end()));
}
/// A double that parses back to itself, e.g. `1.0000000000000000e-02`, or
/// the bits of an infinity.
std::string number(double value);
/// An integer for a label, e.g. `12`.
std::string str(int64_t value);
/// A shape for a label: `2x3x4`, or `scalar`.
std::string dims(const Shape &shape);
/// A number for a label, e.g. `0.5`.
std::string shortNumber(double value);

using Pair = std::array<int64_t, 2>;
using Quad = std::array<int64_t, 4>;
constexpr double kInf = std::numeric_limits<double>::infinity();

/// One module with one op to check.
struct Case {
  std::string label;        // what the case exercises, in words
  std::vector<Tensor> args; // @main's arguments, in order
  std::string op;           // the op's text, e.g. `cnn.relu %arg0 : ...`
  Tensor expected;          // the reference result
  std::string text;         // when not empty, the whole module (hand-written
                            // IR for the harness's own checks)
  std::vector<std::string> prelude; // ops before `op` (parameters' values)

  /// The whole module: @main(args) -> result { %0 = op; return %0 }, with
  /// llvm.emit_c_interface.
  std::string module() const;
};

/// Builds a case: names each argument as it is added.
class CaseBuilder {
public:
  explicit CaseBuilder(std::string label) { c.label = std::move(label); }

  /// Adds an argument and returns its SSA name (`%argN`).
  std::string arg(const Tensor &value);
  /// Adds a parameter whose value is part of the module (a `cnn.weight`
  /// with a value, which the pipelines see as a constant) and returns its
  /// SSA name (`%paramN`).
  std::string constant(const Tensor &value);
  /// `(T0, T1, ...) -> R` over the operands (arguments and constants)
  /// added so far, in order.
  std::string functionalType(const Shape &result) const;
  /// `T0` for the argument named `name`.
  std::string typeOf(const std::string &name) const;
  Case finish(std::string op, Tensor expected);

private:
  Case c;
  std::vector<Shape> operands;
};

/// The pipeline options of a layout the cases run in: `block` 0 for NCHW,
/// else the channel-blocked layout with `block` lanes (8: AVX2's vectors
/// and 16 registers; 16: AVX-512's and 32).
void setLayoutOptions(cnnc::PipelineOptions &options, int64_t block);

/// The smallest input size along one axis whose padded size fits the dilated
/// kernel, plus a random 0 to `extra`.
int64_t fittingSize(Random &r, int64_t kernel, int64_t dilation,
                    int64_t padBegin, int64_t padEnd, int64_t extra);

/// A convolution's parameters (padding: top, left, bottom, right).
reference::ConvParams conv(Pair strides, Quad padding, Pair dilations,
                           int64_t groups);

/// A pool's parameters, and their text as cnn.max_pool2d / avg_pool2d
/// attributes (` kernel [..] stride [..] pad [..]`, with ` dilation [..]`
/// when `dilation`, and ` ceil_mode`).
reference::PoolParams pool(std::array<int64_t, 2> kernel,
                           std::array<int64_t, 2> strides,
                           std::array<int64_t, 4> padding,
                           std::array<int64_t, 2> dilations, bool ceilMode);
std::string poolAttributes(const reference::PoolParams &p, bool dilation);

/// A tensor's values as a hexadecimal dense literal, `dense<"0x...">`.
std::string denseHex(const Tensor &t);

/// The error of one run, or why there is none.
struct Measurement {
  std::string failure;        // empty when the code ran and produced a result
  double relativeError = 0;   // ||got - expected|| / ||expected||
  std::string worst;          // the element furthest from the reference
  bool inputsWritten = false; // the code wrote into an argument's buffer
};

/// What happened to one case at each optimization level.
struct Outcome {
  std::string failure; // parse, pipeline or signature failure; else empty
  std::vector<std::pair<unsigned, Measurement>> levels;
};

using PipelineBuilder = std::function<void(mlir::OpPassManager &)>;

/// Owns the MLIRContext (cnn, the dialects of the pipelines, and the LLVM IR
/// translations) and runs cases.
class Runner {
public:
  Runner();

  /// Parses `c.module()`, lowers it with `pipeline`, and for each level JITs
  /// it (jitCodeGenOptLevel = level, LLVM IR optimized at that level), runs
  /// it and compares its result with `c.expected`.
  Outcome run(const Case &c, const PipelineBuilder &pipeline,
              const std::vector<unsigned> &levels = {0, 3});

  mlir::MLIRContext &getContext() { return context; }

private:
  mlir::MLIRContext context;
};

/// The runner shared by every test of the binary.
Runner &runner();

/// Runs `c` through cnnc::buildCNNToLLVMPipeline at -O0 and -O3, in NCHW and
/// in the channel-blocked layout with 8 and 16 lanes, and reports it to
/// Catch2: a failure names the case and the layout, prints its module and
/// says what went wrong.
void check(const Case &c, double tolerance = kTolerance);

} // namespace cnnc::numeric

#endif // CNNC_TESTS_NUMERIC_HARNESS_H
