//===- CContext.cpp - the execution contexts of generated libraries -------===//
//
// A context is what one application thread needs to run a model on several
// cores: a thread pool of the library's runtime (target/cpu/runtime) and a
// scratch arena of its own. The library keeps no global state: a program
// that runs a model from two threads at once gives each thread its own
// context, and two models in one process have separate pools.
//
//===----------------------------------------------------------------------===//

#include "CContext.h"

#include "BufferOverlap.h"

#include "llvm/IR/Constants.h"
#include "llvm/IR/IRBuilder.h"

using namespace llvm;

namespace {

/// The runtime functions a context uses (linked in from its bitcode).
struct Runtime {
  FunctionCallee poolCreate, poolDestroy, poolThreads, alignedAlloc, release;
};

} // namespace

cnnc::ContextFunctions
cnnc::addContextInterface(Module &module, const ModelSignature &signature,
                          Function *model, uint64_t scratchBytes) {
  LLVMContext &context = module.getContext();
  Type *i32 = Type::getInt32Ty(context);
  Type *i64 = Type::getInt64Ty(context);
  Type *voidType = Type::getVoidTy(context);
  PointerType *ptr = PointerType::get(context, 0);
  Runtime runtime{
      module.getOrInsertFunction("cnnc_rt_pool_create", ptr, i32),
      module.getOrInsertFunction("cnnc_rt_pool_destroy", voidType, ptr),
      module.getOrInsertFunction("cnnc_rt_pool_threads", i32, ptr),
      module.getOrInsertFunction("aligned_alloc", ptr, i64, i64),
      module.getOrInsertFunction("free", voidType, ptr)};
  // struct { cnnc_rt_pool *pool; void *scratch; i32 busy; }: busy while a
  // thread runs the model in the context, whose scratch one run at a time
  // may use.
  StructType *contextType =
      StructType::create(context, {ptr, ptr, i32}, "cnnc_context");
  uint64_t scratchSize = (scratchBytes + kScratchAlignment - 1) /
                         kScratchAlignment * kScratchAlignment;
  auto field = [&](IRBuilder<> &b, Value *object, unsigned index) {
    return b.CreateStructGEP(contextType, object, index);
  };
  ContextFunctions functions;

  // MODEL_context *MODEL_context_create(int num_threads)
  functions.create = Function::Create(
      FunctionType::get(ptr, {i32}, false), GlobalValue::ExternalLinkage,
      signature.name + "_context_create", module);
  {
    Function *f = functions.create;
    auto *entry = BasicBlock::Create(context, "entry", f);
    auto *fill = BasicBlock::Create(context, "fill", f);
    auto *threads = BasicBlock::Create(context, "threads", f);
    auto *done = BasicBlock::Create(context, "done", f);
    auto *outOfMemory = BasicBlock::Create(context, "out_of_memory", f);
    IRBuilder<> b(entry);
    Value *object =
        b.CreateCall(runtime.alignedAlloc,
                     {ConstantInt::get(i64, 16), ConstantInt::get(i64, 32)});
    b.CreateCondBr(b.CreateIsNull(object), outOfMemory, fill);
    b.SetInsertPoint(fill);
    Value *scratch = ConstantPointerNull::get(ptr);
    if (scratchSize)
      scratch = b.CreateCall(runtime.alignedAlloc,
                             {ConstantInt::get(i64, kScratchAlignment),
                              ConstantInt::get(i64, scratchSize)});
    b.CreateStore(scratch, field(b, object, 1));
    b.CreateStore(ConstantPointerNull::get(ptr), field(b, object, 0));
    b.CreateStore(ConstantInt::get(i32, 0), field(b, object, 2));
    auto *freeObject = BasicBlock::Create(context, "free_object", f);
    b.CreateCondBr(scratchSize ? b.CreateIsNull(scratch) : b.getFalse(),
                   freeObject, threads);
    // One thread: no pool, no workers.
    b.SetInsertPoint(threads);
    auto *makePool = BasicBlock::Create(context, "make_pool", f);
    b.CreateCondBr(b.CreateICmpEQ(f->getArg(0), ConstantInt::get(i32, 1)), done,
                   makePool);
    b.SetInsertPoint(makePool);
    b.CreateStore(b.CreateCall(runtime.poolCreate, {f->getArg(0)}),
                  field(b, object, 0));
    b.CreateBr(done);
    b.SetInsertPoint(done);
    b.CreateRet(object);
    b.SetInsertPoint(freeObject);
    b.CreateCall(runtime.release, {object});
    b.CreateBr(outOfMemory);
    b.SetInsertPoint(outOfMemory);
    b.CreateRet(ConstantPointerNull::get(ptr));
  }

  // void MODEL_context_destroy(MODEL_context *context)
  functions.destroy = Function::Create(
      FunctionType::get(voidType, {ptr}, false), GlobalValue::ExternalLinkage,
      signature.name + "_context_destroy", module);
  {
    Function *f = functions.destroy;
    auto *entry = BasicBlock::Create(context, "entry", f);
    auto *release = BasicBlock::Create(context, "release", f);
    auto *done = BasicBlock::Create(context, "done", f);
    IRBuilder<> b(entry);
    b.CreateCondBr(b.CreateIsNull(f->getArg(0)), done, release);
    b.SetInsertPoint(release);
    b.CreateCall(runtime.poolDestroy,
                 {b.CreateLoad(ptr, field(b, f->getArg(0), 0))});
    b.CreateCall(runtime.release,
                 {b.CreateLoad(ptr, field(b, f->getArg(0), 1))});
    b.CreateCall(runtime.release, {f->getArg(0)});
    b.CreateBr(done);
    b.SetInsertPoint(done);
    b.CreateRetVoid();
  }

  // int MODEL_context_num_threads(const MODEL_context *context)
  functions.numThreads = Function::Create(
      FunctionType::get(i32, {ptr}, false), GlobalValue::ExternalLinkage,
      signature.name + "_context_num_threads", module);
  {
    Function *f = functions.numThreads;
    auto *entry = BasicBlock::Create(context, "entry", f);
    auto *read = BasicBlock::Create(context, "read", f);
    auto *none = BasicBlock::Create(context, "none", f);
    IRBuilder<> b(entry);
    b.CreateCondBr(b.CreateIsNull(f->getArg(0)), none, read);
    b.SetInsertPoint(read);
    b.CreateRet(b.CreateCall(runtime.poolThreads,
                             {b.CreateLoad(ptr, field(b, f->getArg(0), 0))}));
    b.SetInsertPoint(none);
    b.CreateRet(ConstantInt::get(i32, 0));
  }

  // int MODEL_run_in_context(MODEL_context *context, inputs..., outputs...)
  size_t tensorCount = signature.inputs.size() + signature.outputs.size();
  SmallVector<Type *> parameters(tensorCount + 1, ptr);
  functions.run = Function::Create(FunctionType::get(i32, parameters, false),
                                   GlobalValue::ExternalLinkage,
                                   signature.name + "_run_in_context", module);
  {
    Function *f = functions.run;
    auto *entry = BasicBlock::Create(context, "entry", f);
    auto *call = BasicBlock::Create(context, "call", f);
    auto *claim = BasicBlock::Create(context, "claim", f);
    auto *busy = BasicBlock::Create(context, "busy", f);
    auto *nullPointer = BasicBlock::Create(context, "null_pointer", f);
    IRBuilder<> b(entry);
    Value *invalid = b.getFalse();
    for (Argument &argument : f->args())
      invalid = b.CreateOr(invalid, b.CreateIsNull(&argument));
    auto *checkOverlap = BasicBlock::Create(context, "check_overlap", f);
    auto *overlapping = BasicBlock::Create(context, "overlapping", f);
    b.CreateCondBr(invalid, nullPointer, checkOverlap);
    // The context's arena is the library's own: no caller's buffer is in it.
    b.SetInsertPoint(checkOverlap);
    SmallVector<Value *> tensors;
    for (Argument &argument : drop_begin(f->args()))
      tensors.push_back(&argument);
    b.CreateCondBr(anyOutputOverlaps(b, signature, tensors, nullptr, 0),
                   overlapping, claim);
    b.SetInsertPoint(overlapping);
    b.CreateRet(
        ConstantInt::get(i32, static_cast<int>(CStatus::OverlappingBuffers)));
    // One run at a time: a second thread in the same context gets a
    // status, not a race on the scratch arena.
    b.SetInsertPoint(claim);
    Value *busyFlag = field(b, f->getArg(0), 2);
    Value *wasBusy = b.CreateAtomicRMW(AtomicRMWInst::Xchg, busyFlag,
                                       ConstantInt::get(i32, 1), Align(4),
                                       AtomicOrdering::Acquire);
    b.CreateCondBr(b.CreateICmpNE(wasBusy, ConstantInt::get(i32, 0)), busy,
                   call);
    b.SetInsertPoint(busy);
    b.CreateRet(ConstantInt::get(i32, static_cast<int>(CStatus::ContextBusy)));
    b.SetInsertPoint(call);
    SmallVector<Value *> args;
    for (Argument &argument : f->args())
      if (argument.getArgNo() > 0)
        args.push_back(&argument);
    args.push_back(b.CreateLoad(ptr, field(b, f->getArg(0), 1)));
    args.push_back(b.CreateLoad(ptr, field(b, f->getArg(0), 0)));
    b.CreateCall(model, args);
    b.CreateAlignedStore(ConstantInt::get(i32, 0), busyFlag, Align(4))
        ->setAtomic(AtomicOrdering::Release);
    b.CreateRet(ConstantInt::get(i32, static_cast<int>(CStatus::Ok)));
    b.SetInsertPoint(nullPointer);
    b.CreateRet(ConstantInt::get(i32, static_cast<int>(CStatus::NullPointer)));
  }
  return functions;
}
