"""A scikit-learn ColumnTransformer built from the column profile.

Each column's treatment is decided once here and recorded with its reason, so the report's Data
section says exactly what happened to every column.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from automl_tui_engine.messages import t
from automl_tui_engine.table.data import ColumnProfile, timestamps
from automl_tui_engine.tasks import Task

if TYPE_CHECKING:  # numpy, pandas and scikit-learn load with the run, not with the module
    import numpy as np
    import pandas as pd
    from automl_tui_engine.extension.registry.models import ModelSpec
    from automl_tui_engine.extension.registry.steps import StepSpec
    from automl_tui_engine.table.lean_columns import LeanColumnTransformer
    from sklearn.base import BaseEstimator
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer

ONE_HOT_MAX_CATEGORIES = 20  # above this, target encoding keeps the feature count small
ONE_HOT_MIN_FREQUENCY = 5  # rarer categories are grouped as "infrequent"
TEXT_MAX_FEATURES = 300


DATE_PARTS = ("year", "month", "day", "day_of_week", "hour")


TREATMENTS = ("numeric", "one_hot", "target_encoding", "datetime_parts", "tfidf", "dropped")


@dataclass(frozen=True)
class ColumnPlan:
    column: str
    treatment: str  # one of TREATMENTS
    reason: str
    parts: tuple[str, ...] = ()  # datetime_parts: the parts made (a date-only column has no hour)


def plan(profiles: list[ColumnProfile]) -> list[ColumnPlan]:
    plans = []
    for p in profiles:
        if p.dropped:
            plans.append(ColumnPlan(p.name, "dropped", t(f"preprocess.drop_{p.kind}")))
        elif p.kind == "numeric":
            plans.append(ColumnPlan(p.name, "numeric", t("preprocess.numeric")))
        elif p.kind == "datetime":
            parts = DATE_PARTS if p.has_time else DATE_PARTS[:-1]
            reason = t("preprocess.datetime") if p.has_time else t("preprocess.date_only")
            plans.append(ColumnPlan(p.name, "datetime_parts", reason, parts))
        elif p.kind == "text":
            plans.append(ColumnPlan(p.name, "tfidf", t("preprocess.text", n=TEXT_MAX_FEATURES)))
        elif p.n_unique <= ONE_HOT_MAX_CATEGORIES:
            plans.append(ColumnPlan(p.name, "one_hot", t("preprocess.one_hot", n=p.n_unique)))
        else:
            plans.append(ColumnPlan(p.name, "target_encoding", t("preprocess.target_encoding", n=p.n_unique)))
    return plans


# Module-level functions (not lambdas) so a fitted pipeline pickles into model.joblib.
def categories_as_strings(X: pd.DataFrame | np.ndarray) -> np.ndarray:
    """Mixed-type or missing categories become plain strings, with 'missing' as its own category. On a NumPy
    array: the same with pandas took 0.9 ms for one row (0.05 ms now), and every prediction pays it."""
    import numpy as np
    import pandas as pd

    values = np.asarray(X, dtype=object)
    text = values.astype(str).astype(object)
    text[pd.isna(values)] = "missing"
    return text


def categories_as_text(X: pd.DataFrame) -> pd.DataFrame:
    """What models saved before 2026-11-29 call by this name: the same strings as a frame, as their encoders
    were fitted on (given an array, scikit-learn warns about feature names on every predict)."""
    import pandas as pd

    return pd.DataFrame(categories_as_strings(X), index=X.index, columns=X.columns)


def as_float(X: pd.DataFrame | np.ndarray) -> np.ndarray:
    """A float array with infinite values as missing. An array, not a frame: the steps after it validate an
    array far faster, which is most of a small model's predict time."""
    import numpy as np

    values = np.asarray(X, dtype="float64")
    return np.where(np.isinf(values), np.nan, values)


def text_or_empty(column: pd.Series) -> pd.Series:
    return column.fillna("").astype(str)


def datetime_parts(X: pd.DataFrame, parts: tuple[str, ...] = DATE_PARTS) -> pd.DataFrame:
    import pandas as pd

    found = {}
    for name in X.columns:
        stamps = timestamps(X[name])
        for part in parts:
            found[f"{name}_{part}"] = getattr(stamps.dt, part).astype("float64")
    return pd.DataFrame(found, index=X.index)


def _datetime_part_names(transformer: FunctionTransformer, input_features: Sequence[str]) -> list[str]:
    parts = (transformer.kw_args or {}).get("parts", DATE_PARTS)
    return [f"{name}_{part}" for name in input_features for part in parts]


def build(plans: list[ColumnPlan], needs_scaling: bool, seed: int, task: Task) -> LeanColumnTransformer:
    from automl_tui_engine.table.lean_columns import LeanColumnTransformer
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.impute import SimpleImputer
    from sklearn.model_selection import KFold, StratifiedKFold
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler, TargetEncoder

    def columns(treatment: str) -> list[str]:
        return [p.column for p in plans if p.treatment == treatment]

    def maybe_scaled(*steps: Any) -> Any:
        return make_pipeline(*steps, StandardScaler()) if needs_scaling else make_pipeline(*steps)

    numeric = maybe_scaled(
        FunctionTransformer(as_float, feature_names_out="one-to-one"),
        SimpleImputer(strategy="median", add_indicator=True),
    )

    def dates(parts: tuple[str, ...]) -> Any:
        return maybe_scaled(
            FunctionTransformer(datetime_parts, kw_args={"parts": parts}, feature_names_out=_datetime_part_names),
            SimpleImputer(strategy="median", keep_empty_features=True),
        )

    one_hot = make_pipeline(
        FunctionTransformer(categories_as_strings, feature_names_out="one-to-one"),
        OneHotEncoder(
            handle_unknown="infrequent_if_exist",
            max_categories=ONE_HOT_MAX_CATEGORIES,
            min_frequency=ONE_HOT_MIN_FREQUENCY,
            sparse_output=False,
        ),
    )
    target_encoded = maybe_scaled(
        FunctionTransformer(categories_as_strings, feature_names_out="one-to-one"),
        # cross-fitted encoding, so a row's own target never leaks into its feature
        TargetEncoder(cv=(KFold if task is Task.REGRESSION else StratifiedKFold)(5, shuffle=True, random_state=seed)),
    )
    transformers: list[tuple[str, Any, list[str] | str]] = [
        ("numeric", numeric, columns("numeric")),
        # one per date column, each with its own parts; named by position (a column name may hold "__")
        *(
            (f"datetime_{i}", dates(p.parts), [p.column])
            for i, p in enumerate(p for p in plans if p.treatment == "datetime_parts")
        ),
        ("one_hot", one_hot, columns("one_hot")),
        ("target_encoding", target_encoded, columns("target_encoding")),
    ]
    for name in columns("tfidf"):
        text = make_pipeline(
            FunctionTransformer(text_or_empty, feature_names_out="one-to-one"),
            TfidfVectorizer(max_features=TEXT_MAX_FEATURES),
        )
        transformers.append((f"text_{name}", text, name))
    kept = [(label, step, cols) for label, step, cols in transformers if len(cols)]
    # dense output: HistGradientBoosting and most models here do not take sparse input
    return LeanColumnTransformer(kept, remainder="drop", sparse_threshold=0.0)


# how a regression model sees its target: as it is, or as log(1 + y) with its answers turned back into y's units
# (prices, counts: a long right tail that squared errors would otherwise fit at the expense of everything else)
AS_IS = "as_is"
TARGETS = (AS_IS, "log")
LOG_TARGET_SKEW = 1.0  # a right tail at least this skewed (mean beyond the median by a share of the spread)


def targets_to_try(y: pd.Series, task: Task) -> tuple[str, ...]:
    """The TARGETS a search tries: the log too for a regression target of values ≥ 0 with a long right tail."""
    if task.classifies or y.min() < 0:
        return TARGETS[:1]
    skew = y.skew()  # a float: a regression target is numbers (NaN for too few rows)
    if not (isinstance(skew, float) and skew > LOG_TARGET_SKEW):
        return TARGETS[:1]
    return TARGETS


def pipeline(
    plans: list[ColumnPlan],
    model_spec: ModelSpec,
    task: Task,
    seed: int,
    params: dict[str, Any] | None = None,
    steps: tuple[StepSpec, ...] = (),
    target: str = AS_IS,
) -> Pipeline:
    """Preprocessing, any plugin steps, then the estimator (on the `target` of TARGETS), as one Pipeline: what
    model.joblib holds and what predicts on raw rows."""
    from sklearn.pipeline import Pipeline

    estimator = model_spec.build(task, seed, params)
    if target == "log":
        import numpy as np
        from sklearn.compose import TransformedTargetRegressor

        estimator = TransformedTargetRegressor(estimator, func=np.log1p, inverse_func=np.expm1, check_inverse=False)
    return Pipeline(
        [
            ("preprocess", build(plans, model_spec.needs_scaling, seed, task)),
            *((f"step_{step.name}", step.build(seed)) for step in steps),
            ("model", estimator),
        ]
    )


def preprocessor(model: BaseEstimator) -> ColumnTransformer:
    """The fitted ColumnTransformer of a saved model: its own, the wrapped model's (a tuned decision threshold),
    or its first member's (an ensemble: every member gets the same columns)."""
    from sklearn.pipeline import Pipeline

    while not isinstance(model, Pipeline):
        members = getattr(model, "estimators_", None)
        model = members[0] if members else model.estimator_
    return model.named_steps["preprocess"]


def final_estimator(model: BaseEstimator) -> BaseEstimator:
    """The pipeline's own estimator, looking through a tuned decision threshold; an ensemble is itself."""
    from sklearn.pipeline import Pipeline

    estimator = model.steps[-1][1] if isinstance(model, Pipeline) else model
    return getattr(estimator, "estimator_", estimator) if hasattr(estimator, "threshold") else estimator
