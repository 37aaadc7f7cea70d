"""Every registered model and metric works on small real data, for each task it declares."""

import pytest
from automl_tui_engine.extension.registry import metrics, models
from automl_tui_engine.tasks import Task
from sklearn.datasets import load_diabetes, load_iris


def iris(task):
    X, y = load_iris(return_X_y=True, as_frame=True)
    if task is Task.BINARY:
        keep = y < 2
        return X[keep], y[keep].map({0: "setosa", 1: "versicolor"})
    return X, y.astype(str)


def regression():
    X, y = load_diabetes(return_X_y=True, as_frame=True)
    return X.head(150), y.head(150)


CASES = [(spec.name, task) for spec in models.all_models() for task in Task]


@pytest.mark.parametrize(("name", "task"), CASES)
def test_each_model_fits_and_predicts_for_its_tasks(name, task):
    spec = models.get(name)
    assert spec.supports(task)  # every built-in covers all three tasks
    X, y = regression() if task is Task.REGRESSION else iris(task)
    estimator = spec.build(task, seed=1)
    if spec.seed_param:
        assert estimator.get_params()[spec.seed_param] == 1
    estimator.fit(X, y)
    assert len(estimator.predict(X.head(5))) == 5


def test_registering_a_duplicate_name_is_refused():
    with pytest.raises(ValueError, match="already registered"):
        models.register(models.ModelSpec(name="rf", label="x", estimators={}))


def test_missing_dependency_is_skipped_not_crashed(monkeypatch):
    monkeypatch.setattr(models, "REGISTRY", models.REGISTRY.copy())
    models.register(
        models.ModelSpec(
            name="imaginary_boost",
            label="x",
            estimators={"regression": "imaginary_boost:Model"},
            dependency="imaginary_boost",
        )
    )
    usable, skipped = models.candidates(["linear", "imaginary_boost"], Task.REGRESSION)
    assert [s.name for s in usable] == ["linear"] and skipped == [("imaginary_boost", "its library is not installed")]


def test_unknown_names_get_a_suggestion():
    with pytest.raises(ValueError, match="unknown metric 'balanced_acc'.*did you mean 'balanced_accuracy'"):
        metrics.resolve("balanced_acc")
    assert models.resolve("Random-Forest") == "random_forest"


@pytest.mark.parametrize("task", list(Task))
def test_metrics_for_each_task_score_a_fitted_model(task):
    X, y = regression() if task is Task.REGRESSION else iris(task)
    estimator = models.get("linear").build(task, seed=0).fit(X, y)
    for spec in metrics.for_task(task):
        value = spec.value(task, estimator, X, y)
        assert value == value  # not NaN
        if spec.name in ("rmse", "mae", "log_loss"):
            assert value > 0 and not spec.greater_is_better  # errors are reported positive, lower is better


def test_default_primary_metric_rule():
    assert metrics.default_primary(Task.REGRESSION) == "r2"
    assert metrics.default_primary(Task.BINARY, {"a": 50, "b": 45}) == "accuracy"
    assert metrics.default_primary(Task.BINARY, {"a": 88, "b": 12}) == "balanced_accuracy"
    assert metrics.default_primary(Task.MULTICLASS, {"a": 152, "b": 124, "c": 68}) == "balanced_accuracy"


def test_a_loaded_model_gets_the_threads_of_here_and_now():
    """A model keeps the thread count of the machine that fit it; used elsewhere, or later on a busier machine, its
    threads would wait for each other on cores taken by other work."""
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    fitted_elsewhere = make_pipeline(
        StandardScaler(), models.get("lightgbm").build(Task.BINARY, seed=0, params={"n_jobs": 8})
    )
    models.use_threads(fitted_elsewhere, 1)
    assert fitted_elsewhere[-1].get_params()["n_jobs"] == 1
    without_a_thread_setting = make_pipeline(models.get("linear").build(Task.BINARY, seed=0))
    models.use_threads(without_a_thread_setting, 1)  # nothing to set: left as it is
