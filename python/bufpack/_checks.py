"""Argument checks: every bad value becomes an exception that names what and where."""

from __future__ import annotations

import math
import operator
from typing import Any, Optional

import numpy as np

from ._errors import InputTypeError, InvalidInputError

MAX_MAGNITUDE = (1 << 53) - 1
"""The largest magnitude of any time or offset: 2^53 - 1 (exact in JavaScript too)."""


def describe(value: Any) -> str:
    """A value for a message: its type and a short repr."""
    text = repr(value)
    if len(text) > 40:
        text = text[:37] + "..."
    return f"{type(value).__name__} {text}"


def integer(value: Any, path: str) -> int:
    """``value`` as an int of magnitude at most 2^53 - 1 (ints and numpy integers; not bools,
    floats or strings)."""
    if isinstance(value, (bool, np.bool_)):
        raise InputTypeError(f"{path}: expected an integer, found {describe(value)}", path=path)
    try:
        number = operator.index(value)
    except TypeError:
        raise InputTypeError(f"{path}: expected an integer, found {describe(value)}", path=path) from None
    if abs(number) > MAX_MAGNITUDE:
        raise InvalidInputError(f"{path}: expected a magnitude of at most 2^53-1, found {number}", path=path)
    return number


def optional_integer(value: Any, path: str) -> Optional[int]:
    return None if value is None else integer(value, path)


def capacity(value: Any, path: str = "capacity") -> Optional[int]:
    """A capacity: ``None`` (no limit) or an integer in 0..2^53-1."""
    if value is None:
        return None
    number = integer(value, path)
    if number < 0:
        raise InvalidInputError(f"{path}: expected a non-negative integer, found {number}", path=path)
    return number


def seconds(value: Any, path: str) -> Optional[float]:
    """A time limit: ``None`` or ``math.inf`` for none, else a non-negative number."""
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise InputTypeError(f"{path}: expected a number of seconds, found {describe(value)}", path=path)
    number = float(value)
    if math.isnan(number) or number < 0:
        raise InvalidInputError(
            f"{path}: expected a non-negative number of seconds, found {number}", path=path
        )
    return number


def threads(value: Any, path: str = "threads") -> int:
    number = integer(value, path)
    if number < 1:
        raise InvalidInputError(f"{path}: expected at least 1, found {number}", path=path)
    return number


def callback(value: Any, path: str) -> Any:
    if value is not None and not callable(value):
        raise InputTypeError(f"{path}: expected a callable, found {describe(value)}", path=path)
    return value


def column(values: Any, name: str, length: Optional[int] = None) -> np.ndarray:
    """A one-dimensional integer array as ``int64``, or an exception naming the column and,
    where one element is at fault, its index (``size[3]``)."""
    if isinstance(values, (str, bytes)):
        raise InputTypeError(f"{name}: expected an array of integers, found {describe(values)}", path=name)
    try:
        array = np.asarray(values)
    except (ValueError, TypeError) as error:  # ragged nested lists
        raise InvalidInputError(f"{name}: not an array of integers ({error})", path=name) from None
    if array.ndim != 1:
        raise InvalidInputError(
            f"{name}: expected a one-dimensional array, found shape {array.shape}", path=name
        )
    if length is not None and len(array) != length:
        raise InvalidInputError(
            f"{name}: expected {length} values (as many as lower), found {len(array)}", path=name
        )
    kind = array.dtype.kind
    if len(array) == 0:
        return np.zeros(0, dtype="<i8")  # [] reads as float64; nothing to refuse
    if kind == "i":
        result = array.astype("<i8", copy=False)
    elif kind == "u":
        if len(array) and int(array.max()) > MAX_MAGNITUDE:
            index = int(np.argmax(array > MAX_MAGNITUDE))
            path = f"{name}[{index}]"
            raise InvalidInputError(
                f"{path}: expected a magnitude of at most 2^53-1, found {int(array[index])}", path=path
            )
        result = array.astype("<i8")
    elif kind == "f":
        bad = ~np.isfinite(array) | (array != np.round(array))
        if bad.any():
            index = int(np.argmax(bad))
            path = f"{name}[{index}]"
            raise InputTypeError(
                f"{path}: expected an integer, found {float(array[index])!r} "
                f"(in an array of dtype {array.dtype})",
                path=path,
            )
        raise InputTypeError(
            f"{name}: expected an integer array, found dtype {array.dtype} "
            f"(convert whole-number floats with .astype(numpy.int64))",
            path=name,
        )
    elif kind == "O":
        result = np.fromiter(
            (integer(v, f"{name}[{i}]") for i, v in enumerate(array)), dtype="<i8", count=len(array)
        )
    elif kind == "b":
        raise InputTypeError(f"{name}: expected integers, found booleans", path=name)
    else:
        first = f" ({name}[0] = {array[0]!r})" if len(array) else ""
        raise InputTypeError(
            f"{name}: expected an integer array, found dtype {array.dtype}{first}", path=name
        )
    if len(result):
        too_large = np.abs(result) > MAX_MAGNITUDE
        if too_large.any():
            index = int(np.argmax(too_large))
            path = f"{name}[{index}]"
            raise InvalidInputError(
                f"{path}: expected a magnitude of at most 2^53-1, found {int(result[index])}", path=path
            )
    return np.ascontiguousarray(result)


def ids(values: Any, length: int) -> Any:
    """Ids for ``from_arrays``: ``None``, the bytes of an integer column, or a list of str."""
    if values is None:
        return None
    if isinstance(values, (str, bytes)):
        raise InputTypeError(f"ids: expected a sequence of ids, found {describe(values)}", path="ids")
    if not isinstance(values, np.ndarray):
        # A list is checked as it is: numpy would turn ["a", 2.5] into strings.
        names = list(values)
        if len(names) != length:
            raise InvalidInputError(
                f"ids: expected {length} values (as many as lower), found {len(names)}", path="ids"
            )
        if names and all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) for n in names):
            return column(names, "ids").tobytes()
        for index, name in enumerate(names):
            if not isinstance(name, str):
                path = f"ids[{index}]"
                raise InputTypeError(f"{path}: expected a str, found {describe(name)}", path=path)
        return names
    array = values
    if array.ndim != 1:
        raise InvalidInputError(
            f"ids: expected a one-dimensional sequence, found shape {array.shape}", path="ids"
        )
    if len(array) != length:
        raise InvalidInputError(
            f"ids: expected {length} values (as many as lower), found {len(array)}", path="ids"
        )
    if array.dtype.kind in "iu":
        return column(array, "ids").tobytes()
    if array.dtype.kind in "US":
        return array.astype(str).tolist()
    names = array.tolist()
    for index, name in enumerate(names):
        if not isinstance(name, str):
            path = f"ids[{index}]"
            raise InputTypeError(f"{path}: expected a str, found {describe(name)}", path=path)
    return names
