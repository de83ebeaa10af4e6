"""The object model of the bufpack API: buffers, problems from every source, solutions, CSV."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import SMALL_CSV, solved

import bufpack
from bufpack import Buffer, Gap, Problem, Solution


def test_buffers_and_gaps_are_immutable_values():
    gap = Gap(2, 4, window=(1, 3))
    buffer = Buffer("a", 0, 10, 4, alignment=2, gaps=[gap], offset=None, hint=8)
    assert buffer.gaps == (gap,)
    assert buffer == Buffer("a", 0, 10, 4, 2, (Gap(2, 4, (1, 3)),), None, 8)
    assert hash(buffer) == hash(Buffer("a", 0, 10, 4, 2, (Gap(2, 4, (1, 3)),), None, 8))
    with pytest.raises(AttributeError):
        buffer.size = 5  # type: ignore[misc]
    assert Buffer("n", np.int64(0), np.int32(3), np.uint8(4)).size == 4


def test_a_problem_from_buffers_reads_back_the_same_buffers():
    buffers = [
        Buffer("a", 0, 10, 4, alignment=2, gaps=[Gap(2, 4, (1, 3)), Gap(6, 7)], hint=8),
        Buffer("b, with a comma", -5, 3, 7, offset=12),
        Buffer("empty", 4, 4, 0),
    ]
    problem = Problem(buffers, capacity=64)
    assert len(problem) == 3
    assert problem.capacity == 64
    assert problem.buffers == buffers
    assert list(problem) == buffers
    assert problem[1] == buffers[1] and problem[-1] == buffers[2]
    assert problem[0:2] == buffers[:2]
    assert problem.ids == ["a", "b, with a comma", "empty"]
    assert problem.index_of("empty") == 2
    with pytest.raises(IndexError):
        problem[3]
    with pytest.raises(ValueError, match="no buffer has the id 'x'"):
        problem.index_of("x")
    assert problem.lower.tolist() == [0, -5, 4]
    assert problem.upper.tolist() == [10, 3, 4]
    assert problem.size.tolist() == [4, 7, 0]
    assert problem.alignment.tolist() == [2, 1, 1]
    assert problem.offset.tolist() == [-1, 12, -1]
    assert problem.hint.tolist() == [8, -1, -1]
    assert problem.size.dtype == np.int64 and not problem.size.flags.writeable


def test_csv_round_trips_every_feature():
    problem = Problem(
        [
            Buffer("a", 0, 10, 4, alignment=2, gaps=[Gap(2, 4, (1, 3)), Gap(6, 7)], hint=8),
            Buffer('quoted "id", here', -5, 3, 7, offset=12),
            Buffer("  spaced  ", 1, 2, 3),
        ],
        capacity=64,
    )
    text = problem.to_csv()
    again = Problem.from_csv(text, capacity=64)
    assert again == problem
    assert hash(again) == hash(problem)


def test_csv_from_text_path_pathlike_and_bytes(tmp_path):
    path = tmp_path / "small.csv"
    path.write_text(SMALL_CSV)
    from_text = Problem.from_csv(SMALL_CSV)
    assert Problem.from_csv(path) == from_text
    assert Problem.from_csv(str(path)) == from_text
    assert Problem.read_csv(path) == from_text
    assert Problem.from_csv(SMALL_CSV.encode()) == from_text
    assert bufpack.read_csv(SMALL_CSV) == from_text
    assert Problem.from_csv(SMALL_CSV.replace("\n", "\r\n")) == from_text
    assert from_text.capacity is None and Problem.from_csv(SMALL_CSV, 12).capacity == 12


def test_from_arrays_takes_numpy_arrays_and_lists_of_any_integer_dtype():
    lower = np.array([0, 3, 0], dtype=np.int32)
    upper = np.array([3, 9, 9], dtype=np.uint16)
    size = [4, 4, 4]
    problem = Problem.from_arrays(lower, upper, size, capacity=8)
    assert problem.ids == ["0", "1", "2"]
    assert problem == Problem.from_csv("id,lower,upper,size\n0,0,3,4\n1,3,9,4\n2,0,9,4\n", 8)
    named = Problem.from_arrays(lower, upper, size, ids=["x", "y", "z"])
    assert named.ids == ["x", "y", "z"]
    assert Problem.from_arrays(lower, upper, size, ids=np.array(["x", "y", "z"])).ids == ["x", "y", "z"]
    assert Problem.from_arrays(lower, upper, size, ids=np.array([10, 20, 30])).ids == ["10", "20", "30"]
    fixed = Problem.from_arrays(lower, upper, size, alignment=[1, 2, 4], offset=[-1, 4, -1], hint=[-1, -1, 0])
    assert fixed[1] == Buffer("1", 3, 9, 4, alignment=2, offset=4)
    assert fixed[2] == Buffer("2", 0, 9, 4, alignment=4, hint=0)
    empty = Problem.from_arrays([], [], [])
    assert len(empty) == 0 and bufpack.minimize(empty).height == 0


def test_from_arrays_matches_csv_on_a_challenging_instance():
    from conftest import load

    problem = load("C")
    again = Problem.from_arrays(
        problem.lower,
        problem.upper,
        problem.size,
        ids=problem.ids,
        alignment=problem.alignment,
        capacity=1048576,
    )
    assert again == problem


def test_with_capacity_makes_a_new_problem(small):
    other = small.with_capacity(100)
    assert other.capacity == 100 and small.capacity == 12
    assert other.buffers == small.buffers
    assert other != small
    assert small.with_capacity(None).capacity is None


def test_lower_bound_and_load_profile(small):
    bound = small.lower_bound()
    assert (bound.height, bound.load) == (12, 12)
    assert bound.reason.kind == "load" and bound.reason.time == 0
    times, loads = small.load_profile()
    assert times.tolist() == [0, 9, 21]
    assert loads.tolist() == [12, 8, 0]
    big = Problem([Buffer("big", 0, 1, 50), Buffer("small", 5, 9, 1)])
    assert big.lower_bound().reason.kind == "buffer"
    assert big.lower_bound().reason.id == "big" and big.lower_bound().reason.index == 0
    assert bufpack.lower_bound(big).height == 50
    fixed = Problem([Buffer("high", 0, 1, 5, offset=40)])
    assert fixed.lower_bound().height == 45


def test_solutions_read_validate_and_write(small):
    solution = solved(small)
    assert len(solution) == 5
    assert solution.height <= 12
    assert solution.offsets.dtype == np.int64 and not solution.offsets.flags.writeable
    assert solution.as_dict() == dict(zip(small.ids, solution.offsets.tolist()))
    assert solution.offset_of("b5") == solution[4]
    text = solution.to_csv()
    assert text.splitlines()[0] == "id,lower,upper,size,offset"
    assert small.to_csv(solution) == text
    by_hand = Solution(small, solution.offsets.tolist())
    assert by_hand.height == solution.height
    by_hand.validate()
    assert by_hand == Solution(small, solution.offsets)
    assert repr(by_hand).startswith("Solution(height=")


def test_files_are_written(small, tmp_path):
    solution = solved(small)
    solution.write_csv(tmp_path / "out.csv")
    small.write_csv(tmp_path / "problem.csv")
    assert (tmp_path / "out.csv").read_text() == solution.to_csv()
    assert Problem.read_csv(tmp_path / "problem.csv", 12) == small


def test_reprs_are_short_for_large_problems():
    problem = Problem.from_arrays(
        np.zeros(1000, dtype=np.int64), np.ones(1000, dtype=np.int64), np.ones(1000, dtype=np.int64)
    )
    assert repr(problem) == "Problem(<1000 buffers>, capacity=None)"
    assert repr(Problem([Buffer("a", 0, 1, 1)], 3)) == (
        "Problem([Buffer(id='a', lower=0, upper=1, size=1, alignment=1, gaps=(), offset=None, hint=None)], capacity=3)"
    )


def test_a_million_buffers_from_arrays():
    rng = np.random.default_rng(7)
    n = 1_000_000
    lower = np.sort(rng.integers(0, 2_000_000, n))
    upper = lower + rng.integers(1, 50, n)
    size = rng.integers(1, 1 << 16, n)
    problem = Problem.from_arrays(lower, upper, size)
    assert len(problem) == n
    assert problem.size[123_456] == size[123_456]
    assert problem.lower_bound().load > 0
