"""The run's time budget: a clock with a hard end, and a way to stop work that would overrun it.

A run must end within `budget + max(10%, 5 s)`. Work is stopped by a timer signal that raises
`BudgetExceeded` in the main thread: scikit-learn and LightGBM return to Python between trees, boosting
rounds and solver steps, so a slow fit stops within moments instead of running on. Off the main thread
(where signals cannot be delivered) limits are not enforced and only the checks between steps apply.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

# Seconds kept back after the search for what follows it, when no measurement says better:
# saving files and writing the report (the refit, explanation and charts are estimated from measurements).
REPORT_S = 1.0
# A PNG export starts a headless browser (~3 s here) and then takes ~0.4 s per chart.
PNG_START_S = 3.5
PNG_PER_CHART_S = 0.45


class BudgetExceeded(Exception):
    """Raised inside work that ran past the time it was given."""


def grace(budget_s: float) -> float:
    """How far past the budget a run may end: the promise is budget + max(10%, 5 s)."""
    return max(0.1 * budget_s, 5.0)


class Clock:
    """Seconds since the run started, against its budget. `unlimited` (a `--max-trials` run) never runs out."""

    def __init__(self, budget_s: float, unlimited: bool = False) -> None:
        self.budget_s = budget_s
        self.unlimited = unlimited
        self.started = time.monotonic()

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def left(self) -> float:
        """Seconds until the budget is spent (may be negative)."""
        return float("inf") if self.unlimited else self.budget_s - self.elapsed()

    def left_hard(self) -> float:
        """Seconds until the hard end (budget plus grace)."""
        return float("inf") if self.unlimited else self.left() + grace(self.budget_s)


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise BudgetExceeded in the enclosed block once `seconds` have passed (infinite: no limit)."""
    if seconds == float("inf") or threading.current_thread() is not threading.main_thread():
        yield
        return
    if seconds <= 0:
        raise BudgetExceeded

    def expire(signum, frame):
        raise BudgetExceeded

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
