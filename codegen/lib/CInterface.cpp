//===- CInterface.cpp - the C API of generated libraries ------------------===//

#include "cnnc/Codegen/CInterface.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

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

std::string shapeText(ArrayRef<int64_t> shape) {
  std::string text;
  for (auto [index, size] : enumerate(shape))
    text += (index ? "x" : "") + std::to_string(size);
  return text;
}

} // namespace

Expected<cnnc::ModelSignature> cnnc::getModelSignature(mlir::ModuleOp module) {
  auto functions = module.getOps<mlir::func::FuncOp>();
  if (std::distance(functions.begin(), functions.end()) != 1)
    return createStringError(inconvertibleErrorCode(),
                             "expected one model function in the module");
  mlir::func::FuncOp func = *functions.begin();
  ModelSignature signature;
  signature.name = func.getSymName().str();
  auto describe = [](mlir::Type type, mlir::StringAttr name,
                     std::string fallback) -> Expected<TensorSignature> {
    auto tensor = dyn_cast<mlir::RankedTensorType>(type);
    if (!tensor)
      return createStringError(inconvertibleErrorCode(),
                               "model arguments and results must be tensors");
    TensorSignature result;
    result.name = name ? name.str() : fallback;
    mlir::Type element = tensor.getElementType();
    result.dtype = element.isF32()    ? "f32"
                   : element.isF16()  ? "f16"
                   : element.isBF16() ? "bf16"
                                      : "f64";
    result.shape.assign(tensor.getShape().begin(), tensor.getShape().end());
    return result;
  };
  for (unsigned i = 0; i < func.getNumArguments(); ++i) {
    Expected<TensorSignature> input =
        describe(func.getArgument(i).getType(),
                 func.getArgAttrOfType<mlir::StringAttr>(i, "cnn.name"),
                 "input" + std::to_string(i));
    if (!input)
      return input.takeError();
    signature.inputs.push_back(std::move(*input));
  }
  for (unsigned i = 0; i < func.getNumResults(); ++i) {
    Expected<TensorSignature> output =
        describe(func.getResultTypes()[i],
                 func.getResultAttrOfType<mlir::StringAttr>(i, "cnn.name"),
                 "output" + std::to_string(i));
    if (!output)
      return output.takeError();
    signature.outputs.push_back(std::move(*output));
  }
  return signature;
}

Error cnnc::addCInterface(Module &module, const ModelSignature &signature) {
  LLVMContext &context = module.getContext();
  Function *model = module.getFunction(signature.name);
  size_t arity = signature.inputs.size() + signature.outputs.size();
  if (!model || model->arg_size() != arity)
    return createStringError(inconvertibleErrorCode(),
                             "the lowered module has no function '" +
                                 signature.name + "' taking " + Twine(arity) +
                                 " pointers");
  model->setLinkage(GlobalValue::InternalLinkage);
  Type *i32 = Type::getInt32Ty(context);
  Type *i64 = Type::getInt64Ty(context);
  PointerType *ptr = PointerType::get(context, 0);

  // int <model>_run(inputs..., outputs...)
  SmallVector<Type *> pointers(arity, ptr);
  Function *run = Function::Create(FunctionType::get(i32, pointers, false),
                                   GlobalValue::ExternalLinkage,
                                   signature.name + "_run", module);
  {
    IRBuilder<> b(BasicBlock::Create(context, "entry", run));
    SmallVector<Value *> arguments;
    for (Argument &argument : run->args())
      arguments.push_back(&argument);
    b.CreateCall(model, arguments);
    b.CreateRet(ConstantInt::get(i32, 0));
  }

  // int run(const void *const *inputs, void *const *outputs): for tools that
  // drive any model through cnnc_model_info.
  Function *generic = Function::Create(
      FunctionType::get(i32, {ptr, ptr}, false), GlobalValue::InternalLinkage,
      "cnnc_generic_run", module);
  {
    IRBuilder<> b(BasicBlock::Create(context, "entry", generic));
    SmallVector<Value *> arguments;
    auto load = [&](Value *array, size_t count) {
      for (size_t i = 0; i < count; ++i)
        arguments.push_back(
            b.CreateLoad(ptr, b.CreateConstGEP1_64(ptr, array, i)));
    };
    load(generic->getArg(0), signature.inputs.size());
    load(generic->getArg(1), signature.outputs.size());
    b.CreateCall(model, arguments);
    b.CreateRet(ConstantInt::get(i32, 0));
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
          shapeData, "cnnc." + kind + "." + Twine(index) + ".shape");
      entries.push_back(ConstantStruct::get(
          tensorInfo, {string(tensor.name, "cnnc." + kind.str() + "." +
                                               std::to_string(index) + ".name"),
                       ConstantInt::get(i32, dtypeCode(tensor.dtype)),
                       ConstantInt::get(i32, tensor.shape.size()), shape}));
    }
    ArrayType *type = ArrayType::get(tensorInfo, entries.size());
    return new GlobalVariable(module, type, true, GlobalValue::PrivateLinkage,
                              ConstantArray::get(type, entries),
                              "cnnc." + kind);
  };
  StructType *modelInfo =
      StructType::create(context, {i32, i32, i32, i32, ptr, ptr, ptr, i64, ptr},
                         "cnnc_model_info");
  Constant *info = ConstantStruct::get(
      modelInfo,
      {ConstantInt::get(i32, kCInterfaceVersion),
       ConstantInt::get(i32, signature.inputs.size()),
       ConstantInt::get(i32, signature.outputs.size()),
       ConstantInt::get(i32, 0), string(signature.name, "cnnc.model_name"),
       tensors(signature.inputs, "inputs"),
       tensors(signature.outputs, "outputs"), ConstantInt::get(i64, 0),
       generic});
  auto *infoGlobal =
      new GlobalVariable(module, modelInfo, true, GlobalValue::PrivateLinkage,
                         info, "cnnc.model_info");
  Function *getter =
      Function::Create(FunctionType::get(ptr, false),
                       GlobalValue::ExternalLinkage, "cnnc_model", module);
  IRBuilder<> b(BasicBlock::Create(context, "entry", getter));
  b.CreateRet(infoGlobal);
  return Error::success();
}

std::string cnnc::generateHeader(const ModelSignature &signature) {
  std::string text;
  raw_string_ostream os(text);
  std::string guard = "CNNC_MODEL_" + StringRef(signature.name).upper() + "_H";
  os << "/* The C API of the cnnc-generated library for model '"
     << signature.name << "'.\n"
     << " * See docs/c-api.md. Generated by cnnc; do not edit. */\n\n"
     << "#ifndef " << guard << "\n#define " << guard << "\n\n"
     << "#include <stdint.h>\n\n#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n"
     << "/* Runs the model on dense, row-major (NCHW) buffers:\n";
  for (const TensorSignature &input : signature.inputs)
    os << " *   in  " << input.name << ": " << input.dtype << "["
       << shapeText(input.shape) << "]\n";
  for (const TensorSignature &output : signature.outputs)
    os << " *   out " << output.name << ": " << output.dtype << "["
       << shapeText(output.shape) << "]\n";
  os << " * Returns 0 on success. Safe to call from several threads at once.\n"
     << " */\nint " << signature.name << "_run(";
  bool first = true;
  for (const TensorSignature &input : signature.inputs) {
    os << (first ? "" : ", ") << "const " << cType(input.dtype) << " *"
       << input.name;
    first = false;
  }
  for (const TensorSignature &output : signature.outputs) {
    os << (first ? "" : ", ") << cType(output.dtype) << " *" << output.name;
    first = false;
  }
  os << ");\n\n"
     << "#ifndef CNNC_MODEL_INFO_DEFINED\n#define CNNC_MODEL_INFO_DEFINED\n"
     << "/* Introspection, the same in every cnnc library (version "
     << kCInterfaceVersion << "). */\n"
     << "enum cnnc_dtype { CNNC_F32 = 0, CNNC_F16 = 1, CNNC_BF16 = 2, "
        "CNNC_F64 = 3 };\n"
     << "typedef struct cnnc_tensor_info {\n  const char *name;\n"
     << "  int32_t dtype; /* enum cnnc_dtype */\n  int32_t rank;\n"
     << "  const int64_t *shape;\n} cnnc_tensor_info;\n"
     << "typedef struct cnnc_model_info {\n  uint32_t version;\n"
     << "  uint32_t num_inputs;\n  uint32_t num_outputs;\n"
     << "  uint32_t reserved;\n  const char *name;\n"
     << "  const cnnc_tensor_info *inputs;\n"
     << "  const cnnc_tensor_info *outputs;\n"
     << "  uint64_t scratch_bytes; /* 0: buffers are allocated per call */\n"
     << "  int (*run)(const void *const *inputs, void *const *outputs);\n"
     << "} cnnc_model_info;\n"
     << "const cnnc_model_info *cnnc_model(void);\n#endif\n\n"
     << "#ifdef __cplusplus\n}\n#endif\n\n#endif /* " << guard << " */\n";
  return text;
}
