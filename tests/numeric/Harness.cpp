//===- Harness.cpp - compile, JIT and compare one cnn op ------------------===//

#include "Harness.h"

#include "cnnc/Compiler/CompileOptions.h"
#include "cnnc/Compiler/Pipelines.h"
#include "cnnc/Dialect/CNNDialect.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMTypes.h"
#include "mlir/ExecutionEngine/CRunnerUtils.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace mlir;

namespace cnnc::numeric {

//===----------------------------------------------------------------------===//
// Random draws and text.
//===----------------------------------------------------------------------===//

float Random::uniform(float lo, float hi) {
  for (;;) {
    double unit = static_cast<double>(engine() >> 40) * 0x1p-24;
    float value = static_cast<float>(lo + (hi - lo) * unit);
    if (value != 0.0f)
      return value;
  }
}

int64_t Random::integer(int64_t lo, int64_t hi) {
  return lo +
         static_cast<int64_t>(engine() % static_cast<uint64_t>(hi - lo + 1));
}

Tensor Random::tensor(const Shape &shape, float lo, float hi) {
  Tensor t(shape);
  for (float &v : t.data)
    v = uniform(lo, hi);
  return t;
}

std::string tensorType(const Shape &shape) {
  std::string dims = reference::shapeToString(shape);
  return "tensor<" + (dims.empty() ? "" : dims + "x") + "f32>";
}

std::string list(const std::vector<int64_t> &values) {
  std::string result = "[";
  for (size_t i = 0; i < values.size(); ++i)
    result += (i ? ", " : "") + std::to_string(values[i]);
  return result + "]";
}

std::string number(double value) {
  // MLIR spells infinities by their bits.
  if (std::isinf(value))
    return value > 0 ? "0x7FF0000000000000" : "0xFFF0000000000000";
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%.17e", value);
  return buffer;
}

std::string Case::module() const {
  if (!text.empty())
    return text;
  std::string result = "func.func @main(";
  for (size_t i = 0; i < args.size(); ++i)
    result += (i ? ", " : "") + ("%arg" + std::to_string(i)) + ": " +
              tensorType(args[i].shape);
  std::string type = tensorType(expected.shape);
  result += ") -> " + type + " attributes {llvm.emit_c_interface} {\n";
  for (const std::string &line : prelude)
    result += "  " + line + "\n";
  result += "  %0 = " + op + "\n";
  result += "  return %0 : " + type + "\n}\n";
  return result;
}

std::string CaseBuilder::arg(const Tensor &value) {
  c.args.push_back(value);
  operands.push_back(value.shape);
  return "%arg" + std::to_string(c.args.size() - 1);
}

std::string CaseBuilder::constant(const Tensor &value) {
  std::string name = "%param" + std::to_string(c.prelude.size());
  c.prelude.push_back(name + " = cnn.weight \"" + name.substr(1) + "\" = " +
                      denseHex(value) + " : " + tensorType(value.shape));
  operands.push_back(value.shape);
  return name;
}

std::string CaseBuilder::functionalType(const Shape &result) const {
  std::string text = "(";
  for (size_t i = 0; i < operands.size(); ++i)
    text += (i ? ", " : "") + tensorType(operands[i]);
  return text + ") -> " + tensorType(result);
}

std::string denseHex(const Tensor &t) {
  static const char digits[] = "0123456789ABCDEF";
  const auto *bytes = reinterpret_cast<const unsigned char *>(t.data.data());
  std::string text = "dense<\"0x";
  for (size_t i = 0; i < t.data.size() * sizeof(float); ++i) {
    text += digits[bytes[i] >> 4];
    text += digits[bytes[i] & 15];
  }
  return text + "\">";
}

std::string CaseBuilder::typeOf(const std::string &name) const {
  size_t index = std::stoul(name.substr(4));
  return tensorType(c.args.at(index).shape);
}

Case CaseBuilder::finish(std::string op, Tensor expected) {
  c.op = std::move(op);
  c.expected = std::move(expected);
  return c;
}

//===----------------------------------------------------------------------===//
// Running the generated code.
//===----------------------------------------------------------------------===//

namespace {

/// Floats past the end of every buffer that the generated code must leave
/// alone.
constexpr size_t kGuard = 64;
constexpr uint32_t kCanary = 0x7fc0dead; // a NaN no computation produces
/// Seconds a call may run before it counts as hung.
constexpr unsigned kCallTimeout = 60;

/// A buffer of floats shared with the forked child that runs the code.
class SharedBuffer {
public:
  explicit SharedBuffer(size_t count) : count(count) {
    bytes = (count + kGuard) * sizeof(float);
    void *memory = mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                        MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) {
      std::perror("mmap");
      std::abort();
    }
    data = static_cast<float *>(memory);
    for (size_t i = 0; i < kGuard; ++i)
      std::memcpy(&data[count + i], &kCanary, sizeof(float));
  }
  ~SharedBuffer() { munmap(data, bytes); }
  SharedBuffer(const SharedBuffer &) = delete;
  SharedBuffer &operator=(const SharedBuffer &) = delete;

  bool guardIntact() const {
    for (size_t i = 0; i < kGuard; ++i)
      if (std::memcmp(&data[count + i], &kCanary, sizeof(float)) != 0)
        return false;
    return true;
  }

  float *data;
  size_t count;

private:
  size_t bytes;
};

template <int Rank>
std::shared_ptr<void> descriptorOfRank(float *data, const Shape &shape) {
  auto descriptor = std::make_shared<StridedMemRefType<float, Rank>>();
  descriptor->basePtr = data;
  descriptor->data = data;
  descriptor->offset = 0;
  if constexpr (Rank > 0) {
    int64_t stride = 1;
    for (int k = Rank - 1; k >= 0; --k) {
      descriptor->sizes[k] = shape[k];
      descriptor->strides[k] = stride;
      stride *= shape[k];
    }
  }
  return descriptor;
}

/// A StridedMemRefType<float, rank> of an identity-layout buffer.
std::shared_ptr<void> descriptor(float *data, const Shape &shape) {
  switch (shape.size()) {
  case 0:
    return descriptorOfRank<0>(data, shape);
  case 1:
    return descriptorOfRank<1>(data, shape);
  case 2:
    return descriptorOfRank<2>(data, shape);
  case 3:
    return descriptorOfRank<3>(data, shape);
  case 4:
    return descriptorOfRank<4>(data, shape);
  case 5:
    return descriptorOfRank<5>(data, shape);
  case 6:
    return descriptorOfRank<6>(data, shape);
  }
  std::fprintf(stderr, "numeric tests: rank %zu is not supported\n",
               shape.size());
  std::abort();
}

std::string indexString(const Shape &shape, int64_t linear) {
  std::vector<int64_t> index(shape.size());
  for (size_t k = shape.size(); k-- > 0;) {
    index[k] = linear % shape[k];
    linear /= shape[k];
  }
  return list(index);
}

/// Runs `fn` in a child process on copies of the arguments and measures the
/// result against `c.expected`.
Measurement execute(void (*fn)(void **), const Case &c) {
  Measurement m;
  std::vector<std::unique_ptr<SharedBuffer>> buffers;
  for (const Tensor &arg : c.args) {
    buffers.push_back(std::make_unique<SharedBuffer>(arg.data.size()));
    std::copy(arg.data.begin(), arg.data.end(), buffers.back()->data);
  }
  buffers.push_back(std::make_unique<SharedBuffer>(c.expected.data.size()));
  SharedBuffer &result = *buffers.back();
  std::fill_n(result.data, result.count,
              std::numeric_limits<float>::quiet_NaN());

  std::vector<std::shared_ptr<void>> descriptors;
  for (size_t i = 0; i < c.args.size(); ++i)
    descriptors.push_back(descriptor(buffers[i]->data, c.args[i].shape));
  descriptors.push_back(descriptor(result.data, c.expected.shape));
  // _mlir__mlir_ciface_main(void **): each element points to one argument of
  // _mlir_ciface_main, itself a pointer to a descriptor.
  std::vector<void *> pointers, packed;
  for (auto &d : descriptors)
    pointers.push_back(d.get());
  for (void *&p : pointers)
    packed.push_back(&p);

  std::fflush(nullptr);
  pid_t pid = fork();
  if (pid < 0) {
    m.failure = std::string("fork failed: ") + std::strerror(errno);
    return m;
  }
  if (pid == 0) {
    // Catch2's handlers would report a crash of the child as the parent's.
    for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGALRM})
      std::signal(sig, SIG_DFL);
    alarm(kCallTimeout);
    fn(packed.data());
    _exit(0);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    m.failure = sig == SIGALRM
                    ? "the generated code did not return within " +
                          std::to_string(kCallTimeout) + " s"
                    : "the generated code crashed with signal " +
                          std::to_string(sig) + " (" + strsignal(sig) + ")";
    return m;
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    m.failure = "the child running the generated code exited with status " +
                std::to_string(WEXITSTATUS(status));
    return m;
  }
  for (size_t i = 0; i < buffers.size(); ++i)
    if (!buffers[i]->guardIntact()) {
      m.failure = "the generated code wrote past the end of " +
                  (i + 1 == buffers.size() ? std::string("the result buffer")
                                           : "argument " + std::to_string(i));
      return m;
    }
  for (size_t i = 0; i < c.args.size(); ++i)
    if (!std::equal(c.args[i].data.begin(), c.args[i].data.end(),
                    buffers[i]->data))
      m.inputsWritten = true;

  double num = 0, den = 0, worstDiff = -1;
  int64_t worstIndex = 0;
  for (size_t i = 0; i < result.count; ++i) {
    double got = result.data[i], want = c.expected.data[i];
    double diff = got == want ? 0.0 : std::fabs(got - want);
    if (std::isnan(diff))
      diff = std::numeric_limits<double>::infinity();
    num += diff * diff;
    den += want * want;
    if (diff > worstDiff) {
      worstDiff = diff;
      worstIndex = static_cast<int64_t>(i);
    }
  }
  m.relativeError = den > 0 ? std::sqrt(num) / std::sqrt(den) : std::sqrt(num);
  char buffer[160];
  std::snprintf(buffer, sizeof(buffer), "got %.9g, expected %.9g",
                result.data[worstIndex], c.expected.data[worstIndex]);
  m.worst = "at " + indexString(c.expected.shape, worstIndex) + ": " + buffer;
  return m;
}

llvm::CodeGenOptLevel codeGenLevel(unsigned level) {
  switch (level) {
  case 0:
    return llvm::CodeGenOptLevel::None;
  case 1:
    return llvm::CodeGenOptLevel::Less;
  case 2:
    return llvm::CodeGenOptLevel::Default;
  default:
    return llvm::CodeGenOptLevel::Aggressive;
  }
}

} // namespace

//===----------------------------------------------------------------------===//
// Runner.
//===----------------------------------------------------------------------===//

Runner::Runner() {
  DialectRegistry registry;
  registry.insert<cnn::CNNDialect>();
  cnnc::registerCompilerDependencies(registry);
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  context.appendDialectRegistry(registry);
  context.loadAllAvailableDialects();
  context.disableMultithreading();
}

Outcome Runner::run(const Case &c, const PipelineBuilder &pipeline,
                    const std::vector<unsigned> &levels) {
  Outcome outcome;
  std::string diagnostics;
  llvm::raw_string_ostream os(diagnostics);
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diagnostic) {
    os << diagnostic.getLocation() << ": " << diagnostic.str() << "\n";
    for (const Diagnostic &note : diagnostic.getNotes())
      os << "  note: " << note.str() << "\n";
    return success();
  });

  std::string text = c.module();
  OwningOpRef<ModuleOp> module =
      parseSourceString<ModuleOp>(text, ParserConfig(&context));
  if (!module) {
    outcome.failure = "the module does not parse or verify:\n" + diagnostics;
    return outcome;
  }
  PassManager pm(&context, ModuleOp::getOperationName());
  pipeline(pm);
  if (failed(pm.run(*module))) {
    outcome.failure = "the pipeline failed:\n" + diagnostics;
    return outcome;
  }

  // The calling convention: every tensor argument and then the result as
  // memref descriptors, nothing returned.
  auto main = module->lookupSymbol<LLVM::LLVMFuncOp>("main");
  auto ciface = module->lookupSymbol<LLVM::LLVMFuncOp>("_mlir_ciface_main");
  if (!main || !ciface) {
    outcome.failure = "the lowered module has no llvm.func @main and "
                      "@_mlir_ciface_main";
    return outcome;
  }
  LLVM::LLVMFunctionType type = ciface.getFunctionType();
  if (!isa<LLVM::LLVMVoidType>(main.getFunctionType().getReturnType()) ||
      !isa<LLVM::LLVMVoidType>(type.getReturnType()) ||
      type.getNumParams() != c.args.size() + 1) {
    std::string printed;
    llvm::raw_string_ostream ps(printed);
    ps << "@main: " << main.getFunctionType()
       << "\n@_mlir_ciface_main: " << type;
    outcome.failure = "the lowered function does not take " +
                      std::to_string(c.args.size()) +
                      " argument descriptors and one result descriptor and "
                      "return nothing:\n" +
                      printed;
    return outcome;
  }

  for (unsigned level : levels) {
    Measurement m;
    std::function<llvm::Error(llvm::Module *)> transformer =
        makeOptimizingTransformer(level, /*sizeLevel=*/0,
                                  /*targetMachine=*/nullptr);
    ExecutionEngineOptions options;
    options.transformer = transformer;
    options.jitCodeGenOptLevel = codeGenLevel(level);
    options.enableGDBNotificationListener = false;
    options.enablePerfNotificationListener = false;
    diagnostics.clear();
    auto engine = ExecutionEngine::create(module->getOperation(), options);
    if (!engine) {
      m.failure =
          "JIT compilation failed: " + llvm::toString(engine.takeError()) +
          "\n" + diagnostics;
    } else {
      auto fn = (*engine)->lookupPacked("_mlir_ciface_main");
      if (!fn)
        m.failure = "no _mlir_ciface_main in the JIT: " +
                    llvm::toString(fn.takeError());
      else
        m = execute(*fn, c);
    }
    outcome.levels.emplace_back(level, m);
  }
  return outcome;
}

Runner &runner() {
  static Runner instance;
  return instance;
}

void setLayoutOptions(cnnc::PipelineOptions &options, int64_t block) {
  options.block = block;
  options.vectorLanes = block ? block : 8;
  options.vectorRegisters = block == 16 ? 32 : 16;
}

std::string str(int64_t value) { return std::to_string(value); }

std::string dims(const Shape &shape) {
  return shape.empty() ? "scalar" : reference::shapeToString(shape);
}

std::string shortNumber(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%g", value);
  return buffer;
}

int64_t fittingSize(Random &r, int64_t kernel, int64_t dilation,
                    int64_t padBegin, int64_t padEnd, int64_t extra) {
  int64_t dilated = dilation * (kernel - 1) + 1;
  return std::max<int64_t>(1, dilated - padBegin - padEnd) +
         r.integer(0, extra);
}

reference::ConvParams conv(Pair strides, Quad padding, Pair dilations,
                           int64_t groups) {
  reference::ConvParams p;
  p.strides = strides;
  p.padding = padding;
  p.dilations = dilations;
  p.groups = groups;
  return p;
}

reference::PoolParams pool(std::array<int64_t, 2> kernel,
                           std::array<int64_t, 2> strides,
                           std::array<int64_t, 4> padding,
                           std::array<int64_t, 2> dilations, bool ceilMode) {
  reference::PoolParams p;
  p.kernel = kernel;
  p.strides = strides;
  p.padding = padding;
  p.dilations = dilations;
  p.ceilMode = ceilMode;
  return p;
}

std::string poolAttributes(const reference::PoolParams &p, bool dilation) {
  return " kernel " + list(p.kernel) + " stride " + list(p.strides) + " pad " +
         list(p.padding) + (dilation ? " dilation " + list(p.dilations) : "") +
         (p.ceilMode ? " ceil_mode" : "");
}

namespace {

/// A layout a case runs in: the blocked layout's block (0: NCHW) and the
/// vectors the kernels use.
struct Layout {
  int64_t block, lanes, registers;
  const char *name;
};

/// The layouts every case runs in: NCHW and the channel-blocked layout of
/// cnn-assign-layout, each with AVX2's and AVX-512's vectors (LLVM splits
/// 16-lane vectors on a machine without AVX-512).
constexpr Layout kLayouts[] = {{0, 8, 16, "NCHW, 8 lanes"},
                               {0, 16, 32, "NCHW, 16 lanes"},
                               {8, 8, 16, "blocked layout, 8 lanes"},
                               {16, 16, 32, "blocked layout, 16 lanes"}};

void checkLayout(const Case &c, const Layout &layout, double tolerance) {
  Outcome outcome = runner().run(c, [&](OpPassManager &pm) {
    cnnc::PipelineOptions options;
    options.block = layout.block;
    options.vectorLanes = layout.lanes;
    options.vectorRegisters = layout.registers;
    // A lone 1x1 convolution, as many cases are, runs the blocked kernels
    // here; in NCHW it is the NCHW layouts' case.
    options.loneConvolutionsInNCHW = false;
    llvm::cantFail(cnnc::buildCNNToLLVMPipeline(pm, options));
  });
  std::string where = layout.name;
  // CNNC_NUMERIC_VERBOSE=1 prints every case's errors.
  static const bool verbose = std::getenv("CNNC_NUMERIC_VERBOSE") != nullptr;
  if (verbose) {
    std::string line = c.label + " (" + where + "):";
    if (!outcome.failure.empty())
      line += " FAILED before running";
    for (const auto &level : outcome.levels) {
      char buffer[64];
      std::snprintf(buffer, sizeof(buffer), " -O%u %.3g", level.first,
                    level.second.relativeError);
      line += level.second.failure.empty() ? buffer : " FAILED";
    }
    std::printf("%s\n", line.c_str());
  }
  INFO("case: " << c.label << " (" << where << ")\n" << c.module());
  if (!outcome.failure.empty()) {
    FAIL_CHECK(outcome.failure);
    return;
  }
  for (const auto &level : outcome.levels) {
    const Measurement &m = level.second;
    INFO("at -O" << level.first);
    if (!m.failure.empty()) {
      FAIL_CHECK(m.failure);
      continue;
    }
    INFO("worst element " << m.worst);
    CHECK(m.relativeError <= tolerance);
    if (m.inputsWritten)
      WARN("the generated code wrote into an argument's buffer");
  }
}

} // namespace

void check(const Case &c, double tolerance) {
  for (const Layout &layout : kLayouts)
    checkLayout(c, layout, tolerance);
}

} // namespace cnnc::numeric
