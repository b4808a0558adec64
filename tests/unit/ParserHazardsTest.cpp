//===- ParserHazardsTest.cpp - the scan for IR upstream parsers crash on --===//

#include "cnnc/Support/ParserHazards.h"

#include <catch2/catch.hpp>

#include <string>

using cnnc::findParserHazard;

namespace {

/// The offset of the first hazard in `text`, or -1 if it has none.
long hazardAt(const std::string &text) {
  std::optional<cnnc::ParserHazard> hazard = findParserHazard(text);
  return hazard ? static_cast<long>(hazard->offset) : -1;
}

} // namespace

TEST_CASE("a linalg op's properties that are not a dictionary are refused",
          "[parser-hazards]") {
  CHECK(hazardAt("linalg.log<1>") == 10);
  CHECK(hazardAt("linalg.log <[1, 2, 3]>") == 11);
  CHECK(hazardAt("%0 = linalg.matmul\n  <\"abc\"> ins(%a, %b : ...)") == 21);
  CHECK(hazardAt("linalg.exp < // a comment\n 1>") == 11);
  // An alias may name any attribute: only a written dictionary is taken.
  CHECK(hazardAt("#d = {a = 1}\nlinalg.log<#d>") == 23);
  // The unfinished text of a fuzzer's input.
  CHECK(hazardAt("linalg.log<") == 10);
  // linalg.generic puts them after its attribute dictionary, whatever that
  // dictionary holds.
  CHECK(hazardAt("linalg.generic {a = \"}\", b = {c}} <1>") == 34);
  // Only the first hazard is reported.
  CHECK(hazardAt("linalg.fill<2> linalg.log<1>") == 11);
  std::optional<cnnc::ParserHazard> hazard = findParserHazard("linalg.log<1>");
  REQUIRE(hazard);
  CHECK(hazard->message.find("'linalg.log'") != std::string::npos);
  CHECK(hazard->message.find("<{...}>") != std::string::npos);
}

TEST_CASE("IR upstream parsers take is not refused", "[parser-hazards]") {
  // Properties as a dictionary, with or without space or comments.
  CHECK(hazardAt("linalg.log<{a = 1}> ins(%x : f32)") == -1);
  CHECK(hazardAt("linalg.log < // c\n {a = 1}>") == -1);
  CHECK(hazardAt("linalg.generic {indexing_maps = []} <{x}> ins()") == -1);
  // No properties at all.
  CHECK(hazardAt("linalg.conv_2d_nchw_fchw {strides = dense<2> : "
                 "tensor<2xi64>} ins(%x, %w : memref<1x2x9x9xf32>, "
                 "memref<12x2x3x3xf32>) outs(%y : memref<1x12x4x4xf32>)") ==
        -1);
  CHECK(hazardAt("linalg.yield %0 : f32") == -1);
  CHECK(hazardAt("linalg.") == -1);
  // The same characters in strings, comments and other tokens.
  CHECK(hazardAt("\"linalg.log<1>\"") == -1);
  CHECK(hazardAt("\"a\\\" linalg.log<1>\"") == -1);
  CHECK(hazardAt("// linalg.log<1>\nfunc.func @f()") == -1);
  CHECK(hazardAt("%linalg.log<1> ^linalg.x<1> @linalg.f<1> #linalg.a<1> "
                 "!linalg.t<1> mylinalg.log<1> 4xlinalg.log<1>") == -1);
  // The generic form is parsed by MLIR's own generic parser.
  CHECK(hazardAt("\"linalg.log\"(%x) <1> : (f32) -> ()") == -1);
  // MLIR bytecode keeps its strings without quotes; its reader parses no
  // custom syntax.
  CHECK(hazardAt(std::string("ML\xefR\x00 note linalg.log<1> ", 25)) == -1);
  // An unterminated string or comment ends the scan.
  CHECK(hazardAt("\"linalg.log<1>") == -1);
  CHECK(hazardAt("\"abc\nlinalg.log<1>") == 15);
}
