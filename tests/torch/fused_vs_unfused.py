"""Fused and unfused libraries compute the same outputs.

Every example model, and randomly drawn chains that the fusion passes take
(convolution epilogues with activations, residual adds and per-channel
scales; depthwise -> pointwise chains and 1x1 -> KxK -> 1x1 bottlenecks
with strides, dilation and odd sizes), is compiled twice with the same random weights: by default and with
--no-fusion. Both run on the same random inputs (cnnc-run --seed) and must
agree to a relative L2 error of at most 1e-5 on every output. The outputs
must not be all zeros, and for each random chain the fused compilation's
--fusion-report must list it as the kind it was drawn for.

usage: fused_vs_unfused.py CNNC CNNC_RUN EXAMPLES_DIR [SEED]
"""

import pathlib
import random
import subprocess
import sys
import tempfile

import numpy as np

TOLERANCE = 1e-5
EXAMPLES = ["deformable_v2_block", "dilated_context", "resnext_block",
            "se_resnet_block", "shufflenet_v1_unit", "vgg_stack",
            "mobilenet_v2", "resnext50_32x4d"]
ACTIVATIONS = ["relu", "relu6", "sigmoid", "hard_swish", "silu", "tanh"]


def random_chain(rng, index, extra):
    """A .cnn model whose layers the fusion passes take, and the fusion kind
    that must take them; appends any cnnc flags it needs to `extra`."""
    channels = rng.choice([3, 8, 13, 24])
    size = rng.choice([7, 12, 17, 30])
    lines = [f"model chain{index}(x: f32[1, {channels}, {size}, {size}]) {{"]
    draw = rng.random()
    if draw < 0.3:
        kind = "bottleneck"
        # 1x1 expansion -> activation -> KxK (depthwise or full) ->
        # activation -> 1x1 projection [+ residual]: the bottleneck.
        stride = rng.choice([1, 2])
        dilation = rng.choice([1, 2]) if stride == 1 else 1
        kernel = rng.choice([3, 5])
        wide = rng.choice([6, 16, 40])
        groups = wide if rng.random() < 0.5 else 1
        act1, act2 = rng.choice(ACTIVATIONS), rng.choice(ACTIVATIONS)
        lines.append(f"  e = conv2d(x, {wide}, 1)")
        lines.append(f"  m = conv2d({act1}(e), {wide}, {kernel}, "
                     f"stride={stride}, padding={dilation * (kernel // 2)}, "
                     f"dilation={dilation}, groups={groups})")
        lines.append(f"  p = conv2d({act2}(m), {channels}, 1)")
        lines.append("  return " + ("x + p" if stride == 1 else "relu(p)"))
        if groups == 1:
            # ResNet's form is not in the default pipeline: ask for it.
            extra.append("--fusion-passes=cnn-fuse-bottleneck{dense-middle=true"
                         f" tile-bytes={rng.choice([1, 3000, 12000])}}}")
    elif draw < 0.55:
        kind = "depthwise_pointwise"
        # Depthwise -> activation -> pointwise [-> activation] [+ residual].
        stride = rng.choice([1, 2])
        dilation = rng.choice([1, 2]) if stride == 1 else 1
        act = rng.choice(ACTIVATIONS)
        out = channels if stride == 1 and rng.random() < 0.6 else rng.choice([5, 16])
        lines.append(f"  d = conv2d(x, {channels}, 3, stride={stride}, "
                     f"padding={dilation}, dilation={dilation}, "
                     f"groups={channels})")
        lines.append(f"  p = conv2d({act}(d), {out}, 1)")
        result = "p"
        if rng.random() < 0.5:
            result = f"{rng.choice(ACTIVATIONS)}(p)"
        if out == channels and stride == 1:
            result = f"x + {result}"
        lines.append(f"  return {result}")
    elif draw < 0.75:
        kind = "squeeze_excite"
        # Convolution [-> activation] -> global pool -> 1x1 reduce -> relu ->
        # 1x1 expand -> gate; the scale [+ residual] [-> activation].
        kernel = rng.choice([1, 3, 5])
        groups = channels if rng.random() < 0.3 else 1
        lines.append(f"  c = conv2d(x, {channels}, {kernel}, "
                     f"padding={kernel // 2}, groups={groups})")
        value = "c"
        if rng.random() < 0.6:
            lines.append(f"  a = {rng.choice(ACTIVATIONS)}(c)")
            value = "a"
        squeezed = max(1, channels // rng.choice([2, 4]))
        gate = rng.choice(["sigmoid", "hard_sigmoid"])
        lines.append(f"  r = conv2d(global_avg_pool({value}), {squeezed}, 1)")
        lines.append(f"  s = conv2d(relu(r), {channels}, 1)")
        result = (f"{value} * {gate}(s)" if rng.random() < 0.5
                  else f"{gate}(s) * {value}")
        if rng.random() < 0.6:
            result = f"x + {result}"
        if rng.random() < 0.5:
            result = f"{rng.choice(ACTIVATIONS)}({result})"
        lines.append(f"  return {result}")
    else:
        kind = "conv_epilogue"
        # Convolution -> activations [+ residual] [* per-channel scale].
        kernel = rng.choice([1, 3, 5])
        lines.append(f"  c = conv2d(x, {channels}, {kernel}, "
                     f"padding={kernel // 2})")
        value = f"{rng.choice(ACTIVATIONS)}(c)"
        if rng.random() < 0.6:
            value = f"x + {value}"
        if rng.random() < 0.5:
            lines.append("  s = sigmoid(global_avg_pool(x))")
            value = f"({value}) * s"
        lines.append(f"  return relu({value})")
    lines.append("}")
    return "\n".join(lines) + "\n", kind


def outputs(cnnc_run, library, directory):
    directory.mkdir()
    subprocess.run([cnnc_run, str(library), "--seed=11", "--top=0",
                    f"--output-dir={directory}"], check=True,
                   stdout=subprocess.DEVNULL)
    return {p.name: np.load(p) for p in sorted(directory.glob("*.npy"))}


def check(name, source, cnnc, cnnc_run, tmp, must_fuse=None, tile_flags=()):
    libraries = {}
    for variant, flags in (("fused", list(tile_flags)),
                           ("unfused", ["--no-fusion"])):
        libraries[variant] = tmp / f"lib{name}_{variant}.so"
        run = subprocess.run([cnnc, str(source), "--random-weights=5", "-o",
                              str(libraries[variant]), "--fusion-report"]
                             + flags, capture_output=True, text=True)
        if run.returncode != 0:
            sys.exit(f"{name}: cnnc {' '.join(flags)} failed:\n"
                     f"{source.read_text()}\n{run.stderr}")
        if (variant == "fused" and must_fuse and
                f"#1 {must_fuse}" not in run.stderr):
            sys.exit(f"{name}: not fused as {must_fuse}:\n"
                     f"{source.read_text()}\n{run.stderr}")
    fused = outputs(cnnc_run, libraries["fused"], tmp / f"{name}_fused")
    unfused = outputs(cnnc_run, libraries["unfused"], tmp / f"{name}_unfused")
    assert fused.keys() == unfused.keys() and fused, (name, fused.keys())
    worst = 0.0
    for key, reference in unfused.items():
        norm = np.linalg.norm(reference)
        if norm == 0:
            sys.exit(f"{name}: output {key} is all zeros")
        worst = max(worst, np.linalg.norm(fused[key] - reference) / norm)
    print(f"{name}: relative L2 error {worst:.2e}")
    if worst > TOLERANCE:
        sys.exit(f"{name}: fused and unfused differ by {worst:.2e}")


def main():
    cnnc, cnnc_run, examples = sys.argv[1], sys.argv[2], pathlib.Path(sys.argv[3])
    rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 2026)
    with tempfile.TemporaryDirectory() as directory:
        tmp = pathlib.Path(directory)
        for name in EXAMPLES:
            check(name, examples / f"{name}.cnn", cnnc, cnnc_run, tmp)
        for index in range(16):
            source = tmp / f"chain{index}.cnn"
            # Small tiles: several per image, with halos and padded edges.
            flags = [f"--fusion-tile-bytes={rng.choice([1, 3000, 12000])}"]
            text, kind = random_chain(rng, index, flags)
            source.write_text(text)
            check(f"chain{index}", source, cnnc, cnnc_run, tmp, kind, flags)


if __name__ == "__main__":
    main()
