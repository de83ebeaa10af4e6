"""bufpack.minimalloc against MiniMalloc's Python API, current bindings and older README."""

from __future__ import annotations

import copy
import math

import pytest
from conftest import CHALLENGING

import bufpack
import bufpack.minimalloc as minimalloc
from bufpack.minimalloc import (
    Buffer,
    Duration,
    Gap,
    Interval,
    Problem,
    Solution,
    Solver,
    SolverParams,
    ValidationResult,
)

CSV = "id,lower,upper,size\nb1,0,3,4\nb2,3,9,4\nb3,0,9,4\n"


# The current bindings -------------------------------------------------------------------------


def test_intervals():
    assert minimalloc.Lifespan is minimalloc.Window is minimalloc.SectionRange is Interval
    assert (Interval().lower, Interval().upper) == (0, 0)
    interval = Interval(100, 200)
    assert repr(interval) == "Interval(100, 200)"
    assert interval == Interval(100, 200) and hash(interval) == hash(Interval(100, 200))
    assert interval != (100, 200)
    assert Interval(1, 5) < Interval(2, 0) and Interval(2, 0) > Interval(1, 5)
    with pytest.raises(TypeError):
        Interval(1, 2) <= Interval(1, 2)  # noqa: B015
    with pytest.raises(AttributeError):
        interval.lower = 3  # type: ignore[misc]
    with pytest.raises(TypeError):
        Interval(1.5, 2)


def test_gaps_current_form():
    gap = Gap(Interval(0, 100))
    assert repr(gap) == "Gap(lifespan=Interval(0, 100), window=None)"
    windowed = Gap(Interval(0, 100), Interval(20, 80))
    assert repr(windowed) == "Gap(lifespan=Interval(0, 100), window=Interval(20, 80))"
    assert Gap(lifespan=Interval(0, 100), window=Interval(20, 80)) == windowed
    assert hash(Gap(Interval(0, 100))) == hash(gap) and gap != windowed
    assert Gap() == Gap(Interval(0, 0))
    gap.window = Interval(1, 2)
    assert gap.window == Interval(1, 2)
    with pytest.raises(TypeError):
        gap.lifespan = (1, 2)


def test_buffers_current_form():
    buffer = Buffer("a", Interval(0, 10), 100)
    assert repr(buffer) == (
        "Buffer(id='a', lifespan=Interval(0, 10), size=100, alignment=1, gaps=[], offset=None, hint=None)"
    )
    assert Buffer() == Buffer("", Interval(0, 0), 0)
    full = Buffer(
        id="b", lifespan=Interval(0, 10), size=8, alignment=2, gaps=[Gap(Interval(2, 3))], offset=4, hint=6
    )
    assert full.area() == 80
    # Lists read back as fresh copies.
    full.gaps.append(Gap(Interval(5, 6)))
    full.gaps[0].lifespan = Interval(7, 8)
    assert full.gaps == [Gap(Interval(2, 3))]
    # Equality ignores the hint, and so does the hash.
    assert full == Buffer("b", Interval(0, 10), 8, 2, [Gap(Interval(2, 3))], 4, 99)
    assert hash(full) == hash(Buffer("b", Interval(0, 10), 8, 2, [Gap(Interval(2, 3))], 4, 99))
    assert full != "b" and full != Buffer("b", Interval(0, 10), 8, 2, [], 4, 6)
    full.offset = None
    assert full.offset is None
    with pytest.raises(TypeError):
        full.size = 1.0


def test_effective_size():
    a = Buffer("a", Interval(0, 2), 4)
    b = Buffer("b", Interval(1, 3), 5)
    assert a.effective_size(b) == 4
    assert a.effective_size(Buffer("c", Interval(2, 4), 5)) is None
    x = Buffer("x", Interval(0, 10), 2, gaps=[Gap(Interval(0, 5), Interval(0, 1))])
    y = Buffer("y", Interval(0, 10), 2, gaps=[Gap(Interval(5, 10), Interval(1, 2))])
    assert x.effective_size(y) == 1
    hidden = Buffer("h", Interval(0, 10), 2, gaps=[Gap(Interval(0, 10))])
    assert a.effective_size(hidden) is None


def test_solutions_and_problems():
    solution = Solution([64, 128, 256], 256)
    assert repr(solution) == str(solution) == "Solution(offsets=[64, 128, 256], height=256)"
    assert solution == Solution([64, 128, 256]) and hash(solution) == hash(Solution([64, 128, 256], 7))
    assert Solution().offsets == [] and Solution().height == 0
    solution.offsets.append(1)
    assert solution.offsets == [64, 128, 256]
    problem = Problem([Buffer("a", Interval(0, 10), 100)], capacity=8192)
    assert repr(problem) == (
        "Problem(buffers=[Buffer(id='a', lifespan=Interval(0, 10), size=100, alignment=1, gaps=[], "
        "offset=None, hint=None)], capacity=8192)"
    )
    problem.buffers[0].offset = 3
    assert problem.buffers[0].offset is None
    assert problem == Problem([Buffer("a", Interval(0, 10), 100)], 8192)
    assert hash(problem) == hash(Problem([Buffer("a", Interval(0, 10), 100)], 8192))
    assert Problem() == Problem([], 0)


def test_strip_solution():
    problem = Problem([Buffer("a", Interval(0, 2), 2, offset=4), Buffer("b", Interval(0, 2), 2, offset=0)], 8)
    assert problem.strip_solution() == Solution([4, 0])
    assert [b.offset for b in problem.buffers] == [None, None]
    partial = Problem([Buffer("a", Interval(0, 2), 2, offset=4), Buffer("b", Interval(0, 2), 2)], 8)
    assert partial.strip_solution() is None
    assert partial.buffers[0].offset is None


def test_durations_and_params():
    assert Duration().to_seconds() == 0
    assert Duration(3.14).to_seconds() == 3.14 and repr(Duration(3.14)) == "Duration(3.14 seconds)"
    assert Duration.from_milliseconds(1500) == Duration.from_seconds(1.5) == Duration(1.5)
    assert Duration.from_microseconds(2) == Duration(2e-6)
    assert math.isinf(Duration.infinite().to_seconds()) and repr(Duration.infinite()) == "Duration.infinite()"
    assert Duration(1) < Duration(2) <= Duration(2) and Duration(3) > Duration(2) >= Duration(2)
    with pytest.raises(TypeError):
        hash(Duration(1))
    params = SolverParams()
    assert params.timeout == Duration.infinite()
    assert params.canonical_only and not params.minimize_capacity
    assert params.preordering_heuristics == ["WAT", "TAW", "TWA"]
    params.timeout = 5
    assert params.timeout == Duration(5)
    params.timeout = None
    assert params.timeout == Duration.infinite()
    with pytest.raises(TypeError):
        params.timeout = "5s"
    params.preordering_heuristics.append("X")
    assert params.preordering_heuristics == ["WAT", "TAW", "TWA"]


def test_solver_copies_its_params_and_counts_backtracks():
    params = SolverParams()
    params.preordering_heuristics = ["TWA"]
    solver = Solver(params)
    params.preordering_heuristics = ["X"]  # would fail if the solver had not copied it
    assert solver.get_backtracks() == 0
    problem = minimalloc.from_csv_file(CHALLENGING / "A.1048576.csv")
    problem.capacity = 1048576
    solution = solver.solve(problem)
    assert solution is not None
    assert minimalloc.validate(problem, solution) == ValidationResult.GOOD
    assert solution.height <= 1048576
    assert solver.get_backtracks() > 0


def test_solve_returns_none_when_nothing_fits_and_an_empty_solution_for_no_buffers():
    solver = Solver()
    problem = Problem([Buffer("a", Interval(0, 2), 2), Buffer("b", Interval(0, 2), 2)], 3)
    assert solver.solve(problem) is None
    assert solver.solve(Problem([], 5)) == Solution([], 0)
    timed = SolverParams()
    timed.timeout = 0.2
    hard = minimalloc.from_csv_file(CHALLENGING / "D.1048576.csv")
    hard.capacity = 986112
    assert Solver(timed).solve(hard) is None


def test_minimize_capacity():
    params = SolverParams()
    params.minimize_capacity = True
    params.timeout = Duration(10)
    problem = minimalloc.from_csv(CSV)
    problem.capacity = 1 << 20
    solution = Solver(params).solve(problem)
    assert solution.height == 8
    assert minimalloc.validate(problem, solution) == ValidationResult.GOOD


def test_cancel_from_another_thread_stops_a_solve():
    import threading

    solver = Solver()
    hard = minimalloc.from_csv_file(CHALLENGING / "D.1048576.csv")
    hard.capacity = 986112
    timer = threading.Timer(0.3, solver.cancel)
    timer.start()
    assert solver.solve(hard) is None
    timer.cancel()


def test_irreducible_infeasible_subset():
    problem = Problem(
        [
            Buffer("free", Interval(5, 6), 1),
            Buffer("a", Interval(0, 2), 2),
            Buffer("b", Interval(1, 3), 2),
            Buffer("c", Interval(0, 3), 1),
            Buffer("late", Interval(4, 5), 3),
        ],
        4,
    )
    solver = Solver()
    assert solver.compute_irreducible_infeasible_subset(problem) == [1, 2, 3]
    feasible = Problem([Buffer("a", Interval(0, 2), 2)], 4)
    assert solver.compute_irreducible_infeasible_subset(feasible) == [0]


def test_validate_checks_in_the_reference_order():
    problem = Problem(
        [Buffer("a", Interval(0, 2), 4, alignment=2), Buffer("b", Interval(1, 3), 4, offset=4)], 8
    )
    assert minimalloc.validate(problem, Solution([0, 4], 8)) == ValidationResult.GOOD
    assert minimalloc.validate(problem, Solution([0], 8)) == ValidationResult.BAD_SOLUTION
    assert minimalloc.validate(problem, Solution([0, 0], 8)) == ValidationResult.BAD_FIXED
    assert minimalloc.validate(problem, Solution([-2, 4], 8)) == ValidationResult.BAD_OFFSET
    assert minimalloc.validate(problem, Solution([6, 4], 10)) == ValidationResult.BAD_OFFSET
    assert minimalloc.validate(problem, Solution([0, 4], 7)) == ValidationResult.BAD_HEIGHT
    assert minimalloc.validate(problem, Solution([0, 4])) == ValidationResult.BAD_HEIGHT
    assert minimalloc.validate(problem, Solution([1, 4], 8)) == ValidationResult.BAD_ALIGNMENT
    assert minimalloc.validate(problem, Solution([0, 4], 9)) == ValidationResult.BAD_HEIGHT
    free = Problem([Buffer("a", Interval(0, 2), 4), Buffer("b", Interval(1, 3), 4)], 8)
    assert minimalloc.validate(free, Solution([0, 2], 6)) == ValidationResult.BAD_OVERLAP
    assert minimalloc.validate(Problem(), Solution()) == ValidationResult.GOOD


def test_validation_result_enum():
    assert [r.value for r in ValidationResult] == [0, 1, 2, 3, 4, 5, 6]
    assert repr(ValidationResult.GOOD) == "<ValidationResult.GOOD: 0>"
    assert str(ValidationResult.BAD_OVERLAP) == "ValidationResult.BAD_OVERLAP"
    assert int(ValidationResult.BAD_HEIGHT) == 6 and ValidationResult.GOOD != 0
    assert len({ValidationResult.GOOD, ValidationResult.GOOD}) == 1


def test_csv_reading():
    problem = minimalloc.from_csv(CSV)
    assert problem.capacity == 0
    assert problem.buffers[1] == Buffer("b2", Interval(3, 9), 4)
    assert minimalloc.from_csv("") == Problem()
    inclusive = minimalloc.from_csv(
        "buffer_id,start,end,size,gaps,hint,alignment,offset\nx,0,9,4,2-3@1:2,-1,2,4\n"
    )
    assert inclusive.buffers[0] == Buffer(
        "x", Interval(0, 10), 4, 2, [Gap(Interval(2, 4), Interval(1, 2))], 4
    )
    assert inclusive.buffers[0].hint is None
    with pytest.warns(minimalloc.CsvWarning, match="line 2"):
        assert minimalloc.from_csv("id,lower,upper,size\na,0,x,4\n") is None
    with pytest.warns(minimalloc.CsvWarning):
        assert minimalloc.from_csv("id,lower,upper\na,0,1\n") is None
    # Better than the reference: CRLF and blank lines are fine.
    assert minimalloc.from_csv(CSV.replace("\n", "\r\n")) == problem
    assert minimalloc.from_csv(CSV.replace("b2,", "\nb2,")) == problem


def test_csv_writing_is_exact():
    buffers = [
        Buffer("0", Interval(5, 10), 15, hint=0),
        Buffer(
            "1",
            Interval(6, 12),
            18,
            alignment=2,
            gaps=[Gap(Interval(7, 8)), Gap(Interval(9, 10), Interval(1, 17))],
        ),
    ]
    assert minimalloc.to_csv(Problem(buffers)) == (
        "id,lower,upper,size,alignment,hint,gaps\n0,5,10,15,1,0,\n1,6,12,18,2,-1,7-8 9-10@1:17\n"
    )
    plain = [
        Buffer("0", Interval(5, 10), 15),
        Buffer("1", Interval(6, 12), 18, alignment=2, gaps=[Gap(Interval(7, 8)), Gap(Interval(9, 10))]),
    ]
    assert minimalloc.to_csv(Problem(plain), Solution([1, 21])) == (
        "id,lower,upper,size,alignment,gaps,offset\n0,5,10,15,1,,1\n1,6,12,18,2,7-8 9-10,21\n"
    )
    assert minimalloc.to_csv(Problem(plain), old_format=True) == (
        "id,start,end,size,alignment,gaps\n0,5,9,15,1,\n1,6,11,18,2,7-7 9-9\n"
    )
    fixed = Problem([Buffer("f", Interval(0, 1), 1, offset=5)])
    assert minimalloc.to_csv(fixed) == "id,lower,upper,size\nf,0,1,1\n"


def test_csv_files(tmp_path):
    path = tmp_path / "in.csv"
    path.write_bytes(CSV.replace("\n", "\r\n").encode())
    problem = minimalloc.from_csv_file(str(path))
    assert problem == minimalloc.from_csv(CSV)
    out = tmp_path / "out.csv"
    minimalloc.to_csv_file(str(out), problem, Solution([4, 4, 0]))
    assert out.read_text() == "id,lower,upper,size,offset\nb1,0,3,4,4\nb2,3,9,4,4\nb3,0,9,4,0\n"
    with pytest.raises(FileNotFoundError):
        minimalloc.from_csv_file(str(tmp_path / "missing.csv"))


def test_unit_types_are_ints():
    for name in ("Area", "BufferIdx", "Capacity", "CutCount", "Offset", "SectionIdx", "TimeValue"):
        assert getattr(minimalloc, name) is int


# The older README -----------------------------------------------------------------------------


def test_the_older_quick_start():
    buffers = [
        minimalloc.Buffer("b1", lower=0, upper=3, size=4),
        minimalloc.Buffer("b2", lower=3, upper=9, size=4),
        minimalloc.Buffer("b3", lower=0, upper=9, size=4),
    ]
    problem = minimalloc.Problem(buffers, capacity=12)
    solver = minimalloc.Solver()
    solution = solver.solve(problem)
    assert len(solution) == 3 and solution[0] == solution.offsets[0]
    assert minimalloc.validate_solution(problem, solution) == minimalloc.ValidationResult.GOOD
    assert solver.backtracks == solver.get_backtracks()
    assert buffers[0].lower == 0 and buffers[0].upper == 3


def test_the_older_csv_interface():
    solution = minimalloc.solve_from_csv(CSV, capacity=12)
    assert solution is not None and len(solution) == 3
    problem = minimalloc.Problem.from_csv(CSV, capacity=12)
    assert problem.capacity == 12
    solution = minimalloc.Solver().solve(problem)
    assert problem.to_csv(solution) == minimalloc.to_csv(problem, solution)
    assert (
        minimalloc.solve_from_csv(CSV, capacity=12, timeout_seconds=30.0, dynamic_ordering=False) is not None
    )
    with pytest.raises(bufpack.ParseError):
        minimalloc.Problem.from_csv("id,lower\n", capacity=3)


def test_the_older_constructors():
    gap = minimalloc.Gap(5, 7)
    assert gap == Gap(Interval(5, 7)) and (gap.lower, gap.upper) == (5, 7)
    windowed = minimalloc.Gap(lower=5, upper=7, window_lower=1, window_upper=3)
    assert windowed == Gap(Interval(5, 7), Interval(1, 3))
    assert (windowed.window_lower, windowed.window_upper) == (1, 3)
    with pytest.raises(TypeError):
        minimalloc.Gap(5, 7, window_lower=1)
    complex_buffer = minimalloc.Buffer("complex", 0, 10, 8, gaps=[gap])
    assert complex_buffer == Buffer("complex", Interval(0, 10), 8, gaps=[Gap(Interval(5, 7))])
    assert minimalloc.Buffer("fixed", 0, 5, 4, offset=64).offset == 64
    assert minimalloc.Buffer("hinted", 0, 5, 4, hint=32).hint == 32
    positional = minimalloc.Buffer("p", 0, 5, 4, 2, 8, 16, [gap])
    assert (positional.alignment, positional.offset, positional.hint, positional.gaps) == (2, 8, 16, [gap])
    params = minimalloc.SolverParams(
        timeout_seconds=10.0,
        canonical_only=True,
        section_inference=True,
        dynamic_ordering=True,
        check_dominance=True,
        unallocated_floor=True,
        static_preordering=True,
        dynamic_decomposition=True,
        monotonic_floor=True,
        hatless_pruning=True,
        preordering_heuristics=["WAT", "TAW", "TWA"],
    )
    assert params.timeout == Duration(10) and params.timeout_seconds == 10.0
    assert minimalloc.SolverParams(timeout_seconds=None).timeout == Duration.infinite()
    with pytest.raises(TypeError):
        minimalloc.Buffer("x", 0, 10)  # no size


def test_conflicts_follow_the_current_bindings():
    problem = minimalloc.Problem([minimalloc.Buffer("a", lower=0, upper=2, size=4)], capacity=8)
    hand_made = minimalloc.Solution([0])
    assert minimalloc.validate_solution(problem, hand_made) == ValidationResult.BAD_HEIGHT
    assert minimalloc.validate_solution(problem, minimalloc.Solution([0], 4)) == ValidationResult.GOOD
    assert str(minimalloc.Solution([8, 8, 4], 12)) == "Solution(offsets=[8, 8, 4], height=12)"


def test_copies_are_independent():
    buffer = Buffer("a", Interval(0, 2), 2, gaps=[Gap(Interval(0, 1))])
    twin = copy.copy(buffer)
    twin.size = 3
    assert buffer.size == 2
