import pandas as pd
import pytest
from automl_tui_engine.errors import UserError
from automl_tui_engine.extension.registry import metrics, models
from automl_tui_engine.search import evaluate
from automl_tui_engine.table import data, preprocess
from automl_tui_engine.tasks import Task
from sklearn.datasets import load_breast_cancer


@pytest.fixture
def cancer():
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    return X, y.map({0: "malignant", 1: "benign"})


def test_test_split_is_stratified_and_untouched_by_cv(cancer):
    X, y = cancer
    split = evaluate.split(X, y, Task.BINARY, test_size=0.2, cv_folds=5, seed=0)
    assert len(split.X_test) == 114 and len(split.X_train) == 455
    share = lambda s: (s == "malignant").mean()  # noqa: E731
    assert abs(share(split.y_test) - share(y)) < 0.01
    cv_rows = {i for _, val in split.cv.split(split.X_train, split.y_train) for i in val}
    assert cv_rows == set(range(len(split.X_train)))  # folds cover only the training part


def test_a_small_class_means_fewer_folds_with_a_warning():
    y = pd.Series(["a"] * 60 + ["b"] * 4)
    X = pd.DataFrame({"x": range(64)})
    split = evaluate.split(X, y, Task.BINARY, test_size=0.2, cv_folds=5, seed=0)
    assert split.n_folds == 3 and "3-fold" in split.warnings[0]


def test_a_class_too_small_for_two_folds_is_refused():
    y = pd.Series(["a"] * 60 + ["b"] * 2)
    X = pd.DataFrame({"x": range(62)})
    with pytest.raises(UserError, match="Class 'b' has too few rows"):
        evaluate.split(X, y, Task.BINARY, test_size=0.45, cv_folds=5, seed=0)  # one "b" row goes to the test part


def test_cross_validate_measures_score_time_latency_and_size(cancer):
    X, y = cancer
    split = evaluate.split(X, y, Task.BINARY, test_size=0.2, cv_folds=3, seed=0)
    plans = preprocess.plan([data.profile_column(c, X[c]) for c in X.columns])
    task_metrics = metrics.for_task(Task.BINARY)
    small = evaluate.cross_validate(
        preprocess.pipeline(plans, models.get("linear"), Task.BINARY, 0), split, Task.BINARY, task_metrics, 0, 2
    ).row
    big = evaluate.cross_validate(
        preprocess.pipeline(plans, models.get("random_forest"), Task.BINARY, 0), split, Task.BINARY, task_metrics, 0, 2
    ).row
    for row in (small, big):
        assert 0.85 < row["accuracy_mean"] <= 1 and row["accuracy_std"] >= 0
        assert row["log_loss_mean"] > 0 and row["fit_s"] > 0
        assert row["predict_ms_per_1k"] > 0 and row["predict_ms_single_row"] > 0
    # 200 trees are far bigger and slower to predict than 30 coefficients: the measures see it
    assert big["size_bytes"] > 20 * small["size_bytes"]
    assert big["predict_ms_per_1k"] > small["predict_ms_per_1k"]


@pytest.mark.parametrize("task", [Task.BINARY, Task.REGRESSION])
def test_fold_scores_from_kept_predictions_equal_scikit_learns_cross_validate(cancer, task):
    from sklearn.model_selection import cross_validate

    X, y = cancer
    if task is Task.REGRESSION:
        y = X.pop("mean radius")
    split = evaluate.split(X, y, task, test_size=0.2, cv_folds=3, seed=0)
    plans = preprocess.plan([data.profile_column(c, X[c]) for c in X.columns])
    pipeline = preprocess.pipeline(plans, models.get("linear"), task, 0)
    task_metrics = metrics.for_task(task)
    ours = evaluate.cross_validate(pipeline, split, task, task_metrics, 0, 1)
    theirs = cross_validate(
        pipeline, split.X_train, split.y_train, cv=split.cv, scoring={m.name: m.scorer(task) for m in task_metrics}
    )
    for m in task_metrics:
        expected = [-v if m.negated(task) else v for v in theirs[f"test_{m.name}"]]
        assert ours.fold_scores[m.name] == pytest.approx(expected, rel=1e-9), m.name
    # every training row has exactly one out-of-fold prediction
    assert len(ours.out_of_fold.predictions) == len(split.y_train)
    if task is Task.BINARY:
        assert ours.out_of_fold.proba.sum(axis=1) == pytest.approx(1.0)


def test_scores_from_one_prediction_equal_scoring_each_metric_on_its_own(cancer):
    X, y = cancer
    split = evaluate.split(X, y, Task.BINARY, test_size=0.2, cv_folds=3, seed=0)
    plans = preprocess.plan([data.profile_column(c, X[c]) for c in X.columns])
    pipeline = preprocess.pipeline(plans, models.get("hist_gb"), Task.BINARY, 0).fit(split.X_train, split.y_train)
    task_metrics = metrics.for_task(Task.BINARY)
    replay = evaluate.Replay.of(pipeline, split.X_test, Task.BINARY)
    together = evaluate.replay_scores(replay, split.y_test, Task.BINARY, task_metrics)
    one_by_one = {m.name: m.value(Task.BINARY, pipeline, split.X_test, split.y_test) for m in task_metrics}
    assert together == pytest.approx(one_by_one) and together["log_loss"] > 0


@pytest.mark.quick
def test_a_sample_of_a_regression_target_with_every_value_distinct_has_the_rows_asked_for():
    # a continuous target has as many distinct values as rows: they are not classes to keep one row of each
    X = pd.DataFrame({"x": range(8000)})
    y = pd.Series([i * 0.5 for i in range(8000)])
    sample_X, sample_y = evaluate.sample_rows(X, y, Task.REGRESSION, 5000, seed=0)
    assert len(sample_X) == len(sample_y) == 5000


@pytest.mark.quick
def test_a_stratified_sample_keeps_a_row_of_every_class_even_beyond_the_rows_asked_for():
    y = pd.Series([f"c{i % 60}" for i in range(600)])
    sample_X, sample_y = evaluate.sample_rows(pd.DataFrame({"x": range(600)}), y, Task.MULTICLASS, 40, seed=0)
    assert len(sample_y) == 60 and sample_y.nunique() == 60
