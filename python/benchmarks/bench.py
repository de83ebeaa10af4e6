#!/usr/bin/env python3
"""The Python package's figures for BENCHMARKS.md (measured here, never asserted in tests).

    python python/benchmarks/bench.py [--rounds N] [--cli target/release/bufpack]
                                      [--huge /tmp/huge.csv] [--only NAME ...]

Run it with the virtualenv's python after `pip install ./python`, and build the CLI from the
same tree (`cargo build --release -p bufpack`) so both run the same solver. Figures:

- `cli`: A-K at capacity 1048576, the CLI (a process per instance, wall time) against
  Python (`Problem.read_csv` + `solve` in this process), alternating instance by instance in
  each round; per-round sums, then the median round.
- `threads`: `solve_many` of A-K at 1048576 with threads=1 and threads=2.
- `huge`: `from_arrays` of a million-buffer trace (columns already in numpy) and
  `minimize(timeout=1)`, in a fresh process: wall times and peak memory (ru_maxrss) before and
  after.
- `dask`: a LocalCluster of two worker processes (one thread each): 2,000 small problems as
  one task each, and as 2 tasks of `solve_many`, against solving them here.
- `interrupt`: how long after SIGINT a minimisation, a decision and a batch return.

The machine's load (`os.getloadavg`) is printed before and after each part.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHALLENGING = sorted((ROOT / "tests" / "fixtures" / "challenging").glob("*.1048576.csv"))


def load() -> str:
    return "load average %.2f %.2f %.2f" % os.getloadavg()


def cli_against_python(cli: Path, rounds: int) -> None:
    import bufpack

    print(f"== A-K at 1048576: CLI against Python ({load()})")
    sums = []
    for round_ in range(rounds):
        cli_total = python_total = 0.0
        for path in CHALLENGING:
            started = time.perf_counter()
            subprocess.run(
                [str(cli), "--capacity=1048576", f"--input={path}", "--output=/dev/null"],
                check=True,
                capture_output=True,
            )
            cli_time = time.perf_counter() - started
            started = time.perf_counter()
            solution = bufpack.solve(bufpack.Problem.read_csv(path, 1048576))
            python_time = time.perf_counter() - started
            solution.validate()
            cli_total += cli_time
            python_total += python_time
            print(f"  round {round_ + 1} {path.name[0]}: CLI {cli_time:.2f} s, Python {python_time:.2f} s")
        sums.append((cli_total, python_total))
        print(f"  round {round_ + 1}: CLI {cli_total:.2f} s, Python {python_total:.2f} s")
    cli_median = statistics.median(s[0] for s in sums)
    python_median = statistics.median(s[1] for s in sums)
    print(
        f"  median: CLI {cli_median:.2f} s, Python {python_median:.2f} s, ratio {python_median / cli_median:.3f}"
    )
    print(f"  ({load()})")


def threads(rounds: int) -> None:
    import bufpack

    everything = [bufpack.Problem.read_csv(p, 1048576) for p in CHALLENGING]
    # A-K as they come (E and H alone take a third of the work), and a balanced batch:
    # six copies of A, which takes about a second.
    for name, problems in (("A-K", everything), ("A x 6", everything[:1] * 6)):
        print(f"== solve_many of {name} at 1048576: threads=1 against threads=2 ({load()})")
        times = {1: [], 2: []}
        for _ in range(rounds):
            for count in (1, 2):
                started = time.perf_counter()
                answers = bufpack.solve_many(problems, threads=count)
                times[count].append(time.perf_counter() - started)
                for answer in answers:
                    answer.validate()
                print(f"  threads={count}: {times[count][-1]:.2f} s")
        one, two = statistics.median(times[1]), statistics.median(times[2])
        print(f"  median: 1 thread {one:.2f} s, 2 threads {two:.2f} s, speed-up {one / two:.2f}x ({load()})")


HUGE_CHILD = r"""
import sys, time
import numpy as np
import bufpack
data = np.load(sys.argv[1])
lower, upper, size, alignment = (np.ascontiguousarray(data[k]) for k in ("lower", "upper", "size", "alignment"))
def rss():
    # VmHWM: this process's peak resident memory since exec (ru_maxrss would carry the
    # parent's over the exec).
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")
base = rss()
started = time.perf_counter()
problem = bufpack.Problem.from_arrays(lower, upper, size, alignment=alignment)
built = time.perf_counter() - started
after_build = rss()
started = time.perf_counter()
result = bufpack.minimize(problem, timeout=1)
solved = time.perf_counter() - started
after_solve = rss()
started = time.perf_counter()
result.validate()
checked = time.perf_counter() - started
print(f"  {len(problem)} buffers: from_arrays {built:.2f} s, minimize(timeout=1) {solved:.2f} s "
      f"({result.status}, height {result.height}, bound {result.lower_bound}, gap {result.gap:.2f}%, "
      f"found by {result.found_by}), validate {checked:.2f} s")
print(f"  peak RSS: {base:.0f} MB with the arrays loaded, {after_build:.0f} MB after from_arrays, "
      f"{after_solve:.0f} MB after minimize")
"""


def huge(path: Path, rounds: int) -> None:
    import numpy as np

    import bufpack

    print(f"== a million buffers: from_arrays and minimize(timeout=1) ({load()})")
    problem = bufpack.Problem.read_csv(path)
    arrays = ROOT / "target" / "huge-columns.npz"
    np.savez(arrays, lower=problem.lower, upper=problem.upper, size=problem.size, alignment=problem.alignment)
    del problem
    for _ in range(rounds):
        subprocess.run([sys.executable, "-c", HUGE_CHILD, str(arrays)], check=True)
    print(f"  ({load()})")


def dask(count: int) -> None:
    from dask.distributed import Client, LocalCluster

    import bufpack

    print(f"== Dask LocalCluster (2 processes x 1 thread), {count} small problems ({load()})")
    rng = random.Random(1)
    problems = []
    for _ in range(count):
        buffers = []
        for index in range(8):
            lower = rng.randrange(0, 10)
            buffers.append(
                bufpack.Buffer(str(index), lower, lower + rng.randrange(1, 6), rng.randrange(1, 9))
            )
        problems.append(bufpack.Problem(buffers, capacity=64))
    started = time.perf_counter()
    local = [bufpack.solve(p) for p in problems]
    local_time = time.perf_counter() - started
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        client.map(bufpack.solve, problems[:10], pure=False)  # warm the workers up
        started = time.perf_counter()
        remote = client.gather(client.map(bufpack.solve, problems, pure=False))
        task_time = time.perf_counter() - started
        half = count // 2
        started = time.perf_counter()
        chunks = client.gather(
            [
                client.submit(bufpack.solve_many, chunk, threads=1, pure=False)
                for chunk in (problems[:half], problems[half:])
            ]
        )
        batch_time = time.perf_counter() - started
    assert remote == local and chunks[0] + chunks[1] == local
    print(
        f"  here: {local_time * 1e6 / count:.0f} us per solve; one task per solve: {task_time * 1e3 / count:.2f} ms "
        f"per solve ({task_time:.2f} s); two solve_many tasks: {batch_time * 1e3 / count:.3f} ms per solve "
        f"({batch_time:.2f} s) ({load()})"
    )


def interrupt(trials: int) -> None:
    import bufpack

    print(f"== SIGINT to the main thread: time until the call returns ({load()})")
    d = ROOT / "tests" / "fixtures" / "challenging" / "D.1048576.csv"
    loose, tight = bufpack.Problem.read_csv(d), bufpack.Problem.read_csv(d, 986112)

    def one(run) -> float:
        sent = []

        def fire() -> None:
            time.sleep(0.3 + random.random() * 0.05)
            sent.append(time.monotonic())
            signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)

        thread = threading.Thread(target=fire)
        thread.start()
        try:
            run()
        except KeyboardInterrupt:
            pass
        back = time.monotonic()
        thread.join()
        return (back - sent[0]) * 1000

    cases = [
        ("minimize", lambda: bufpack.minimize(loose, timeout=60)),
        ("solve", lambda: bufpack.solve(tight, timeout=60)),
        ("solve threads=2", lambda: bufpack.solve(tight, timeout=60, threads=2)),
        ("solve_many of 4, threads=2", lambda: bufpack.solve_many([tight] * 4, timeout=60, threads=2)),
    ]
    for name, run in cases:
        latencies = [one(run) for _ in range(trials)]
        print(f"  {name}: median {statistics.median(latencies):.0f} ms, max {max(latencies):.0f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cli", type=Path, default=ROOT / "target" / "release" / "bufpack")
    parser.add_argument("--huge", type=Path, default=Path("/tmp/huge.csv"))
    parser.add_argument("--only", nargs="*", default=["cli", "threads", "huge", "dask", "interrupt"])
    args = parser.parse_args()
    for name in args.only:
        if name == "cli":
            cli_against_python(args.cli, args.rounds)
        elif name == "threads":
            threads(args.rounds)
        elif name == "huge":
            huge(args.huge, args.rounds)
        elif name == "dask":
            dask(2000)
        elif name == "interrupt":
            interrupt(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
