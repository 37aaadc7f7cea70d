"""What training saw of each input column: the range and median of numbers, the categories with how often each
came, the span of dates, how many values were missing, and how numbers spread over their deciles. Kept in the run
folder (input_ranges.json) when the run starts, so the model can be asked about one case later (what-if) with a
typical row to start from, an answer outside what it saw is flagged, and new rows are compared with it column by
column (table/input_check.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pandas loads with the table, not with the module
    import pandas as pd
    from automl_tui_engine.table.data import ColumnProfile

MOST_CATEGORIES = 200  # a column with more distinct values is free text to a form: its most frequent are kept
BINS = 10  # numbers are compared with new rows over training's deciles (input_check.py)


def of(X_train: pd.DataFrame, profiles: list[ColumnProfile]) -> dict[str, dict[str, Any]]:
    """Per input column of the training rows: {"kind", and for its kind "low"/"high"/"typical" (numbers, dates as
    ISO text) or "categories" (value -> rows, most frequent first) and "typical"}."""
    from automl_tui_engine.table.data import timestamps

    kinds = {profile.name: profile.kind for profile in profiles}
    seen: dict[str, dict[str, Any]] = {}
    for name in X_train.columns:
        kind = kinds.get(name, "text")
        values = X_train[name].dropna()
        entry: dict[str, Any] = {"kind": kind, "rows": len(X_train), "missing": len(X_train) - len(values)}
        if kind == "numeric" and len(values):
            entry.update(low=float(values.min()), high=float(values.max()), typical=float(values.median()))
            entry["mean"] = float(values.mean())
            if (values == values.round()).all():  # counts, years, sizes: a search should try whole numbers only
                entry["whole"] = True
            entry["bins"] = _deciles(values)
        elif kind == "datetime" and len(values):
            stamps = timestamps(values, utc=True).dropna()
            if len(stamps):
                middle = stamps.sort_values().iloc[len(stamps) // 2]
                entry.update(low=_day(stamps.min()), high=_day(stamps.max()), typical=_day(middle))
        elif kind in ("categorical", "text") and len(values):
            every = values.astype(str).value_counts()
            counts = every.head(MOST_CATEGORIES)
            entry.update(categories={str(k): int(v) for k, v in counts.items()}, typical=str(counts.index[0]))
            entry["other"] = int(every.iloc[MOST_CATEGORIES:].sum())  # rows of values too rare to be listed
        seen[str(name)] = entry
    return seen


def _deciles(values: pd.Series) -> dict[str, list[float] | list[int]]:
    """Training's deciles as cut points (each value at most once: a column of few values has fewer bins), and how
    many training values fell in each bin: (-inf, edges[0]], (edges[0], edges[1]], ..., (edges[-1], inf)."""
    import numpy as np

    edges = np.unique(np.quantile(values.to_numpy(dtype=float), np.linspace(0, 1, BINS + 1)[1:-1]))
    counts = np.bincount(np.searchsorted(edges, values.to_numpy(dtype=float), side="left"), minlength=len(edges) + 1)
    return {"edges": [float(edge) for edge in edges], "counts": [int(count) for count in counts]}


def _day(stamp: pd.Timestamp) -> str:
    return stamp.strftime("%Y-%m-%d") if stamp.hour == stamp.minute == 0 else stamp.isoformat()
