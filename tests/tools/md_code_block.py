"""Prints the first fenced code block of a Markdown file that contains KEY.

Usage: md_code_block.py FILE.md KEY
Lets tests compile the examples in the docs, so the docs stay true.
"""
import sys


def main():
    path, key = sys.argv[1], sys.argv[2]
    blocks, current = [], None
    with open(path, encoding="utf-8") as f:
        for line in f.read().split("\n"):
            if line.startswith("```"):
                if current is None:
                    current = []
                else:
                    blocks.append("\n".join(current) + "\n")
                    current = None
            elif current is not None:
                current.append(line)
    matching = [b for b in blocks if key in b]
    if not matching:
        sys.exit(f"md_code_block.py: no code block of {path} contains {key!r}")
    sys.stdout.write(matching[0])


if __name__ == "__main__":
    main()
