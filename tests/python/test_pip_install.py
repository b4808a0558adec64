"""pip installs python/ as a package (offline: Debian's setuptools, no index)."""

import os
import shutil
import subprocess
import sys

import pytest

from conftest import SOURCE_DIR


def test_pip_install(tmp_path, ew_library):
    if subprocess.run([sys.executable, "-m", "pip", "--version"],
                      capture_output=True).returncode != 0:
        pytest.fail("no pip: scripts/install-deps.sh installs python3-pip")
    # A copy: setuptools writes build/ and *.egg-info next to the sources.
    source = shutil.copytree(os.path.join(SOURCE_DIR, "python"), tmp_path / "src",
                             ignore=shutil.ignore_patterns("__pycache__", "build", "*.egg-info"))
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-build-isolation",
                    "--no-index", "--no-deps", "--target", str(target), str(source)],
                   check=True)
    assert (target / "cnnc" / "elf.py").is_file()
    assert list(target.glob("cnnc-*.dist-info"))
    # The installed copy, not the source tree's, loads and runs a model.
    script = ("import cnnc, numpy as np; assert cnnc.__file__.startswith(%r), cnnc.__file__; "
              "m = cnnc.load(%r); print(m.name, [t.name for t in m.outputs])"
              % (str(target), str(ew_library)))
    env = dict(os.environ, PYTHONPATH=str(target), PIP_DISABLE_PIP_VERSION_CHECK="1")
    out = subprocess.run([sys.executable, "-c", script], env=env, check=True,
                         capture_output=True, text=True, cwd=tmp_path).stdout
    assert out.strip() == "ew ['y', 'p']"
