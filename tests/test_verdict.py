"""Is the recommended model any good? Every run scores guessing (the most frequent class, or the mean) in the same
folds and on the same test rows, and the Decision Summary opens with a verdict by the rule in verdict.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from automl_tui_engine import verdict
from automl_tui_engine.extension.registry import metrics
from automl_tui_engine.tasks import Task
from conftest import PENGUINS, quick_config

ACCURACY, RMSE = metrics.get("accuracy"), metrics.get("rmse")


def guess(score: float, std: float = 0.0, test: float | None = None, name: str = "accuracy") -> dict:
    return {
        "guess": "no",
        "cv_mean": {name: score},
        "cv_std": {name: std},
        "folds": 5,
        "test": {} if test is None else {name: test},
    }


def row(score: float, std: float, name: str = "accuracy") -> dict:
    return {"model": "m", f"{name}_mean": score, f"{name}_std": std}


def test_a_model_far_above_guessing_is_clearly_better():
    found = verdict.judge(row(0.95, 0.01), guess(0.60), [ACCURACY], {"accuracy": 0.94}, Task.BINARY)
    assert found.level == "clearly"
    assert found.sentences({"accuracy": "accuracy"})[0].startswith("Clearly better than guessing: accuracy 0.950")


def test_a_gap_inside_the_noise_is_no_better_than_guessing():
    # 0.02 better with fold scores spread by 0.03: within two standard errors
    found = verdict.judge(row(0.87, 0.03), guess(0.85, 0.01), [ACCURACY], {}, Task.BINARY)
    assert found.level == "no_better"
    assert "Do not use this model" in found.sentences({})[0]


def test_folds_that_agree_by_chance_do_not_hide_the_rows_spread():
    # three folds at 0.875 ± 0.002 look precise, but resampling the rows says the gap is ±0.02: noise
    precise = verdict.judge(row(0.875, 0.002), guess(0.85, 0.0), [ACCURACY], {}, Task.BINARY, resampled_se=0.02)
    assert precise.level == "no_better" and precise.se == 0.02


def test_a_real_but_small_gain_is_only_slightly_better():
    # 0.03 above a guess of 0.85 is 20% of the way to perfect at most: measured precisely, still small
    found = verdict.judge(row(0.875, 0.002), guess(0.85, 0.0), [ACCURACY], {}, Task.BINARY)
    assert found.level == "slightly"
    assert "Collect more rows or better columns" in found.sentences({})[0]


def test_a_model_worse_than_guessing_on_the_test_rows_is_flagged_whatever_its_cross_validated_score():
    found = verdict.judge(row(0.95, 0.01), guess(0.60, test=0.85), [ACCURACY], {"accuracy": 0.74}, Task.BINARY)
    assert found.level == "no_better"
    head, drop_line, test_line = found.sentences({"accuracy": "accuracy"})
    assert drop_line == (
        "On the test rows it scored accuracy 0.740, clearly below the 0.950 of cross-validation: expect results "
        "nearer 0.740 on new rows."
    )
    assert (
        test_line
        == "On the test rows, always answering 'no' does better on accuracy: 0.850, against the model's 0.740."
    )


def test_a_test_score_below_cross_validation_is_said_only_beyond_the_folds_spread():
    within = verdict.judge(row(0.95, 0.02), guess(0.60), [ACCURACY], {"accuracy": 0.92}, Task.BINARY)
    assert within.test_drop is None and len(within.sentences({})) == 1  # 0.03 lower, folds moved by 0.02 each
    beyond = verdict.judge(row(0.95, 0.01), guess(0.60), [ACCURACY], {"accuracy": 0.90}, Task.BINARY)
    assert beyond.test_drop == (0.95, 0.90) and beyond.level == "clearly"
    # folds that agree by chance do not make a two-row difference a drop: the resampled spread, per fold, counts
    lucky = verdict.judge(row(0.988, 0.004), guess(0.33), [ACCURACY], {"accuracy": 0.963}, Task.BINARY, 0.008)
    assert lucky.test_drop is None


def test_an_error_metric_counts_lower_as_better():
    baseline = {**guess(100.0, 2.0, name="rmse"), "guess": "1234"}
    assert verdict.judge(row(40.0, 2.0, "rmse"), baseline, [RMSE], {}, Task.REGRESSION).level == "clearly"
    assert verdict.judge(row(130.0, 2.0, "rmse"), baseline, [RMSE], {}, Task.REGRESSION).level == "no_better"
    words = verdict.judge(row(40.0, 2.0, "rmse"), baseline, [RMSE], {}, Task.REGRESSION).sentences({"rmse": "RMSE"})
    assert "always predicting the average (1234)" in words[0]


def test_per_class_counts_how_many_of_each_class_the_model_finds():
    found = verdict.per_class(["a", "a", "b", "b", "b"], ["a", "b", "b", "b", "a"])
    assert found == [{"class": "a", "rows": 2, "found": 1}, {"class": "b", "rows": 3, "found": 2}]


def test_the_guess_is_scored_in_the_candidates_folds_and_on_the_test_rows(tmp_path):
    import pandas as pd
    from automl_tui_engine.search import baseline, evaluate
    from automl_tui_engine.table import data

    frame = pd.DataFrame({"x": [i % 7 for i in range(100)], "y": ["yes"] * 70 + ["no"] * 30})
    dataset = data.from_frame(frame, {"name": "t.csv"}, "y")
    split = evaluate.split(dataset.X, dataset.y, dataset.task, 0.2, 5, 0)
    task_metrics = [metrics.get("balanced_accuracy"), ACCURACY]
    found = baseline.measure(split, split, dataset.task, task_metrics)
    assert found.guess == "yes" and found.folds == 5
    assert found.cv_mean["balanced_accuracy"] == pytest.approx(0.5)
    assert found.cv_mean["accuracy"] == pytest.approx(0.7, abs=0.02)
    assert found.test["accuracy"] == pytest.approx(0.7, abs=0.05)


@pytest.mark.slow
def test_a_run_on_a_table_with_no_signal_says_do_not_use_it(tmp_path, capsys):
    """Every face gets the verdict: the RunFinished event (headless, watch), run.json, and the report."""
    import automl_tui_engine as engine
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(1)
    noise = pd.DataFrame({"tenure": rng.integers(1, 72, 400), "monthly": rng.normal(70, 20, 400).round(2)})
    noise["churn"] = np.where(rng.random(400) < 0.15, "yes", "no")
    path = tmp_path / "noise.csv"
    noise.to_csv(path, index=False)
    events = []
    result = engine.run(quick_config(path, tmp_path / "runs", target="churn"), on_event=events.append)
    finished = events[-1]
    assert finished.kind == "run_finished" and finished.verdict[0].startswith("No better than guessing")
    started = next(e for e in events if e.kind == "run_started")
    assert started.baseline["balanced_accuracy"] == pytest.approx(0.5)
    info = json.loads((Path(result.run_dir) / "run.json").read_text())
    assert info["baseline"]["guess"] == "no"
    report = (Path(result.run_dir) / "report.md").read_text()
    summary = report.split("## 2.")[0]
    assert "**Is it any good?** No better than guessing" in summary
    assert "| no |" in summary and "| yes |" in summary  # the per-class table
    assert "| — | guessing (baseline) | 0.500 ± 0.000 | — | — |" in report


@pytest.mark.slow
def test_the_bundled_sample_is_clearly_better_than_guessing(tmp_path):
    import automl_tui_engine as engine

    result = engine.run(quick_config(PENGUINS, tmp_path / "runs", target="species"))
    summary = (Path(result.run_dir) / "report.md").read_text().split("## 2.")[0]
    assert "**Is it any good?** Clearly better than guessing" in summary
    assert "always answering 'Adelie'" in summary


def test_the_gap_over_guessing_has_a_standard_error_for_classes_coded_as_numbers_too(cancer):
    """The rows' spread of the gap is the verdict's steadier measure; classes written 0/1 once made it fail
    silently, leaving the folds' spread alone."""
    from types import SimpleNamespace

    import numpy as np
    from automl_tui_engine.search import baseline, evaluate
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = cancer
    y = (y == "benign").astype(int)
    folds = SimpleNamespace(X_train=X, y_train=y, cv=StratifiedKFold(3, shuffle=True, random_state=0))
    model = make_pipeline(StandardScaler(), LogisticRegression())
    proba = cross_val_predict(model, X, y, cv=folds.cv, method="predict_proba")
    classes = np.unique(y)  # as a fitted model's classes_
    out_of_fold = evaluate.OutOfFold(predictions=classes[proba.argmax(axis=1)], proba=proba, classes=classes)
    error, resamples = baseline.gap_se(out_of_fold, folds, Task.BINARY, metrics.get("balanced_accuracy"), seed=0)
    assert 0 < error < 0.1 and resamples == baseline.RESAMPLES
    # with no time to spare it stops at the fewest resamples that still measure it (issue 36: a bounded decision)
    hurried, resamples = baseline.gap_se(
        out_of_fold, folds, Task.BINARY, metrics.get("balanced_accuracy"), 0, seconds=0
    )
    assert resamples == baseline.MIN_RESAMPLES and 0.5 < hurried / error < 2
