"""Fixtures of the Python package's tests (tests/python, ctest 'python-api').

ctest sets CNNC_EXECUTABLE and CNNC_RUN to the built tools; the package is
imported from the source tree's python/ folder.
"""

import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

SOURCE_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(SOURCE_DIR, "python"))

import cnnc  # noqa: E402


def _tool(variable, name):
    path = os.environ.get(variable) or os.path.join(SOURCE_DIR, "build", "bin", name)
    if not os.path.isfile(path):
        pytest.exit(f"{name} not found: set {variable} (ctest does)", returncode=2)
    return os.path.abspath(path)


@pytest.fixture(scope="session")
def cnnc_exe():
    return _tool("CNNC_EXECUTABLE", "cnnc")


@pytest.fixture(scope="session")
def cnnc_run_exe():
    return _tool("CNNC_RUN", "cnnc-run")


@pytest.fixture(scope="session")
def source_dir():
    return SOURCE_DIR


@pytest.fixture(scope="session")
def libdir(tmp_path_factory):
    return tmp_path_factory.mktemp("libs")


def write(path, text):
    path.write_text(text)
    return os.path.abspath(path)


# Two inputs, two outputs, no parameters: numpy computes the same.
EW_MODEL = """model ew(a: f32[2, 3, 4, 5], b: f32[2, 3, 4, 5]) {
  y = relu(a * b + a)
  p = global_avg_pool(y)
  return y, p
}
"""


@pytest.fixture(scope="session")
def ew_library(cnnc_exe, libdir):
    source = write(libdir / "ew.cnn", EW_MODEL)
    return cnnc.compile(source, out=libdir / "libew.so", cnnc=cnnc_exe, load=False)


@pytest.fixture(scope="session")
def se_block_library(cnnc_exe, libdir):
    """An example model with weights: a squeeze-and-excitation ResNet block."""
    return cnnc.compile(os.path.join(SOURCE_DIR, "examples", "se_resnet_block.cnn"),
                        random_weights=1, out=libdir / "libse_resnet_block.so",
                        cnnc=cnnc_exe, load=False)


def c_compiler():
    for name in ("cc", "clang-19", "gcc"):
        if shutil.which(name):
            return shutil.which(name)
    pytest.skip("no C compiler for the hand-written test libraries")


@pytest.fixture(scope="session")
def fake_library(libdir):
    """Builds tests/python/fake_model.c (cnnc's C API by hand) as a library.

    fake_library(file_name, prefix, info_symbol, model_name, run_symbol=True, version=3)
    """

    def build(file_name, prefix, info_symbol, model_name, run_symbol=True, version=3):
        out = libdir / file_name
        command = [c_compiler(), "-shared", "-fPIC", f"-DPREFIX={prefix}",
                   f"-DINFO_SYMBOL={info_symbol}", f'-DMODEL_NAME="{model_name}"',
                   f"-DVERSION={version}",
                   os.path.join(SOURCE_DIR, "tests", "python", "fake_model.c"), "-o", str(out)]
        if not run_symbol:
            command.insert(1, "-DNO_RUN_SYMBOL")
        subprocess.run(command, check=True)
        return out

    return build


def random_inputs(model, seed=0):
    """Nonzero random inputs of the model's shapes and dtypes, by name."""
    rng = np.random.default_rng(seed)
    return {t.name: rng.uniform(-1, 1, t.shape).astype(t.dtype) for t in model.inputs}


def relative_l2(actual, expected):
    actual, expected = np.asarray(actual, np.float64), np.asarray(expected, np.float64)
    return np.linalg.norm(actual - expected) / max(np.linalg.norm(expected), 1e-30)
