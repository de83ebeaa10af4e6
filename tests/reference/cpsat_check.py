"""A differential check of bufpack's minimisation against CP-SAT on random medium problems.

Brute force (tests/tests/oracle.rs, fuzz.rs) covers problems of a handful of buffers; this
covers 12-45, with alignment, fixed buffers, gaps with windows and cut rectangles. For each
problem it runs the CLI's minimisation with the defaults and with one switch turned off
(to measure a technique), and CP-SAT (OR-Tools) on the same problem, and reports:

- a proof bufpack gives that CP-SAT contradicts (a packing lower than bufpack's "optimal",
  or bufpack below CP-SAT's proven optimum): printed as FALSE, and the exit status is 1;
- how many each side proves optimal within the limit, per kind of problem.

Not part of CI (OR-Tools is a large download); run it after changing the search:

    python3 -m venv /tmp/ortools && /tmp/ortools/bin/pip install ortools
    cargo build --release -p bufpack
    /tmp/ortools/bin/python tests/reference/cpsat_check.py --count 200 --seconds 5 \\
        --off=--noaligned_stacks

It found the tiny aligned problems in tests/fixtures/aligned (see BENCHMARKS.md).
"""

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time

from ortools.sat.python import cp_model

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def generate(rng):
    """One random problem: (kind, buffers), each buffer a dict of lower, upper, size,
    alignment and optionally offset (fixed) and gaps (lower, upper, window or None)."""
    kind = rng.choice(["plain", "align", "fixed", "gaps", "rect"])
    if kind == "rect":
        # A rectangle cut into pieces, a few taken out and a few grown: the optimum may be
        # above the load.
        width, height = rng.randint(8, 30), rng.randint(16, 64)
        rects = [(0, width, 0, height)]
        pieces_wanted = rng.randint(15, 45)
        while len(rects) < pieces_wanted:
            i = rng.randrange(len(rects))
            lower, upper, bottom, top = rects[i]
            if rng.random() < 0.5 and upper - lower >= 2:
                cut = rng.randint(lower + 1, upper - 1)
                rects[i] = (lower, cut, bottom, top)
                rects.append((cut, upper, bottom, top))
            elif top - bottom >= 2:
                cut = rng.randint(bottom + 1, top - 1)
                rects[i] = (lower, upper, bottom, cut)
                rects.append((lower, upper, cut, top))
        for _ in range(rng.randint(0, 3)):
            rects.pop(rng.randrange(len(rects)))
        buffers = []
        for lower, upper, bottom, top in rects:
            grown = rng.choice([0, 0, 0, 1, 2]) if rng.random() < 0.2 else 0
            buffers.append(dict(lower=lower, upper=upper, size=top - bottom + grown, alignment=1))
        return kind, buffers
    count, duration = rng.randint(12, 40), rng.randint(6, 24)
    buffers = []
    for _ in range(count):
        lower = rng.randrange(duration)
        upper = rng.randint(lower + 1, min(duration, lower + rng.randint(1, duration)))
        size = rng.choice([rng.randint(1, 8), rng.randint(1, 32), rng.randint(8, 64)])
        buffer = dict(lower=lower, upper=upper, size=size, alignment=1)
        if kind in ("align", "fixed", "gaps") and rng.random() < 0.4:
            buffer["alignment"] = rng.choice([2, 4, 8, 16])
        buffers.append(buffer)
    if kind == "fixed":
        fixed = []
        for b in buffers:
            if rng.random() < 0.15:
                offset = rng.randrange(0, 64) // b["alignment"] * b["alignment"]
                if all(not overlap(b, offset, f, f["offset"]) for f in fixed):
                    b["offset"] = offset
                    fixed.append(b)
    if kind == "gaps":
        for b in buffers:
            if b["upper"] - b["lower"] >= 3 and rng.random() < 0.3:
                gap_lower = rng.randint(b["lower"] + 1, b["upper"] - 1)
                gap_upper = rng.randint(gap_lower + 1, b["upper"])
                window = None
                if rng.random() >= 0.5 and b["size"] >= 2:
                    window_lower = rng.randint(0, b["size"] - 1)
                    window = (window_lower, rng.randint(window_lower + 1, b["size"]))
                b["gaps"] = (gap_lower, gap_upper, window)
    return kind, buffers


def overlap(a, at, b, bt):
    return (a["lower"] < b["upper"] and b["lower"] < a["upper"]
            and at < bt + b["size"] and bt < at + a["size"])


def write_csv(path, buffers):
    with open(path, "w") as f:
        f.write("id,lower,upper,size,alignment,offset,gaps\n")
        for i, b in enumerate(buffers):
            gaps = ""
            if "gaps" in b:
                lower, upper, window = b["gaps"]
                gaps = f"{lower}-{upper}" + (f"@{window[0]}:{window[1]}" if window else "")
            f.write(f"b{i},{b['lower']},{b['upper']},{b['size']},{b['alignment']},"
                    f"{b.get('offset', '')},{gaps}\n")


def pieces(b):
    """The rectangles a buffer occupies, as (lower, upper, bottom, top) from its offset."""
    if "gaps" not in b:
        return [(b["lower"], b["upper"], 0, b["size"])]
    lower, upper, window = b["gaps"]
    out = []
    if lower > b["lower"]:
        out.append((b["lower"], lower, 0, b["size"]))
    if window:
        out.append((lower, upper, window[0], window[1]))
    if b["upper"] > upper:
        out.append((upper, b["upper"], 0, b["size"]))
    return out


def cpsat(buffers, seconds):
    """CP-SAT's minimum height: (status name, best height or None)."""
    most = sum(b["size"] for b in buffers) + 64 + 16
    model = cp_model.CpModel()
    height = model.NewIntVar(0, most, "height")
    xs, ys = [], []
    for i, b in enumerate(buffers):
        if b["size"] == 0:
            continue
        if "offset" in b:
            offset = model.NewConstant(b["offset"])
        else:
            steps = model.NewIntVar(0, most // b["alignment"], f"k{i}")
            offset = model.NewIntVar(0, most, f"o{i}")
            model.Add(offset == b["alignment"] * steps)
        model.Add(offset + b["size"] <= height)
        for lower, upper, bottom, top in pieces(b):
            if top <= bottom or upper <= lower:
                continue
            xs.append(model.NewFixedSizeIntervalVar(lower, upper - lower, ""))
            y = model.NewIntVar(0, most, "")
            model.Add(y == offset + bottom)
            ys.append(model.NewFixedSizeIntervalVar(y, top - bottom, ""))
    model.AddNoOverlap2D(xs, ys)
    model.Minimize(height)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = 1
    status = solver.Solve(model)
    found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    return solver.StatusName(status), int(solver.ObjectiveValue()) if found else None


def bufpack(binary, path, seconds, extra):
    """bufpack's minimisation: (height, proven optimal, wall seconds)."""
    start = time.time()
    run = subprocess.run(
        [binary, "--minimize", f"--timeout={seconds}s", "--threads=1", "--validate",
         f"--input={path}", f"--output={path}.out", *extra],
        capture_output=True, text=True)
    info = dict(line.split(":", 1) for line in run.stderr.splitlines() if ":" in line)
    if run.returncode != 0 or "Height" not in info:
        sys.exit(f"bufpack failed on {path}:\n{run.stderr}")
    return int(info["Height"]), info["Result"].strip().startswith("optimal"), time.time() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "bufpack"))
    parser.add_argument("--seed", type=int, default=7000)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--off", action="append", default=[],
                        help="a flag for the second bufpack run, e.g. --off=--noaligned_stacks")
    args = parser.parse_args()
    rows, false = [], 0
    with tempfile.TemporaryDirectory() as scratch:
        for seed in range(args.seed, args.seed + args.count):
            kind, buffers = generate(random.Random(seed))
            path = os.path.join(scratch, f"p{seed}.csv")
            write_csv(path, buffers)
            on = bufpack(args.bin, path, args.seconds, [])
            off = bufpack(args.bin, path, args.seconds, args.off) if args.off else on
            status, best = cpsat(buffers, args.seconds)
            notes = []
            for name, (height, proven, _) in (("defaults", on), ("off", off)):
                if proven and best is not None and best < height:
                    notes.append(f"FALSE: {name} proved {height}, CP-SAT packs {best}")
                if status == "OPTIMAL" and height < best:
                    notes.append(f"FALSE: {name} packs {height} below CP-SAT's optimum {best}")
            false += len(notes)
            rows.append((kind, on, off, status, best))
            print(seed, kind, len(buffers), "defaults", *on[:2], f"{on[2]:.2f}", "| off", *off[:2],
                  f"{off[2]:.2f}", "| CP-SAT", status, best, *notes, flush=True)
    for kind in sorted({r[0] for r in rows}) + ["all"]:
        chosen = [r for r in rows if kind in ("all", r[0])]
        known = [r for r in chosen if r[3] == "OPTIMAL"]
        print(f"{kind}: {len(chosen)} problems, proven optimal: defaults "
              f"{sum(r[1][1] for r in chosen)}, off {sum(r[2][1] for r in chosen)}, CP-SAT "
              f"{len(known)}; at CP-SAT's optimum: defaults "
              f"{sum(r[1][0] == r[4] for r in known)}, off {sum(r[2][0] == r[4] for r in known)}")
    sys.exit(1 if false else 0)


if __name__ == "__main__":
    main()
