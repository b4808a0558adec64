//===- FusionReportFormats.cpp - the fusion report as text and as JSON ----===//
//
// The JSON is docs/fusion-report.md's schema, version 1: keys in a fixed
// order, arrays in program order, so that a report compares with diff. A
// change that drops or renames a key is a new version.
//
//===----------------------------------------------------------------------===//

#include "cnnc/Passes/FusionReport.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/JSON.h"

#include <fmt/format.h>

using namespace cnnc::fusion;

namespace {

constexpr int kSchemaVersion = 1;

std::string formatPosition(const SourcePosition &position) {
  return fmt::format("{}:{}:{}", position.file, position.line, position.column);
}

/// "conv2d features.1.0.block.1.0 [model.cnn:12:5]".
std::string formatOp(const ReportedOp &op) {
  std::string text = llvm::StringRef(op.name).split('.').second.str();
  if (text.empty())
    text = op.name;
  if (!op.layer.empty())
    text += " " + op.layer;
  text += " [" + (op.position ? formatPosition(*op.position) : "?") + "]";
  return text;
}

std::string formatChain(const std::vector<ReportedOp> &ops) {
  std::vector<std::string> parts;
  for (const ReportedOp &op : ops)
    parts.push_back(formatOp(op));
  return llvm::join(parts, " -> ");
}

void printText(const FusionReport &report, llvm::raw_ostream &os) {
  for (const FunctionReport &function : report.functions) {
    os << fmt::format("fusion report for @{}:\n", function.name);
    int64_t ops = 0, intermediate = 0, traffic = 0;
    for (const FusedChain &chain : function.fused) {
      ops += static_cast<int64_t>(chain.ops.size());
      os << fmt::format("  #{} {}", chain.id, chain.kind);
      if (chain.tileRows)
        os << fmt::format(" (tiles of {} rows)", *chain.tileRows);
      os << ": " << formatChain(chain.ops) << "\n";
      if (!chain.fusedLowering) {
        os << "     lowered op by op (a kind without a fused lowering): "
              "intermediates stay in memory\n";
        continue;
      }
      intermediate += chain.intermediateBytes;
      traffic += chain.trafficBytes;
      os << fmt::format("     intermediate tensors no longer in memory: {} "
                        "bytes ({} bytes of traffic{})\n",
                        chain.intermediateBytes, chain.trafficBytes,
                        chain.trafficBytes == 2 * chain.intermediateBytes
                            ? ": written, read"
                            : ", with the pool's read of its input");
    }
    for (const RejectedChain &chain : function.notFused) {
      os << fmt::format("  not fused: {}, by {} ({}): {}\n", chain.kind,
                        chain.pass, chain.reason, chain.detail);
      os << "     " << formatChain(chain.ops) << "\n";
      if (!chain.inFusedChains.empty()) {
        std::vector<std::string> ids;
        for (int64_t id : chain.inFusedChains)
          ids.push_back("#" + std::to_string(id));
        os << fmt::format("     (part of it is in fused chain{} {})\n",
                          ids.size() > 1 ? "s" : "", llvm::join(ids, ", "));
      }
    }
    if (function.extendingConcats)
      os << fmt::format("  concat chains: {} concats extend the one before, "
                        "in one buffer: {} bytes no longer copied ({} bytes "
                        "of traffic)\n",
                        function.extendingConcats, function.uncopiedBytes,
                        2 * function.uncopiedBytes);
    os << fmt::format("  total: {} fused chains of {} ops; {} bytes of "
                      "intermediate tensors, {} bytes of traffic removed; {} "
                      "candidate chains not fused\n",
                      function.fused.size(), ops, intermediate, traffic,
                      function.notFused.size());
  }
  if (report.scratch)
    os << fmt::format(
        "  scratch memory: {} bytes without fusion, {} bytes with{}\n",
        report.scratch->unfusedBytes, report.scratch->fusedBytes,
        report.scratch->fusion ? "" : " (--no-fusion)");
}

void writePosition(llvm::json::OStream &json, const SourcePosition &position) {
  json.object([&] {
    json.attribute("file", position.file);
    json.attribute("line", static_cast<int64_t>(position.line));
    json.attribute("column", static_cast<int64_t>(position.column));
  });
}

void writeOps(llvm::json::OStream &json, const std::vector<ReportedOp> &ops) {
  json.attributeArray("ops", [&] {
    for (const ReportedOp &op : ops)
      json.object([&] {
        json.attribute("op", op.name);
        json.attribute("layer", op.layer.empty() ? llvm::json::Value(nullptr)
                                                 : llvm::json::Value(op.layer));
        json.attributeBegin("position");
        if (op.position)
          writePosition(json, *op.position);
        else
          json.value(nullptr);
        json.attributeEnd();
        json.attributeArray("called_from", [&] {
          for (const SourcePosition &call : op.calledFrom)
            writePosition(json, call);
        });
      });
  });
}

void writeFunction(llvm::json::OStream &json, const FunctionReport &function) {
  int64_t ops = 0, intermediate = 0, traffic = 0;
  json.attribute("name", function.name);
  json.attributeArray("fused", [&] {
    for (const FusedChain &chain : function.fused) {
      ops += static_cast<int64_t>(chain.ops.size());
      intermediate += chain.intermediateBytes;
      traffic += chain.trafficBytes;
      json.object([&] {
        json.attribute("id", chain.id);
        json.attribute("kind", chain.kind);
        json.attribute("tile_rows", chain.tileRows
                                        ? llvm::json::Value(*chain.tileRows)
                                        : llvm::json::Value(nullptr));
        json.attribute("lowering", chain.fusedLowering ? "fused" : "op_by_op");
        writeOps(json, chain.ops);
        json.attribute("intermediate_bytes", chain.intermediateBytes);
        json.attribute("traffic_bytes", chain.trafficBytes);
      });
    }
  });
  json.attributeArray("not_fused", [&] {
    for (const RejectedChain &chain : function.notFused)
      json.object([&] {
        json.attribute("kind", chain.kind);
        json.attribute("pass", chain.pass);
        json.attribute("reason", chain.reason);
        json.attribute("detail", chain.detail);
        writeOps(json, chain.ops);
        json.attributeArray("in_fused_chains", [&] {
          for (int64_t id : chain.inFusedChains)
            json.value(id);
        });
      });
  });
  json.attributeObject("concat_chains", [&] {
    json.attribute("extending_concats", function.extendingConcats);
    json.attribute("uncopied_bytes", function.uncopiedBytes);
    json.attribute("traffic_bytes", 2 * function.uncopiedBytes);
  });
  json.attributeObject("total", [&] {
    json.attribute("fused_chains", static_cast<int64_t>(function.fused.size()));
    json.attribute("fused_ops", ops);
    json.attribute("intermediate_bytes", intermediate);
    json.attribute("traffic_bytes", traffic);
    json.attribute("not_fused", static_cast<int64_t>(function.notFused.size()));
  });
}

void printJSON(const FusionReport &report, llvm::raw_ostream &os) {
  llvm::json::OStream json(os, /*IndentSize=*/2);
  json.object([&] {
    json.attribute("schema", "cnnc-fusion-report");
    json.attribute("version", kSchemaVersion);
    json.attributeArray("functions", [&] {
      for (const FunctionReport &function : report.functions)
        json.object([&] { writeFunction(json, function); });
    });
    json.attributeBegin("scratch");
    if (report.scratch)
      json.object([&] {
        json.attribute("unfused_bytes", report.scratch->unfusedBytes);
        json.attribute("fused_bytes", report.scratch->fusedBytes);
        json.attribute("fusion", report.scratch->fusion);
      });
    else
      json.value(nullptr);
    json.attributeEnd();
  });
  os << "\n";
}

} // namespace

void cnnc::fusion::printFusionReport(const FusionReport &report,
                                     FusionReportFormat format,
                                     llvm::raw_ostream &os) {
  if (format == FusionReportFormat::JSON)
    printJSON(report, os);
  else
    printText(report, os);
}
