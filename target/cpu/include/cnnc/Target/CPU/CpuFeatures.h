//===- CpuFeatures.h - the CPU features a library needs ---------*- C++ -*-===//
//
// Code for a CPU with AVX2 or AVX-512 dies of SIGILL on a CPU without them.
// A generated library instead checks, once, that the CPU has the features
// its code was compiled with (the table of target/cpu/runtime/
// cnnc_cpu_features.h) and its entry points return
// CNNC_ERROR_UNSUPPORTED_CPU otherwise; the header lists the features.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_TARGET_CPU_CPUFEATURES_H
#define CNNC_TARGET_CPU_CPUFEATURES_H

#include "cnnc/Target/CPU/Emission.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/Error.h"
#include "llvm/Target/TargetMachine.h"

#include <cstdint>
#include <string>
#include <vector>

namespace cnnc {

/// The features of the table that code for `machine` may use, as a mask of
/// the table's bits: none for the baseline x86-64 CPU and on aarch64.
uint64_t requiredCpuFeatureMask(const llvm::TargetMachine &machine);

/// The names (LLVM's) of the features in `mask`, in the table's order.
std::vector<std::string> cpuFeatureNames(uint64_t mask);

/// The header's section on the features that code for `target` needs: a
/// comment and `CNNC_MODEL_<NAME>_CPU_FEATURES`, a string of names separated
/// by commas ("" when the target's baseline is enough).
llvm::Expected<std::string> cpuFeaturesHeaderSection(llvm::StringRef model,
                                                     const TargetSpec &target);

/// Makes the C API functions `api` (added to a module whose model functions
/// were there before) check the CPU: each that calls a model function
/// directly returns CNNC_ERROR_UNSUPPORTED_CPU first unless
/// cnnc_rt_cpu_features() has every feature of `mask`. Nothing when `mask`
/// is 0. An error if such a function returns no status.
llvm::Error addCpuFeatureCheck(llvm::Module &module,
                               llvm::ArrayRef<llvm::Function *> api,
                               uint64_t mask);

/// Compiles `api` for the baseline CPU, as the runtime (whose attributes it
/// copies from cnnc_rt_cpu_features, linked in by now): their code runs
/// before the check, and a baseline caller cannot inline the model's code.
void compileForBaselineCpu(llvm::Module &module,
                           llvm::ArrayRef<llvm::Function *> api);

} // namespace cnnc

#endif // CNNC_TARGET_CPU_CPUFEATURES_H
