"""MiniMalloc's solver settings: Duration, SolverParams (attributes, or the older README's
keywords) and ValidationResult."""

from __future__ import annotations

import enum
import math
from typing import Any, Dict, Iterable, List, Optional, Tuple

from .._checks import describe
from .._errors import InputTypeError, InvalidInputError
from ._model import _bool

__all__ = ["Duration", "SolverParams", "ValidationResult"]


class Duration:
    """A length of time, possibly infinite (``SolverParams.timeout``)."""

    __slots__ = ("_seconds",)

    def __init__(self, seconds: float = 0) -> None:
        self._seconds = Duration._number(seconds, "seconds")

    @staticmethod
    def _number(value: Any, name: str) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) and not hasattr(value, "__index__"):
            raise InputTypeError(f"Duration: expected a number of {name}, found {describe(value)}", path=name)
        number = float(value)
        if math.isnan(number):
            raise InvalidInputError(f"Duration: expected a number of {name}, found nan", path=name)
        return number

    @staticmethod
    def from_seconds(seconds: float) -> "Duration":
        return Duration(seconds)

    @staticmethod
    def from_milliseconds(milliseconds: float) -> "Duration":
        return Duration(Duration._number(milliseconds, "milliseconds") / 1e3)

    @staticmethod
    def from_microseconds(microseconds: float) -> "Duration":
        return Duration(Duration._number(microseconds, "microseconds") / 1e6)

    @staticmethod
    def infinite() -> "Duration":
        return Duration(math.inf)

    def to_seconds(self) -> float:
        return self._seconds

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Duration) and self._seconds == other._seconds

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Duration):
            return NotImplemented
        return self._seconds < other._seconds

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Duration):
            return NotImplemented
        return self._seconds <= other._seconds

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> Tuple[Any, ...]:
        return (Duration, (self._seconds,))

    def __repr__(self) -> str:
        if math.isinf(self._seconds) and self._seconds > 0:
            return "Duration.infinite()"
        return f"Duration({self._seconds:g} seconds)"


_SWITCHES = (
    "canonical_only",
    "section_inference",
    "dynamic_ordering",
    "check_dominance",
    "unallocated_floor",
    "static_preordering",
    "dynamic_decomposition",
    "monotonic_floor",
    "hatless_pruning",
)


class SolverParams:
    """The solver's switches and time limit.

    ``SolverParams()`` then attributes (current), or keywords (older README), including
    ``timeout_seconds=`` (``None``: no limit) beside ``timeout=``. MiniMalloc's switches only:
    bufpack's own (``canonical_floor``, ``fill_holes``) stay on; :class:`bufpack.SolverParams`
    has them.
    """

    __slots__ = ("_timeout", "_switches", "_minimize_capacity", "_preordering_heuristics")

    def __init__(self, **kwargs: Any) -> None:
        self._timeout = Duration.infinite()
        self._switches = {name: True for name in _SWITCHES}
        self._minimize_capacity = False
        self._preordering_heuristics = ["WAT", "TAW", "TWA"]
        known = set(_SWITCHES) | {"timeout", "timeout_seconds", "minimize_capacity", "preordering_heuristics"}
        for key, value in kwargs.items():
            if key not in known:
                raise TypeError(f"SolverParams(): unexpected keyword argument {key!r}")
            setattr(self, key, value)

    @property
    def timeout(self) -> Duration:
        return self._timeout

    @timeout.setter
    def timeout(self, value: Any) -> None:
        if value is None:
            self._timeout = Duration.infinite()
        elif isinstance(value, Duration):
            self._timeout = value
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            self._timeout = Duration(value)
        else:
            raise InputTypeError(
                f"SolverParams.timeout: expected a Duration, a number of seconds or None, found {describe(value)}",
                path="timeout",
            )

    @property
    def timeout_seconds(self) -> Optional[float]:
        """The older README's name: seconds, or ``None`` for no limit."""
        seconds = self._timeout.to_seconds()
        return None if math.isinf(seconds) else seconds

    @timeout_seconds.setter
    def timeout_seconds(self, value: Optional[float]) -> None:
        self.timeout = value

    @property
    def minimize_capacity(self) -> bool:
        return self._minimize_capacity

    @minimize_capacity.setter
    def minimize_capacity(self, value: bool) -> None:
        self._minimize_capacity = _bool(value, "SolverParams.minimize_capacity")

    @property
    def preordering_heuristics(self) -> List[str]:
        """A fresh list: assign a whole list to change it."""
        return list(self._preordering_heuristics)

    @preordering_heuristics.setter
    def preordering_heuristics(self, value: List[str]) -> None:
        if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
            raise InputTypeError(
                f"SolverParams.preordering_heuristics: expected a list of str, found {describe(value)}",
                path="preordering_heuristics",
            )
        keys = list(value)
        for index, key in enumerate(keys):
            if not isinstance(key, str):
                path = f"preordering_heuristics[{index}]"
                raise InputTypeError(f"{path}: expected a str, found {describe(key)}", path=path)
        self._preordering_heuristics = keys

    def _key(self) -> Tuple[Any, ...]:
        switches = tuple(self._switches[n] for n in _SWITCHES)
        return (
            self._timeout.to_seconds(),
            switches,
            self._minimize_capacity,
            tuple(self._preordering_heuristics),
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SolverParams) and self._key() == other._key()

    __hash__ = None  # type: ignore[assignment]

    def __copy__(self) -> "SolverParams":
        params = SolverParams()
        params._timeout = self._timeout
        params._switches = dict(self._switches)
        params._minimize_capacity = self._minimize_capacity
        params._preordering_heuristics = list(self._preordering_heuristics)
        return params

    def __reduce__(self) -> Tuple[Any, ...]:
        state: Dict[str, Any] = {name: self._switches[name] for name in _SWITCHES}
        state.update(
            timeout=self._timeout,
            minimize_capacity=self._minimize_capacity,
            preordering_heuristics=list(self._preordering_heuristics),
        )
        return (_params, (state,))

    def __repr__(self) -> str:
        switches = "".join(f", {n}={self._switches[n]}" for n in _SWITCHES)
        return (
            f"SolverParams(timeout={self._timeout!r}{switches}, minimize_capacity={self._minimize_capacity}, "
            f"preordering_heuristics={self._preordering_heuristics!r})"
        )


def _params(state: Dict[str, Any]) -> SolverParams:
    return SolverParams(**state)


def _switch_property(name: str) -> property:
    def get(self: SolverParams) -> bool:
        return self._switches[name]

    def set(self: SolverParams, value: bool) -> None:
        self._switches[name] = _bool(value, f"SolverParams.{name}")

    return property(get, set)


for _name in _SWITCHES:
    setattr(SolverParams, _name, _switch_property(_name))


class ValidationResult(enum.Enum):
    """What :func:`validate` found (values as MiniMalloc's enum)."""

    GOOD = 0
    BAD_SOLUTION = 1
    BAD_FIXED = 2
    BAD_OFFSET = 3
    BAD_OVERLAP = 4
    BAD_ALIGNMENT = 5
    BAD_HEIGHT = 6

    def __int__(self) -> int:
        return int(self.value)

    def __index__(self) -> int:
        return int(self.value)

    def __str__(self) -> str:
        return f"ValidationResult.{self.name}"
