//===- LibraryBenchmark.cpp - Google Benchmark for cnnc libraries ---------===//
//
// cnnc-bench [benchmark flags] [--threads=1,2] [--name=NAME] lib1.so
// [lib2.so ...]: for each library (its model found as ModelLoader.h says,
// or named by the last --name before it), one inference on each thread count
// of --threads (a context with that many threads: `lib.so/threads:2`), and
// two inferences at once on two application threads, each with its own
// one-thread context (throughput: `lib.so/concurrent/threads:2`). Inputs are
// random and non-zero, in the model's element type (f32, f16, bf16, f64);
// the libraries keep no mutable global state.
//
//===----------------------------------------------------------------------===//

#include "cnnc/Target/CPU/ModelInfo.h"
#include "cnnc/Target/CPU/ModelLoader.h"
#include "cnnc/Target/CPU/TensorBuffer.h"

#include <benchmark/benchmark.h>

#include <dlfcn.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace {

using cnnc::ModelInfo;

/// `count` random values in [-1, -1/64] and [1/64, 1) of `dtype`, as bytes
/// (the first on a cache line, as TensorBuffer.h says why).
cnnc::TensorWords randomValues(int32_t dtype, size_t count,
                               std::mt19937 &random) {
  cnnc::TensorWords words((count * cnnc::elementBytes(dtype) + 7) / 8);
  std::uniform_real_distribution<float> magnitude(1.0f / 64, 1.0f);
  std::bernoulli_distribution negative(0.5);
  char *bytes = reinterpret_cast<char *>(words.data());
  for (size_t i = 0; i < count; ++i) {
    float value = negative(random) ? -magnitude(random) : magnitude(random);
    uint32_t bits;
    std::memcpy(&bits, &value, 4);
    if (dtype == cnnc::kF32) {
      std::memcpy(bytes + 4 * i, &value, 4);
    } else if (dtype == cnnc::kF64) {
      double wide = value;
      std::memcpy(bytes + 8 * i, &wide, 8);
    } else if (dtype == cnnc::kBF16) { // bf16: the upper half of the float
      uint16_t half = static_cast<uint16_t>(bits >> 16);
      std::memcpy(bytes + 2 * i, &half, 2);
    } else { // f16: |value| in [2^-6, 1) is a normal half; truncate
      uint32_t exponent = ((bits >> 23) & 0xff) - 127 + 15;
      uint16_t half = static_cast<uint16_t>(
          ((bits >> 16) & 0x8000) | (exponent << 10) | ((bits >> 13) & 0x3ff));
      std::memcpy(bytes + 2 * i, &half, 2);
    }
  }
  return words;
}

/// An inference's tensors and a context, for one application thread.
struct Inference {
  Inference(const ModelInfo &model, int threads, unsigned seed)
      : model(model), context(model.contextCreate(threads)) {
    std::mt19937 random(seed);
    for (uint32_t i = 0; i < model.numInputs; ++i) {
      const cnnc::TensorInfo &tensor = model.inputs[i];
      inputs.push_back(
          randomValues(tensor.dtype, cnnc::elementCount(tensor), random));
      inputPointers.push_back(inputs.back().data());
    }
    for (uint32_t i = 0; i < model.numOutputs; ++i) {
      const cnnc::TensorInfo &tensor = model.outputs[i];
      outputs.emplace_back(
          (cnnc::elementCount(tensor) * cnnc::elementBytes(tensor.dtype) + 7) /
          8);
      outputPointers.push_back(outputs.back().data());
    }
  }
  ~Inference() {
    if (context)
      model.contextDestroy(context);
  }
  Inference(const Inference &) = delete;
  Inference &operator=(const Inference &) = delete;

  void time(benchmark::State &state) {
    if (!context) {
      state.SkipWithError("cannot create a context (out of memory)");
      return;
    }
    for (auto _ : state) {
      int status = model.runInContext(context, inputPointers.data(),
                                      outputPointers.data());
      if (status != 0) {
        state.SkipWithError(model.statusMessage(status));
        break;
      }
      benchmark::DoNotOptimize(outputs.front().data());
      benchmark::ClobberMemory();
    }
    state.counters["scratch_KB"] =
        benchmark::Counter(static_cast<double>(model.scratchBytes) / 1024,
                           benchmark::Counter::kAvgThreads);
  }

  const ModelInfo &model;
  void *context;
  std::vector<cnnc::TensorWords> inputs, outputs;
  std::vector<const void *> inputPointers;
  std::vector<void *> outputPointers;
};

/// One inference on state.range(0) threads.
void runOnThreads(benchmark::State &state, const ModelInfo *model) {
  Inference(*model, static_cast<int>(state.range(0)), 1234).time(state);
}

/// One one-thread inference per benchmark thread, all at once.
void runConcurrently(benchmark::State &state, const ModelInfo *model) {
  Inference(*model, 1, 1234 + state.thread_index()).time(state);
}

/// The thread counts of --threads=LIST (comma-separated, each >= 1), or
/// false with a message.
bool parseThreadCounts(const std::string &list, std::vector<int> &counts) {
  counts.clear();
  size_t start = 0;
  while (start <= list.size()) {
    size_t end = list.find(',', start);
    if (end == std::string::npos)
      end = list.size();
    std::string item = list.substr(start, end - start);
    char *rest = nullptr;
    long value = std::strtol(item.c_str(), &rest, 10);
    if (item.empty() || *rest != '\0' || value < 1 || value > 1024) {
      std::fprintf(stderr,
                   "cnnc-bench: --threads takes thread counts from 1 to 1024 "
                   "separated by commas, got '%s'\n",
                   list.c_str());
      return false;
    }
    counts.push_back(static_cast<int>(value));
    start = end + 1;
  }
  return true;
}

} // namespace

int main(int argc, char **argv) {
  benchmark::Initialize(&argc, argv);
  std::vector<int> threadCounts = {1, 2};
  // Each library with the model name of the last --name before it.
  std::vector<std::pair<const char *, std::string>> libraries;
  std::string modelName;
  for (int i = 1; i < argc; ++i) {
    std::string argument = argv[i];
    if (argument.rfind("--threads=", 0) == 0) {
      if (!parseThreadCounts(argument.substr(10), threadCounts))
        return 1;
      continue;
    }
    if (argument.rfind("--name=", 0) == 0) {
      modelName = argument.substr(7);
      continue;
    }
    if (argument.rfind("--", 0) == 0) {
      std::fprintf(stderr, "cnnc-bench: unknown option '%s'\n", argv[i]);
      return 1;
    }
    libraries.emplace_back(argv[i], modelName);
  }
  if (libraries.empty()) {
    std::fprintf(stderr, "usage: cnnc-bench [benchmark flags] [--threads=1,2] "
                         "[--name=NAME] lib.so...\n");
    return 1;
  }
  for (const auto &[path, name] : libraries) {
    // A bare file name is a file here, not one for dlopen to search for.
    std::string file = std::strchr(path, '/') ? path : std::string("./") + path;
    void *library = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!library) {
      std::fprintf(stderr, "cnnc-bench: cannot load '%s': %s\n", path,
                   dlerror());
      return 1;
    }
    cnnc::FoundModel found;
    std::string error;
    if (!cnnc::findModel(library, path, name, found, error)) {
      std::fprintf(stderr, "cnnc-bench: %s\n", error.c_str());
      return 1;
    }
    const ModelInfo *model = found.describe();
    if (model->version < cnnc::kModelInfoMinVersion) {
      std::fprintf(stderr,
                   "cnnc-bench: '%s' is not a cnnc library (C API %u or "
                   "later)\n",
                   path, cnnc::kModelInfoMinVersion);
      return 1;
    }
    for (uint32_t i = 0; i < model->numInputs + model->numOutputs; ++i) {
      const cnnc::TensorInfo &tensor =
          i < model->numInputs ? model->inputs[i]
                               : model->outputs[i - model->numInputs];
      if (!cnnc::elementBytes(tensor.dtype)) {
        std::fprintf(stderr,
                     "cnnc-bench: tensor '%s' of '%s' has an unknown element "
                     "type (%d)\n",
                     tensor.name, path, tensor.dtype);
        return 1;
      }
    }
    std::string label = path;
    label = label.substr(label.find_last_of('/') + 1);
    if (!name.empty())
      label += ":" + name;
    auto *onThreads =
        benchmark::RegisterBenchmark(label.c_str(), runOnThreads, model)
            ->ArgName("threads")
            ->Unit(benchmark::kMillisecond)
            ->UseRealTime();
    for (int count : threadCounts)
      onThreads->Arg(count);
    benchmark::RegisterBenchmark((label + "/concurrent").c_str(),
                                 runConcurrently, model)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime()
        ->Threads(2);
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
