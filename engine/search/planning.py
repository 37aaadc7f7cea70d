"""The search's plan, made before any candidate: the order of the kinds (cheap, diverse models first, so something
finishes early), the rows the models are compared on, and a time estimate measured on the user's own data (the
linear model's costs, which the other kinds' cost hints scale)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from automl_tui_engine.config import RunConfig
from automl_tui_engine.core.budget import Clock
from automl_tui_engine.extension.registry.models import ModelSpec
from automl_tui_engine.tasks import Task

if TYPE_CHECKING:  # pandas and scikit-learn load with the run, not with the module
    import pandas as pd
    from automl_tui_engine.search.evaluate import Split
    from automl_tui_engine.table.preprocess import ColumnPlan


@dataclass(frozen=True)
class Baseline:
    """The linear model's measured costs on this data: what the other models' cost hints scale."""

    fit_s: float  # one fit on all the rows given
    batch_s: float  # one predict of 1,000 rows
    call_s: float  # one predict of a single row: a pipeline's fixed cost per call


def order(specs: list[ModelSpec]) -> list[ModelSpec]:
    """Cheapest first, counting prediction too: scoring and timing a model predict as much as they fit, and a
    nearest-neighbours model that fits instantly can take minutes to predict on a large table."""
    return sorted(specs, key=lambda spec: spec.fit_cost + spec.predict_cost)


@dataclass(frozen=True)
class SearchPlan:
    """The rows the candidates are compared on, and what that is expected to cost."""

    folds: Split  # the training rows, or a stratified sample when they would eat the budget
    estimate_s: float  # about how long every kind's first form takes on those rows
    scale: float  # rows of the refit / rows of one fold's fit: how much longer the refit takes than a fold
    test_rows: int
    sampled: bool


def plan(
    folds: Split, task: Task, plans: list[ColumnPlan], specs: list[ModelSpec], config: RunConfig, clock: Clock
) -> SearchPlan:
    """The rows to compare `specs` on, of a table split into `folds` (its columns handled as `plans` say): all
    training rows (up to `search_rows`), fewer when the default models alone would eat the budget."""
    from automl_tui_engine.search import evaluate

    searched = evaluate.sample_for_search(folds, task, config.search_rows, config.seed)
    baseline = measure_baseline(plans, searched.X_train, searched.y_train, task, config.seed)
    estimate_s = estimate_seconds(baseline, specs, task, searched.n_folds, config.latency_repeats)
    rows = rows_for_budget(len(searched.y_train), estimate_s, clock)
    if rows < len(searched.y_train):  # the first forms alone would eat the budget: compare on fewer rows
        searched = evaluate.sample_for_search(folds, task, rows, config.seed)
        estimate_s *= rows / len(folds.y_train)
    # a fold fits (k-1)/k of the search rows; the refit fits every training row
    scale = len(folds.y_train) / (len(searched.y_train) * (searched.n_folds - 1) / searched.n_folds)
    return SearchPlan(searched, estimate_s, scale, len(folds.y_test), sampled=searched is not folds)


BASELINE_ROWS = 5000  # the linear fit is timed on at most this many rows and scaled to the rest
BASELINE_TIMINGS = 3


def measure_baseline(
    plans: list[ColumnPlan],
    X: pd.DataFrame,
    y: pd.Series,
    task: Task,
    seed: int,
    clock: Callable[[], float] = time.perf_counter,
) -> Baseline:
    """The linear model's three costs on these rows, by `clock`: the wall clock for a run's plan (a busy machine's
    run has less time for the same work), the process's CPU time for the wizard's estimates (the work a preset
    costs, the same at every look, where a core's queue made the wall clock swing them eightfold)."""
    from automl_tui_engine.extension.registry import models
    from automl_tui_engine.search import evaluate
    from automl_tui_engine.table import preprocess

    linear = preprocess.pipeline(plans, models.get("linear"), task, seed)
    fit_rows = evaluate.sample_rows(X, y, task, BASELINE_ROWS, seed)
    batch = X.sample(n=evaluate.LATENCY_ROWS, replace=len(X) < evaluate.LATENCY_ROWS, random_state=seed)
    actions = (lambda: linear.fit(*fit_rows), lambda: linear.predict(batch), lambda: linear.predict(X.iloc[[0]]))
    # each timed BASELINE_TIMINGS times, the fastest kept: one timing of a few milliseconds swung the wizard's
    # estimates sevenfold between two looks at the same table (a first call's warm-up, a busy moment)
    timings = [min(_timed(action, clock) for _ in range(BASELINE_TIMINGS)) for action in actions]
    timings[0] *= len(y) / len(fit_rows[1])
    return Baseline(*timings)


def _timed(action: Callable[[], object], clock: Callable[[], float]) -> float:
    start = clock()
    action()
    return clock() - start


FIRST_FORMS_SHARE = 0.4  # of the budget left, what every kind's first form should take at most
MIN_SEARCH_ROWS = 5000


def rows_for_budget(rows: int, estimate_s: float, clock: Clock) -> int:
    """Training rows to compare models on so that every kind's first form takes about FIRST_FORMS_SHARE of the time
    left (costs grow about linearly with rows), leaving time for growing, tuning and the refit; never below
    MIN_SEARCH_ROWS."""
    affordable = FIRST_FORMS_SHARE * clock.left()
    if estimate_s <= affordable:
        return rows
    return max(MIN_SEARCH_ROWS, int(rows * affordable / estimate_s))


def estimate_seconds(baseline: Baseline, specs: list[ModelSpec], task: Task, cv_folds: int, repeats: int) -> float:
    """About how long the first round of a run of `specs` takes: every kind in its first form (the search's cheapest
    useful form: a forest of 50 trees costs a quarter of its 200), from measured linear costs scaled by each model's
    cost hints.

    Per model: `cv_folds` fits on (k-1)/k of the rows, predict-latency repeats, and the small predict
    calls of scoring and single-row timing; plus one refit of the winner. Cost hints are relative
    averages, so this is shown as "about", never as a promise.
    """
    share = (cv_folds - 1) / cv_folds
    small_calls = 1 + 3 * repeats + 2 * cv_folds
    first = {spec.name: spec.cost_ratio(task, spec.first_params(task), {}) for spec in specs}
    per_model = [
        first[spec.name]
        * (spec.fit_cost * baseline.fit_s * cv_folds * share + spec.predict_cost * baseline.batch_s * repeats)
        + small_calls * baseline.call_s
        for spec in specs
    ]
    refit = max(spec.fit_cost for spec in specs) * baseline.fit_s if specs else 0.0
    return sum(per_model) + refit
