"""Bad input of every kind: a clear exception naming what and where, never a crash.

Each row: what is wrong, the call, the exception class, and text its message must contain
(for array and argument errors, the path: ``size[2]``, ``buffers[1]``, ``capacity``).
"""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import bufpack
import bufpack.minimalloc as minimalloc
from bufpack import Buffer, Gap, Problem, Solution

GOOD = "id,lower,upper,size\na,0,2,3\nb,1,3,3\n"
P = Problem.from_csv(GOOD, capacity=10)
L, U, S = [0, 1, 2], [1, 2, 3], [4, 4, 4]


def arrays(**changes):
    columns = dict(lower=L, upper=U, size=S)
    columns.update(changes)
    return lambda: Problem.from_arrays(**columns)


def csv(text):
    return lambda: Problem.from_csv(text)


CASES = [
    # CSV: line, column and field of the first error.
    (
        "csv missing column",
        csv("id,lower,size\na,0,3\n"),
        bufpack.ParseError,
        'line 1, column 1: expected a column "upper"',
    ),
    (
        "csv bad number",
        csv("id,lower,upper,size\na,0,3,12x\n"),
        bufpack.ParseError,
        "line 2, column 7 (size): expected",
    ),
    (
        "csv field count",
        csv("id,lower,upper,size\na,0,3\n"),
        bufpack.ParseError,
        "line 2, column 1: expected 4 fields",
    ),
    ("csv unterminated quote", csv('id,lower,upper,size\n"a,0,3,4\n'), bufpack.ParseError, "closing quote"),
    ("csv bad gap", csv("id,lower,upper,size,gaps\na,0,9,4,3-x\n"), bufpack.ParseError, "(gaps)"),
    (
        "csv duplicate id",
        csv("id,lower,upper,size\na,0,3,4\na,1,2,1\n"),
        bufpack.ParseError,
        "already used on line 2",
    ),
    ("csv negative size", csv("id,lower,upper,size\na,0,3,-4\n"), bufpack.ParseError, "(size)"),
    ("csv empty", csv("\n\n"), bufpack.ParseError, "header"),
    (
        "csv duplicate column",
        csv("id,start,lower,upper,size\n"),
        bufpack.ParseError,
        "naming the same column",
    ),
    ("csv reversed lifespan", csv("id,lower,upper,size\na,5,3,4\n"), bufpack.ParseError, "line 2"),
    (
        "csv bytes not utf-8",
        lambda: Problem.from_csv(b"id,lower\xff,upper,size\n"),
        bufpack.InvalidInputError,
        "UTF-8",
    ),
    ("csv source of wrong type", lambda: Problem.from_csv(42), bufpack.InputTypeError, "source"),
    # Arrays: the element at fault.
    (
        "arrays mismatched lengths",
        arrays(upper=[1, 2]),
        bufpack.InvalidInputError,
        "upper: expected 3 values",
    ),
    ("arrays negative size", arrays(size=[4, -1, 4]), bufpack.InvalidInputError, "size[1]"),
    (
        "arrays NaN",
        arrays(size=np.array([4.0, 4.0, np.nan])),
        bufpack.InputTypeError,
        "size[2]: expected an integer, found nan",
    ),
    ("arrays fractional float", arrays(lower=[0, 0.5, 1]), bufpack.InputTypeError, "lower[1]"),
    ("arrays whole floats", arrays(size=np.array([4.0, 4.0, 4.0])), bufpack.InputTypeError, "dtype float64"),
    (
        "arrays strings",
        arrays(size=["4", "4", "4"]),
        bufpack.InputTypeError,
        "size: expected an integer array",
    ),
    ("arrays booleans", arrays(size=[True, False, True]), bufpack.InputTypeError, "booleans"),
    ("arrays two-dimensional", arrays(size=[[4], [4], [4]]), bufpack.InvalidInputError, "one-dimensional"),
    ("arrays ragged", arrays(size=[[4], [4, 4], 4]), bufpack.InvalidInputError, "size"),
    ("arrays reversed lifespan", arrays(upper=[1, 0, 3]), bufpack.InvalidInputError, "upper[1]"),
    ("arrays duplicate ids", arrays(ids=["a", "b", "a"]), bufpack.InvalidInputError, "ids[2]"),
    (
        "arrays ids of wrong length",
        arrays(ids=["a", "b"]),
        bufpack.InvalidInputError,
        "ids: expected 3 values",
    ),
    ("arrays id not a str", arrays(ids=["a", 2.5, "c"]), bufpack.InputTypeError, "ids[1]"),
    (
        "arrays uint64 too large",
        arrays(size=np.array([4, 4, 1 << 60], dtype=np.uint64)),
        bufpack.InvalidInputError,
        "size[2]",
    ),
    ("arrays int too large", arrays(lower=[0, 1 << 55, 2]), bufpack.InvalidInputError, "lower[1]"),
    ("arrays None inside", arrays(lower=[0, None, 2]), bufpack.InputTypeError, "lower[1]"),
    (
        "arrays misaligned fixed offset",
        arrays(alignment=[4, 1, 1], offset=[2, -1, -1]),
        bufpack.InvalidInputError,
        "offset[0]",
    ),
    ("arrays alignment 0", arrays(alignment=[0, 1, 1]), bufpack.InvalidInputError, "alignment[0]"),
    ("arrays a string as column", arrays(size="444"), bufpack.InputTypeError, "size"),
    ("arrays complex", arrays(size=np.array([1j, 2j, 3j])), bufpack.InputTypeError, "complex"),
    # Buffers, gaps and problems built by hand.
    ("buffer float size", lambda: Buffer("a", 0, 1, 2.5), bufpack.InputTypeError, "Buffer.size"),
    ("buffer id not a str", lambda: Buffer(7, 0, 1, 2), bufpack.InputTypeError, "Buffer.id"),
    (
        "buffer gap not a Gap",
        lambda: Buffer("a", 0, 9, 2, gaps=[(1, 2)]),
        bufpack.InputTypeError,
        "Buffer.gaps[0]",
    ),
    ("gap bad window", lambda: Gap(1, 2, window=5), bufpack.InputTypeError, "Gap.window"),
    (
        "problem of non-buffers",
        lambda: Problem([Buffer("a", 0, 1, 1), "b"]),
        bufpack.InputTypeError,
        "buffers[1]",
    ),
    (
        "problem gap outside lifespan",
        lambda: Problem([Buffer("a", 0, 4, 2, gaps=[Gap(3, 6)])]),
        bufpack.InvalidInputError,
        'buffer "a" (#1): expected each gap forward',
    ),
    (
        "problem window above size",
        lambda: Problem([Buffer("a", 0, 9, 2, gaps=[Gap(1, 2, (0, 3))])]),
        bufpack.InvalidInputError,
        "window",
    ),
    ("problem negative capacity", lambda: Problem([], capacity=-1), bufpack.InvalidInputError, "capacity"),
    ("problem huge capacity", lambda: Problem([], capacity=1 << 60), bufpack.InvalidInputError, "capacity"),
    ("problem state garbage", lambda: Problem._from_state(b"nonsense"), bufpack.InvalidInputError, "state"),
    # Arguments of solves.
    (
        "solve without capacity",
        lambda: bufpack.solve(P.with_capacity(None)),
        bufpack.InputTypeError,
        "capacity",
    ),
    ("solve negative timeout", lambda: bufpack.solve(P, timeout=-1), bufpack.InvalidInputError, "timeout"),
    (
        "solve NaN timeout",
        lambda: bufpack.solve(P, timeout=float("nan")),
        bufpack.InvalidInputError,
        "timeout",
    ),
    ("solve text timeout", lambda: bufpack.solve(P, timeout="5s"), bufpack.InputTypeError, "timeout"),
    ("solve zero threads", lambda: bufpack.solve(P, threads=0), bufpack.InvalidInputError, "threads"),
    (
        "solve params of wrong type",
        lambda: bufpack.solve(P, params={"canonical_only": False}),
        bufpack.InputTypeError,
        "params",
    ),
    ("solve progress not callable", lambda: bufpack.solve(P, progress=3), bufpack.InputTypeError, "progress"),
    ("solve not a problem", lambda: bufpack.solve(GOOD, 10), bufpack.InputTypeError, "problem"),
    (
        "params unknown key",
        lambda: bufpack.SolverParams(preordering_heuristics=["WXT"]),
        bufpack.InvalidInputError,
        "preordering_heuristics[0]",
    ),
    (
        "params no orderings",
        lambda: bufpack.SolverParams(preordering_heuristics=[]),
        bufpack.InvalidInputError,
        "at least one",
    ),
    (
        "params switch not bool",
        lambda: bufpack.SolverParams(canonical_only=1),
        bufpack.InputTypeError,
        "params.canonical_only",
    ),
    (
        "unknown heuristic",
        lambda: bufpack.run_heuristic(P, "best"),
        bufpack.InvalidInputError,
        "online/best-fit",
    ),
    ("solve_many of a problem", lambda: bufpack.solve_many(P), bufpack.InputTypeError, "problems"),
    # Solutions.
    (
        "solution too few offsets",
        lambda: Solution(P, [0]),
        bufpack.InvalidInputError,
        "offsets: expected 2 values",
    ),
    (
        "validate count",
        lambda: bufpack.validate(P, [0]),
        bufpack.ValidationError,
        "expected 2 offsets, found 1",
    ),
    (
        "validate overlap",
        lambda: bufpack.validate(P, [0, 1]),
        bufpack.ValidationError,
        'buffers "a" and "b" both occupy',
    ),
    (
        "validate capacity",
        lambda: bufpack.validate(P, [0, 8]),
        bufpack.ValidationError,
        'buffer "b" ends at 11',
    ),
    (
        "validate negative offset",
        lambda: bufpack.validate(P, [-3, 3]),
        bufpack.ValidationError,
        'buffer "a" at offset -3',
    ),
    (
        "validate wrong height",
        lambda: bufpack.validate(P, Solution(P, [0, 3], height=9)),
        bufpack.ValidationError,
        "claims height 9",
    ),
    # The MiniMalloc API.
    (
        "minimalloc float where an int belongs",
        lambda: minimalloc.Buffer("a", minimalloc.Interval(0, 1), 2.0),
        TypeError,
        "Buffer.size",
    ),
    ("minimalloc out-of-range int", lambda: minimalloc.Interval(0, 1 << 70), TypeError, "64-bit"),
    ("minimalloc unknown keyword", lambda: minimalloc.SolverParams(speed=3), TypeError, "speed"),
    (
        "minimalloc malformed problem",
        lambda: minimalloc.Solver().solve(
            minimalloc.Problem([minimalloc.Buffer("x", lower=0, upper=2, size=-1)], 9)
        ),
        bufpack.InvalidInputError,
        'buffer "x" (#1): expected a non-negative size',
    ),
    (
        "minimalloc to_csv short solution",
        lambda: minimalloc.to_csv(
            minimalloc.Problem([minimalloc.Buffer("x", lower=0, upper=2, size=1)]), minimalloc.Solution([])
        ),
        bufpack.InvalidInputError,
        "expected 1 offsets",
    ),
    (
        "minimalloc empty ordering list",
        lambda: minimalloc.Solver(minimalloc.SolverParams(preordering_heuristics=[])).solve(
            minimalloc.from_csv(GOOD)
        ),
        bufpack.InvalidInputError,
        "preordering_heuristics",
    ),
]


@pytest.mark.parametrize("what, call, expected, text", CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_a_clear_exception(what, call, expected, text):
    with pytest.raises(expected) as caught:
        call()
    assert text in str(caught.value), f"{what}: {caught.value}"
    if issubclass(expected, bufpack.BufpackError):
        # Every package error pickles with its attributes (they cross process boundaries).
        again = pickle.loads(pickle.dumps(caught.value))
        assert type(again) is type(caught.value) and again.__dict__ == caught.value.__dict__
        assert str(again) == str(caught.value)


def test_the_table_is_large_enough():
    assert len(CASES) >= 25


def test_parse_errors_carry_line_column_and_field():
    with pytest.raises(bufpack.ParseError) as caught:
        Problem.from_csv("id,lower,upper,size\na,0,3,4\nb,1,2,x\n")
    error = caught.value
    assert (error.line, error.column, error.field) == (3, 7, "size")
    assert isinstance(error, ValueError)


def test_array_errors_carry_the_path_and_the_buffer():
    with pytest.raises(bufpack.InvalidInputError) as caught:
        Problem.from_arrays([0, 1, 2], [1, 2, 3], [4, -1, 4], ids=["x", "y", "z"])
    error = caught.value
    assert (error.path, error.index, error.id, error.field) == ("size[1]", 1, "y", "size")


def test_validation_errors_name_the_buffers():
    with pytest.raises(bufpack.ValidationError) as caught:
        bufpack.validate(P, [0, 1])
    assert (caught.value.kind, caught.value.buffer, caught.value.other) == ("overlap", "a", "b")


def test_a_rust_panic_is_an_internal_error_and_the_interpreter_goes_on():
    for _ in range(3):
        with pytest.raises(bufpack.InternalError, match=r"please report it\): boom"):
            bufpack._bufpack._panic_for_tests("boom")
    assert bufpack.solve(P).height == 6
