"""The run's time budget: a clock with a hard end, a way to stop work that would overrun it, and the forecasts of
what each phase after the search will need (so the search leaves them their time).

A run must end within `budget + max(10%, 5 s)`. Work is stopped by a timer signal that raises
`BudgetExceeded` in the main thread: scikit-learn and LightGBM return to Python between trees, boosting
rounds and solver steps, so a slow fit stops within moments instead of running on. Off the main thread
(where signals cannot be delivered) limits are not enforced and only the checks between steps apply.
"""

from __future__ import annotations

import math
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any, Protocol

# Seconds kept back after the search for what follows it, when no measurement says better:
# saving files and writing the report (the refit, explanation and charts are estimated from measurements).
REPORT_S = 1.0
# Seconds from the report to the process's end (closing the chart browser; the interpreter's teardown of
# scikit-learn, LightGBM, SHAP and the rest: 0.5 s idle, 1.0-1.4 s under two busy loops after main returned): the PNG
# charts stop this much earlier, or the command ends past budget + LATE_SHARE (randhie under load: 33.1 s of 30)
EXIT_S = 1.5
# The PNG charts' browser starts while the search runs (outputs/png_browser.py); then each chart takes ~0.33 s here
PNG_PER_CHART_S = 0.35
CHARTS_MAX = 9  # charts a run draws at most: the run's three, the explanation's three, a binary model's three
REFIT_SHARE = 0.25  # at most this share of the budget is kept back for the refit (a larger one is made on fewer rows)
REFIT_MARGIN = 1.5  # trees cost more than linearly in rows; the refit estimate leans high
# a refit on every training row that costs less than this share of the budget comes before the explanation and the
# charts: a model trained on half its rows to keep time for charts that were then not made either (issue 36)
FIRST_REFIT_SHARE = 0.15
# a refit forecast to need at most 1/NEARLY_WHOLE of the time there is beside what follows is made whole: the forecast
# leans high by REFIT_MARGIN, and a forest refit with 199 of its 200 trees saved a moment it would not have cost
NEARLY_WHOLE = 0.9
EXPLAIN_S = 3.0
# what the explanation does at least (outputs/explain.py fits the rest to its time): permutation importance shuffles
# every column this many times on this many test rows (two still give a spread)
EXPLAIN_MIN_ROWS = 200
EXPLAIN_MIN_SHUFFLES = 2
CHARTS_HTML_S = 0.5
TEST_ROW_WRITE_S = 2e-6  # writing one row of test_predictions.csv
MIN_START_S = 1.0  # a candidate given less than this would only be started to be stopped


class BudgetExceeded(Exception):
    """Raised inside work that ran past the time it was given."""


LATE_SHARE = 0.1  # the PNG charts, last in value, are drawn only while the run stays within budget + this share


def grace(budget_s: float) -> float:
    """How far past the budget a run may end: the promise is budget + max(10%, 5 s)."""
    return max(LATE_SHARE * budget_s, 5.0)


class Clock:
    """Seconds since the run started, against its budget. `unlimited` (a `--max-trials` run) never runs out.

    `since` (epoch seconds) is when the user asked for the run, when that was before the engine began: a command's
    start, so that its imports (1.6-2.5 s in this machine's runs) count in the budget the user gave. `begun_at`
    (epoch seconds) is when the run began, when another process began it: a pipeline put on its queue then, whose
    reporting step finishes it here. It counts in the time the run took (`took`), not in this step's budget."""

    def __init__(
        self, budget_s: float, unlimited: bool = False, since: float | None = None, begun_at: float | None = None
    ) -> None:
        self.budget_s = budget_s
        self.unlimited = unlimited
        self.started_at = time.time()  # when the engine began the run, for the report's time line
        self.since = since
        self.started = time.monotonic() - (self.started_at - since if since is not None else 0.0)
        self.begun_at = begun_at

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def took(self) -> float:
        """Seconds the run has taken: since it began, in this process or before it (`begun_at`)."""
        return time.time() - self.begun_at if self.begun_at is not None else self.elapsed()

    def left(self) -> float:
        """Seconds until the budget is spent (may be negative)."""
        return float("inf") if self.unlimited else self.budget_s - self.elapsed()

    def left_hard(self) -> float:
        """Seconds until the hard end (budget plus grace)."""
        return float("inf") if self.unlimited else self.left() + grace(self.budget_s)

    def left_late(self) -> float:
        """Seconds the PNG charts may use: until budget + LATE_SHARE, less the report and the process's exit that
        follow them (REPORT_S, EXIT_S). The hard end's 5 s floor is for stopping work that overran, not for planning
        more: runs that drew their charts up to it ended at 34 s of 30."""
        return float("inf") if self.unlimited else self.left() + LATE_SHARE * self.budget_s - REPORT_S - EXIT_S


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise BudgetExceeded in the enclosed block once `seconds` have passed (infinite: no limit)."""
    if seconds == float("inf") or threading.current_thread() is not threading.main_thread():
        yield
        return
    if seconds <= 0:
        raise BudgetExceeded

    def expire(signum: int, frame: FrameType | None) -> None:
        raise BudgetExceeded

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except BudgetExceeded:
        raise
    except Exception as exc:
        # a library that caught the expiry and raised its own error instead (scikit-learn turns any error in a
        # method's availability check into "has no attribute 'predict'"): it is still the time running out
        if _caused_by_expiry(exc):
            raise BudgetExceeded from exc
        raise
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _caused_by_expiry(exc: BaseException) -> bool:
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, BudgetExceeded):
            return True
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return False


def round_down(seconds: float) -> float:
    """Seconds to the hundredth, never more than there were: what "could be given" says."""
    return math.floor(seconds * 100) / 100


def round_up(seconds: float) -> float:
    """Seconds to the hundredth, never less than needed: what "would need" says."""
    return math.ceil(seconds * 100) / 100


PROBE_SHARE = 10  # a forest's size is judged by timing one fold's fit of a tenth of its trees
SIZED_SHARE = 0.5  # of the time a sized forest can be given, what its fits may take (the rest: predicting, timing)


def parts_that_fit(full: int, probe: int, probe_s: float, left: float, folds: int) -> int:
    """How many of a model's `full` parts (trees) to make so that its `folds` fits take about SIZED_SHARE of the
    `left` seconds it can be given, from `probe_s`, the time one fold's fit of `probe` parts took (and used up);
    never fewer than `probe`, never more than `full`."""
    affordable = SIZED_SHARE * (left - probe_s) / (folds * probe_s / probe)
    return int(min(full, max(probe, affordable)))


class Settings(Protocol):
    """What the forecasts read of a run's settings (config.RunConfig, a layer above)."""

    @property
    def charts(self) -> str: ...  # "html+png", "html" or "none"

    @property
    def explain(self) -> bool: ...

    @property
    def time_budget_s(self) -> float: ...


def charts_s(config: Settings, charts: int = CHARTS_MAX, png: bool = True) -> float:
    """Seconds `charts` charts take, PNGs included unless `png` is False (when time is short after all, the PNGs
    are dropped first); before they are built, as many as a run draws at most."""
    if config.charts == "none":
        return 0.0
    return CHARTS_HTML_S + (charts * PNG_PER_CHART_S if png and config.charts == "html+png" else 0.0)


def refit_s(row: dict[str, Any], scale: float) -> float:
    """Seconds one refit of a candidate on all training rows is likely to take, from its measured fold fits."""
    return float(row["fit_s"]) * scale * REFIT_MARGIN


def refit_plan(needed: float, left: float, after: float, budget_s: float) -> tuple[float, float]:
    """(the share of the training rows the saved model is trained on, the seconds its fit may take), from the
    refit's likely cost `needed`, the seconds `left` until the hard end and what follows the refit (`after`): every
    row when it fits beside what follows, or when it fits at all and costs under FIRST_REFIT_SHARE of the budget or
    nearly fits beside what follows (NEARLY_WHOLE; what follows then makes do with less: the PNGs go first); else as
    many rows as fit beside what follows."""
    available = left - after
    if needed <= available:
        return 1.0, max(available, 1.0)
    if needed <= left and (needed <= FIRST_REFIT_SHARE * budget_s or needed * NEARLY_WHOLE <= available):
        return 1.0, max(left, 1.0)
    return max(available, 0.0) / needed, max(available, 1.0)


def explain_s(rows: list[dict[str, Any]], columns: int) -> float:
    """The explanation's least cost for the `rows` picks: permutation importance's fewest shuffles of each of the
    table's `columns` on its fewest rows, from the pick's measured predictions (a call costs one row's time plus the
    rows' share of a thousand's), and SHAP about as long again; EXPLAIN_S at least. With 3 s kept for it, digits'
    extra_trees (64 columns, ten classes) took 6.1 s under two busy loops and the command ended at 35.2 s of 30."""
    per_call_ms = max(
        (float(r["predict_ms_single_row"]) + EXPLAIN_MIN_ROWS / 1000 * float(r["predict_ms_per_1k"]) for r in rows),
        default=0.0,
    )
    return max(EXPLAIN_S, 2 * columns * EXPLAIN_MIN_SHUFFLES * per_call_ms / 1000)


def after_refit_s(config: Settings, rows: list[dict[str, Any]], test_rows: int, columns: int) -> float:
    """What follows the refit and is kept back for: scoring and saving the test rows' predictions (about three
    predicts and a CSV line each), explanation (of a table of `columns` columns), the HTML charts, report. PNG copies
    are last in value and made with what is left (the grace past the budget included): keeping time back for them
    ended searches with 3 s unused while candidates were skipped (issue 36)."""
    slowest_ms = max((float(r["predict_ms_per_1k"]) for r in rows), default=0.0)
    test = test_rows / 1000 * slowest_ms / 1000 * 3 + test_rows * TEST_ROW_WRITE_S
    return test + (explain_s(rows, columns) if config.explain else 0.0) + charts_s(config, png=False) + REPORT_S


def after_search_s(config: Settings, likely: list[dict[str, Any]], scale: float, test_rows: int, columns: int) -> float:
    """What the phases after the search are likely to need, judged on the `likely` picks (the candidate the
    decision would recommend now). Keeping back time for the slowest of the three best ended a diamonds search
    (54,000 rows, two busy loops) at 16.9 s of 30 with a candidate skipped: 7.5 s kept for a forest's refit, when
    the pick's took 0.7 s and the run was over at 22.5 s. A pick that changes later to a costlier one is still
    refit on every row first when that costs under FIRST_REFIT_SHARE of the budget (refit_plan)."""
    # a refit that would not fit is made on fewer rows: keep back at most a share of the budget for it
    refit = min(max((refit_s(r, scale) for r in likely), default=0.0), REFIT_SHARE * config.time_budget_s)
    return refit + after_refit_s(config, likely, test_rows, columns)
