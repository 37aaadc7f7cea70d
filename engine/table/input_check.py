"""New rows compared with what training saw (input_ranges.json), column by column and row by row: whether a
model's answers on them can be trusted as its test score says.

Per column, the new rows' values are counted into the bins training's were: numbers into training's deciles,
categories into training's categories (values too rare to be listed, and values never seen, into one "other" bin),
and missing values into a bin of their own. A column has moved when both hold:
- the shift is large: the population stability index (PSI) over those bins is at least PSI_MOVED (0.1 is the usual
  line between "no shift" and "some shift");
- it is not chance: a chi-square test of the two samples' counts (training's and the new rows', both samples of
  their sources) gives p < ALPHA / columns checked (Bonferroni), so that rows from the same source as training's
  are flagged in at most ALPHA of draws whatever their number and the table's width (bench/drift_power.py
  measures it).
Per row, the columns whose value lies outside training's range (numbers) or was never seen (categories whose every
training value is listed) are named. Dates are not compared: new rows come after training's by nature.

Counting is chunk by chunk (`add`), so a file of any size is checked in flat memory."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

PSI_MOVED = 0.1
ALPHA = 0.01
SHARE_FLOOR = 0.5  # a bin training never filled counts as half a training row: the PSI and the test stay finite
MOST_NAMED = 5  # new categories named per column, most frequent first


@dataclass
class ColumnCheck:
    """What the new rows did to one column, against training."""

    name: str
    kind: str  # "numeric" or "categorical"
    rows: int = 0
    psi: float = 0.0
    p_value: float = 1.0
    moved: bool = False
    below: int = 0  # numbers below training's lowest
    above: int = 0  # numbers above training's highest
    low: float | None = None  # training's range and average, and the new rows' average, for the words
    high: float | None = None
    mean_before: float | None = None
    mean_now: float | None = None
    shares: dict[str, tuple[float, float]] = field(default_factory=dict)  # category -> (training's, new) share
    new_values: dict[str, int] = field(default_factory=dict)  # categories training never had, with their rows
    missing_before: float = 0.0  # share of training's rows without a value
    missing_now: float = 0.0


@dataclass
class InputCheck:
    """The whole comparison: every column checked, and how many rows had an input outside what training saw."""

    columns: list[ColumnCheck]
    rows: int
    rows_outside: int
    alpha: float = ALPHA
    psi_moved: float = PSI_MOVED

    @property
    def moved(self) -> list[ColumnCheck]:
        return [column for column in self.columns if column.moved]


class Checker:
    """Counts new rows chunk by chunk against what training saw (`ranges`: input_ranges.json's content)."""

    def __init__(self, ranges: dict[str, dict[str, Any]]) -> None:
        self.seen = {
            name: entry
            for name, entry in ranges.items()
            if (entry.get("kind") == "numeric" and "bins" in entry)
            or (entry.get("kind") == "categorical" and "categories" in entry)
        }
        self.counts: dict[str, dict[str, int]] = {name: {} for name in self.seen}
        self.below: dict[str, int] = dict.fromkeys(self.seen, 0)
        self.above: dict[str, int] = dict.fromkeys(self.seen, 0)
        self.sums: dict[str, float] = dict.fromkeys(self.seen, 0.0)
        self.rows = 0
        self.rows_outside = 0

    def add(self, rows: pd.DataFrame) -> pd.Series:
        """Count `rows` (numbers already read as numbers), and return, per row, the columns whose value lies
        outside what training saw ("" for none), joined by ", "."""
        import numpy as np
        import pandas as pd

        named = np.full(len(rows), "", dtype=object)
        for name, entry in self.seen.items():
            if name not in rows.columns:
                continue
            values = rows[name]
            counts = self.counts[name]
            missing = values.isna()
            counts["missing"] = counts.get("missing", 0) + int(missing.sum())
            if entry["kind"] == "numeric":
                numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
                present = numbers[~np.isnan(numbers)]
                bins = np.searchsorted(np.asarray(entry["bins"]["edges"]), present, side="left")
                for index, count in zip(*np.unique(bins, return_counts=True), strict=True):
                    counts[str(index)] = counts.get(str(index), 0) + int(count)
                self.sums[name] += float(present.sum())
                below, above = numbers < entry["low"], numbers > entry["high"]
                self.below[name] += int(below.sum())
                self.above[name] += int(above.sum())
                beyond = below | above
            else:
                text = values[~missing].astype(str)
                for value, count in text.value_counts().items():
                    key = f"={value}" if value in entry["categories"] else f"+{value}"
                    counts[key] = counts.get(key, 0) + int(count)
                # a value never seen, when training listed every value it had (else it may be one too rare to list)
                never = ~values.astype(str).isin(entry["categories"]) & ~missing
                beyond = never.to_numpy() if not entry.get("other") else np.zeros(len(values), dtype=bool)
            named[beyond] = np.where(named[beyond] == "", name, named[beyond] + ", " + name)
        self.rows += len(rows)
        self.rows_outside += int((named != "").sum())
        return pd.Series(named, index=rows.index)

    def result(self) -> InputCheck:
        checked = [self._column(name, entry) for name, entry in self.seen.items()]
        tests = max(len(checked), 1)
        for column in checked:
            column.moved = column.psi >= PSI_MOVED and column.p_value < ALPHA / tests
        return InputCheck(checked, self.rows, self.rows_outside)

    def _column(self, name: str, entry: dict[str, Any]) -> ColumnCheck:
        counts = self.counts[name]
        before, now = _bins(entry, counts)
        rows = int(now.sum())
        check = ColumnCheck(name=name, kind=entry["kind"], rows=rows, below=self.below[name], above=self.above[name])
        check.missing_before = entry.get("missing", 0) / max(entry.get("rows", 0), 1)
        check.missing_now = counts.get("missing", 0) / max(rows, 1)
        present = rows - counts.get("missing", 0)
        if entry["kind"] == "numeric":
            check.low, check.high, check.mean_before = entry["low"], entry["high"], entry.get("mean")
            check.mean_now = self.sums[name] / present if present else None
        else:
            listed = sum(entry["categories"].values()) + entry.get("other", 0)
            check.shares = {
                value: (count / max(listed, 1), counts.get(f"={value}", 0) / max(present, 1))
                for value, count in entry["categories"].items()
            }
            new = {key[1:]: count for key, count in counts.items() if key.startswith("+")}
            if not entry.get("other"):  # values too rare to be listed may be among them: only named when all were
                check.new_values = dict(sorted(new.items(), key=lambda item: -item[1])[:MOST_NAMED])
        if rows:
            check.psi, check.p_value = _psi_and_p(before, now)
        return check


def _bins(entry: dict[str, Any], counts: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """(training's rows per bin, the new rows' per bin), bins in one order, missing values the last."""
    import numpy as np

    if entry["kind"] == "numeric":
        before = list(entry["bins"]["counts"])
        now = [counts.get(str(index), 0) for index in range(len(before))]
    else:
        listed = list(entry["categories"])
        before = [entry["categories"][value] for value in listed] + [entry.get("other", 0)]
        other = sum(count for key, count in counts.items() if key.startswith("+"))
        now = [counts.get(f"={value}", 0) for value in listed] + [other]
    before.append(entry.get("missing", 0))
    now.append(counts.get("missing", 0))
    return np.asarray(before, dtype=float), np.asarray(now, dtype=float)


def _psi_and_p(before: np.ndarray, now: np.ndarray) -> tuple[float, float]:
    """The population stability index of `now` against `before`, and the p-value of the chi-square test that both
    counts come from one source; bins empty in both are left out."""
    import numpy as np
    from scipy.stats import chi2_contingency

    used = (before > 0) | (now > 0)
    before, now = before[used], now[used]
    expected = np.maximum(before, SHARE_FLOOR) / np.maximum(before, SHARE_FLOOR).sum()
    observed = now / now.sum()
    shares = np.maximum(observed, SHARE_FLOOR / max(now.sum(), 1.0))
    psi = float(np.sum((shares - expected) * np.log(shares / expected)))
    if len(now) < 2:
        return psi, 1.0
    return psi, float(chi2_contingency(np.vstack([before, now]), correction=False).pvalue)
