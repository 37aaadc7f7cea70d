"""Why the recommended model predicts what it does, in the table's own column names.

Two views: SHAP values (the right explainer for the model family, on a bounded sample of test rows), and
permutation importance on the test split (model-agnostic, and kept when SHAP cannot run). SHAP values of the
model's internal features (one-hot columns, date parts, words) are summed back to the column they came from;
sums keep SHAP's additivity, so per-column values still add up to the model's output.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from automl_tui_engine.core import budget
from automl_tui_engine.formatting import md_safe
from automl_tui_engine.messages import t
from automl_tui_engine.tasks import Task

if TYPE_CHECKING:  # pandas, scikit-learn and shap load with the explanation, not with the module
    import numpy as np
    import pandas as pd
    from sklearn.base import BaseEstimator
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import Pipeline

SHAP_ROWS = 200  # rows explained: enough for a stable picture, small enough for a fast preset
BACKGROUND_ROWS = 50  # reference rows for the linear explainer
# The model-agnostic explainer predicts about rows × (2 × features + 50) × background rows: kept small.
AGNOSTIC_ROWS, AGNOSTIC_BACKGROUND = 40, 10
PERMUTATION_ROWS = 1000  # enough rows for stable importances; each repeat predicts them once per column
# A slow model is explained on fewer rows rather than not at all: SHAP is timed on the first rows and given this
# share of the explanation's time; permutation importance fits its rows to what is left (never fewer than the
# minimum). TreeSHAP on a forest of deep trees took 11.8 s for 200 rows of a 20,000-row table, and the explanation
# and every PNG chart were lost to the budget.
SHAP_PROBE_ROWS = 20
SHAP_SHARE = 0.5
PERMUTATION_REPEATS = 3
# the fewest rows, and the fewest shuffles per column when even those rows with every repeat would not end in time (a
# wide table's pipeline costs per call more than per row: a linear model on 70 columns took 4.1 s of a 30 s run for
# 3 shuffles of 200+ rows); owned by the budget, which keeps time back for them
PERMUTATION_MIN_ROWS, PERMUTATION_MIN_REPEATS = budget.EXPLAIN_MIN_ROWS, budget.EXPLAIN_MIN_SHUFFLES
TREE_MODELS = ("Forest", "Trees", "GradientBoosting", "LGBM")


@dataclass
class Explanation:
    columns: list[str]  # original columns the model uses
    permutation: dict[str, tuple[float, float]] = field(default_factory=dict)  # column -> (mean, std)
    explainer: str | None = None  # tree | linear | kernel (model-agnostic)
    shap_error: str | None = None
    values: np.ndarray | None = None  # (rows, columns) SHAP per original column (see `class_explained`)
    base_value: np.ndarray | None = None  # SHAP's expected value (per row for multiclass: that row's class)
    rows: pd.DataFrame | None = None  # the explained rows, raw
    permutation_rows: int = 0
    permutation_repeats: int = PERMUTATION_REPEATS  # shuffles of each column
    fewer_rows_for_time: bool = False  # SHAP or permutation importance ran on fewer rows to keep the budget
    class_explained: str | None = None  # binary: the positive class; multiclass: "predicted"
    seconds: dict[str, float] = field(default_factory=dict)

    def mean_abs(self) -> dict[str, float]:
        if self.values is None:
            return {}
        import numpy as np

        means = np.abs(self.values).mean(axis=0)
        return dict(sorted(zip(self.columns, map(float, means), strict=True), key=lambda kv: -kv[1]))

    def to_json(self) -> dict[str, Any]:
        return {
            "explainer": self.explainer,
            "shap_error": self.shap_error,
            "class_explained": self.class_explained,
            "mean_abs_shap": self.mean_abs(),
            "permutation_importance": {k: {"mean": m, "std": s} for k, (m, s) in self.permutation.items()},
            "rows": {
                "shap": 0 if self.values is None else len(self.values),
                "permutation": self.permutation_rows,
                "permutation_repeats": self.permutation_repeats,
                "fewer_for_time": self.fewer_rows_for_time,
            },
            "seconds": self.seconds,
        }


def column_groups(preprocess: ColumnTransformer) -> list[str]:
    """For each feature the fitted ColumnTransformer outputs, the original column it came from."""
    owners: list[str] = []
    for name, transformer, columns in preprocess.transformers_:
        if name == "remainder" or transformer == "drop":
            continue
        outputs = transformer.get_feature_names_out(columns if isinstance(columns, list) else [columns])
        if isinstance(columns, str):  # a text column: every word is that column's
            owners += [columns] * len(outputs)
            continue
        for output in outputs:
            owners.append(max((c for c in columns if c in output), key=len))
    return owners


def _explainer_for(model: BaseEstimator, background: np.ndarray, task: Task) -> tuple[str, Any]:
    import shap

    kind = type(model).__name__
    if any(part in kind for part in TREE_MODELS):
        return "tree", shap.TreeExplainer(model)
    if hasattr(model, "coef_"):
        return "linear", shap.LinearExplainer(model, background)
    predict = model.predict_proba if task.classifies else model.predict
    # KernelExplainer, not the permutation one: the latter spends ~11 s compiling with numba on first use
    return "kernel", shap.KernelExplainer(predict, background[:AGNOSTIC_BACKGROUND])


def _shap(pipeline: Pipeline, X: pd.DataFrame, X_background: pd.DataFrame, task: Task, seed: int) -> dict[str, Any]:
    import numpy as np
    from automl_tui_engine.table.preprocess import final_estimator

    if not hasattr(pipeline, "steps"):
        raise ValueError(t("explain.ensemble_no_shap"))
    if len(pipeline.steps) > 2:
        raise ValueError(t("plugins.steps_block_shap"))
    preprocess, model = pipeline.named_steps["preprocess"], final_estimator(pipeline)
    features = preprocess.transform(X)
    with warnings.catch_warnings():  # shap's notes on its own API changes are not the user's business
        warnings.simplefilter("ignore")
        kind, explainer = _explainer_for(model, preprocess.transform(X_background), task)
        if kind == "kernel":
            raw = explainer.shap_values(features[:AGNOSTIC_ROWS], nsamples=2 * features.shape[1] + 50, silent=True)
            base = explainer.expected_value
        else:
            raw, base = explainer.shap_values(features), explainer.expected_value
    raw, base = np.asarray(raw), np.asarray(base)
    class_explained = None
    if raw.ndim == 3:  # one slice per class
        classes = list(model.classes_)
        if task is Task.BINARY:
            raw, base, class_explained = raw[:, :, 1], base[..., 1], str(classes[1])
        else:  # each row explained for the class the model predicts for it
            predicted = np.searchsorted(classes, model.predict(features))  # classes_ is sorted
            index = np.arange(len(raw))
            raw = raw[index, :, predicted]
            base = base[index, predicted] if base.ndim == 2 else base[predicted]
            class_explained = "predicted"
    elif task is Task.BINARY:
        class_explained = str(model.classes_[1])
    owners = column_groups(preprocess)
    columns = list(dict.fromkeys(owners))
    grouped = np.zeros((raw.shape[0], len(columns)))
    for position, owner in enumerate(owners):
        grouped[:, columns.index(owner)] += raw[:, position]
    return {
        "explainer": kind,
        "values": grouped,
        "base_value": base,
        "columns": columns,
        "class_explained": class_explained,
    }


def row_contributions(
    pipeline: Pipeline, row: pd.DataFrame, background: pd.DataFrame, task: Task
) -> tuple[dict[str, float], str | None]:
    """How much each column of the table moves the model's answer for one row (SHAP, in the model's output units),
    and the class explained (binary: the second class; multiclass: the one predicted; regression: None). Raises
    ValueError when the model cannot be explained this way (an ensemble, a plugin's extra steps)."""
    found = _shap(pipeline, row, background, task, seed=0)
    return dict(zip(found["columns"], (float(v) for v in found["values"][0]), strict=True)), found["class_explained"]


def _joined(first: dict[str, Any], then: dict[str, Any]) -> dict[str, Any]:
    """Two _shap results on consecutive rows as one; a per-row base value (multiclass) is joined too."""
    import numpy as np

    base = first["base_value"]
    if np.ndim(base) == 1 and len(base) == len(first["values"]):
        base = np.concatenate([base, then["base_value"]])
    return {**first, "values": np.vstack([first["values"], then["values"]]), "base_value": base}


def explain(
    pipeline: BaseEstimator,
    X_train: pd.DataFrame,
    X_test: pd.DataFrame,
    y_test: pd.Series,
    task: Task,
    scorer: Callable[[BaseEstimator, pd.DataFrame, pd.Series], float],
    seed: int,
    seconds: float = float("inf"),
) -> Explanation:
    """SHAP (when it can run) and permutation importance for a fitted pipeline, on as many rows as fit in
    `seconds`; never raises for SHAP."""
    import numpy as np
    from automl_tui_engine.errors import one_line
    from automl_tui_engine.table.preprocess import preprocessor
    from sklearn.inspection import permutation_importance

    used = [c for c in X_test.columns if c in set(column_groups(preprocessor(pipeline)))]
    found = Explanation(columns=used)
    sample = X_test.sample(n=min(len(X_test), SHAP_ROWS), random_state=seed)
    background = X_train.sample(n=min(len(X_train), BACKGROUND_ROWS), random_state=seed)
    began = start = time.perf_counter()
    try:
        shap_result = _shap(pipeline, sample.head(SHAP_PROBE_ROWS), background, task, seed)
        per_row = (time.perf_counter() - start) / min(len(sample), SHAP_PROBE_ROWS)
        shap_rows = int(min(len(sample), max(SHAP_PROBE_ROWS, SHAP_SHARE * seconds / per_row)))
        if shap_rows > SHAP_PROBE_ROWS:
            more = _shap(pipeline, sample.iloc[SHAP_PROBE_ROWS:shap_rows], background, task, seed)
            shap_result = _joined(shap_result, more)
        found.fewer_rows_for_time = shap_rows < len(sample)
    except budget.BudgetExceeded:
        raise  # out of time: the caller says so, rather than spending more on permutation importance
    except Exception as exc:  # an explainer that does not support the model: say so, keep permutation
        found.shap_error = t("explain.shap_failed", error=one_line(exc))
    else:
        found.columns = shap_result["columns"]
        found.explainer, found.values = shap_result["explainer"], shap_result["values"]
        found.base_value, found.class_explained = shap_result["base_value"], shap_result["class_explained"]
        found.rows = sample[found.columns].head(len(found.values))
    found.seconds["shap"] = time.perf_counter() - start
    start = time.perf_counter()
    rows, repeats = _permutation_size(pipeline, X_test, seconds - (time.perf_counter() - began))
    # one shuffle of every column at a time, so that a forecast the load made wrong costs shuffles, not the budget
    shuffles: list[Any] = []
    while len(shuffles) < repeats:
        shuffle_start = time.perf_counter()
        one = permutation_importance(
            pipeline,
            X_test.head(rows),
            y_test.head(rows),
            scoring=scorer,
            n_repeats=1,
            random_state=seed + len(shuffles),
        )
        shuffles.append(one.importances[:, 0])
        took, left = time.perf_counter() - shuffle_start, seconds - (time.perf_counter() - began)
        if len(shuffles) >= PERMUTATION_MIN_REPEATS and took > left:
            break
    found.fewer_rows_for_time |= rows < min(len(X_test), PERMUTATION_ROWS) or len(shuffles) < PERMUTATION_REPEATS
    found.permutation_rows, found.permutation_repeats = rows, len(shuffles)
    importances = np.column_stack(shuffles)
    found.permutation = {
        column: (float(importances[i].mean()), float(importances[i].std()))
        for i, column in enumerate(X_test.columns)
        if column in used
    }
    found.permutation = dict(sorted(found.permutation.items(), key=lambda kv: -kv[1][0]))
    found.seconds["permutation"] = time.perf_counter() - start
    return found


def _permutation_size(pipeline: BaseEstimator, X_test: pd.DataFrame, left: float) -> tuple[int, int]:
    """(rows, shuffles per column) for permutation importance to end in about `left` seconds: every shuffle on as
    many rows as fit (PERMUTATION_MIN_ROWS at least), else the fewest rows with fewer shuffles. A call's cost is
    timed at two sizes (the one it makes and the fewest rows): on a wide table it is mostly per call, not per row."""
    rows = min(len(X_test), PERMUTATION_ROWS)
    fewest = min(rows, PERMUTATION_MIN_ROWS)
    seconds = []
    for size in (fewest, rows):  # predictions permutation importance makes too
        start = time.perf_counter()
        pipeline.predict(X_test.head(size))
        seconds.append(time.perf_counter() - start)
    per_row = max(seconds[1] - seconds[0], 0.0) / max(rows - fewest, 1)
    per_call = max(seconds[0] - per_row * fewest, 0.0)
    columns = len(X_test.columns)
    each_call = left / (columns * PERMUTATION_REPEATS)  # the seconds each of its calls may take
    # when the larger call was not the slower (timing noise), all its cost is per call: rows are never free
    all_rows = float(rows) if each_call >= per_call else 0.0
    affordable = (each_call - per_call) / per_row if per_row else all_rows
    if affordable >= fewest:
        return int(min(rows, affordable)), PERMUTATION_REPEATS
    repeats = int(left / (columns * (per_call + per_row * fewest))) if per_call + per_row else PERMUTATION_REPEATS
    return fewest, max(PERMUTATION_MIN_REPEATS, min(PERMUTATION_REPEATS, repeats))


def drivers(found: Explanation, target: str, task: Task, top: int = 3) -> list[str]:
    """Plain-words sentences on the top columns and the direction of their effect, hedged honestly; Markdown, with
    the names and values quoted from the table made safe (md_safe)."""
    import numpy as np
    import pandas as pd

    if found.values is None or found.rows is None:  # SHAP's values and rows are kept together
        ranked = [c for c in found.permutation if _clearly_matters(found, c)][:top]
        return [t("explain.driver_importance_only", column=md_safe(c)) for c in ranked] or [
            t("explain.no_clear_driver")
        ]
    sentences = []
    outcome = (
        t("explain.outcome_regression", target=md_safe(target))
        if task is Task.REGRESSION
        else (
            t("explain.outcome_binary", cls=md_safe(found.class_explained))
            if task is Task.BINARY
            else t("explain.outcome_multiclass")
        )
    )
    for column in list(found.mean_abs())[:top]:
        values = found.values[:, found.columns.index(column)]
        shown = md_safe(column)
        if _clearly_matters(found, column) is False:  # the two measures disagree: no claim on its direction
            mean, spread = found.permutation[column]
            # shuffling it even raised the score: the model may be leaning on noise in this column
            key = "explain.driver_noise" if mean < -spread else "explain.driver_disputed"
            sentences.append(t(key, column=shown, value=f"{mean:.3g}", spread=f"{spread:.2g}"))
            continue
        feature = found.rows[column]
        numeric = pd.to_numeric(feature, errors="coerce")
        if numeric.notna().mean() > 0.9 and numeric.nunique() > 2 and task is not Task.MULTICLASS:
            correlation = np.corrcoef(numeric.fillna(numeric.median()), values)[0, 1]
            if correlation > 0.3:
                sentences.append(t("explain.driver_higher", column=shown, outcome=outcome))
            elif correlation < -0.3:
                sentences.append(t("explain.driver_lower", column=shown, outcome=outcome))
            else:
                sentences.append(t("explain.driver_mixed", column=shown))
        elif task is not Task.MULTICLASS:
            by_value = pd.Series(values, index=feature.index).groupby(feature.astype(str)).mean()
            value = md_safe(by_value.idxmax())
            sentences.append(t("explain.driver_category", column=shown, value=value, outcome=outcome))
        else:
            sentences.append(t("explain.driver_importance_only", column=shown))
    return sentences


def _clearly_matters(found: Explanation, column: str) -> bool | None:
    """Whether shuffling the column clearly lowers the score (its permutation importance is above zero by more
    than twice its spread over the repeats); None when it was not measured."""
    if column not in found.permutation:
        return None
    mean, spread = found.permutation[column]
    return mean > 0 and mean > 2 * spread
