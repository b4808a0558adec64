//===- Parser.cpp - parser of the .cnn model language ---------------------===//
//
// Recursive descent over the grammar in docs/language.md: tokens,
// declarations and statements; the expressions are in ParseExpressions.cpp.
//
//===----------------------------------------------------------------------===//

#include "ParserImpl.h"

#include "cnnc/Frontend/Parser.h"

#include "llvm/ADT/StringSet.h"

#include <algorithm>

using namespace cnnc::frontend;
using namespace cnnc::frontend::parser;

namespace {

unsigned heightOf(const StmtList &body) {
  unsigned height = 0;
  for (const StmtPtr &statement : body)
    height = std::max(height, statement->height);
  return height;
}

unsigned heightOf(const ExprPtr &expr) { return expr ? expr->height : 0; }

} // namespace

unsigned parser::childHeight(const Expr &expr) {
  unsigned height = std::max(heightOf(expr.name), heightOf(expr.body));
  for (const ExprPtr &operand : expr.operands)
    height = std::max(height, heightOf(operand));
  for (const Argument &argument : expr.arguments)
    height = std::max(height, heightOf(argument.value));
  return height;
}

unsigned parser::childHeight(const Stmt &statement) {
  unsigned height =
      std::max({heightOf(statement.value), heightOf(statement.body),
                heightOf(statement.elseBody)});
  for (const ExprPtr &value : statement.values)
    height = std::max(height, heightOf(value));
  return height;
}

bool Parser::startsNewLine(const Token &token) const {
  if (!previousEnd)
    return true;
  for (const char *p = previousEnd; p < token.text.data(); ++p)
    if (*p == '\n')
      return true;
  return false;
}

void Parser::errorAtCurrent(const llvm::Twine &message) {
  // An Error token was reported by the lexer already.
  if (!at(TokenKind::Error))
    diagnostics.error(peek().loc(), message);
}

bool Parser::expect(TokenKind kind, llvm::StringRef context) {
  if (consumeIf(kind))
    return true;
  if (at(TokenKind::Eof))
    errorAtCurrent("expected " + describe(kind) + " " + context +
                   ", but the file ends here");
  else
    errorAtCurrent("expected " + describe(kind) + " " + context + ", found " +
                   (at(TokenKind::Identifier) || at(TokenKind::Integer)
                        ? "'" + peek().text.str() + "'"
                        : describe(peek().kind).str()));
  return false;
}

void Parser::synchronize() {
  int nesting = 0;
  while (!at(TokenKind::Eof)) {
    if (nesting == 0) {
      if (at(TokenKind::RBrace))
        return;
      if ((at(TokenKind::KwReturn) || at(TokenKind::KwIf) ||
           at(TokenKind::KwFor) || at(TokenKind::KwBlock) ||
           at(TokenKind::KwModel) ||
           (at(TokenKind::Identifier) && (peekNext().is(TokenKind::Assign) ||
                                          peekNext().is(TokenKind::Colon)))) &&
          startsNewLine(peek()))
        return;
      if (consumeIf(TokenKind::Semicolon))
        return;
    }
    if (at(TokenKind::LParen) || at(TokenKind::LBracket) ||
        at(TokenKind::LBrace))
      ++nesting;
    else if ((at(TokenKind::RParen) || at(TokenKind::RBracket) ||
              at(TokenKind::RBrace)) &&
             nesting > 0)
      --nesting;
    consume();
  }
}

std::optional<Module> Parser::parse() {
  Module module;
  llvm::StringSet<> blockNames;
  while (!at(TokenKind::Eof) && !diagnostics.tooMany()) {
    if (at(TokenKind::KwBlock)) {
      if (auto block = parseBlock()) {
        if (!blockNames.insert(block->name).second)
          diagnostics.error(block->loc,
                            "block '" + block->name + "' is defined twice");
        module.blocks.push_back(std::move(block));
      }
      continue;
    }
    if (at(TokenKind::KwModel)) {
      SMLoc loc = peek().loc();
      auto model = parseModel();
      if (model && module.model) {
        diagnostics.error(loc, "a file describes one model, but '" +
                                   model->name + "' is a second one");
        diagnostics.note(module.model->loc, "the first model is here");
      } else if (model) {
        module.model = std::move(model);
      }
      continue;
    }
    errorAtCurrent("expected 'block' or 'model' at the top level, found " +
                   (at(TokenKind::Identifier) ? "'" + peek().text.str() + "'"
                                              : describe(peek().kind).str()));
    consume();
    synchronize();
    // A stray '}' at the top level would stop synchronize forever.
    consumeIf(TokenKind::RBrace);
  }
  if (diagnostics.numErrors() == 0 && !module.model) {
    llvm::SMLoc end = peek().loc();
    diagnostics.error(end, "the file declares no model: write "
                           "'model NAME(input: f32[...]) { ... }'");
  }
  if (diagnostics.numErrors() != 0)
    return std::nullopt;
  return module;
}

template <typename Decl>
std::unique_ptr<Decl> Parser::parseDeclarationStart(llvm::StringRef keyword,
                                                    llvm::StringRef contents) {
  consume(); // The keyword.
  auto decl = std::make_unique<Decl>();
  decl->loc = peek().loc();
  decl->name = peek().text.str();
  if (!expect(TokenKind::Identifier, ("after '" + keyword + "'").str()) ||
      !expect(TokenKind::LParen, ("before the " + contents).str())) {
    synchronize();
    return nullptr;
  }
  return decl;
}

bool Parser::parseDeclarationEnd(StmtList &body, llvm::StringRef contents) {
  if (expect(TokenKind::RParen, ("after the " + contents).str()) &&
      parseBody(body))
    return true;
  synchronize();
  return false;
}

std::unique_ptr<BlockDecl> Parser::parseBlock() {
  auto block = parseDeclarationStart<BlockDecl>("block", "block's parameters");
  if (!block)
    return nullptr;
  llvm::StringSet<> names;
  if (!at(TokenKind::RParen)) {
    do {
      Parameter parameter;
      parameter.loc = peek().loc();
      parameter.name = peek().text.str();
      if (!expect(TokenKind::Identifier, "as a parameter name")) {
        synchronize();
        return nullptr;
      }
      if (!names.insert(parameter.name).second)
        diagnostics.error(parameter.loc,
                          "parameter '" + parameter.name + "' appears twice");
      if (consumeIf(TokenKind::Assign)) {
        parameter.defaultValue = parseExpr();
        if (!parameter.defaultValue) {
          synchronize();
          return nullptr;
        }
      } else if (!block->parameters.empty() &&
                 block->parameters.back().defaultValue) {
        diagnostics.error(parameter.loc,
                          "parameter '" + parameter.name +
                              "' needs a default value: it follows one");
      }
      block->parameters.push_back(std::move(parameter));
    } while (consumeIf(TokenKind::Comma));
  }
  if (!parseDeclarationEnd(block->body, "block's parameters"))
    return nullptr;
  return block;
}

std::unique_ptr<ModelDecl> Parser::parseModel() {
  auto model = parseDeclarationStart<ModelDecl>("model", "model's inputs");
  if (!model)
    return nullptr;
  do {
    InputDecl input;
    input.loc = peek().loc();
    input.name = peek().text.str();
    if (!expect(TokenKind::Identifier, "as an input name") ||
        !expect(TokenKind::Colon, "between an input's name and its type")) {
      synchronize();
      return nullptr;
    }
    SMLoc typeLoc = peek().loc();
    input.elementType = peek().text.str();
    if (!expect(TokenKind::Identifier, "as the element type (f32, f16, bf16 "
                                       "or f64)")) {
      synchronize();
      return nullptr;
    }
    if (input.elementType != "f32" && input.elementType != "f16" &&
        input.elementType != "bf16" && input.elementType != "f64")
      diagnostics.error(typeLoc, "unknown element type '" + input.elementType +
                                     "': use f32, f16, bf16 or f64");
    if (!expect(TokenKind::LBracket, "before the input's shape")) {
      synchronize();
      return nullptr;
    }
    do {
      Token size = peek();
      if (!expect(TokenKind::Integer, "as a dimension size")) {
        synchronize();
        return nullptr;
      }
      if (size.intValue <= 0)
        diagnostics.error(size.loc(), "dimension sizes must be positive");
      input.shape.push_back(size.intValue);
    } while (consumeIf(TokenKind::Comma));
    if (!expect(TokenKind::RBracket, "after the input's shape")) {
      synchronize();
      return nullptr;
    }
    model->inputs.push_back(std::move(input));
  } while (consumeIf(TokenKind::Comma));
  if (!parseDeclarationEnd(model->body, "model's inputs"))
    return nullptr;
  return model;
}

bool Parser::parseBody(StmtList &body) {
  SMLoc open = peek().loc();
  if (!expect(TokenKind::LBrace, "to open a body"))
    return false;
  Nested nested(depth);
  if (depth > limits::kNesting) {
    errorAtCurrent(fmt::format(
        "bodies are nested too deeply: at most {} levels", limits::kNesting));
    return false;
  }
  while (!at(TokenKind::RBrace) && !at(TokenKind::Eof) &&
         !diagnostics.tooMany()) {
    if (at(TokenKind::KwBlock) || at(TokenKind::KwModel)) {
      // Most likely a missing '}' before the next declaration.
      errorAtCurrent("expected '}' to close the body before this " +
                     describe(peek().kind));
      diagnostics.note(open, "the body opens here");
      return false;
    }
    if (StmtPtr statement = parseStatement()) {
      body.push_back(std::move(statement));
      consumeIf(TokenKind::Semicolon);
    } else {
      synchronize();
    }
  }
  if (expect(TokenKind::RBrace, "to close the body"))
    return true;
  if (!diagnostics.tooMany())
    diagnostics.note(open, "the body opens here");
  return false;
}

StmtPtr Parser::parseStatement() {
  SMLoc loc = peek().loc();
  if (at(TokenKind::KwIf))
    return parseIf();
  if (at(TokenKind::KwFor))
    return parseFor();
  if (consumeIf(TokenKind::KwReturn)) {
    auto statement = std::make_unique<Stmt>(Stmt::Kind::Return, loc);
    do {
      ExprPtr value = parseExpr();
      if (!value)
        return nullptr;
      statement->values.push_back(std::move(value));
    } while (consumeIf(TokenKind::Comma));
    return finish(std::move(statement));
  }
  if (at(TokenKind::Identifier) &&
      (peekNext().is(TokenKind::Assign) || peekNext().is(TokenKind::Colon))) {
    Token target = consume();
    bool labeled = consume().is(TokenKind::Colon);
    auto statement = std::make_unique<Stmt>(
        labeled ? Stmt::Kind::Labeled : Stmt::Kind::Assign, loc);
    statement->target = target.text.str();
    statement->targetLoc = target.loc();
    statement->value = parseExpr();
    if (!statement->value)
      return nullptr;
    return finish(std::move(statement));
  }
  auto statement = std::make_unique<Stmt>(Stmt::Kind::Expr, loc);
  statement->value = parseExpr();
  if (!statement->value)
    return nullptr;
  return finish(std::move(statement));
}

StmtPtr Parser::parseIf() {
  auto statement = std::make_unique<Stmt>(Stmt::Kind::If, consume().loc());
  statement->value = parseExpr();
  if (!statement->value || !parseBody(statement->body))
    return nullptr;
  if (consumeIf(TokenKind::KwElse)) {
    if (at(TokenKind::KwIf)) {
      StmtPtr elseIf = parseIf();
      if (!elseIf)
        return nullptr;
      statement->elseBody.push_back(std::move(elseIf));
    } else if (!parseBody(statement->elseBody)) {
      return nullptr;
    }
  }
  return finish(std::move(statement));
}

StmtPtr Parser::parseFor() {
  auto statement = std::make_unique<Stmt>(Stmt::Kind::For, consume().loc());
  statement->targetLoc = peek().loc();
  statement->target = peek().text.str();
  if (!expect(TokenKind::Identifier, "as the loop variable") ||
      !expect(TokenKind::KwIn, "after the loop variable"))
    return nullptr;
  statement->value = parseExpr();
  if (!statement->value || !parseBody(statement->body))
    return nullptr;
  return finish(std::move(statement));
}

std::optional<Module> cnnc::frontend::parseModule(Diagnostics &diagnostics) {
  llvm::SourceMgr &sourceMgr = diagnostics.getSourceMgr();
  llvm::StringRef buffer =
      sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID())->getBuffer();
  Parser parser(buffer, diagnostics);
  return parser.parse();
}
