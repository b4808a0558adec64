#!/usr/bin/python3
"""Cross-checks the cnn dialect's result-shape rules against PyTorch.

Usage: /usr/bin/python3 shapes_vs_pytorch.py CNNC_OPT [--seed N] [--keep DIR]

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
# MLIR element type -> the dtype PyTorch runs in (its CPU kernels lack some half
# precision ops; the result shape does not depend on the element type).
ELEMENT_TYPES = {"f32": torch.float32, "f64": torch.float64, "f16": torch.float32,
                 "bf16": torch.float32}


def tensor_type(shape, elem):
    return "tensor<" + "".join(f"{d}x" for d in shape) + elem + ">"


def ilist(values):
    return "[" + ", ".join(str(v) for v in values) + "]"


def rand_tensor(shape, dtype=torch.float32):
    """Uniform in +-[0.5, 1.5]: no zeros."""
    magnitude = torch.empty(shape, dtype=dtype).uniform_(0.5, 1.5)
    sign = torch.randint(0, 2, shape).to(dtype) * 2 - 1
    return magnitude * sign


def divisors(n):
    return [d for d in range(1, n + 1) if n % d == 0]


def floor_output(size, kernel, stride, dilation, before, after):
    """The convolution formula with floor division (may be <= 0)."""
    return (size + before + after - dilation * (kernel - 1) - 1) // stride + 1


class Case:
    """One op: its operands, its attributes and the result type PyTorch gives."""

    def __init__(self, op, name, config, operands, attrs, result_shape, elem,
                 type_form):
        self.op = op
        self.name = name
        self.config = config                # human-readable PyTorch call
        self.operands = operands            # [(keyword or None, ssa, shape)]
        self.attrs = attrs                  # [(keyword, text, is_default)]
        self.result_shape = list(result_shape)
        self.elem = elem
        self.type_form = type_form          # "functional" or "arrow"

    def result_type(self):
        return tensor_type(self.result_shape, self.elem)

    def choose_defaults(self, rng):
        """Writes each attribute equal to its default (which may be left out) with
        probability 0.3; cnnc-opt prints back what was written."""
        self.attrs = [a for a in self.attrs if not a[2] or rng.random() < 0.3]

    def op_text(self):
        """The op in custom form, as cnnc-opt should print it."""
        parts = []
        for i, (keyword, ssa, _) in enumerate(self.operands):
            if keyword is None:
                parts.append(("" if i == 0 else ", ") + "%" + ssa)
            else:
                parts.append(f" {keyword} %{ssa}")
        text = f"cnn.{self.op} " + "".join(parts).lstrip()
        for keyword, value, _ in self.attrs:
            text += f" {keyword}" + (f" {value}" if value is not None else "")
        operand_types = [tensor_type(s, self.elem) for _, _, s in self.operands]
        if self.type_form == "functional":
            text += f" : ({', '.join(operand_types)}) -> {self.result_type()}"
        else:
            text += f" : {', '.join(operand_types)} -> {self.result_type()}"
        return text

    def func_text(self):
        args = ", ".join(f"%{ssa}: {tensor_type(s, self.elem)}"
                         for _, ssa, s in self.operands)
        return (f"func.func @{self.name}({args}) -> {self.result_type()} {{\n"
                f"  %0 = {self.op_text()}\n"
                f"  return %0 : {self.result_type()}\n"
                f"}}\n")


def pad_attr(pad):
    return ("pad", ilist(pad), list(pad) == [0, 0, 0, 0])


def pair_attr(keyword, pair):
    return (keyword, ilist(pair), list(pair) == [1, 1])


def int_attr(keyword, value, default):
    return (keyword, str(value), value == default)


# --- Valid configurations --------------------------------------------------------------


def draw_conv2d(rng):
    kind = rng.choice(["standard", "grouped", "depthwise", "pointwise"])
    if kind == "standard":
        groups, per_group, mult = 1, rng.randint(1, 6), rng.randint(1, 6)
    elif kind == "grouped":
        groups, per_group, mult = rng.randint(2, 4), rng.randint(1, 3), rng.randint(1, 3)
    elif kind == "depthwise":
        groups, per_group, mult = rng.randint(2, 8), 1, rng.randint(1, 3)
    else:
        groups, per_group, mult = rng.choice([1, 1, 2]), rng.randint(1, 4), rng.randint(1, 4)
    channels, out_channels = groups * per_group, groups * mult
    n = rng.randint(1, 2)
    h, w = rng.randint(1, 12), rng.randint(1, 12)
    if kind == "pointwise":
        kh = kw = 1
    else:
        kh, kw = rng.randint(1, 5), rng.randint(1, 5)
    stride = [rng.randint(1, 3), rng.randint(1, 3)]
    dilation = [rng.randint(1, 4), rng.randint(1, 4)] if rng.random() < 0.6 else [1, 1]
    if rng.random() < 0.5:
        ph, pw = rng.randint(0, 3), rng.randint(0, 3)
        pad = [ph, pw, ph, pw]
    else:
        pad = [rng.randint(0, 3) for _ in range(4)]
    symmetric = pad[0] == pad[2] and pad[1] == pad[3]
    has_bias = rng.random() < 0.5
    return dict(n=n, c=channels, h=h, w=w, o=out_channels, groups=groups, kh=kh,
                kw=kw, stride=stride, dilation=dilation, pad=pad,
                symmetric=symmetric, bias=has_bias)


def run_conv2d(cfg, dtype):
    x = rand_tensor((cfg["n"], cfg["c"], cfg["h"], cfg["w"]), dtype)
    weight = rand_tensor((cfg["o"], cfg["c"] // cfg["groups"], cfg["kh"], cfg["kw"]), dtype)
    bias = rand_tensor((cfg["o"],), dtype) if cfg["bias"] else None
    top, left, bottom, right = cfg["pad"]
    if cfg["symmetric"]:
        return F.conv2d(x, weight, bias, stride=cfg["stride"], padding=(top, left),
                        dilation=cfg["dilation"], groups=cfg["groups"]).shape
    x = F.pad(x, (left, right, top, bottom))
    return F.conv2d(x, weight, bias, stride=cfg["stride"], padding=0,
                    dilation=cfg["dilation"], groups=cfg["groups"]).shape


def conv2d_case(name, cfg, result_shape, elem):
    filter_channels = cfg.get("filter_channels") or cfg["c"] // cfg["groups"]
    operands = [(None, "x", [cfg["n"], cfg["c"], cfg["h"], cfg["w"]]),
                (None, "w", [cfg["o"], filter_channels, cfg["kh"], cfg["kw"]])]
    if cfg["bias"]:
        operands.append(("bias", "b", [cfg["o"]]))
    attrs = [pair_attr("stride", cfg["stride"]), pad_attr(cfg["pad"]),
             pair_attr("dilation", cfg["dilation"]),
             int_attr("groups", cfg["groups"], 1)]
    how = ("symmetric padding" if cfg["symmetric"] else
           "F.pad(left, right, top, bottom) then padding 0")
    config = (f"F.conv2d(x{operands[0][2]}, w{operands[1][2]}, "
              f"bias={cfg['bias']}, stride={cfg['stride']}, pad(t,l,b,r)={cfg['pad']} "
              f"[{how}], dilation={cfg['dilation']}, groups={cfg['groups']})")
    return Case("conv2d", name, config, operands, attrs, result_shape, elem, "functional")


def draw_deform_conv2d(rng):
    groups = rng.choice([1, 1, 2, 3])
    per_group = rng.randint(1, 3)
    channels = groups * per_group
    out_channels = groups * rng.randint(1, 3)
    offset_groups = rng.choice(divisors(channels))
    if channels > 1 and offset_groups == 1 and rng.random() < 0.6:
        offset_groups = rng.choice(divisors(channels)[1:])
    n = rng.randint(1, 2)
    h, w = rng.randint(1, 9), rng.randint(1, 9)
    kh, kw = rng.randint(1, 3), rng.randint(1, 3)
    stride = [rng.randint(1, 3), rng.randint(1, 3)]
    dilation = [rng.randint(1, 3), rng.randint(1, 3)] if rng.random() < 0.5 else [1, 1]
    ph, pw = rng.randint(0, 2), rng.randint(0, 2)
    return dict(n=n, c=channels, h=h, w=w, o=out_channels, groups=groups, kh=kh,
                kw=kw, stride=stride, dilation=dilation, pad=[ph, pw, ph, pw],
                offset_groups=offset_groups, mask=rng.random() < 0.5,
                bias=rng.random() < 0.5)


def deform_operand_shapes(cfg, ho, wo):
    taps = cfg["kh"] * cfg["kw"]
    shapes = {
        "x": [cfg["n"], cfg["c"], cfg["h"], cfg["w"]],
        "off": [cfg["n"], 2 * cfg["offset_groups"] * taps, ho, wo],
        "w": [cfg["o"], cfg.get("filter_channels") or cfg["c"] // cfg["groups"],
              cfg["kh"], cfg["kw"]],
        "m": [cfg["n"], cfg["offset_groups"] * taps, ho, wo],
        "b": [cfg["o"]],
    }
    return shapes


def run_deform_conv2d(cfg, dtype):
    # The offset's spatial size is the output's: take it from PyTorch's conv2d.
    probe = F.conv2d(torch.ones(1, 1, cfg["h"], cfg["w"], dtype=dtype),
                     torch.ones(1, 1, cfg["kh"], cfg["kw"], dtype=dtype),
                     stride=cfg["stride"], padding=(cfg["pad"][0], cfg["pad"][1]),
                     dilation=cfg["dilation"])
    ho, wo = probe.shape[2], probe.shape[3]
    shapes = deform_operand_shapes(cfg, ho, wo)
    out = torchvision.ops.deform_conv2d(
        rand_tensor(shapes["x"], dtype), rand_tensor(shapes["off"], dtype),
        rand_tensor(shapes["w"], dtype),
        bias=rand_tensor(shapes["b"], dtype) if cfg["bias"] else None,
        stride=cfg["stride"], padding=(cfg["pad"][0], cfg["pad"][1]),
        dilation=cfg["dilation"],
        mask=rand_tensor(shapes["m"], dtype) if cfg["mask"] else None)
    return out.shape, (ho, wo)


def deform_conv2d_case(name, cfg, result_shape, elem, ho, wo):
    shapes = deform_operand_shapes(cfg, ho, wo)
    operands = [(None, "x", shapes["x"]), (None, "off", shapes["off"]),
                (None, "w", shapes["w"])]
    if cfg["mask"]:
        operands.append(("mask", "m", shapes["m"]))
    if cfg["bias"]:
        operands.append(("bias", "b", shapes["b"]))
    attrs = [pair_attr("stride", cfg["stride"]), pad_attr(cfg["pad"]),
             pair_attr("dilation", cfg["dilation"]),
             int_attr("groups", cfg["groups"], 1),
             int_attr("offset_groups", cfg["offset_groups"], 1)]
    config = (f"torchvision.ops.deform_conv2d(x{shapes['x']}, offset{shapes['off']}, "
              f"w{shapes['w']}, mask={shapes['m'] if cfg['mask'] else None}, "
              f"bias={cfg['bias']}, stride={cfg['stride']}, "
              f"padding={cfg['pad'][:2]}, dilation={cfg['dilation']}) "
              f"[groups {cfg['groups']}, offset groups {cfg['offset_groups']}]")
    return Case("deform_conv2d", name, config, operands, attrs, result_shape, elem,
                "functional")


def draw_pool(rng, op):
    n, c = rng.randint(1, 2), rng.randint(1, 4)
    h, w = rng.randint(1, 12), rng.randint(1, 12)
    kernel = [rng.randint(1, 5), rng.randint(1, 5)]
    stride = [rng.randint(1, 3), rng.randint(1, 3)]
    if op == "max_pool2d" and rng.random() < 0.6:
        dilation = [rng.randint(1, 4), rng.randint(1, 4)]
    else:
        dilation = [1, 1]
    # Padding up to half the dilated kernel: what cnnc allows. PyTorch allows
    # up to half the kernel; it rejects (and this skips) the rest.
    ph = rng.randint(0, (dilation[0] * (kernel[0] - 1) + 1) // 2)
    pw = rng.randint(0, (dilation[1] * (kernel[1] - 1) + 1) // 2)
    cfg = dict(n=n, c=c, h=h, w=w, kernel=kernel, stride=stride, dilation=dilation,
               pad=[ph, pw, ph, pw], ceil_mode=rng.random() < 0.5)
    if op == "avg_pool2d":
        cfg["count_include_pad"] = rng.random() < 0.5
        cfg["divisor"] = rng.randint(1, 9) if rng.random() < 0.2 else None
    return cfg


def run_pool(op, cfg, dtype):
    x = rand_tensor((cfg["n"], cfg["c"], cfg["h"], cfg["w"]), dtype)
    padding = (cfg["pad"][0], cfg["pad"][1])
    if op == "max_pool2d":
        return F.max_pool2d(x, cfg["kernel"], cfg["stride"], padding, cfg["dilation"],
                            ceil_mode=cfg["ceil_mode"]).shape
    return F.avg_pool2d(x, cfg["kernel"], cfg["stride"], padding,
                        ceil_mode=cfg["ceil_mode"],
                        count_include_pad=cfg["count_include_pad"],
                        divisor_override=cfg["divisor"]).shape


def pool_case(op, name, cfg, result_shape, elem):
    operands = [(None, "x", [cfg["n"], cfg["c"], cfg["h"], cfg["w"]])]
    attrs = [("kernel", ilist(cfg["kernel"]), False),
             ("stride", ilist(cfg["stride"]), False), pad_attr(cfg["pad"])]
    if op == "max_pool2d":
        attrs.append(pair_attr("dilation", cfg["dilation"]))
        config = (f"F.max_pool2d(x{operands[0][2]}, kernel_size={cfg['kernel']}, "
                  f"stride={cfg['stride']}, padding={cfg['pad'][:2]}, "
                  f"dilation={cfg['dilation']}, ceil_mode={cfg['ceil_mode']})")
    else:
        config = (f"F.avg_pool2d(x{operands[0][2]}, kernel_size={cfg['kernel']}, "
                  f"stride={cfg['stride']}, padding={cfg['pad'][:2]}, "
                  f"ceil_mode={cfg['ceil_mode']}, "
                  f"count_include_pad={cfg['count_include_pad']}, "
                  f"divisor_override={cfg['divisor']})")
    if cfg["ceil_mode"]:
        attrs.append(("ceil_mode", None, False))
    if op == "avg_pool2d":
        if cfg["count_include_pad"]:
            attrs.append(("count_include_pad", None, False))
        if cfg["divisor"] is not None:
            attrs.append(("divisor", str(cfg["divisor"]), False))
    return Case(op, name, config, operands, attrs, result_shape, elem, "arrow")


def draw_flatten(rng):
    rank = rng.randint(1, 5)
    shape = [rng.randint(1, 4) for _ in range(rank)]
    start = rng.randint(-rank, rank - 1)
    end = rng.randint(-rank, rank - 1)
    return dict(shape=shape, start=start, end=end)


def run_flatten(cfg, dtype):
    return torch.flatten(rand_tensor(tuple(cfg["shape"]), dtype), cfg["start"],
                         cfg["end"]).shape


def flatten_case(name, cfg, result_shape, elem):
    attrs = [int_attr("start_dim", cfg["start"], 1), int_attr("end_dim", cfg["end"], -1)]
    config = f"torch.flatten(x{cfg['shape']}, {cfg['start']}, {cfg['end']})"
    return Case("flatten", name, config, [(None, "x", cfg["shape"])], attrs,
                result_shape, elem, "arrow")


def draw_broadcast(rng):
    rank = rng.randint(0, 5)
    out = [rng.randint(1, 5) for _ in range(rank)]

    def operand():
        drop = rng.randint(0, rank)
        return [1 if rng.random() < 0.3 else d for d in out[drop:]]

    return dict(lhs=operand(), rhs=operand())


def run_broadcast(op, cfg, dtype):
    lhs = rand_tensor(tuple(cfg["lhs"]), dtype)
    rhs = rand_tensor(tuple(cfg["rhs"]), dtype)
    return (torch.add(lhs, rhs) if op == "add" else torch.mul(lhs, rhs)).shape


def broadcast_case(op, name, cfg, result_shape, elem):
    operands = [(None, "a", cfg["lhs"]), (None, "b", cfg["rhs"])]
    config = f"torch.{op}(a{cfg['lhs']}, b{cfg['rhs']})"
    return Case(op, name, config, operands, [], result_shape, elem, "arrow")


def valid_cases(rng):
    cases, skipped = [], {op: 0 for op in TARGETS}
    for op, target in TARGETS.items():
        count = attempts = 0
        while count < target and attempts < 50 * target:
            attempts += 1
            elem = rng.choice(list(ELEMENT_TYPES))
            dtype = ELEMENT_TYPES[elem]
            name = f"{op}_{count}"
            try:
                if op == "conv2d":
                    cfg = draw_conv2d(rng)
                    shape = run_conv2d(cfg, dtype)
                    case = conv2d_case(name, cfg, shape, elem)
                elif op == "deform_conv2d":
                    cfg = draw_deform_conv2d(rng)
                    shape, (ho, wo) = run_deform_conv2d(cfg, dtype)
                    case = deform_conv2d_case(name, cfg, shape, elem, ho, wo)
                elif op in ("max_pool2d", "avg_pool2d"):
                    cfg = draw_pool(rng, op)
                    shape = run_pool(op, cfg, dtype)
                    case = pool_case(op, name, cfg, shape, elem)
                elif op == "flatten":
                    cfg = draw_flatten(rng)
                    shape = run_flatten(cfg, dtype)
                    case = flatten_case(name, cfg, shape, elem)
                else:
                    cfg = draw_broadcast(rng)
                    shape = run_broadcast(op, cfg, dtype)
                    case = broadcast_case(op, name, cfg, shape, elem)
            except (RuntimeError, ValueError):
                skipped[op] += 1  # PyTorch rejects it: not a valid configuration.
                continue
            if any(d == 0 for d in shape):
                skipped[op] += 1
                continue
            case.choose_defaults(rng)
            cases.append(case)
            count += 1
    return cases, skipped


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

    cases, skipped = valid_cases(rng)
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
