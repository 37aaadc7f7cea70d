"""A face sorts the leaderboard by the direction the run announces, not by a list of metric names it keeps itself:
a plugin metric where lower is better must sort best-first too."""

from __future__ import annotations

import io
from pathlib import Path

from automl_tui_engine import events as ev
from automl_tui_engine.config import RunConfig
from automl_tui_engine.extension.registry.metrics import MetricFacts
from automl_tui_engine.outputs.run_record import RunFacts
from rich.console import Console


def started_with(metric: MetricFacts) -> ev.RunStarted:
    facts = RunFacts("r1", "d", Path("/x"), "regression", "y", [metric], RunConfig(data=Path("t.csv")))
    return facts.started(candidates=["a", "b"])


def rows(metric: str) -> list[dict]:
    return [
        {
            "model": model,
            f"{metric}_mean": score,
            f"{metric}_std": 0.0,
            "fit_s": 0.1,
            "predict_ms_per_1k": 1.0,
            "size_bytes": 100,
        }
        for model, score in (("small_error", 1.0), ("large_error", 9.0))
    ]


def leaderboard_order(started: ev.RunStarted) -> list[str]:
    from automl_tui.headless import HeadlessView

    quiet = Console(file=io.StringIO())
    view = HeadlessView(quiet, quiet, live=True)
    view(started)
    for row in rows(started.primary_metric):
        view(ev.CandidateFinished(row=row))
    table = view.leaderboard()
    return list(table.columns[0].cells)


def test_run_started_carries_the_primary_metrics_direction():
    assert started_with(MetricFacts("plugin_loss", "Plugin loss", False, False)).greater_is_better is False
    assert started_with(MetricFacts("plugin_gain", "Plugin gain", True, False)).greater_is_better is True


def test_the_headless_leaderboard_puts_the_best_first_for_a_plugin_metric_where_lower_is_better():
    assert leaderboard_order(started_with(MetricFacts("plugin_loss", "Plugin loss", False, False))) == [
        "small_error",
        "large_error",
    ]
    assert leaderboard_order(started_with(MetricFacts("plugin_gain", "Plugin gain", True, False))) == [
        "large_error",
        "small_error",
    ]
