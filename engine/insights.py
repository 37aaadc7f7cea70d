"""After the decision: the recommended model's explanation and the run's charts. Each is optional, bounded by the
budget, and never fails the run: what is not made is listed as missing, with the reason."""

from __future__ import annotations

import time
from typing import Any

from engine import budget, rundir
from engine import events as ev
from engine.errors import one_line
from engine.messages import t


def explain_and_draw(state: Any, run_info, missing, chosen, final, test_predictions, dataset, folds, primary) -> None:
    from engine import explain, plots, training

    config, folder, task = state.config, state.folder, dataset.task
    timings = run_info.setdefault("timings", {})
    explanation = None
    if config.explain and final is not None:
        state.emit(ev.PhaseChanged(phase="explaining"))
        start = time.perf_counter()
        try:
            with budget.time_limit(state.clock.left_hard() - training.charts_s(config) - budget.REPORT_S):
                explanation = explain.explain(
                    final, folds.X_train, folds.X_test, folds.y_test, task, primary.scorer(task), config.seed
                )
        except budget.BudgetExceeded:
            missing(rundir.EXPLANATION, t("missing.budget"))
        except Exception as exc:
            missing(rundir.EXPLANATION, t("missing.explain_failed", error=one_line(exc)))
        else:
            summary = {**explanation.to_json(), "drivers": explain.drivers(explanation, dataset.target, task)}
            folder.write_json(rundir.EXPLANATION, summary)
            if explanation.shap_error:
                missing("SHAP", explanation.shap_error)
        timings["explain_s"] = time.perf_counter() - start
    if config.charts == "none":
        return
    state.emit(ev.PhaseChanged(phase="charts"))
    start = time.perf_counter()
    try:
        # the test rows were predicted once, when test_predictions.csv was written: the charts reuse them
        y_pred = proba = None
        if test_predictions is not None:
            y_pred = test_predictions["prediction"].to_numpy()
            probability_columns = [c for c in test_predictions.columns if c.startswith("probability_")]
            proba = test_predictions[probability_columns].to_numpy() if probability_columns else None
        classes = [str(c) for c in final.classes_] if final is not None and task != "regression" else []
        figures = plots.build(
            state.rows, primary, chosen, task, dataset.target, folds.y_test, y_pred, proba, classes, explanation
        )
        run_info["charts"] = list(figures)
        png = config.charts == "html+png"
        left, needed = state.clock.left_hard() - budget.REPORT_S, training.charts_s(config)
        if png and left < needed:
            png = False  # a browser start would overrun the budget: the HTML charts are made, each PNG listed
            reason = t("missing.png_time", needed=needed, left=max(left, 0.0))
            for name in figures:
                missing(f"{rundir.PLOTS}/{name}.png", reason)
        not_made = plots.export(figures, folder / rundir.PLOTS, png=png)
    except Exception as exc:
        missing(rundir.PLOTS, t("missing.charts_failed", error=one_line(exc)))
    else:
        for name, reason in not_made.items():
            missing(name, reason)
    timings["charts_s"] = time.perf_counter() - start
