"""Asking the saved model about one case (issue 20, "what-if"): a form with one field per input column of the
trained table, in the table's own terms (the categories training saw, the range of numbers and dates it saw),
filled with a typical row (medians, most frequent values); the answer for that row with some fields changed, and
each value the model never saw in training named, so the answer is treated with care. These are the model's
answers, not causal effects."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from automl_tui_engine.errors import UserError
from automl_tui_engine.messages import listing, suggest, t
from automl_tui_engine.outputs import rundir
from automl_tui_engine.table.human_numbers import plain_digits
from automl_tui_engine.tasks import Task

if TYPE_CHECKING:  # pandas and scikit-learn load with the model, not with the module
    import pandas as pd
    from sklearn.base import BaseEstimator

_THOUSANDS = re.compile(r"[-+]?\d{1,3}(,\d{3})+(\.\d+)?")
ASKED_KINDS = ("numeric", "categorical", "datetime", "text")  # the columns a model reads; ids and constants it drops
TOP_PUSHES = 3  # "the few columns that push this answer up or down most"


@dataclass(frozen=True)
class Field:
    """One input column as a form shows it: its kind, typical value, and what training saw of it."""

    name: str
    kind: str
    typical: Any
    low: Any = None  # numbers and dates: the smallest and largest training saw
    high: Any = None
    categories: list[str] = field(default_factory=list)  # categories and text: the values training saw, frequent first
    whole: bool = False  # numbers: training saw whole numbers only


@dataclass(frozen=True)
class Answer:
    inputs: dict[str, Any]  # the whole row asked about
    prediction: Any
    probabilities: dict[str, float]  # classification: each class's probability; {} for regression
    unseen: list[str]  # a sentence for each value outside what training saw
    # the columns that move this answer most (SHAP for the row, largest first), toward `explained` (a class) or the
    # predicted value up (positive) and down; {} with `why_not` when the model cannot be explained this way
    pushes: dict[str, float] = field(default_factory=dict)
    explained: str = ""
    why_not: str = ""
    cutoff: tuple[str, float] | None = None  # (the class, the probability it is answered from) when not 0.5


def form(run_dir: Path) -> list[Field]:
    """The fields of the run's model, in the table's column order, each with its typical value."""
    return list(_fields(_seen(run_dir)).values())


def _seen(run_dir: Path) -> dict[str, dict[str, Any]]:
    """input_ranges.json: every column the model was fit on (in order), with what training saw of it."""
    if not Path(run_dir).is_dir():  # missing, or a link that leads nowhere or to itself: not an old run
        raise UserError("report.not_a_run", path=run_dir)
    seen = rundir.RunFolder(Path(run_dir)).read_json(rundir.INPUT_RANGES)
    if not seen:
        raise UserError("whatif.no_ranges", run_dir=run_dir)
    return seen


def _fields(seen: dict[str, dict[str, Any]]) -> dict[str, Field]:
    return {
        name: Field(
            name=name,
            kind=entry["kind"],
            typical=entry.get("typical"),
            low=entry.get("low"),
            high=entry.get("high"),
            categories=list(entry.get("categories") or {}),
            whole=bool(entry.get("whole")),
        )
        for name, entry in seen.items()
        if entry["kind"] in ASKED_KINDS
    }


@dataclass
class SavedModel:
    """A run's saved model with what training saw of its inputs: loaded once, asked many times (a form's every
    edit, a grid's rows, a search's trials)."""

    run_dir: Path
    model: BaseEstimator
    answered_by: Any  # adopted_models.Answering: which saved model of the run this is, and why
    task: Task
    target: str
    columns: list[str]  # every column it was fit on, those it drops too
    fields: dict[str, Field]  # the columns it reads, by name

    @classmethod
    def open(cls, run_dir: Path, trust: bool = False, use: str | None = None) -> SavedModel:
        """The model adopted for `use` (adopted_models.answering)."""
        from automl_tui_engine.adopted_models import answering
        from automl_tui_engine.predict import load_answering, schema

        seen = _seen(run_dir)
        expected = schema(run_dir)
        answer = answering(run_dir, use)
        model = load_answering(run_dir, answer, trust)
        return cls(Path(run_dir), model, answer, expected.task, expected.target, list(seen), _fields(seen))

    @property
    def typical(self) -> dict[str, Any]:
        return {name: f.typical for name, f in self.fields.items()}

    @property
    def classes(self) -> list[str]:
        return [str(label) for label in getattr(self.model, "classes_", [])]

    def answer_column(self, focus: str | None) -> str | None:
        """The column of the answer asked about: `probability_<focus>` for a class of a classifier, `prediction` for
        a regression; None for a classifier asked about no class (the caller chooses). A class for a regression, or
        one the model does not predict, is refused."""
        from automl_tui_engine.naming import PREDICTION, probability_column

        if not self.classes:
            if focus:
                raise UserError("whatif.class_for_regression")
            return PREDICTION
        if focus is None:
            return None
        if focus not in self.classes:
            raise UserError("whatif.unknown_class", label=focus, known=listing(self.classes))
        return probability_column(focus)

    @cached_property
    def typical_frame(self) -> pd.DataFrame:
        """The typical row as the model reads it: the explainer's background for every answer."""
        return self.frame([self.typical])

    def field(self, name: str) -> Field:
        if name not in self.fields:
            known = list(self.fields)
            raise UserError("whatif.unknown_column", column=name, hint=suggest(name, known), known=listing(known))
        return self.fields[name]

    def row(self, changes: dict[str, str]) -> tuple[dict[str, Any], list[str]]:
        """The typical row with `changes` (column -> value as typed) made, and a sentence per value training never
        saw."""
        row, unseen = self.typical, []
        for name, text in changes.items():
            row[name], outside = value_of(self.field(name), text)
            if outside:
                unseen.append(outside)
        return row, unseen

    def table_row(self, number: int) -> dict[str, str]:
        """Row `number` (1 for the first under the header, as test_predictions.csv counts) of the table the run
        learned from, as text for the form: its input columns that hold a value."""
        import math
        import tomllib

        config = tomllib.loads((self.run_dir / rundir.CONFIG).read_text(encoding="utf-8"))
        table = Path(str(config.get("data", "")))
        if not table.is_file():
            raise UserError("whatif.table_gone", table=table)
        from automl_tui_engine.table.reading import read_table

        rows, _ = read_table(table)
        if not 1 <= number <= len(rows):
            raise UserError("whatif.no_such_row", row=number, table=table.name, count=len(rows))
        found = rows.iloc[number - 1]
        return {
            name: format(value, ".12g") if isinstance(value, float) else str(value)
            for name in self.fields
            if name in found.index and not (isinstance(value := found[name], float) and math.isnan(value))
        }

    def frame(self, rows: list[dict[str, Any]]) -> pd.DataFrame:
        """Rows as the model reads them: every column it was fit on (those it drops empty), numbers as numbers."""
        import pandas as pd

        frame = pd.DataFrame([{name: row.get(name) for name in self.columns} for row in rows], columns=self.columns)
        for name, f in self.fields.items():
            if f.kind == "numeric":
                frame[name] = pd.to_numeric(frame[name])
        return frame

    def predictions(self, frame: pd.DataFrame) -> pd.DataFrame:
        """`prediction`, and `probability_<class>` per class, one row per row of `frame`."""
        from automl_tui_engine.predict import prediction_frame

        return prediction_frame(self.model, frame, self.task)

    def answer(self, changes: dict[str, str]) -> Answer:
        """The model's answer for the typical row with `changes` made to it."""
        from automl_tui_engine.naming import PREDICTION, PROBABILITY

        row, unseen = self.row(changes)
        frame = self.frame([row])
        answered = self.predictions(frame).iloc[0]
        probabilities = {
            str(key).removeprefix(PROBABILITY): round(float(value), 4)
            for key, value in answered.items()
            if str(key).startswith(PROBABILITY)
        }
        prediction = answered[PREDICTION]
        prediction = prediction.item() if hasattr(prediction, "item") else prediction
        pushes, explained, why_not = _pushes(self.model, frame, self.typical_frame, self.task, prediction)
        return Answer(row, prediction, probabilities, unseen, pushes, explained, why_not, cutoff_of(self.model))


def cutoff_of(model: BaseEstimator) -> tuple[str, float] | None:
    """The class a model with a tuned decision threshold answers, and the probability it answers it from (the run
    saves such a model as a scikit-learn FixedThresholdClassifier); None for the usual 0.5 or a regression."""
    from sklearn.model_selection import FixedThresholdClassifier
    from sklearn.pipeline import Pipeline

    estimator = model.steps[-1][1] if isinstance(model, Pipeline) else model
    if not isinstance(estimator, FixedThresholdClassifier) or not isinstance(estimator.threshold, float | int):
        return None
    positive = estimator.pos_label if estimator.pos_label is not None else estimator.classes_[1]
    return str(positive), float(estimator.threshold)


def ask(run_dir: Path, changes: dict[str, str], trust: bool = False) -> Answer:
    """The model's answer for the typical row with `changes` (column -> value as typed) made to it."""
    return SavedModel.open(run_dir, trust).answer(changes)


def _pushes(
    model: BaseEstimator, frame: pd.DataFrame, typical: pd.DataFrame, task: Task, prediction: object
) -> tuple[dict[str, float], str, str]:
    """(the TOP_PUSHES columns that move this answer most, the class they push toward, why there are none)."""
    from automl_tui_engine.errors import one_line
    from automl_tui_engine.outputs.explain import row_contributions

    # the typical row is the explainer's background: most models are explained against it; trees against the
    # training rows their leaves hold
    try:
        moved, explained = row_contributions(model, frame, typical, task)
    except Exception as exc:  # an ensemble, a plugin's steps, or SHAP failing on this model: the answer stands
        return {}, "", one_line(exc)
    strongest = sorted(moved.items(), key=lambda item: abs(item[1]), reverse=True)[:TOP_PUSHES]
    said = str(prediction) if explained == "predicted" else explained or ""
    return {name: round(value, 4) for name, value in strongest if value}, said, ""


def value_of(f: Field, text: str) -> tuple[Any, str]:
    """The typed value as the column's kind holds it, and a sentence when training never saw one like it."""
    if f.kind in ("numeric", "datetime"):
        text = plain_digits(text)  # typed as the table wrote them: '１，２００' as '1,200'
    if f.kind == "numeric":
        # 5,600 is five thousand six hundred; 40,5 is a decimal comma, said rather than read as 405
        plain = text.replace(",", "") if _THOUSANDS.fullmatch(text.strip()) else text
        try:
            number = float(plain)
        except ValueError:
            raise UserError("whatif.not_a_number", column=f.name, value=text) from None
        if f.low is not None and not f.low <= number <= f.high:
            return number, t("whatif.outside", column=f.name, value=text, low=short(f.low), high=short(f.high))
        return number, ""
    if f.kind == "datetime":
        import pandas as pd

        try:
            pd.Timestamp(text)
        except ValueError:
            raise UserError("whatif.not_a_date", column=f.name, value=text, example=f.typical or "2024-04-01") from None
        if f.low is not None and not str(f.low) <= text <= str(f.high):  # ISO dates compare as text
            return text, t("whatif.outside", column=f.name, value=text, low=f.low, high=f.high)
        return text, ""
    if f.kind == "categorical" and f.categories and text not in f.categories:
        return text, t("whatif.new_category", column=f.name, value=text, known=listing(f.categories[:8]))
    return text, ""


def short(value: object) -> str:
    """A number as people write it (2008, not 2008.0; 8.576, not 8.575946831862097); anything else as text, and
    nothing for no value."""
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 1e4 else f"{value:.0f}"
    return "" if value is None else str(value)
