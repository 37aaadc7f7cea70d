"""Which candidates to try, in what order, and what they are likely to cost.

Today: cheap, diverse models first (so something finishes early), and a time estimate measured on
the user's own data. Hyperparameter search and budget scheduling build on this (see the search issue).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from engine.registry.models import ModelSpec


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


def measure_baseline(plans: list[Any], X: Any, y: Any, task: str, seed: int) -> Baseline:
    from engine import evaluate, preprocess
    from engine.registry import models

    linear = preprocess.pipeline(plans, models.get("linear"), task, seed)
    timings = []
    for action in (
        lambda: linear.fit(X, y),
        lambda: linear.predict(X.sample(n=evaluate.LATENCY_ROWS, replace=len(X) < evaluate.LATENCY_ROWS)),
        lambda: linear.predict(X.iloc[[0]]),
    ):
        start = time.perf_counter()
        action()
        timings.append(time.perf_counter() - start)
    return Baseline(*timings)


def estimate_seconds(baseline: Baseline, specs: list[ModelSpec], cv_folds: int, repeats: int) -> float:
    """About how long a run of `specs` takes: measured linear costs scaled by each model's cost hints.

    Per model: `cv_folds` fits on (k-1)/k of the rows, predict-latency repeats, and the small predict
    calls of scoring and single-row timing; plus one refit of the winner. Cost hints are relative
    averages, so this is shown as "about", never as a promise.
    """
    share = (cv_folds - 1) / cv_folds
    small_calls = 1 + 3 * repeats + 2 * cv_folds
    per_model = [
        spec.fit_cost * baseline.fit_s * cv_folds * share
        + spec.predict_cost * baseline.batch_s * repeats
        + small_calls * baseline.call_s
        for spec in specs
    ]
    refit = max(spec.fit_cost for spec in specs) * baseline.fit_s if specs else 0.0
    return sum(per_model) + refit
