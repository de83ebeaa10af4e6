"""MiniMalloc's classes: Interval, Gap, Buffer, Solution and Problem, in both the current
bindings' form and the older README's (the solver's settings are in ``_params``).

Behaviour follows MiniMalloc's published bindings (python/README.md): mutable
objects whose list attributes read back as fresh copies, ``TypeError`` for a float or an
out-of-range int where an int belongs, equality and hashing on the same fields.
"""

from __future__ import annotations

import copy
from typing import Any, Dict, Iterable, List, Optional, Tuple

from .._checks import describe
from .._errors import InputTypeError

__all__ = [
    "Interval",
    "Lifespan",
    "Window",
    "SectionRange",
    "Gap",
    "Buffer",
    "Solution",
    "Problem",
]

_INT64 = (-(1 << 63), (1 << 63) - 1)


def _int(value: Any, name: str) -> int:
    """An int64, as pybind11 converts one: no floats, no strings, no out-of-range ints."""
    if isinstance(value, float) or not hasattr(value, "__index__"):
        raise InputTypeError(f"{name}: expected an int, found {describe(value)}", path=name)
    number = value.__index__()
    if not _INT64[0] <= number <= _INT64[1]:
        raise InputTypeError(f"{name}: {number} does not fit in a 64-bit integer", path=name)
    return int(number)


def _optional_int(value: Any, name: str) -> Optional[int]:
    return None if value is None else _int(value, name)


def _bool(value: Any, name: str) -> bool:
    if not isinstance(value, bool):
        raise InputTypeError(f"{name}: expected True or False, found {describe(value)}", path=name)
    return value


def _no_more(kwargs: Dict[str, Any], what: str) -> None:
    if kwargs:
        raise TypeError(f"{what}: unexpected keyword argument {next(iter(kwargs))!r}")


class Interval:
    """A half-open interval ``[lower, upper)``: a lifespan (times) or a window (offsets).
    Immutable; ``Lifespan``, ``Window`` and ``SectionRange`` are this class."""

    __slots__ = ("_lower", "_upper")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        names = ("lower", "upper")
        if len(args) > 2:
            raise TypeError(f"Interval() takes at most 2 arguments ({len(args)} given)")
        values = dict(zip(names, args))
        for key in list(kwargs):
            if key not in names or key in values:
                raise TypeError(f"Interval(): unexpected or repeated argument {key!r}")
            values[key] = kwargs.pop(key)
        if len(values) == 1:
            raise TypeError("Interval() takes no arguments or both lower and upper")
        self._lower = _int(values.get("lower", 0), "Interval.lower")
        self._upper = _int(values.get("upper", 0), "Interval.upper")

    @property
    def lower(self) -> int:
        return self._lower

    @property
    def upper(self) -> int:
        return self._upper

    def _key(self) -> Tuple[int, int]:
        return (self._lower, self._upper)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Interval) and self._key() == other._key()

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash(self._key())

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Interval):
            return NotImplemented
        return self._key() < other._key()

    def __reduce__(self) -> Tuple[Any, ...]:
        return (Interval, self._key())

    def __copy__(self) -> "Interval":
        return self

    def __deepcopy__(self, memo: Dict[int, Any]) -> "Interval":
        return self

    def __repr__(self) -> str:
        return f"Interval({self._lower}, {self._upper})"


Lifespan = Window = SectionRange = Interval


def _interval(value: Any, name: str) -> Interval:
    if not isinstance(value, Interval):
        raise InputTypeError(f"{name}: expected an Interval, found {describe(value)}", path=name)
    return value


def _optional_interval(value: Any, name: str) -> Optional[Interval]:
    if value is None:
        return None
    if not isinstance(value, Interval):
        raise InputTypeError(f"{name}: expected an Interval or None, found {describe(value)}", path=name)
    return value


class Gap:
    """A time in which a buffer occupies nothing, or with a window only
    ``[offset + window.lower, offset + window.upper)``.

    ``Gap()``, ``Gap(lifespan, window=None)`` (current) or
    ``Gap(lower, upper, window_lower=None, window_upper=None)`` (older README).
    """

    __slots__ = ("_lifespan", "_window")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        old = ("lower", "upper", "window_lower", "window_upper")
        is_old = (args and not isinstance(args[0], Interval)) or any(k in kwargs for k in old)
        if is_old:
            if len(args) > 4:
                raise TypeError(f"Gap() takes at most 4 arguments ({len(args)} given)")
            values = dict(zip(old, args))
            for key in old:
                if key in kwargs:
                    if key in values:
                        raise TypeError(f"Gap(): got multiple values for argument {key!r}")
                    values[key] = kwargs.pop(key)
            _no_more(kwargs, "Gap()")
            if "lower" not in values or "upper" not in values:
                raise TypeError("Gap(): lower and upper are required")
            lifespan = Interval(_int(values["lower"], "Gap.lower"), _int(values["upper"], "Gap.upper"))
            wl, wu = values.get("window_lower"), values.get("window_upper")
            if (wl is None) != (wu is None):
                raise TypeError("Gap(): window_lower and window_upper go together")
            window: Optional[Interval] = (
                None if wl is None else Interval(_int(wl, "Gap.window_lower"), _int(wu, "Gap.window_upper"))
            )
        else:
            if len(args) > 2:
                raise TypeError(f"Gap() takes at most 2 arguments ({len(args)} given)")
            values = dict(zip(("lifespan", "window"), args))
            for key in ("lifespan", "window"):
                if key in kwargs:
                    if key in values:
                        raise TypeError(f"Gap(): got multiple values for argument {key!r}")
                    values[key] = kwargs.pop(key)
            _no_more(kwargs, "Gap()")
            if "window" in values and "lifespan" not in values:
                raise TypeError("Gap(): a window needs a lifespan")
            lifespan = _interval(values.get("lifespan", Interval()), "Gap.lifespan")
            window = _optional_interval(values.get("window"), "Gap.window")
        self._lifespan = lifespan
        self._window = window

    @property
    def lifespan(self) -> Interval:
        return self._lifespan

    @lifespan.setter
    def lifespan(self, value: Interval) -> None:
        self._lifespan = _interval(value, "Gap.lifespan")

    @property
    def window(self) -> Optional[Interval]:
        return self._window

    @window.setter
    def window(self, value: Optional[Interval]) -> None:
        self._window = _optional_interval(value, "Gap.window")

    # The older README's names.
    @property
    def lower(self) -> int:
        return self.lifespan.lower

    @property
    def upper(self) -> int:
        return self.lifespan.upper

    @property
    def window_lower(self) -> Optional[int]:
        return None if self._window is None else self._window.lower

    @property
    def window_upper(self) -> Optional[int]:
        return None if self._window is None else self._window.upper

    def _key(self) -> Tuple[Any, ...]:
        return (self._lifespan, self._window)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Gap) and self._key() == other._key()

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash(self._key())

    def __reduce__(self) -> Tuple[Any, ...]:
        return (Gap, (self._lifespan, self._window))

    def __repr__(self) -> str:
        return f"Gap(lifespan={self._lifespan!r}, window={self._window!r})"


def _gaps(value: Any, name: str) -> List[Gap]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise InputTypeError(f"{name}: expected a list of Gap, found {describe(value)}", path=name)
    gaps = list(value)
    for index, gap in enumerate(gaps):
        if not isinstance(gap, Gap):
            raise InputTypeError(
                f"{name}[{index}]: expected a Gap, found {describe(gap)}", path=f"{name}[{index}]"
            )
    return [copy.copy(g) for g in gaps]


class Buffer:
    """A buffer: an id, a half-open lifespan, a size, an alignment, gaps, and optionally a
    fixed offset and a hint.

    ``Buffer()``; ``Buffer(id, lifespan, size, alignment=1, gaps=[], offset=None, hint=None)``
    (current); ``Buffer(id, lower, upper, size, alignment=1, offset=None, hint=None, gaps=[])``
    (older README). The form is told by the second argument (an Interval or an int) or by the
    keywords (``lifespan=`` or ``lower=``/``upper=``).
    """

    __slots__ = ("_id", "_lifespan", "_size", "_alignment", "_gaps", "_offset", "_hint")

    _CURRENT = ("id", "lifespan", "size", "alignment", "gaps", "offset", "hint")
    _OLD = ("id", "lower", "upper", "size", "alignment", "offset", "hint", "gaps")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        is_old = ("lower" in kwargs or "upper" in kwargs) or (
            len(args) >= 2 and not isinstance(args[1], Interval)
        )
        names = Buffer._OLD if is_old else Buffer._CURRENT
        if len(args) > len(names):
            raise TypeError(f"Buffer() takes at most {len(names)} arguments ({len(args)} given)")
        values = dict(zip(names, args))
        for key in list(kwargs):
            if key not in names:
                raise TypeError(f"Buffer(): unexpected keyword argument {key!r}")
            if key in values:
                raise TypeError(f"Buffer(): got multiple values for argument {key!r}")
            values[key] = kwargs.pop(key)
        if values or args:
            required = ("id", "lower", "upper", "size") if is_old else ("id", "lifespan", "size")
            missing = [n for n in required if n not in values]
            if missing:
                raise TypeError(f"Buffer(): missing argument {missing[0]!r}")
        if is_old:
            values["lifespan"] = Interval(
                _int(values.pop("lower"), "Buffer.lower"), _int(values.pop("upper"), "Buffer.upper")
            )
        self.id = values.get("id", "")
        self.lifespan = values.get("lifespan", Interval())
        self.size = values.get("size", 0)
        self.alignment = values.get("alignment", 1)
        self.gaps = values.get("gaps", [])
        self.offset = values.get("offset")
        self.hint = values.get("hint")

    @property
    def id(self) -> str:
        return self._id

    @id.setter
    def id(self, value: str) -> None:
        if not isinstance(value, str):
            raise InputTypeError(f"Buffer.id: expected a str, found {describe(value)}", path="Buffer.id")
        self._id = value

    @property
    def lifespan(self) -> Interval:
        return self._lifespan

    @lifespan.setter
    def lifespan(self, value: Interval) -> None:
        self._lifespan = _interval(value, "Buffer.lifespan")

    @property
    def size(self) -> int:
        return self._size

    @size.setter
    def size(self, value: int) -> None:
        self._size = _int(value, "Buffer.size")

    @property
    def alignment(self) -> int:
        return self._alignment

    @alignment.setter
    def alignment(self, value: int) -> None:
        self._alignment = _int(value, "Buffer.alignment")

    @property
    def gaps(self) -> List[Gap]:
        """A fresh list of copies: assign a whole list to change the gaps."""
        return [copy.copy(g) for g in self._gaps]

    @gaps.setter
    def gaps(self, value: List[Gap]) -> None:
        self._gaps = _gaps(value, "Buffer.gaps")

    @property
    def offset(self) -> Optional[int]:
        return self._offset

    @offset.setter
    def offset(self, value: Optional[int]) -> None:
        self._offset = _optional_int(value, "Buffer.offset")

    @property
    def hint(self) -> Optional[int]:
        return self._hint

    @hint.setter
    def hint(self, value: Optional[int]) -> None:
        self._hint = _optional_int(value, "Buffer.hint")

    # The older README's names.
    @property
    def lower(self) -> int:
        return self._lifespan.lower

    @lower.setter
    def lower(self, value: int) -> None:
        self._lifespan = Interval(value, self._lifespan.upper)

    @property
    def upper(self) -> int:
        return self._lifespan.upper

    @upper.setter
    def upper(self, value: int) -> None:
        self._lifespan = Interval(self._lifespan.lower, value)

    def area(self) -> int:
        """size x (upper - lower); gaps are not subtracted."""
        return self._size * (self._lifespan.upper - self._lifespan.lower)

    def _pieces(self) -> List[Tuple[int, int, int, int]]:
        """``(time lower, time upper, bottom, top)`` of what the buffer occupies, in time
        order (empty pieces left out), as bufpack's model defines them."""
        pieces = []
        cursor = self._lifespan.lower
        for gap in sorted((g for g in self._gaps if g.lower < g.upper), key=lambda g: g.lower):
            pieces.append((cursor, gap.lower, 0, self._size))
            if gap.window is not None:
                pieces.append((gap.lower, gap.upper, gap.window.lower, gap.window.upper))
            cursor = gap.upper
        pieces.append((cursor, self._lifespan.upper, 0, self._size))
        return [p for p in pieces if p[0] < p[1] and p[2] < p[3]]

    def effective_size(self, other: "Buffer") -> Optional[int]:
        """How far above this buffer's offset ``other`` must start so that they never meet:
        the most, over instants where both occupy memory, of (own occupied top - other's
        occupied bottom); ``None`` when they never occupy memory at the same time."""
        if not isinstance(other, Buffer):
            raise InputTypeError(f"other: expected a Buffer, found {describe(other)}", path="other")
        best: Optional[int] = None
        theirs = other._pieces()
        for lo, hi, _bottom, top in self._pieces():
            for olo, ohi, obottom, _otop in theirs:
                if max(lo, olo) < min(hi, ohi):
                    value = top - obottom
                    best = value if best is None else max(best, value)
        return best

    def _key(self) -> Tuple[Any, ...]:
        # The hint is not compared (as in the reference), so it is not hashed either.
        return (self._id, self._lifespan, self._size, self._alignment, tuple(self._gaps), self._offset)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Buffer) and self._key() == other._key()

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash(self._key())

    def __copy__(self) -> "Buffer":
        return Buffer(
            self._id, self._lifespan, self._size, self._alignment, self._gaps, self._offset, self._hint
        )

    def __reduce__(self) -> Tuple[Any, ...]:
        return (
            Buffer,
            (self._id, self._lifespan, self._size, self._alignment, self._gaps, self._offset, self._hint),
        )

    def __repr__(self) -> str:
        gaps = ", ".join(repr(g) for g in self._gaps)
        return (
            f"Buffer(id='{self._id}', lifespan={self._lifespan!r}, size={self._size}, "
            f"alignment={self._alignment}, gaps=[{gaps}], offset={self._offset}, hint={self._hint})"
        )


class Solution:
    """Offsets in problem order and the height they reach.

    ``Solution()``, ``Solution(offsets)``, ``Solution(offsets, height)``; height defaults to 0
    (the solver sets it). ``==`` and ``hash`` use the offsets only. ``len`` and indexing (the
    older README's) read the offsets.
    """

    __slots__ = ("_offsets", "_height")

    def __init__(self, offsets: Optional[List[int]] = None, height: int = 0) -> None:
        self.offsets = [] if offsets is None else offsets
        self.height = height

    @property
    def offsets(self) -> List[int]:
        """A fresh list: assign a whole list to change the offsets."""
        return list(self._offsets)

    @offsets.setter
    def offsets(self, value: List[int]) -> None:
        if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
            raise InputTypeError(
                f"Solution.offsets: expected a list of int, found {describe(value)}", path="offsets"
            )
        self._offsets = [_int(v, f"Solution.offsets[{i}]") for i, v in enumerate(value)]

    @property
    def height(self) -> int:
        return self._height

    @height.setter
    def height(self, value: int) -> None:
        self._height = _int(value, "Solution.height")

    def __len__(self) -> int:
        return len(self._offsets)

    def __getitem__(self, index: int) -> int:
        return self._offsets[index]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Solution) and self._offsets == other._offsets

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash(tuple(self._offsets))

    def __reduce__(self) -> Tuple[Any, ...]:
        return (Solution, (self._offsets, self._height))

    def __repr__(self) -> str:
        return f"Solution(offsets={self._offsets!r}, height={self._height})"

    __str__ = __repr__


class Problem:
    """Buffers and a capacity. ``Problem()`` or ``Problem(buffers, capacity=0)``."""

    __slots__ = ("_buffers", "_capacity")

    def __init__(self, buffers: Optional[List[Buffer]] = None, capacity: int = 0) -> None:
        self.buffers = [] if buffers is None else buffers
        self.capacity = capacity

    @property
    def buffers(self) -> List[Buffer]:
        """A fresh list of copies: ``p.buffers[0].offset = 3`` changes nothing; assign a
        whole list instead."""
        return [copy.copy(b) for b in self._buffers]

    @buffers.setter
    def buffers(self, value: List[Buffer]) -> None:
        if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
            raise InputTypeError(
                f"Problem.buffers: expected a list of Buffer, found {describe(value)}", path="buffers"
            )
        buffers = list(value)
        for index, buffer in enumerate(buffers):
            if not isinstance(buffer, Buffer):
                path = f"buffers[{index}]"
                raise InputTypeError(f"{path}: expected a Buffer, found {describe(buffer)}", path=path)
        self._buffers = [copy.copy(b) for b in buffers]

    @property
    def capacity(self) -> int:
        return self._capacity

    @capacity.setter
    def capacity(self, value: int) -> None:
        self._capacity = _int(value, "Problem.capacity")

    def strip_solution(self) -> Optional[Solution]:
        """Moves every fixed offset into a new Solution (height 0), leaving the buffers free;
        ``None`` (with the buffers before the first free one already cleared) when some buffer
        has no offset."""
        offsets = []
        for buffer in self._buffers:
            if buffer.offset is None:
                return None
            offsets.append(buffer.offset)
            buffer.offset = None
        return Solution(offsets)

    # The older README's CSV methods.
    @classmethod
    def from_csv(cls, csv: str, capacity: int = 0) -> "Problem":
        """Reads CSV (MiniMalloc's format); raises :class:`bufpack.ParseError` with the line
        and column of the first error."""
        from ._csv import _parse

        problem = _parse(csv)
        problem.capacity = capacity
        return problem

    def to_csv(self, solution: Optional[Solution] = None) -> str:
        """``minimalloc.to_csv(self, solution)``."""
        from ._csv import to_csv

        return to_csv(self, solution)

    def _key(self) -> Tuple[Any, ...]:
        return (tuple(self._buffers), self._capacity)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Problem) and self._key() == other._key()

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash(self._key())

    def __reduce__(self) -> Tuple[Any, ...]:
        return (Problem, (self._buffers, self._capacity))

    def __repr__(self) -> str:
        buffers = ", ".join(repr(b) for b in self._buffers)
        return f"Problem(buffers=[{buffers}], capacity={self._capacity})"
