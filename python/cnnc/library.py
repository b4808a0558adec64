"""Loading a library built by cnnc: its introspection function and structure.

Every library exports a function that returns a cnnc_model_info structure
(docs/c-api.md; target/cpu/include/cnnc/Target/CPU/ModelInfo.h in C++).
Libraries name it `<model name>_model`, so that two models can be linked
into one program; libraries built before that named it `cnnc_model`.
find_introspection_symbol() finds either (see its comment for the order).
"""

import ctypes
import os
import re

from . import elf
from .errors import LibraryNotFoundError, NotACnncLibraryError

# The C API version whose structure is declared below, and the oldest one
# the package reads (without the fields that later versions append).
MODEL_INFO_VERSION = 4
MODEL_INFO_MIN_VERSION = 3
LEGACY_SYMBOL = "cnnc_model"


class TensorInfoStruct(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("dtype", ctypes.c_int32),
        ("rank", ctypes.c_int32),
        ("shape", ctypes.POINTER(ctypes.c_int64)),
    ]


RUN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)
RUN_WITH_SCRATCH = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p)
STATUS_MESSAGE = ctypes.CFUNCTYPE(ctypes.c_char_p, ctypes.c_int)
CONTEXT_CREATE = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_int)
CONTEXT_DESTROY = ctypes.CFUNCTYPE(None, ctypes.c_void_p)
RUN_IN_CONTEXT = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p)
CONTEXT_NUM_THREADS = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p)
RUN_WITH_SCRATCH_SIZE = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p,
                                         ctypes.c_void_p, ctypes.c_size_t)


class ModelInfoStruct(ctypes.Structure):
    _fields_ = [
        ("version", ctypes.c_uint32),
        ("num_inputs", ctypes.c_uint32),
        ("num_outputs", ctypes.c_uint32),
        ("scratch_alignment", ctypes.c_uint32),
        ("name", ctypes.c_char_p),
        ("inputs", ctypes.POINTER(TensorInfoStruct)),
        ("outputs", ctypes.POINTER(TensorInfoStruct)),
        ("scratch_bytes", ctypes.c_uint64),
        ("run", RUN),
        ("run_with_scratch", RUN_WITH_SCRATCH),
        ("status_message", STATUS_MESSAGE),
        # Version 3: the context API (threads).
        ("context_create", CONTEXT_CREATE),
        ("context_destroy", CONTEXT_DESTROY),
        ("run_in_context", RUN_IN_CONTEXT),
        ("context_num_threads", CONTEXT_NUM_THREADS),
        # Version 4: run_with_scratch told the scratch's size. Past the end
        # of a version 3 structure: read only when version >= 4.
        ("run_with_scratch_size", RUN_WITH_SCRATCH_SIZE),
    ]


def open_library(path):
    """dlopen()s the file at path (never a search of the library path)."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise LibraryNotFoundError(f"no model library at '{path}'")
    path = os.path.abspath(path)
    try:
        # RTLD_LOCAL: every cnnc library defines the same legacy symbol
        # (cnnc_model), and each must resolve its own.
        return ctypes.CDLL(path, mode=os.RTLD_NOW | os.RTLD_LOCAL)
    except OSError as e:
        raise NotACnncLibraryError(f"cannot load '{path}' as a shared library: {e}") from None


def _has(library, symbol):
    try:
        getattr(library, symbol)
        return True
    except AttributeError:
        return False


def _names_from_file_name(path):
    """NAME for libNAME.so or NAME.so (and NAME.so.1...), with and without 'lib'."""
    base = re.sub(r"\.so(\.[0-9]+)*$", "", os.path.basename(path))
    names = [base]
    if base.startswith("lib") and len(base) > 3:
        names.append(base[3:])
    return names


def find_introspection_symbol(library, path, name=None):
    """The name of the library's introspection function.

    In order: `<name>_model` for an explicit name; `NAME_model` for a file
    named libNAME.so or NAME.so; the one `X_model` of the dynamic symbol
    table that has a matching `X_run`; `cnnc_model`, which libraries built
    before the per-model names export.
    """
    if name is not None:
        if _has(library, f"{name}_model"):
            return f"{name}_model"
        if _has(library, LEGACY_SYMBOL):
            return LEGACY_SYMBOL  # the caller checks that the model is named `name`
        raise NotACnncLibraryError(
            f"'{path}' exports neither '{name}_model' nor '{LEGACY_SYMBOL}': "
            f"is '{name}' the model's name (its `model NAME(...)` line)?")
    for candidate in _names_from_file_name(path):
        if candidate != "cnnc" and _has(library, f"{candidate}_model"):
            return f"{candidate}_model"
    try:
        exported = set(elf.exported_functions(path))
    except (elf.ElfError, OSError):
        exported = set()
    matches = sorted(s for s in exported if s.endswith("_model") and s != LEGACY_SYMBOL
                     and s[: -len("_model")] + "_run" in exported)
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise NotACnncLibraryError(
            f"'{path}' exports several models ({', '.join(matches)}): "
            f"say which with name=, e.g. name='{matches[0][:-len('_model')]}'")
    if _has(library, LEGACY_SYMBOL):
        return LEGACY_SYMBOL
    raise NotACnncLibraryError(
        f"'{path}' is not a cnnc library: it exports no introspection function "
        f"(neither NAME_model with a matching NAME_run, nor '{LEGACY_SYMBOL}')")


def read_model_info(library, symbol, path):
    """Calls the introspection function and checks the structure's version."""
    function = getattr(library, symbol)
    function.restype = ctypes.POINTER(ModelInfoStruct)
    function.argtypes = []
    info_pointer = function()
    if not info_pointer:
        raise NotACnncLibraryError(f"'{path}': {symbol}() returned NULL")
    # The version is the first field in every version: read it before the rest.
    version = ctypes.cast(info_pointer, ctypes.POINTER(ctypes.c_uint32))[0]
    if version < MODEL_INFO_MIN_VERSION:
        raise NotACnncLibraryError(
            f"'{path}' uses C API version {version}; this cnnc package reads "
            f"versions {MODEL_INFO_MIN_VERSION} and later (recompile the model with a "
            f"newer cnnc)")
    # Later versions only add fields at the end, so the part of the version
    # they have reads the same; ctypes reads a field only when it is used.
    return info_pointer.contents
