"""A drop-in for MiniMalloc's Python bindings, running bufpack's solver.

Change ``import minimalloc`` to ``import bufpack.minimalloc as minimalloc`` (and
``from minimalloc import cli`` to ``from bufpack.minimalloc import cli``); the rest of the code
stays as it is.

Both forms of MiniMalloc's Python API are accepted: the current published bindings
(``Buffer(id, Interval(lower, upper), size, ...)``, ``Gap(lifespan, window)``,
``SolverParams()`` with attributes and a ``Duration`` timeout, ``get_backtracks()``,
``validate``, ``from_csv``/``to_csv``, ``strip_solution``, the ``cli`` module) and the older
README's (``Buffer(id, lower=, upper=, size=)``, ``Gap(lower, upper, window_lower=,
window_upper=)``, keyword ``SolverParams(timeout_seconds=, ...)``, ``solver.backtracks``,
``validate_solution``, ``solve_from_csv``, ``Problem.from_csv``, ``problem.to_csv``, ``len``
and indexing of a ``Solution``).

Where the two truly conflict, the current bindings win:

- ``validate_solution`` is ``validate``: a hand-made ``Solution(offsets)`` whose height is
  left at 0 is ``BAD_HEIGHT``; give it its height (``Solution(offsets, height)``). Solutions
  from the solver always carry theirs.
- A solution prints as ``Solution(offsets=[8, 8, 4], height=12)``, not ``Solution([8, 8, 4])``.

Where bufpack differs from MiniMalloc on purpose:

- A malformed problem (negative size, a lifespan that ends before it starts, alignment 0,
  gaps outside the lifespan, duplicate ids) raises :class:`bufpack.InvalidInputError` naming
  the buffer, where MiniMalloc checks nothing and may crash or answer wrongly later.
- ``from_csv`` reads CRLF, quoted fields and blank lines anywhere (MiniMalloc stops at the
  first blank line); where it returns ``None`` a :class:`CsvWarning` says why, with the line
  and column. ``Problem.from_csv`` raises :class:`bufpack.ParseError` instead.
- The solver releases the GIL: ``Solver.cancel()`` from another thread stops a ``solve``, and
  Ctrl-C raises :class:`bufpack.Interrupted` (a ``KeyboardInterrupt``).
- ``get_backtracks()`` counts bufpack's search; it is 0 when infeasibility is proven before
  any search (LOAD above the capacity), where MiniMalloc would search.
- ``SolverParams`` has MiniMalloc's switches only. bufpack's own techniques
  (``canonical_floor``, ``fill_holes``) stay on underneath; :class:`bufpack.SolverParams`
  turns them off.
- MiniMalloc's internal sweep structures (``SweepPoint``, ``sweep``, ``Partition``, ...) are
  not provided.
"""

from __future__ import annotations

from ._csv import CsvWarning, from_csv, from_csv_file, to_csv, to_csv_file
from ._model import Buffer, Gap, Interval, Lifespan, Problem, SectionRange, Solution, Window
from ._params import Duration, SolverParams, ValidationResult
from ._solver import Solver, solve_from_csv, validate, validate_solution

__version__ = "0.1.0"

# MiniMalloc exports its unit types as plain ints.
Area = BufferIdx = Capacity = CutCount = Offset = SectionIdx = TimeValue = int

__all__ = [
    "Interval",
    "Lifespan",
    "Window",
    "SectionRange",
    "Gap",
    "Buffer",
    "Solution",
    "Problem",
    "Duration",
    "SolverParams",
    "Solver",
    "ValidationResult",
    "validate",
    "validate_solution",
    "from_csv",
    "to_csv",
    "from_csv_file",
    "to_csv_file",
    "solve_from_csv",
    "CsvWarning",
    "Area",
    "BufferIdx",
    "Capacity",
    "CutCount",
    "Offset",
    "SectionIdx",
    "TimeValue",
]
