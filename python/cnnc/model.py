"""A model library loaded with ctypes and run on numpy arrays."""

import ctypes
import os
import threading
import warnings

import numpy as np

from . import library as lib
from .errors import (DtypeError, InputNameError, NotACnncLibraryError, RunError,
                     ShapeError)

# enum cnnc_dtype -> numpy. bf16 has no numpy type: its tensors travel as
# uint16 bit patterns, as in the C API.
DTYPES = {0: np.dtype(np.float32), 1: np.dtype(np.float16), 2: np.dtype(np.uint16),
          3: np.dtype(np.float64)}
DTYPE_NAMES = {0: "f32", 1: "f16", 2: "bf16", 3: "f64"}
STATUS_NAMES = {0: "CNNC_OK", 1: "CNNC_ERROR_OUT_OF_MEMORY", 2: "CNNC_ERROR_NULL_POINTER",
                3: "CNNC_ERROR_MISALIGNED_SCRATCH", 4: "CNNC_ERROR_CONTEXT_BUSY",
                5: "CNNC_ERROR_UNSUPPORTED_CPU", 6: "CNNC_ERROR_SCRATCH_TOO_SMALL",
                7: "CNNC_ERROR_OVERLAPPING_BUFFERS"}

# Outputs start on a cache line: numpy's large arrays start 16 bytes past
# one, and the library's 64-byte vector stores then each straddle two lines
# (a fifth slower for some layers; docs/c-api.md, "Alignment").
OUTPUT_ALIGNMENT = 64


def _aligned_bytes(nbytes, alignment):
    """`nbytes` uninitialized bytes starting on a multiple of `alignment`: a
    view into an over-allocated buffer."""
    raw = np.empty(nbytes + alignment, dtype=np.uint8)
    offset = (-raw.ctypes.data) % alignment
    return raw[offset:offset + nbytes]


def _aligned_empty(shape, dtype):
    """An uninitialized C-order array whose data starts on OUTPUT_ALIGNMENT."""
    nbytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    return _aligned_bytes(nbytes, OUTPUT_ALIGNMENT).view(dtype).reshape(shape)


class TensorSpec:
    """An input or output of a model: name, shape (a tuple), dtype (numpy)."""

    def __init__(self, info):
        self.name = info.name.decode()
        if info.dtype not in DTYPES:
            raise NotACnncLibraryError(f"tensor '{self.name}' has an unknown dtype code {info.dtype}")
        self.dtype = DTYPES[info.dtype]
        self.element_type = DTYPE_NAMES[info.dtype]  # as the .cnn language names it
        self.shape = tuple(info.shape[i] for i in range(info.rank))

    def __repr__(self):
        return f"TensorSpec({self.name!r}, {self.element_type}{list(self.shape)})"


class Model:
    """A model library built by cnnc, ready to run on numpy arrays.

    Made by cnnc.load(); see there and docs/python.md.
    """

    def __init__(self, path, threads=None, name=None):
        self.path = os.path.abspath(os.fspath(path))
        self._library = lib.open_library(path)
        self.symbol = lib.find_introspection_symbol(self._library, self.path, name)
        self._info = lib.read_model_info(self._library, self.symbol, self.path)
        self.name = self._info.name.decode()
        if name is not None and self.name != name:
            raise NotACnncLibraryError(
                f"'{self.path}' holds model '{self.name}', not '{name}'")
        self.inputs = [TensorSpec(self._info.inputs[i]) for i in range(self._info.num_inputs)]
        self.outputs = [TensorSpec(self._info.outputs[i]) for i in range(self._info.num_outputs)]
        self.scratch_bytes = self._info.scratch_bytes
        # Version 4 libraries check the size of the scratch they are given:
        # a mistake in this package's arenas is then a RunError, not a
        # write past their end. (Version 3 has no such field to read.)
        self._run_with_scratch_size = (self._info.run_with_scratch_size
                                       if self._info.version >= 4 else None)
        self._alignment = max(1, self._info.scratch_alignment)

        if threads is not None and (not isinstance(threads, int) or threads < 0):
            raise ValueError(f"threads must be a non-negative int (0: one per CPU), got {threads!r}")
        # threads=None runs on the calling thread alone
        # (MODEL_run_with_scratch_size, or _run_with_scratch before version 4);
        # a number runs in contexts of that many threads, when the library
        # has the context API.
        self._use_contexts = threads is not None and bool(self._info.context_create)
        if threads not in (None, 1) and not self._use_contexts:
            warnings.warn(f"'{self.path}' has no context API: model '{self.name}' runs on "
                          f"one thread", RuntimeWarning, stacklevel=3)
        self._threads_argument = threads
        self.threads = threads if self._use_contexts else 1
        # Idle contexts or scratch arenas. A call takes one (or makes one
        # when all are in use by other Python threads) and gives it back,
        # so that threads calling one model at once never share one: a
        # context runs one inference at a time, and so does an arena.
        self._idle = []
        self._all_contexts = []
        self._lock = threading.Lock()
        self._closed = False
        if self._use_contexts:
            self._idle.append(self._new_context())  # one made now, so that errors show at load
            self.threads = self._info.context_num_threads(self._idle[0])

    # ----- what the model takes and returns -----

    @property
    def input_names(self):
        return [t.name for t in self.inputs]

    @property
    def output_names(self):
        return [t.name for t in self.outputs]

    def __repr__(self):
        return (f"<cnnc.Model {self.name!r} inputs={self.inputs} outputs={self.outputs} "
                f"threads={self.threads}>")

    # ----- running -----

    def __call__(self, *args, **kwargs):
        return self.run(*args, **kwargs)

    def run(self, *args, **kwargs):
        """Runs the model on inputs given by position (model order) or by name.

        Returns a numpy array for a model with one output, else a tuple of
        arrays in the order of the model's `return`. Use run_dict() for a
        dict keyed by output name.
        """
        outputs = self._run(args, kwargs)
        return outputs[0] if len(outputs) == 1 else tuple(outputs)

    def run_dict(self, *args, **kwargs):
        """Like run(), but returns {output name: array}."""
        return dict(zip(self.output_names, self._run(args, kwargs)))

    def _bind(self, args, kwargs):
        """The input arrays in model order, checked, C-contiguous."""
        if len(args) > len(self.inputs):
            raise InputNameError(
                f"model '{self.name}' takes {len(self.inputs)} input(s) "
                f"({', '.join(self.input_names)}), got {len(args)} positional arguments")
        given = dict(zip(self.input_names, args))
        for key, value in kwargs.items():
            if key not in self.input_names:
                raise InputNameError(
                    f"model '{self.name}' has no input '{key}' (its inputs: "
                    f"{', '.join(self.input_names)})")
            if key in given:
                raise InputNameError(f"input '{key}' of model '{self.name}' given twice")
            given[key] = value
        missing = [n for n in self.input_names if n not in given]
        if missing:
            raise InputNameError(f"model '{self.name}' needs input(s) {', '.join(missing)}")
        arrays = []
        for spec in self.inputs:
            value = given[spec.name]
            if not isinstance(value, np.ndarray):
                raise DtypeError(f"input '{spec.name}' must be a numpy array of dtype "
                                 f"{spec.dtype}, got {type(value).__name__}")
            if value.dtype != spec.dtype:
                # No silent conversion: a float64 array is a mistake more often
                # than not, and converting hides the cost.
                raise DtypeError(f"input '{spec.name}' must have dtype {spec.dtype}, got "
                                 f"{value.dtype} (convert with x.astype(np.{spec.dtype}))")
            if value.shape != spec.shape:
                raise ShapeError(f"input '{spec.name}' must have shape {spec.shape}, got "
                                 f"{value.shape}")
            # A view with strides (a slice, a transpose) is copied to a dense
            # row-major buffer, which is what the library reads.
            arrays.append(np.ascontiguousarray(value))
        return arrays

    def _run(self, args, kwargs):
        if self._closed:
            raise ValueError(f"model '{self.name}' is closed")
        inputs = self._bind(args, kwargs)
        outputs = [_aligned_empty(spec.shape, spec.dtype) for spec in self.outputs]
        input_pointers = (ctypes.c_void_p * max(1, len(inputs)))(
            *[a.ctypes.data for a in inputs])
        output_pointers = (ctypes.c_void_p * max(1, len(outputs)))(
            *[a.ctypes.data for a in outputs])
        resource = self._take()
        try:
            # ctypes releases the GIL during the call: other Python threads
            # run (and may run this model) meanwhile.
            if self._use_contexts:
                status = self._info.run_in_context(resource, input_pointers, output_pointers)
            else:
                scratch = None if resource is None else resource.ctypes.data
                if self._run_with_scratch_size:
                    status = self._run_with_scratch_size(
                        input_pointers, output_pointers, scratch,
                        0 if resource is None else resource.nbytes)
                else:
                    status = self._info.run_with_scratch(input_pointers, output_pointers,
                                                         scratch)
        finally:
            self._give_back(resource)
        if status != 0:
            self._raise_status(status)
        return outputs

    def _raise_status(self, status):
        status_name = STATUS_NAMES.get(status, f"status {status}")
        message = self._info.status_message(status)
        message = message.decode() if message else "unknown status"
        raise RunError(f"model '{self.name}' failed: {status_name} ({status}): {message}",
                       status, status_name)

    # ----- contexts and scratch arenas the object owns -----

    def _new_context(self):
        context = self._info.context_create(self._threads_argument)
        if not context:
            raise MemoryError(f"model '{self.name}': could not create a context")
        self._all_contexts.append(context)
        return context

    def _new_scratch(self):
        if self.scratch_bytes == 0:
            return None
        return _aligned_bytes(self.scratch_bytes, self._alignment)

    def _take(self):
        with self._lock:
            if self._idle:
                return self._idle.pop()
            if self._use_contexts:
                return self._new_context()
        return self._new_scratch()

    def _give_back(self, resource):
        with self._lock:
            self._idle.append(resource)

    def close(self):
        """Destroys the model's contexts (also done when the object is collected)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            if self._use_contexts:
                for context in self._all_contexts:
                    self._info.context_destroy(context)
            self._all_contexts = []
            self._idle = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        if getattr(self, "_lock", None) is not None:
            self.close()
