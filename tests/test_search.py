"""The search: hard time budget, tuning, reproducible trials, ensembles and decision thresholds."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from automl_tui_engine.extension.registry import metrics, models
from automl_tui_engine.runner import run
from automl_tui_engine.search import budget, candidates, ensemble, evaluate, threshold
from automl_tui_engine.table import data, preprocess
from conftest import quick_config


@pytest.fixture
def cancer():
    from sklearn.datasets import load_breast_cancer

    frame = load_breast_cancer(as_frame=True).frame
    return frame.drop(columns=["target"]), frame["target"].map({0: "malignant", 1: "benign"})


def only_run(out):
    (folder,) = out.iterdir()
    return folder


def test_cheap_models_come_first_counting_prediction():
    names = [s.name for s in candidates.order([models.get(n) for n in ("random_forest", "knn", "linear", "hist_gb")])]
    assert names == ["linear", "hist_gb", "knn", "random_forest"]


def test_estimate_grows_with_models_and_folds(penguins_csv):
    dataset = data.load(penguins_csv, "species")
    split = evaluate.split(dataset.X, dataset.y, dataset.task, 0.2, 3, 0)
    baseline = candidates.measure_baseline(
        preprocess.plan(dataset.profiles), split.X_train, split.y_train, dataset.task, seed=0
    )
    assert baseline.fit_s > 0 and baseline.batch_s > 0 and baseline.call_s > 0
    one = candidates.estimate_seconds(baseline, [models.get("linear")], cv_folds=3, repeats=3)
    many = candidates.estimate_seconds(baseline, [models.get(n) for n in ("linear", "hist_gb")], cv_folds=3, repeats=3)
    more_folds = candidates.estimate_seconds(baseline, [models.get(n) for n in ("linear", "hist_gb")], 10, 3)
    assert 0 < one < many < more_folds


@pytest.mark.slow
def test_a_slow_candidate_is_stopped_by_the_budget_and_recorded(tmp_path, breast_cancer_csv, extra_models):
    config = quick_config(
        breast_cancer_csv, tmp_path / "runs", models=["linear", "slow"], time_budget_s=6, max_trials=None
    )
    result = run(config)
    assert result.elapsed_s <= 6 + budget.grace(6)
    results = pd.read_csv(only_run(tmp_path / "runs") / "results_summary.csv")
    slow = results[results["model"] == "slow"].iloc[0]
    assert slow["status"] == "stopped" and "budget" in slow["reason"]
    assert result.recommended.startswith("linear") and (only_run(tmp_path / "runs") / "model.joblib").is_file()


@pytest.mark.slow
def test_a_run_with_tuning_ends_within_its_budget_and_says_why_the_search_stopped(tmp_path, penguins_csv):
    config = quick_config(
        penguins_csv, tmp_path / "runs", target="species", time_budget_s=8, max_trials=None, models=["linear", "knn"]
    )
    result = run(config)
    assert result.elapsed_s <= 8 + budget.grace(8)
    folder = only_run(tmp_path / "runs")
    info = json.loads((folder / "run.json").read_text())
    assert info["search"]["stop"] in ("budget", "patience") and info["search"]["tuned"] >= 1
    assert "The search tried" in (folder / "report.md").read_text()


def test_a_pooled_score_is_over_the_folds_of_both_sets_and_keeps_the_first_sets_predictions():
    def evaluation(scores):
        row = {"folds": len(scores), "r2_mean": float(np.mean(scores)), "r2_std": float(np.std(scores)), "fit_s": 1.0}
        return evaluate.Evaluation(row, {"r2": scores}, out_of_fold=f"oof {scores}", fold_model=f"model {scores}")

    first, second = evaluation([0.30, 0.20, 0.10]), evaluation([0.0, 0.05, 0.05])
    both = evaluate.pooled(first, second)
    assert both.row["folds"] == 6
    assert both.row["r2_mean"] == pytest.approx(0.7 / 6)
    assert both.row["r2_std"] == pytest.approx(np.std([0.30, 0.20, 0.10, 0.0, 0.05, 0.05]))
    assert (both.fold_scores, both.out_of_fold, both.fold_model) == (
        first.fold_scores,
        "oof [0.3, 0.2, 0.1]",
        "model [0.3, 0.2, 0.1]",
    )
    assert first.row["r2_mean"] == pytest.approx(0.2)  # the first evaluation is left as it was


def test_candidates_entering_the_best_are_scored_on_a_second_set_of_folds_too(tmp_path, diabetes_csv):
    def ran(out, confirm_top):
        models = ["linear", "knn", "hist_gb"]
        run(quick_config(diabetes_csv, out, target="target", models=models, confirm_top=confirm_top))
        folder = only_run(out)
        board = pd.read_csv(folder / "leaderboard.csv").set_index("model")
        return board, json.loads((folder / "run.json").read_text())["search"], (folder / "report.md").read_text()

    plain, plain_search, plain_report = ran(tmp_path / "plain", 0)
    checked, search, report = ran(tmp_path / "checked", 1)
    assert set(plain["folds"]) == {3} and plain_search["confirmed"] == 0
    assert "shuffled another way" not in plain_report
    # the first candidate always enters the best one; the others only when they beat the leader so far
    assert checked.loc["linear", "folds"] == 6
    assert set(checked["folds"]) <= {3, 6} and search["confirmed"] == (checked["folds"] == 6).sum()
    for model in checked.index[checked["folds"] == 6]:
        assert checked.loc[model, "r2_mean"] != plain.loc[model, "r2_mean"]  # a second opinion on other folds
    for model in checked.index[checked["folds"] == 3]:
        assert checked.loc[model, "r2_mean"] == plain.loc[model, "r2_mean"]
    assert f"The {search['confirmed']} candidates that reached the best 1" in report


def test_a_forest_is_also_offered_with_a_quarter_of_its_trees_as_a_tuned_candidate(tmp_path, penguins_csv):
    def ran(out, max_trials):
        run(quick_config(penguins_csv, out, target="species", models=["linear", "extra_trees"], max_trials=max_trials))
        folder = only_run(out)
        return pd.read_csv(folder / "leaderboard.csv").set_index("model"), folder

    board, folder = ran(tmp_path / "one", 1)
    light, full = board.loc["extra_trees #1"], board.loc["extra_trees"]
    assert json.loads(light["params"]) == {"family": "extra_trees", "params": {"n_estimators": 50}}
    assert light["size_bytes"] < full["size_bytes"] / 2  # a quarter of the trees: far smaller on disk
    stages = pd.read_csv(folder / "results_summary.csv").set_index("model")["stage"]
    assert stages["extra_trees #1"] == "tuned" and stages["extra_trees"] == "default"
    # it is one of the tuned candidates --max-trials counts: none when no tuning is asked for
    none, _ = ran(tmp_path / "none", 0)
    assert set(none.index) == {"linear", "extra_trees"}


def test_a_candidate_already_tried_is_never_trained_again_and_a_spent_space_ends_the_tuning():
    """Four possible settings in all: four candidates, then none (the sampler only repeats itself)."""
    tiny = models.ModelSpec(
        name="tiny",
        estimators={"classification": "sklearn.linear_model:LogisticRegression"},
        search_space={"C": [0.1, 1.0], "fit_intercept": [True, False]},
    )
    tuner = candidates.Tuner([tiny], "binary", seed=0, greater_is_better=True)
    tried = []
    while (candidate := tuner.ask()) is not None:
        tried.append(json.dumps(candidate.params, sort_keys=True))
        tuner.tell(candidate, 0.5 + 0.1 * len(tried))
        assert len(tried) <= 4, tried
    assert len(tried) == len(set(tried)) == 4


@pytest.mark.slow
def test_max_trials_runs_repeat_exactly(tmp_path, penguins_csv):
    def leaderboard(out):
        config = quick_config(penguins_csv, out, target="species", max_trials=5, models=["linear", "knn", "hist_gb"])
        run(config)
        frame = pd.read_csv(only_run(out) / "leaderboard.csv")
        scores = frame[["model", "params"] + [c for c in frame.columns if c.endswith(("_mean", "_std"))]]
        return scores.sort_values("model").reset_index(drop=True)  # equal scores are ordered by measured speed

    first, second = leaderboard(tmp_path / "a"), leaderboard(tmp_path / "b")
    assert len(first) == 3 + 5 - (pd.read_csv(only_run(tmp_path / "a") / "results_summary.csv")["status"] != "ok").sum()
    assert first["model"].str.contains("#").any()  # tuned candidates are on the leaderboard
    pd.testing.assert_frame_equal(first, second)  # same seed, same trials: the same scores, bit for bit


def test_tuned_parameters_stay_inside_the_declared_spaces():
    specs = [models.get("linear"), models.get("lightgbm")]
    tuner = candidates.Tuner(specs, "binary", seed=0, greater_is_better=True)
    for _ in range(12):
        candidate = tuner.ask()
        space = candidate.spec.space("binary")
        assert set(candidate.params) == set(space)
        for name, value in candidate.params.items():
            domain = space[name]
            assert value in domain if isinstance(domain, list) else domain["low"] <= value <= domain["high"]
        tuner.tell(candidate, 0.5)


def _evaluations(cancer, names, task="binary"):
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
    scored = ensemble.evaluate_members(chosen, split, "binary", task_metrics, 0, 1)
    voting = candidates.Candidate("ensemble", None, members=tuple((m.candidate, w) for m, w in chosen))
    theirs = cross_validate(
        voting.pipeline(plans, "binary", 0),
        split.X_train,
        split.y_train,
        cv=split.cv,
        scoring={m.name: m.scorer("binary") for m in task_metrics},
    )
    for m in task_metrics:
        expected = [-v if m.negated("binary") else v for v in theirs[f"test_{m.name}"]]
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
    chosen = ensemble.select(members, split.y_train, evaluate.fold_indices(split), "binary", primary)
    assert chosen is not None and len(chosen.members) >= 2
    scored = ensemble.evaluate_members(chosen.members, split, "binary", [primary], 0, 1, chosen.out_of_fold)
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
            "binary",
            primary,
        )
        pool.append(ensemble.Member(None, {"model": f"noise {i}"}, evaluation))
    pool.sort(key=lambda m: -np.mean(m.evaluation.fold_scores[primary.name]))
    assert ensemble.select(pool, y, folds, "binary", primary) is None


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
            "binary",
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
    assert not threshold.applies("binary", metrics.get("roc_auc"))  # a probability metric ignores the cut-off


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
    assert "decision threshold" in (folder / "report.md").read_text()
    # it was ranked at the cut-off it is saved with: its leaderboard score is the tuned one
    (row,) = [r for r in _rows(folder, "leaderboard.csv") if r["model"] == "linear"]
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


def test_a_time_limit_a_library_turned_into_its_own_error_is_still_the_time_running_out():
    """Seen on a busy machine: the limit expired inside scikit-learn's check of Pipeline.predict, which raises
    "has no attribute 'predict'" from any error; the candidate was called failed instead of stopped."""

    class Library:
        def predict(self):
            try:
                raise budget.BudgetExceeded  # as the timer signal would, mid-call
            except Exception as exc:
                raise AttributeError("This 'Pipeline' has no attribute 'predict'") from exc

    with pytest.raises(budget.BudgetExceeded), budget.time_limit(60):
        Library().predict()
    with pytest.raises(AttributeError), budget.time_limit(60):  # a real error of the library stays one
        raise AttributeError("no such thing")


def test_the_figures_of_a_budget_stop_never_read_as_no_reason_to_stop():
    """Seen under load: "needed about 0.0 s and 0.00 s could be given". Whatever the two times, when one is more
    than the other, the words say so."""
    rng = np.random.default_rng(0)
    for left in rng.uniform(0, 5, 2000):
        needed = left + rng.uniform(1e-6, 0.02)
        assert budget.round_up(needed) > budget.round_down(left)


@pytest.mark.slow
def test_a_failed_trial_is_not_a_trial_without_a_gain(tmp_path, cancer, monkeypatch):
    """Tuning stops after `patience` trials that finished without a gain; trials that failed do not count."""
    monkeypatch.setattr(models, "REGISTRY", models.REGISTRY.copy())
    models.register(
        models.ModelSpec(
            name="flaky",
            seed_param=None,
            estimators={"classification": "broken_estimator:FlakyClassifier"},
            search_space={"fail": [True, False], "strategy": ["prior", "most_frequent", "stratified", "uniform"]},
        )
    )
    X, y = cancer
    path = tmp_path / "cancer.csv"
    X.assign(target=y).to_csv(path, index=False)
    run(quick_config(path, tmp_path / "runs", models=["flaky"], max_trials=None, patience=3, time_budget_s=120, seed=2))
    folder = only_run(tmp_path / "runs")
    tuned = [r for r in _rows(folder, "results_summary.csv") if r["stage"] == "tuned"]
    statuses = [r["status"] for r in tuned]
    assert "failed" in statuses  # the space has a failing corner, and the search met it
    assert json.loads((folder / "run.json").read_text())["search"]["stop"] == "patience"
    # the three that finished (or were pruned) without a gain ended it, failures aside
    assert statuses.count("ok") + statuses.count("pruned") == 3


@pytest.mark.quick
def test_a_forest_is_made_with_the_trees_that_fit_the_time_it_can_be_given():
    # a tenth of 200 trees took 1 s of the 21 s: three folds of 66 trees take about half of the 20 s left
    assert budget.parts_that_fit(200, 20, 1.0, 21.0, 3) == 66
    assert budget.parts_that_fit(200, 20, 0.01, 21.0, 3) == 200  # all of them fit: never more
    assert budget.parts_that_fit(200, 20, 5.0, 6.0, 3) == 20  # not even the probe's again: the timer decides


@pytest.mark.slow
def test_a_sized_forest_and_its_tuned_candidates_are_compared_refit_and_reported_with_that_size(
    tmp_path, penguins_csv, monkeypatch
):
    import joblib

    monkeypatch.setattr(budget, "parts_that_fit", lambda full, probe, probe_s, left, folds: 7)
    config = quick_config(
        penguins_csv, tmp_path / "runs", target="species", models=["random_forest"], max_trials=None, patience=2
    )
    result = run(config)
    params = {row["model"]: json.loads(row["params"])["params"] for row in _rows(result.run_dir, "leaderboard.csv")}
    assert params["random_forest"] == {"n_estimators": 7}
    assert len(params) > 1 and all(p["n_estimators"] == 7 for p in params.values())  # the tuned ones too
    assert any("random_forest was made with 7 trees instead of 200" in w for w in result.warnings)
    forest = joblib.load(Path(result.run_dir, "model.joblib"))[-1]
    assert len(forest.estimators_) == 7  # the model kept is the one that was compared


@pytest.mark.slow
def test_a_run_of_a_fixed_number_of_trials_keeps_every_forest_whole(tmp_path, penguins_csv, monkeypatch):
    monkeypatch.setattr(budget, "parts_that_fit", lambda full, probe, probe_s, left, folds: 7)
    config = quick_config(penguins_csv, tmp_path / "runs", target="species", models=["random_forest"], max_trials=2)
    result = run(config)  # no clock: sizing by time would make the same command give other models
    params = {row["model"]: json.loads(row["params"])["params"] for row in _rows(result.run_dir, "leaderboard.csv")}
    # the default whole; its two tuned candidates are the lighter forests, a quarter of the 200 trees by design,
    # then a quarter of those
    assert params == {
        "random_forest": {},
        "random_forest #1": {"n_estimators": 50},
        "random_forest #2": {"n_estimators": 12},
    }
    assert not any("trees instead" in w for w in result.warnings)


def _rows(run_dir: str | Path, name: str) -> list[dict[str, str]]:
    """A run folder's CSV as text rows (utf-8-sig: the run writes a byte order mark for Excel)."""
    with open(Path(run_dir, name), newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


@pytest.mark.quick
def test_settings_too_close_to_fit_another_model_are_one_candidate():
    # linear's classification space: C on a log scale from 0.001 to 100, two class weightings
    tuner = candidates.Tuner([models.get("linear")], "binary", seed=0, greater_is_better=True)
    tried = []
    while (candidate := tuner.ask()) is not None and len(tried) < 200:
        tried.append(candidate.params)
        tuner.tell(candidate, 0.5 + 1e-4 * len(tried))
    values = sorted({p["C"] for p in tried})
    assert len(tried) <= 2 * (5 * candidates.LOG_STEPS_PER_DECADE + 1)  # the grid, not 200 slightly different Cs
    assert all(b / a > 1.4 for a, b in zip(values, values[1:], strict=False))  # a grid step (×1.47) apart
    assert values[0] >= 0.001 and values[-1] <= 100


@pytest.mark.quick
def test_the_search_keeps_back_time_for_refitting_a_model_likely_to_be_recommended_not_the_slowest():
    from automl_tui_engine import config as config_mod

    fast = {"fit_s": 0.1, "predict_ms_per_1k": 5.0}
    slow = {"fit_s": 10.0, "predict_ms_per_1k": 50.0}
    settings = config_mod.build("fast", {"data": "x.csv"})
    best_first = [fast, fast, fast, slow]  # the slow one ranks fourth: it will not be recommended
    assert budget.after_search_s(settings, best_first, 1.5, 1000) < budget.after_search_s(
        settings, [slow, fast, fast, fast], 1.5, 1000
    )
    assert budget.after_search_s(settings, best_first, 1.5, 1000) == budget.after_search_s(
        settings, best_first[:3], 1.5, 1000
    )
