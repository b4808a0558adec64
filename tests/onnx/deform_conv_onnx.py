#!/usr/bin/python3
"""torchvision's deform_conv2d through ONNX: exported as a DeformConv node.

Usage: deform_conv_onnx.py CNNC CNNC_IMPORT

ONNX has DeformConv from opset 19 on, past PyTorch 1.13's exporter and the
ONNX library's opset 17; torchvision 0.14 registers no symbolic for
deform_conv2d. This test registers one, as a user would, that emits
DeformConv with opset 19's inputs and attributes in the domain
"torchvision", and exports small v1 and v2 (modulated) blocks whose offsets
and masks are computed by convolutions, with strides, padding, dilation,
groups and offset groups. Each .onnx file compiled by cnnc must match
PyTorch (relative L2 <= 1e-4), and cnnc-import's .cnn source compiled with
its checkpoint must give the same outputs bit for bit.
"""
import ctypes
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch
import torchvision
from torch.onnx import register_custom_op_symbolic, symbolic_helper


def deform_conv2d_symbolic(g, input, weight, offset, mask, bias, stride_h,
                           stride_w, pad_h, pad_w, dil_h, dil_w, groups,
                           offset_groups, use_mask):
    value = symbolic_helper._get_const
    inputs = [input, weight, offset, bias]
    if value(use_mask, "b", "use_mask"):
        inputs.append(mask)
    pad = [value(pad_h, "i", "pad_h"), value(pad_w, "i", "pad_w")]
    return g.op("torchvision::DeformConv", *inputs,
                strides_i=[value(stride_h, "i", "stride_h"),
                           value(stride_w, "i", "stride_w")],
                pads_i=pad + pad,
                dilations_i=[value(dil_h, "i", "dil_h"),
                             value(dil_w, "i", "dil_w")],
                group_i=value(groups, "i", "groups"),
                offset_group_i=value(offset_groups, "i", "offset_groups"))


class Block(torch.nn.Module):
    def __init__(self, channels, out, kernel, stride, padding, dilation,
                 groups, offset_groups, modulated):
        super().__init__()
        taps = offset_groups * kernel * kernel
        self.offset = torch.nn.Conv2d(channels, 2 * taps, kernel, stride,
                                      padding, dilation)
        self.mask = (torch.nn.Conv2d(channels, taps, kernel, stride, padding,
                                     dilation) if modulated else None)
        self.conv = torchvision.ops.DeformConv2d(
            channels, out, kernel, stride, padding, dilation, groups)
        torch.nn.init.uniform_(self.offset.weight, -0.5, 0.5)

    def forward(self, x):
        mask = torch.sigmoid(self.mask(x)) if self.mask is not None else None
        return torch.relu(self.conv(x, self.offset(x), mask))


CASES = [
    # channels, out, kernel, stride, padding, dilation, groups,
    # offset_groups, modulated, size
    (4, 8, 3, 1, 1, 1, 1, 1, False, 9),
    (8, 8, 3, 2, 2, 2, 2, 2, True, 11),
]


def main():
    cnnc, cnnc_import = sys.argv[1:3]
    register_custom_op_symbolic("torchvision::deform_conv2d",
                                deform_conv2d_symbolic, 13)
    torch.manual_seed(0)
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for index, case in enumerate(CASES):
            *config, size = case
            model = Block(*config).eval()
            x = torch.rand(1, config[0], size, size) * 2 - 1
            with torch.no_grad():
                expected = model(x).numpy()
            name = "deform%d" % index
            path = os.path.join(tmp, name + ".onnx")
            torch.onnx.export(model, x, path, opset_version=13,
                              input_names=["x"], output_names=["y"],
                              custom_opsets={"torchvision": 1})
            outputs = []
            source = os.path.join(tmp, name + ".cnn")
            weights = os.path.join(tmp, name + ".safetensors")
            subprocess.run([cnnc_import, path, "-o", source, "--weights-out",
                            weights], check=True)
            for model_file, flags in ((path, []),
                                      (source, ["--weights", weights])):
                library = os.path.join(tmp, "lib%s%d.so" % (name, len(outputs)))
                subprocess.run([cnnc, model_file, *flags, "-o", library],
                               check=True)
                run = getattr(ctypes.CDLL(library), name + "_run")
                out = np.zeros(expected.shape, dtype=np.float32)
                image = np.ascontiguousarray(x.numpy())
                if run(ctypes.c_void_p(image.ctypes.data),
                       ctypes.c_void_p(out.ctypes.data)) != 0:
                    raise RuntimeError("run failed")
                outputs.append(out)
            error = np.linalg.norm(outputs[0] - expected) / np.linalg.norm(
                expected)
            same = np.array_equal(outputs[0], outputs[1])
            ok = error <= 1e-4 and same
            failures += not ok
            print("%s %s: vs PyTorch %.2e, imported .cnn %s: %s" % (
                name, case, error, "identical" if same else "DIFFERS",
                "ok" if ok else "FAILED"))
    print("%d passed, %d failed" % (len(CASES) - failures, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
