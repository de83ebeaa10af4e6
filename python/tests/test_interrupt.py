"""Ctrl-C (SIGINT, sent from another thread) stops a running solve; a minimisation hands back
its best packing on the exception (``bufpack.Interrupted.result``)."""

from __future__ import annotations

import _thread
import signal
import threading
import time

import pytest
from conftest import CHALLENGING, load

import bufpack
import bufpack.minimalloc as minimalloc

@pytest.fixture(autouse=True)
def python_handles_ctrl_c():
    """Python's own SIGINT handler, as in any interpreter started from a terminal. A process
    started in the background of a non-interactive shell (`cmd &`, as some CI runners do)
    inherits SIGINT ignored, and Python then leaves it ignored: these tests would wait for a
    KeyboardInterrupt that never comes."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


# Far beyond what any of these runs needs once interrupted: they would otherwise run for a
# minute, so finishing well before it shows the interrupt stopped them (no timing claim).
LONG = 60.0


class Interrupter:
    """Sends SIGINT to the main thread after a delay, and remembers when."""

    def __init__(self, after: float, how: str = "signal") -> None:
        self.sent_at = None

        def fire() -> None:
            time.sleep(after)
            self.sent_at = time.monotonic()
            if how == "signal":
                signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)
            else:
                _thread.interrupt_main()

        self.thread = threading.Thread(target=fire, daemon=True)
        self.thread.start()

    def latency(self) -> float:
        self.thread.join()
        return time.monotonic() - self.sent_at


def hard_decision() -> bufpack.Problem:
    return load("D", 986112)


@pytest.mark.parametrize("how", ["signal", "interrupt_main"])
def test_ctrl_c_stops_a_minimisation_and_hands_back_its_best_packing(how):
    started = time.monotonic()
    interrupter = Interrupter(0.4, how)
    with pytest.raises(bufpack.Interrupted) as caught:
        bufpack.minimize(load("D", None), timeout=LONG)
    latency = interrupter.latency()
    assert time.monotonic() - started < LONG / 2
    assert isinstance(caught.value, KeyboardInterrupt)
    assert not isinstance(caught.value, Exception)
    result = caught.value.result
    assert isinstance(result, bufpack.MinimizeResult)
    assert result.stopped == "interrupt" and result.status == "feasible"
    result.validate()
    print(f"stopped {latency * 1000:.0f} ms after the signal")


def test_ctrl_c_stops_a_decision():
    started = time.monotonic()
    interrupter = Interrupter(0.3)
    with pytest.raises(bufpack.Interrupted) as caught:
        bufpack.solve(hard_decision(), timeout=LONG, threads=2)
    interrupter.latency()
    assert caught.value.result is None
    assert time.monotonic() - started < LONG / 2


def test_ctrl_c_stops_a_batch():
    started = time.monotonic()
    interrupter = Interrupter(0.3)
    with pytest.raises(bufpack.Interrupted) as caught:
        bufpack.solve_many([hard_decision()] * 4, timeout=LONG, threads=2)
    interrupter.latency()
    assert time.monotonic() - started < LONG / 2
    assert len(caught.value.result) == 4


def test_ctrl_c_stops_the_minimalloc_solver():
    problem = minimalloc.from_csv_file(CHALLENGING / "D.1048576.csv")
    problem.capacity = 986112
    Interrupter(0.3)
    with pytest.raises(KeyboardInterrupt):
        minimalloc.Solver().solve(problem)


def test_a_custom_signal_handler_exception_propagates():
    class Custom(Exception):
        pass

    def handler(signum, frame):
        raise Custom(signum)

    previous = signal.signal(signal.SIGINT, handler)
    try:
        Interrupter(0.3)
        with pytest.raises(Custom):
            bufpack.solve(hard_decision(), timeout=LONG)
    finally:
        signal.signal(signal.SIGINT, previous)


def test_solving_works_after_an_interrupt():
    Interrupter(0.2)
    with pytest.raises(KeyboardInterrupt):
        bufpack.solve(hard_decision(), timeout=LONG)
    assert bufpack.solve(load("K")).height <= 1048576
