"""What solves report: progress, statistics, reasons, bounds and minimisation results."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, NamedTuple, Optional, Tuple

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from ._model import Solution

__all__ = ["Progress", "SolveStats", "Reason", "LowerBound", "MinimizeResult"]


class Progress(NamedTuple):
    """Live figures of a running solve, passed to a ``progress`` callback."""

    nodes: int
    """Search nodes visited so far."""
    backtracks: int
    """Nodes at which every candidate failed."""
    elapsed: float
    """Seconds since the solve started."""
    best_height: Optional[int]
    """The lowest height found so far (minimising)."""
    lower_bound: Optional[int]
    """The proven lower bound (minimising)."""
    gap: Optional[float]
    """How far ``best_height`` may be above the optimum, in percent (minimising)."""


class SolveStats(NamedTuple):
    """Figures of a decision (``Solution.stats`` after :func:`bufpack.solve`)."""

    nodes: int
    backtracks: int
    elapsed: float
    """Seconds."""
    ordering: Optional[str]
    """The preordering (key string such as ``"WAT"``) whose search decided."""


class Reason:
    """Why something holds: ``kind`` (a short name), ``message`` (a sentence) and facts that
    depend on the kind, read as attributes (``reason.time``, ``reason.id``, ...)."""

    __slots__ = ("kind", "message", "facts")

    def __init__(self, kind: str, message: str = "", **facts: Any) -> None:
        self.kind = kind
        self.message = message
        self.facts: Dict[str, Any] = facts

    @classmethod
    def _from(cls, answer: Dict[str, Any]) -> "Reason":
        facts = {k: v for k, v in answer.items() if k not in ("kind", "message")}
        return cls(str(answer.get("kind", "")), str(answer.get("message", "")), **facts)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.facts[name]
        except KeyError:
            raise AttributeError(f"{type(self).__name__} of kind {self.kind!r} has no {name!r}") from None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Reason):
            return NotImplemented
        return (self.kind, self.message, self.facts) == (other.kind, other.message, other.facts)

    def __hash__(self) -> int:
        return hash((self.kind, self.message, tuple(sorted(self.facts.items()))))

    def __repr__(self) -> str:
        facts = "".join(f", {k}={v!r}" for k, v in self.facts.items())
        return f"Reason({self.kind!r}{facts})"

    def __str__(self) -> str:
        return self.message or self.kind

    def __reduce__(self) -> Tuple[Any, ...]:
        return (_reason, (self.kind, self.message, self.facts))


def _reason(kind: str, message: str, facts: Dict[str, Any]) -> Reason:
    return Reason(kind, message, **facts)


class LowerBound(NamedTuple):
    """A proven lower bound on the height of every packing."""

    height: int
    """No packing is lower."""
    load: int
    """LOAD: the largest total size live at one time."""
    reason: Reason
    """``kind`` ``"load"`` (the buffers live at ``reason.time``), ``"buffer"`` (one buffer
    alone: ``reason.index``, ``reason.id``), ``"spare"`` (the load at ``reason.time`` and
    the bytes of buffer ``reason.id`` outside its window, in a gap, that the buffers live then
    cannot fill; ``widen_windows``) or ``"exhausted"`` (the search ruled out every lower
    height)."""

    @classmethod
    def _from(cls, answer: Dict[str, Any]) -> "LowerBound":
        kind = str(answer["reason"])
        facts = {k: answer[k] for k in ("time", "index", "id") if k in answer}
        if kind == "load":
            message = f"the buffers live at time {facts['time']} need {answer['load']} units"
        elif kind == "buffer":
            message = f"buffer {facts['id']!r} alone reaches {answer['height']}"
        elif kind == "spare":
            message = (
                f"the buffers live at time {facts['time']} need {answer['height']} units: "
                f"buffer {facts['id']!r}'s spare bytes outside its window cannot all be used"
            )
        else:
            message = "the exact search ruled out every lower height"
        return cls(int(answer["height"]), int(answer["load"]), Reason(kind, message, **facts))


class MinimizeResult:
    """The answer of :func:`bufpack.minimize`: the best packing and how good it is.

    ``status`` is ``"optimal"`` (its height equals the proven ``lower_bound``) or
    ``"feasible"`` (a stop came first; the optimum lies between ``lower_bound`` and
    ``height``, ``gap`` percent apart). ``stopped`` says what stopped it: ``None``,
    ``"timeout"``, ``"cancelled"`` or ``"interrupt"`` (then the result travels on
    :class:`bufpack.Interrupted`). ``incomplete`` is true when some height could be neither
    packed nor ruled out (windowed gaps), so the bound did not rise there.
    """

    __slots__ = (
        "solution",
        "status",
        "bound",
        "gap",
        "nodes",
        "backtracks",
        "elapsed",
        "found_by",
        "searched",
        "stopped",
        "incomplete",
    )

    def __init__(
        self,
        solution: "Solution",
        status: str,
        bound: LowerBound,
        gap: float,
        nodes: int,
        backtracks: int,
        elapsed: float,
        found_by: Optional[str],
        searched: bool,
        stopped: Optional[str],
        incomplete: bool,
    ) -> None:
        self.solution = solution
        self.status = status
        self.bound = bound
        self.gap = gap
        self.nodes = nodes
        self.backtracks = backtracks
        self.elapsed = elapsed
        self.found_by = found_by
        self.searched = searched
        self.stopped = stopped
        self.incomplete = incomplete

    @property
    def height(self) -> int:
        """The best packing's height."""
        return self.solution.height

    @property
    def offsets(self) -> "np.ndarray":
        """The best packing's offsets (a read-only ``int64`` array, one per buffer)."""
        return self.solution.offsets

    @property
    def lower_bound(self) -> int:
        """The proven lower bound on the height."""
        return self.bound.height

    @property
    def bound_reason(self) -> Reason:
        """Why the lower bound holds (see :class:`LowerBound`)."""
        return self.bound.reason

    @property
    def load(self) -> int:
        """LOAD: the largest total size live at one time."""
        return self.bound.load

    @property
    def optimal(self) -> bool:
        return self.status == "optimal"

    def validate(self) -> None:
        """Checks the packing; raises :class:`bufpack.ValidationError` naming a failure."""
        self.solution.validate()

    def to_csv(self) -> str:
        return self.solution.to_csv()

    def _repr_svg_(self) -> str:
        return self.solution._repr_svg_()

    def _fields(self) -> Tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, MinimizeResult):
            return NotImplemented
        return self._fields() == other._fields()

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> Tuple[Any, ...]:
        return (MinimizeResult, self._fields())

    def __repr__(self) -> str:
        stopped = f", stopped={self.stopped!r}" if self.stopped else ""
        return (
            f"MinimizeResult(status={self.status!r}, height={self.height}, "
            f"lower_bound={self.lower_bound}, gap={self.gap:.3g}%{stopped})"
        )
