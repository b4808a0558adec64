//===- Parser.h - parser of the .cnn model language -------------*- C++ -*-===//

#ifndef CNNC_FRONTEND_PARSER_H
#define CNNC_FRONTEND_PARSER_H

#include "cnnc/Frontend/AST.h"
#include "cnnc/Frontend/Diagnostics.h"

#include <optional>

namespace cnnc::frontend {

/// Parses the main buffer of the diagnostics' source manager. Reports every
/// syntax error it can (it resynchronizes at the next statement) and returns
/// std::nullopt when there was any.
std::optional<Module> parseModule(Diagnostics &diagnostics);

} // namespace cnnc::frontend

#endif // CNNC_FRONTEND_PARSER_H
