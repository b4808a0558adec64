#!/usr/bin/python3
"""Runs ONNX's backend test cases of the supported operators through cnnc.

usage: onnx_conformance.py CNNC DATA_DIR [--table FILE] [--jobs N] [--filter S]

DATA_DIR is Debian's libonnx-testdata (/usr/share/libonnx-testdata/data):
its node tests and PyTorch-converted tests, each a model.onnx with
test_data_set_*/input_*.pb and output_*.pb. Every case whose operators are
all among the supported ones (SUPPORTED) is compiled with `cnnc -O1` to a
shared library, called through ctypes on each data set and compared as
ONNX's backend test runner compares (numpy.testing.assert_allclose with
rtol 1e-3, atol 1e-7). Cases that a documented reason excludes (EXCLUDED:
non-float types, training mode, ...) are listed, not run.

With --table FILE, the table of docs/onnx.md between its markers is
rewritten: every case, its operator, pass/fail/excluded and why; with
--check-table FILE, the run fails when that table differs from this run's.

Prints one line per case and "N passed, M failed"; exits 1 when a case
fails that is not excluded.
"""
import argparse
import collections
import concurrent.futures
import ctypes
import glob
import os
import re
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import numpy_helper

SUPPORTED = {
    "Conv", "BatchNormalization", "Relu", "Clip", "Sigmoid", "HardSigmoid",
    "HardSwish", "Tanh", "LeakyRelu", "PRelu", "Add", "Mul", "Sub", "Div",
    "MaxPool", "AveragePool", "GlobalAveragePool", "ReduceMean", "Gemm",
    "MatMul", "Flatten", "Reshape", "Transpose", "Concat", "Split", "Slice",
    "Pad", "Softmax", "Dropout", "Identity", "Constant", "Shape", "Gather",
    "Unsqueeze", "Squeeze", "Cast",
}

# Cases outside what cnnc compiles, with the reason (a regular expression
# on the case's name, first match wins).
EXCLUDED = [
    (r"_(u?int\d+|bool)(_|$)|_uint8$|_int8_|test_cast_|test_castlike_",
     "non-float element types"),
    (r"training|_mask|test_dropout_random_old|test_batchnorm_.*training",
     "training mode (cnnc compiles inference)"),
    (r"test_identity_(opt|sequence)", "optional and sequence types"),
    (r"test_split_zero_size_splits", "empty tensors"),
    (r"Conv3d|Pool3d|pool_3d", "3-D convolutions and pools"),
    (r"test_shape", "the output is an INT64 shape, not a float tensor"),
    (r"test_maxpool_with_argmax", "the Indices output (INT64)"),
    (r"test_reshape_allowzero", "a zero-sized dimension (allowzero)"),
    (r"test_operator_non_float_params", "non-float element types"),
    (r"test_constant$", "a model without inputs: nothing to compile"),
    (r"test_slice_start_out_of_bounds", "empty tensors"),
    (r"test_edge_pad|test_reflect_pad|ReflectionPad|ReplicationPad|"
     r"test_operator_pad", "edge and reflect padding (Pad supports 'constant')"),
    (r"test_Embedding", "the file fails ONNX's checker (an initializer that "
     "IR version 3 requires to be a graph input)"),
    (r"test_PixelShuffle", "ONNX's shape inference rejects the file (an "
     "INT64 Constant at opset 6)"),
]

RTOL, ATOL = 1e-3, 1e-7


def op_types(model):
    return sorted({node.op_type for node in model.graph.node
                   if node.domain in ("", "ai.onnx")} |
                  {node.domain + "." + node.op_type for node in model.graph.node
                   if node.domain not in ("", "ai.onnx")})


def operator_of(ops):
    """The operator a case tests: its ops but the helpers (Constant)."""
    main = [op for op in ops if op != "Constant"] or ops
    return "+".join(main)


def tensor_type_ok(value_info):
    t = value_info.type
    return (t.HasField("tensor_type") and
            t.tensor_type.elem_type == onnx.TensorProto.FLOAT)


def collect(data_dir, name_filter):
    cases = []
    for suite in ("node", "pytorch-converted", "pytorch-operator"):
        for case in sorted(glob.glob(os.path.join(data_dir, suite, "test_*"))):
            name = os.path.basename(case)
            if name_filter and name_filter not in name:
                continue
            model_path = os.path.join(case, "model.onnx")
            if not os.path.exists(model_path):
                continue
            model = onnx.load(model_path)
            ops = op_types(model)
            if not ops or not set(ops) <= SUPPORTED:
                continue
            reason = None
            for pattern, why in EXCLUDED:
                if re.search(pattern, name):
                    reason = why
                    break
            initializers = {i.name for i in model.graph.initializer}
            inputs = [i for i in model.graph.input if i.name not in initializers]
            data = [i for i in inputs if i.name not in frozen_inputs(model)]
            if reason is None and not all(
                    tensor_type_ok(v) for v in data + list(model.graph.output)):
                reason = "non-float element types"
            cases.append(dict(name=name, suite=suite, dir=case,
                              operator=operator_of(ops), excluded=reason,
                              num_inputs=len(inputs),
                              num_outputs=len(model.graph.output)))
    return cases


def read_pb(path):
    tensor = onnx.TensorProto()
    with open(path, "rb") as f:
        tensor.ParseFromString(f.read())
    return numpy_helper.to_array(tensor)


# Inputs that are shapes, indices, bounds or flags rather than data: a
# static compiler needs them as constants (operator: input positions).
PARAMETER_INPUTS = {
    "Clip": {1, 2}, "Pad": {1, 2, 3}, "Slice": {1, 2, 3, 4}, "Reshape": {1},
    "Split": {1}, "Unsqueeze": {1}, "Squeeze": {1}, "Gather": {1},
    "Dropout": {1, 2},
}


def frozen_inputs(model):
    """The graph inputs that feed a parameter position or are not float."""
    names = set()
    for node in model.graph.node:
        for index in PARAMETER_INPUTS.get(node.op_type, ()):
            if index < len(node.input) and node.input[index]:
                names.add(node.input[index])
    initializers = {i.name for i in model.graph.initializer}
    return {i.name for i in model.graph.input
            if i.name not in initializers and
            (i.name in names or not tensor_type_ok(i))}


def compile_model(cnnc, model_path, library):
    compiled = subprocess.run(
        [cnnc, model_path, "-O1", "--emit=so", "-o", library],
        capture_output=True, text=True)
    if compiled.returncode == 0:
        return None
    message = compiled.stderr.strip().splitlines()
    message = message[0] if message else "exit %d" % compiled.returncode
    message = re.sub(r"'?/[^ ]*/(model\.onnx)'?", r"\1", message)
    return "compile: " + re.sub(r"^cnnc: error: ", "", message)


def run_case(cnnc, case, tmp):
    """Compiles the case (once per data set when inputs are frozen into
    it) and compares the library's outputs with the expected ones."""
    model = onnx.load(os.path.join(case["dir"], "model.onnx"))
    frozen = frozen_inputs(model)
    initializers = {i.name for i in model.graph.initializer}
    graph_inputs = [i.name for i in model.graph.input
                    if i.name not in initializers]
    worst = 0.0
    sets = sorted(glob.glob(os.path.join(case["dir"], "test_data_set_*")))
    run = None
    for number, data_set in enumerate(sets):
        arrays = [read_pb(p) for p in
                  sorted(glob.glob(os.path.join(data_set, "input_*.pb")))]
        arrays = arrays[:len(graph_inputs)]
        expected = [read_pb(p) for p in
                    sorted(glob.glob(os.path.join(data_set, "output_*.pb")))]
        if run is None or frozen:
            folder = os.path.join(tmp, "%s_%d" % (case["name"], number))
            os.makedirs(folder)
            model_path = os.path.join(case["dir"], "model.onnx")
            if frozen:
                static = onnx.load(model_path)
                for name, array in zip(graph_inputs, arrays):
                    if name in frozen:
                        static.graph.initializer.append(
                            numpy_helper.from_array(array, name))
                kept = [i for i in static.graph.input if i.name not in frozen]
                del static.graph.input[:]
                static.graph.input.extend(kept)
                model_path = os.path.join(folder, "model.onnx")
                onnx.save(static, model_path)
            library = os.path.join(folder, "libmodel.so")
            error = compile_model(cnnc, model_path, library)
            if error:
                return "fail", error
            run = getattr(ctypes.CDLL(library), "model_run")
            run.restype = ctypes.c_int
        inputs = [np.ascontiguousarray(a, dtype=np.float32)
                  for name, a in zip(graph_inputs, arrays)
                  if name not in frozen]
        outputs = [np.zeros(e.shape, dtype=np.float32) for e in expected]
        status = run(*[a.ctypes.data_as(ctypes.c_void_p) for a in inputs],
                     *[a.ctypes.data_as(ctypes.c_void_p) for a in outputs])
        if status != 0:
            return "fail", "run: status %d" % status
        for got, want in zip(outputs, expected):
            excess = np.abs(got - want) - (ATOL + RTOL * np.abs(want))
            if np.isnan(got).any() != np.isnan(want).any() or \
                    np.nanmax(excess, initial=-1) > 0:
                index = np.unravel_index(np.nanargmax(excess), excess.shape)
                return "fail", ("%s: got %.7g, expected %.7g at %s" % (
                    os.path.basename(data_set), got[index], want[index],
                    list(index)))
            worst = max(worst, float(np.nanmax(np.abs(got - want),
                                               initial=0)))
    detail = "%d data set(s)" % len(sets)
    if frozen:
        detail += "; frozen: " + ", ".join(sorted(frozen))
    return "pass", detail


def table_text(cases, results):
    by_operator = collections.OrderedDict()
    for case in sorted(cases, key=lambda c: (c["operator"], c["suite"],
                                             c["name"])):
        by_operator.setdefault(case["operator"], []).append(case)
    lines = ["| operator | passed / run | excluded |", "|---|---|---|"]
    for operator, group in by_operator.items():
        run = [c for c in group if not c["excluded"]]
        passed = sum(results[c["name"]][0] == "pass" for c in run)
        lines.append("| %s | %d / %d | %d |" % (
            operator, passed, len(run), len(group) - len(run)))
    total_run = sum(1 for c in cases if not c["excluded"])
    total_passed = sum(1 for c in cases if not c["excluded"] and
                       results[c["name"]][0] == "pass")
    lines.append("| **all** | **%d / %d** | %d |" % (
        total_passed, total_run, len(cases) - total_run))
    lines += ["", "| case | suite | operator | result | details |",
              "|---|---|---|---|---|"]
    for operator, group in by_operator.items():
        for c in group:
            status, detail = results[c["name"]]
            lines.append("| `%s` | %s | %s | %s | %s |" % (
                c["name"], c["suite"], operator, status,
                detail.replace("|", "\\|")))
    return "\n".join(lines) + "\n"


BEGIN, END = "<!-- conformance:begin -->", "<!-- conformance:end -->"


def split_document(path):
    """The text before the table, the table, and the text after it."""
    text = open(path).read()
    head, rest = text.split(BEGIN, 1)
    table, tail = rest.split(END, 1)
    return head, table.lstrip("\n"), tail


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("cnnc")
    parser.add_argument("data_dir")
    parser.add_argument("--table", help="rewrite this file's table")
    parser.add_argument("--check-table",
                        help="fail unless this file's table is this run's")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--filter", default="")
    args = parser.parse_args()
    cases = collect(args.data_dir, args.filter)
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
            futures = {}
            for case in cases:
                if case["excluded"]:
                    results[case["name"]] = ("excluded", case["excluded"])
                else:
                    futures[pool.submit(run_case, args.cnnc, case, tmp)] = case
            for future in concurrent.futures.as_completed(futures):
                case = futures[future]
                try:
                    results[case["name"]] = future.result()
                except Exception as error:  # a crash of the check itself
                    results[case["name"]] = ("fail", "check: %s" % error)
    failed = 0
    for case in cases:
        status, detail = results[case["name"]]
        failed += status == "fail"
        print("%-8s %-50s %s" % (status, case["name"], detail))
    passed = sum(r[0] == "pass" for r in results.values())
    excluded = sum(r[0] == "excluded" for r in results.values())
    table = table_text(cases, results)
    if args.table:
        head, _, tail = split_document(args.table)
        with open(args.table, "w") as f:
            f.write(head + BEGIN + "\n" + table + END + tail)
    stale = False
    if args.check_table:
        _, committed, _ = split_document(args.check_table)
        stale = committed != table
        if stale:
            print("%s: the conformance table is not this run's; rewrite it "
                  "with: onnx_conformance.py CNNC DATA --table %s" % (
                      args.check_table, args.check_table))
    print("%d passed, %d failed, %d skipped" % (passed, failed, excluded))
    return 1 if failed or stale else 0


if __name__ == "__main__":
    sys.exit(main())
