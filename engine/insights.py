"""After the decision: the recommended model's explanation and the run's charts. Each is optional, bounded by the
budget, and never fails the run: what is not made is listed as missing, with the reason."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from automl_tui_engine.context import RunContext
from automl_tui_engine.core import budget
from automl_tui_engine.errors import one_line
from automl_tui_engine.messages import t
from automl_tui_engine.naming import PREDICTION, PROBABILITY
from automl_tui_engine.outputs import rundir

if TYPE_CHECKING:  # pandas, scikit-learn and the explainer load with this phase, not with the module
    import pandas as pd
    from automl_tui_engine.decision import Decision
    from automl_tui_engine.outputs.explain import Explanation
    from automl_tui_engine.search.evaluate import Split
    from automl_tui_engine.table.data import Dataset
    from sklearn.base import BaseEstimator


@dataclass(frozen=True)
class Insights:
    """What explaining and drawing made: the charts (by file stem) and how long each part took."""

    charts: list[str] | None = None
    timings: dict[str, float] = field(default_factory=dict)


def explain_and_draw(
    ctx: RunContext,
    decision: Decision,
    model: BaseEstimator | None,
    test_predictions: pd.DataFrame | None,
    dataset: Dataset,
    folds: Split,
    guess: float | None,
) -> Insights:
    """The explanation of `model` (the refit model; None when it could not be made) and the charts of the run;
    `guess` is what guessing scores on the ranking metric (None when it was not measured)."""
    timings: dict[str, float] = {}
    explanation = _explain(ctx, model, dataset, folds, timings) if ctx.config.explain and model is not None else None
    charts = None
    if ctx.config.charts != "none":
        start = time.perf_counter()
        charts = _draw(ctx, decision, model, test_predictions, dataset, folds, explanation, guess)
        timings["charts_s"] = time.perf_counter() - start
    return Insights(charts=charts, timings=timings)


def _explain(
    ctx: RunContext, model: BaseEstimator, dataset: Dataset, folds: Split, timings: dict[str, float]
) -> Explanation | None:
    from automl_tui_engine.outputs import explain

    config = ctx.config
    ctx.phase("explaining")
    start = time.perf_counter()
    explanation = None
    after = budget.charts_s(config, png=False) + budget.REPORT_S  # the PNGs are made with what is left
    # it fits its rows to the time until the PNGs' own end, less the HTML charts (never fewer than its minimum: an
    # explanation on few rows beats none); the hard end stops it if fitting to that fails. A floor of its forecast
    # (EXPLAIN_S) let it run to 32.3 s of 30 on a wide table under load
    seconds = ctx.clock.left_late() - budget.charts_s(config, png=False)
    try:
        with budget.time_limit(ctx.clock.left_hard() - after):
            explanation = explain.explain(
                model,
                folds.X_train,
                folds.X_test,
                folds.y_test,
                ctx.task,
                ctx.primary.scorer(ctx.task),
                config.seed,
                seconds,
            )
    except budget.BudgetExceeded:
        ctx.artifact_missing(rundir.EXPLANATION, t("missing.budget"))
    except Exception as exc:
        ctx.artifact_missing(rundir.EXPLANATION, t("missing.explain_failed", error=one_line(exc)))
    else:
        summary = {**explanation.to_json(), "drivers": explain.drivers(explanation, dataset.target, ctx.task)}
        ctx.folder.write_json(rundir.EXPLANATION, summary)
        if explanation.shap_error:
            ctx.artifact_missing("SHAP", explanation.shap_error)
    timings["explain_s"] = time.perf_counter() - start
    return explanation


def _draw(
    ctx: RunContext,
    decision: Decision,
    model: BaseEstimator | None,
    test_predictions: pd.DataFrame | None,
    dataset: Dataset,
    folds: Split,
    explanation: Explanation | None,
    guess: float | None,
) -> list[str] | None:
    """The charts as HTML (and PNG when there is time); their names, or None when none could be built."""
    from automl_tui_engine.outputs import plots

    config, task = ctx.config, ctx.task
    ctx.phase("charts")
    try:
        # the test rows were predicted once, when test_predictions.csv was written: the charts reuse them
        y_pred = proba = None
        if test_predictions is not None:
            y_pred = test_predictions[PREDICTION].to_numpy()
            probability_columns = [c for c in test_predictions.columns if c.startswith(PROBABILITY)]
            proba = test_predictions[probability_columns].to_numpy() if probability_columns else None
        classes = [str(c) for c in model.classes_] if model is not None and task.classifies else []
        y_test = folds.y_test
        if task.classifies:  # the charts name classes as text: labels coded 0/1 are compared as "0"/"1"
            y_test = y_test.astype(str)
            y_pred = None if y_pred is None else y_pred.astype(str)
        figures, failed = plots.build(
            ctx.candidates.rows,
            ctx.primary,
            decision,
            task,
            dataset.target,
            y_test,
            y_pred,
            proba,
            classes,
            explanation,
            guess,
        )
        png = config.charts == "html+png"
        left, needed = ctx.clock.left_late(), budget.charts_s(config, len(figures))
        not_made = {}
        if png and left < budget.charts_s(config, 1) and ctx.png_browser is not None:  # (none: no browser, said)
            png = False  # not even one would end in time: the HTML charts are made, each PNG listed
            reason = t("missing.png_time", needed=budget.round_up(needed), left=budget.round_down(max(left, 0.0)))
            not_made = {f"{rundir.PLOTS}/{name}.png": reason for name in figures}
        # as many PNGs as end in time, one by one: all or none by a forecast made none for digits and randhie under
        # two busy loops, or drew past it (randhie's run once ended 33.7 s after its command began, budget 30 s)
        until = time.monotonic() + left
        not_made |= plots.export(figures, ctx.folder / rundir.PLOTS, png=png, browser=ctx.png_browser, until=until)
        for name, error in failed.items():
            ctx.artifact_missing(f"{rundir.PLOTS}/{name}.html", t("missing.chart_failed", error=error))
    except Exception as exc:
        ctx.artifact_missing(rundir.PLOTS, t("missing.charts_failed", error=one_line(exc)))
        return None
    # each PNG not made is listed in the report; said once for all that share a reason (no browser: seven lines of
    # the same words would bury the rest)
    for reason in dict.fromkeys(not_made.values()):
        names = [name for name, why in not_made.items() if why == reason]
        ctx.artifacts_missing(names, reason, t("missing.png_charts", count=len(names)))
    return list(figures)
