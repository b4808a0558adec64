//===- Emitter.cpp - from a parsed model to cnn dialect IR ----------------===//
//
// The model and its statements; diagnostics and locations. Expressions are
// in Values.cpp, calls in Calls.cpp, the built-ins in Ops.cpp and
// Functions.cpp (Interpreter.h says what is where).
//
//===----------------------------------------------------------------------===//

#include "Interpreter.h"

#include "cnnc/Dialect/CNNOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/MathExtras.h"

#include <fmt/format.h>

using namespace mlir;
using namespace cnnc::frontend;
using namespace cnnc::frontend::interp;
namespace cnn = cnnc::cnn;

Emitter::Emitter(const Module &module, MLIRContext &context,
                 Diagnostics &diagnostics)
    : ast(module), context(context), builder(&context),
      diagnostics(diagnostics) {
  for (const auto &block : module.blocks)
    blocks[block->name] = block.get();
  for (llvm::ArrayRef<Builtin> table : {opBuiltins(), functionBuiltins()})
    for (const Builtin &builtin : table)
      builtins[builtin.name] = &builtin;
  llvm::SourceMgr &sourceMgr = diagnostics.getSourceMgr();
  fileName = StringAttr::get(
      &context, sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID())
                    ->getBufferIdentifier());
}

//===----------------------------------------------------------------------===//
// Diagnostics and locations.
//===----------------------------------------------------------------------===//

LogicalResult Emitter::fail(SMLoc loc, const Twine &message) {
  diagnostics.error(loc, message);
  noteCallSites();
  return failure();
}

void Emitter::noteCallSites() {
  // As mlir::SourceMgrDiagnosticHandler prints a CallSiteLoc's callers: the
  // innermost first, at most ten.
  constexpr size_t kShown = 10;
  for (SMLoc site : llvm::reverse(llvm::ArrayRef(callSites).take_back(kShown)))
    diagnostics.note(site, "called from");
}

bool Level::tooDeep(SMLoc loc) {
  if (emitter.depth <= limits::kEvaluationDepth)
    return false;
  (void)emitter.fail(loc, fmt::format("the model nests too deeply to "
                                      "evaluate: more than {} levels of "
                                      "expressions and statements, in blocks "
                                      "calling blocks",
                                      limits::kEvaluationDepth));
  return true;
}

LogicalResult Emitter::checkTensorSize(SMLoc loc, const Twine &what,
                                       ArrayRef<int64_t> shape) {
  int64_t count = 1;
  bool overflow = false;
  for (int64_t size : shape)
    overflow |= llvm::MulOverflow(count, std::max<int64_t>(size, 0), count);
  if (!overflow && count <= limits::kTensorElements)
    return success();
  return fail(loc, what + " " + formatShape(shape) +
                       fmt::format(" would have {} elements, more than the {} "
                                   "a tensor may have",
                                   overflow ? std::string("over 2^63")
                                            : std::to_string(count),
                                   limits::kTensorElements));
}

Location Emitter::location(SMLoc loc) {
  auto [line, column] = diagnostics.getSourceMgr().getLineAndColumn(loc);
  Location file = FileLineColLoc::get(fileName, line, column);
  if (callers.empty())
    return file;
  return CallSiteLoc::get(file, callers.back());
}

Location Emitter::layerLocation(SMLoc loc) {
  Location plain = location(loc);
  if (namePath.empty())
    return plain;
  // The name goes on the line, inside the call site: MLIR's diagnostic
  // handler prints a CallSiteLoc's callers only when it is the outermost.
  StringAttr layer = builder.getStringAttr(llvm::join(namePath, "."));
  if (auto site = dyn_cast<CallSiteLoc>(plain))
    return CallSiteLoc::get(NameLoc::get(layer, site.getCallee()),
                            site.getCaller());
  return NameLoc::get(layer, plain);
}

//===----------------------------------------------------------------------===//
// Model.
//===----------------------------------------------------------------------===//

std::optional<EmittedModel> Emitter::run() {
  const ModelDecl &model = *ast.model;
  Location modelLoc = location(model.loc);
  OwningOpRef<ModuleOp> module = ModuleOp::create(modelLoc);
  builder.setInsertionPointToEnd(module->getBody());

  SmallVector<Type> inputTypes;
  for (const InputDecl &input : model.inputs) {
    if (failed(checkTensorSize(input.loc, "input '" + input.name + "'",
                               input.shape)))
      return std::nullopt;
    Type element = llvm::StringSwitch<Type>(input.elementType)
                       .Case("f16", builder.getF16Type())
                       .Case("bf16", builder.getBF16Type())
                       .Case("f64", builder.getF64Type())
                       .Default(builder.getF32Type());
    inputTypes.push_back(RankedTensorType::get(input.shape, element));
  }
  auto func = builder.create<func::FuncOp>(
      modelLoc, model.name, builder.getFunctionType(inputTypes, {}));
  Block *entry = func.addEntryBlock();
  builder.setInsertionPointToEnd(entry);

  Frame frame;
  frame.isModel = true;
  frame.body = &model.body;
  for (auto [index, input] : llvm::enumerate(model.inputs)) {
    if (frame.variables.count(input.name)) {
      diagnostics.error(input.loc,
                        "input '" + input.name + "' is declared twice");
      return std::nullopt;
    }
    BlockArgument argument = entry->getArgument(index);
    argument.setLoc(
        NameLoc::get(builder.getStringAttr(input.name), location(input.loc)));
    func.setArgAttr(index, "cnn.name", builder.getStringAttr(input.name));
    frame.variables[input.name] = Val::fromTensor(argument);
    frame.definedAt[input.name] = input.loc;
  }

  if (failed(execute(model.body, frame, /*seq=*/nullptr)))
    return std::nullopt;
  if (frame.outputs.empty()) {
    diagnostics.error(model.loc, "model '" + model.name +
                                     "' returns nothing: end it with "
                                     "'return OUTPUT'");
    return std::nullopt;
  }

  SmallVector<mlir::Value> results;
  SmallVector<Type> resultTypes;
  for (auto &[name, value] : frame.outputs) {
    results.push_back(value.tensor);
    resultTypes.push_back(value.tensor.getType());
  }
  builder.create<func::ReturnOp>(location(frame.returnLoc), results);
  func.setType(builder.getFunctionType(inputTypes, resultTypes));
  for (auto [index, output] : llvm::enumerate(frame.outputs))
    func.setResultAttr(index, "cnn.name", builder.getStringAttr(output.first));

  EmittedModel emitted;
  emitted.module = std::move(module);
  emitted.parameters = std::move(parameters);
  return emitted;
}

//===----------------------------------------------------------------------===//
// Statements.
//===----------------------------------------------------------------------===//

LogicalResult Emitter::execute(const StmtList &statements, Frame &frame,
                               SeqState *seq) {
  Level level(*this);
  for (const StmtPtr &statement : statements) {
    if (level.tooDeep(statement->loc))
      return failure();
    if (++steps > limits::kSteps)
      return fail(statement->loc, "the model takes too many steps to "
                                  "evaluate (a runaway loop?)");
    if (failed(executeStatement(*statement, frame, seq)))
      return failure();
    if (frame.done())
      return success();
  }
  return success();
}

LogicalResult Emitter::executeStatement(const Stmt &statement, Frame &frame,
                                        SeqState *seq) {
  switch (statement.kind) {
  case Stmt::Kind::Assign: {
    FailureOr<Val> value = evaluate(*statement.value, frame, statement.target);
    if (failed(value))
      return failure();
    if (blocks.count(statement.target))
      return fail(statement.targetLoc,
                  "'" + statement.target +
                      "' is a block: a variable cannot take its name");
    frame.variables[statement.target] = std::move(*value);
    frame.definedAt[statement.target] = statement.targetLoc;
    return success();
  }
  case Stmt::Kind::Return:
    if (seq)
      return fail(statement.loc, "'return' inside a seq: the seq's value "
                                 "is its last stage");
    return executeReturn(statement, frame);
  case Stmt::Kind::If: {
    FailureOr<Val> condition = evaluate(*statement.value, frame);
    if (failed(condition))
      return failure();
    if (!condition->is(Val::Kind::Bool))
      return fail(statement.value->loc,
                  "a condition must be true or false, but this is " +
                      describe(*condition));
    return execute(condition->i ? statement.body : statement.elseBody, frame,
                   seq);
  }
  case Stmt::Kind::For:
    return executeFor(statement, frame, seq);
  case Stmt::Kind::Expr:
  case Stmt::Kind::Labeled:
    if (seq)
      return executeStage(statement, frame, *seq);
    if (statement.kind == Stmt::Kind::Labeled)
      return fail(statement.loc, "a labeled stage ('" + statement.target +
                                     ": ...') belongs in a seq");
    return fail(statement.loc,
                "the value of this expression is not used: assign it "
                "('name = ...'), or make it a stage of a seq");
  }
  return success();
}

LogicalResult Emitter::executeReturn(const Stmt &statement, Frame &frame) {
  if (frame.isModel) {
    for (auto [index, expr] : llvm::enumerate(statement.values)) {
      FailureOr<Val> value = evaluate(*expr, frame);
      if (failed(value))
        return failure();
      if (!value->is(Val::Kind::Tensor))
        return fail(expr->loc,
                    "a model returns tensors, but this is " + describe(*value));
      std::string name = expr->kind == Expr::Kind::Name
                             ? expr->text
                             : "output" + std::to_string(index);
      for (auto &existing : frame.outputs)
        if (existing.first == name)
          return fail(expr->loc, "output '" + name + "' is returned twice");
      frame.outputs.emplace_back(name, std::move(*value));
    }
  } else {
    FailureOr<std::vector<Val>> values = evaluateAll(statement.values, frame);
    if (failed(values))
      return failure();
    if (values->size() == 1) {
      frame.returned = std::move(values->front());
    } else {
      FailureOr<Val> list = makeList(statement.loc, std::move(*values));
      if (failed(list))
        return failure();
      frame.returned = std::move(*list);
    }
  }
  frame.returnLoc = statement.loc;
  return success();
}

LogicalResult Emitter::executeFor(const Stmt &statement, Frame &frame,
                                  SeqState *seq) {
  FailureOr<Val> sequence = evaluate(*statement.value, frame);
  if (failed(sequence))
    return failure();
  if (!sequence->is(Val::Kind::List))
    return fail(statement.value->loc,
                "a for loop runs over a list, e.g. 'range(4)' or "
                "'[16, 24, 32]', but this is " +
                    describe(*sequence));
  for (const Val &element : sequence->elements()) {
    frame.variables[statement.target] = element;
    frame.definedAt[statement.target] = statement.targetLoc;
    if (failed(execute(statement.body, frame, seq)))
      return failure();
    if (frame.done())
      return success();
  }
  return success();
}

LogicalResult Emitter::executeStage(const Stmt &statement, Frame &frame,
                                    SeqState &seq) {
  const Expr &expr = *statement.value;
  std::string stageName = statement.kind == Stmt::Kind::Labeled
                              ? statement.target
                              : std::to_string(seq.nextIndex);
  if (statement.kind == Stmt::Kind::Expr)
    ++seq.nextIndex;
  FailureOr<Val> result;
  if (expr.kind == Expr::Kind::Call && !expr.takesPipedInput) {
    result = evaluateCall(expr, frame, seq.running, stageName);
  } else if (expr.kind == Expr::Kind::Seq && expr.operands.empty()) {
    // A nested nn.Sequential: its stages are numbered under this one's.
    result = evaluateSeq(expr, frame, seq.running, stageName);
  } else if (expr.kind == Expr::Kind::Name &&
             !frame.variables.count(expr.text)) {
    // A bare op or block name: called with the running value alone.
    Expr call(Expr::Kind::Call, expr.loc);
    call.text = expr.text;
    result = evaluateCall(call, frame, seq.running, stageName);
  } else {
    return fail(expr.loc, "a seq stage must be a call of an op or block, "
                          "which receives the value flowing through the "
                          "seq (e.g. 'relu' or 'conv2d(64, kernel=3)'), or "
                          "a nested 'seq { ... }'");
  }
  if (failed(result))
    return failure();
  seq.running = std::move(*result);
  return success();
}

std::optional<EmittedModel>
cnnc::frontend::emitModel(const Module &module, MLIRContext &context,
                          Diagnostics &diagnostics) {
  context.loadDialect<cnn::CNNDialect, func::FuncDialect>();
  Emitter emitter(module, context, diagnostics);
  return emitter.run();
}
