"""Forests that sum their trees in a loop predict exactly what scikit-learn's own forests predict (same trees, same
order, same arithmetic), for classes and numbers, with missing values in the rows, and fall back to scikit-learn's
path where the loop does not apply (several jobs, several outputs)."""

import numpy as np
import pytest
from automl_tui_engine.extension.registry import models
from automl_tui_engine.search import lean_forests
from automl_tui_engine.tasks import Task
from sklearn import ensemble

PAIRS = [
    (lean_forests.LeanRandomForestClassifier, ensemble.RandomForestClassifier, "classification"),
    (lean_forests.LeanExtraTreesClassifier, ensemble.ExtraTreesClassifier, "classification"),
    (lean_forests.LeanRandomForestRegressor, ensemble.RandomForestRegressor, "regression"),
    (lean_forests.LeanExtraTreesRegressor, ensemble.ExtraTreesRegressor, "regression"),
]


def table(kind: str, rows: int = 240, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(rows, 6))
    signal = X[:, 0] + 0.5 * X[:, 1] ** 2 + rng.normal(scale=0.3, size=rows)
    X[rng.random(X.shape) < 0.05] = np.nan  # scikit-learn's trees route missing values; both paths must agree
    if kind == "classification":
        return X, np.digitize(signal, np.quantile(signal, [0.3, 0.6]))  # three classes
    return X, signal


def predictions(forest, X, kind):
    return forest.predict_proba(X) if kind == "classification" else forest.predict(X)


@pytest.mark.parametrize(("lean_class", "sklearn_class", "kind"), PAIRS, ids=lambda p: getattr(p, "__name__", p))
def test_same_predictions_as_scikit_learn_bit_for_bit(lean_class, sklearn_class, kind):
    X, y = table(kind)
    new_rows, _ = table(kind, rows=57, seed=1)
    lean = lean_class(n_estimators=30, random_state=3).fit(X, y)
    reference = sklearn_class(n_estimators=30, random_state=3).fit(X, y)
    for rows in (new_rows, new_rows[:1]):
        expected = predictions(reference, rows, kind)
        got = predictions(lean, rows, kind)
        assert got.shape == expected.shape
        assert np.array_equal(got, expected)  # not approximately: the same sums in the same order
    assert np.array_equal(lean.predict(new_rows), reference.predict(new_rows))


@pytest.mark.parametrize(("lean_class", "sklearn_class", "kind"), PAIRS, ids=lambda p: getattr(p, "__name__", p))
def test_several_jobs_or_outputs_take_scikit_learns_path(lean_class, sklearn_class, kind, monkeypatch):
    X, y = table(kind)
    looped = []
    original = lean_forests._SumsTreesInALoop._mean_of_trees
    monkeypatch.setattr(lean_forests._SumsTreesInALoop, "_mean_of_trees", lambda *a: looped.append(1) or original(*a))
    predictions(lean_class(n_estimators=5, random_state=0).fit(X, y), X, kind)
    assert looped == [1]
    predictions(lean_class(n_estimators=5, random_state=0, n_jobs=2).fit(X, y), X, kind)
    two_outputs = lean_class(n_estimators=5, random_state=0).fit(X, np.column_stack([y, y]))
    expected = sklearn_class(n_estimators=5, random_state=0).fit(X, np.column_stack([y, y]))
    assert looped == [1]
    got, want = predictions(two_outputs, X, kind), predictions(expected, X, kind)
    assert all(np.array_equal(a, b) for a, b in zip(got, want, strict=True))


def test_the_registry_builds_the_lean_forests():
    for name in ("random_forest", "extra_trees"):
        for task in Task:
            built = models.get(name).build(task, seed=0)
            assert isinstance(built, lean_forests._SumsTreesInALoop)
            assert isinstance(built, ensemble.BaseEnsemble)  # still a scikit-learn forest for all that inspects it
