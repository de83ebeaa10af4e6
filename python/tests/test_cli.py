"""bufpack.minimalloc.cli.main: MiniMalloc's command line."""

from __future__ import annotations

import math

import pytest
from conftest import CHALLENGING

import bufpack.minimalloc as minimalloc
from bufpack.minimalloc import cli

CSV = "id,lower,upper,size\nb1,0,3,4\nb2,3,9,4\nb3,0,9,4\n"


@pytest.fixture
def problem_file(tmp_path):
    path = tmp_path / "in.csv"
    path.write_text(CSV)
    return path


def test_solves_validates_and_writes(problem_file, tmp_path, capsys):
    out = tmp_path / "deep" / "er" / "out.csv"
    status = cli.main(["--input", str(problem_file), "--output", str(out), "--capacity", "12", "--validate"])
    captured = capsys.readouterr()
    assert status == 0 and captured.out == ""
    assert captured.err.startswith("Elapsed time: ") and "s\nPASS\n" in captured.err
    solution_problem = minimalloc.from_csv(out.read_text())
    assert solution_problem is not None
    assert out.read_text().splitlines()[0] == "id,lower,upper,size,offset"


def test_failures_return_1_without_writing(problem_file, tmp_path, capsys):
    out = tmp_path / "out.csv"
    assert cli.main(["--input", str(problem_file), "--output", str(out)]) == 1
    assert "Error: --capacity must be > 0 unless --minimize-capacity is set" in capsys.readouterr().err
    assert cli.main(["--input", str(problem_file), "--output", str(out), "--capacity", "7"]) == 1
    assert "Error: Solver failed!" in capsys.readouterr().err
    bad = tmp_path / "bad.csv"
    bad.write_text("id,lower\n1,2\n")
    with pytest.warns(minimalloc.CsvWarning):
        assert cli.main(["--input", str(bad), "--output", str(out), "--capacity", "7"]) == 1
    assert f"Error reading input file: {bad}" in capsys.readouterr().err
    assert not out.exists()


def test_minimize_capacity_and_switches(problem_file, tmp_path, capsys):
    out = tmp_path / "out.csv"
    args = ["--input", str(problem_file), "--output", str(out), "--minimize-capacity", "--no-canonical-only"]
    args += ["--canonical-only", "--no-hatless-pruning", "--preordering-heuristics", "TWA", "--timeout", "5s"]
    assert cli.main(args) == 0
    offsets = [int(line.rsplit(",", 1)[1]) for line in out.read_text().splitlines()[1:]]
    assert max(o + 4 for o in offsets) == 8


def test_usage_errors(problem_file, tmp_path):
    with pytest.raises(SystemExit) as caught:
        cli.main(["--input", str(problem_file)])
    assert caught.value.code == 2
    with pytest.raises(FileNotFoundError):
        cli.main(["--input", str(tmp_path / "missing.csv"), "--output", "x", "--capacity", "3"])
    with pytest.raises(ValueError):
        cli.main(
            [
                "--input",
                str(problem_file),
                "--output",
                str(tmp_path / "o.csv"),
                "--capacity",
                "12",
                "--timeout",
                "soon",
            ]
        )


def test_timeouts_parse_like_the_reference():
    assert cli.parse_timeout("") is None
    assert cli.parse_timeout("2.5") == 2.5
    assert cli.parse_timeout("10s") == 10
    assert cli.parse_timeout("2m") == 120
    assert cli.parse_timeout("1H") == 3600
    for text in ("inf", "Infinite", "INFINITY"):
        assert math.isinf(cli.parse_timeout(text))
    for bad in ("x", "5d", "s", "nan"):
        with pytest.raises(ValueError):
            cli.parse_timeout(bad)


def test_a_challenging_instance_through_the_command_line(tmp_path, capsys):
    out = tmp_path / "k.csv"
    status = cli.main(
        [
            "--input",
            str(CHALLENGING / "K.1048576.csv"),
            "--output",
            str(out),
            "--capacity",
            "1048576",
            "--validate",
        ]
    )
    assert status == 0 and "PASS" in capsys.readouterr().err
