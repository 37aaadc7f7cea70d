"""What training saw of each input column: the range and median of numbers, the categories with how often each
came, the span of dates. Kept in the run folder (input_ranges.json) when the run starts, so the model can be asked
about one case later (what-if) with a typical row to start from, and an answer outside what it saw is flagged."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pandas loads with the table, not with the module
    import pandas as pd
    from automl_tui_engine.table.data import ColumnProfile

MOST_CATEGORIES = 200  # a column with more distinct values is free text to a form: its most frequent are kept


def of(X_train: pd.DataFrame, profiles: list[ColumnProfile]) -> dict[str, dict[str, Any]]:
    """Per input column of the training rows: {"kind", and for its kind "low"/"high"/"typical" (numbers, dates as
    ISO text) or "categories" (value -> rows, most frequent first) and "typical"}."""
    from automl_tui_engine.table.data import timestamps

    kinds = {profile.name: profile.kind for profile in profiles}
    seen: dict[str, dict[str, Any]] = {}
    for name in X_train.columns:
        kind = kinds.get(name, "text")
        values = X_train[name].dropna()
        entry: dict[str, Any] = {"kind": kind}
        if kind == "numeric" and len(values):
            entry.update(low=float(values.min()), high=float(values.max()), typical=float(values.median()))
            if (values == values.round()).all():  # counts, years, sizes: a search should try whole numbers only
                entry["whole"] = True
        elif kind == "datetime" and len(values):
            stamps = timestamps(values, utc=True).dropna()
            if len(stamps):
                middle = stamps.sort_values().iloc[len(stamps) // 2]
                entry.update(low=_day(stamps.min()), high=_day(stamps.max()), typical=_day(middle))
        elif kind in ("categorical", "text") and len(values):
            counts = values.astype(str).value_counts().head(MOST_CATEGORIES)
            entry.update(categories={str(k): int(v) for k, v in counts.items()}, typical=str(counts.index[0]))
        seen[str(name)] = entry
    return seen


def _day(stamp: pd.Timestamp) -> str:
    return stamp.strftime("%Y-%m-%d") if stamp.hour == stamp.minute == 0 else stamp.isoformat()
