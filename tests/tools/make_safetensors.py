"""Writes small safetensors files, well-formed or deliberately broken, for tests.

Usage: make_safetensors.py OUT NAME:DTYPE:D0xD1x... [...] [--corrupt KIND]

Each tensor is filled with non-zero values (a fixed pattern, no randomness
needed). KIND breaks the file on purpose:
  truncated      cut the data short (offsets point past the end)
  header-length  a header length larger than the file
  bad-json       a header that is not JSON
  overlap        the second tensor overlaps the first
  short          a file of 5 bytes
No third-party packages: runs on any Python 3.
"""
import json
import struct
import sys

SIZES = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "U8": 1}


def tensor_bytes(dtype, count):
    if dtype == "F32":
        return struct.pack(f"<{count}f", *[0.25 + 0.5 * (i % 7) for i in range(count)])
    if dtype == "F64":
        return struct.pack(f"<{count}d", *[0.25 + 0.5 * (i % 7) for i in range(count)])
    return bytes([(i % 251) + 1 for i in range(count * SIZES[dtype])])


def main():
    out, specs = sys.argv[1], sys.argv[2:]
    corrupt = None
    if "--corrupt" in specs:
        i = specs.index("--corrupt")
        corrupt = specs[i + 1]
        del specs[i : i + 2]
    header, data = {}, b""
    for spec in specs:
        name, dtype, dims = spec.split(":")
        shape = [int(d) for d in dims.split("x")] if dims else []
        count = 1
        for d in shape:
            count *= d
        payload = tensor_bytes(dtype, count)
        header[name] = {"dtype": dtype, "shape": shape,
                        "data_offsets": [len(data), len(data) + len(payload)]}
        data += payload
    if corrupt == "overlap":
        names = list(header)
        first = header[names[0]]["data_offsets"]
        size = header[names[1]]["data_offsets"][1] - header[names[1]]["data_offsets"][0]
        header[names[1]]["data_offsets"] = [first[0], first[0] + size]
    text = json.dumps(header, sort_keys=True).encode()
    if corrupt == "bad-json":
        text = b'{"conv.weight": {"dtype": "F32", '
    blob = struct.pack("<Q", len(text)) + text + data
    if corrupt == "truncated":
        blob = blob[: len(blob) - 4]
    if corrupt == "header-length":
        blob = struct.pack("<Q", 1 << 40) + blob[8:]
    if corrupt == "short":
        blob = blob[:5]
    with open(out, "wb") as f:
        f.write(blob)


if __name__ == "__main__":
    main()
