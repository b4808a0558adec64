//===- CContext.h - the execution contexts of generated libraries -*- C++
//-*-===//

#ifndef CNNC_TARGET_CPU_CCONTEXT_H
#define CNNC_TARGET_CPU_CCONTEXT_H

#include "cnnc/Target/CPU/CInterface.h"

#include "llvm/IR/Module.h"

namespace cnnc {

/// The exported functions of the context API (docs/c-api.md).
struct ContextFunctions {
  llvm::Function *create, *destroy, *numThreads, *run;
};

/// Adds `<model>_context_create(num_threads)`, `_context_destroy`,
/// `_context_num_threads` and `_run_in_context(context, tensors...)` to a
/// module whose `model` function takes the tensors, then the scratch arena
/// (`scratchBytes` bytes) and the thread pool.
ContextFunctions addContextInterface(llvm::Module &module,
                                     const ModelSignature &signature,
                                     llvm::Function *model,
                                     uint64_t scratchBytes);

} // namespace cnnc

#endif // CNNC_TARGET_CPU_CCONTEXT_H
