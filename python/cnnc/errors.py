"""The exceptions of the cnnc package.

Every error derives from CnncError; each also derives from the built-in
exception a Python programmer would expect (a missing file is a
FileNotFoundError, a wrong dtype a TypeError, a wrong shape or name a
ValueError), so that generic handlers keep working.
"""


class CnncError(Exception):
    """Base class of every error the cnnc package raises."""


class LibraryNotFoundError(CnncError, FileNotFoundError):
    """The model library file does not exist."""


class NotACnncLibraryError(CnncError):
    """The file loads but is not a library cnnc built (or not one this package reads)."""


class InputError(CnncError, ValueError):
    """The arguments of a run do not match the model's inputs."""


class InputNameError(InputError):
    """An input name the model does not have, or an input given twice or not at all."""


class DtypeError(InputError, TypeError):
    """An input array's dtype is not the model input's dtype (nothing is converted)."""


class ShapeError(InputError):
    """An input array's shape is not the model input's shape."""


class RunError(CnncError):
    """The library returned a non-zero status.

    Attributes: status (the integer), status_name (e.g. "CNNC_ERROR_OUT_OF_MEMORY").
    """

    def __init__(self, message, status, status_name):
        super().__init__(message)
        self.status = status
        self.status_name = status_name


class CompilerNotFoundError(CnncError, FileNotFoundError):
    """cnnc.compile() could not find the cnnc executable."""


class CompileError(CnncError):
    """The cnnc executable failed; the message holds its error output.

    Attributes: returncode, stderr.
    """

    def __init__(self, message, returncode, stderr):
        super().__init__(message)
        self.returncode = returncode
        self.stderr = stderr
