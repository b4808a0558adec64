//===- Passes.td - passes of the CPU target ------------------*- tablegen -*-===//

#ifndef CNNC_TARGET_CPU_PASSES_TD
#define CNNC_TARGET_CPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def CNNLowerParallelLoops
    : Pass<"cnn-lower-parallel-loops", "mlir::ModuleOp"> {
  let summary = "Run scf.parallel loops on the generated library's thread pool";
  let description = [{
    Runs on buffers, after `cnn-outline-loop-nests`, as the first step of the
    CPU target's lowering to LLVM of code for the C API. Every function that
    has a body gets a last argument, the thread pool (`!llvm.ptr`, marked
    `cnnc.pool` on the model function, passed down at every call), which
    the C API provides (NULL: one thread).

    Each `scf.parallel` with constant bounds whose work is worth threads
    (the cost rule below) becomes a call to the runtime,
    `cnnc_rt_parallel_for(pool, task, context, iterations, grain)`: its
    body moves to a private task function `(context, begin, end, chunk)`
    that runs iterations [begin, end) of the flattened iteration space, and
    the buffers and indices it uses go into a context array on the caller's
    stack (views, constants and index arithmetic are rebuilt in the task).
    The iterations of a parallel loop must write disjoint memory, which
    cnnc's kernels guarantee (no reduction crosses a chunk), so results do
    not depend on the thread count.

    Cost rule: the work of one iteration is the number of arithmetic and
    vector ops in its body times the trip counts of the loops around them;
    a loop runs in parallel only if its whole work is at least
    `min-parallel-work`, and its chunks are at least `min-chunk-work` (the
    runtime's grain), so that a region's fork and join (well under a
    microsecond here) is small against each thread's share. Other
    `scf.parallel` loops stay and are lowered as serial loops.
  }];
  let options = [
    Option<"minParallelWork", "min-parallel-work", "int64_t",
           /*default=*/"2500",
           "Least estimated work (ops) of a loop worth running in parallel">,
    Option<"minChunkWork", "min-chunk-work", "int64_t", /*default=*/"1250",
           "Least estimated work (ops) of one thread's chunk">
  ];
  let dependentDialects = [
    "cnnc::CnncDialect", "mlir::arith::ArithDialect",
    "mlir::func::FuncDialect", "mlir::LLVM::LLVMDialect",
    "mlir::memref::MemRefDialect", "mlir::scf::SCFDialect"
  ];
}

#endif // CNNC_TARGET_CPU_PASSES_TD
