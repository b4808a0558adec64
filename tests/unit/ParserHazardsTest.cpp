//===- ParserHazardsTest.cpp - the scan for IR upstream parsers crash on --===//

#include "cnnc/Support/ParserHazards.h"

#include <catch2/catch.hpp>

#include <string>

using cnnc::findParserHazard;

namespace {

/// The offset of the first hazard in `text`, split at `marker` as
/// --split-input-file does, or -1 if it has none.
long hazardAt(const std::string &text, const std::string &marker = "") {
  std::optional<cnnc::ParserHazard> hazard = findParserHazard(text, marker);
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
  // Only the first hazard is reported.
  CHECK(hazardAt("linalg.fill<2> linalg.log<1>") == 11);
  std::optional<cnnc::ParserHazard> hazard = findParserHazard("linalg.log<1>");
  REQUIRE(hazard);
  CHECK(hazard->message.find("'linalg.log'") != std::string::npos);
  CHECK(hazard->message.find("<{...}>") != std::string::npos);
}

TEST_CASE("linalg.generic's properties follow its attribute dictionary",
          "[parser-hazards]") {
  CHECK(hazardAt("linalg.generic {a = \"}\", b = {c}} <1>") == 34);
  // The dictionary as an alias, as upstream's tests write it.
  CHECK(hazardAt("linalg.generic #trait <[1, 2]> ins()") == 22);
  // Comments, dialect attributes whose bodies hold "//" or braces, and
  // strings inside the dictionary, as MLIR reads them.
  CHECK(hazardAt("linalg.generic {a = 1 // }\n} <1>") == 29);
  CHECK(hazardAt("linalg.generic {a = #foo<\"//\" {}>} <1>") == 35);
  CHECK(hazardAt("linalg.generic {a = #foo.bar<//>} <1>") == 34);
  CHECK(hazardAt("linalg.generic {a = !foo <(a) -> b>} <1>") == 37);
  CHECK(hazardAt("linalg.generic {i = [#map, #map1], x = dense<1> : "
                 "tensor<2xi64>} <1>") == 65);
  CHECK(hazardAt("linalg.generic {indexing_maps = [affine_map<(i) -> (i)>]} "
                 "<{x}> ins()") == -1);
  // Where MLIR stops with an error first, nothing is refused: a malformed
  // dialect body or string, an unclosed dictionary; up to a split marker.
  CHECK(hazardAt("linalg.generic {a = #foo<(]>} <1>") == -1);
  CHECK(hazardAt("linalg.generic {a = \"\\q\"} <1>") == -1);
  CHECK(hazardAt("linalg.generic {a = 1 <1>") == -1);
  CHECK(hazardAt("\"\\q\" linalg.log<1>\n// -----\nlinalg.log<2>") == -1);
  // However long the dictionary.
  CHECK(hazardAt("linalg.generic {" + std::string(9000, ' ') + "} <1>") ==
        9018);
  // A dialect attribute with a space before its '<' has no body.
  CHECK(hazardAt("linalg.generic #t <{} // <<\n> linalg.log<1> // >>") == 40);
  // Not in a comment or a string: a FileCheck line may quote a generic.
  CHECK(hazardAt("// CHECK: linalg.generic {i = [#[[$IN]], {{.*}}]\n") == -1);
  CHECK(hazardAt("\"linalg.generic {a = 1\"") == -1);
}

TEST_CASE("op names are found as MLIR's lexer finds them", "[parser-hazards]") {
  // Numbers and other names glued to an op name: MLIR's lexer ends them
  // before it.
  CHECK(hazardAt("#a = 5linalg.log<[1]>") == 16);
  CHECK(hazardAt("#a = 0x1linalg.log<[1]>") == 18);
  CHECK(hazardAt("cf.br ^0linalg.log<[1]>") == 18);
  // A comment ends at a carriage return; a NUL byte is whitespace.
  CHECK(hazardAt("// c\rlinalg.log<[1]>") == 15);
  CHECK(hazardAt(std::string("linalg.log\0<[1]>", 16)) == 11);
  CHECK(hazardAt(std::string("linalg.log<\0{a}>", 16)) == -1);
  // A malformed string ends what MLIR parses, up to the next split marker
  // where the tool splits its input.
  CHECK(findParserHazard("\"\\q\" linalg.log<1>\n// -----\nlinalg.log<2>",
                         "// -----")
            ->offset == 38);
  // Not in strings, comments, dialect bodies, or after a sigil.
  CHECK(hazardAt("\"linalg.log<1>\"") == -1);
  CHECK(hazardAt("// linalg.log<1>\n") == -1);
  CHECK(hazardAt("#foo<linalg.log<1>> !foo<\"linalg.log<1>\">") == -1);
  CHECK(hazardAt("{fun = #linalg.binary_fn<mul>} %linalg.log<1>") == -1);
  // After a dialect body, which is not a comment even where it holds "//".
  CHECK(hazardAt("#a = #foo<//>linalg.log<[1]>") == 23);
}

TEST_CASE("the chunks of --split-input-file are scanned one by one",
          "[parser-hazards]") {
  // A marker inside a string splits the text, as MLIR splits before it
  // lexes; a custom marker too; without splitting it is part of the string.
  CHECK(hazardAt("\"// -----linalg.log<[1]>\"", "// -----") == 19);
  CHECK(hazardAt("\"// ===linalg.log<[1]>\"", "// ===") == 17);
  CHECK(hazardAt("\"// -----linalg.log<[1]>\"", "") == -1);
  CHECK(hazardAt("{x = \"// -----\"} linalg.log<[1]>", "") == 27);
  CHECK(hazardAt("{x = \"// -----\"} linalg.log<[1]>", "// ===") == 27);
  // A near miss (the marker's last two characters differ, or a '0' follows)
  // does not split.
  CHECK(hazardAt("\"// -----0linalg.log<[1]>\"", "// -----") == -1);
  CHECK(hazardAt("\"// ---==linalg.log<[1]>\"", "// -----") == -1);
  // Each chunk may be bytecode or text.
  CHECK(hazardAt("ML\xefR\n// -----\nlinalg.log<[1]>\n", "// -----") == 24);
  // A marker of two characters or fewer does not split (upstream hangs).
  CHECK(hazardAt("linalg.log<[1]>", "@@") == 10);
}

TEST_CASE("IR upstream parsers take is not refused", "[parser-hazards]") {
  // Properties as a dictionary, with or without space or comments.
  CHECK(hazardAt("linalg.log<{a = 1}> ins(%x : f32)") == -1);
  CHECK(hazardAt("linalg.log < // c\n {a = 1}>") == -1);
  // No properties at all.
  CHECK(hazardAt("linalg.conv_2d_nchw_fchw {strides = dense<2> : "
                 "tensor<2xi64>} ins(%x, %w : memref<1x2x9x9xf32>, "
                 "memref<12x2x3x3xf32>) outs(%y : memref<1x12x4x4xf32>)") ==
        -1);
  CHECK(hazardAt("linalg.yield %0 : f32") == -1);
  CHECK(hazardAt("linalg.") == -1);
  CHECK(hazardAt("linalg.<1>") == -1);
  // The generic form is parsed by MLIR's own generic parser.
  CHECK(hazardAt("\"linalg.log\"(%x) <1> : (f32) -> ()") == -1);
  // MLIR bytecode keeps its strings without quotes; its reader parses no
  // custom syntax.
  CHECK(hazardAt(std::string("ML\xefR\x00 note linalg.log<1> ", 25)) == -1);
}
