"""cnnc: run models compiled by cnnc from Python (ctypes and numpy).

    import cnnc
    m = cnnc.load("libmobilenet_v2.so")          # or cnnc.load(path, threads=4)
    m.inputs, m.outputs                          # names, shapes, dtypes
    logits = m(image)                            # or m.run(image=image)
    m = cnnc.compile("model.cnn", weights="w.safetensors")

docs/python.md has the whole story.
"""

from .compiler import compile, find_cnnc
from .errors import (CnncError, CompileError, CompilerNotFoundError, DtypeError, InputError,
                     InputNameError, LibraryNotFoundError, NotACnncLibraryError, RunError,
                     ShapeError)
from .model import Model, TensorSpec

__version__ = "0.1.0"


def load(path, threads=None, name=None):
    """Loads a library built by `cnnc --emit=so`.

    threads: None (default) runs each call on the calling thread; N runs it
    on N threads (0: one per CPU) through the library's context API. name:
    the model's name, when the library's file name does not say it.
    """
    return Model(path, threads=threads, name=name)


__all__ = ["load", "compile", "find_cnnc", "Model", "TensorSpec", "CnncError", "CompileError",
           "CompilerNotFoundError", "DtypeError", "InputError", "InputNameError",
           "LibraryNotFoundError", "NotACnncLibraryError", "RunError", "ShapeError"]
