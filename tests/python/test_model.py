"""cnnc.load() and Model: introspection, running, outputs against references."""

import subprocess

import numpy as np
import pytest

import cnnc
from conftest import random_inputs, relative_l2


def test_introspection(ew_library):
    m = cnnc.load(ew_library)
    assert m.name == "ew"
    assert [t.name for t in m.inputs] == ["a", "b"]
    assert [t.name for t in m.outputs] == ["y", "p"]
    assert m.inputs[0].shape == (2, 3, 4, 5) and m.inputs[0].dtype == np.float32
    assert m.outputs[1].shape == (2, 3, 1, 1)
    assert m.threads == 1


def test_two_outputs_match_numpy(ew_library):
    m = cnnc.load(ew_library)
    x = random_inputs(m, seed=1)
    y_ref = np.maximum(x["a"] * x["b"] + x["a"], 0)
    p_ref = y_ref.mean(axis=(2, 3), keepdims=True)
    # Several outputs: a tuple in the order of the model's return.
    y, p = m(x["a"], x["b"])
    assert relative_l2(y, y_ref) <= 1e-6
    assert relative_l2(p, p_ref) <= 1e-6
    # By name, and as a dict.
    y2, p2 = m.run(b=x["b"], a=x["a"])
    assert np.array_equal(y, y2) and np.array_equal(p, p2)
    outputs = m.run_dict(**x)
    assert list(outputs) == ["y", "p"] and np.array_equal(outputs["p"], p)


def test_outputs_start_on_a_cache_line(ew_library):
    """Outputs are C-contiguous, writable and 64-byte aligned, whatever
    numpy's allocator gives (large arrays start 16 bytes past a line)."""
    m = cnnc.load(ew_library)
    x = random_inputs(m, seed=4)
    for _ in range(8):
        for out, spec in zip(m(x["a"], x["b"]), m.outputs):
            assert out.ctypes.data % cnnc.model.OUTPUT_ALIGNMENT == 0
            assert out.flags.c_contiguous and out.flags.writeable
            assert out.shape == spec.shape and out.dtype == spec.dtype
            assert out.nbytes == np.prod(spec.shape) * spec.dtype.itemsize


def test_non_contiguous_inputs_are_copied(ew_library):
    m = cnnc.load(ew_library)
    x = random_inputs(m, seed=2)
    # A transposed view of the right shape: strided, not C-contiguous.
    a_t = np.ascontiguousarray(x["a"].transpose(0, 1, 3, 2)).transpose(0, 1, 3, 2)
    assert not a_t.flags.c_contiguous and np.array_equal(a_t, x["a"])
    assert np.array_equal(m(a_t, x["b"])[0], m(x["a"], x["b"])[0])


def test_matches_cnnc_run(se_block_library, cnnc_run_exe, tmp_path):
    """The example model with weights: the package and cnnc-run agree."""
    m = cnnc.load(se_block_library)
    assert m.name == "se_resnet_block" and m.scratch_bytes > 0
    (spec,) = m.inputs
    x = random_inputs(m, seed=3)[spec.name]
    assert np.abs(x).min() > 0 or np.count_nonzero(x) > x.size // 2
    np.save(tmp_path / "x.npy", x)
    subprocess.run([cnnc_run_exe, str(se_block_library), f"--input={spec.name}={tmp_path / 'x.npy'}",
                    f"--output-dir={tmp_path}", "--top=0"], check=True, capture_output=True)
    expected = np.load(tmp_path / f"{m.outputs[0].name}.npy")
    actual = m(x)
    assert isinstance(actual, np.ndarray) and actual.shape == m.outputs[0].shape
    assert np.linalg.norm(expected) > 0
    assert relative_l2(actual, expected) <= 1e-6


def test_f16_inputs(cnnc_exe, tmp_path):
    (tmp_path / "half.cnn").write_text(
        "model half(x: f16[1, 4, 3, 3]) {\n  return relu(x)\n}\n")
    m = cnnc.compile(tmp_path / "half.cnn", cnnc=cnnc_exe)
    assert m.inputs[0].dtype == np.float16 and m.outputs[0].dtype == np.float16
    x = np.random.default_rng(4).uniform(-1, 1, (1, 4, 3, 3)).astype(np.float16)
    assert np.array_equal(m(x), np.maximum(x, 0))
    with pytest.raises(cnnc.DtypeError, match="must have dtype float16, got float32"):
        m(x.astype(np.float32))


def test_bf16_inputs_travel_as_bit_patterns(cnnc_exe, tmp_path):
    """bf16, which numpy lacks, goes in and out as uint16 bit patterns."""
    (tmp_path / "brain.cnn").write_text(
        "model brain(x: bf16[1, 4, 3, 3]) {\n  return relu(x) + x\n}\n")
    m = cnnc.compile(tmp_path / "brain.cnn", cnnc=cnnc_exe)
    assert m.inputs[0].dtype == np.uint16 and m.outputs[0].dtype == np.uint16
    values = np.random.default_rng(5).uniform(-4, 4, (1, 4, 3, 3)).astype(np.float32)
    # bf16 is the upper half of a float32: truncate to exact bf16 values.
    bits = (values.view(np.uint32) >> 16).astype(np.uint16)
    exact = (bits.astype(np.uint32) << 16).view(np.float32)
    out = m(bits)
    assert out.dtype == np.uint16 and out.shape == (1, 4, 3, 3)
    got = (out.astype(np.uint32) << 16).view(np.float32)
    # x + relu(x) is 2x or x: exact in bf16.
    assert np.array_equal(got, np.maximum(exact, 0) + exact)
    assert np.count_nonzero(got) > 0
    with pytest.raises(cnnc.DtypeError, match="must have dtype uint16, got float32"):
        m(values)


def test_f64_inputs(cnnc_exe, tmp_path):
    (tmp_path / "wide.cnn").write_text(
        "model wide(x: f64[1, 4, 3, 3]) {\n  return sigmoid(x)\n}\n")
    m = cnnc.compile(tmp_path / "wide.cnn", cnnc=cnnc_exe)
    assert m.inputs[0].dtype == np.float64 and m.outputs[0].dtype == np.float64
    x = np.random.default_rng(6).uniform(-3, 3, (1, 4, 3, 3))
    assert relative_l2(m(x), 1 / (1 + np.exp(-x))) <= 1e-12
    with pytest.raises(cnnc.DtypeError, match="must have dtype float64, got float32"):
        m(x.astype(np.float32))


def test_close_and_context_manager(ew_library):
    with cnnc.load(ew_library, threads=2) as m:
        m(**random_inputs(m))
    with pytest.raises(ValueError, match="closed"):
        m(**random_inputs(m))
