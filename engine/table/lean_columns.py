"""The column handling of every model, fast on a frame of new rows.

scikit-learn's ColumnTransformer spends 3-4 ms on each call (validation, column selection and each step's checks,
bench/predict_parts.py), more than a linear model's own predict and paid by every prediction of one row. After
fitting, LeanColumnTransformer reads the fitted numeric and one-hot steps into a few arrays and applies them with
NumPy; other steps (dates, target encoding, text) run as fitted. The output is the ColumnTransformer's own, value
for value (tests/test_lean_columns.py), so it is still one, for everything that inspects a fitted model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sklearn.compose import ColumnTransformer

if TYPE_CHECKING:  # numpy and pandas load with scikit-learn, which this module is a part of
    import numpy as np
    import pandas as pd
    from sklearn.base import BaseEstimator
    from sklearn.impute import SimpleImputer
    from sklearn.preprocessing import OneHotEncoder, StandardScaler


@dataclass(frozen=True)
class _Numeric:
    """as_float → SimpleImputer(add_indicator) → StandardScaler (optional), as arrays."""

    columns: list[str]
    as_numbers: Callable[[np.ndarray], np.ndarray]  # the fitted first step's function (preprocess.as_float)
    kept: np.ndarray  # positions of the columns the imputer keeps (one empty in training is dropped)
    fill: np.ndarray  # the imputer's statistic for each kept column
    flagged: np.ndarray  # positions of the columns with a missing-value indicator
    mean: np.ndarray | None  # the scaler's, or None
    scale: np.ndarray | None

    def transform(self, X: pd.DataFrame) -> np.ndarray:
        import numpy as np

        values = self.as_numbers(_stacked(X, self.columns, "float64"))
        missing = np.isnan(values)
        kept = values[:, self.kept]
        gaps = missing[:, self.kept]
        kept[gaps] = np.broadcast_to(self.fill, kept.shape)[gaps]
        out = np.hstack([kept, missing[:, self.flagged].astype("float64")]) if len(self.flagged) else kept
        if self.mean is not None:
            out -= self.mean
        if self.scale is not None:
            out /= self.scale
        return out


@dataclass(frozen=True)
class _OneHot:
    """categories_as_strings → OneHotEncoder(handle_unknown="infrequent_if_exist"), as one sorted lookup per column."""

    columns: list[str]
    as_strings: Callable[[np.ndarray], np.ndarray]  # the fitted first step's (preprocess.categories_as_strings)
    known: list[np.ndarray]  # per column: every category seen in training, sorted, as a NumPy string array
    output_of: list[np.ndarray]  # per column: the output position of each known category (-1: none)
    unknown_output: list[int]  # per column: where an unknown category goes (-1: nowhere, a row of zeros)
    widths: list[int]

    def transform(self, X: pd.DataFrame) -> np.ndarray:
        import numpy as np

        text = self.as_strings(_stacked(X, self.columns, object)).astype(str)
        rows = np.arange(len(text))
        blocks = []
        for i, known in enumerate(self.known):
            values = text[:, i]
            found = np.minimum(np.searchsorted(known, values), len(known) - 1)
            position = np.where(known[found] == values, self.output_of[i][found], self.unknown_output[i])
            block = np.zeros((len(text), self.widths[i]))
            hit = position >= 0
            block[rows[hit], position[hit]] = 1.0
            blocks.append(block)
        return np.hstack(blocks)


@dataclass(frozen=True)
class _AsFitted:
    """Any other step, run as it was fitted, on its own columns."""

    columns: list[str] | str  # a list, or one name (a text column is given as a Series)
    step: BaseEstimator

    def transform(self, X: pd.DataFrame) -> np.ndarray:
        out = self.step.transform(X[self.columns])
        return out.toarray() if hasattr(out, "toarray") else out


class LeanColumnTransformer(ColumnTransformer):
    """A ColumnTransformer whose transform of a frame runs on the arrays its fitted steps were read into."""

    def fit_transform(self, X: pd.DataFrame, y: pd.Series | None = None, **params: Any) -> np.ndarray:
        out = super().fit_transform(X, y, **params)
        self.lean_blocks_ = [_read(step, columns) for name, step, columns in self.transformers_ if step != "drop"]
        self.lean_inputs_ = sorted({c for block in self.lean_blocks_ for c in _names(block.columns)})
        return out

    def transform(self, X: pd.DataFrame | np.ndarray, **params: Any) -> np.ndarray:
        import numpy as np
        import pandas as pd

        blocks = getattr(self, "lean_blocks_", None)
        # anything unusual (an array, a missing column, routed parameters) gets scikit-learn's own checks and words
        if params or blocks is None or not isinstance(X, pd.DataFrame) or not set(self.lean_inputs_) <= set(X):
            return super().transform(X, **params)
        if not blocks:
            return np.zeros((len(X), 0))
        return np.hstack([block.transform(X) for block in blocks])


def _stacked(X: pd.DataFrame, columns: list[str], dtype: str | type) -> np.ndarray:
    """The columns of frame `X` as one array: column by column, four times faster than selecting a sub-frame."""
    import numpy as np

    return np.column_stack([X[c].to_numpy(dtype=dtype, na_value=np.nan) for c in columns])


def _names(columns: list[str] | str) -> list[str]:
    return [columns] if isinstance(columns, str) else list(columns)


def _read(step: BaseEstimator, columns: list[str] | str) -> _Numeric | _OneHot | _AsFitted:
    """The block that applies fitted `step` to `columns`: read into arrays when it is one of the shapes above."""
    from sklearn.pipeline import Pipeline

    parts = [s for _, s in step.steps] if isinstance(step, Pipeline) else [step]
    func = getattr(parts[0], "func", None)
    name = getattr(func, "__name__", "")
    # the steps preprocess.build makes, known by their first function (this module sits below preprocess)
    if func is not None and name == "as_float" and _numeric_parts(parts[1:]):
        return _numeric(list(columns), func, *parts[1:])
    if func is not None and name == "categories_as_strings" and _one_hot_part(parts[1:]):
        return _one_hot(list(columns), func, parts[1])
    return _AsFitted(columns, step)


def _numeric_parts(parts: list[Any]) -> bool:
    from sklearn.impute import SimpleImputer
    from sklearn.preprocessing import StandardScaler

    imputer_ok = len(parts) in (1, 2) and type(parts[0]) is SimpleImputer and not parts[0].keep_empty_features
    return imputer_ok and (len(parts) == 1 or type(parts[1]) is StandardScaler)


def _one_hot_part(parts: list[Any]) -> bool:
    from sklearn.preprocessing import OneHotEncoder

    return (
        len(parts) == 1
        and type(parts[0]) is OneHotEncoder
        and parts[0].drop is None
        and parts[0].handle_unknown == "infrequent_if_exist"
    )


def _numeric(
    columns: list[str],
    as_numbers: Callable[[np.ndarray], np.ndarray],
    imputer: SimpleImputer,
    scaler: StandardScaler | None = None,
) -> _Numeric:
    import numpy as np

    statistics = imputer.statistics_
    kept = np.flatnonzero(~np.isnan(statistics))
    indicator = imputer.indicator_
    return _Numeric(
        columns=columns,
        as_numbers=as_numbers,
        kept=kept,
        fill=statistics[kept],
        flagged=np.asarray(indicator.features_ if indicator is not None else [], dtype=int),
        mean=None if scaler is None else scaler.mean_,
        scale=None if scaler is None else scaler.scale_,
    )


def _one_hot(columns: list[str], as_strings: Callable[[np.ndarray], np.ndarray], encoder: OneHotEncoder) -> _OneHot:
    import numpy as np

    infrequent = getattr(encoder, "infrequent_categories_", None) or [None] * len(columns)
    known, output_of, unknown_output, widths = [], [], [], []
    for categories, rare in zip(encoder.categories_, infrequent, strict=True):
        rare = set() if rare is None else set(rare)
        frequent = [c for c in categories if c not in rare]
        # the encoder's own order: the frequent categories as fitted, then one column for all infrequent ones,
        # which also takes an unknown category when it exists
        rare_column = len(frequent) if rare else -1
        place = {c: i for i, c in enumerate(frequent)}
        ordered = sorted(categories)
        known.append(np.array(ordered, dtype=str))
        output_of.append(np.array([place.get(c, rare_column) for c in ordered], dtype=int))
        unknown_output.append(rare_column)
        widths.append(len(frequent) + (1 if rare else 0))
    return _OneHot(
        columns=columns,
        as_strings=as_strings,
        known=known,
        output_of=output_of,
        unknown_output=unknown_output,
        widths=widths,
    )
