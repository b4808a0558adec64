//===- CNames.h - the C names a generated library declares ------*- C++ -*-===//
//
// A generated library exports `<name>_run`, `<name>_model` and the rest of
// docs/c-api.md, and its header names the model's tensors as parameters. A
// model's name and its tensors' names come from the user (a .cnn file, an
// ONNX graph, cnnc --name), so each is checked here before it becomes C.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_TARGET_CPU_CNAMES_H
#define CNNC_TARGET_CPU_CNAMES_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <string>
#include <vector>

namespace cnnc {

/// Whether `name` is a keyword of C (up to C23) or C++: the header serves
/// both languages.
bool isCKeyword(llvm::StringRef name);

/// Why `name` cannot prefix a library's symbols (`<name>_run`): not a C
/// identifier, a keyword, a name C reserves (a leading '_'), or one that
/// begins with `cnnc_rt_`, the thread-pool runtime's; empty when it can.
std::string symbolPrefixProblem(llvm::StringRef name);

/// The parameter names that the header of the library `prefix` gives the
/// model's tensors (inputs, then outputs): each tensor's own name where C
/// takes it, else `inputN` or `outputN`. C does not take a keyword, a name
/// that begins with '_', a name the header or stdint.h declares (`context`,
/// `scratch`, `<prefix>_...`, `cnnc_...`, `uint16_t`, `INT32_MAX`), a
/// common macro of libc (`NULL`, `EOF`, `errno`), nor a name twice (an
/// output named like an input).
std::vector<std::string>
headerParameterNames(llvm::StringRef prefix, llvm::ArrayRef<std::string> inputs,
                     llvm::ArrayRef<std::string> outputs);

/// The name of a library's model function, internal to the library: a name
/// no C symbol has (it holds a dot), so that no model's name can take the
/// place of a C library function the code calls (`free`, `expf`).
std::string internalModelFunctionName(llvm::StringRef prefix);

} // namespace cnnc

#endif // CNNC_TARGET_CPU_CNAMES_H
