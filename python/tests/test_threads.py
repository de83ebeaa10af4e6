"""The GIL is released for the whole search: other Python threads run meanwhile, and
solves in several threads run side by side."""

from __future__ import annotations

import threading
import time

from conftest import load, solved

import bufpack


class Counter(threading.Thread):
    """A Python thread that counts as fast as the GIL lets it."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.count = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            self.count += 1


def test_another_python_thread_runs_during_a_solve():
    problem = load("D", None)
    counter = Counter()
    counter.start()
    time.sleep(0.05)
    before = counter.count
    result = bufpack.minimize(problem, timeout=0.5)
    during = counter.count - before
    counter.done.set()
    counter.join()
    result.validate()
    # Holding the GIL for the half second, the solve would let the counter run only at the
    # interpreter's switch points around the call: a handful of increments, not hundreds of
    # thousands.
    assert during > 10_000, during


def test_two_threads_solve_side_by_side_with_the_same_answers():
    problems = [load("J"), load("K"), load("A"), load("I")]
    alone = [solved(p) for p in problems]
    answers = [None] * len(problems)

    def work(index):
        answers[index] = solved(problems[index])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(problems))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == alone


def test_two_minimisations_in_two_threads_progress_at_the_same_time():
    # Each search reports progress every 50 ms from inside the solver. Were the GIL held
    # for a whole search, one thread's reports would all come before the other's; running
    # side by side, they interleave.
    events = []
    lock = threading.Lock()

    def work(name):
        def progress(_):
            with lock:
                events.append(name)

        bufpack.minimize(load("D", None), timeout=1.0, progress=progress, progress_interval=0.05).validate()

    threads = [threading.Thread(target=work, args=(name,)) for name in "ab"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    switches = sum(1 for x, y in zip(events, events[1:]) if x != y)
    assert events.count("a") > 3 and events.count("b") > 3
    assert switches >= 3, events


def test_solve_many_on_threads_releases_the_gil():
    problems = [load("D", None)] * 2
    counter = Counter()
    counter.start()
    time.sleep(0.05)
    before = counter.count
    results = bufpack.solve_many(problems, minimize=True, timeout=0.4, threads=2)
    during = counter.count - before
    counter.done.set()
    counter.join()
    for result in results:
        result.validate()
    assert during > 10_000, during
