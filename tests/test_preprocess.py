"""The ColumnTransformer built from the profile fits real mixed data and predicts on raw rows."""

import pandas as pd
import pytest
from automl_tui_engine.extension.registry import models
from automl_tui_engine.table import data, preprocess
from automl_tui_engine.tasks import Task


def mixed_frame(rows=120):
    return pd.DataFrame(
        {
            "row_id": range(rows),
            "amount": [float(i % 17) if i % 10 else None for i in range(rows)],
            "flag": [bool(i % 3) for i in range(rows)],
            "plan": [["basic", "pro", "team", None][i % 4] for i in range(rows)],
            "shop": [f"shop{i % 40}" for i in range(rows)],  # 40 values: target-encoded
            "day": pd.date_range("2024-01-01", periods=rows, freq="37h").strftime("%Y-%m-%d %H:%M"),
            "note": [f"delivery {['late', 'early', 'on time'][i % 3]} for order {i} item {i % 9}" for i in range(rows)],
            "target": ["yes" if (i % 17) > 8 or i % 4 == 1 else "no" for i in range(rows)],
        }
    )


def plans_for(frame):
    return preprocess.plan([data.profile_column(c, frame[c]) for c in frame.columns if c != "target"])


def test_each_column_gets_a_treatment_and_a_reason():
    treatments = {p.column: p.treatment for p in plans_for(mixed_frame())}
    assert treatments == {
        "row_id": "dropped",
        "amount": "numeric",
        "flag": "numeric",
        "plan": "one_hot",
        "shop": "target_encoding",
        "day": "datetime_parts",
        "note": "tfidf",
    }
    assert all(p.reason for p in plans_for(mixed_frame()))


@pytest.mark.parametrize("model", ["linear", "hist_gb"])
def test_pipeline_fits_mixed_data_and_handles_unseen_categories(model):
    frame = mixed_frame()
    X, y = frame.drop(columns="target"), frame["target"]
    pipe = preprocess.pipeline(plans_for(frame), models.get(model), Task.BINARY, seed=0)
    pipe.fit(X, y)
    fresh = X.head(3).copy()
    fresh["plan"] = "enterprise"  # never seen in training
    fresh["shop"] = "new shop"
    fresh["amount"] = None
    assert set(pipe.predict(fresh)) <= {"yes", "no"}
    names = pipe.named_steps["preprocess"].get_feature_names_out()
    assert not any("row_id" in n for n in names)
    assert any("day_month" in n for n in names)


def numeric_step_names(transformer):
    numeric = next(step for name, step, _ in transformer.transformers if name == "numeric")
    return [type(step).__name__ for _, step in numeric.steps]


def test_scaling_only_for_models_that_need_it():
    plans = plans_for(mixed_frame())
    assert (
        numeric_step_names(preprocess.build(plans, needs_scaling=True, seed=0, task=Task.BINARY))[-1]
        == "StandardScaler"
    )
    assert "StandardScaler" not in numeric_step_names(
        preprocess.build(plans, needs_scaling=False, seed=0, task=Task.BINARY)
    )


def test_a_date_only_column_gets_no_hour_and_a_column_with_times_keeps_it():
    frame = pd.DataFrame(
        {
            "signed": pd.date_range("2024-01-01", periods=60, freq="D").astype(str),
            "seen": pd.date_range("2024-01-01 08:30", periods=60, freq="7h").astype(str),
            "target": ["a", "b"] * 30,
        }
    )
    plans = {p.column: p for p in plans_for(frame)}
    assert plans["signed"].parts == ("year", "month", "day", "day_of_week")
    assert "no time of day" in plans["signed"].reason
    assert plans["seen"].parts[-1] == "hour"
    pipe = preprocess.pipeline(list(plans.values()), models.get("linear"), Task.BINARY, seed=0)
    pipe.fit(frame[["signed", "seen"]], frame["target"])
    names = list(pipe.named_steps["preprocess"].get_feature_names_out())
    assert not any(name.endswith("signed_hour") for name in names)
    assert any(name.endswith("seen_hour") for name in names)


def test_a_model_saved_before_categories_became_arrays_predicts_the_same_without_warnings():
    import pickle
    import warnings

    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer, OneHotEncoder

    rows = pd.DataFrame({"island": ["Biscoe", "Dream", None, "Dream"]})
    # the one-hot step as models saved before 2026-11-29 hold it: fitted on a frame, naming the old function
    saved = make_pipeline(
        FunctionTransformer(preprocess.categories_as_text, feature_names_out="one-to-one"),
        OneHotEncoder(handle_unknown="infrequent_if_exist", sparse_output=False),
    ).fit(rows)
    loaded = pickle.loads(pickle.dumps(saved))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # scikit-learn's feature-name warning would fail here
        encoded = loaded.transform(rows)
    assert encoded.tolist() == [[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 1, 0]]  # Biscoe, Dream, missing
