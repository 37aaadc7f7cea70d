"""Ensembles and decision thresholds: a blend kept only when it wins on rows its weights never saw, scored like the
real voting model; a cut-off moved only when it pays, and a run that saves, explains and reports what it chose."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from automl_tui_engine.extension.registry import metrics, models
from automl_tui_engine.runner import run
from automl_tui_engine.search import candidates, ensemble, evaluate, threshold
from automl_tui_engine.table import data, preprocess
from automl_tui_engine.tasks import Task
from conftest import quick_config
from test_search import csv_rows, only_run


def _evaluations(cancer, names, task=Task.BINARY):
    X, y = cancer
    split = evaluate.split(X, y, task, test_size=0.2, cv_folds=3, seed=0)
    plans = preprocess.plan([data.profile_column(c, X[c]) for c in X.columns])
    task_metrics = metrics.for_task(task)
    members = []
    for name in names:
        candidate = candidates.Candidate(name, models.get(name))
        evaluation = evaluate.cross_validate(candidate.pipeline(plans, task, 0), split, task, task_metrics, 0, 1)
        members.append(ensemble.Member(candidate, {"model": name, **evaluation.row}, evaluation))
    return split, plans, task_metrics, members


@pytest.mark.slow
def test_an_ensembles_scores_from_kept_predictions_equal_cross_validating_the_real_voting_model(cancer):
    from sklearn.model_selection import cross_validate

    split, plans, task_metrics, members = _evaluations(cancer, ["linear", "knn", "hist_gb"])
    chosen = [(members[0], 2), (members[1], 1), (members[2], 1)]
    scored = ensemble.evaluate_members(chosen, split, Task.BINARY, task_metrics, 0, 1)
    voting = candidates.Candidate("ensemble", None, members=tuple((m.candidate, w) for m, w in chosen))
    theirs = cross_validate(
        voting.pipeline(plans, Task.BINARY, 0),
        split.X_train,
        split.y_train,
        cv=split.cv,
        scoring={m.name: m.scorer(Task.BINARY) for m in task_metrics},
    )
    for m in task_metrics:
        expected = [-v if m.negated(Task.BINARY) else v for v in theirs[f"test_{m.name}"]]
        assert scored.fold_scores[m.name] == pytest.approx(expected, rel=1e-6), m.name
    assert scored.row["size_bytes"] > max(m.row["size_bytes"] for m, _ in chosen)


def _curvy_table(rows: int = 1200) -> tuple[pd.DataFrame, pd.Series]:
    """A yes/no outcome with a straight part, a wave and an interaction: each kind of model gets a different
    part right, which is when averaging them pays."""
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(rows, 6)), columns=[f"x{i}" for i in range(6)])
    logit = 1.5 * X.x0 - 1.0 * X.x1 + 2.0 * np.sin(2 * X.x2) + 1.5 * (X.x3 * X.x4 > 0)
    return X, pd.Series(np.where(rng.uniform(size=rows) < 1 / (1 + np.exp(-logit)), "yes", "no"), name="outcome")


@pytest.mark.slow
def test_an_ensemble_of_different_kinds_of_model_is_kept_when_it_wins_on_rows_its_weights_never_saw():
    split, _, _, members = _evaluations(_curvy_table(), ["linear", "knn", "hist_gb"])
    primary = metrics.get("log_loss")
    members.sort(key=lambda m: m.row["log_loss_mean"])
    chosen = ensemble.select(members, split.y_train, evaluate.fold_indices(split), Task.BINARY, primary)
    assert chosen is not None and len(chosen.members) >= 2
    scored = ensemble.evaluate_members(chosen.members, split, Task.BINARY, [primary], 0, 1, chosen.out_of_fold)
    best = members[0].evaluation.fold_scores["log_loss"]
    assert all(own < theirs for own, theirs in zip(scored.fold_scores["log_loss"], best, strict=True))


def test_an_ensemble_of_models_that_only_fit_noise_is_not_kept():
    # five "models" whose answers are coin flips: on the rows the weights are chosen on, some blend looks better
    # than the best of them; scored on rows its weights never saw, it is not
    rng = np.random.default_rng(3)
    y = pd.Series(rng.choice(["no", "yes"], 600))
    folds = [(np.setdiff1d(np.arange(600), v), v) for v in np.array_split(rng.permutation(600), 5)]
    primary = metrics.get("accuracy")
    pool = []
    for i in range(5):
        evaluation = _oof_evaluation(rng.uniform(0.3, 0.7, 600), y)
        evaluation.fold_scores[primary.name] = ensemble.fold_scores(
            evaluation.out_of_fold.predictions,
            evaluation.out_of_fold.proba,
            np.array(["no", "yes"]),
            y,
            folds,
            Task.BINARY,
            primary,
        )
        pool.append(ensemble.Member(None, {"model": f"noise {i}"}, evaluation))
    pool.sort(key=lambda m: -np.mean(m.evaluation.fold_scores[primary.name]))
    assert ensemble.select(pool, y, folds, Task.BINARY, primary) is None


def _oof_evaluation(positive_proba, y):
    proba = np.column_stack([1 - positive_proba, positive_proba])
    predictions = np.where(positive_proba >= 0.5, "yes", "no")
    oof = evaluate.OutOfFold(predictions, proba, np.array(["no", "yes"]))
    return evaluate.Evaluation({}, {}, oof, None)


def test_the_threshold_moves_when_the_default_cut_off_misses_the_rare_class():
    rng = np.random.default_rng(0)
    y = pd.Series(["yes"] * 30 + ["no"] * 270)
    # the model ranks well but its probabilities for the rare class never reach 0.5
    positive = np.where(y == "yes", rng.uniform(0.25, 0.45, len(y)), rng.uniform(0.0, 0.3, len(y)))
    folds = [(np.setdiff1d(np.arange(300), v), v) for v in np.array_split(rng.permutation(300), 3)]
    _, tuned = threshold.at_own_threshold(_oof_evaluation(positive, y), y, folds, metrics.get("balanced_accuracy"), [])
    assert tuned is not None and 0.2 < tuned.value < 0.45
    assert tuned.score_default == pytest.approx(0.5) and tuned.score_tuned > 0.85


def test_a_candidate_is_ranked_at_its_own_threshold_and_probability_scores_stay():
    rng = np.random.default_rng(1)
    y = pd.Series(["yes"] * 30 + ["no"] * 270)
    positive = np.where(y == "yes", rng.uniform(0.25, 0.45, len(y)), rng.uniform(0.0, 0.3, len(y)))
    folds = [(np.setdiff1d(np.arange(300), v), v) for v in np.array_split(rng.permutation(300), 3)]
    evaluation = _oof_evaluation(positive, y)
    scored = [metrics.get(name) for name in ("balanced_accuracy", "accuracy", "log_loss")]
    for m in scored:
        values = ensemble.fold_scores(
            evaluation.out_of_fold.predictions,
            evaluation.out_of_fold.proba,
            np.array(["no", "yes"]),
            y,
            folds,
            Task.BINARY,
            m,
        )
        evaluation.fold_scores[m.name] = values
        evaluation.row[f"{m.name}_mean"] = float(np.mean(values))
    at_own, tuned = threshold.at_own_threshold(evaluation, y, folds, scored[0], scored)
    assert tuned is not None and at_own.row["threshold"] == tuned.value and tuned.positive == "yes"
    assert at_own.row["balanced_accuracy_mean"] == pytest.approx(tuned.score_tuned)
    assert at_own.row["balanced_accuracy_mean"] > evaluation.row["balanced_accuracy_mean"] + 0.3
    assert at_own.row["accuracy_mean"] != evaluation.row["accuracy_mean"]  # every label metric at the same cut-off
    assert at_own.row["log_loss_mean"] == evaluation.row["log_loss_mean"]  # probabilities do not move
    # each fold is labelled at one cut-off (the one the other folds chose): "yes" is exactly the likelier rows
    for _, validation in folds:
        said_yes = at_own.out_of_fold.predictions[validation] == "yes"
        assert said_yes.any() and positive[validation][said_yes].min() > positive[validation][~said_yes].max()


def test_the_threshold_stays_when_moving_it_does_not_pay():
    y = pd.Series(["yes"] * 150 + ["no"] * 150)
    positive = np.where(y == "yes", 0.9, 0.1)
    folds = [(np.arange(150, 300), np.arange(150)), (np.arange(150), np.arange(150, 300))]
    assert threshold.at_own_threshold(_oof_evaluation(positive, y), y, folds, metrics.get("accuracy"), [])[1] is None
    assert not threshold.applies(Task.BINARY, metrics.get("roc_auc"))  # a probability metric ignores the cut-off


@pytest.mark.slow
def test_an_imbalanced_run_saves_and_reports_the_tuned_threshold(tmp_path, cancer):
    from automl_tui_engine.predict import load_model
    from sklearn.model_selection import FixedThresholdClassifier

    X, y = cancer
    rare = y[y == "malignant"].index[:30]
    keep = y.index[(y == "benign") | y.index.isin(rare)]
    path = tmp_path / "imbalanced.csv"
    X.loc[keep, ["mean radius", "mean texture"]].assign(target=y[keep]).to_csv(path, index=False)
    run(quick_config(path, tmp_path / "runs", models=["linear"], primary_metric="balanced_accuracy"))
    folder = only_run(tmp_path / "runs")
    tuned = json.loads((folder / "run.json").read_text())["refit"]["threshold"]
    assert tuned is not None and tuned["value"] != 0.5 and tuned["score_tuned"] > tuned["score_default"]
    assert isinstance(load_model(folder).named_steps["model"], FixedThresholdClassifier)
    report = (folder / "report.md").read_text()
    assert "decision threshold" in report
    # 30 of 387 rows: the warning names the metric this run ranked by
    assert "class 'malignant' is only 7.8% of the rows" in report and "The ranking uses balanced accuracy" in report
    # it was ranked at the cut-off it is saved with: its leaderboard score is the tuned one
    (row,) = [r for r in csv_rows(folder, "leaderboard.csv") if r["model"] == "linear"]
    assert float(row["threshold"]) == tuned["value"]
    assert float(row["balanced_accuracy_mean"]) == pytest.approx(tuned["score_tuned"])


@pytest.mark.slow
def test_a_recommended_ensemble_is_saved_explained_and_predicts_like_its_test_run(tmp_path):
    from automl_tui_engine.predict import predict_file

    X, y = _curvy_table()
    table = tmp_path / "curvy.csv"
    X.assign(outcome=y).to_csv(table, index=False)
    config = quick_config(
        table,
        tmp_path / "runs",
        models=["linear", "knn", "hist_gb"],
        ensemble=True,
        priority="accuracy",
        primary_metric="log_loss",
        explain=True,
    )
    result = run(config)
    folder = only_run(tmp_path / "runs")
    leaderboard = pd.read_csv(folder / "leaderboard.csv")
    assert "ensemble" in set(leaderboard["model"]) and result.recommended == "ensemble"
    info = json.loads((folder / "run.json").read_text())
    assert len(info["refit"]["candidate"]["members"]) >= 2
    assert "SHAP" in info["missing"]  # not for an ensemble, and the report says why
    assert json.loads((folder / "explanation.json").read_text())["permutation_importance"]
    tested = pd.read_csv(folder / "test_predictions.csv")
    rows = pd.read_csv(table).iloc[tested["row"] - 1]
    again = tmp_path / "again.csv"
    rows.to_csv(again, index=False)
    predicted = pd.read_csv(predict_file(folder, again).out_path)
    assert (predicted["prediction"].to_numpy() == tested["prediction"].to_numpy()).all()
    assert "weighted average of" in (folder / "report.md").read_text()
