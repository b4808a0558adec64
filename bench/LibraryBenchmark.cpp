//===- LibraryBenchmark.cpp - Google Benchmark for cnnc libraries ---------===//
//
// cnnc-bench [benchmark flags] lib1.so [lib2.so ...]: one benchmark per
// library (named after the file), on one thread and on two threads. Each
// thread has its own inputs (random, non-zero), outputs and scratch arena and
// calls run_with_scratch, so two threads measure two inferences at once on
// the two cores; the libraries keep no mutable global state.
//
//===----------------------------------------------------------------------===//

#include "cnnc/Target/CPU/ModelInfo.h"

#include <benchmark/benchmark.h>

#include <dlfcn.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace {

using cnnc::ModelInfo;
using cnnc::TensorInfo;

size_t elements(const TensorInfo &tensor) {
  size_t count = 1;
  for (int32_t i = 0; i < tensor.rank; ++i)
    count *= static_cast<size_t>(tensor.shape[i]);
  return count;
}

void runLibrary(benchmark::State &state, const ModelInfo *model) {
  std::mt19937 random(1234 + state.thread_index());
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  std::vector<std::vector<float>> inputs, outputs;
  std::vector<const void *> inputPointers;
  std::vector<void *> outputPointers;
  for (uint32_t i = 0; i < model->numInputs; ++i) {
    inputs.emplace_back(elements(model->inputs[i]));
    for (float &value : inputs.back())
      value = uniform(random);
    inputPointers.push_back(inputs.back().data());
  }
  for (uint32_t i = 0; i < model->numOutputs; ++i) {
    outputs.emplace_back(elements(model->outputs[i]));
    outputPointers.push_back(outputs.back().data());
  }
  size_t alignment = model->scratchAlignment;
  size_t bytes = (model->scratchBytes + alignment - 1) / alignment * alignment;
  std::unique_ptr<void, decltype(&std::free)> scratch(
      std::aligned_alloc(alignment, bytes ? bytes : alignment), &std::free);
  for (auto _ : state) {
    int status = model->runWithScratch(inputPointers.data(),
                                       outputPointers.data(), scratch.get());
    if (status != 0) {
      state.SkipWithError(model->statusMessage(status));
      break;
    }
    benchmark::DoNotOptimize(outputs.front().data());
    benchmark::ClobberMemory();
  }
  state.counters["scratch_KB"] =
      benchmark::Counter(static_cast<double>(model->scratchBytes) / 1024,
                         benchmark::Counter::kAvgThreads);
}

} // namespace

int main(int argc, char **argv) {
  benchmark::Initialize(&argc, argv);
  if (argc < 2) {
    std::fprintf(stderr, "usage: cnnc-bench [benchmark flags] lib.so...\n");
    return 1;
  }
  for (int i = 1; i < argc; ++i) {
    void *library = dlopen(argv[i], RTLD_NOW | RTLD_LOCAL);
    if (!library) {
      std::fprintf(stderr, "cnnc-bench: cannot load '%s': %s\n", argv[i],
                   dlerror());
      return 1;
    }
    using Describe = const ModelInfo *(*)();
    auto describe = reinterpret_cast<Describe>(dlsym(library, "cnnc_model"));
    const ModelInfo *model = describe ? describe() : nullptr;
    if (!model || model->version != cnnc::kModelInfoVersion) {
      std::fprintf(stderr, "cnnc-bench: '%s' is not a cnnc library (C API 2)\n",
                   argv[i]);
      return 1;
    }
    std::string name = argv[i];
    name = name.substr(name.find_last_of('/') + 1);
    benchmark::RegisterBenchmark(name.c_str(), runLibrary, model)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime()
        ->Threads(1)
        ->Threads(2);
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
