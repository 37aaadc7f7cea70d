"""A grid of conditions: the model's answers while one or two columns vary over ranges or lists and the rest stay
at the typical row (with the user's changes), or, over the rows of a table, each row with the varied columns set
(individual curves; their average is the partial dependence). `automl-tui whatif --vary`, the wizard's Conditions
tab."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from automl_tui_engine.errors import UserError
from automl_tui_engine.messages import listing, t
from automl_tui_engine.naming import PREDICTION, PROBABILITY, probability_column
from automl_tui_engine.table.human_numbers import plain_digits
from automl_tui_engine.whatif.case import Field, SavedModel, value_of

if TYPE_CHECKING:  # numpy and pandas load with the answers, not with the module
    import numpy as np
    import pandas as pd

STEPS = 21  # values tried across a range given without a step ("*" or low:high): ends included, even spacing
MOST_VALUES = 200  # per varied column: more is a finer step than a chart or a person can read
MOST_ANSWERS = 200_000  # rows the model is asked in one grid (values × values × table rows)
MOST_ROWS = 300  # rows of a table drawn (seeded) for individual curves; the average settles long before
MOST_VARIED = 2  # a line for one column, a heatmap for two


@dataclass(frozen=True)
class Varied:
    column: str
    values: list[Any]  # as the model reads them (numbers as numbers)
    spec: str  # as typed: kept with the record


@dataclass
class Grid:
    varied: list[Varied]
    table: (
        pd.DataFrame
    )  # one row per combination: the varied columns, `prediction`, `probability_<class>` (averaged over rows)
    shown: str  # the column the chart draws: the focus class's probability, or the prediction
    focus: str  # classification: the class whose probability is drawn; "" for regression
    curves: np.ndarray | None = (
        None  # over a table, one varied column: one row per table row, one column per value (its answers)
    )
    rows: int = 0  # table rows the answers are averaged over (0: the typical row)
    unseen: list[str] = field(default_factory=list)  # a sentence per varied column reaching beyond training

    @property
    def shown_columns(self) -> list[str]:
        """The table as a person reads it: the varied columns, the prediction, the answer drawn, and every class's
        probability (one class's alone, beside another's prediction, reads as the predicted one's)."""
        probabilities = [c for c in self.table.columns if c.startswith(PROBABILITY)]
        return list(dict.fromkeys([*(v.column for v in self.varied), PREDICTION, self.shown, *probabilities]))


def parse(saved: SavedModel, text: str) -> Varied:
    """`COLUMN=low:high:step`, `COLUMN=low:high` (STEPS values), `COLUMN=a,b,c`, or `COLUMN=*` (what training saw:
    its range in STEPS values, or its categories)."""
    column, equals, spec = text.partition("=")
    if not equals or not column.strip() or not spec.strip():
        raise UserError("whatif.bad_vary", text=text)
    f, spec = saved.field(column.strip()), spec.strip()
    if f.kind != "categorical":
        spec = plain_digits(spec)  # '１７０：２３５：５' as '170:235:5'
    if spec == "*":
        values = _seen_values(f)
    elif ":" in spec and f.kind == "numeric":
        values = _numeric_range(f, spec)
    elif f.kind == "datetime" and (span := _date_span(spec)):
        values = span
    else:
        values = [value_of(f, part.strip())[0] for part in spec.split(",") if part.strip()]
    values = list(dict.fromkeys(values))  # a value listed twice is asked once
    if not values:
        raise UserError("whatif.bad_vary", text=text)
    if len(values) > MOST_VALUES:
        raise UserError("whatif.too_many_values", column=f.name, count=len(values), most=MOST_VALUES)
    return Varied(f.name, values, spec)


def _seen_values(f: Field) -> list[Any]:
    if f.kind == "numeric" and f.low is not None:
        return _spaced(f, f.low, f.high, STEPS)
    if f.kind == "datetime" and f.low is not None:
        import pandas as pd

        return [stamp.strftime("%Y-%m-%d") for stamp in pd.date_range(f.low, f.high, periods=STEPS).normalize()]
    return f.categories[:MOST_VALUES]


def _date_span(spec: str) -> list[str]:
    """`2023-01-01:2024-06-01` as STEPS evenly spaced days; [] for anything else (a list of dates, one date)."""
    import pandas as pd

    parts = spec.split(":")
    if len(parts) != 2:
        return []
    try:
        low, high = pd.Timestamp(parts[0]), pd.Timestamp(parts[1])
    except ValueError:
        return []
    if high <= low:
        return []
    return list(dict.fromkeys(d.strftime("%Y-%m-%d") for d in pd.date_range(low, high, periods=STEPS).normalize()))


def _numeric_range(f: Field, spec: str) -> list[float]:
    import math

    parts = spec.split(":")
    try:
        numbers = [float(part.replace(",", "")) for part in parts]
    except ValueError:
        raise UserError("whatif.bad_range", column=f.name, spec=spec) from None
    if len(numbers) not in (2, 3) or numbers[1] <= numbers[0] or (len(numbers) == 3 and numbers[2] <= 0):
        raise UserError("whatif.bad_range", column=f.name, spec=spec)
    low, high = numbers[:2]
    if not math.isfinite(high - low):  # beyond what a float holds (1e308 and more): no range to spread
        raise UserError("whatif.bad_range", column=f.name, spec=spec)
    if len(numbers) == 2:
        return _spaced(f, low, high, STEPS)
    steps = (high - low) / numbers[2]
    if steps + 1 > MOST_VALUES:  # infinitely many too (a step of 1e-308): counted as a float, never turned to int
        shown = f"{steps + 1:.3g}" if steps + 1 > 10**9 else int(steps + 1e-9) + 1
        raise UserError("whatif.too_many_values", column=f.name, count=shown, most=MOST_VALUES)
    count = int(steps + 1e-9) + 1
    return [round(low + i * numbers[2], 10) for i in range(count)]


def _spaced(f: Field, low: float, high: float, count: int) -> list[float]:
    import math

    if high <= low:  # training saw one value: there is no range to spread
        return [low]
    step = (high - low) / (count - 1)
    values = [low + i * step for i in range(count)]
    if f.whole:
        return sorted({round(v) for v in values})
    scale = 10 ** max(0, 2 - math.floor(math.log10(step)))  # three figures of the step: 5.965, not 5.964555
    inside = [math.ceil(low * scale) / scale, *values[1:-1], math.floor(high * scale) / scale]  # ends stay seen
    return [round(v * scale) / scale for v in inside]


def grid(
    saved: SavedModel,
    varied: list[Varied],
    changes: dict[str, str] | None = None,
    table: pd.DataFrame | None = None,
    focus: str | None = None,
    seed: int = 0,
) -> Grid:
    """The model's answers over every combination of the varied values, the other columns at the typical row with
    `changes` made, or (with `table`, a DataFrame of rows) at each of its rows, averaged."""
    import itertools

    import pandas as pd

    if not varied or len(varied) > MOST_VARIED or len({v.column for v in varied}) < len(varied):
        raise UserError("whatif.vary_count", most=MOST_VARIED)
    changed = set(changes or {}) & {v.column for v in varied}
    if changed:
        raise UserError("whatif.vary_and_set", column=sorted(changed)[0])
    base, unseen = saved.row(changes or {})
    held = {name: base[name] for name in changes or {}}  # over a table, what was set holds in every row
    bases = [base] if table is None else [{**row, **held} for row in _table_rows(saved, table, seed)]
    combos = list(itertools.product(*(v.values for v in varied)))
    if len(combos) * len(bases) > MOST_ANSWERS:
        raise UserError("whatif.grid_too_big", count=len(combos) * len(bases), most=MOST_ANSWERS)
    rows = [{**row, **dict(zip([v.column for v in varied], combo, strict=True))} for row in bases for combo in combos]
    answers = saved.predictions(saved.frame(rows))
    # a classifier asked about no class: the chart draws the class predicted most often here
    most = str(answers[PREDICTION].astype(str).value_counts().index[0])
    shown = saved.answer_column(focus) or probability_column(most)
    focus = shown.removeprefix(PROBABILITY) if shown.startswith(PROBABILITY) else ""
    keys = pd.DataFrame([dict(zip([v.column for v in varied], combo, strict=True)) for combo in combos])
    if len(bases) == 1:
        table_out = pd.concat([keys, answers.reset_index(drop=True)], axis=1)
        curves = None
    else:
        table_out, curves = _averaged(saved, keys, answers, len(bases), len(combos), shown)
    unseen += [sentence for v in varied if (sentence := _beyond(saved.fields[v.column], v.values))]
    return Grid(varied, table_out, shown, focus, curves, 0 if table is None else len(bases), unseen)


def _table_rows(saved: SavedModel, table: pd.DataFrame, seed: int) -> list[dict[str, Any]]:
    """Up to MOST_ROWS rows of `table` (drawn with `seed`), as the model reads them; columns it lacks typical."""
    missing = [name for name in saved.fields if name not in table.columns]
    if len(missing) == len(saved.fields):
        raise UserError("whatif.table_has_no_inputs", known=listing(list(saved.fields)[:8]))
    if len(table) > MOST_ROWS:
        table = table.sample(MOST_ROWS, random_state=seed)
    typical = saved.typical
    return [
        {name: (row[name] if name in row else typical[name]) for name in saved.fields}
        for row in table.to_dict(orient="records")
    ]


def _averaged(
    saved: SavedModel, keys: pd.DataFrame, answers: pd.DataFrame, rows: int, combos: int, shown: str
) -> tuple[pd.DataFrame, np.ndarray | None]:
    """The average over the table's rows per combination (partial dependence), and each row's answers (its curve)."""
    import pandas as pd

    numbers = answers.drop(columns=PREDICTION) if saved.classes else answers
    mean = numbers.groupby(numbers.index % combos).mean().reset_index(drop=True)
    if saved.classes:  # the class with the highest average probability
        probabilities = mean.filter(like=PROBABILITY)
        likeliest: pd.Series = probabilities.idxmax(axis=1)  # column labels (pandas-stubs say positions)
        mean.insert(0, PREDICTION, likeliest.str.removeprefix(PROBABILITY))
    table_out = pd.concat([keys, mean], axis=1)
    curves = answers[shown].to_numpy().reshape(rows, combos) if len(keys.columns) == 1 else None
    return table_out, curves


def _beyond(f: Field, values: list[Any]) -> str:
    """A sentence when the varied values reach past what training saw."""
    if f.kind == "numeric" and f.low is not None:
        outside = [v for v in values if not f.low <= v <= f.high]
    elif f.kind == "datetime" and f.low is not None:
        outside = [v for v in values if not str(f.low) <= str(v) <= str(f.high)]
    else:
        outside = [v for v in values if f.categories and str(v) not in f.categories]
    if not outside:
        return ""
    shown = listing(f"{v:g}" if isinstance(v, float) else str(v) for v in outside[:5])
    return t("whatif.grid_beyond", column=f.name, count=len(outside), values=shown)
