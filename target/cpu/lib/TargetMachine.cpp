//===- TargetMachine.cpp - the machine that code is generated for ---------===//

#include "cnnc/Target/CPU/TargetMachine.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

#include <fmt/format.h>

using namespace llvm;

namespace {

Error targetError(const std::string &message) {
  return createStringError(inconvertibleErrorCode(), message);
}

/// As clang's: constructors and destructors in .init_array/.fini_array,
/// which a library linked without crt files runs (not .ctors/.dtors).
TargetOptions targetOptions() {
  TargetOptions options;
  options.UseInitArray = true;
  return options;
}

void initializeTargets() {
  static bool initialized = [] {
    InitializeAllTargetInfos();
    InitializeAllTargets();
    InitializeAllTargetMCs();
    InitializeAllAsmPrinters();
    // The runtime's inline assembly (cpuid in cnnc_cpu.c) is parsed.
    InitializeAllAsmParsers();
    return true;
  }();
  (void)initialized;
}

/// " (did you mean 'NAME'?)" for the known name nearest to `name`, when one
/// is near enough to be a typo: an edit per three letters.
template <typename Range>
std::string suggestion(StringRef name, const Range &known) {
  StringRef best;
  unsigned bestDistance = name.size() / 3 + 1;
  for (const auto &entry : known) {
    unsigned distance = name.edit_distance(entry.Key, true, bestDistance);
    if (distance < bestDistance) {
      best = entry.Key;
      bestDistance = distance;
    }
  }
  return best.empty() ? "" : fmt::format(" (did you mean '{}'?)", best.str());
}

/// The host's features as LLVM's feature string.
std::string hostFeatures() {
  std::string features;
  for (auto &feature : sys::getHostCPUFeatures())
    features +=
        fmt::format("{}{},", feature.second ? "+" : "-", feature.first());
  return features;
}

/// Checks each "+name" or "-name" of `attributes` against `info`.
Error checkFeatures(StringRef attributes, const MCSubtargetInfo &info,
                    StringRef triple) {
  SmallVector<StringRef> items;
  attributes.split(items, ',', -1, /*KeepEmpty=*/false);
  for (StringRef item : items) {
    item = item.trim();
    if (!item.starts_with("+") && !item.starts_with("-"))
      return targetError(fmt::format(
          "--mattr takes features to add (+name) or remove (-name), "
          "separated by commas; got '{}'",
          item.str()));
    StringRef name = item.drop_front();
    if (!llvm::any_of(info.getAllProcessorFeatures(),
                      [&](const SubtargetFeatureKV &feature) {
                        return name == feature.Key;
                      }))
      return targetError(fmt::format(
          "'{}' is not a feature of target '{}'{}; `llc-19 -mtriple={} "
          "-mattr=help` lists them",
          name.str(), triple.str(),
          suggestion(name, info.getAllProcessorFeatures()), triple.str()));
  }
  return Error::success();
}

} // namespace

Expected<cnnc::ResolvedTarget> cnnc::resolveTarget(const TargetSpec &spec) {
  initializeTargets();
  ResolvedTarget resolved;
  // Normalized: "aarch64-linux-gnu" is aarch64-unknown-linux-gnu, whose
  // fields Triple reads by position.
  resolved.triple = Triple::normalize(
      spec.triple.empty() ? sys::getDefaultTargetTriple() : spec.triple);
  std::string error;
  const Target *target = TargetRegistry::lookupTarget(resolved.triple, error);
  if (!target)
    return targetError(fmt::format(
        "unknown target triple '{}': {} (`llc-19 --version` lists the "
        "registered targets)",
        resolved.triple, error));
  Triple triple(resolved.triple);
  bool hostArch = triple.getArch() == Triple(sys::getProcessTriple()).getArch();
  bool hostCpu = spec.cpu.empty() || spec.cpu == "host" || spec.cpu == "native";
  if (hostCpu && !hostArch) {
    if (!spec.cpu.empty())
      return targetError(fmt::format(
          "--mcpu={} names this machine's CPU, which cannot run code for "
          "target '{}': name one of the target's CPUs (default: generic)",
          spec.cpu, resolved.triple));
    // Another architecture: code that runs on any of its CPUs.
    resolved.cpu = "generic";
  } else if (hostCpu) {
    resolved.cpu = sys::getHostCPUName().str();
    resolved.features = hostFeatures();
  } else {
    resolved.cpu = spec.cpu;
  }
  std::unique_ptr<MCSubtargetInfo> info(
      target->createMCSubtargetInfo(resolved.triple, "", ""));
  if (!info)
    return targetError(fmt::format("cannot describe the CPUs of target '{}'",
                                   resolved.triple));
  if (!hostCpu && !info->isCPUStringValid(resolved.cpu))
    return targetError(fmt::format(
        "'{}' is not a CPU of target '{}'{}; `llc-19 -mtriple={} -mcpu=help` "
        "lists them (default: the host's CPU for the host's architecture, "
        "generic for another)",
        resolved.cpu, resolved.triple,
        suggestion(resolved.cpu, info->getAllProcessorDescriptions()),
        resolved.triple));
  if (Error error = checkFeatures(spec.features, *info, resolved.triple))
    return std::move(error);
  resolved.features += spec.features;
  return resolved;
}

Expected<std::unique_ptr<TargetMachine>>
cnnc::createTargetMachine(const TargetSpec &spec) {
  Expected<ResolvedTarget> resolved = resolveTarget(spec);
  if (!resolved)
    return resolved.takeError();
  std::string error;
  const Target *target = TargetRegistry::lookupTarget(resolved->triple, error);
  CodeGenOptLevel level = spec.optLevel == 0   ? CodeGenOptLevel::None
                          : spec.optLevel == 1 ? CodeGenOptLevel::Less
                          : spec.optLevel == 2 ? CodeGenOptLevel::Default
                                               : CodeGenOptLevel::Aggressive;
  // Position-independent: the code goes into a shared library.
  std::unique_ptr<TargetMachine> machine(target->createTargetMachine(
      resolved->triple, resolved->cpu, resolved->features, targetOptions(),
      Reloc::PIC_, std::nullopt, level));
  if (!machine)
    return targetError(fmt::format("cannot create a target machine for "
                                   "'{}' and cpu '{}'",
                                   resolved->triple, resolved->cpu));
  return machine;
}
