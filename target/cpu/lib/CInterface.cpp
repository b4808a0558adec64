//===- CInterface.cpp - the C API of generated libraries ------------------===//

#include "cnnc/Target/CPU/CInterface.h"
#include "BufferOverlap.h"
#include "CContext.h"
#include "cnnc/Target/CPU/CNames.h"
#include "cnnc/Target/CPU/ModelInfo.h"

#include "llvm/IR/Constants.h"
#include "llvm/IR/IRBuilder.h"

#include <fmt/format.h>

using namespace llvm;

// The loaders' view of the structure (ModelInfo.h) follows the one
// generated here.
static_assert(cnnc::kModelInfoVersion == cnnc::kCInterfaceVersion,
              "ModelInfo.h describes another version of cnnc_model_info");

namespace {

/// The dtype codes of cnnc_tensor_info, as in the header.
int dtypeCode(StringRef dtype) {
  return StringSwitch<int>(dtype)
      .Case("f32", 0)
      .Case("f16", 1)
      .Case("bf16", 2)
      .Case("f64", 3)
      .Default(-1);
}

StringRef cType(StringRef dtype) {
  // f16 and bf16 travel as their 16-bit patterns.
  return StringSwitch<StringRef>(dtype)
      .Case("f32", "float")
      .Case("f64", "double")
      .Default("uint16_t");
}

/// Every status a run function returns, in the header's order.
constexpr cnnc::CStatus kStatuses[] = {cnnc::CStatus::Ok,
                                       cnnc::CStatus::OutOfMemory,
                                       cnnc::CStatus::NullPointer,
                                       cnnc::CStatus::MisalignedScratch,
                                       cnnc::CStatus::ContextBusy,
                                       cnnc::CStatus::UnsupportedCpu,
                                       cnnc::CStatus::ScratchTooSmall,
                                       cnnc::CStatus::OverlappingBuffers};

/// The status's name in `enum cnnc_status`.
StringRef statusName(cnnc::CStatus status) {
  switch (status) {
  case cnnc::CStatus::Ok:
    return "CNNC_OK";
  case cnnc::CStatus::OutOfMemory:
    return "CNNC_ERROR_OUT_OF_MEMORY";
  case cnnc::CStatus::NullPointer:
    return "CNNC_ERROR_NULL_POINTER";
  case cnnc::CStatus::MisalignedScratch:
    return "CNNC_ERROR_MISALIGNED_SCRATCH";
  case cnnc::CStatus::ContextBusy:
    return "CNNC_ERROR_CONTEXT_BUSY";
  case cnnc::CStatus::UnsupportedCpu:
    return "CNNC_ERROR_UNSUPPORTED_CPU";
  case cnnc::CStatus::ScratchTooSmall:
    return "CNNC_ERROR_SCRATCH_TOO_SMALL";
  case cnnc::CStatus::OverlappingBuffers:
    return "CNNC_ERROR_OVERLAPPING_BUFFERS";
  }
  llvm_unreachable("every status has a name");
}

} // namespace

const char *cnnc::statusMessageText(CStatus status) {
  switch (status) {
  case CStatus::Ok:
    return "success";
  case CStatus::OutOfMemory:
    return "out of memory: the scratch arena could not be allocated";
  case CStatus::NullPointer:
    return "a null input, output or scratch pointer";
  case CStatus::MisalignedScratch:
    return "the scratch memory is not aligned to 64 bytes";
  case CStatus::ContextBusy:
    return "the context is running the model on another thread: each "
           "application thread needs a context of its own";
  case CStatus::UnsupportedCpu:
    return "this CPU lacks an instruction set extension that the library "
           "was compiled for (its header's CNNC_MODEL_<NAME>_CPU_FEATURES "
           "lists "
           "them): "
           "compile the model for this CPU (cnnc --mcpu)";
  case CStatus::ScratchTooSmall:
    return "the scratch memory is smaller than the model's scratch_bytes";
  case CStatus::OverlappingBuffers:
    return "an output's memory overlaps an input's, another output's or the "
           "scratch memory: each output needs a buffer of its own";
  }
  return "unknown status";
}

Error cnnc::addCInterface(Module &module, const ModelSignature &signature,
                          uint64_t scratchBytes) {
  LLVMContext &context = module.getContext();
  std::string modelName = internalModelFunctionName(signature.name);
  Function *model = module.getFunction(modelName);
  size_t tensorCount = signature.inputs.size() + signature.outputs.size();
  // The tensors, the scratch arena and the thread pool.
  if (!model || model->arg_size() != tensorCount + 2)
    return createStringError(
        inconvertibleErrorCode(),
        fmt::format("the lowered module has no function '{}' taking {} "
                    "pointers",
                    modelName, tensorCount + 2));
  // The model and the functions it calls are internal: the library
  // exports the C API below and nothing else.
  for (Function &function : module)
    if (!function.isDeclaration())
      function.setLinkage(GlobalValue::InternalLinkage);
  Type *i32 = Type::getInt32Ty(context);
  Type *i64 = Type::getInt64Ty(context);
  PointerType *ptr = PointerType::get(context, 0);
  auto status = [&](CStatus code) {
    return cast<ConstantInt>(ConstantInt::get(i32, static_cast<int>(code)));
  };
  auto arguments = [](Function *function) {
    SmallVector<Value *> values;
    for (Argument &argument : function->args())
      values.push_back(&argument);
    return values;
  };
  auto anyNull = [&](IRBuilder<> &b, ArrayRef<Value *> pointers) {
    Value *result = b.getFalse();
    for (Value *pointer : pointers)
      result = b.CreateOr(result, b.CreateIsNull(pointer));
    return result;
  };

  // int <model>_run_with_scratch(inputs..., outputs..., void *scratch) and
  // <model>_run_with_scratch_size(..., void *scratch, size_t scratch_size),
  // which also checks the size, so that a caller who passes the size gets a
  // status rather than a memory fault from a buffer that is too small.
  // Both call the model themselves (not one the other) so that the CPU
  // check (CpuFeatures.h) comes first in each.
  Type *sizeType = module.getDataLayout().getIntPtrType(context);
  SmallVector<Type *> pointers(tensorCount + 1, ptr);
  auto makeRunWithScratch = [&](StringRef suffix, bool withSize) {
    SmallVector<Type *> parameters = pointers;
    if (withSize)
      parameters.push_back(sizeType);
    Function *function = Function::Create(
        FunctionType::get(i32, parameters, false), GlobalValue::ExternalLinkage,
        signature.name + suffix, module);
    SmallVector<Value *> args = arguments(function);
    Value *size = withSize ? args.pop_back_val() : nullptr;
    Value *scratch = args.back();
    auto *entry = BasicBlock::Create(context, "entry", function);
    auto *checkOverlap = BasicBlock::Create(context, "check_overlap", function);
    auto *checkSize = BasicBlock::Create(context, "check_size", function);
    auto *checkAlignment =
        BasicBlock::Create(context, "check_alignment", function);
    auto *call = BasicBlock::Create(context, "call", function);
    auto *nullPointer = BasicBlock::Create(context, "null_pointer", function);
    auto *misaligned = BasicBlock::Create(context, "misaligned", function);
    IRBuilder<> b(entry);
    Value *invalid = anyNull(b, ArrayRef(args).drop_back());
    if (scratchBytes)
      invalid = b.CreateOr(invalid, b.CreateIsNull(scratch));
    b.CreateCondBr(invalid, nullPointer, checkOverlap);
    b.SetInsertPoint(checkOverlap);
    auto *overlapping = BasicBlock::Create(context, "overlapping", function);
    b.CreateCondBr(anyOutputOverlaps(b, signature, ArrayRef(args).drop_back(),
                                     scratch, scratchBytes),
                   overlapping, checkSize);
    b.SetInsertPoint(overlapping);
    b.CreateRet(status(CStatus::OverlappingBuffers));
    b.SetInsertPoint(checkSize);
    if (withSize) {
      auto *tooSmall = BasicBlock::Create(context, "too_small", function);
      b.CreateCondBr(
          b.CreateICmpULT(size, ConstantInt::get(sizeType, scratchBytes)),
          tooSmall, checkAlignment);
      b.SetInsertPoint(tooSmall);
      b.CreateRet(status(CStatus::ScratchTooSmall));
    } else {
      b.CreateBr(checkAlignment);
    }
    b.SetInsertPoint(checkAlignment);
    Value *offset = b.CreateAnd(b.CreatePtrToInt(scratch, i64),
                                ConstantInt::get(i64, kScratchAlignment - 1));
    b.CreateCondBr(b.CreateICmpNE(offset, ConstantInt::get(i64, 0)), misaligned,
                   call);
    b.SetInsertPoint(call);
    // No pool: one thread (the context API runs on several).
    args.push_back(ConstantPointerNull::get(ptr));
    b.CreateCall(model, args);
    b.CreateRet(status(CStatus::Ok));
    b.SetInsertPoint(nullPointer);
    b.CreateRet(status(CStatus::NullPointer));
    b.SetInsertPoint(misaligned);
    b.CreateRet(status(CStatus::MisalignedScratch));
    return function;
  };
  Function *runWithScratch = makeRunWithScratch("_run_with_scratch", false);
  Function *runWithScratchSize =
      makeRunWithScratch("_run_with_scratch_size", true);

  // int <model>_run(inputs..., outputs...): allocates the arena per call.
  FunctionCallee alignedAlloc =
      module.getOrInsertFunction("aligned_alloc", ptr, i64, i64);
  FunctionCallee release =
      module.getOrInsertFunction("free", Type::getVoidTy(context), ptr);
  pointers.pop_back();
  Function *run = Function::Create(FunctionType::get(i32, pointers, false),
                                   GlobalValue::ExternalLinkage,
                                   signature.name + "_run", module);
  {
    SmallVector<Value *> args = arguments(run);
    auto *entry = BasicBlock::Create(context, "entry", run);
    auto *call = BasicBlock::Create(context, "call", run);
    auto *outOfMemory = BasicBlock::Create(context, "out_of_memory", run);
    IRBuilder<> b(entry);
    Value *scratch = ConstantPointerNull::get(ptr);
    if (scratchBytes) {
      scratch =
          b.CreateCall(alignedAlloc, {ConstantInt::get(i64, kScratchAlignment),
                                      ConstantInt::get(i64, scratchBytes)});
      b.CreateCondBr(b.CreateIsNull(scratch), outOfMemory, call);
    } else {
      b.CreateBr(call);
    }
    b.SetInsertPoint(call);
    args.push_back(scratch);
    Value *result = b.CreateCall(runWithScratch, args);
    if (scratchBytes)
      b.CreateCall(release, {scratch});
    b.CreateRet(result);
    b.SetInsertPoint(outOfMemory);
    b.CreateRet(status(CStatus::OutOfMemory));
  }

  // The same through arrays of pointers, for tools that drive any model
  // through cnnc_model_info.
  // (The context, when there is one, comes first, then the two arrays, then
  // `trailing`: the scratch and its size, passed on as they are.) A NULL
  // array is a null pointer too: the status, as from the entry points
  // above, not a crash.
  auto generic = [&](StringRef name, Function *target,
                     ArrayRef<Type *> trailing, bool withContext) {
    SmallVector<Type *> parameters = {ptr, ptr};
    parameters.append(trailing.begin(), trailing.end());
    if (withContext)
      parameters.insert(parameters.begin(), ptr);
    Function *function =
        Function::Create(FunctionType::get(i32, parameters, false),
                         GlobalValue::InternalLinkage, name, module);
    auto *entry = BasicBlock::Create(context, "entry", function);
    auto *call = BasicBlock::Create(context, "call", function);
    auto *nullPointer = BasicBlock::Create(context, "null_pointer", function);
    IRBuilder<> b(entry);
    unsigned first = withContext ? 1 : 0;
    SmallVector<Value *> arrays;
    if (!signature.inputs.empty())
      arrays.push_back(function->getArg(first));
    if (!signature.outputs.empty())
      arrays.push_back(function->getArg(first + 1));
    b.CreateCondBr(anyNull(b, arrays), nullPointer, call);
    b.SetInsertPoint(nullPointer);
    b.CreateRet(status(CStatus::NullPointer));
    b.SetInsertPoint(call);
    SmallVector<Value *> args;
    if (withContext)
      args.push_back(function->getArg(0));
    auto load = [&](Value *array, size_t count) {
      for (size_t i = 0; i < count; ++i)
        args.push_back(b.CreateLoad(ptr, b.CreateConstGEP1_64(ptr, array, i)));
    };
    load(function->getArg(first), signature.inputs.size());
    load(function->getArg(first + 1), signature.outputs.size());
    for (size_t i = 0; i < trailing.size(); ++i)
      args.push_back(function->getArg(first + 2 + i));
    b.CreateRet(b.CreateCall(target, args));
    return function;
  };
  // Internal names hold a dot, which no exported C symbol has.
  auto internal = [&](StringRef suffix) {
    return (signature.name + "." + suffix).str();
  };
  Function *genericRun = generic(internal("generic_run"), run, {}, false);
  Function *genericRunWithScratch = generic(
      internal("generic_run_with_scratch"), runWithScratch, {ptr}, false);
  Function *genericRunWithScratchSize =
      generic(internal("generic_run_with_scratch_size"), runWithScratchSize,
              {ptr, sizeType}, false);
  ContextFunctions contexts =
      addContextInterface(module, signature, model, scratchBytes);
  Function *genericRunInContext =
      generic(internal("generic_run_in_context"), contexts.run, {}, true);

  // const char *status_message(int status)
  Function *statusMessage = Function::Create(
      FunctionType::get(ptr, {i32}, false), GlobalValue::InternalLinkage,
      internal("status_message"), module);
  {
    auto *entry = BasicBlock::Create(context, "entry", statusMessage);
    auto *unknown = BasicBlock::Create(context, "unknown", statusMessage);
    IRBuilder<> b(entry);
    SwitchInst *dispatch = b.CreateSwitch(statusMessage->getArg(0), unknown);
    for (CStatus code : kStatuses) {
      auto *block = BasicBlock::Create(context, "status", statusMessage);
      dispatch->addCase(status(code), block);
      b.SetInsertPoint(block);
      b.CreateRet(b.CreateGlobalStringPtr(statusMessageText(code)));
    }
    b.SetInsertPoint(unknown);
    b.CreateRet(b.CreateGlobalStringPtr("unknown status"));
  }

  // Constant introspection data: no mutable global state.
  StructType *tensorInfo =
      StructType::create(context, {ptr, i32, i32, ptr}, "cnnc_tensor_info");
  auto string = [&](StringRef text, StringRef name) -> Constant * {
    Constant *data = ConstantDataArray::getString(context, text);
    return new GlobalVariable(module, data->getType(), true,
                              GlobalValue::PrivateLinkage, data, name);
  };
  auto tensors = [&](ArrayRef<TensorSignature> list,
                     StringRef kind) -> Constant * {
    SmallVector<Constant *> entries;
    for (auto [index, tensor] : enumerate(list)) {
      Constant *shapeData = ConstantDataArray::get(context, tensor.shape);
      auto *shape = new GlobalVariable(
          module, shapeData->getType(), true, GlobalValue::PrivateLinkage,
          shapeData, fmt::format("cnnc.{}.{}.shape", kind.str(), index));
      entries.push_back(ConstantStruct::get(
          tensorInfo, {string(tensor.name, fmt::format("cnnc.{}.{}.name",
                                                       kind.str(), index)),
                       ConstantInt::get(i32, dtypeCode(tensor.dtype)),
                       ConstantInt::get(i32, tensor.shape.size()), shape}));
    }
    ArrayType *type = ArrayType::get(tensorInfo, entries.size());
    return new GlobalVariable(module, type, true, GlobalValue::PrivateLinkage,
                              ConstantArray::get(type, entries),
                              fmt::format("cnnc.{}", kind.str()));
  };
  StructType *modelInfo =
      StructType::create(context,
                         {i32, i32, i32, i32, ptr, ptr, ptr, i64, ptr, ptr, ptr,
                          ptr, ptr, ptr, ptr, ptr},
                         "cnnc_model_info");
  Constant *info = ConstantStruct::get(
      modelInfo,
      {ConstantInt::get(i32, kCInterfaceVersion),
       ConstantInt::get(i32, signature.inputs.size()),
       ConstantInt::get(i32, signature.outputs.size()),
       ConstantInt::get(i32, kScratchAlignment),
       string(signature.name, "cnnc.model_name"),
       tensors(signature.inputs, "inputs"),
       tensors(signature.outputs, "outputs"),
       ConstantInt::get(i64, scratchBytes), genericRun, genericRunWithScratch,
       statusMessage, contexts.create, contexts.destroy, genericRunInContext,
       contexts.numThreads, genericRunWithScratchSize});
  auto *infoGlobal =
      new GlobalVariable(module, modelInfo, true, GlobalValue::PrivateLinkage,
                         info, "cnnc.model_info");
  // Named after the model, as every exported symbol: two models link
  // into one program.
  Function *getter = Function::Create(FunctionType::get(ptr, false),
                                      GlobalValue::ExternalLinkage,
                                      signature.name + "_model", module);
  IRBuilder<> b(BasicBlock::Create(context, "entry", getter));
  b.CreateRet(infoGlobal);
  return Error::success();
}

std::string cnnc::generateHeader(const ModelSignature &signature,
                                 StringRef targetSection) {
  std::string tensors, parameters, statuses;
  auto append = [](std::string &text, auto &&...format) {
    fmt::format_to(std::back_inserter(text),
                   std::forward<decltype(format)>(format)...);
  };
  // Tensor names are the user's: as parameters only where C takes them,
  // and in the comment without anything that would end it.
  std::vector<std::string> names, parameterNames;
  for (const TensorSignature &tensor :
       llvm::concat<const TensorSignature>(signature.inputs, signature.outputs))
    names.push_back(tensor.name);
  parameterNames = headerParameterNames(
      signature.name, ArrayRef(names).take_front(signature.inputs.size()),
      ArrayRef(names).drop_front(signature.inputs.size()));
  for (auto [index, tensor] : enumerate(llvm::concat<const TensorSignature>(
           signature.inputs, signature.outputs))) {
    bool input = index < signature.inputs.size();
    std::string shown = tensor.name;
    for (size_t at; (at = shown.find("*/")) != std::string::npos;)
      shown.replace(at, 2, "* /");
    std::string parameter = parameterNames[index];
    append(tensors, " *   {} {}{}: {}[{}]\n", input ? "in " : "out", shown,
           parameter == tensor.name ? ""
                                    : fmt::format(" (parameter {})", parameter),
           tensor.dtype, fmt::join(tensor.shape, "x"));
    append(parameters, "{}{}{} *{}", parameters.empty() ? "" : ", ",
           input ? "const " : "", cType(tensor.dtype), parameter);
  }
  for (CStatus status : kStatuses)
    append(statuses, "  {} = {}, /* {} */\n", statusName(status),
           static_cast<int>(status), statusMessageText(status));
  // The header, with {name}s filled in; {{ and }} are C's braces.
  return fmt::format(
      R"(/* The C API of the cnnc-generated library for model '{model}'.
 * See docs/c-api.md. Generated by cnnc; do not edit. */

#ifndef {guard}
#define {guard}

#include <stddef.h>
#include <stdint.h>

{target}#ifdef __cplusplus
extern "C" {{
#endif

/* Runs the model on dense, row-major (NCHW) buffers:
{tensors} * Returns CNNC_OK (0) or an error status ({model}_model()->status_message
 * describes it). Allocates the scratch arena for the call and frees it.
 * Safe to call from several threads at once.
 */
int {model}_run({parameters});

/* The same, on caller-provided scratch memory of at least
 * {model}_model()->scratch_bytes bytes, aligned to {alignment} bytes (NULL when
 * scratch_bytes is 0); never allocates. Threads that run at once need
 * separate scratch memory. */
int {model}_run_with_scratch({parameters}, void *scratch);

/* The same, told the size of the scratch memory: returns
 * CNNC_ERROR_SCRATCH_TOO_SMALL when scratch_size is less than
 * {model}_model()->scratch_bytes, rather than write past its end. */
int {model}_run_with_scratch_size({parameters}, void *scratch,
                                  size_t scratch_size);

/* Running one inference on several cores: a context owns a thread pool of
 * num_threads threads (the calling thread included; 0: every CPU this
 * process may run on; 1: no other thread) and its own scratch arena.
 * _context_create returns NULL when memory runs out; if the system refuses
 * threads, the context has fewer (_context_num_threads says how many), the
 * results stay the same. A context runs one inference at a time: an application thread
 * that runs the model at the same time as another needs a context of its
 * own (a second call into a busy context returns
 * CNNC_ERROR_CONTEXT_BUSY). The results do not depend on the number of
 * threads, bit for bit. */
typedef struct {model}_context {model}_context;
{model}_context *{model}_context_create(int num_threads);
void {model}_context_destroy({model}_context *context);
int {model}_context_num_threads(const {model}_context *context);
int {model}_run_in_context({model}_context *context, {parameters});

#ifndef CNNC_MODEL_INFO_DEFINED
#define CNNC_MODEL_INFO_DEFINED
/* Introspection, the same in every cnnc library (version {version}). */
enum cnnc_status {{
{statuses}}};
enum cnnc_dtype {{ CNNC_F32 = 0, CNNC_F16 = 1, CNNC_BF16 = 2, CNNC_F64 = 3 }};
typedef struct cnnc_tensor_info {{
  const char *name;
  int32_t dtype; /* enum cnnc_dtype */
  int32_t rank;
  const int64_t *shape;
}} cnnc_tensor_info;
typedef struct cnnc_model_info {{
  uint32_t version;
  uint32_t num_inputs;
  uint32_t num_outputs;
  uint32_t scratch_alignment;
  const char *name;
  const cnnc_tensor_info *inputs;
  const cnnc_tensor_info *outputs;
  uint64_t scratch_bytes;
  int (*run)(const void *const *inputs, void *const *outputs);
  int (*run_with_scratch)(const void *const *inputs,
                          void *const *outputs, void *scratch);
  const char *(*status_message)(int status);
  /* The context API through opaque pointers (version 3). */
  void *(*context_create)(int num_threads);
  void (*context_destroy)(void *context);
  int (*run_in_context)(void *context, const void *const *inputs,
                        void *const *outputs);
  int (*context_num_threads)(const void *context);
  /* Version 4: run_with_scratch, told the scratch memory's size. */
  int (*run_with_scratch_size)(const void *const *inputs,
                               void *const *outputs, void *scratch,
                               size_t scratch_size);
}} cnnc_model_info;
#endif

/* This model's description and its entry points as function pointers. */
const cnnc_model_info *{model}_model(void);

#ifdef __cplusplus
}}
#endif

#endif /* {guard} */
)",
      fmt::arg("model", signature.name),
      fmt::arg("guard", fmt::format("CNNC_MODEL_{}_H",
                                    StringRef(signature.name).upper())),
      fmt::arg("tensors", tensors), fmt::arg("parameters", parameters),
      fmt::arg("alignment", kScratchAlignment),
      fmt::arg("version", kCInterfaceVersion), fmt::arg("statuses", statuses),
      fmt::arg("target", targetSection.str()));
}
