"""Finding the introspection function: name=, the file name, the symbol
table, then the legacy cnnc_model (docs/python.md, "Which model")."""

import os
import subprocess

import numpy as np
import pytest

import cnnc
from cnnc import elf
from conftest import SOURCE_DIR, c_compiler


def test_built_library_symbol(ew_library):
    # Libraries built today export ew_model and ew_run.
    m = cnnc.load(ew_library)
    assert m.symbol == "ew_model" and m.name == "ew"


def test_explicit_name(fake_library):
    path = fake_library("libunrelated.so", "alpha", "alpha_model", "alpha")
    m = cnnc.load(path, name="alpha")
    assert m.symbol == "alpha_model"
    with pytest.raises(cnnc.NotACnncLibraryError, match="exports neither 'beta_model' nor "
                       "'cnnc_model'"):
        cnnc.load(path, name="beta")


def test_explicit_name_with_legacy_symbol(fake_library):
    path = fake_library("libold.so", "old", "cnnc_model", "old")
    assert cnnc.load(path, name="old").symbol == "cnnc_model"
    with pytest.raises(cnnc.NotACnncLibraryError, match="holds model 'old', not 'other'"):
        cnnc.load(path, name="other")


@pytest.mark.parametrize("file_name", ["libgamma.so", "gamma.so"])
def test_name_from_file_name(fake_library, file_name):
    # No gamma_run: only the file name can have found it.
    path = fake_library(file_name, "gamma", "gamma_model", "gamma", run_symbol=False)
    assert cnnc.load(path).symbol == "gamma_model"


def test_name_from_symbol_table(fake_library):
    path = fake_library("libsomething.so", "delta", "delta_model", "delta")
    assert "delta_model" in elf.exported_functions(path)
    assert "delta_run" in elf.exported_functions(path)
    m = cnnc.load(path)
    assert m.symbol == "delta_model" and m.name == "delta"
    assert np.array_equal(m(x=np.ones((2, 3), np.float32)), np.full((2, 3), 2, np.float32))


def test_symbol_table_needs_matching_run(fake_library):
    path = fake_library("libepsilon2.so", "epsilon", "epsilon_model", "epsilon",
                        run_symbol=False)
    with pytest.raises(cnnc.NotACnncLibraryError, match="exports no introspection function"):
        cnnc.load(path)


def test_legacy_fallback(fake_library):
    path = fake_library("libzeta2.so", "zeta", "cnnc_model", "zeta")
    assert cnnc.load(path).symbol == "cnnc_model"


def test_elf_reader_rejects_other_files(tmp_path):
    (tmp_path / "x").write_bytes(b"MZ not elf")
    with pytest.raises(elf.ElfError, match="not an ELF file"):
        elf.exported_functions(tmp_path / "x")


def test_several_models_need_a_name(libdir):
    """A library with two models (both X_model with X_run): the scan does not
    guess, and name= picks one."""
    source = os.path.join(SOURCE_DIR, "tests", "python", "fake_model.c")
    objects = []
    for prefix in ("left", "right"):
        obj = libdir / f"{prefix}.o"
        subprocess.run([c_compiler(), "-c", "-fPIC", f"-DPREFIX={prefix}",
                        f"-DINFO_SYMBOL={prefix}_model", f'-DMODEL_NAME="{prefix}"', source,
                        "-o", str(obj)], check=True)
        objects.append(str(obj))
    path = libdir / "libpair.so"
    subprocess.run([c_compiler(), "-shared", *objects, "-o", str(path)], check=True)
    with pytest.raises(cnnc.NotACnncLibraryError, match=r"exports several models \(left_model, "
                       r"right_model\): say which with name="):
        cnnc.load(path)
    assert cnnc.load(path, name="right").name == "right"
