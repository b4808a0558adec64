#!/usr/bin/python3
"""Writes small ONNX models for the importer's lit tests.

usage: make_model.py KIND OUT.onnx

KIND is one of:
  tiny            Conv(pads) -> BatchNormalization -> Relu -> MaxPool ->
                  GlobalAveragePool -> Flatten -> Gemm, scoped node names
                  as torch exports them ("/features/conv/Conv")
  shuffle         Reshape -> Transpose -> Reshape: a channel shuffle, with
                  its shapes computed by Shape -> Gather -> Unsqueeze ->
                  Concat chains
  slice-to-end    a Slice from 1 to INT64_MAX, as torch exports x[:, 1:]
  huge-pad        a Pad that adds 2^57 rows: too large a constant block
  huge-broadcast  two constants that broadcast to 2^25 elements, folded
  sub             x - c: valid ONNX, but the .cnn language has no '-'
  pad-conv        a zero Pad of H and W (opset 11: pads as an input) before
                  a Conv
  dynamic         an input whose batch size is a dim_param ("N")
  external        the Conv weight stored in OUT.onnx.data (external data)
  external-missing  the same, the data file removed
  external-absolute  the same, its location /etc/hostname
  external-outside   the same, its location "../NAME.data"
  bad-data        an initializer whose raw data is shorter than its shape
  bad-shape       a BatchNormalization whose mean has 3 values for 4 channels
  unsupported-op  an Elu node named "/act/Elu"
  unsupported-attr  a Pad in reflect mode
  old-opset       the tiny model imported at opset 5, whose BatchNormalization
                  lacks the attribute opset 5 requires: the checker's error
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

rng = np.random.default_rng(7)


def tensor(name, *shape, low=-0.5, high=0.5):
    return numpy_helper.from_array(
        rng.uniform(low, high, shape).astype(np.float32), name)


def ints(name, values):
    return numpy_helper.from_array(np.array(values, dtype=np.int64), name)


def model(nodes, inputs, outputs, initializers, opset=13):
    graph = helper.make_graph(nodes, "test", inputs, outputs, initializers)
    return helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", opset)])


def image(name="image", shape=(1, 3, 8, 8)):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, list(shape))


def out(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, list(shape))


def tiny(opset=13):
    nodes = [
        helper.make_node("Conv", ["image", "conv.weight", "conv.bias"], ["c"],
                         name="/features/conv/Conv", pads=[1, 1, 1, 1],
                         kernel_shape=[3, 3]),
        helper.make_node("BatchNormalization",
                         ["c", "bn.scale", "bn.shift", "bn.mean", "bn.var"],
                         ["b"], name="/features/bn/BatchNormalization",
                         epsilon=1e-5),
        helper.make_node("Relu", ["b"], ["r"], name="/features/relu/Relu"),
        helper.make_node("MaxPool", ["r"], ["p"], name="/pool/MaxPool",
                         kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("GlobalAveragePool", ["p"], ["g"], name="/gap"),
        helper.make_node("Flatten", ["g"], ["f"], name="/flatten/Flatten"),
        helper.make_node("Gemm", ["f", "fc.weight", "fc.bias"], ["logits"],
                         name="/fc/Gemm", transB=1),
    ]
    inits = [tensor("conv.weight", 4, 3, 3, 3), tensor("conv.bias", 4),
             tensor("bn.scale", 4, low=0.5, high=1.5), tensor("bn.shift", 4),
             tensor("bn.mean", 4), tensor("bn.var", 4, low=0.5, high=1.5),
             tensor("fc.weight", 10, 4), tensor("fc.bias", 10)]
    return model(nodes, [image()], [out("logits", (1, 10))], inits, opset)


def shuffle():
    nodes = [
        helper.make_node("Shape", ["x"], ["s"], name="/Shape"),
        helper.make_node("Gather", ["s", "zero"], ["n"], name="/Gather",
                         axis=0),
        helper.make_node("Unsqueeze", ["n", "axes"], ["n1"], name="/Unsq"),
        helper.make_node("Concat", ["n1", "split_rest"], ["split"],
                         name="/Concat", axis=0),
        helper.make_node("Reshape", ["x", "split"], ["r"], name="/Reshape"),
        helper.make_node("Transpose", ["r"], ["t"], name="/Transpose",
                         perm=[0, 2, 1, 3, 4]),
        helper.make_node("Reshape", ["t", "merged"], ["y"], name="/Reshape_1"),
    ]
    inits = [ints("zero", 0), ints("axes", [0]),
             ints("split_rest", [2, 4, 5, 5]), ints("merged", [1, 8, 5, 5])]
    return model(nodes, [image("x", (1, 8, 5, 5))], [out("y", (1, 8, 5, 5))],
                 inits)


def main():
    kind, path = sys.argv[1], sys.argv[2]
    if kind == "tiny":
        m = tiny()
    elif kind == "old-opset":
        m = tiny(opset=5)
    elif kind == "shuffle":
        m = shuffle()
    elif kind == "pad-conv":
        m = model([helper.make_node("Pad", ["image", "pads"], ["p"],
                                    name="/pad/Pad"),
                   helper.make_node("Conv", ["p", "w"], ["y"],
                                    name="/conv/Conv", pads=[1, 0, 1, 0])],
                  [image()], [out("y", (1, 4, 9, 9))],
                  [ints("pads", [0, 0, 0, 2, 0, 0, 1, 1]),
                   tensor("w", 4, 3, 3, 3)])
    elif kind == "slice-to-end":
        # x[:, 1:] as torch exports it: the end is INT64_MAX.
        m = model([helper.make_node("Slice", ["image", "s", "e", "a"], ["y"],
                                    name="/slice")],
                  [image()], [out("y", (1, 2, 8, 8))],
                  [ints("s", [1]), ints("e", [2**63 - 1]), ints("a", [1])])
    elif kind == "huge-pad":
        # pad-conv's Pad with 2^57 rows of padding: a constant block of 2^61
        # elements, which the importer once tried to allocate.
        m = model([helper.make_node("Pad", ["image", "pads"], ["y"],
                                    name="/pad/Pad")],
                  [image()], [out("y", (1, 3, 2**57 + 8, 8))],
                  [ints("pads", [0, 0, 2**57, 0, 0, 0, 0, 0])])
    elif kind == "huge-broadcast":
        # Two constants that broadcast to 4096 x 8192 (2^25) elements.
        m = model([helper.make_node("Add", ["a", "b"], ["c"], name="/fold"),
                   helper.make_node("Add", ["image", "c"], ["y"],
                                    name="/add")],
                  [image(shape=(1, 1, 4096, 8192))],
                  [out("y", (1, 1, 4096, 8192))],
                  [tensor("a", 4096, 1), tensor("b", 1, 8192)])
    elif kind == "sub":
        m = model([helper.make_node("Sub", ["image", "c"], ["y"], name="/sub")],
                  [image()], [out("y", (1, 3, 8, 8))], [tensor("c", 3, 1, 1)])
    elif kind == "dynamic":
        m = tiny()
        for value in (m.graph.input[0], m.graph.output[0]):
            dim = value.type.tensor_type.shape.dim[0]
            dim.ClearField("dim_value")
            dim.dim_param = "N"
    elif kind in ("external", "external-missing"):
        m = tiny()
        data = os.path.basename(path) + ".data"
        onnx.save_model(m, path, save_as_external_data=True,
                        all_tensors_to_one_file=True, location=data,
                        size_threshold=0)
        if kind == "external-missing":
            os.remove(path + ".data")
        return
    elif kind in ("external-absolute", "external-outside"):
        # External data outside the model's directory: /etc/hostname, or
        # reached with "..".
        m = tiny()
        onnx.save_model(m, path, save_as_external_data=True,
                        all_tensors_to_one_file=True,
                        location=os.path.basename(path) + ".data",
                        size_threshold=0)
        m = onnx.load(path, load_external_data=False)
        if kind == "external-outside":  # The data where ".." leads.
            data = os.path.basename(path) + ".data"
            os.replace(path + ".data", os.path.join(
                os.path.dirname(os.path.abspath(path)), "..", data))
        for init in m.graph.initializer:
            for entry in init.external_data:
                if entry.key == "location":
                    entry.value = ("/etc/hostname" if kind == "external-absolute"
                                   else "../" + entry.value)
    elif kind == "bad-data":
        m = tiny()
        weight = m.graph.initializer[0]
        weight.raw_data = weight.raw_data[:20]
    elif kind == "bad-shape":
        m = tiny()
        m.graph.initializer[4].CopyFrom(tensor("bn.mean", 3))
    elif kind == "unsupported-op":
        m = model([helper.make_node("Elu", ["image"], ["y"], name="/act/Elu")],
                  [image()], [out("y", (1, 3, 8, 8))], [])
    elif kind == "unsupported-attr":
        m = model([helper.make_node("Pad", ["image", "pads"], ["y"],
                                    name="/pad/Pad", mode="reflect")],
                  [image()], [out("y", (1, 3, 10, 10))],
                  [ints("pads", [0, 0, 1, 1, 0, 0, 1, 1])])
    else:
        sys.exit("unknown kind " + kind)
    onnx.save(m, path)


if __name__ == "__main__":
    main()
