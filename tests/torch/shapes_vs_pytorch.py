#!/usr/bin/python3
"""Cross-checks the cnn dialect's result-shape rules against PyTorch.

Usage: /usr/bin/python3 shapes_vs_pytorch.py CNNC_OPT [--seed N] [--keep DIR]

The valid configurations are drawn by shape_cases.py, beside this file.

Run with Debian's /usr/bin/python3 (python3-torch, python3-torchvision). From a
fixed seed it draws a few hundred small random configurations of conv2d
(grouped, depthwise with a channel multiplier, strided, dilated, symmetric and
asymmetric padding), deform_conv2d (torchvision.ops, with and without mask,
several offset groups), max_pool2d, avg_pool2d, flatten, add and mul. Each is
run in PyTorch on random non-zero tensors; configurations PyTorch rejects are
skipped. Every accepted one becomes a func whose cnn op declares PyTorch's
result type, and cnnc-opt must accept the module (its verifier checks that the
declared type is the inferred one) and print every op back as written.

Then a sample of invalid configurations (a dilated kernel larger than the
padded input; groups or offset groups that do not divide the channels) must be
rejected by PyTorch and, one file each, by cnnc-opt with the rule's message.

Exits non-zero, naming the offending cases, on any disagreement, or when no
case was checked.
"""

import argparse
import concurrent.futures
import os
import random
import re
import subprocess
import sys
import tempfile

import torch
import torch.nn.functional as F
import torchvision.ops

from shape_cases import (ELEMENT_TYPES, conv2d_case, deform_conv2d_case, deform_operand_shapes,
                         draw_conv2d, draw_deform_conv2d, draw_pool, floor_output, pool_case,
                         rand_tensor, run_pool, valid_cases)

# Valid configurations to check, per op.
TARGETS = {
    "conv2d": 140,
    "deform_conv2d": 60,
    "max_pool2d": 90,
    "avg_pool2d": 70,
    "flatten": 40,
    "add": 30,
    "mul": 30,
}
# Invalid configurations to check, per kind.
INVALID_TARGETS = {
    "conv2d: kernel larger than padded input": 10,
    "conv2d: groups do not divide input channels": 8,
    "conv2d: groups do not divide output channels": 6,
    "deform_conv2d: kernel larger than padded input": 6,
    "deform_conv2d: offset groups do not divide channels": 6,
    "max_pool2d: kernel larger than padded input": 8,
    "avg_pool2d: kernel larger than padded input": 6,
}


# --- Invalid configurations ------------------------------------------------------------


def too_large(rng, size_range=(1, 6)):
    """(size, kernel, dilation, pad_before, pad_after) along one axis such that
    the dilated kernel is larger than the padded input."""
    while True:
        size = rng.randint(*size_range)
        before, after = rng.randint(0, 2), rng.randint(0, 2)
        dilation = rng.randint(1, 3)
        kernel = rng.randint(2, 7)
        if dilation * (kernel - 1) + 1 > size + before + after:
            return size, kernel, dilation, before, after


def invalid_case(rng, kind, index):
    """(Case, PyTorch call, expected cnnc message) of one invalid configuration."""
    elem = rng.choice(list(ELEMENT_TYPES))
    dtype = ELEMENT_TYPES[elem]
    name = f"invalid_{index}"
    if kind.startswith("conv2d"):
        cfg = draw_conv2d(rng)
        cfg["h"], cfg["w"] = rng.randint(4, 10), rng.randint(4, 10)
        cfg["kh"], cfg["kw"] = rng.randint(1, 3), rng.randint(1, 3)
        cfg["dilation"], cfg["filter_channels"] = [1, 1], None
        if kind.endswith("padded input"):
            axis = rng.randint(0, 1)
            size, kernel, dilation, before, after = too_large(rng)
            cfg["h" if axis == 0 else "w"] = size
            cfg["kh" if axis == 0 else "kw"] = kernel
            cfg["dilation"][axis] = dilation
            cfg["pad"] = [0, 0, 0, 0]
            cfg["pad"][axis], cfg["pad"][axis + 2] = before, after
            if rng.random() < 0.5:
                cfg["pad"][1 - axis] = cfg["pad"][3 - axis] = rng.randint(0, 2)
            message = "is larger than the padded input"
        elif kind.endswith("input channels"):
            groups = rng.randint(2, 5)
            channels = rng.choice([c for c in range(1, 13) if c % groups])
            cfg.update(c=channels, groups=groups, o=groups * rng.randint(1, 2),
                       filter_channels=max(channels // groups, 1))
            message = f"input channels ({channels}) must be divisible by groups ({groups})"
        else:
            groups = rng.randint(2, 4)
            out_channels = rng.choice([o for o in range(1, 13) if o % groups])
            cfg.update(c=groups * rng.randint(1, 3), groups=groups, o=out_channels)
            message = f"output channels ({out_channels}, filter dimension 0) must be divisible"
        cfg["symmetric"] = cfg["pad"][0] == cfg["pad"][2] and cfg["pad"][1] == cfg["pad"][3]
        ho = max(floor_output(cfg["h"], cfg["kh"], cfg["stride"][0], cfg["dilation"][0],
                              cfg["pad"][0], cfg["pad"][2]), 1)
        wo = max(floor_output(cfg["w"], cfg["kw"], cfg["stride"][1], cfg["dilation"][1],
                              cfg["pad"][1], cfg["pad"][3]), 1)
        case = conv2d_case(name, cfg, [cfg["n"], cfg["o"], ho, wo], elem)

        def torch_call():
            x = rand_tensor((cfg["n"], cfg["c"], cfg["h"], cfg["w"]), dtype)
            weight = rand_tensor(tuple(case.operands[1][2]), dtype)
            top, left, bottom, right = cfg["pad"]
            x = F.pad(x, (left, right, top, bottom))
            return F.conv2d(x, weight, stride=cfg["stride"], dilation=cfg["dilation"],
                            groups=cfg["groups"])
        return case, torch_call, message

    if kind.startswith("deform_conv2d"):
        cfg = draw_deform_conv2d(rng)
        cfg["h"], cfg["w"] = rng.randint(3, 8), rng.randint(3, 8)
        if kind.endswith("padded input"):
            axis = rng.randint(0, 1)
            while True:
                # torchvision divides with C++ truncation: a kernel too large by
                # less than the stride still gives it one output row. Take one
                # too large by at least the stride, which both formulas reject.
                size, kernel, dilation, before, _ = too_large(rng)
                span = size + 2 * before - (dilation * (kernel - 1) + 1)
                if span <= -cfg["stride"][axis]:
                    break
            cfg["h" if axis == 0 else "w"] = size
            cfg["kh" if axis == 0 else "kw"] = kernel
            cfg["dilation"] = [1, 1]
            cfg["dilation"][axis] = dilation
            cfg["pad"][axis] = cfg["pad"][axis + 2] = before
            message = "is larger than the padded input"
        else:
            channels = rng.randint(2, 9)
            offset_groups = rng.choice([g for g in range(2, 7) if channels % g])
            cfg.update(c=channels, groups=1, offset_groups=offset_groups)
            # A window that fits, so that the offset groups are the only fault.
            cfg["h"] = max(cfg["h"], cfg["dilation"][0] * (cfg["kh"] - 1) + 1)
            cfg["w"] = max(cfg["w"], cfg["dilation"][1] * (cfg["kw"] - 1) + 1)
            message = (f"input channels ({channels}) must be divisible by "
                       f"offset_groups ({offset_groups})")
        ho = max(floor_output(cfg["h"], cfg["kh"], cfg["stride"][0], cfg["dilation"][0],
                              cfg["pad"][0], cfg["pad"][2]), 1)
        wo = max(floor_output(cfg["w"], cfg["kw"], cfg["stride"][1], cfg["dilation"][1],
                              cfg["pad"][1], cfg["pad"][3]), 1)
        case = deform_conv2d_case(name, cfg, [cfg["n"], cfg["o"], ho, wo], elem, ho, wo)
        shapes = deform_operand_shapes(cfg, ho, wo)

        def torch_call():
            return torchvision.ops.deform_conv2d(
                rand_tensor(shapes["x"], dtype), rand_tensor(shapes["off"], dtype),
                rand_tensor(shapes["w"], dtype), stride=cfg["stride"],
                padding=(cfg["pad"][0], cfg["pad"][1]), dilation=cfg["dilation"],
                mask=rand_tensor(shapes["m"], dtype) if cfg["mask"] else None)
        return case, torch_call, message

    op = kind.split(":")[0]
    cfg = draw_pool(rng, op)
    axis = rng.randint(0, 1)
    while True:
        size, kernel, dilation, before, _ = too_large(rng)
        if op == "avg_pool2d":
            dilation = 1
        before = min(before, kernel // 2)  # PyTorch's padding limit
        extent = dilation * (kernel - 1) + 1
        span = size + 2 * before - extent
        # With ceil_mode PyTorch still gives one window when the kernel is too
        # large by less than the stride: only a larger excess is invalid.
        if span < 0 and (not cfg["ceil_mode"] or span <= -cfg["stride"][axis]):
            break
    cfg["h" if axis == 0 else "w"] = size
    cfg["kernel"][axis] = kernel
    cfg["dilation"][axis] = dilation
    cfg["pad"][axis] = cfg["pad"][axis + 2] = before
    other = 1 - axis
    cfg["pad"][other] = cfg["pad"][other + 2] = min(cfg["pad"][other], cfg["kernel"][other] // 2)
    cfg["h" if other == 0 else "w"] = max(cfg["h" if other == 0 else "w"],
                                          cfg["dilation"][other] * (cfg["kernel"][other] - 1) + 1)
    ho = max(floor_output(cfg["h"], cfg["kernel"][0], cfg["stride"][0], cfg["dilation"][0],
                          cfg["pad"][0], cfg["pad"][2]), 1)
    wo = max(floor_output(cfg["w"], cfg["kernel"][1], cfg["stride"][1], cfg["dilation"][1],
                          cfg["pad"][1], cfg["pad"][3]), 1)
    case = pool_case(op, name, cfg, [cfg["n"], cfg["c"], ho, wo], elem)
    return case, (lambda: run_pool(op, cfg, dtype)), "is larger than the padded input"


# --- cnnc-opt --------------------------------------------------------------------------


def run_cnnc(cnnc_opt, path):
    return subprocess.run([cnnc_opt, path], capture_output=True, text=True)


def normalize(line):
    """An op line with its SSA names replaced, for comparison with the printed IR."""
    return re.sub(r"%[\w.]+", "%_", line.strip())


def printed_ops(text):
    """{func name: [normalized cnn op lines]} of cnnc-opt's output."""
    ops, func = {}, None
    for line in text.splitlines():
        match = re.match(r"\s*func\.func @(\w+)\(", line)
        if match:
            func = match.group(1)
            ops[func] = []
        elif func is not None and re.search(r"=\s*cnn\.", line):
            ops[func].append(normalize(line.split("=", 1)[1]))
    return ops


def write_module(path, cases):
    with open(path, "w") as f:
        f.write("// Generated by shapes_vs_pytorch.py: one func per configuration,\n"
                "// each declaring the result type PyTorch computed.\n\n")
        for case in cases:
            f.write(f"// {case.config} -> {case.result_shape}\n")
            f.write(case.func_text() + "\n")


def check_valid(cnnc_opt, cases, workdir):
    path = os.path.join(workdir, "valid.mlir")
    write_module(path, cases)
    result = run_cnnc(cnnc_opt, path)
    failures = []
    if result.returncode != 0:
        # Find the rejected cases: with --split-input-file cnnc-opt verifies
        # each func alone and prints those it accepts. Then rerun each rejected
        # one alone for its diagnostic, and go on with the others.
        split_path = os.path.join(workdir, "split.mlir")
        with open(split_path, "w") as f:
            f.write("\n// -----\n".join(case.func_text() for case in cases))
        split = subprocess.run([cnnc_opt, "--split-input-file", split_path],
                               capture_output=True, text=True)
        printed_names = set(re.findall(r"func\.func @(\w+)\(", split.stdout))
        accepted = [case for case in cases if case.name in printed_names]
        rejected = [case for case in cases if case.name not in printed_names]

        def one(case):
            single = os.path.join(workdir, f"{case.name}.mlir")
            write_module(single, [case])
            return case, run_cnnc(cnnc_opt, single)
        with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
            for case, single in pool.map(one, rejected):
                if single.returncode == 0:
                    accepted.append(case)
                    continue
                failures.append(f"cnnc-opt rejects a configuration PyTorch accepts:\n"
                                f"  PyTorch: {case.config} -> {case.result_shape}\n"
                                f"  IR:      {case.op_text()}\n"
                                f"  cnnc-opt: {single.stderr.strip()}")
        cases = accepted
        path = os.path.join(workdir, "accepted.mlir")
        write_module(path, cases)
        result = run_cnnc(cnnc_opt, path)
        if result.returncode != 0:
            failures.append(f"cnnc-opt rejects {path}, though it accepts each case alone:\n"
                            f"{result.stderr}")
            return failures
    printed = printed_ops(result.stdout)
    for case in cases:
        expected = [normalize(case.op_text())]
        if printed.get(case.name) != expected:
            failures.append(f"cnnc-opt does not print {case.name} back as written:\n"
                            f"  expected: {expected}\n  printed:  {printed.get(case.name)}")
    # The printed IR must parse and print identically.
    printed_path = os.path.join(workdir, "printed.mlir")
    with open(printed_path, "w") as f:
        f.write(result.stdout)
    again = run_cnnc(cnnc_opt, printed_path)
    if again.returncode != 0 or again.stdout != result.stdout:
        failures.append(f"cnnc-opt's output does not round-trip:\n{again.stderr}")
    return failures


def check_invalid(cnnc_opt, rng, workdir):
    checks = []
    index = 0
    for kind, target in INVALID_TARGETS.items():
        for _ in range(target):
            case, torch_call, message = invalid_case(rng, kind, index)
            index += 1
            try:
                torch_call()
                torch_error = None
            except (RuntimeError, ValueError) as error:
                torch_error = str(error).splitlines()[0]
            checks.append((kind, case, torch_error, message))

    def one(check):
        kind, case, torch_error, message = check
        path = os.path.join(workdir, f"{case.name}.mlir")
        with open(path, "w") as f:
            f.write(f"// {kind}: {case.config}\n" + case.func_text())
        return check, run_cnnc(cnnc_opt, path)

    failures = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        for (kind, case, torch_error, message), result in pool.map(one, checks):
            where = f"  {kind}\n  PyTorch: {case.config}\n  IR:      {case.op_text()}"
            if torch_error is None:
                failures.append(f"PyTorch accepts a configuration expected to be invalid:\n{where}")
            if result.returncode == 0:
                failures.append(f"cnnc-opt accepts an invalid configuration "
                                f"(PyTorch: {torch_error}):\n{where}")
            elif message not in result.stderr:
                failures.append(f"cnnc-opt rejects an invalid configuration without "
                                f"'{message}':\n{where}\n  cnnc-opt: {result.stderr.strip()}")
    return len(checks), failures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cnnc_opt")
    parser.add_argument("--seed", type=int, default=20240519)
    parser.add_argument("--keep", help="write the generated files to this directory")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    torch.manual_seed(args.seed)
    torch.set_num_threads(1)

    cases, skipped = valid_cases(rng, TARGETS)
    with tempfile.TemporaryDirectory(prefix="cnnc-pytorch-shapes-") as tmp:
        workdir = args.keep or tmp
        os.makedirs(workdir, exist_ok=True)
        failures = check_valid(args.cnnc_opt, cases, workdir)
        invalid_count, invalid_failures = check_invalid(args.cnnc_opt, rng, workdir)
        failures += invalid_failures

    counts = {op: sum(1 for c in cases if c.op == op) for op in TARGETS}
    print(f"pytorch-shapes: seed {args.seed}")
    print(f"pytorch-shapes: {len(cases)} valid cases checked against PyTorch's result shape: "
          + ", ".join(f"{op} {n}" for op, n in counts.items()))
    print(f"pytorch-shapes: {sum(skipped.values())} drawn configurations skipped as PyTorch "
          f"rejects them: " + ", ".join(f"{op} {n}" for op, n in skipped.items()))
    print(f"pytorch-shapes: {invalid_count} invalid configurations checked "
          f"(PyTorch raises, cnnc-opt rejects)")
    for failure in failures:
        print("FAIL: " + failure, file=sys.stderr)
    if failures:
        print(f"pytorch-shapes: {len(failures)} failure(s)", file=sys.stderr)
        return 1
    if not cases or invalid_count == 0:
        print("pytorch-shapes: no case checked", file=sys.stderr)
        return 1
    print("pytorch-shapes: all cases agree")
    return 0


if __name__ == "__main__":
    sys.exit(main())
