"""MiniMalloc's solver API over bufpack: ``Solver``, ``validate``, ``solve_from_csv``."""

from __future__ import annotations

import copy
import math
import time
from typing import Any, List, Optional, Tuple

import numpy as np

from .. import _bufpack
from .._checks import describe
from .._errors import InputTypeError, Interrupted, ValidationError
from .._params import SolverParams as _CoreParams
from ._csv import _parse
from ._model import Problem, Solution
from ._params import _SWITCHES, SolverParams, ValidationResult

__all__ = ["Solver", "validate", "validate_solution", "solve_from_csv"]


def _problem(problem: Any) -> Problem:
    if not isinstance(problem, Problem):
        raise InputTypeError(
            f"problem: expected a minimalloc.Problem, found {describe(problem)}", path="problem"
        )
    return problem


def _core(problem: Problem, indices: Optional[List[int]] = None) -> Any:
    """The problem in Rust. A malformed one (negative size, reversed lifespan, ...) raises
    :class:`bufpack.InvalidInputError` naming the buffer; MiniMalloc checks nothing there."""
    buffers = problem._buffers
    chosen = buffers if indices is None else [buffers[i] for i in indices]
    rows = []
    for b in chosen:
        gaps: List[Tuple[int, int, Optional[int], Optional[int]]] = [
            (
                g.lifespan.lower,
                g.lifespan.upper,
                None if g.window is None else g.window.lower,
                None if g.window is None else g.window.upper,
            )
            for g in b._gaps
        ]
        rows.append((b.id, b.lifespan.lower, b.lifespan.upper, b.size, b.alignment, gaps, b.offset, b.hint))
    return _bufpack.ProblemCore.from_rows(rows, problem.capacity)


def _core_params(params: SolverParams) -> _CoreParams:
    return _CoreParams(
        **{name: getattr(params, name) for name in _SWITCHES},
        preordering_heuristics=tuple(params.preordering_heuristics),
    )


def _raise_interrupt(answer: Any) -> None:
    """Re-raises a Ctrl-C (or a signal handler's exception) that stopped a search."""
    if answer.get("stop") == "error":
        error = answer["error"]
        if isinstance(error, KeyboardInterrupt) and not isinstance(error, Interrupted):
            raise Interrupted("solve interrupted") from error
        raise error


class Solver:
    """Solves problems with the given parameters (copied: later edits do not reach it)."""

    def __init__(self, params: Optional[SolverParams] = None) -> None:
        if params is None:
            params = SolverParams()
        if not isinstance(params, SolverParams):
            raise InputTypeError(f"params: expected a SolverParams, found {describe(params)}", path="params")
        self._params = copy.copy(params)
        self._backtracks = 0
        self._cancel = _bufpack.CancelToken()

    def _run(self, core: Any, timeout: Optional[float], minimize: bool) -> Any:
        run = _bufpack.minimize if minimize else _bufpack.solve
        answer = run(core, None, _core_params(self._params), timeout, 1, None, self._cancel, 0.1)
        self._backtracks += answer["backtracks"]
        _raise_interrupt(answer)
        return answer

    def _timeout(self) -> Optional[float]:
        seconds = self._params.timeout.to_seconds()
        return None if math.isinf(seconds) else max(seconds, 0.0)

    def solve(self, problem: Problem) -> Optional[Solution]:
        """A packing within ``problem.capacity``, or ``None`` when there is none, the time
        limit passed, or :meth:`cancel` was called (alike). With ``minimize_capacity`` the
        lowest packing found within the capacity. ``problem`` is left unchanged."""
        problem = _problem(problem)
        self._backtracks = 0
        self._cancel.reset()
        if not problem._buffers:
            return Solution([], 0)
        answer = self._run(_core(problem), self._timeout(), self._params.minimize_capacity)
        if "offsets" not in answer:
            return None
        offsets = np.frombuffer(answer["offsets"], dtype="<i8").tolist()
        return Solution(offsets, answer["height"])

    def get_backtracks(self) -> int:
        """Backtracks of the latest ``solve`` or subset computation (0 when new). bufpack
        often proves infeasibility before any search (LOAD above the capacity): then 0."""
        return self._backtracks

    @property
    def backtracks(self) -> int:
        """The older README's name for :meth:`get_backtracks`."""
        return self._backtracks

    def cancel(self) -> None:
        """Stops a ``solve`` running in another thread (the GIL is released while it runs,
        so unlike MiniMalloc's this works); that ``solve`` returns ``None``."""
        self._cancel.cancel()

    def compute_irreducible_infeasible_subset(self, problem: Problem) -> Optional[List[int]]:
        """Indices of buffers that together cannot fit, none of which can be left out: each
        buffer in turn is dropped and stays out if the rest is still infeasible. All indices
        when the problem is feasible; ``None`` when the time limit passes."""
        problem = _problem(problem)
        self._backtracks = 0
        self._cancel.reset()
        deadline = None if self._timeout() is None else time.monotonic() + self._timeout()  # type: ignore[operator]

        def infeasible(indices: List[int]) -> Optional[bool]:
            remaining = None if deadline is None else max(deadline - time.monotonic(), 0.0)
            answer = self._run(_core(problem, indices), remaining, False)
            if answer["outcome"] == "stopped":
                return None
            return bool(answer["outcome"] == "infeasible")

        kept = list(range(len(problem._buffers)))
        whole = infeasible(kept)
        if whole is None:
            return None
        if not whole:
            return kept
        for index in list(kept):
            trial = [i for i in kept if i != index]
            verdict = infeasible(trial)
            if verdict is None:
                return None
            if verdict:
                kept = trial
        return kept


def validate(problem: Problem, solution: Solution) -> ValidationResult:
    """Checks a solution as MiniMalloc does, first failure wins: the offset count
    (``BAD_SOLUTION``); per buffer in order: a moved fixed buffer (``BAD_FIXED``), an offset
    below 0 or a top above the capacity (``BAD_OFFSET``), a top above the solution's height
    (``BAD_HEIGHT``), a misaligned offset (``BAD_ALIGNMENT``); then a height that is not the
    highest top (``BAD_HEIGHT``); then two buffers sharing memory at one time
    (``BAD_OVERLAP``, gaps and windows honoured).

    So a hand-made ``Solution(offsets)`` left at height 0 is ``BAD_HEIGHT`` (give it its
    height). Never raises for a bad solution; a malformed problem raises
    :class:`bufpack.InvalidInputError`.
    """
    problem = _problem(problem)
    if not isinstance(solution, Solution):
        raise InputTypeError(f"solution: expected a Solution, found {describe(solution)}", path="solution")
    buffers = problem._buffers
    offsets = solution.offsets
    if len(offsets) != len(buffers):
        return ValidationResult.BAD_SOLUTION
    top_of_all = 0
    for buffer, offset in zip(buffers, offsets):
        top = offset + buffer.size
        if buffer.offset is not None and buffer.offset != offset:
            return ValidationResult.BAD_FIXED
        if offset < 0 or top > problem.capacity:
            return ValidationResult.BAD_OFFSET
        if top > solution.height:
            return ValidationResult.BAD_HEIGHT
        if buffer.alignment > 0 and offset % buffer.alignment != 0:
            return ValidationResult.BAD_ALIGNMENT
        top_of_all = max(top_of_all, top)
    if buffers and top_of_all != solution.height:
        return ValidationResult.BAD_HEIGHT
    if not buffers:
        return ValidationResult.GOOD
    # Everything but overlaps is settled; bufpack's validator finds those. Fixed offsets are
    # left out of the copy (already checked above), so only an overlap can fail.
    free = Problem([copy.copy(b) for b in buffers], problem.capacity)
    for buffer in free._buffers:
        buffer.offset = None
    core = _core(free)
    try:
        core.validate(np.asarray(offsets, dtype="<i8").tobytes(), solution.height)
    except ValidationError:
        return ValidationResult.BAD_OVERLAP
    return ValidationResult.GOOD


def validate_solution(problem: Problem, solution: Solution) -> ValidationResult:
    """The older README's name for :func:`validate`, with the current semantics: a solution
    must state its height (``Solution(offsets, height)``; the solver's always do)."""
    return validate(problem, solution)


def solve_from_csv(csv_content: str, capacity: int, **solver_params: Any) -> Optional[Solution]:
    """Reads CSV, solves at ``capacity`` with ``SolverParams(**solver_params)``; the solution
    or ``None``. Unreadable CSV raises :class:`bufpack.ParseError`."""
    problem = _parse(csv_content)
    problem.capacity = capacity
    return Solver(SolverParams(**solver_params)).solve(problem)
