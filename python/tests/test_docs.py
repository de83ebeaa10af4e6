"""The package's documented examples run as written."""

from __future__ import annotations

import doctest
import runpy
from pathlib import Path

import bufpack


def test_the_package_docstring_examples():
    failures, tried = doctest.testmod(bufpack, verbose=False)
    assert tried > 0 and failures == 0


def test_the_public_names_exist():
    for name in bufpack.__all__:
        assert hasattr(bufpack, name), name
    import bufpack.minimalloc as minimalloc

    for name in minimalloc.__all__:
        assert hasattr(minimalloc, name), name


def test_the_type_stubs_and_marker_ship():
    folder = Path(bufpack.__file__).parent
    assert (folder / "py.typed").exists()
    assert (folder / "_bufpack.pyi").exists()


def test_the_dask_example_is_valid_python():
    example = Path(__file__).resolve().parents[1] / "examples" / "dask_batch.py"
    compile(example.read_text(), str(example), "exec")
    assert "main" in runpy.run_path(str(example), run_name="not_main")
