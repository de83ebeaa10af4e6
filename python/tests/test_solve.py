"""Decisions, minimisation, heuristics, progress, cancel and the answers' figures."""

from __future__ import annotations

import dataclasses
import threading
import time

import numpy as np
import pytest
from conftest import FIXTURES, load, solved

import bufpack
from bufpack import Buffer, Gap, Problem


def test_a_decision_returns_a_valid_packing_with_figures(small):
    solution = solved(small)
    assert solution.height <= 12
    stats = solution.stats
    assert stats is not None
    assert stats.nodes >= 0 and stats.backtracks >= 0 and stats.elapsed >= 0
    assert stats.ordering in ("WAT", "TAW", "TWA")


def test_a_capacity_argument_overrides_the_problem(small):
    solution = solved(small, 20)
    assert solution.problem.capacity == 20
    assert solved(Problem.from_csv(small.to_csv()), 12).problem.capacity == 12


def test_every_challenging_instance_packs_at_a_generous_capacity():
    for letter in "ABCDEFGHIJK":
        solution = solved(load(letter, 1310720))
        assert solution.height <= 1310720


@pytest.mark.parametrize("letter", ["A", "J", "K"])
def test_challenging_instances_pack_at_their_capacity(letter):
    solution = solved(load(letter))
    assert solution.height <= 1048576


def test_infeasible_says_why():
    cases = [
        (Problem([Buffer("a", 0, 2, 3), Buffer("b", 1, 3, 3)], 5), "load", {"time": 1, "load": 6}),
        (Problem([Buffer("wide", 0, 2, 9)], 5), "too_large", {"id": "wide", "end": 9}),
        (
            Problem([Buffer("x", 0, 4, 2, offset=0), Buffer("y", 2, 6, 2, offset=1)], 9),
            "fixed_clash",
            {"ids": ("x", "y")},
        ),
    ]
    for problem, kind, facts in cases:
        with pytest.raises(bufpack.InfeasibleError) as caught:
            bufpack.solve(problem)
        reason = caught.value.reason
        assert reason.kind == kind, problem
        for key, value in facts.items():
            assert getattr(reason, key) == value
        assert str(caught.value) == reason.message


def test_infeasible_by_exhausted_search():
    # LOAD fits (3), but the fixed buffers pin "a" in the middle, and at time 2 "d" needs
    # two adjacent units beside it.
    problem = Problem(
        [
            Buffer("f1", 0, 1, 1, offset=0),
            Buffer("f2", 0, 1, 1, offset=2),
            Buffer("a", 0, 3, 1),
            Buffer("d", 2, 3, 2),
        ],
        3,
    )
    assert problem.lower_bound().height == 3
    with pytest.raises(bufpack.InfeasibleError) as caught:
        bufpack.solve(problem)
    assert caught.value.reason.kind == "exhausted"
    best = bufpack.minimize(problem.with_capacity(None))
    assert (best.height, best.status, best.bound_reason.kind) == (4, "optimal", "exhausted")


def test_a_decision_without_capacity_is_refused():
    with pytest.raises(bufpack.InputTypeError, match="capacity"):
        bufpack.solve(Problem([Buffer("a", 0, 1, 1)]))


def test_timeout_raises_with_the_figures():
    problem = load("D", 986112)
    with pytest.raises(bufpack.SolveTimeoutError) as caught:
        bufpack.solve(problem, timeout=0.3)
    error = caught.value
    assert isinstance(error, TimeoutError) and error.result is None
    assert error.nodes > 0 and error.elapsed >= 0.3


def test_undecided_when_the_input_is_too_large_for_the_search():
    # The fixed-buffer gadget of the exhausted case (no packing in 3K), scaled, beside 3,300
    # buffers that all live at once: 5.4 million pairs, over the exact search's budget, so
    # only the heuristics run, and they find nothing.
    k, t, m = 2000, 1000, 3300
    lower = np.array([0, 0, 0, 2 * t] + [4 * t] * m)
    upper = np.array([t, t, 3 * t, 3 * t] + [4 * t + 10] * m)
    size = np.array([k, k, k, 2 * k] + [1] * m)
    offset = np.array([0, 2 * k, -1, -1] + [-1] * m)
    problem = Problem.from_arrays(lower, upper, size, offset=offset, capacity=3 * k)
    with pytest.raises(bufpack.UndecidedError) as caught:
        bufpack.solve(problem)
    reason = caught.value.reason
    assert reason.kind == "too_large" and reason.cost > reason.budget
    assert reason.items == m + 2


def test_minimize_proves_the_optimum(small):
    result = bufpack.minimize(small)
    result.validate()
    assert result.status == "optimal" and result.optimal
    assert result.height == result.lower_bound == 12
    assert result.gap == 0
    assert result.bound_reason.kind == "load" and result.load == 12
    assert result.stopped is None and not result.incomplete
    assert result.found_by
    assert result.offsets.tolist() == result.solution.offsets.tolist()


def test_minimize_stops_at_the_time_limit_with_its_best_packing():
    result = bufpack.minimize(load("D", None), timeout=0.5)
    result.validate()
    assert result.status == "feasible" and result.stopped == "timeout"
    assert result.height > result.lower_bound and result.gap > 0
    assert result.bound.reason.kind == "load"


def test_minimize_below_the_capacity_and_infeasible():
    with pytest.raises(bufpack.InfeasibleError):
        bufpack.minimize(Problem([Buffer("a", 0, 2, 3), Buffer("b", 1, 3, 3)], 5))
    result = bufpack.minimize(load("A", None), capacity=2_000_000, timeout=5)
    result.validate()
    assert result.height <= 2_000_000


def test_threads_and_params():
    problem = load("K")
    parallel = solved(problem, threads=2)
    assert parallel.height <= 1048576
    plain = bufpack.SolverParams(preordering_heuristics=["TWA"])
    assert solved(problem, params=plain).stats.ordering == "TWA"
    assert bufpack.SolverParams(preordering_heuristics="WAT,TAW").preordering_heuristics == ("WAT", "TAW")
    off = bufpack.SolverParams.all_off()
    assert not off.canonical_only and off.preordering_heuristics == ("WAT", "TAW", "TWA")
    tiny = Problem([Buffer("a", 0, 2, 2), Buffer("b", 0, 2, 2)], 4)
    assert solved(tiny, params=off).height == 4


def test_threads_change_the_time_not_the_answer():
    # Decided by other orderings and lanes than the first, in later rounds: threads racing
    # for the first answer would often differ from one thread's packing.
    for name in ["rect-329-seed55.1048576.csv", "rect-100-seed0.1048576.csv"]:
        problem = Problem.read_csv(FIXTURES / "rect" / name, 1048576)
        one = solved(problem, threads=1)
        for threads in (2, 3, 5):
            many = solved(problem, threads=threads)
            assert list(many.offsets) == list(one.offsets), (name, threads)
            assert many.stats.ordering == one.stats.ordering


def test_minimize_on_threads_gives_the_same_result_every_run():
    # The threads share packings and bounds at fixed points of counted work, so the answer,
    # packing and node counts included, does not depend on how they were scheduled.
    problem = Problem.read_csv(FIXTURES / "challenging" / "A.1048576.csv", 1048576)
    for threads in (2, 3):
        runs = [bufpack.minimize(problem, threads=threads, timeout=60) for _ in range(3)]
        first = runs[0]
        first.validate()
        assert first.status == "optimal"
        for again in runs[1:]:
            assert again.offsets.tolist() == first.offsets.tolist(), threads
            assert (again.nodes, again.backtracks) == (first.nodes, first.backtracks), threads
            assert again.found_by == first.found_by


def test_bufpacks_own_switches_default_on_and_reach_the_solver():
    params = bufpack.SolverParams()
    assert params.canonical_floor and params.fill_holes
    assert params.ledges and params.ordered_stacks and params.limited_discrepancy
    assert params.flat_load and params.release_floors and params.aligned_stacks
    assert params.time_orderings and params.handovers and params.widen_windows
    assert params.peak_windows and params.layers and params.hot_parts
    off = bufpack.SolverParams.all_off()
    assert not off.canonical_floor and not off.fill_holes
    assert not off.ledges and not off.ordered_stacks and not off.limited_discrepancy
    assert not off.flat_load and not off.release_floors and not off.aligned_stacks
    assert not off.time_orderings and not off.handovers and not off.widen_windows
    assert not off.peak_windows and not off.layers and not off.hot_parts
    # perfect.11 is full in every section, where fill_holes branches on the holes instead of
    # MiniMalloc's next buffer in canonical order: fewer nodes, the same height.
    problem = Problem.read_csv(FIXTURES / "teaching" / "perfect.11.csv", 11)
    one = bufpack.SolverParams(preordering_heuristics=["WAT"])
    reference = dataclasses.replace(bufpack.SolverParams.reference(), preordering_heuristics=("WAT",))
    assert reference == dataclasses.replace(
        one,
        canonical_floor=False,
        fill_holes=False,
        ledges=False,
        ordered_stacks=False,
        limited_discrepancy=False,
        flat_load=False,
        release_floors=False,
        aligned_stacks=False,
        time_orderings=False,
        handovers=False,
        widen_windows=False,
        peak_windows=False,
        layers=False,
        hot_parts=False,
    )
    ours = solved(problem, params=one, threads=1)
    theirs = solved(problem, params=reference, threads=1)
    assert ours.height == theirs.height == 11
    assert ours.stats.nodes < theirs.stats.nodes
    # Positional arguments keep MiniMalloc's order; the new switches come last.
    assert bufpack.SolverParams(*([True] * 9), ("TWA",), False).canonical_floor is False
    with pytest.raises(bufpack.InputTypeError, match="params.fill_holes"):
        bufpack.SolverParams(fill_holes="no")


def test_progress_is_reported_and_a_raising_callback_stops_the_solve():
    # D is never proven within a minute: the callback ends the run through a cancel token
    # once it has seen a packing, so the test does not depend on how busy the machine is
    # (a 0.6 s limit once passed before the first report came).
    seen = []
    token = bufpack.CancelToken()

    def collect(progress):
        seen.append(progress)
        if len(seen) >= 3 and progress.best_height is not None:
            token.cancel()

    result = bufpack.minimize(
        load("D", None), timeout=60, progress=collect, progress_interval=0.05, cancel=token
    )
    result.validate()
    assert result.status == "feasible"
    assert seen and all(isinstance(p, bufpack.Progress) for p in seen)
    assert seen[-1].best_height is not None and seen[-1].lower_bound is not None
    assert seen[-1].elapsed > 0

    class Enough(Exception):
        pass

    def stop(progress):
        raise Enough(progress.nodes)

    started = time.monotonic()
    with pytest.raises(Enough):
        bufpack.solve(load("D", 986112), timeout=30, progress=stop, progress_interval=0.05)
    assert time.monotonic() - started < 20


def test_a_cancel_token_stops_a_solve_from_another_thread():
    token = bufpack.CancelToken()
    timer = threading.Timer(0.3, token.cancel)
    timer.start()
    try:
        with pytest.raises(bufpack.CancelledError):
            bufpack.solve(load("D", 986112), timeout=30, cancel=token)
    finally:
        timer.cancel()
    assert token.cancelled
    token.reset()
    assert not token.cancelled
    result = bufpack.minimize(load("D", None), timeout=30, cancel=bufpack.CancelToken(True))
    assert result.stopped == "cancelled"
    result.validate()


def test_every_heuristic_packs_validly():
    problem = load("G", None)
    names = bufpack.heuristics()
    assert names[0] == "online/best-fit" and len(names) == len(set(names)) == 17
    bound = problem.lower_bound().height
    for name in names:
        solution = bufpack.run_heuristic(problem, name)
        assert solution is not None, name
        solution.validate()
        assert solution.height >= bound
    assert bufpack.run_heuristic(problem, "size/best-fit", capacity=bound - 1) is None


def test_windows_and_gaps_are_honoured():
    problem = Problem(
        [
            Buffer("outer", 0, 10, 8, gaps=[Gap(3, 7, window=(0, 2))]),
            Buffer("inner", 3, 7, 6),
        ]
    )
    result = bufpack.minimize(problem)
    result.validate()
    assert result.height == 8


def test_solve_many_matches_one_by_one():
    problems = [load(letter) for letter in "AJK"] + [load(letter, 1310720) for letter in "BCDE"]
    one_by_one = [solved(p) for p in problems]
    together = bufpack.solve_many(problems, threads=2)
    for alone, batch in zip(one_by_one, together):
        batch.validate()
        assert batch == alone
    minimized = bufpack.solve_many(
        [load(letter, None) for letter in "AJK"], minimize=True, timeout=3, threads=2
    )
    for result in minimized:
        assert isinstance(result, bufpack.MinimizeResult)
        result.validate()


def test_solve_many_failures():
    good = Problem([Buffer("a", 0, 1, 1)], 1)
    bad = Problem([Buffer("a", 0, 2, 3), Buffer("b", 1, 3, 3)], 5)
    answers = bufpack.solve_many([good, bad, good], return_exceptions=True, threads=2)
    assert isinstance(answers[0], bufpack.Solution) and isinstance(answers[2], bufpack.Solution)
    assert isinstance(answers[1], bufpack.InfeasibleError)
    with pytest.raises(bufpack.InfeasibleError):
        bufpack.solve_many([good, bad, good], threads=1)
    assert bufpack.solve_many([], threads=2) == []
    counts = []
    bufpack.solve_many([good] * 5, threads=2, progress=lambda done, total: counts.append((done, total)))
    assert counts and counts[-1] == (5, 5)
    with pytest.raises(bufpack.InputTypeError, match=r"problems\[1\]: a decision needs a capacity"):
        bufpack.solve_many([good, good.with_capacity(None)])
    assert bufpack.solve_many([good.with_capacity(None)], capacity=1)[0].height == 1
