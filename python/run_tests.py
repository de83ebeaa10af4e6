#!/usr/bin/env python3
"""Builds the Python package into a virtualenv and runs its tests (python/tests, pytest).

    python3 python/run_tests.py [pytest arguments...]

The virtualenv is $BUFPACK_VENV, else target/venv (made with ``python3 -m venv`` when
missing). What the tests need is installed into it from PyPI only when missing: maturin,
numpy, pytest, dask[distributed]. The package is then built from python/ by maturin (release,
through pip: ``pip install ./python``, the path a user takes) and pytest runs from the
repository root so that the installed package, not the source folder, is imported.
Exits with pytest's status. Needs Rust (cargo) on PATH; builds share target/ (or
$CARGO_TARGET_DIR) with the rest of the workspace.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

# Import name -> what pip installs.
NEEDED = {
    "maturin": "maturin>=1.9.4,<2",
    "numpy": "numpy",
    "pytest": "pytest",
    "distributed": "dask[distributed]",
}


def say(message: str) -> None:
    print(f"run_tests: {message}", flush=True)


def run(command: list, **kwargs: object) -> None:
    say(" ".join(str(part) for part in command))
    subprocess.run(command, check=True, **kwargs)  # type: ignore[arg-type]


def ensure_venv() -> Path:
    path = Path(os.environ.get("BUFPACK_VENV") or ROOT / "target" / "venv").resolve()
    python = path / "bin" / "python"
    if not python.exists():
        say(f"creating the virtualenv {path} (python3 -m venv)")
        venv.EnvBuilder(with_pip=True).create(path)
    return path


def missing(python: Path) -> list:
    probe = (
        "import importlib.util, sys; "
        f"print(' '.join(n for n in {sorted(NEEDED)!r} if importlib.util.find_spec(n) is None))"
    )
    names = subprocess.run(
        [str(python), "-c", probe], check=True, capture_output=True, text=True
    ).stdout.split()
    return [NEEDED[name] for name in names]


def main() -> int:
    env_path = ensure_venv()
    python = env_path / "bin" / "python"
    needed = missing(python)
    if needed:
        say(f"installing what the tests need: {', '.join(needed)}")
        run([str(python), "-m", "pip", "install", "--quiet", *needed])
    env = dict(os.environ)
    # maturin's build backend runs the `maturin` program: the virtualenv's.
    env["PATH"] = f"{env_path / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(env_path)
    run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-build-isolation",
            "--no-deps",
            "--force-reinstall",
            str(HERE),
        ],
        env=env,
        cwd=ROOT,
    )
    command = [str(python), "-m", "pytest", str(HERE / "tests"), "-p", "no:cacheprovider", *sys.argv[1:]]
    say(" ".join(command))
    return subprocess.run(command, env=env, cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main())
