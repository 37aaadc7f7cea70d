"""Warnings worth reading before trusting a score: leakage, imbalance, tiny classes, test rows copied from training."""

import pandas as pd
from automl_tui_engine.extension.registry import metrics
from automl_tui_engine.search import evaluate
from automl_tui_engine.table import checks, data
from automl_tui_engine.tasks import Task
from sklearn.datasets import load_breast_cancer, load_diabetes


def cancer():
    frame = load_breast_cancer(as_frame=True).frame
    return frame.drop(columns="target"), frame["target"].map({0: "malignant", 1: "benign"})


def profiles(X):
    return [data.profile_column(c, X[c]) for c in X.columns]


def test_a_column_derived_from_the_target_is_flagged_as_leakage():
    X, y = cancer()
    X = X.assign(diagnosis_code=y.str[:1])  # known only after the diagnosis
    found = checks.data_warnings(X, y, Task.BINARY, profiles(X))
    assert len(found) == 1 and "'diagnosis_code' alone gets the target right for 100.0% of rows" in found[0]
    assert checks.data_warnings(*cancer(), Task.BINARY, profiles(cancer()[0])) == []  # honest columns: no warning


def test_leakage_in_regression():
    frame = load_diabetes(as_frame=True, scaled=False).frame
    X, y = frame.drop(columns="target"), frame["target"]
    X = X.assign(target_in_cents=y * 100)
    found = checks.data_warnings(X, y, Task.REGRESSION, profiles(X))
    assert any("'target_in_cents' follows the target almost exactly (correlation 1.000)" in w for w in found)


def test_tiny_classes():
    X, y = cancer()
    keep = (y == "benign") | (y.index < 8)  # 8 malignant rows among 357 benign ones
    X, y = X[keep], y[keep]
    found = " ".join(checks.data_warnings(X, y, Task.BINARY, profiles(X)))
    assert "fewer than 10 rows: malignant (" in found


def test_heavy_imbalance_is_judged_against_an_even_share_and_names_the_metric_that_ranks():
    """8 of 365 rows (2.2%) is heavy for two classes; ten classes of 174–183 rows each are even although each
    holds under 10% of the rows (issue 35). The sentence names the metric the run ranks by."""
    balanced = metrics.get("balanced_accuracy")
    two = {"benign": 357, "malignant": 8}
    said = checks.imbalance_warning(two, balanced)
    assert "class 'malignant' is only 2.2% of the rows, against 50.0% if the 2 classes were even" in said
    assert "The ranking uses balanced accuracy" in said
    assert "plain accuracy, as you chose" in checks.imbalance_warning(two, metrics.get("accuracy"))
    ten = {str(digit): rows for digit, rows in enumerate([178, 182, 177, 183, 181, 182, 181, 179, 174, 180])}
    assert checks.imbalance_warning(ten, metrics.get("accuracy")) is None
    # the border: a fifth of an even share (10% of the rows for two classes)
    assert checks.imbalance_warning({"a": 90, "b": 10}, balanced) is not None
    assert checks.imbalance_warning({"a": 89, "b": 11}, balanced) is None
    # and the metric a run picks by itself for a heavily imbalanced table counts every class alike
    assert metrics.default_primary(Task.BINARY, two) == "balanced_accuracy"


def test_test_rows_copied_from_training_rows_are_counted():
    X, y = cancer()
    X, y = pd.concat([X, X.head(100)], ignore_index=True), pd.concat([y, y.head(100)], ignore_index=True)
    split = evaluate.split(X, y, Task.BINARY, 0.2, 3, 0)
    warning = checks.overlap_warning(split.X_train, split.y_train, split.X_test, split.y_test)
    assert warning is not None and f"of the {len(split.X_test)} test rows are exact copies" in warning
    clean = evaluate.split(*cancer(), Task.BINARY, 0.2, 3, 0)
    assert checks.overlap_warning(clean.X_train, clean.y_train, clean.X_test, clean.y_test) is None


def test_purity_is_the_share_of_rows_the_most_common_target_of_their_value_gets_right():
    # counted by hand: a → (x, x, y), b → (y, y), missing → (x); numbers of many values are judged in 20 bins
    column = pd.Series(["a", "a", "a", "b", "b", None])
    y = pd.Series(["x", "x", "y", "y", "y", "x"])
    assert checks._purity(column, y) == 5 / 6
    numbers = pd.Series(range(1000), dtype=float)
    by_bin = pd.Series((numbers // 50 % 2).map({0.0: "even", 1.0: "odd"}))  # each 50-row bin holds one class
    assert checks._purity(numbers, by_bin) == 1.0
    assert checks._purity(numbers, pd.Series(["even", "odd"] * 500)) == 0.5
