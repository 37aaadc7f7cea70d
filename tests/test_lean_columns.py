"""The fast column handling gives the fitted ColumnTransformer's own output, value for value, on new rows of every
kind of column: missing and infinite numbers, a column empty in training, rare, unknown and missing categories,
categories written as numbers, dates, target-encoded and text columns."""

import numpy as np
import pandas as pd
import pytest
from automl_tui_engine.table import lean_columns, preprocess
from automl_tui_engine.tasks import Task
from sklearn.compose import ColumnTransformer

ROWS = 300


def training_frame(rows=ROWS, seed=0):
    rng = np.random.default_rng(seed)
    amount = rng.normal(100, 30, rows)
    amount[rng.random(rows) < 0.1] = np.nan
    return pd.DataFrame(
        {
            "amount": amount,
            "count": rng.integers(0, 9, rows).astype("float64"),
            "always_empty": np.full(rows, np.nan),
            "constant": np.ones(rows),
            # "d" and "e" are rarer than the encoder's minimum frequency: one "infrequent" column
            "plan": rng.choice(["a", "b", "c", "d", "e", None], rows, p=[0.4, 0.3, 0.2, 0.005, 0.005, 0.09]),
            "grade": rng.choice([1, 2, 3], rows),  # categories written as numbers
            "colour": rng.choice(["red", "blue"], rows),  # no rare category: an unknown one is all zeros
            "shop": [f"shop{i}" for i in rng.integers(0, 40, rows)],
            "day": pd.date_range("2024-01-01", periods=rows, freq="31h").strftime("%Y-%m-%d %H:%M"),
            "note": [f"parcel {w} at {i}" for i, w in enumerate(rng.choice(["late", "early"], rows))],
        }
    )


PLANS = [
    preprocess.ColumnPlan("amount", "numeric", ""),
    preprocess.ColumnPlan("count", "numeric", ""),
    preprocess.ColumnPlan("always_empty", "numeric", ""),
    preprocess.ColumnPlan("constant", "numeric", ""),
    preprocess.ColumnPlan("plan", "one_hot", ""),
    preprocess.ColumnPlan("grade", "one_hot", ""),
    preprocess.ColumnPlan("colour", "one_hot", ""),
    preprocess.ColumnPlan("shop", "target_encoding", ""),
    preprocess.ColumnPlan("day", "datetime_parts", "", preprocess.DATE_PARTS),
    preprocess.ColumnPlan("note", "tfidf", ""),
]


def new_rows():
    """Rows unlike the training rows: unknown categories, infinities, a value in the column empty in training."""
    frame = training_frame(rows=60, seed=1)
    frame.loc[0:4, "plan"] = "never seen"
    frame.loc[5:9, "colour"] = "green"
    frame.loc[10:12, "amount"] = [np.inf, -np.inf, np.nan]
    frame.loc[13, "always_empty"] = 5.0
    frame.loc[14, "count"] = np.nan
    frame.loc[15, "grade"] = 7
    frame.loc[16, "plan"] = "d"
    return frame.sample(frac=1.0, random_state=0)  # the lean path selects columns by name, not order


@pytest.mark.parametrize("scaled", [True, False])
@pytest.mark.parametrize("task", [Task.BINARY, Task.REGRESSION])
def test_lean_output_is_the_column_transformers(scaled, task):
    frame = training_frame()
    y = (frame["amount"].fillna(0) > 100).astype(int) if task is Task.BINARY else frame["amount"].fillna(0) * 2.0
    columns = preprocess.build(PLANS, scaled, seed=0, task=task)
    columns.fit_transform(frame, y)
    # the lean path reads the numeric and one-hot steps; the others run as fitted
    kinds = [type(block).__name__ for block in columns.lean_blocks_]
    assert kinds.count("_Numeric") == 1 and kinds.count("_OneHot") == 1, kinds
    rows = new_rows()
    lean = columns.transform(rows)
    reference = ColumnTransformer.transform(columns, rows)
    assert lean.shape == reference.shape == (len(rows), len(columns.get_feature_names_out()))
    np.testing.assert_array_equal(lean, reference)


def test_one_row_and_extra_columns():
    columns = preprocess.build(PLANS, True, seed=0, task=Task.BINARY)
    frame = training_frame()
    columns.fit_transform(frame, (frame["grade"] > 1).astype(int))
    one = new_rows().iloc[[0]].assign(unused="x")
    np.testing.assert_array_equal(columns.transform(one), ColumnTransformer.transform(columns, one))


def test_a_missing_column_gets_scikit_learns_words():
    columns = preprocess.build(PLANS, True, seed=0, task=Task.BINARY)
    frame = training_frame()
    columns.fit_transform(frame, (frame["grade"] > 1).astype(int))
    with pytest.raises(ValueError, match="columns are missing"):
        columns.transform(frame.drop(columns=["plan"]))


def test_a_saved_pipeline_predicts_the_same_through_either_path():
    from automl_tui_engine.extension.registry import models

    frame = training_frame()
    y = (frame["amount"].fillna(0) > 100).map({True: "high", False: "low"})
    model = preprocess.pipeline(PLANS, models.get("linear"), Task.BINARY, seed=0).fit(frame, y)
    assert isinstance(model.named_steps["preprocess"], lean_columns.LeanColumnTransformer)
    rows = new_rows()
    slow = model.named_steps["model"].predict_proba(ColumnTransformer.transform(model.named_steps["preprocess"], rows))
    np.testing.assert_array_equal(model.predict_proba(rows), slow)
