"""Every search space is valid for every shape of table: a tuned trial that fails wastes the budget and, on
scikit-learn's digits, 8 of 15 did ("The classes, [0, 1, …, 9], are not in class_weight": forests cannot weight
number-like text labels, so integer class codes now stay integers)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from automl_tui_engine.extension.registry import models
from automl_tui_engine.table import data, preprocess

pytestmark = pytest.mark.slow  # hundreds of small fits
# few trees or rounds for every setting but the one under test: validity is tested here, not accuracy
CHEAP = {
    "random_forest": {"n_estimators": 10},
    "extra_trees": {"n_estimators": 10},
    "hist_gb": {"max_iter": 10},
    "lightgbm": {"n_estimators": 10},
}


def shapes() -> dict[str, pd.DataFrame]:
    from sklearn.datasets import load_digits, make_classification, make_regression

    rng = np.random.default_rng(0)
    X, y = make_classification(n_samples=160, n_features=6, n_informative=4, random_state=0)
    binary = pd.DataFrame(X, columns=[f"x{i}" for i in range(6)]).assign(target=np.where(y == 1, "yes", "no"))
    digits = load_digits(as_frame=True).frame.iloc[:200]
    digits = digits.loc[:, (digits.nunique() > 1).to_numpy()]
    labels = np.repeat([f"class {i}" for i in range(20)], 8)
    labels[-2:] = "rare"  # a class of two rows: as small as a class can be and still be split
    many = pd.DataFrame(rng.normal(size=(len(labels), 5)), columns=list("abcde")).assign(target=labels)
    Xr, yr = make_regression(n_samples=160, n_features=6, noise=5.0, random_state=0)
    regression = pd.DataFrame(Xr, columns=[f"x{i}" for i in range(6)]).assign(target=yr)
    return {"binary text labels": binary, "integer labels": digits, "many classes": many, "regression": regression}


def extremes(domain) -> list:
    """Every choice of a categorical parameter; both ends of a range."""
    if isinstance(domain, list):
        return domain
    low, high = domain["low"], domain["high"]
    return [int(low), int(high)] if domain.get("int") else [low, high]


@pytest.mark.parametrize("shape", ["binary text labels", "integer labels", "many classes", "regression"])
def test_every_setting_of_every_search_space_fits(shape):
    frame = shapes()[shape]
    dataset = data.from_frame(frame, {"path": shape, "name": shape}, "target")
    if shape == "integer labels":
        assert dataset.y.dtype == "int64"
    plans = preprocess.plan(dataset.profiles)
    failed = []
    for spec in models.REGISTRY.all():
        if not spec.is_installed() or not spec.supports(dataset.task):
            continue
        for name, domain in spec.space(dataset.task).items():
            for value in extremes(domain):
                params = {**CHEAP.get(spec.name, {}), name: value}
                pipeline = preprocess.pipeline(plans, spec, dataset.task, 0, params)
                try:
                    pipeline.fit(dataset.X, dataset.y)
                    pipeline.predict(dataset.X.head(3))
                except Exception as exc:  # collected, so one run names every bad setting
                    failed.append(f"{spec.name} {name}={value!r}: {type(exc).__name__}: {str(exc)[:80]}")
    assert failed == []
