#!/usr/bin/python3
"""The torchvision models exported to ONNX and compiled from it.

Usage: torchvision_onnx.py CNNC CNNC_IMPORT EXAMPLES_DIR EXPORT_WEIGHTS_PY
                           [--exports 13,17,17-bn] [--runs N] MODEL...

For each model: a checkpoint from tools/export_weights.py (random
initialization, randomized batch-norm statistics) loaded into torchvision's
model in eval mode, exported with torch.onnx.export at each of --exports:
`13` and `17` as torch exports by default (it folds every batch norm into
the convolution before it, in f32), `17-bn` with training=PRESERVE, which
keeps the BatchNormalization nodes for cnnc to fold (in f64, as it does for
.cnn models). For each export:

- the .onnx file compiled by cnnc to a shared library must match PyTorch
  (relative L2 error <= 1e-4 on two random images) and cnnc's own
  examples/MODEL.cnn compiled with the same checkpoint: relative L2 <= 1e-6
  when cnnc folds the batch norms (`-bn`: the same graph), <= 1e-4, the
  tolerance against PyTorch, when the exporter folded them (weights rounded
  differently: the two builds then differ by about their own rounding
  errors, each bounded against PyTorch; with Winograd F(4x4, 3x3) ResNet-50's
  are 3.5e-5 from PyTorch and 3.9e-5 apart);
- with `-bn`, cnnc-import's .cnn source and safetensors, compiled by cnnc,
  must give exactly the ONNX-compiled library's outputs (bit for bit);
- the fusion passes must see the same graph: cnnc --fusion-report's totals
  (fused chains, bytes no longer in memory, concat chains, scratch memory)
  must be the .cnn version's;
- the time of one call (median of --runs) of the ONNX-compiled library and
  of the .cnn one are printed side by side (for information: this machine's
  timings are too noisy to fail on).
"""
import argparse
import ctypes
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch
import torchvision

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "torch"))
from torchvision_e2e import load_safetensors  # noqa: E402


def compile_library(cnnc, source, library, *flags):
    start = time.time()
    subprocess.run([cnnc, source, *flags, "--emit=so", "-o", library],
                   check=True)
    return time.time() - start


def runner(library, name):
    run = getattr(ctypes.CDLL(library), name + "_run")
    run.restype = ctypes.c_int
    run.argtypes = [ctypes.c_void_p, ctypes.c_void_p]

    def call(image, shape):
        out = np.zeros(shape, dtype=np.float32)
        if run(image.ctypes.data, out.ctypes.data) != 0:
            raise RuntimeError(library + ": run failed")
        return out
    return call


def fusion_totals(cnnc, source, *flags):
    """The summary lines of cnnc --fusion-report (not the per-chain ones,
    which name source locations)."""
    report = subprocess.run(
        [cnnc, source, *flags, "--emit=linalg", "--fusion-report", "-o",
         os.devnull], check=True, capture_output=True, text=True).stderr
    return [line.strip() for line in report.splitlines()
            if line.strip().startswith(("total:", "scratch memory:",
                                        "concat chains:"))]


def median_time(call, image, shape, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call(image, shape)
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def rel_l2(a, b):
    return float(np.linalg.norm(a - b) / np.linalg.norm(b))


def check(name, args, tmp):
    weights = os.path.join(tmp, name + ".safetensors")
    subprocess.run(["/usr/bin/python3", args.export, name, weights, "--seed",
                    "5", "--randomize-batchnorm"], check=True)
    kwargs = (dict(aux_logits=False, init_weights=False)
              if name == "googlenet" else {})
    model = getattr(torchvision.models, name)(weights=None, **kwargs)
    model.load_state_dict(load_safetensors(weights))
    model.eval()

    rng = np.random.default_rng(0)
    images = [rng.uniform(-1, 1, (1, 3, 224, 224)).astype(np.float32)
              for _ in range(2)]
    with torch.no_grad():
        expected = [model(torch.from_numpy(i)).numpy() for i in images]
    shape = expected[0].shape

    cnn_library = os.path.join(tmp, "lib%s_cnn.so" % name)
    compile_library(args.cnnc, os.path.join(args.examples, name + ".cnn"),
                    cnn_library, "--weights", weights)
    from_cnn = runner(cnn_library, name)
    cnn_outputs = [from_cnn(i, shape) for i in images]
    cnn_fusion = fusion_totals(args.cnnc, os.path.join(
        args.examples, name + ".cnn"), "--weights", weights)

    ok = True
    for export in args.exports:
        opset = int(export.split("-")[0])
        keep_bn = export.endswith("-bn")
        folder = os.path.join(tmp, export)
        os.makedirs(folder, exist_ok=True)
        onnx_path = os.path.join(folder, name + ".onnx")
        mode = (torch.onnx.TrainingMode.PRESERVE if keep_bn
                else torch.onnx.TrainingMode.EVAL)
        torch.onnx.export(model, torch.from_numpy(images[0]), onnx_path,
                          opset_version=opset, training=mode,
                          input_names=["image"], output_names=["logits"])
        library = os.path.join(folder, "lib%s.so" % name)
        seconds = compile_library(args.cnnc, onnx_path, library)
        from_onnx = runner(library, name)
        outputs = [from_onnx(i, shape) for i in images]
        vs_torch = max(rel_l2(o, e) for o, e in zip(outputs, expected))
        vs_cnn = max(rel_l2(o, c) for o, c in zip(outputs, cnn_outputs))
        onnx_time = median_time(from_onnx, images[0], shape, args.runs)
        cnn_time = median_time(from_cnn, images[0], shape, args.runs)
        same_fusion = fusion_totals(args.cnnc, onnx_path) == cnn_fusion

        same = None
        if keep_bn:
            source = os.path.join(folder, name + ".cnn")
            checkpoint = os.path.join(folder, name + ".safetensors")
            subprocess.run([args.cnnc_import, onnx_path, "-o", source,
                            "--weights-out", checkpoint], check=True)
            imported = os.path.join(folder, "lib%s_imported.so" % name)
            compile_library(args.cnnc, source, imported, "--weights",
                            checkpoint)
            from_source = runner(imported, name)
            same = all(np.array_equal(from_source(i, shape), o)
                       for i, o in zip(images, outputs))

        passed = (vs_torch <= 1e-4 and vs_cnn <= (1e-6 if keep_bn else 1e-4)
                  and same is not False and same_fusion)
        ok &= passed
        print("%s %s: vs PyTorch %.2e, vs .cnn %.2e%s; fusion %s; %.1f ms "
              "per call (.cnn: %.1f ms, ratio %.2f); compiled in %.0f s: %s" % (
                  name, export, vs_torch, vs_cnn,
                  "" if same is None else ", imported .cnn " +
                  ("identical" if same else "DIFFERS"),
                  "as .cnn" if same_fusion else "DIFFERS", onnx_time * 1e3,
                  cnn_time * 1e3, onnx_time / cnn_time, seconds,
                  "ok" if passed else "FAILED"), flush=True)
    return ok


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("cnnc")
    parser.add_argument("cnnc_import")
    parser.add_argument("examples")
    parser.add_argument("export")
    parser.add_argument("models", nargs="+")
    parser.add_argument("--exports", default="13,17,17-bn")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    args.exports = args.exports.split(",")
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.models:
            failures += not check(name, args, tmp)
    print("%d passed, %d failed" % (len(args.models) - failures, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
