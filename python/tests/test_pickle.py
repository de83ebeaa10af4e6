"""Every public object pickles, so processes (multiprocessing, concurrent.futures, Dask)
can carry problems, answers and errors."""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import pickle

import numpy as np
import pytest
from conftest import load, solved

import bufpack
import bufpack.minimalloc as minimalloc
from bufpack import Buffer, Gap, Problem


def round_trip(value):
    return pickle.loads(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


def rich_problem(capacity=64):
    return Problem(
        [
            Buffer("a", 0, 10, 4, alignment=2, gaps=[Gap(2, 4, (1, 3)), Gap(6, 7)], hint=8),
            Buffer('b, quoted "id"', -5, 3, 7, offset=12),
            Buffer("empty", 4, 4, 0),
            Buffer("ünïcode ✓", 1, 2, 3),
        ],
        capacity,
    )


def test_the_bufpack_model_pickles():
    for problem in (rich_problem(), rich_problem(None), Problem([])):
        again = round_trip(problem)
        assert again == problem and again.capacity == problem.capacity
        assert again.buffers == problem.buffers
    for value in (
        Gap(1, 2),
        Gap(1, 2, (0, 1)),
        Buffer("x", 0, 1, 2, gaps=[Gap(0, 1)]),
        bufpack.SolverParams.all_off(),
    ):
        assert round_trip(value) == value


def test_answers_pickle_with_their_problem_and_figures():
    solution = solved(rich_problem())
    again = round_trip(solution)
    assert again == solution and again.stats == solution.stats
    again.validate()
    assert again.offsets.tolist() == solution.offsets.tolist()
    result = bufpack.minimize(load("K", None), timeout=5)
    copy = round_trip(result)
    assert copy == result and copy.bound.reason == result.bound.reason
    copy.validate()
    bound = rich_problem().lower_bound()
    assert round_trip(bound) == bound
    progress = bufpack.Progress(1, 2, 0.5, 10, 8, 25.0)
    assert round_trip(progress) == progress
    token = bufpack.CancelToken()
    token.cancel()
    assert round_trip(token).cancelled


def test_exceptions_pickle_with_their_attributes():
    with pytest.raises(bufpack.InfeasibleError) as caught:
        bufpack.solve(Problem([Buffer("a", 0, 2, 3), Buffer("b", 1, 3, 3)], 5))
    again = round_trip(caught.value)
    assert again.reason == caught.value.reason and again.reason.time == 1
    interrupted = bufpack.Interrupted("stop", result=[1, 2])
    copy = round_trip(interrupted)
    assert isinstance(copy, KeyboardInterrupt) and copy.result == [1, 2] and str(copy) == "stop"
    error = bufpack.ParseError("line 2", line=2, column=3, field="size")
    assert round_trip(error).__dict__ == error.__dict__


def test_the_minimalloc_model_pickles():
    span = minimalloc.Interval
    buffer = minimalloc.Buffer("a", span(0, 10), 8, 2, [minimalloc.Gap(span(1, 2), span(0, 4))], 4, 9)
    problem = minimalloc.Problem([buffer], 100)
    params = minimalloc.SolverParams(timeout_seconds=3, canonical_only=False, preordering_heuristics=["TWA"])
    values = [
        span(1, 2),
        minimalloc.Gap(span(1, 2)),
        buffer,
        problem,
        minimalloc.Solution([1, 2], 9),
        minimalloc.Duration(2.5),
        minimalloc.Duration.infinite(),
        params,
        minimalloc.ValidationResult.BAD_OVERLAP,
    ]
    for value in values:
        assert round_trip(value) == value, value
    assert round_trip(buffer).hint == 9
    solver = minimalloc.Solver(params)
    assert round_trip(solver).solve(minimalloc.Problem([buffer], 100)) is not None


def _solve_letter(letter):
    # In a child process: solve and send the answer back through pickle.
    return solved(load(letter))


def test_a_process_pool_solves_and_sends_answers_back():
    context = multiprocessing.get_context("spawn")
    problems = [load(letter) for letter in "JK"]
    with concurrent.futures.ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
        answers = list(pool.map(bufpack.solve, problems))
    for problem, answer in zip(problems, answers):
        answer.validate()
        assert answer == solved(problem)
        assert isinstance(answer.offsets, np.ndarray)
