"""Writes the seed corpora of the fuzzers from the tree's examples and tests.

usage: make_seeds.py SOURCE_ROOT OUT_DIR

OUT_DIR/<target>/ gets, for
  fuzz-cnn-frontend  every .cnn file of examples/ and tests/, and every .cnn
                     part of the lit tests (split-file's `#--- name.cnn`);
  fuzz-cnn-ir        every .mlir file of examples/ and tests/lit/, cut at
                     `// -----` as --split-input-file does;
  fuzz-safetensors   small checkpoints from tests/tools/make_safetensors.py,
                     well-formed and broken in each way it knows;
  fuzz-npy           .npy files as numpy writes them (every version, element
                     type, byte order and memory order cnnc-run reads, and
                     some it refuses), when numpy is there;
  fuzz-onnx          the models of tests/onnx/make_model.py (each kind it
                     knows, good and bad, but external data), and the
                     models of Debian's libonnx-testdata
                     (/usr/share/libonnx-testdata/data) whose operators the
                     importer supports (tests/onnx/onnx_conformance.py's
                     SUPPORTED), when the onnx module is there.
Seeds larger than 64 KiB are left out: the fuzzers cap inputs at that size.
"""
import hashlib
import pathlib
import re
import subprocess
import sys

MAX_SEED = 64 * 1024


def write(out, target, data):
    if isinstance(data, str):
        data = data.encode()
    if not data or len(data) > MAX_SEED:
        return
    folder = out / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / hashlib.sha1(data).hexdigest()).write_bytes(data)


def split_parts(text):
    """The `#--- name` parts of a split-file test."""
    parts, name, lines = {}, None, []
    for line in text.splitlines(keepends=True):
        match = re.match(r"^(?:#|//)--- (\S+)", line)
        if match:
            if name:
                parts[name] = "".join(lines)
            name, lines = match.group(1), []
        elif name:
            lines.append(line)
    if name:
        parts[name] = "".join(lines)
    return parts


def cnn_seeds(root, out):
    for path in sorted(root.glob("examples/**/*.cnn")) + sorted(root.glob("tests/**/*.cnn")):
        write(out, "fuzz-cnn-frontend", path.read_bytes())
    for path in sorted(root.glob("tests/lit/**/*.test")):
        for name, text in split_parts(path.read_text(errors="replace")).items():
            if name.endswith(".cnn"):
                write(out, "fuzz-cnn-frontend", text)


def ir_seeds(root, out):
    paths = sorted(root.glob("examples/**/*.mlir")) + sorted(root.glob("tests/lit/**/*.mlir"))
    for path in paths:
        for chunk in re.split(r"^// -----\s*$", path.read_text(errors="replace"), flags=re.M):
            write(out, "fuzz-cnn-ir", chunk)


def safetensors_seeds(root, out, scratch):
    make = root / "tests" / "tools" / "make_safetensors.py"
    specs = [
        ["conv.weight:F32:4x3x3x3", "conv.bias:F16:4", "extra:I64:"],
        ["w:F64:2x2", "b:BF16:3", "c:U8:5"],
        ["conv.weight:F32:4x3x3x3", "conv.bias:F32:4"],
    ]
    kinds = [None, "truncated", "header-length", "bad-json", "overlap", "short"]
    for i, spec in enumerate(specs):
        for kind in kinds:
            file = scratch / f"seed{i}.safetensors"
            command = [sys.executable, str(make), str(file)] + spec
            if kind:
                command += ["--corrupt", kind]
            subprocess.run(command, check=True)
            write(out, "fuzz-safetensors", file.read_bytes())


def npy_seeds(out, scratch):
    try:
        import numpy as np
        from numpy.lib import format as npy_format
    except ImportError:
        print("make_seeds.py: no numpy, no .npy seeds", file=sys.stderr)
        return
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 3, 4))
    arrays = [x.astype("<f4"), x.astype(">f4"), x.astype("<f2"), x.astype(">f8"),
              np.asfortranarray(x.astype("<f4")), np.asfortranarray(x.astype(">f2")),
              np.float32(1.5), np.zeros((0, 3), "<f4"), x.astype("<i4"),
              np.zeros((2,), [("a", "<f4"), ("b", "<i2")])]
    for i, array in enumerate(arrays):
        for version in [(1, 0), (2, 0), (3, 0)]:
            file = scratch / f"seed{i}.npy"
            with open(file, "wb") as f:
                npy_format.write_array(f, np.asanyarray(array), version=version)
            write(out, "fuzz-npy", file.read_bytes())
    for header in ["{'descr':'<f4','fortran_order':True,'shape':(2,3)}",
                   '{"shape" : ( 2 , 3 , ) , "descr" : "<f8" , "fortran_order" : False}',
                   "{'descr': '<V2', 'fortran_order': False, 'shape': (3L,), }"]:
        data = bytes(48)
        padded = header + " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
        write(out, "fuzz-npy", b"\x93NUMPY\x01\x00" + len(padded).to_bytes(2, "little")
              + padded.encode() + data)


ONNX_TESTDATA = pathlib.Path("/usr/share/libonnx-testdata/data")


def onnx_seeds(root, out, scratch):
    try:
        import onnx
    except ImportError:
        print("make_seeds.py: no onnx module, no ONNX seeds", file=sys.stderr)
        return
    make = root / "tests" / "onnx" / "make_model.py"
    for kind in ["tiny", "shuffle", "sub", "pad-conv", "dynamic", "bad-data",
                 "bad-shape", "unsupported-op", "unsupported-attr",
                 "old-opset"]:
        file = scratch / f"{kind}.onnx"
        subprocess.run([sys.executable, str(make), kind, str(file)], check=True)
        write(out, "fuzz-onnx", file.read_bytes())
    sys.path.insert(0, str(root / "tests" / "onnx"))
    from onnx_conformance import SUPPORTED
    for path in sorted(ONNX_TESTDATA.glob("*/*/model.onnx")):
        data = path.read_bytes()
        if len(data) > MAX_SEED:
            continue
        ops = {node.op_type for node in onnx.load_from_string(data).graph.node}
        if ops and ops <= SUPPORTED:
            write(out, "fuzz-onnx", data)


def main():
    root, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    scratch = out / ".scratch"
    scratch.mkdir(parents=True, exist_ok=True)
    cnn_seeds(root, out)
    ir_seeds(root, out)
    safetensors_seeds(root, out, scratch)
    npy_seeds(out, scratch)
    onnx_seeds(root, out, scratch)
    for path in scratch.iterdir():
        path.unlink()
    scratch.rmdir()
    for target in sorted(p.name for p in out.iterdir()):
        print(f"make_seeds.py: {target}: {len(list((out / target).iterdir()))} seeds")


if __name__ == "__main__":
    main()
