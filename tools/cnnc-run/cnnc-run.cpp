//===- cnnc-run.cpp - run or time any cnnc-generated library --------------===//
//
// Loads a library built by `cnnc --emit=so`, reads its description through
// its <name>_model() (found as ModelLoader.h says), feeds it .npy inputs (or
// random ones from a seed), writes its outputs as .npy, and times it.
//
//===----------------------------------------------------------------------===//

#include "cnnc/Support/Npy.h"
#include "cnnc/Target/CPU/ModelInfo.h"
#include "cnnc/Target/CPU/ModelLoader.h"
#include "cnnc/Target/CPU/TensorBuffer.h"

#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

using namespace llvm;

namespace {

using cnnc::ModelInfo;
using cnnc::TensorInfo;

cl::OptionCategory category("cnnc-run options");
cl::opt<std::string> libraryPath(cl::Positional, cl::desc("<libmodel.so>"),
                                 cl::Required, cl::cat(category));
cl::opt<std::string>
    modelName("name",
              cl::desc("The model's name, the prefix of its symbols (default: "
                       "from the file name, else the one model the library "
                       "exports)"),
              cl::value_desc("NAME"), cl::cat(category));
cl::list<std::string>
    inputFiles("input",
               cl::desc("An input's values from a .npy file (float16, 32 "
                        "or 64, C or Fortran order), rounded to the input's "
                        "element type; inputs not given are random"),
               cl::value_desc("NAME=file.npy"), cl::cat(category));
cl::opt<uint64_t> seed("seed", cl::desc("Seed of the random inputs"),
                       cl::init(0), cl::cat(category));
cl::opt<std::string> outputDir("output-dir",
                               cl::desc("Write each output as DIR/NAME.npy"),
                               cl::value_desc("dir"), cl::cat(category));
cl::opt<unsigned> benchRuns(
    "bench",
    cl::desc("Time N runs after a warm-up; print min, median and p90 in ms"),
    cl::value_desc("N"), cl::init(0), cl::cat(category));
cl::opt<unsigned> topK("top",
                       cl::desc("Print the K best classes of each [1, K'] "
                                "output (0: none)"),
                       cl::value_desc("K"), cl::init(5), cl::cat(category));

[[noreturn]] void fail(const Twine &message) {
  WithColor::error(errs(), "cnnc-run") << message << "\n";
  exit(1);
}

std::string shapeText(ArrayRef<int64_t> shape) {
  std::string text = "[";
  for (auto [index, size] : enumerate(shape))
    text += (index ? ", " : "") + std::to_string(size);
  return text + "]";
}

constexpr int32_t F32 = cnnc::kF32, F16 = cnnc::kF16, BF16 = cnnc::kBF16,
                  F64 = cnnc::kF64;
using cnnc::elementBytes;

const fltSemantics &semantics(int32_t dtype) {
  return dtype == F16    ? APFloat::IEEEhalf()
         : dtype == BF16 ? APFloat::BFloat()
         : dtype == F32  ? APFloat::IEEEsingle()
                         : APFloat::IEEEdouble();
}

/// A tensor's values in its element type, in 8-byte words (aligned for any),
/// the first on a cache line (TensorBuffer.h says why).
struct Buffer {
  Buffer(int32_t dtype, size_t count)
      : dtype(dtype), count(count),
        words((count * elementBytes(dtype) + 7) / 8) {}

  /// Stores `values`, rounded to the element type (to nearest, ties to
  /// even).
  void store(ArrayRef<double> values) {
    char *bytes = reinterpret_cast<char *>(words.data());
    for (size_t i = 0; i < count; ++i) {
      if (dtype == F64) {
        std::memcpy(bytes + 8 * i, &values[i], 8);
      } else if (dtype == F32) {
        float value = static_cast<float>(values[i]);
        std::memcpy(bytes + 4 * i, &value, 4);
      } else {
        APFloat value(values[i]);
        bool lost;
        value.convert(semantics(dtype), APFloat::rmNearestTiesToEven, &lost);
        uint16_t bits =
            static_cast<uint16_t>(value.bitcastToAPInt().getZExtValue());
        std::memcpy(bytes + 2 * i, &bits, 2);
      }
    }
  }

  /// The values, exactly.
  std::vector<double> load() const {
    std::vector<double> values(count);
    const char *bytes = reinterpret_cast<const char *>(words.data());
    for (size_t i = 0; i < count; ++i) {
      if (dtype == F64) {
        std::memcpy(&values[i], bytes + 8 * i, 8);
      } else if (dtype == F32) {
        float value;
        std::memcpy(&value, bytes + 4 * i, 4);
        values[i] = value;
      } else {
        uint16_t bits;
        std::memcpy(&bits, bytes + 2 * i, 2);
        APFloat value(semantics(dtype), APInt(16, bits));
        bool lost;
        value.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven,
                      &lost);
        values[i] = value.convertToDouble();
      }
    }
    return values;
  }

  int32_t dtype;
  size_t count;
  cnnc::TensorWords words;
};

/// Reads a .npy file of exactly `expected` shape, exactly (the reader
/// converts float16 and float32, big-endian values and Fortran order).
std::vector<double> readNpy(StringRef path, StringRef name,
                            ArrayRef<int64_t> expected) {
  Expected<cnnc::InputStream> stream = cnnc::InputStream::open(path);
  if (!stream)
    fail(toString(stream.takeError()));
  Expected<cnnc::NpyHeader> header = cnnc::readNpyHeader(*stream);
  if (!header)
    fail(toString(header.takeError()));
  // Checked before any data is read: the file is read only as far as the
  // model needs.
  if (ArrayRef<int64_t>(header->shape) != expected)
    fail("'" + path + "' has shape " + shapeText(header->shape) +
         ", but input '" + name + "' takes " + shapeText(expected));
  Expected<std::vector<double>> values = cnnc::readNpyDoubles(*stream, *header);
  if (!values)
    fail(toString(values.takeError()));
  return std::move(*values);
}

/// Writes an output in its element type; bfloat16, which numpy lacks, as
/// float32 (every bfloat16 is one).
void writeNpy(StringRef path, ArrayRef<int64_t> shape, const Buffer &output) {
  cnnc::NpyElementType type =
      output.dtype == F16   ? cnnc::NpyElementType::Float16
      : output.dtype == F64 ? cnnc::NpyElementType::Float64
                            : cnnc::NpyElementType::Float32;
  if (Error error = cnnc::writeNpy(path, shape, output.load(), type))
    fail(toString(std::move(error)));
}

} // namespace

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  // libLLVM registers a hidden, undocumented option named "threads"; it
  // steps aside for cnnc-run's own, which therefore is made here, not as a
  // global (registering a second "threads" would abort).
  StringMap<cl::Option *> &registered = cl::getRegisteredOptions();
  if (auto it = registered.find("threads"); it != registered.end())
    it->second->setArgStr("llvm-threads");
  static cl::opt<int> numThreads(
      "threads",
      cl::desc("Run on N threads (0: one per CPU; default: $CNNC_NUM_THREADS, "
               "else 1)"),
      cl::value_desc("N"), cl::init(1), cl::cat(category));
  cl::HideUnrelatedOptions(category);
  if (!cl::ParseCommandLineOptions(
          argc, argv,
          "cnnc-run: run or time a library built by cnnc --emit=so\n\n"
          "  cnnc-run libmodel.so                       random inputs, top-5\n"
          "  cnnc-run libmodel.so --input image=x.npy --output-dir out\n"
          "  cnnc-run libmodel.so --bench 50            min/median/p90 "
          "latency\n",
          &errs()))
    return 1;

  // A bare file name means the file here, not a search of the library path.
  SmallString<256> path(libraryPath);
  if (!StringRef(libraryPath).contains('/'))
    sys::fs::make_absolute(path);
  void *library = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!library)
    fail("cannot load '" + libraryPath + "': " + dlerror());
  cnnc::FoundModel found;
  std::string error;
  if (!cnnc::findModel(library, libraryPath, modelName, found, error))
    fail(error);
  const ModelInfo &model = *found.describe();
  if (model.version < cnnc::kModelInfoMinVersion)
    fail("'" + libraryPath + "' uses C API version " + Twine(model.version) +
         "; this cnnc-run reads version " + Twine(cnnc::kModelInfoMinVersion) +
         " and later");
  auto check = [&](const TensorInfo &tensor) {
    if (!elementBytes(tensor.dtype))
      fail("tensor '" + Twine(tensor.name) + "' has element type " +
           Twine(tensor.dtype) +
           ", which this cnnc-run does not know (f32, f16, bf16 or f64)");
  };

  std::map<std::string, std::string> given;
  for (const std::string &spec : inputFiles) {
    auto [name, path] = StringRef(spec).split('=');
    if (path.empty())
      fail("--input takes NAME=file.npy, got '" + spec + "'");
    given[name.str()] = path.str();
  }
  std::vector<Buffer> inputs;
  std::mt19937_64 random(seed);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  for (unsigned i = 0; i < model.numInputs; ++i) {
    const TensorInfo &tensor = model.inputs[i];
    check(tensor);
    ArrayRef<int64_t> shape(tensor.shape, tensor.rank);
    auto it = given.find(tensor.name);
    std::vector<double> values;
    if (it != given.end()) {
      values = readNpy(it->second, tensor.name, shape);
      given.erase(it);
    } else {
      values.resize(cnnc::elementCount(tensor));
      for (double &value : values)
        value = uniform(random);
    }
    inputs.emplace_back(tensor.dtype, values.size());
    inputs.back().store(values);
  }
  if (!given.empty())
    fail("model '" + Twine(model.name) + "' has no input '" +
         given.begin()->first + "'");
  std::vector<Buffer> outputs;
  for (unsigned i = 0; i < model.numOutputs; ++i) {
    check(model.outputs[i]);
    outputs.emplace_back(model.outputs[i].dtype,
                         cnnc::elementCount(model.outputs[i]));
  }
  std::vector<const void *> inputPointers;
  for (Buffer &buffer : inputs)
    inputPointers.push_back(buffer.words.data());
  std::vector<void *> outputPointers;
  for (Buffer &buffer : outputs)
    outputPointers.push_back(buffer.words.data());

  // One context for every call: the timed runs neither allocate nor start
  // threads.
  int threads = numThreads;
  if (numThreads.getNumOccurrences() && threads < 0)
    fail("--threads must be a thread count (0: one per CPU), got " +
         Twine(threads));
  if (!numThreads.getNumOccurrences()) {
    threads = 1;
    if (const char *variable = std::getenv("CNNC_NUM_THREADS"))
      if (StringRef(variable).getAsInteger(10, threads) || threads < 0)
        fail("CNNC_NUM_THREADS must be a thread count (0: one per CPU), "
             "got '" +
             Twine(variable) + "'");
  }
  struct DestroyContext {
    const ModelInfo *model;
    void operator()(void *context) const { model->contextDestroy(context); }
  };
  std::unique_ptr<void, DestroyContext> context(model.contextCreate(threads),
                                                DestroyContext{&model});
  if (!context)
    fail("cannot create a context for " + Twine(threads) +
         " thread(s): out of memory or threads");

  auto runOnce = [&] {
    auto start = std::chrono::steady_clock::now();
    if (int status = model.runInContext(context.get(), inputPointers.data(),
                                        outputPointers.data()))
      fail("the model failed with status " + Twine(status) + ": " +
           model.statusMessage(status));
    std::chrono::duration<double, std::milli> elapsed =
        std::chrono::steady_clock::now() - start;
    return elapsed.count();
  };
  double first = runOnce();
  outs() << "model " << model.name << ": " << model.numInputs << " input(s), "
         << model.numOutputs << " output(s), " << model.scratchBytes
         << " bytes of scratch, " << model.contextNumThreads(context.get())
         << " thread(s); first run " << format("%.3f", first) << " ms\n";

  for (unsigned i = 0; i < model.numOutputs; ++i) {
    const TensorInfo &tensor = model.outputs[i];
    ArrayRef<int64_t> shape(tensor.shape, tensor.rank);
    if (topK && tensor.rank == 2 && shape[0] == 1) {
      std::vector<double> values = outputs[i].load();
      std::vector<int64_t> order(values.size());
      for (size_t j = 0; j < order.size(); ++j)
        order[j] = j;
      size_t k = std::min<size_t>(topK, order.size());
      std::partial_sort(
          order.begin(), order.begin() + k, order.end(),
          [&](int64_t a, int64_t b) { return values[a] > values[b]; });
      outs() << tensor.name << " top-" << k << ":";
      for (size_t j = 0; j < k; ++j)
        outs() << " " << order[j] << " (" << format("%.4f", values[order[j]])
               << ")";
      outs() << "\n";
    }
    if (!outputDir.empty()) {
      if (std::error_code ec = sys::fs::create_directories(outputDir))
        fail("cannot create '" + outputDir + "': " + ec.message());
      SmallString<128> path(outputDir);
      sys::path::append(path, std::string(tensor.name) + ".npy");
      writeNpy(path, shape, outputs[i]);
    }
  }

  if (benchRuns) {
    std::vector<double> times;
    for (unsigned i = 0; i < benchRuns; ++i)
      times.push_back(runOnce());
    std::sort(times.begin(), times.end());
    auto at = [&](double q) {
      return times[std::min<size_t>(times.size() - 1,
                                    static_cast<size_t>(q * times.size()))];
    };
    outs() << "latency over " << benchRuns << " runs: min "
           << format("%.3f", times.front()) << " ms, median "
           << format("%.3f", at(0.5)) << " ms, p90 " << format("%.3f", at(0.9))
           << " ms\n";
  }
  return 0;
}
