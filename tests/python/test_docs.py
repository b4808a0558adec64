"""docs/python.md's code blocks, run in order as one session, as written,
then the README's Python block."""

import contextlib
import io
import os
import re

from conftest import SOURCE_DIR


def python_blocks(path):
    text = open(path, encoding="utf-8").read()
    return re.findall(r"^```python\n(.*?)^```", text, re.MULTILINE | re.DOTALL)


def test_python_md_runs(cnnc_exe, tmp_path, monkeypatch):
    blocks = python_blocks(os.path.join(SOURCE_DIR, "docs", "python.md"))
    assert len(blocks) >= 5
    # The session runs from a directory that looks like the repository root.
    os.symlink(os.path.join(SOURCE_DIR, "examples"), tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CNNC_EXECUTABLE", raising=False)
    monkeypatch.setenv("PATH", os.path.dirname(cnnc_exe) + os.pathsep + os.environ["PATH"])
    namespace = {"__name__": "__main__"}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        for number, block in enumerate(blocks, 1):
            exec(compile(block, f"docs/python.md block {number}", "exec"), namespace)
    out = printed.getvalue()
    assert re.search(r"^top 5: \[ *\d+( +\d+){4}\]$", out, re.MULTILINE), out
    assert "input 'image' must have dtype float32, got float64" in out, out
    assert "input 'image' must have shape (1, 3, 224, 224), got (1, 3, 200, 224)" in out, out
    assert "model 'mobilenet_v2' has no input 'picture'" in out, out
    assert "2 threads" in out, out

    # The README's Python block, in the same directory: it loads the library
    # the session compiled, as the README's shell block compiles it.
    (readme_block,) = [b for b in python_blocks(os.path.join(SOURCE_DIR, "README.md"))
                       if "import cnnc" in b]
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        readme_namespace = {"__name__": "__main__"}
        exec(compile(readme_block, "README.md", "exec"), readme_namespace)
    assert "TensorSpec('image', f32[1, 3, 224, 224])" in printed.getvalue()
    assert readme_namespace["logits"].shape == (1, 1000)
