//===- ReportFusion.cpp - what the fusion passes fused, and what not ------===//

#include "cnnc/Dialect/CNNOps.h"
#include "cnnc/Passes/FusionReport.h"
#include "cnnc/Passes/Passes.h"

#include "llvm/Support/raw_ostream.h"

namespace cnnc {
#define GEN_PASS_DEF_CNNREPORTFUSION
#include "cnnc/Passes/Passes.h.inc"
} // namespace cnnc

using namespace mlir;

namespace {

struct ReportFusionPass : cnnc::impl::CNNReportFusionBase<ReportFusionPass> {
  using CNNReportFusionBase::CNNReportFusionBase;

  void runOnOperation() override {
    if (format != "text" && format != "json") {
      getOperation().emitError("cnn-report-fusion: format must be text or "
                               "json, got '")
          << format << "'";
      return signalPassFailure();
    }
    cnnc::fusion::printFusionReport(
        cnnc::fusion::describeFusion(getOperation()),
        format == "json" ? cnnc::fusion::FusionReportFormat::JSON
                         : cnnc::fusion::FusionReportFormat::Text,
        llvm::errs());
    markAllAnalysesPreserved();
  }
};

} // namespace
