//===- AST.h - syntax tree of the .cnn model language -----------*- C++ -*-===//
//
// The parser builds this tree; the emitter evaluates it. Every node keeps the
// source location it came from, so that evaluation errors and the emitted IR
// point back to the model's text.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_FRONTEND_AST_H
#define CNNC_FRONTEND_AST_H

#include "cnnc/Frontend/Lexer.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/SMLoc.h"

#include <memory>
#include <string>
#include <vector>

namespace cnnc::frontend {

struct Expr;
struct Stmt;
using ExprPtr = std::unique_ptr<Expr>;
using StmtPtr = std::unique_ptr<Stmt>;
using StmtList = std::vector<StmtPtr>;

struct Argument {
  std::string keyword; // Empty for a positional argument.
  llvm::SMLoc loc;
  ExprPtr value;
};

struct Expr {
  enum class Kind {
    Integer,
    Float,
    String,
    Bool,
    Name,
    List,
    Unary,  // op: Minus or KwNot; operands[0].
    Binary, // op; operands[0], operands[1].
    Index,  // operands[0][operands[1]].
    Call,   // callee(arguments), optionally `as name`.
    Seq,    // seq(operands[0]) { body }; no operand: a nested `seq { body }`
            // stage, whose input is the enclosing seq's value.
  };

  Kind kind;
  llvm::SMLoc loc;
  /// Levels of the tree below and including this node (a leaf is 1); the
  /// parser keeps it within limits::kNesting.
  unsigned height = 1;
  int64_t intValue = 0;
  double floatValue = 0;
  std::string text; // String contents, name, callee.
  TokenKind op = TokenKind::Eof;
  std::vector<ExprPtr> operands;
  // Call: arguments, and whether the value piped in by `->` or `seq` goes
  // first. Its name: `as` followed by an expression (evaluated to a string or
  // integer), or null.
  std::vector<Argument> arguments;
  bool takesPipedInput = false;
  ExprPtr name;
  // Seq.
  StmtList body;

  Expr(Kind kind, llvm::SMLoc loc) : kind(kind), loc(loc) {}
};

struct Stmt {
  enum class Kind {
    Assign,  // target = value.
    Return,  // return values...
    If,      // if condition { body } else { elseBody }.
    For,     // for target in value { body }: value is a list.
    Expr,    // value (a stage of a seq).
    Labeled, // target: value (a named stage of a seq).
  };

  Kind kind;
  llvm::SMLoc loc;
  /// As Expr::height.
  unsigned height = 1;
  std::string target;
  llvm::SMLoc targetLoc;
  ExprPtr value;
  std::vector<ExprPtr> values;
  StmtList body;
  StmtList elseBody;

  Stmt(Kind kind, llvm::SMLoc loc) : kind(kind), loc(loc) {}
};

struct Parameter {
  std::string name;
  llvm::SMLoc loc;
  ExprPtr defaultValue; // Null when the argument is required.
};

struct InputDecl {
  std::string name;
  llvm::SMLoc loc;
  std::string elementType; // f32, f16, bf16, f64.
  llvm::SmallVector<int64_t> shape;
};

struct BlockDecl {
  std::string name;
  llvm::SMLoc loc;
  std::vector<Parameter> parameters;
  StmtList body;
};

struct ModelDecl {
  std::string name;
  llvm::SMLoc loc;
  std::vector<InputDecl> inputs;
  StmtList body;
};

struct Module {
  std::vector<std::unique_ptr<BlockDecl>> blocks;
  std::unique_ptr<ModelDecl> model;
};

} // namespace cnnc::frontend

#endif // CNNC_FRONTEND_AST_H
