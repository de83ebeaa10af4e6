"""The problem's data: gaps, buffers, problems and solutions.

Lifespans are half-open, ``[lower, upper)``: a buffer live in ``[0, 3)`` and one live in
``[3, 9)`` never meet. Times and offsets are integers of magnitude at most 2^53 - 1.

A :class:`Problem` lives in Rust (a million buffers are never a million Python objects);
:class:`Buffer` and :class:`Gap` are the small immutable values you build one by hand and get
back when you index a problem.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Dict, Iterator, List, Optional, Sequence, Tuple, Union, overload

import numpy as np

from . import _bufpack, _checks
from ._errors import InputTypeError, InvalidInputError
from ._results import LowerBound, SolveStats

if TYPE_CHECKING:  # pragma: no cover
    from ._results import MinimizeResult

__all__ = ["Gap", "Buffer", "Problem", "Solution"]

PathLike = Union[str, "os.PathLike[str]"]


@dataclass(frozen=True)
class Gap:
    """A time ``[lower, upper)`` inside a buffer's lifespan in which it occupies less memory:
    nothing, or with ``window=(wl, wu)`` only ``[offset + wl, offset + wu)``."""

    lower: int
    upper: int
    window: Optional[Tuple[int, int]] = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "lower", _checks.integer(self.lower, "Gap.lower"))
        object.__setattr__(self, "upper", _checks.integer(self.upper, "Gap.upper"))
        if self.window is not None:
            try:
                wl, wu = self.window
            except (TypeError, ValueError):
                raise InputTypeError(
                    f"Gap.window: expected a pair (lower, upper) or None, found {_checks.describe(self.window)}",
                    path="Gap.window",
                ) from None
            window = (_checks.integer(wl, "Gap.window[0]"), _checks.integer(wu, "Gap.window[1]"))
            object.__setattr__(self, "window", window)


@dataclass(frozen=True)
class Buffer:
    """A buffer live in ``[lower, upper)`` occupying ``size`` units.

    ``alignment``: its offset must be a multiple of it. ``gaps``: times in which it occupies
    less (:class:`Gap`). ``offset``: fixes it there. ``hint``: a preferred offset, kept in
    CSV and used to break ties only.
    """

    id: str
    lower: int
    upper: int
    size: int
    alignment: int = 1
    gaps: Tuple[Gap, ...] = field(default=())
    offset: Optional[int] = None
    hint: Optional[int] = None

    def __post_init__(self) -> None:
        if not isinstance(self.id, str):
            raise InputTypeError(
                f"Buffer.id: expected a str, found {_checks.describe(self.id)}", path="Buffer.id"
            )
        for name in ("lower", "upper", "size", "alignment"):
            object.__setattr__(self, name, _checks.integer(getattr(self, name), f"Buffer.{name}"))
        for name in ("offset", "hint"):
            object.__setattr__(self, name, _checks.optional_integer(getattr(self, name), f"Buffer.{name}"))
        gaps = tuple(self.gaps) if not isinstance(self.gaps, Gap) else (self.gaps,)
        for index, gap in enumerate(gaps):
            if not isinstance(gap, Gap):
                path = f"Buffer.gaps[{index}]"
                raise InputTypeError(
                    f"{path}: expected a bufpack.Gap, found {_checks.describe(gap)}", path=path
                )
        object.__setattr__(self, "gaps", gaps)

    def _row(self) -> Tuple[Any, ...]:
        gaps = [(g.lower, g.upper) + (g.window if g.window else (None, None)) for g in self.gaps]
        return (self.id, self.lower, self.upper, self.size, self.alignment, gaps, self.offset, self.hint)

    @classmethod
    def _from_row(cls, row: Tuple[Any, ...]) -> "Buffer":
        id, lower, upper, size, alignment, gaps, offset, hint = row
        return cls(
            id,
            lower,
            upper,
            size,
            alignment,
            tuple(Gap(gl, gu, None if wl is None else (wl, wu)) for gl, gu, wl, wu in gaps),
            offset,
            hint,
        )


def _core_of(problem: Any, path: str = "problem") -> Any:
    if not isinstance(problem, Problem):
        raise InputTypeError(
            f"{path}: expected a bufpack.Problem, found {_checks.describe(problem)}", path=path
        )
    return problem._core


def _frombuffer(data: bytes) -> np.ndarray:
    """A read-only int64 array over ``data`` (no copy)."""
    return np.frombuffer(data, dtype="<i8")


class Problem:
    """Buffers to place in a memory of ``capacity`` units (``None``: no limit, for
    minimisation). Immutable; build one from :class:`Buffer` objects, from CSV
    (:meth:`from_csv`) or from arrays (:meth:`from_arrays`)."""

    __slots__ = ("_core",)

    def __init__(self, buffers: Sequence[Buffer] = (), capacity: Optional[int] = None) -> None:
        if isinstance(buffers, (str, bytes)) or not hasattr(buffers, "__iter__"):
            raise InputTypeError(
                f"buffers: expected a sequence of bufpack.Buffer, found {_checks.describe(buffers)}",
                path="buffers",
            )
        rows = []
        for index, buffer in enumerate(buffers):
            if not isinstance(buffer, Buffer):
                path = f"buffers[{index}]"
                raise InputTypeError(
                    f"{path}: expected a bufpack.Buffer, found {_checks.describe(buffer)}", path=path
                )
            rows.append(buffer._row())
        self._core = _bufpack.ProblemCore.from_rows(rows, _checks.capacity(capacity))

    @classmethod
    def _wrap(cls, core: Any) -> "Problem":
        problem = cls.__new__(cls)
        problem._core = core
        return problem

    # Construction ---------------------------------------------------------------------------

    @classmethod
    def from_csv(
        cls, source: Union[str, bytes, "os.PathLike[str]"], capacity: Optional[int] = None
    ) -> "Problem":
        """Reads MiniMalloc's CSV format from text or a file.

        ``source`` is a path when it is an ``os.PathLike``, or a ``str`` without a comma or
        line break (``"model.csv"``); otherwise it is the CSV text itself (``bytes`` are
        decoded as UTF-8). Raises :class:`bufpack.ParseError` with the line, column and field
        of the first error.
        """
        if isinstance(source, os.PathLike) or (
            isinstance(source, str) and not any(c in source for c in ",\n\r")
        ):
            return cls.read_csv(source, capacity)
        if isinstance(source, bytes):
            try:
                source = source.decode("utf-8")
            except UnicodeDecodeError as error:
                raise InvalidInputError(f"source: not UTF-8 text ({error})", path="source") from None
        if not isinstance(source, str):
            raise InputTypeError(
                f"source: expected CSV text or a path, found {_checks.describe(source)}", path="source"
            )
        return cls._wrap(_bufpack.ProblemCore.from_csv(source, _checks.capacity(capacity)))

    @classmethod
    def read_csv(cls, path: PathLike, capacity: Optional[int] = None) -> "Problem":
        """Reads a CSV file (UTF-8)."""
        with open(os.fspath(path), encoding="utf-8", newline="") as file:
            text = file.read()
        return cls._wrap(_bufpack.ProblemCore.from_csv(text, _checks.capacity(capacity)))

    @classmethod
    def from_arrays(
        cls,
        lower: Any,
        upper: Any,
        size: Any,
        ids: Any = None,
        alignment: Any = None,
        offset: Any = None,
        hint: Any = None,
        capacity: Optional[int] = None,
    ) -> "Problem":
        """A problem from columns: numpy arrays (any integer dtype) or lists of ints.

        ``ids`` defaults to ``"0"``, ``"1"``, ...; integer ids become their decimal text.
        ``offset`` fixes buffers, ``-1`` leaving one free; ``hint`` is -1 (or negative) for
        none. Floats, NaN, booleans, strings and objects are refused with the element at fault
        (``size[3]``), as are mismatched lengths and malformed buffers. A million buffers take
        a fraction of a second: the columns reach Rust as bytes, without a Python loop.
        """
        lower_array = _checks.column(lower, "lower")
        n = len(lower_array)

        def optional(values: Any, name: str) -> Optional[bytes]:
            return None if values is None else _checks.column(values, name, n).tobytes()

        upper_bytes = _checks.column(upper, "upper", n).tobytes()
        size_bytes = _checks.column(size, "size", n).tobytes()
        alignment_bytes = optional(alignment, "alignment")
        offset_bytes = optional(offset, "offset")
        hint_bytes = optional(hint, "hint")
        id_values = _checks.ids(ids, n)
        try:
            core = _bufpack.ProblemCore.from_columns(
                n,
                lower_array.tobytes(),
                upper_bytes,
                size_bytes,
                alignment_bytes,
                offset_bytes,
                hint_bytes,
                id_values,
                _checks.capacity(capacity),
            )
        except InvalidInputError as error:
            if error.index is None or error.field is None:
                raise
            # Name the array element rather than the buffer: "size[3]", "ids[7]".
            column = {"id": "ids", "value": "lower"}.get(error.field, error.field)
            error.path = f"{column}[{error.index}]"
            raise InvalidInputError(
                f"{error.path}: {error.message.split(': ', 1)[-1]}",
                path=error.path,
                index=error.index,
                id=error.id,
                field=error.field,
            ) from None
        return cls._wrap(core)

    @classmethod
    def _from_state(cls, state: bytes) -> "Problem":
        return cls._wrap(_bufpack.ProblemCore.from_state(state))

    # Reading --------------------------------------------------------------------------------

    @property
    def capacity(self) -> Optional[int]:
        """The memory size, or ``None`` when none was given."""
        return self._core.capacity

    def with_capacity(self, capacity: Optional[int]) -> "Problem":
        """The same buffers at another capacity (a copy in Rust)."""
        return Problem._wrap(self._core.with_capacity(_checks.capacity(capacity)))

    def __len__(self) -> int:
        return len(self._core)

    @overload
    def __getitem__(self, index: int) -> Buffer: ...
    @overload
    def __getitem__(self, index: slice) -> List[Buffer]: ...
    def __getitem__(self, index: Union[int, slice]) -> Union[Buffer, List[Buffer]]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        position = _checks.integer(index, "index")
        if position < 0:
            position += len(self)
        if not 0 <= position < len(self):
            raise IndexError(f"buffer index {index} out of range for {len(self)} buffers")
        return Buffer._from_row(self._core.row(position))

    def __iter__(self) -> Iterator[Buffer]:
        return iter(self.buffers)

    @property
    def buffers(self) -> List[Buffer]:
        """Every buffer, as :class:`Buffer` objects (built on each call)."""
        return [Buffer._from_row(row) for row in self._core.rows()]

    @property
    def ids(self) -> List[str]:
        return self._core.ids()

    def _column(self, index: int) -> np.ndarray:
        return _frombuffer(self._core.columns()[index])

    @property
    def lower(self) -> np.ndarray:
        """Lifespan starts, one per buffer (read-only ``int64``)."""
        return self._column(0)

    @property
    def upper(self) -> np.ndarray:
        """Lifespan ends (exclusive)."""
        return self._column(1)

    @property
    def size(self) -> np.ndarray:
        return self._column(2)

    @property
    def alignment(self) -> np.ndarray:
        return self._column(3)

    @property
    def offset(self) -> np.ndarray:
        """Fixed offsets, -1 where a buffer is free."""
        return self._column(4)

    @property
    def hint(self) -> np.ndarray:
        """Hints, -1 where a buffer has none."""
        return self._column(5)

    def index_of(self, id: str) -> int:
        """The index of the buffer with this id (``ValueError`` if none)."""
        try:
            return self.ids.index(id)
        except ValueError:
            raise ValueError(f"no buffer has the id {id!r}") from None

    # Bounds ---------------------------------------------------------------------------------

    def lower_bound(self) -> LowerBound:
        """The proven lower bound on any packing's height, and why it holds."""
        return LowerBound._from(self._core.lower_bound())

    def load_profile(self) -> Tuple[np.ndarray, np.ndarray]:
        """The total size live over time as a step function ``(times, loads)``: the load is
        ``loads[i]`` from ``times[i]`` until ``times[i + 1]``; the last load is 0."""
        times, loads = self._core.load_profile()
        return _frombuffer(times), _frombuffer(loads)

    # Solving (shortcuts for the functions of the same name) ----------------------------------

    def solve(self, capacity: Optional[int] = None, **options: Any) -> "Solution":
        """``bufpack.solve(self, capacity, **options)``."""
        from ._solve import solve

        return solve(self, capacity, **options)

    def minimize(self, capacity: Optional[int] = None, **options: Any) -> "MinimizeResult":
        """``bufpack.minimize(self, capacity, **options)``."""
        from ._solve import minimize

        return minimize(self, capacity, **options)

    def validate(self, offsets: Any, height: Optional[int] = None) -> None:
        """Checks offsets (one per buffer) against this problem; raises
        :class:`bufpack.ValidationError` naming the first failure and the buffers at fault."""
        data = _checks.column(offsets, "offsets").tobytes()
        self._core.validate(data, _checks.optional_integer(height, "height"))

    # CSV ------------------------------------------------------------------------------------

    def to_csv(self, solution: Optional["Solution"] = None) -> str:
        """The problem as CSV, or with a solution its packing (an ``offset`` column)."""
        if solution is None:
            return self._core.to_csv()
        if not isinstance(solution, Solution):
            raise InputTypeError(
                f"solution: expected a bufpack.Solution, found {_checks.describe(solution)}", path="solution"
            )
        return self._core.solution_csv(solution._data)

    def write_csv(self, path: PathLike, solution: Optional["Solution"] = None) -> None:
        with open(os.fspath(path), "w", encoding="utf-8", newline="") as file:
            file.write(self.to_csv(solution))

    # Python protocol ------------------------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Problem):
            return NotImplemented
        return bool(self._core == other._core)

    def __hash__(self) -> int:
        return hash(self._core)

    def __reduce__(self) -> Tuple[Any, ...]:
        return (Problem._from_state, (self._core.state(),))

    def __repr__(self) -> str:
        count = len(self)
        if count <= 3:
            inner = ", ".join(repr(b) for b in self.buffers)
            return f"Problem([{inner}], capacity={self.capacity!r})"
        return f"Problem(<{count} buffers>, capacity={self.capacity!r})"


class Solution:
    """Offsets for every buffer of :attr:`problem`, and the height they reach.

    ``offsets`` is a read-only ``int64`` numpy array in the problem's buffer order. ``stats``
    holds the search's figures when the solution comes from :func:`bufpack.solve`. In a
    Jupyter notebook a solution shows itself as a picture of the layout.
    """

    __slots__ = ("problem", "_data", "height", "stats")

    def __init__(self, problem: Problem, offsets: Any, height: Optional[int] = None) -> None:
        _core_of(problem)
        data = _checks.column(offsets, "offsets", len(problem)).tobytes()
        array = _frombuffer(data)
        computed = int((array + problem.size).max()) if len(array) else 0
        self.problem = problem
        self._data = data
        self.height = computed if height is None else _checks.integer(height, "height")
        self.stats: Optional[SolveStats] = None

    @classmethod
    def _make(
        cls, problem: Problem, data: bytes, height: int, stats: Optional[SolveStats] = None
    ) -> "Solution":
        solution = cls.__new__(cls)
        solution.problem = problem
        solution._data = data
        solution.height = int(height)
        solution.stats = stats
        return solution

    @property
    def offsets(self) -> np.ndarray:
        return _frombuffer(self._data)

    def __len__(self) -> int:
        return len(self._data) // 8

    def __getitem__(self, index: int) -> int:
        return int(self.offsets[index])

    def offset_of(self, id: str) -> int:
        """The offset of the buffer with this id."""
        return self[self.problem.index_of(id)]

    def as_dict(self) -> Dict[str, int]:
        """``{id: offset}``."""
        return dict(zip(self.problem.ids, self.offsets.tolist()))

    def validate(self) -> None:
        """Checks the packing against its problem (capacity, alignment, fixed offsets, no
        overlap, the height); raises :class:`bufpack.ValidationError` naming the first
        failure and the buffers at fault."""
        self.problem._core.validate(self._data, self.height)

    def to_csv(self) -> str:
        """The packing as CSV: the problem's columns and an ``offset`` column."""
        return self.problem._core.solution_csv(self._data)

    def write_csv(self, path: PathLike) -> None:
        with open(os.fspath(path), "w", encoding="utf-8", newline="") as file:
            file.write(self.to_csv())

    def to_svg(self, width: int = 800, height: int = 420, max_rects: int = 5000) -> str:
        """The layout as SVG: a rectangle per buffer piece (time across, offset up), the LOAD
        curve, the height and the capacity. Above ``max_rects`` pieces only the largest are
        drawn."""
        return self.problem._core.svg(
            self._data,
            _checks.integer(width, "width"),
            _checks.integer(height, "height"),
            _checks.integer(max_rects, "max_rects"),
        )

    def _repr_svg_(self) -> str:
        return self.to_svg()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Solution):
            return NotImplemented
        return self.height == other.height and self._data == other._data and self.problem == other.problem

    def __hash__(self) -> int:
        return hash((self.height, self._data))

    def __reduce__(self) -> Tuple[Any, ...]:
        return (_solution, (self.problem, self._data, self.height, self.stats))

    def __repr__(self) -> str:
        offsets = self.offsets
        shown = ", ".join(str(v) for v in offsets[:8].tolist()) + (", ..." if len(offsets) > 8 else "")
        return f"Solution(height={self.height}, offsets=[{shown}])"


def _solution(problem: Problem, data: bytes, height: int, stats: Optional[SolveStats]) -> Solution:
    return Solution._make(problem, data, height, stats)
