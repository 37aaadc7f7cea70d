"""Explanations in the table's own column names, that add up to what the model outputs."""

import numpy as np
import pytest
from automl_tui_engine.extension.registry import metrics, models
from automl_tui_engine.outputs import explain
from automl_tui_engine.search import evaluate
from automl_tui_engine.table import data, preprocess
from automl_tui_engine.tasks import Task


def fitted(penguins_csv, target, model):
    dataset = data.load(penguins_csv, target)
    split = evaluate.split(dataset.X, dataset.y, dataset.task, 0.2, 3, 0)
    pipeline = preprocess.pipeline(preprocess.plan(dataset.profiles), models.get(model), dataset.task, 0)
    pipeline.fit(split.X_train, split.y_train)
    primary = metrics.get(metrics.default_primary(dataset.task, dataset.class_counts))
    found = explain.explain(
        pipeline, split.X_train, split.X_test, split.y_test, dataset.task, primary.scorer(dataset.task), seed=0
    )
    return dataset, split, pipeline, found


def model_output(pipeline, rows, task):
    features = pipeline.named_steps["preprocess"].transform(rows)
    model = pipeline.named_steps["model"]
    if task is Task.REGRESSION:
        return model.predict(features)
    if hasattr(model, "decision_function") and task is Task.BINARY:
        return model.decision_function(features)  # linear and boosting explainers explain the margin
    return model.predict_proba(features)


@pytest.mark.parametrize(
    ("target", "model", "explainer"),
    [
        ("body_mass_g", "hist_gb", "tree"),
        ("sex", "linear", "linear"),
        ("species", "random_forest", "tree"),
        ("sex", "knn", "kernel"),
    ],
)
def test_shap_values_use_original_columns_and_add_up(penguins_csv, target, model, explainer):
    dataset, split, pipeline, found = fitted(penguins_csv, target, model)
    assert found.explainer == explainer and found.shap_error is None
    assert set(found.columns) == set(dataset.X.columns)  # island, sex, species: not island_Biscoe etc.
    assert found.values.shape == (len(found.rows), len(found.columns))
    output = model_output(pipeline, found.rows, dataset.task)
    if dataset.task is Task.MULTICLASS:  # each row is explained for the class predicted for it
        predicted = np.searchsorted(pipeline.classes_, pipeline.predict(found.rows))
        output = output[np.arange(len(output)), predicted]
    elif output.ndim == 2:
        output = output[:, 1]
    np.testing.assert_allclose(found.values.sum(axis=1) + found.base_value, output, atol=1e-4)


def test_permutation_importance_is_kept_when_shap_fails(penguins_csv, monkeypatch):
    def refuse(model, background, task):
        raise TypeError("no explainer for this model")

    monkeypatch.setattr(explain, "_explainer_for", refuse)
    dataset, _, _, found = fitted(penguins_csv, "sex", "linear")
    assert "SHAP could not explain this model" in found.shap_error and "no explainer" in found.shap_error
    assert found.values is None
    assert list(found.permutation)[0] in ("bill_depth_mm", "body_mass_g", "bill_length_mm")
    assert explain.drivers(found, "sex", Task.BINARY)[0].endswith("is among the columns the model relies on most.")


def test_drivers_say_the_direction_in_plain_words(penguins_csv):
    _, _, _, found = fitted(penguins_csv, "body_mass_g", "hist_gb")
    sentences = explain.drivers(found, "body_mass_g", Task.REGRESSION)
    assert any("**species** matters most when it is 'Gentoo'" in s for s in sentences)
    assert any(s == "Higher **flipper_length_mm** goes with a higher predicted body_mass_g." for s in sentences)


def test_a_column_shuffling_does_not_hurt_gets_no_claim_on_its_direction(penguins_csv):
    """SHAP may credit a column whose information another column carries; when shuffling it barely changes the
    score, the sentence says the measures disagree instead of claiming the model relies on it."""
    _, _, _, found = fitted(penguins_csv, "body_mass_g", "hist_gb")
    top = list(found.mean_abs())[0]
    found.permutation[top] = (-0.003, 0.004)
    sentences = explain.drivers(found, "body_mass_g", Task.REGRESSION)
    assert sentences[0].startswith(
        f"**{top}** moves the model's output (SHAP), but shuffling it does not clearly lower the test score"
    )
    assert "-0.003 ± 0.004" in sentences[0]
    # a large importance with a larger spread is not "barely": it is uncertain, and the words say so
    found.permutation[top] = (0.117, 0.09)
    assert (
        "(permutation importance 0.117 ± 0.09, not clearly above zero)"
        in explain.drivers(found, "body_mass_g", Task.REGRESSION)[0]
    )
    # shuffling it clearly raised the score: said as such, not as "barely changes"
    found.permutation[top] = (-0.0741, 0.02)
    noise = explain.drivers(found, "body_mass_g", Task.REGRESSION)[0]
    assert "shuffling it even raised the test score (permutation importance -0.0741 ± 0.02)" in noise


def test_a_negative_direction_is_said_plainly(penguins_csv):
    _, _, _, found = fitted(penguins_csv, "body_mass_g", "hist_gb")
    column = next(c for c in found.mean_abs() if c == "flipper_length_mm")
    found.values[:, found.columns.index(column)] *= -1  # as if more flipper meant less mass
    sentences = explain.drivers(found, "body_mass_g", Task.REGRESSION)
    assert "Lower **flipper_length_mm** goes with a higher predicted body_mass_g." in sentences
    assert not any("opposite" in s for s in sentences)


def test_an_explainer_failing_without_a_message_still_leaves_permutation_importance(penguins_csv, monkeypatch):
    """Seen on a busy machine: an error with no words broke the explanation itself (IndexError)."""

    def refuse(model, background, task):
        raise RuntimeError()

    monkeypatch.setattr(explain, "_explainer_for", refuse)
    _, _, _, found = fitted(penguins_csv, "sex", "linear")
    assert found.shap_error.startswith("SHAP could not explain this model (RuntimeError: ")
    assert found.permutation


def test_running_out_of_time_inside_shap_is_not_taken_for_an_explainer_failure(penguins_csv, monkeypatch):
    from automl_tui_engine.core.budget import BudgetExceeded

    def out_of_time(model, background, task):
        raise BudgetExceeded

    monkeypatch.setattr(explain, "_explainer_for", out_of_time)
    with pytest.raises(BudgetExceeded):
        fitted(penguins_csv, "sex", "linear")


@pytest.mark.parametrize("seconds", [1e-6, float("inf")])
def test_a_slow_model_is_explained_on_fewer_rows_rather_than_not_at_all(tmp_path, seconds):
    import pandas as pd

    rng = np.random.default_rng(0)
    table = pd.DataFrame(rng.normal(size=(2000, 4)), columns=["a", "b", "c", "d"])
    table["y"] = table.a * 2 + table.b + rng.normal(size=2000)
    path = tmp_path / "t.csv"
    table.to_csv(path, index=False)
    dataset = data.load(path, "y")
    split = evaluate.split(dataset.X, dataset.y, dataset.task, 0.2, 3, 0)
    pipeline = preprocess.pipeline(preprocess.plan(dataset.profiles), models.get("hist_gb"), dataset.task, 0)
    pipeline.fit(split.X_train, split.y_train)
    found = explain.explain(
        pipeline,
        split.X_train,
        split.X_test,
        split.y_test,
        Task.REGRESSION,
        metrics.get("r2").scorer(Task.REGRESSION),
        0,
        seconds,
    )
    rows = found.to_json()["rows"]
    if seconds == float("inf"):
        assert rows == {
            "shap": explain.SHAP_ROWS,
            "permutation": len(split.X_test),
            "permutation_repeats": explain.PERMUTATION_REPEATS,
            "fewer_for_time": False,
        }
    else:  # no time at all: the fewest rows and shuffles that still say something (a spread), not nothing
        assert rows == {
            "shap": explain.SHAP_PROBE_ROWS,
            "permutation": explain.PERMUTATION_MIN_ROWS,
            "permutation_repeats": explain.PERMUTATION_MIN_REPEATS,
            "fewer_for_time": True,
        }
    assert list(found.mean_abs())[0] == "a" and list(found.permutation)[0] == "a"  # still the right story


def test_permutation_rows_are_never_free_when_the_larger_timed_call_was_the_faster(monkeypatch):
    """The two timed predictions came out the wrong way round (the first warmed the model up): no cost per row was
    measured, and 1e-6 s bought all the rows and every shuffle. Then the cost is all per call."""
    import pandas as pd

    class Model:
        def predict(self, X):
            return np.zeros(len(X))

    table = pd.DataFrame(np.zeros((1000, 4)))
    for left, expected in [
        (1e-6, (explain.PERMUTATION_MIN_ROWS, explain.PERMUTATION_MIN_REPEATS)),
        (100.0, (explain.PERMUTATION_ROWS, explain.PERMUTATION_REPEATS)),
    ]:
        ticks = iter([0.0, 0.010, 1.0, 1.005])  # the fewest rows took 10 ms, all of them 5 ms
        monkeypatch.setattr(explain.time, "perf_counter", ticks.__next__)
        assert explain._permutation_size(Model(), table, left) == expected


def test_permutation_importance_stops_shuffling_when_the_load_makes_its_forecast_wrong(monkeypatch):
    """Car under two busy loops: the forecast from two timed predictions allowed 753 rows and three shuffles of
    70 columns in 3.8 s, and they took 5.0 s. Each shuffle of every column is made in turn, and after the fewest
    that still give a spread the time decides; here the model turns slow once timed (a clock of its own)."""
    import types

    import pandas as pd

    rng = np.random.default_rng(0)
    table = pd.DataFrame(rng.normal(size=(600, 4)), columns=["a", "b", "c", "d"])
    y = table.a * 2 + rng.normal(size=600)
    pipeline = preprocess.pipeline(
        preprocess.plan([data.profile_column(c, table[c]) for c in table.columns]),
        models.get("linear"),
        Task.REGRESSION,
        0,
    )
    pipeline.fit(table, y)
    now, calls = [0.0], [0]
    predict = pipeline.predict

    def timed_predict(X):
        calls[0] += 1
        now[0] += 0.001 if calls[0] <= 2 else 1.0  # the two timing calls are quick; under load the rest are not
        return predict(X)

    timed_predict.__name__ = "predict"  # scikit-learn's scorers look the method up by its name
    monkeypatch.setattr(pipeline, "predict", timed_predict)
    monkeypatch.setattr(explain, "time", types.SimpleNamespace(perf_counter=lambda: now[0]))
    found = explain.explain(
        pipeline, table, table, y, Task.REGRESSION, metrics.get("r2").scorer(Task.REGRESSION), 0, seconds=10.0
    )
    rows = found.to_json()["rows"]
    assert rows["permutation_repeats"] == explain.PERMUTATION_MIN_REPEATS and rows["fewer_for_time"]
    assert list(found.permutation)[0] == "a"
