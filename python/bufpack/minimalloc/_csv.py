"""MiniMalloc's CSV functions: ``from_csv``, ``to_csv`` and their file forms.

Reading goes through bufpack's reader, which accepts everything MiniMalloc's does (aliases,
inclusive ``end``, unknown columns, gaps with windows) and more: CRLF, blank lines anywhere
(MiniMalloc stops at the first one and drops the rows after it), quoted fields, negative
times in gaps. Where MiniMalloc returns ``None`` so does ``from_csv``, with a
:class:`CsvWarning` that says what and where. Writing reproduces MiniMalloc's text exactly.
"""

from __future__ import annotations

import os
import warnings
from typing import Any, List, Optional, Union

from .. import _bufpack
from .._checks import describe
from .._errors import InputTypeError, InvalidInputError, ParseError
from ._model import Buffer, Gap, Interval, Problem, Solution

__all__ = ["from_csv", "to_csv", "from_csv_file", "to_csv_file", "CsvWarning"]


class CsvWarning(UserWarning):
    """Why ``from_csv`` returned ``None``: the parse error's message, line and column."""


def _parse(text: Any) -> Problem:
    """The problem in ``text`` (capacity 0), or :class:`bufpack.ParseError`."""
    if not isinstance(text, str):
        raise InputTypeError(f"input: expected CSV text (str), found {describe(text)}", path="input")
    core = _bufpack.ProblemCore.from_csv(text, None)
    buffers = []
    for id, lower, upper, size, alignment, gaps, offset, hint in core.rows():
        buffers.append(
            Buffer(
                id,
                Interval(lower, upper),
                size,
                alignment,
                [Gap(Interval(gl, gu), None if wl is None else Interval(wl, wu)) for gl, gu, wl, wu in gaps],
                offset,
                hint,
            )
        )
    return Problem(buffers, 0)


def from_csv(input: str) -> Optional[Problem]:
    """The problem described by CSV text, with capacity 0; ``None`` when it cannot be read
    (a :class:`CsvWarning` says why). An empty text is an empty problem."""
    if isinstance(input, str) and not input.strip():
        return Problem()
    try:
        return _parse(input)
    except ParseError as error:
        warnings.warn(CsvWarning(f"from_csv: {error}"), stacklevel=2)
        return None


def from_csv_file(path: Union[str, "os.PathLike[str]"]) -> Optional[Problem]:
    """``from_csv`` of a file's text (universal newlines); ``FileNotFoundError`` when it is
    missing."""
    with open(os.fspath(path), encoding="utf-8") as file:
        text = file.read()
    if not text.strip():
        return Problem()
    try:
        return _parse(text)
    except ParseError as error:
        warnings.warn(CsvWarning(f"from_csv_file: {path}: {error}"), stacklevel=2)
        return None


def _gap_text(gap: Gap, shift: int) -> str:
    text = f"{gap.lifespan.lower}-{gap.lifespan.upper - shift}"
    if gap.window is not None:
        text += f"@{gap.window.lower}:{gap.window.upper}"
    return text


def to_csv(problem: Problem, solution: Optional[Solution] = None, old_format: bool = False) -> str:
    """The problem (and with a solution, an ``offset`` column) as MiniMalloc writes it.

    Columns ``id,lower,upper,size`` (``old_format``: ``id,start,end,size`` with inclusive
    ends), then ``alignment`` if any buffer's is not 1, ``hint`` if any is set (-1 for none),
    ``gaps`` if any buffer has some, ``offset`` with a solution. Every line ends in ``\\n``.
    A fixed ``Buffer.offset`` is not written (only a solution's offsets are).
    """
    if not isinstance(problem, Problem):
        raise InputTypeError(f"problem: expected a Problem, found {describe(problem)}", path="problem")
    if solution is not None and not isinstance(solution, Solution):
        raise InputTypeError(
            f"solution: expected a Solution or None, found {describe(solution)}", path="solution"
        )
    buffers = problem.buffers
    offsets: List[int] = [] if solution is None else solution.offsets
    if solution is not None and len(offsets) < len(buffers):
        raise InvalidInputError(
            f"solution: expected {len(buffers)} offsets (one per buffer), found {len(offsets)}",
            path="solution",
        )
    shift = 1 if old_format else 0
    alignment = any(b.alignment != 1 for b in buffers)
    hint = any(b.hint is not None for b in buffers)
    gaps = any(b.gaps for b in buffers)
    header = ["id", "start", "end", "size"] if old_format else ["id", "lower", "upper", "size"]
    header += [name for name, used in (("alignment", alignment), ("hint", hint), ("gaps", gaps)) if used]
    if solution is not None:
        header.append("offset")
    lines = [",".join(header)]
    for index, b in enumerate(buffers):
        fields = [b.id, str(b.lifespan.lower), str(b.lifespan.upper - shift), str(b.size)]
        if alignment:
            fields.append(str(b.alignment))
        if hint:
            fields.append(str(-1 if b.hint is None else b.hint))
        if gaps:
            fields.append(" ".join(_gap_text(g, shift) for g in b.gaps))
        if solution is not None:
            fields.append(str(offsets[index]))
        lines.append(",".join(fields))
    return "\n".join(lines) + "\n"


def to_csv_file(
    path: Union[str, "os.PathLike[str]"], problem: Problem, solution: Optional[Solution] = None
) -> None:
    """Writes ``to_csv(problem, solution)`` to ``path``, replacing it (the folder must exist)."""
    text = to_csv(problem, solution)
    with open(os.fspath(path), "w", encoding="utf-8", newline="") as file:
        file.write(text)
