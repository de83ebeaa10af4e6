"""The package's exceptions: one base class, one subclass per kind of failure.

::

    BufpackError (Exception)
    ├── ParseError (also ValueError)           CSV that cannot be read: line, column, field
    ├── InvalidInputError (also ValueError)    a value the package cannot use: path, index, id
    │   └── InputTypeError (also TypeError)    ... of the wrong type (a float, a str, a dtype)
    ├── ValidationError (also ValueError)      a solution that breaks a rule: kind, buffer, other
    ├── ModelError (also ValueError)           a model file that cannot be read, or a plan that
    │                                          does not fit it: offset, table, field, path, kind
    ├── InfeasibleError                        no packing fits: reason
    ├── UndecidedError                         neither a packing nor a proof: reason
    ├── SolveTimeoutError (also TimeoutError)  the time limit passed before any packing
    ├── CancelledError                         a CancelToken stopped the solve
    └── InternalError                          a bug in bufpack (a Rust panic), not your input

    Interrupted (KeyboardInterrupt)            Ctrl-C during a solve: result (the best so far)

``Interrupted`` is deliberately *not* a ``BufpackError``: like every ``KeyboardInterrupt`` it
must pass through ``except Exception`` so that Ctrl-C still stops a program.

Every exception pickles with its attributes (they are keyword arguments of ``__init__`` and
live in ``__dict__``, which ``BaseException.__reduce__`` carries).
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Tuple

__all__ = [
    "BufpackError",
    "ParseError",
    "InvalidInputError",
    "InputTypeError",
    "ValidationError",
    "ModelError",
    "InfeasibleError",
    "UndecidedError",
    "SolveTimeoutError",
    "CancelledError",
    "InternalError",
    "Interrupted",
]


class BufpackError(Exception):
    """Base class of every error bufpack raises (except :class:`Interrupted`)."""

    def __init__(self, message: str = "", **details: Any) -> None:
        super().__init__(message)
        self.__dict__.update(details)

    @property
    def message(self) -> str:
        """The message, without the exception's class name."""
        return str(self.args[0]) if self.args else ""


class ParseError(BufpackError, ValueError):
    """CSV text that cannot be read.

    ``line`` and ``column`` are 1-based (the physical line; the column in characters) and
    point at the start of the offending field; ``field`` is its header name. An error not
    in the text (a bad capacity) has line and column 0.
    """

    line: int = 0
    column: int = 0
    field: Optional[str] = None


class InvalidInputError(BufpackError, ValueError):
    """A value the package cannot use: a malformed buffer, array, argument or option.

    ``path`` names it the way you would write it: ``"capacity"``, ``"size[3]"`` (an
    array element), ``"buffers[2].gaps"``, ``"params.preordering_heuristics"``. For a
    malformed buffer, ``index`` and ``id`` say which one and ``field`` which attribute.
    """

    path: Optional[str] = None
    index: Optional[int] = None
    id: Optional[str] = None
    field: Optional[str] = None


class InputTypeError(InvalidInputError, TypeError):
    """An argument of the wrong type: a float or str where an integer belongs, a float or
    object array, a non-callable callback. ``path`` names it."""


class ValidationError(BufpackError, ValueError):
    """A solution that breaks a rule.

    ``kind`` is one of ``"count"``, ``"alignment"`` (negative or misaligned offset),
    ``"capacity"``, ``"fixed"``, ``"overlap"``, ``"height"``; ``buffer`` is the id of the
    buffer at fault and ``other`` the second one of an overlap.
    """

    kind: str = ""
    buffer: Optional[str] = None
    other: Optional[str] = None


class ModelError(BufpackError, ValueError):
    """A TensorFlow Lite model that cannot be read or planned, or a plan that does not fit it.

    For a file: ``offset`` is the byte offset of the value at fault (``None`` when the fault
    sits at no single byte), ``table`` and ``field`` the flatbuffer table and field being read
    (``"Tensor"``, ``"shape"``), ``path`` where that table sits from the model's root
    (``"subgraphs[0].tensors[12]"``). ``kind`` is one of ``"out_of_bounds"`` (truncated or
    corrupt), ``"not_tflite"`` (no ``TFL3`` identifier), ``"bad_table"``,
    ``"index_out_of_range"``, ``"unsupported_type"``, ``"dynamic_shape"``, ``"too_large"``,
    ``"unsupported"``, ``"recursion"`` (control flow that calls itself).

    For a plan (``table == "plan"``, ``kind == "bad_plan"``): offsets of the wrong count,
    negative or misaligned, or two tensors live at the same step sharing bytes; the message
    names them. Such a plan is never written. ``reason`` is the message without its location.
    """

    offset: Optional[int] = None
    table: str = ""
    field: str = ""
    path: str = ""
    kind: str = ""
    reason: str = ""


class InfeasibleError(BufpackError):
    """No packing fits the capacity, and ``reason`` says how we know.

    ``reason.kind`` is ``"too_large"`` (one buffer alone: ``reason.id``, ``reason.end``),
    ``"load"`` (the buffers live at ``reason.time`` need ``reason.load``),
    ``"fixed_clash"`` (two fixed buffers overlap: ``reason.ids``) or ``"exhausted"`` (the
    search tried everything).
    """

    reason: Any = None
    nodes: int = 0
    backtracks: int = 0
    elapsed: float = 0.0


class UndecidedError(BufpackError):
    """Neither a packing nor a proof that none exists.

    ``reason.kind`` is ``"windows"`` (windowed gaps allow more placements than the exact
    search tries at this capacity) or ``"too_large"`` (the input is too large for the exact
    search and the heuristics found no packing within the capacity: try ``minimize``).
    """

    reason: Any = None
    nodes: int = 0
    backtracks: int = 0
    elapsed: float = 0.0


class SolveTimeoutError(BufpackError, TimeoutError):
    """The time limit passed before an answer.

    ``result`` is ``None`` for a decision; :func:`bufpack.minimize` raises this only when no
    packing within the capacity was found in time (with a packing it returns it, flagged
    ``stopped="timeout"``).
    """

    result: Any = None
    nodes: int = 0
    backtracks: int = 0
    elapsed: float = 0.0


class CancelledError(BufpackError):
    """A :class:`bufpack.CancelToken` stopped the solve; ``result`` as for a time-out."""

    result: Any = None
    nodes: int = 0
    backtracks: int = 0
    elapsed: float = 0.0


class InternalError(BufpackError):
    """A bug in bufpack (a Rust panic), reported instead of crashing the interpreter."""


class Interrupted(KeyboardInterrupt):
    """Ctrl-C (SIGINT) stopped a solve. A ``KeyboardInterrupt``, so it stops the program
    unless caught; ``result`` holds the best answer so far: for :func:`bufpack.minimize` a
    :class:`bufpack.MinimizeResult` flagged ``stopped="interrupt"`` (``None`` if it had no
    packing yet), for :func:`bufpack.solve_many` the list of answers (``None`` where a
    problem did not finish)."""

    def __init__(self, message: str = "", result: Any = None) -> None:
        super().__init__(message)
        self.result = result

    def __reduce__(self) -> Tuple[Any, Tuple[Any, ...], Dict[str, Any]]:
        return (type(self), (str(self.args[0]) if self.args else "",), self.__dict__)
