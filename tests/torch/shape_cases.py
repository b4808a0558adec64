"""The valid configurations shapes_vs_pytorch.py checks: for each op, how to
draw a random configuration, run it in PyTorch (which rejects the invalid
ones) and write it as a func whose cnn op declares PyTorch's result type.
"""

import torch
import torch.nn.functional as F
import torchvision.ops

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


def valid_cases(rng, targets):
    """`targets[op]` valid configurations of each op (PyTorch accepts them
    and their results are not empty), and how many drawn ones were not."""
    cases, skipped = [], {op: 0 for op in targets}
    for op, target in targets.items():
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
