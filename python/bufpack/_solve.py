"""Solving: a decision at a capacity, minimisation, batches, heuristics, bounds, validation.

Every search runs in Rust with the GIL released: other Python threads keep running, and two
threads solving get about twice the work done. Ctrl-C stops a search within about 50 ms
(:class:`bufpack.Interrupted`, with the best packing when minimising).
"""

from __future__ import annotations

import os
from typing import Any, Callable, Dict, List, Optional, Sequence, Union

from . import _bufpack, _checks
from ._errors import (
    CancelledError,
    InfeasibleError,
    InputTypeError,
    Interrupted,
    SolveTimeoutError,
    UndecidedError,
)
from ._model import Problem, Solution, _core_of
from ._params import SolverParams
from ._results import LowerBound, MinimizeResult, Progress, Reason, SolveStats

__all__ = [
    "solve",
    "minimize",
    "solve_many",
    "heuristics",
    "run_heuristic",
    "lower_bound",
    "validate",
    "read_csv",
    "CancelToken",
]

CancelToken = _bufpack.CancelToken

ProgressCallback = Callable[[Progress], Any]


def _params(params: Optional[SolverParams]) -> Optional[SolverParams]:
    if params is not None and not isinstance(params, SolverParams):
        raise InputTypeError(
            f"params: expected a bufpack.SolverParams, found {_checks.describe(params)}", path="params"
        )
    return params


def _cancel(cancel: Any) -> Any:
    if cancel is not None and not isinstance(cancel, CancelToken):
        raise InputTypeError(
            f"cancel: expected a bufpack.CancelToken, found {_checks.describe(cancel)}", path="cancel"
        )
    return cancel


def _interval(seconds: Any) -> float:
    value = _checks.seconds(seconds, "progress_interval")
    return 0.1 if value is None else value


def _at_capacity(problem: Problem, capacity: Any) -> Problem:
    _core_of(problem)
    capacity = _checks.capacity(capacity)
    if capacity is None or capacity == problem.capacity:
        return problem
    return problem.with_capacity(capacity)


def _stats(answer: Dict[str, Any]) -> Dict[str, Any]:
    return {"nodes": answer["nodes"], "backtracks": answer["backtracks"], "elapsed": answer["elapsed"]}


def _raise_stop(answer: Dict[str, Any], result: Any, what: str) -> None:
    """Raises what stopped a run: the exception of a signal handler or callback (a Ctrl-C as
    :class:`Interrupted` carrying ``result``), a time-out, a cancel."""
    stop = answer.get("stop")
    if stop == "error":
        error = answer["error"]
        if isinstance(error, KeyboardInterrupt) and not isinstance(error, Interrupted):
            raise Interrupted(f"{what} interrupted", result=result) from error
        raise error
    if stop == "timeout":
        raise SolveTimeoutError(
            f"{what}: the time limit passed before an answer", result=result, **_stats(answer)
        )
    if stop == "cancelled":
        raise CancelledError(f"{what}: cancelled", result=result, **_stats(answer))


def _solution_of(problem: Problem, answer: Dict[str, Any]) -> Solution:
    """The packing of a solve's answer, or the exception its outcome calls for."""
    outcome = answer["outcome"]
    stats = SolveStats(answer["nodes"], answer["backtracks"], answer["elapsed"], answer.get("ordering"))
    if outcome == "solved":
        return Solution._make(problem, answer["offsets"], answer["height"], stats)
    if outcome == "infeasible":
        reason = Reason._from(answer["reason"])
        raise InfeasibleError(reason.message, reason=reason, **_stats(answer))
    if outcome == "undecided":
        reason = Reason._from(answer["reason"])
        raise UndecidedError(reason.message, reason=reason, **_stats(answer))
    _raise_stop(answer, None, "solve")
    raise SolveTimeoutError("solve: stopped", **_stats(answer))  # pragma: no cover


def _minimize_result(problem: Problem, answer: Dict[str, Any]) -> MinimizeResult:
    """The result of a minimisation's answer, or the exception its outcome calls for."""
    outcome = answer["outcome"]
    stop = answer.get("stop")
    if outcome in ("optimal", "feasible"):
        stopped = ("interrupt" if stop == "error" else stop) if answer["stopped"] else None
        result = MinimizeResult(
            Solution._make(problem, answer["offsets"], answer["height"]),
            outcome,
            LowerBound._from(answer["bound"]),
            float(answer["gap"] or 0.0),
            answer["nodes"],
            answer["backtracks"],
            answer["elapsed"],
            answer["found_by"],
            answer["searched"],
            stopped,
            answer["incomplete"],
        )
        if stop == "error":
            _raise_stop(answer, result, "minimize")
        return result
    if outcome == "infeasible":
        reason = Reason._from(answer["reason"])
        raise InfeasibleError(reason.message, reason=reason, **_stats(answer))
    _raise_stop(answer, None, "minimize")
    raise SolveTimeoutError("minimize: stopped before any packing", **_stats(answer))  # pragma: no cover


def solve(
    problem: Problem,
    capacity: Optional[int] = None,
    *,
    params: Optional[SolverParams] = None,
    timeout: Optional[float] = None,
    threads: int = 1,
    progress: Optional[ProgressCallback] = None,
    progress_interval: float = 0.1,
    cancel: Optional[Any] = None,
) -> Solution:
    """Finds a packing within ``capacity`` (default: the problem's), or proves there is none.

    Returns a :class:`Solution` (with ``stats``). Raises :class:`InfeasibleError` (with the
    reason), :class:`UndecidedError`, :class:`SolveTimeoutError` after ``timeout`` seconds,
    :class:`CancelledError` when ``cancel`` (a :class:`CancelToken`) fires, and
    :class:`Interrupted` on Ctrl-C. ``threads`` > 1 deals the portfolio's searches out to
    threads.
    ``progress(Progress)`` is called about every ``progress_interval`` seconds; an exception
    it raises stops the solve and propagates.
    """
    at = _at_capacity(problem, capacity)
    if at.capacity is None:
        raise InputTypeError(
            "capacity: a decision needs a capacity (give one, or use bufpack.minimize)", path="capacity"
        )
    answer = _bufpack.solve(
        at._core,
        None,
        _params(params),
        _checks.seconds(timeout, "timeout"),
        _checks.threads(threads),
        _checks.callback(progress, "progress"),
        _cancel(cancel),
        _interval(progress_interval),
    )
    return _solution_of(at, answer)


def minimize(
    problem: Problem,
    capacity: Optional[int] = None,
    *,
    params: Optional[SolverParams] = None,
    timeout: Optional[float] = None,
    threads: int = 1,
    progress: Optional[ProgressCallback] = None,
    progress_interval: float = 0.1,
    cancel: Optional[Any] = None,
) -> MinimizeResult:
    """Finds the lowest height at which the problem packs; the capacity (``capacity`` or the
    problem's), if any, is an upper limit.

    Anytime: after ``timeout`` seconds (or a ``cancel``) it returns the best packing found,
    ``status="feasible"`` with the ``gap`` left and ``stopped`` saying why. Ctrl-C raises
    :class:`Interrupted` whose ``result`` is that best packing. Raises
    :class:`InfeasibleError` when nothing fits the capacity, and :class:`SolveTimeoutError`
    (or :class:`CancelledError`) only when the stop came before any packing within it.
    """
    at = _at_capacity(problem, capacity)
    answer = _bufpack.minimize(
        at._core,
        None,
        _params(params),
        _checks.seconds(timeout, "timeout"),
        _checks.threads(threads),
        _checks.callback(progress, "progress"),
        _cancel(cancel),
        _interval(progress_interval),
    )
    return _minimize_result(at, answer)


def solve_many(
    problems: Sequence[Problem],
    capacity: Optional[int] = None,
    *,
    minimize: bool = False,
    params: Optional[SolverParams] = None,
    timeout: Optional[float] = None,
    threads: Optional[int] = None,
    progress: Optional[Callable[[int, int], Any]] = None,
    cancel: Optional[Any] = None,
    return_exceptions: bool = False,
) -> List[Any]:
    """Solves (or with ``minimize=True`` minimises) every problem, on ``threads`` native
    threads (default: ``os.cpu_count()``), the GIL released throughout.

    Returns one answer per problem, in order: a :class:`Solution` (or
    :class:`MinimizeResult`). ``timeout`` applies to each problem. Without
    ``return_exceptions``, the first problem that fails stops the others and its exception
    (:class:`InfeasibleError`, ...) is raised; with it, exceptions take their problem's place
    in the list. ``progress(done, total)`` is called as problems finish. Ctrl-C raises
    :class:`Interrupted` whose ``result`` is the list so far (``None`` where unfinished).
    """
    if isinstance(problems, Problem) or not hasattr(problems, "__iter__"):
        raise InputTypeError(
            f"problems: expected a sequence of bufpack.Problem, found {_checks.describe(problems)}",
            path="problems",
        )
    batch = list(problems)
    cores = [_core_of(p, f"problems[{i}]") for i, p in enumerate(batch)]
    capacity = _checks.capacity(capacity)
    if not minimize:
        for index, problem in enumerate(batch):
            if capacity is None and problem.capacity is None:
                path = f"problems[{index}]"
                raise InputTypeError(
                    f"{path}: a decision needs a capacity (give one, or minimize=True)", path=path
                )
    if capacity is not None:
        batch = [p.with_capacity(capacity) if p.capacity != capacity else p for p in batch]
        cores = [p._core for p in batch]
    answers, interrupt = _bufpack.solve_many(
        cores,
        None,
        bool(minimize),
        _params(params),
        _checks.seconds(timeout, "timeout"),
        _checks.threads((os.cpu_count() or 1) if threads is None else threads),
        _checks.callback(progress, "progress"),
        _cancel(cancel),
        not return_exceptions,
    )
    results: List[Any] = []
    first_error: Optional[BaseException] = None
    for problem, answer in zip(batch, answers):
        if answer is None:
            results.append(None)
            continue
        try:
            if answer["outcome"] == "error":
                raise answer["error"]
            results.append(_minimize_result(problem, answer) if minimize else _solution_of(problem, answer))
        except Exception as error:  # noqa: BLE001 - each problem's failure is its answer
            results.append(error)
            # A run the batch itself stopped (after another failure) is not a failure.
            stopped_by_batch = answer.get("stop") == "cancelled" and not (
                cancel is not None and cancel.cancelled
            )
            if first_error is None and not stopped_by_batch:
                first_error = error
    if interrupt is not None:
        if isinstance(interrupt, KeyboardInterrupt):
            raise Interrupted("solve_many interrupted", result=results) from interrupt
        raise interrupt
    if not return_exceptions and first_error is not None:
        raise first_error
    return results


def heuristics() -> List[str]:
    """The names of the fast heuristics, for :func:`run_heuristic`: ``"online/best-fit"``,
    ``"peak-stack/fill"`` (the buffers live at the highest load stacked first), the skyline
    passes (``"crowding/skyline"``, ...) and the greedy passes
    (``"size/best-fit"``, ``"area/first-fit"``, ...)."""
    return list(_bufpack.heuristic_names())


def run_heuristic(problem: Problem, name: str, capacity: Optional[int] = None) -> Optional[Solution]:
    """One heuristic's packing, or ``None`` when it does not fit the capacity (no capacity:
    any height)."""
    at = _at_capacity(problem, capacity)
    if not isinstance(name, str):
        raise InputTypeError(f"name: expected a heuristic name, found {_checks.describe(name)}", path="name")
    packed = at._core.heuristic(name)
    if packed is None:
        return None
    data, height = packed
    return Solution._make(at, data, height)


def lower_bound(problem: Problem) -> LowerBound:
    """The proven lower bound on the height of every packing (LOAD, the largest buffer, a
    fixed buffer's end), and why it holds."""
    return LowerBound._from(_core_of(problem).lower_bound())


def validate(problem: Problem, solution: Union[Solution, Any], height: Optional[int] = None) -> None:
    """Checks a :class:`Solution` (or offsets, one per buffer) against ``problem``; raises
    :class:`ValidationError` naming the first failure and the buffers at fault."""
    _core_of(problem)
    if isinstance(solution, Solution):
        problem._core.validate(solution._data, solution.height if height is None else height)
    else:
        problem.validate(solution, height)


def read_csv(source: Any, capacity: Optional[int] = None) -> Problem:
    """:meth:`Problem.from_csv`: CSV text or a path."""
    return Problem.from_csv(source, capacity)
