"""Every user error raises a specific exception whose message names the problem."""

import os

import numpy as np
import pytest

import cnnc
from conftest import random_inputs


@pytest.fixture
def ew(ew_library):
    return cnnc.load(ew_library)


def test_float64_input_raises(ew):
    x = random_inputs(ew)
    with pytest.raises(cnnc.DtypeError, match=r"input 'a' must have dtype float32, got float64"):
        ew(x["a"].astype(np.float64), x["b"])
    # Also a TypeError, for generic handlers.
    with pytest.raises(TypeError):
        ew(a=x["a"], b=x["b"].astype(np.float64))


def test_list_input_raises(ew):
    x = random_inputs(ew)
    with pytest.raises(cnnc.DtypeError, match="input 'a' must be a numpy array"):
        ew(x["a"].tolist(), x["b"])


def test_wrong_shape_raises(ew):
    x = random_inputs(ew)
    with pytest.raises(cnnc.ShapeError,
                       match=r"input 'b' must have shape \(2, 3, 4, 5\), got \(2, 3, 5, 4\)"):
        ew(x["a"], np.ascontiguousarray(x["b"].transpose(0, 1, 3, 2)))
    with pytest.raises(ValueError):
        ew(x["a"], x["b"][:1])


def test_wrong_input_name_raises(ew):
    x = random_inputs(ew)
    with pytest.raises(cnnc.InputNameError, match="model 'ew' has no input 'image' "
                       r"\(its inputs: a, b\)"):
        ew(image=x["a"], b=x["b"])
    with pytest.raises(cnnc.InputNameError, match="needs input\\(s\\) b"):
        ew(x["a"])
    with pytest.raises(cnnc.InputNameError, match="input 'a' of model 'ew' given twice"):
        ew(x["a"], a=x["a"], b=x["b"])
    with pytest.raises(cnnc.InputNameError, match="takes 2 input"):
        ew(x["a"], x["b"], x["b"])


def test_missing_library_raises(tmp_path):
    with pytest.raises(cnnc.LibraryNotFoundError, match="no model library at '.*libnothing.so'"):
        cnnc.load(tmp_path / "libnothing.so")
    with pytest.raises(FileNotFoundError):
        cnnc.load(tmp_path / "libnothing.so")


def test_not_a_library_raises(tmp_path):
    (tmp_path / "libtext.so").write_text("not a library")
    with pytest.raises(cnnc.NotACnncLibraryError, match="cannot load"):
        cnnc.load(tmp_path / "libtext.so")


def test_library_without_model_raises(libdir, fake_library):
    path = fake_library("libnomodel.so", "nomodel", "something_else", "nomodel",
                        run_symbol=False)
    with pytest.raises(cnnc.NotACnncLibraryError, match="is not a cnnc library: it exports no "
                       "introspection function"):
        cnnc.load(path)


def test_status_raises(fake_library):
    m = cnnc.load(fake_library("libstatus.so", "status", "status_model", "status"))
    assert np.array_equal(m(np.ones((2, 3), np.float32)), np.full((2, 3), 2, np.float32))
    with pytest.raises(cnnc.RunError, match=r"model 'status' failed: CNNC_ERROR_OUT_OF_MEMORY "
                       r"\(1\): out of memory") as error:
        m(np.full((2, 3), -1, np.float32))
    assert error.value.status == 1 and error.value.status_name == "CNNC_ERROR_OUT_OF_MEMORY"


def test_missing_cnnc_raises(tmp_path, monkeypatch):
    (tmp_path / "m.cnn").write_text("model m(x: f32[1, 2]) {\n  return relu(x)\n}\n")
    monkeypatch.delenv("CNNC_EXECUTABLE", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # no cnnc there
    with pytest.raises(cnnc.CompilerNotFoundError, match="cannot find the cnnc executable"):
        cnnc.compile(tmp_path / "m.cnn")
    with pytest.raises(cnnc.CompilerNotFoundError, match=r"cnnc='/nowhere/cnnc'"):
        cnnc.compile(tmp_path / "m.cnn", cnnc="/nowhere/cnnc")
    monkeypatch.setenv("CNNC_EXECUTABLE", "/nowhere/cnnc")
    with pytest.raises(cnnc.CompilerNotFoundError, match=r"\$CNNC_EXECUTABLE='/nowhere/cnnc'"):
        cnnc.compile(tmp_path / "m.cnn")


def test_compile_error_has_cnncs_message(cnnc_exe, tmp_path):
    (tmp_path / "bad.cnn").write_text("model bad(x: f32[1, 2]) {\n  return nosuchop(x)\n}\n")
    with pytest.raises(cnnc.CompileError, match="cnnc failed on '.*bad.cnn'.*\n.*nosuchop"):
        cnnc.compile(tmp_path / "bad.cnn", cnnc=cnnc_exe)
    with pytest.raises(cnnc.LibraryNotFoundError, match="no model file"):
        cnnc.compile(tmp_path / "none.cnn", cnnc=cnnc_exe)
    with pytest.raises(ValueError, match="needs out="):
        cnnc.compile(tmp_path / "bad.cnn", cnnc=cnnc_exe, load=False)


def test_bad_threads_raises(ew_library):
    with pytest.raises(ValueError, match="threads must be a non-negative int"):
        cnnc.load(ew_library, threads=-1)


def test_compile_finds_cnnc_on_path(cnnc_exe, tmp_path, monkeypatch):
    (tmp_path / "m.cnn").write_text("model m(x: f32[1, 2]) {\n  return relu(x)\n}\n")
    monkeypatch.delenv("CNNC_EXECUTABLE", raising=False)
    monkeypatch.setenv("PATH", os.path.dirname(cnnc_exe) + os.pathsep + os.environ["PATH"])
    m = cnnc.compile(tmp_path / "m.cnn")
    assert np.array_equal(m(np.array([[-1, 2]], np.float32)), np.array([[0, 2]], np.float32))
    # $CNNC_EXECUTABLE wins over a cnnc on PATH (here one that always fails).
    fake = tmp_path / "cnnc"
    fake.write_text("#!/bin/sh\necho wrong cnnc >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("CNNC_EXECUTABLE", cnnc_exe)
    monkeypatch.setenv("PATH", str(tmp_path) + os.pathsep + os.environ["PATH"])
    out = cnnc.compile(tmp_path / "m.cnn", out=tmp_path / "libm.so", load=False)
    assert out == str(tmp_path / "libm.so") and os.path.isfile(out)


def test_scratch_too_small_raises(se_block_library):
    # The package tells the library the size of its own scratch arenas
    # (run_with_scratch_size, C API version 4): an arena one byte short is a
    # status, not a write past its end.
    model = cnnc.load(se_block_library)
    assert model._info.version >= 4 and model.scratch_bytes > 0
    x = random_inputs(model)
    expected = model(**x)
    model._idle.clear()  # the next run makes a new arena...
    model.scratch_bytes -= 1  # ...one byte short
    with pytest.raises(cnnc.RunError, match=r"CNNC_ERROR_SCRATCH_TOO_SMALL \(6\): the scratch "
                       r"memory is smaller than the model's scratch_bytes") as error:
        model(**x)
    assert error.value.status == 6 and error.value.status_name == "CNNC_ERROR_SCRATCH_TOO_SMALL"
    model._idle.clear()
    model.scratch_bytes += 1
    np.testing.assert_array_equal(model(**x), expected)


def test_old_c_api_version_raises(fake_library):
    # Version 3 (fake_model.c's default, without run_with_scratch_size) loads
    # and runs; an older one is refused by name.
    assert cnnc.load(fake_library("libv3.so", "v3", "v3_model", "v3")).name == "v3"
    with pytest.raises(cnnc.NotACnncLibraryError, match=r"uses C API version 2; this cnnc "
                       r"package reads versions 3 and later"):
        cnnc.load(fake_library("libv2.so", "v2", "v2_model", "v2", version=2))
