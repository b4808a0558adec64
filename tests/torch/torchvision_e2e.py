#!/usr/bin/python3
"""Compiles torchvision models end to end and compares them with PyTorch.

Usage: torchvision_e2e.py CNNC EXAMPLES_DIR EXPORT_WEIGHTS_PY MODEL[@BATCH]...

For each model: export a checkpoint from torchvision (random initialization,
randomized batch-norm statistics and affine parameters), compile
examples/MODEL.cnn with it to a shared library (cnnc --emit=so), call the
library on a random input and compare with the torchvision model in eval
mode on the same input: relative L2 error at most 1e-4. A second input checks
that the outputs depend on the input (by at least 1e-2, relatively) and that
the library reproduces that change (to 1e-3), so that early layers count.

MODEL@BATCH compiles the model with `cnnc --batch=BATCH` (the example's
input has a batch of 1) and feeds it BATCH different images at once.

The library is called as docs/c-api.md shows from Python: ctypes and numpy,
`int MODEL_run(const float *input, float *output)`, and again on two threads
through a context (`MODEL_context_create(2)`, `MODEL_run_in_context`), which
must give the same outputs bit for bit.
"""
import ctypes
import json
import os
import struct
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch
import torchvision


def load_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    size = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + size])
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        dtype = {"F32": np.float32, "I64": np.int64}[entry["dtype"]]
        array = np.frombuffer(data[8 + size + begin:8 + size + end], dtype=dtype)
        tensors[name] = torch.from_numpy(array.reshape(entry["shape"]).copy())
    return tensors


def check(spec, cnnc, examples, export, tmp):
    model_name, _, batch = spec.partition("@")
    batch = int(batch or 1)
    weights = os.path.join(tmp, model_name + ".safetensors")
    library = os.path.join(tmp, f"lib{model_name}_{batch}.so")
    subprocess.run(["/usr/bin/python3", export, model_name, weights, "--seed", "5",
                    "--randomize-batchnorm"], check=True)
    source = os.path.join(examples, model_name + ".cnn")
    start = time.time()
    subprocess.run([cnnc, source, "--weights", weights, f"--batch={batch}",
                    "--emit=so", "-o", library], check=True)
    compile_seconds = time.time() - start

    kwargs = dict(aux_logits=False, init_weights=False) if model_name == "googlenet" else {}
    model = getattr(torchvision.models, model_name)(weights=None, **kwargs)
    model.load_state_dict(load_safetensors(weights))
    model.eval()
    api = ctypes.CDLL(library)
    run = getattr(api, model_name + "_run")
    run.restype = ctypes.c_int
    run.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
    context_create = getattr(api, model_name + "_context_create")
    context_create.restype = ctypes.c_void_p
    context_create.argtypes = [ctypes.c_int]
    context_destroy = getattr(api, model_name + "_context_destroy")
    context_destroy.argtypes = [ctypes.c_void_p]
    run_in_context = getattr(api, model_name + "_run_in_context")
    run_in_context.restype = ctypes.c_int
    run_in_context.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
    two_threads = context_create(2)
    if not two_threads:
        print(f"{spec}: MODEL_context_create(2) failed")
        return False
    same_on_two_threads = True
    rng = np.random.default_rng(0)
    expected, actual = [], []
    for _ in range(2):
        image = rng.uniform(-1, 1, (batch, 3, 224, 224)).astype(np.float32)
        with torch.no_grad():
            expected.append(model(torch.from_numpy(image)).numpy())
        out = np.zeros(expected[-1].shape, dtype=np.float32)
        if run(image.ctypes.data, out.ctypes.data) != 0:
            print(f"{spec}: MODEL_run failed")
            return False
        actual.append(out)
        threaded = np.zeros_like(out)
        if run_in_context(two_threads, image.ctypes.data, threaded.ctypes.data) != 0:
            print(f"{spec}: MODEL_run_in_context failed")
            return False
        same_on_two_threads &= np.array_equal(threaded.view(np.uint32),
                                              out.view(np.uint32))
    context_destroy(two_threads)
    error = max(np.linalg.norm(a - e) / np.linalg.norm(e)
                for a, e in zip(actual, expected))
    # The test is only as good as the outputs' dependence on the input: the
    # change between the two inputs must be large and reproduced too.
    change = expected[0] - expected[1]
    sensitivity = np.linalg.norm(change) / np.linalg.norm(expected[0])
    change_error = (np.linalg.norm((actual[0] - actual[1]) - change)
                    / np.linalg.norm(change))
    ok = (error <= 1e-4 and sensitivity >= 1e-2 and change_error <= 1e-3
          and same_on_two_threads)
    print(f"{spec}: relative L2 error {error:.2e}, output change between "
          f"two inputs {sensitivity:.2e} reproduced to {change_error:.2e}, "
          f"2 threads {'bit for bit the same' if same_on_two_threads else 'DIFFERENT'} "
          f"(compiled in {compile_seconds:.0f} s): {'ok' if ok else 'FAILED'}")
    return ok


def main():
    cnnc, examples, export = sys.argv[1:4]
    models = sys.argv[4:]
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for spec in models:
            failures += not check(spec, cnnc, examples, export, tmp)
    print(f"{len(models) - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
