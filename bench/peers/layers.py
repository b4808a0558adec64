"""The peer benchmark's cases in PyTorch: the layer set L1-L11 of
bench/layers/*.cnn and four torchvision models (examples/*.cnn).

Each layer module computes exactly what its .cnn file does: the same
shapes, ops and order, and its submodules carry the .cnn file's parameter
names (`dw.weight`, `reduce.bias`, ...), so one state_dict binds both
(bench_peers.py --verify compiles the .cnn files with these weights and
compares the outputs). Used by torch_runner.py with Debian's /usr/bin/python3
(python3-torch 1.13, python3-torchvision 0.14).
"""

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision
import torchvision.ops


class L1(nn.Module):
    """depthwise 3x3 s1 p1, C=32, 112x112"""

    def __init__(self):
        super().__init__()
        self.dw = nn.Conv2d(32, 32, 3, padding=1, groups=32)

    def forward(self, x):
        return self.dw(x)


class L2(nn.Module):
    """pointwise 1x1 32->64, 112x112"""

    def __init__(self):
        super().__init__()
        self.pw = nn.Conv2d(32, 64, 1)

    def forward(self, x):
        return self.pw(x)


class L3(nn.Module):
    """L1 -> ReLU6 -> L2"""

    def __init__(self):
        super().__init__()
        self.dw = nn.Conv2d(32, 32, 3, padding=1, groups=32)
        self.pw = nn.Conv2d(32, 64, 1)

    def forward(self, x):
        return self.pw(F.relu6(self.dw(x)))


class L4(nn.Module):
    """ResNet-50 bottleneck at 56x56 (no batch norm), residual, ReLUs"""

    def __init__(self):
        super().__init__()
        self.reduce = nn.Conv2d(256, 64, 1)
        self.conv = nn.Conv2d(64, 64, 3, padding=1)
        self.expand = nn.Conv2d(64, 256, 1)

    def forward(self, x):
        y = self.expand(F.relu(self.conv(F.relu(self.reduce(x)))))
        return F.relu(x + y)


class L5(nn.Module):
    """MobileNetV2 inverted residual 24->144->24 at 56x56"""

    def __init__(self):
        super().__init__()
        self.expand = nn.Conv2d(24, 144, 1)
        self.dw = nn.Conv2d(144, 144, 3, padding=1, groups=144)
        self.project = nn.Conv2d(144, 24, 1)

    def forward(self, x):
        y = self.project(F.relu6(self.dw(F.relu6(self.expand(x)))))
        return x + y


def channel_shuffle(x, groups: int):
    n, c, h, w = x.shape
    return x.reshape(n, groups, c // groups, h, w).transpose(1, 2).reshape(n, c, h, w)


class L6(nn.Module):
    """ShuffleNet v1 unit g=3, 240 channels at 28x28"""

    def __init__(self):
        super().__init__()
        self.reduce = nn.Conv2d(240, 60, 1, groups=3)
        self.dw = nn.Conv2d(60, 60, 3, padding=1, groups=60)
        self.expand = nn.Conv2d(60, 240, 1, groups=3)

    def forward(self, x):
        y = channel_shuffle(F.relu(self.reduce(x)), 3)
        y = self.expand(self.dw(y))
        return F.relu(x + y)


class L7(nn.Module):
    """grouped 3x3 128->128, g=32, 28x28"""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(128, 128, 3, padding=1, groups=32)

    def forward(self, x):
        return self.conv(x)


class L8(nn.Module):
    """dilated 3x3 64->64, d=2 p=2, 56x56"""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(64, 64, 3, padding=2, dilation=2)

    def forward(self, x):
        return self.conv(x)


class L9(nn.Module):
    """squeeze-excitation C=64, r=16, on 56x56"""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Conv2d(64, 4, 1)
        self.fc2 = nn.Conv2d(4, 64, 1)

    def forward(self, x):
        s = self.fc2(F.relu(self.fc1(F.adaptive_avg_pool2d(x, 1))))
        return x * torch.sigmoid(s)


class L10(nn.Module):
    """deformable v1: offset conv 64->18 3x3 + deform conv 3x3 64->64, 28x28"""

    def __init__(self):
        super().__init__()
        self.offset_conv = nn.Conv2d(64, 18, 3, padding=1)
        self.conv = torchvision.ops.DeformConv2d(64, 64, 3, padding=1)

    def forward(self, x):
        return self.conv(x, self.offset_conv(x))


class L11(nn.Module):
    """standard 3x3 64->64, 56x56"""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(64, 64, 3, padding=1)

    def forward(self, x):
        return self.conv(x)


# name -> (constructor, input shape, .cnn file relative to the repository,
#          MFLOP from the benchmark notes or None to count convolutions and
#          dense layers, whether ONNX (opset 13) can express it)
CASES = {
    "L1": (L1, (1, 32, 112, 112), "bench/layers/L1.cnn", 7.23, True),
    "L2": (L2, (1, 32, 112, 112), "bench/layers/L2.cnn", 51.38, True),
    "L3": (L3, (1, 32, 112, 112), "bench/layers/L3.cnn", 58.61, True),
    "L4": (L4, (1, 256, 56, 56), "bench/layers/L4.cnn", 436.73, True),
    "L5": (L5, (1, 24, 56, 56), "bench/layers/L5.cnn", 51.48, True),
    "L6": (L6, (1, 240, 28, 28), "bench/layers/L6.cnn", 15.90, True),
    "L7": (L7, (1, 128, 28, 28), "bench/layers/L7.cnn", 7.23, True),
    "L8": (L8, (1, 64, 56, 56), "bench/layers/L8.cnn", 231.21, True),
    # The pool's adds and the scale's multiplies (the two 1x1s add 1 kFLOP).
    "L9": (L9, (1, 64, 56, 56), "bench/layers/L9.cnn", 0.40, True),
    # ONNX has no DeformConv before opset 19: ONNX Runtime is n/a.
    "L10": (L10, (1, 64, 28, 28), "bench/layers/L10.cnn", 74.06, False),
    "L11": (L11, (1, 64, 56, 56), "bench/layers/L11.cnn", 231.21, True),
    "mobilenet_v2": (torchvision.models.mobilenet_v2, (1, 3, 224, 224),
                     "examples/mobilenet_v2.cnn", None, True),
    "shufflenet_v2_x1_0": (torchvision.models.shufflenet_v2_x1_0, (1, 3, 224, 224),
                           "examples/shufflenet_v2_x1_0.cnn", None, True),
    "resnet50": (torchvision.models.resnet50, (1, 3, 224, 224),
                 "examples/resnet50.cnn", None, True),
    "resnext50_32x4d": (torchvision.models.resnext50_32x4d, (1, 3, 224, 224),
                        "examples/resnext50_32x4d.cnn", None, True),
}
LAYERS = [f"L{i}" for i in range(1, 12)]
MODELS = ["mobilenet_v2", "shufflenet_v2_x1_0", "resnet50", "resnext50_32x4d"]


def build(name, seed=0):
    """The case's module in eval mode, initialized from `seed` (torchvision's
    and nn's default initializations: no denormals)."""
    torch.manual_seed(seed)
    constructor = CASES[name][0]
    module = constructor(weights=None) if name in MODELS else constructor()
    return module.eval()


def example_input(name, seed=1):
    generator = torch.Generator().manual_seed(seed)
    return torch.rand(CASES[name][1], generator=generator) * 2 - 1


def count_flops(module, x):
    """2 x MACs of every convolution (deformable included) and dense layer."""
    total = 0

    def hook(layer, inputs, output):
        nonlocal total
        if isinstance(layer, (nn.Conv2d, torchvision.ops.DeformConv2d)):
            per_output = layer.weight.shape[1] * layer.weight.shape[2] * layer.weight.shape[3]
            total += 2 * output.numel() * per_output
        elif isinstance(layer, nn.Linear):
            total += 2 * output.numel() * layer.in_features

    handles = [m.register_forward_hook(hook) for m in module.modules()]
    with torch.no_grad():
        module(x)
    for handle in handles:
        handle.remove()
    return total


def count_subnormals(module, x):
    """(subnormal values, all values) over every submodule's output."""
    counts = [0, 0]

    def hook(layer, inputs, output):
        if isinstance(output, torch.Tensor) and output.is_floating_point():
            tiny = torch.finfo(output.dtype).tiny
            counts[0] += int(((output != 0) & (output.abs() < tiny)).sum())
            counts[1] += output.numel()

    handles = [m.register_forward_hook(hook) for m in module.modules()]
    with torch.no_grad():
        module(x)
    for handle in handles:
        handle.remove()
    return tuple(counts)
