//===- LibraryBenchmark.cpp - Google Benchmark for cnnc libraries ---------===//
//
// cnnc-bench [benchmark flags] [--threads=1,2] lib1.so [lib2.so ...]: for
// each library (named after the file), one inference on each thread count
// of --threads (a context with that many threads: `lib.so/threads:2`), and
// two inferences at once on two application threads, each with its own
// one-thread context (throughput: `lib.so/concurrent/threads:2`). Inputs are
// random and non-zero; the libraries keep no mutable global state.
//
//===----------------------------------------------------------------------===//

#include "cnnc/Target/CPU/ModelInfo.h"
#include "cnnc/Target/CPU/ModelLoader.h"

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

/// An inference's tensors and a context, for one application thread.
struct Inference {
  Inference(const ModelInfo &model, int threads, unsigned seed)
      : model(model), context(model.contextCreate(threads)) {
    std::mt19937 random(seed);
    std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
    for (uint32_t i = 0; i < model.numInputs; ++i) {
      inputs.emplace_back(cnnc::elementCount(model.inputs[i]));
      for (float &value : inputs.back())
        value = uniform(random);
      inputPointers.push_back(inputs.back().data());
    }
    for (uint32_t i = 0; i < model.numOutputs; ++i) {
      outputs.emplace_back(cnnc::elementCount(model.outputs[i]));
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
  std::vector<std::vector<float>> inputs, outputs;
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
  std::vector<const char *> libraries;
  for (int i = 1; i < argc; ++i) {
    std::string argument = argv[i];
    if (argument.rfind("--threads=", 0) == 0) {
      if (!parseThreadCounts(argument.substr(10), threadCounts))
        return 1;
      continue;
    }
    libraries.push_back(argv[i]);
  }
  if (libraries.empty()) {
    std::fprintf(stderr, "usage: cnnc-bench [benchmark flags] [--threads=1,2] "
                         "lib.so...\n");
    return 1;
  }
  for (const char *path : libraries) {
    void *library = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!library) {
      std::fprintf(stderr, "cnnc-bench: cannot load '%s': %s\n", path,
                   dlerror());
      return 1;
    }
    cnnc::FoundModel found;
    std::string error;
    if (!cnnc::findModel(library, path, "", found, error)) {
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
    std::string name = path;
    name = name.substr(name.find_last_of('/') + 1);
    auto *onThreads =
        benchmark::RegisterBenchmark(name.c_str(), runOnThreads, model)
            ->ArgName("threads")
            ->Unit(benchmark::kMillisecond)
            ->UseRealTime();
    for (int count : threadCounts)
      onThreads->Arg(count);
    benchmark::RegisterBenchmark((name + "/concurrent").c_str(),
                                 runConcurrently, model)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime()
        ->Threads(2);
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
