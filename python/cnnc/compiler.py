"""cnnc.compile(): the cnnc executable, run from Python."""

import os
import shutil
import subprocess
import tempfile

from .errors import CompileError, CompilerNotFoundError, LibraryNotFoundError

# The environment variable that names the cnnc executable, when it is not on PATH.
CNNC_ENV = "CNNC_EXECUTABLE"


def find_cnnc(cnnc=None):
    """The cnnc executable: the argument, else $CNNC_EXECUTABLE, else cnnc on PATH."""
    if cnnc is not None:
        where = f"cnnc={cnnc!r}"
    elif os.environ.get(CNNC_ENV):
        cnnc, where = os.environ[CNNC_ENV], f"${CNNC_ENV}={os.environ[CNNC_ENV]!r}"
    else:
        found = shutil.which("cnnc")
        if found is None:
            raise CompilerNotFoundError(
                f"cannot find the cnnc executable: it is not on PATH; pass cnnc='/path/to/cnnc' "
                f"or set ${CNNC_ENV}")
        return found
    cnnc = os.fspath(cnnc)
    resolved = shutil.which(cnnc) if os.sep not in cnnc else cnnc
    if resolved is None or not os.path.isfile(resolved) or not os.access(resolved, os.X_OK):
        raise CompilerNotFoundError(f"cannot run the cnnc executable given by {where}: "
                                    f"no executable file there")
    return resolved


def compile(model, weights=None, out=None, *, random_weights=None, batch=None, options=(),
            cnnc=None, load=True, threads=None):
    """Compiles a .cnn (or .onnx) model into a shared library with the cnnc executable.

    weights: a .safetensors checkpoint (--weights); random_weights: a seed for
    deterministic random parameters instead (--random-weights); batch: the
    batch size (--batch); options: more cnnc arguments, e.g. ["-O2", "--no-fusion"].
    out: the library's path; by default a temporary file, deleted once loaded.
    Returns the loaded Model (load=True; threads as in cnnc.load), else the
    library's path (out is then required).
    """
    from .model import Model

    model = os.fspath(model)
    if not os.path.isfile(model):
        raise LibraryNotFoundError(f"no model file at '{model}'")
    if weights is not None and not os.path.isfile(weights):
        raise LibraryNotFoundError(f"no weights file at '{weights}'")
    if out is None and not load:
        raise ValueError("cnnc.compile(load=False) needs out=: where to write the library")
    executable = find_cnnc(cnnc)

    command = [executable, model, "--emit=so"]
    if weights is not None:
        command.append(f"--weights={os.fspath(weights)}")
    if random_weights is not None:
        command.append(f"--random-weights={int(random_weights)}")
    if batch is not None:
        command.append(f"--batch={int(batch)}")
    if isinstance(options, str):
        raise TypeError("options must be a list of cnnc arguments, not a string")
    command += [str(option) for option in options]

    def run(path):
        result = subprocess.run(command + ["-o", path], capture_output=True, text=True)
        if result.returncode != 0:
            raise CompileError(f"cnnc failed on '{model}' (exit status {result.returncode}):\n"
                               f"{result.stderr.strip()}", result.returncode, result.stderr)

    if out is not None:
        out = os.fspath(out)
        run(out)
        return Model(out, threads=threads) if load else out
    # A temporary library: once dlopen()ed the file may go (the mapping stays).
    with tempfile.TemporaryDirectory(prefix="cnnc-") as directory:
        stem = os.path.splitext(os.path.basename(model))[0]
        path = os.path.join(directory, f"lib{stem}.so")
        run(path)
        return Model(path, threads=threads)
