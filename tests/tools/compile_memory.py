#!/usr/bin/python3
"""Checks that compiling a model holds its weights about twice at most.

usage: compile_memory.py CNNC

Compiles a model of two 4096x4096 dense layers (128 MiB of f32 weights) to a
shared library, from a safetensors checkpoint and with --random-weights,
and the same layers 64 wide (the compiler's own memory: libraries, LLVM's
code generation); and four 3x3 convolutions 1024 wide (144 MiB, repacked
by the blocked layout) against the same 16 wide. The peak resident memory above that base, divided by the
weights' bytes, must stay below BOUND. cnnc held about three copies
(checkpoint read into the heap, LLVM IR's constants, the object being
written); it now maps the checkpoint and frees the MLIR copy once LLVM IR
holds one (docs/performance.md, "Compile time").
"""
import json
import os
import resource
import struct
import subprocess
import sys
import tempfile

import numpy as np

BOUND = 2.2
WIDTH = 4096
CONV_WIDTH = 1024


def write_model(path, width):
    with open(path, "w") as f:
        f.write(f"model wide(x: f32[1, {width}]) {{\n"
                f"  y = x -> dense({width}) as fc1 -> relu -> "
                f"dense({width}) as fc2\n"
                "  return y\n}\n")


def write_conv_model(path, width):
    """Four 3x3 convolutions: weights the blocked layout repacks."""
    layers = " -> relu -> ".join(
        f"conv2d({width}, 3, padding=1) as c{i}" for i in range(1, 5))
    with open(path, "w") as f:
        f.write(f"model convs(x: f32[1, {width}, 7, 7]) {{\n"
                f"  y = x -> {layers}\n  return y\n}}\n")
    return 4 * (width * width * 9 + width) * 4


def write_checkpoint(path, width):
    rng = np.random.default_rng(3)
    tensors = {}
    for name in ("fc1", "fc2"):
        tensors[name + ".weight"] = rng.uniform(
            -0.01, 0.01, (width, width)).astype(np.float32)
        tensors[name + ".bias"] = np.zeros(width, np.float32)
    header, offset = {}, 0
    for name, value in tensors.items():
        header[name] = {"dtype": "F32", "shape": list(value.shape),
                        "data_offsets": [offset, offset + value.nbytes]}
        offset += value.nbytes
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text)
        for value in tensors.values():
            f.write(value.tobytes())
    return sum(value.nbytes for value in tensors.values())


def peak_kib(command):
    """The peak resident memory of `command`, in KiB, from a fresh child
    (RUSAGE_CHILDREN is the largest of all children waited for)."""
    probe = ("import resource, subprocess, sys\n"
             "subprocess.run(sys.argv[1:], check=True)\n"
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    result = subprocess.run([sys.executable, "-c", probe] + command,
                            check=True, capture_output=True, text=True)
    return int(result.stdout.split()[-1])


def check(label, peak, base, weights):
    """Prints and returns whether (peak - base) / weights is within BOUND
    (peaks in KiB, weights in bytes)."""
    ratio = (peak - base) * 1024 / weights
    ok = ratio <= BOUND
    print(f"{'ok' if ok else 'FAIL'}: {label}: peak {peak // 1024} MiB, "
          f"{base // 1024} MiB for the small model; (peak - small) / weights "
          f"= {ratio:.2f} (bound {BOUND}, weights {weights >> 20} MiB)")
    return ok


def main():
    cnnc = sys.argv[1]
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        small, wide = (os.path.join(tmp, n) for n in ("small.cnn", "wide.cnn"))
        write_model(small, 64)
        write_model(wide, WIDTH)
        checkpoint = os.path.join(tmp, "wide.safetensors")
        weights = write_checkpoint(checkpoint, WIDTH)
        lib = os.path.join(tmp, "lib.so")
        base = peak_kib([cnnc, small, "--random-weights=1", "-o", lib])
        for how in (["--weights", checkpoint], ["--random-weights=1"]):
            peak = peak_kib([cnnc, wide, *how, "-o", lib])
            failed |= not check(f"cnnc {' '.join(how)}", peak, base, weights)
        small, wide = (os.path.join(tmp, n) for n in ("c16.cnn", "cwide.cnn"))
        write_conv_model(small, 16)
        weights = write_conv_model(wide, CONV_WIDTH)
        base = peak_kib([cnnc, small, "--random-weights=1", "-o", lib])
        peak = peak_kib([cnnc, wide, "--random-weights=1", "-o", lib])
        failed |= not check(f"cnnc, four 3x3 convolutions {CONV_WIDTH} wide, "
                            "--random-weights=1", peak, base, weights)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
