"""Writes models too large to commit, each built to exceed one of cnnc's limits.

Usage: make_hostile_models.py OUTDIR

Writes into OUTDIR (created if needed), one model per file:
  sum-chain.cnn       n = 1+1+...: 20,000 terms (issue #14)
  arrow-chain.cnn     y = x -> relu -> ...: 10,000 links (issue #14)
  index-chain.cnn     n = [0][0][0]...: 200,000 indexings (issue #14)
  unused-chain.cnn    the same in a block that is never called (so only the
                      parser and the syntax tree see it)
  or-chain.cnn        b = false or false or ...: 20,000 terms
  negations.cnn       n = - - - ... 1: 100,000 prefix minus signs
  parentheses.cnn     n = ((((...1...)))): 100,000 pairs
  nested-ifs.cnn      if true { if true { ... } }: 100,000 bodies
  nested-blocks.cnn   63 blocks, each calling the next from inside 190 nested
                      calls: each block within the syntax limits, together
                      past the evaluation depth
Used by tests/lit/Frontend/errors/limits.test and the sanitizer sweep.
"""
import os
import sys

HEAD = "model m(x: f32[1, 3, 8, 8]) {\n"
TAIL = "  return x\n}\n"


def model(*statements):
    return HEAD + "".join(f"  {s}\n" for s in statements) + TAIL


def nested_blocks(blocks=63, depth=190):
    lines = []
    for i in range(blocks):
        value = f"b{i + 1}(x)" if i + 1 < blocks else "x"
        value = "relu(" * depth + value + ")" * depth
        lines.append(f"block b{i}(x) {{ return {value} }}\n")
    return "".join(lines) + model("y = b0(x)")


MODELS = {
    "sum-chain.cnn": model("n = " + "+".join(["1"] * 20000)),
    "arrow-chain.cnn": model("y = x" + " -> relu" * 10000),
    "index-chain.cnn": model("n = [0]" + "[0]" * 200000),
    "unused-chain.cnn": "block unused(x) {\n  n = [0]" + "[0]" * 200000
    + "\n  return x\n}\n" + model(),
    "or-chain.cnn": model("b = " + " or ".join(["false"] * 20000)),
    "negations.cnn": model("n = " + "- " * 100000 + "1"),
    "parentheses.cnn": model("n = " + "(" * 100000 + "1" + ")" * 100000),
    "nested-ifs.cnn": model("if true { " * 100000 + "}" * 100000),
    "nested-blocks.cnn": nested_blocks(),
}


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, text in MODELS.items():
        with open(os.path.join(out, name), "w", encoding="utf-8") as f:
            f.write(text)


if __name__ == "__main__":
    main()
