"""Solving a batch of problems on Dask distributed.

    python examples/dask_batch.py [SCHEDULER_ADDRESS] [CSV ...]

Without a scheduler address (or with "local") it starts a LocalCluster of two worker
processes on this machine; give "tcp://host:8786" to use a running cluster (every worker
needs `pip install bufpack`). Without CSV files it minimises MiniMalloc's benchmark A-K from
tests/fixtures/challenging.

Problems, solutions, results and bufpack's exceptions all pickle, so they travel to the
workers and back as they are. Each task runs one search with the GIL released, so a worker
with several threads solves several problems at once; here each worker process gets one
thread and the cluster spreads the batch.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from dask.distributed import Client, LocalCluster, as_completed

import bufpack


def main(argv: list) -> int:
    address = argv[0] if argv else "local"
    paths = [Path(p) for p in argv[1:]] or sorted(
        (Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "challenging").glob("*.csv")
    )
    problems = [bufpack.Problem.read_csv(path) for path in paths]

    cluster = LocalCluster(n_workers=2, threads_per_worker=1) if address == "local" else None
    with Client(cluster if cluster is not None else address) as client:
        started = time.perf_counter()
        # One task per problem; bufpack.minimize runs on a worker and its MinimizeResult
        # comes back pickled (pure=False: solve again even if the same problem comes twice).
        futures = client.map(bufpack.minimize, problems, timeout=5, pure=False)
        names = {future.key: path.name for future, path in zip(futures, paths)}
        for future in as_completed(futures):
            name = names[future.key]
            if future.exception() is not None:
                print(f"{name}: {future.exception()!r}")
                continue
            result = future.result()
            result.validate()  # the package's own validator, here on the client
            print(
                f"{name}: height {result.height}, {result.status}, "
                f"gap {result.gap:.2f}% (bound {result.lower_bound}: {result.bound_reason})"
            )
        print(f"{len(problems)} problems in {time.perf_counter() - started:.1f} s")
    if cluster is not None:
        cluster.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
