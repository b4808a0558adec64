//===- concurrent_runs.cpp - one model run from several threads at once ---===//
//
// concurrent_runs LIB.so APP_THREADS THREADS RUNS [shared]: loads a cnnc
// library, computes its outputs once on one thread, then runs it RUNS times
// on each of APP_THREADS application threads at once, each with a context
// of its own with THREADS threads, and checks that every run gives the
// one-thread outputs bit for bit. With `shared`, the threads share one
// context: each run either gives those outputs or the status
// CNNC_ERROR_CONTEXT_BUSY (4), never a race on the context's scratch. Built
// with -fsanitize=thread (or address) by the tests, against a library built
// with the same --sanitize, so that the sanitizer sees the model's kernels and
// its thread pool too.
//
//===----------------------------------------------------------------------===//

#include "cnnc/Target/CPU/ModelInfo.h"
#include "cnnc/Target/CPU/ModelLoader.h"

#include <dlfcn.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <thread>
#include <vector>

namespace {

using cnnc::ModelInfo;

using Tensors = std::vector<std::vector<float>>;

Tensors allocateOutputs(const ModelInfo &model) {
  Tensors outputs;
  for (uint32_t i = 0; i < model.numOutputs; ++i)
    outputs.emplace_back(cnnc::elementCount(model.outputs[i]));
  return outputs;
}

/// The status of a second run in a context that is running one.
constexpr int kContextBusy = 4;

/// Runs `model` on `inputs` in `context`; false on a failure status (and,
/// with `busy`, on kContextBusy, which sets it).
bool run(const ModelInfo &model, void *context, const Tensors &inputs,
         Tensors &outputs, bool *busy = nullptr) {
  std::vector<const void *> in;
  for (const auto &tensor : inputs)
    in.push_back(tensor.data());
  std::vector<void *> out;
  for (auto &tensor : outputs)
    out.push_back(tensor.data());
  int status = model.runInContext(context, in.data(), out.data());
  if (busy && status == kContextBusy) {
    *busy = true;
    return false;
  }
  if (status != 0)
    std::fprintf(stderr, "concurrent_runs: status %d: %s\n", status,
                 model.statusMessage(status));
  return status == 0;
}

bool identical(const Tensors &a, const Tensors &b) {
  for (size_t i = 0; i < a.size(); ++i)
    if (std::memcmp(a[i].data(), b[i].data(), a[i].size() * sizeof(float)))
      return false;
  return true;
}

} // namespace

int main(int argc, char **argv) {
  if (argc != 5 && !(argc == 6 && std::strcmp(argv[5], "shared") == 0)) {
    std::fprintf(stderr, "usage: concurrent_runs LIB.so APP_THREADS THREADS "
                         "RUNS [shared]\n");
    return 2;
  }
  bool shared = argc == 6;
  int appThreads = std::atoi(argv[2]), threads = std::atoi(argv[3]),
      runs = std::atoi(argv[4]);
  void *library = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    std::fprintf(stderr, "concurrent_runs: %s\n", dlerror());
    return 2;
  }
  cnnc::FoundModel found;
  std::string error;
  if (!cnnc::findModel(library, argv[1], "", found, error)) {
    std::fprintf(stderr, "concurrent_runs: %s\n", error.c_str());
    return 2;
  }
  auto describe = found.describe;
  if (describe()->version < cnnc::kModelInfoMinVersion) {
    std::fprintf(stderr,
                 "concurrent_runs: not a cnnc library (C API %u or later)\n",
                 cnnc::kModelInfoMinVersion);
    return 2;
  }
  const ModelInfo &model = *describe();

  std::mt19937 random(7);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  Tensors inputs;
  for (uint32_t i = 0; i < model.numInputs; ++i) {
    inputs.emplace_back(cnnc::elementCount(model.inputs[i]));
    for (float &value : inputs.back())
      value = uniform(random);
  }
  Tensors reference = allocateOutputs(model);
  void *single = model.contextCreate(1);
  if (!single || !run(model, single, inputs, reference))
    return 1;
  model.contextDestroy(single);

  std::atomic<int> failures{0}, busyRuns{0};
  void *sharedContext = shared ? model.contextCreate(threads) : nullptr;
  std::vector<std::thread> workers;
  for (int a = 0; a < appThreads; ++a)
    workers.emplace_back([&] {
      void *context = shared ? sharedContext : model.contextCreate(threads);
      if (!context || model.contextNumThreads(context) != threads) {
        ++failures;
        return;
      }
      Tensors outputs = allocateOutputs(model);
      for (int r = 0; r < runs; ++r) {
        bool busy = false;
        if (run(model, context, inputs, outputs, shared ? &busy : nullptr)) {
          if (!identical(outputs, reference))
            ++failures;
        } else if (busy) {
          ++busyRuns;
        } else {
          ++failures;
        }
      }
      if (!shared)
        model.contextDestroy(context);
    });
  for (std::thread &worker : workers)
    worker.join();
  if (sharedContext)
    model.contextDestroy(sharedContext);
  if (failures) {
    std::printf("%d of %d runs differ from one thread or failed\n",
                failures.load(), appThreads * runs);
    return 1;
  }
  if (shared)
    std::printf("%d runs on %d application threads sharing a context of %d "
                "threads: %d found it busy, the others gave the outputs of "
                "one thread\n",
                appThreads * runs, appThreads, threads, busyRuns.load());
  else
    std::printf("%d runs on %d application threads x %d threads: outputs "
                "identical to one thread\n",
                appThreads * runs, appThreads, threads);
  return 0;
}
