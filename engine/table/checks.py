"""Data problems worth a warning (not a refusal): likely leakage, heavy imbalance, tiny classes, and test rows
that also appear in the training rows. Each finding is one plain sentence for the report and the screens."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from automl_tui_engine.messages import listing, t
from automl_tui_engine.tasks import Task

if TYPE_CHECKING:  # pandas loads with the table, not with the module
    import pandas as pd
    from automl_tui_engine.extension.registry.metrics import RankingMetric

LEAKAGE_PURITY = 0.99  # share of rows whose target one column alone gets right
LEAKAGE_CORRELATION = 0.99
# the smallest class is heavily outnumbered when it holds at most this fraction of an even share (1 / classes): 10%
# of the rows for two classes, 2% for ten; ten classes of 174–183 rows each are even, whatever their share
HEAVY_IMBALANCE = 0.2
TINY_CLASS_ROWS = 10
BINS = 20
CHECK_ROWS = 100_000


class Profile(Protocol):
    """What the checks read of a column's profile: table/data.py's ColumnProfile (data.py calls the checks, so
    they name it by its shape)."""

    @property
    def name(self) -> str: ...

    @property
    def kind(self) -> str: ...

    @property
    def n_unique(self) -> int: ...

    @property
    def dropped(self) -> bool: ...


def _purity(column: pd.Series, y: pd.Series) -> float:
    """Share of rows whose target is the most common target among rows with the same value of `column` (missing
    values are a value of their own). Counted with integer codes: a crosstab per column took 1 s of a 30 s budget
    on a table of 67 columns."""
    import numpy as np
    import pandas as pd

    keys = column
    if pd.api.types.is_numeric_dtype(column) and column.nunique() > BINS:
        keys = pd.qcut(column, BINS, duplicates="drop")
    key_codes, key_values = pd.factorize(keys, use_na_sentinel=False)
    target_codes, targets = pd.factorize(y)
    known = target_codes >= 0
    cells = key_codes[known] * len(targets) + target_codes[known]
    counts = np.bincount(cells, minlength=len(key_values) * len(targets)).reshape(len(key_values), len(targets))
    return float(counts.max(axis=1).sum() / max(counts.sum(), 1))


def data_warnings(X: pd.DataFrame, y: pd.Series, task: Task, profiles: Sequence[Profile]) -> list[str]:
    """Warnings about the table as a whole, before any model is trained (on a sample of a large table)."""
    import pandas as pd

    all_y = y  # class sizes are counted on every row; the leakage look uses a sample
    if len(X) > CHECK_ROWS:
        X = X.sample(n=CHECK_ROWS, random_state=0)
        y = y.loc[X.index]
    found = []
    for profile in profiles:
        if profile.dropped or profile.kind in ("text", "datetime"):
            continue
        column = X[profile.name]
        if task is Task.REGRESSION:
            numbers = pd.to_numeric(column, errors="coerce")
            if numbers.notna().mean() > 0.9 and numbers.nunique() > 2:
                correlation = abs(numbers.corr(y))
                if correlation >= LEAKAGE_CORRELATION:
                    found.append(t("checks.leakage_regression", column=profile.name, r=f"{correlation:.3f}"))
        elif profile.n_unique < 0.5 * len(column):  # an ID-like column would be "perfect" trivially
            purity = _purity(column.fillna("missing") if column.dtype == object else column, y)
            if purity >= LEAKAGE_PURITY:
                found.append(t("checks.leakage_classification", column=profile.name, share=f"{purity:.1%}"))
    if task.classifies:
        counts = all_y.value_counts()
        tiny = counts[counts < TINY_CLASS_ROWS]
        if len(tiny):
            found.append(
                t("checks.tiny_classes", classes=listing(f"{k} ({v})" for k, v in tiny.items()), rows=TINY_CLASS_ROWS)
            )
    return found


def imbalance_warning(class_counts: dict[str, int], metric: RankingMetric) -> str | None:
    """A warning when the smallest class is heavily outnumbered (against an even share of the rows), worded with
    the metric the run ranks by: one that counts every class alike, or plain accuracy, which would flatter a model
    that ignores that class."""
    if len(class_counts) < 2:
        return None
    total = sum(class_counts.values())
    smallest = min(class_counts, key=class_counts.__getitem__)
    share, even = class_counts[smallest] / total, 1 / len(class_counts)
    if share > HEAVY_IMBALANCE * even:
        return None
    figures = {"cls": smallest, "share": f"{share:.1%}", "even": f"{even:.1%}", "classes": len(class_counts)}
    if metric.name == "accuracy":
        return t("checks.imbalance_accuracy", **figures)
    return t("checks.imbalance", **figures, metric=metric.title)


def overlap_warning(X_train: pd.DataFrame, y_train: pd.Series, X_test: pd.DataFrame, y_test: pd.Series) -> str | None:
    """A warning when test rows are exact copies of training rows: the test score would flatter the model."""
    import pandas as pd

    def fingerprints(X: pd.DataFrame, y: pd.Series) -> pd.Series:
        return pd.util.hash_pandas_object(X.assign(__target__=y.to_numpy()), index=False)

    copies = int(fingerprints(X_test, y_test).isin(set(fingerprints(X_train, y_train))).sum())
    if copies:
        return t("checks.test_overlap", count=copies, total=len(X_test))
    return None
