//===- TargetMachine.h - the machine that code is generated for -*- C++ -*-===//
//
// Turns what the user asked for (--mtriple, --mcpu, --mattr) into an LLVM
// TargetMachine, checking each name against the target first: LLVM itself
// prints a warning and carries on with a CPU or feature it does not know,
// and aborts later when the host's CPU is applied to another architecture.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_TARGET_CPU_TARGETMACHINE_H
#define CNNC_TARGET_CPU_TARGETMACHINE_H

#include "cnnc/Target/CPU/Emission.h"

#include "llvm/Support/Error.h"
#include "llvm/Target/TargetMachine.h"

#include <memory>
#include <string>

namespace cnnc {

/// A TargetSpec with every default filled in and every name checked.
struct ResolvedTarget {
  std::string triple;
  /// The CPU: the host's for the host's architecture, `generic` for
  /// another (unless the spec names one).
  std::string cpu;
  /// LLVM's feature string: the host's features for the host's CPU, then
  /// the spec's --mattr.
  std::string features;
};

/// Fills in `spec`'s defaults and checks its names: an unknown triple, a CPU
/// or a feature the target does not have, and the host's CPU (`host`,
/// `native`) for another architecture are errors that say how to list the
/// valid names.
llvm::Expected<ResolvedTarget> resolveTarget(const TargetSpec &spec);

/// The target machine for `spec` (resolveTarget's), position-independent
/// code for a shared library.
llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createTargetMachine(const TargetSpec &spec);

} // namespace cnnc

#endif // CNNC_TARGET_CPU_TARGETMACHINE_H
