"""Shared helpers: the fixtures' paths, small problems, and a validating solve."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Tuple

import pytest

import bufpack

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
CHALLENGING = FIXTURES / "challenging"

# The tests must run against the installed package (with its native module), never the
# source folder python/bufpack, which has no compiled _bufpack.
assert "site-packages" in bufpack.__file__ or "dist-packages" in bufpack.__file__, bufpack.__file__

SMALL_CSV = "id,lower,upper,size\nb1,0,3,4\nb2,3,9,4\nb3,0,9,4\nb4,9,21,4\nb5,0,21,4\n"


def challenging() -> List[Tuple[str, Path]]:
    """MiniMalloc's benchmark A-K: (letter, path)."""
    paths = sorted(CHALLENGING.glob("*.1048576.csv"))
    assert len(paths) == 11, paths
    return [(p.name[0], p) for p in paths]


def load(letter: str, capacity: int = 1048576) -> bufpack.Problem:
    return bufpack.Problem.read_csv(CHALLENGING / f"{letter}.1048576.csv", capacity)


@pytest.fixture
def small() -> bufpack.Problem:
    return bufpack.Problem.from_csv(SMALL_CSV, capacity=12)


def solved(problem: bufpack.Problem, capacity=None, **options) -> bufpack.Solution:
    """``bufpack.solve``, with the answer validated."""
    solution = bufpack.solve(problem, capacity, **options)
    solution.validate()
    return solution


def pytest_report_header(config: object) -> str:
    return (
        f"bufpack {bufpack.__version__} from {Path(bufpack.__file__).parent}, Python {sys.version.split()[0]}"
    )
