"""MiniMalloc's command line, as ``main(arg_list)``: ``python -m bufpack.minimalloc.cli``.

Messages go to stderr, nothing to stdout; the return value is the exit status.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from typing import List, Optional

from ._csv import from_csv_file, to_csv_file
from ._params import _SWITCHES, SolverParams, ValidationResult
from ._solver import Solver, validate

__all__ = ["main", "parse_timeout"]


def parse_timeout(text: str) -> Optional[float]:
    """Seconds from ``--timeout``: ``""`` for none; a number with an optional ``s``, ``m`` or
    ``h``; ``inf``, ``infinite`` or ``infinity`` (any case). Anything else: ``ValueError``."""
    value = text.strip().lower()
    if value == "":
        return None
    if value in ("inf", "infinite", "infinity"):
        return math.inf
    scale = {"s": 1.0, "m": 60.0, "h": 3600.0}.get(value[-1:])
    number = value[:-1] if scale else value
    seconds = float(number) * (scale or 1.0)  # ValueError for anything that is not a number
    if math.isnan(seconds):
        raise ValueError(f"invalid --timeout: {text!r}")
    return seconds


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="minimalloc", description="Allocates buffers in memory (bufpack's drop-in for MiniMalloc's CLI)."
    )
    parser.add_argument("--input", required=True, help="the problem as CSV")
    parser.add_argument("--output", required=True, help="where to write the solution as CSV")
    parser.add_argument("--capacity", type=int, default=0, help="the memory size")
    parser.add_argument("--validate", action="store_true", help="check the solution (PASS or FAIL)")
    parser.add_argument("--timeout", default="", help="time limit: seconds, 10s, 2m, 1h or inf")
    for name in _SWITCHES:
        parser.add_argument(
            f"--{name.replace('_', '-')}", action=argparse.BooleanOptionalAction, default=True
        )
    parser.add_argument(
        "--minimize-capacity",
        action=argparse.BooleanOptionalAction,
        default=False,
        help="find the lowest height instead of fitting a capacity",
    )
    parser.add_argument("--preordering-heuristics", default="WAT,TAW,TWA", help="comma-separated key strings")
    return parser


def main(arg_list: Optional[List[str]] = None) -> int:
    """Runs the command line with ``arg_list`` (``None``: ``sys.argv[1:]``); returns the exit
    status. Usage errors raise ``SystemExit(2)`` (argparse), a missing input
    ``FileNotFoundError``, a bad ``--timeout`` ``ValueError``."""
    args = _parser().parse_args(sys.argv[1:] if arg_list is None else arg_list)
    problem = from_csv_file(args.input)
    if problem is None:
        print(f"Error reading input file: {args.input}", file=sys.stderr)
        return 1
    timeout = parse_timeout(args.timeout)
    params = SolverParams()
    params.timeout = timeout
    for name in _SWITCHES:
        setattr(params, name, getattr(args, name))
    params.minimize_capacity = args.minimize_capacity
    params.preordering_heuristics = [keys for keys in args.preordering_heuristics.split(",")]
    if args.capacity > 0:
        problem.capacity = args.capacity
    elif args.minimize_capacity:
        problem.capacity = 1 << 30
    else:
        print("Error: --capacity must be > 0 unless --minimize-capacity is set", file=sys.stderr)
        return 1
    started = time.perf_counter()
    solution = Solver(params).solve(problem)
    elapsed = time.perf_counter() - started
    if solution is None:
        print("Error: Solver failed!", file=sys.stderr)
        return 1
    print(f"Elapsed time: {elapsed:.3f}s", file=sys.stderr)
    if args.validate:
        good = validate(problem, solution) == ValidationResult.GOOD
        print("PASS" if good else "FAIL", file=sys.stderr)
        if not good:
            return 1
    parent = os.path.dirname(os.path.abspath(args.output))
    os.makedirs(parent, exist_ok=True)
    to_csv_file(args.output, problem, solution)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
