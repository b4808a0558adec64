"""Checks that an SVG drawn by Graphviz shows the text of a Graphviz graph.

Usage: check_svg_matches_dot.py GRAPH.dot PICTURE.svg

Every line of every label of GRAPH.dot (nodes and clusters) must be a text
of PICTURE.svg, and the other way round, as many times (runs of white
space count as one space): a committed picture
(docs/images/) then shows what cnnc draws today, whatever version of
Graphviz drew it. Prints the differences and exits 1 if there are any.
"""
import collections
import html
import re
import sys


def normal(text):
    """Graphviz writes a run of spaces as spaces and no-break spaces."""
    return " ".join(text.replace("\xa0", " ").split())


def dot_texts(path):
    with open(path, encoding="utf-8") as f:
        graph = f.read()
    texts = collections.Counter()
    for label in re.findall(r'label="((?:[^"\\]|\\.)*)"', graph):
        for line in label.split("\\n"):
            texts[normal(line.replace('\\"', '"').replace("\\\\", "\\"))] += 1
    return texts


def svg_texts(path):
    with open(path, encoding="utf-8") as f:
        picture = f.read()
    return collections.Counter(
        normal(html.unescape(text)) for text in re.findall(r"<text[^>]*>([^<]*)</text>", picture))


def main():
    expected, shown = dot_texts(sys.argv[1]), svg_texts(sys.argv[2])
    missing, extra = expected - shown, shown - expected
    for text, count in sorted(missing.items()):
        print(f"not in the picture ({count}x): {text!r}")
    for text, count in sorted(extra.items()):
        print(f"only in the picture ({count}x): {text!r}")
    if missing or extra:
        return 1
    print(f"the picture shows the graph's {sum(expected.values())} texts")
    return 0


if __name__ == "__main__":
    sys.exit(main())
