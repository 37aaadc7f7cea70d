"""Load a table, profile its columns, pick and check the target, detect the task.

Everything that can be wrong with the user's file is found here, before a run folder exists,
and reported as a UserError that says what to do.
"""

from __future__ import annotations

import re
from collections.abc import Hashable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from automl_tui_engine.core import privacy
from automl_tui_engine.errors import UserError
from automl_tui_engine.messages import listing, suggest, t
from automl_tui_engine.table import human_numbers
from automl_tui_engine.table.reading import read_table
from automl_tui_engine.tasks import Task

if TYPE_CHECKING:  # pandas loads with the table, not with the module
    import pandas as pd

MIN_ROWS = 20
MAX_CLASSES_FOR_LABEL_CODES = 10  # an integer target with at most this many values is read as class codes
# column kinds that carry nothing a model can generalise from: such columns are dropped
DROPPED_KINDS = ("id", "constant", "empty", "personal")  # personal: names, e-mails, phones (core/privacy.py)
COLUMN_KINDS = ("numeric", "categorical", "datetime", "text", *DROPPED_KINDS)
# the two answers of a yes/no column as English and Japanese tables write them, the "yes" first
YES_NO_PAIRS = (
    ("yes", "no"),
    ("y", "n"),
    ("true", "false"),
    ("1", "0"),
    ("あり", "なし"),
    ("有り", "無し"),
    ("有", "無"),
    ("はい", "いいえ"),
    ("○", "×"),
    ("◯", "×"),
    ("〇", "×"),
)


def yes_answer(classes: list[Any]) -> Any | None:
    """Of two classes that are a yes/no pair (any case, full-width or not), the one that means yes; else None."""
    import unicodedata

    if len(classes) != 2:
        return None
    plain = {unicodedata.normalize("NFKC", str(c)).strip().lower(): c for c in classes}
    return next((plain[yes] for yes, no in YES_NO_PAIRS if set(plain) == {yes, no}), None)


TARGET_NAMES = ("target", "label", "class", "y", "outcome", "response", "目的変数", "ラベル", "正解")
# date parts, keys and IDs by name; Japanese writes a name as one word, so its endings count whatever is before
# them (調査年, 契約日, 顧客番号)
_NOT_A_TARGET = re.compile(
    r"(^|_)(id|year|month|day|date|time|timestamp)$|(年|年度|月|日|日付|日時|時刻|番号|コード|ID)$", re.IGNORECASE
)
# Japanese eras, by name and by the letter forms write them with, and the Gregorian year before each one's first
ERAS = {
    "令和": 2018,
    "平成": 1988,
    "昭和": 1925,
    "大正": 1911,
    "明治": 1867,
    "R": 2018,
    "H": 1988,
    "S": 1925,
    "T": 1911,
}
_ERA = "|".join(ERAS)
_DATE_LIKE = re.compile(rf"^\s*(?:{_ERA})?\s*(?:\d{{1,4}}|元)[-/.年]\d{{1,2}}[-/.月]\d{{1,4}}")
_JAPANESE_DATE = re.compile(
    rf"^\s*(?P<era>{_ERA})?\s*(?P<year>\d{{1,4}}|元)\s*(?P<mark>年|[-/.])\s*(?P<month>\d{{1,2}})\s*"
    r"(?:月|[-/.])\s*(?P<day>\d{1,2})\s*日?(?P<rest>.*)$"
)


@dataclass
class ColumnProfile:
    name: str
    kind: str  # one of COLUMN_KINDS
    n_missing: int
    n_unique: int
    dtype: str
    has_time: bool = True  # a datetime column with a time of day in its values (else only dates: no hour part)

    @property
    def dropped(self) -> bool:
        return self.kind in DROPPED_KINDS


@dataclass
class Dataset:
    """A validated table ready for modelling, plus everything the report says about it."""

    X: pd.DataFrame
    y: pd.Series
    target: str
    task: Task
    profiles: list[ColumnProfile]
    source: dict[str, Any]
    warnings: list[str] = field(default_factory=list)
    target_reason: str | None = None  # why the target was chosen, when it was guessed (None: the user named it)
    source_rows: Any = None  # each kept row's position among the file's data rows (0-based)
    units: dict[str, str] = field(default_factory=dict)  # column -> the unit its numbers were written with ("¥", "%")

    @property
    def target_unit(self) -> str:
        return self.units.get(self.target, "")

    @property
    def target_was_guessed(self) -> bool:
        return self.target_reason is not None

    @property
    def date_columns(self) -> list[str]:
        return [p.name for p in self.profiles if p.kind == "datetime"]

    def timestamps(self, column: str) -> Any:
        """A date column as timestamps (UTC, so mixed offsets compare); unreadable values are missing."""
        return timestamps(self.X[column], utc=True)

    @property
    def class_counts(self) -> dict[str, int]:
        if not self.task.classifies:
            return {}
        return {str(k): int(v) for k, v in self.y.value_counts().items()}

    def preview(self, rows: int) -> dict[str, Any]:
        """The table's first `rows` rows (the target last) as the report shows them: personal data masked in the
        column names and the text values, as in the wizard's preview."""
        if rows <= 0:
            return {}
        frame = self.X.head(rows).assign(**{self.target: self.y.head(rows).to_numpy()})
        columns = [privacy.mask(str(name)) for name in frame.columns]
        kind = "text" if self.task.classifies else "numeric"  # a class label is text: masked as the others
        target = ColumnProfile(name=self.target, kind=kind, n_missing=0, n_unique=0, dtype=str(self.y.dtype))
        return {"columns": columns, "rows": privacy.preview_rows(frame, [*self.profiles, target], rows)}

    def summary(self) -> dict[str, Any]:
        """What the report's Data section needs, as plain JSON values."""
        out: dict[str, Any] = {
            "rows": int(len(self.X)),
            "columns": int(self.X.shape[1]) + 1,
            "target": self.target,
            "task": self.task,
            "target_reason": self.target_reason,
            "source": self.source,
            "profiles": [asdict(p) for p in self.profiles],
            "warnings": list(self.warnings),
        }
        if self.task is Task.REGRESSION:
            out["target_stats"] = {k: float(v) for k, v in self.y.describe().items()}
            if self.target_unit:
                out["target_unit"] = self.target_unit
        else:
            out["class_counts"] = self.class_counts
        return out


def timestamps(values: pd.Series, utc: bool = False) -> pd.Series:
    """Dates written for people as timestamps; unreadable values are missing. Japanese ones too: "2024年4月1日",
    full-width digits, era years ("令和6年4月1日", "R6.4.1", 元年 for the first): rewritten as ISO dates first."""
    import pandas as pd

    text = values.astype("string").str.normalize("NFKC")
    parts = text.str.extract(_JAPANESE_DATE)
    japanese = parts["year"].notna() & (parts["era"].notna() | (parts["mark"] == "年"))
    if japanese.any():
        rows = parts[japanese]
        years = rows["year"].replace("元", "1").astype(int) + rows["era"].map(ERAS).fillna(0).astype(int)
        text = text.copy()
        text[japanese] = (
            years.astype(str).str.zfill(4) + "-" + rows["month"].str.zfill(2) + "-" + rows["day"].str.zfill(2)
        ) + rows["rest"].fillna("")
    return pd.to_datetime(text, errors="coerce", format="mixed", utc=utc)


def _looks_like_dates(values: pd.Series) -> bool:
    sample = values.dropna().astype(str).head(200)
    if sample.empty or sample.str.normalize("NFKC").str.match(_DATE_LIKE).mean() < 0.9:
        return False
    return timestamps(sample).notna().mean() >= 0.9


def profile_column(name: str, values: pd.Series, personal_ok: bool = False) -> ColumnProfile:
    """What a column holds; "personal" (left out) for people's names, e-mails, phone numbers or addresses unless
    `personal_ok` (core/privacy.py)."""
    import pandas as pd

    n_rows = len(values)
    non_missing = values.dropna()
    n_unique = int(non_missing.nunique())
    kind: str
    if non_missing.empty:
        kind = "empty"
    elif n_unique == 1:
        kind = "constant"
    elif pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
        is_integer = pd.api.types.is_integer_dtype(values)
        all_unique = n_unique == n_rows and n_rows > MIN_ROWS
        looks_named_id = bool(re.search(r"(^|[_\s])id$|^id[_\s]|^index$", name, re.IGNORECASE))
        kind = "id" if is_integer and all_unique and (values.is_monotonic_increasing or looks_named_id) else "numeric"
    elif pd.api.types.is_datetime64_any_dtype(values) or _looks_like_dates(values):
        kind = "datetime"
    else:
        text = non_missing.astype(str)
        unique_share = n_unique / max(len(non_missing), 1)
        if unique_share > 0.5 and text.str.split().map(len).mean() >= 4:
            kind = "text"
        elif unique_share >= 0.95 and n_unique > MIN_ROWS:
            kind = "id"
        else:
            kind = "categorical"
    # an ID-like column of e-mail addresses is dropped either way: said for what it is
    if kind not in ("constant", "empty") and not personal_ok and privacy.holds_personal_data(name, values):
        kind = "personal"
    has_time = kind != "datetime" or _has_time_of_day(non_missing)
    return ColumnProfile(name, kind, int(n_rows - len(non_missing)), n_unique, str(values.dtype), has_time)


def _has_time_of_day(values: pd.Series) -> bool:
    """Whether any of the dates carries a time other than midnight."""
    stamps = timestamps(values, utc=True).dropna()
    return bool(((stamps.dt.hour != 0) | (stamps.dt.minute != 0) | (stamps.dt.second != 0)).any())


def guess_target(frame: pd.DataFrame) -> tuple[str, str]:
    """(the most plausible target, why in words): a conventional name, else the last column that could be a label
    or value (date parts, keys, IDs and free text are passed over)."""
    by_lower = {str(name).lower(): name for name in frame.columns}
    for name in TARGET_NAMES:
        if name in by_lower:
            return by_lower[name], t("data.target_reason_name", names=", ".join(TARGET_NAMES))
    passed_over: list[Hashable] = []  # column labels
    for name in reversed(frame.columns):
        # a date part or key is almost never what people want to predict
        if not _NOT_A_TARGET.search(str(name)) and profile_column(name, frame[name]).kind in ("numeric", "categorical"):
            if not passed_over:
                return name, t("data.target_reason_last")
            return name, t(
                "data.target_reason_last_usable", passed=listing(t("common.quoted", name=c) for c in passed_over)
            )
        passed_over.append(str(name))
    raise UserError("data.no_target_candidate")


def detect_task(y: pd.Series) -> Task:
    import pandas as pd

    n_unique = y.nunique()
    if n_unique == 2:
        return Task.BINARY
    if pd.api.types.is_bool_dtype(y) or not pd.api.types.is_numeric_dtype(y):
        return Task.MULTICLASS
    integer_valued = bool((y == y.round()).all())
    return Task.MULTICLASS if integer_valued and n_unique <= MAX_CLASSES_FOR_LABEL_CODES else Task.REGRESSION


def _check_target(frame: pd.DataFrame, target: str, task: Task | None) -> tuple[pd.Series, Task, list[str]]:
    """(y without missing rows, task, warnings) or a UserError when the target cannot be learned."""
    import pandas as pd

    y = frame[target]
    warnings: list[str] = []
    if y.isna().all():
        raise UserError("data.target_all_missing", target=target)
    n_missing = int(y.isna().sum())
    if n_missing:
        warnings.append(t("data.warn_target_missing", count=n_missing, target=target))
    y = y.dropna()
    if y.nunique() < 2:
        raise UserError("data.target_constant", target=target, value=y.iloc[0])
    resolved = task or detect_task(y)
    if resolved is Task.REGRESSION and not pd.api.types.is_numeric_dtype(y):
        raise UserError("data.target_not_numeric", target=target)
    if resolved.classifies:
        # integer class codes stay integers: scikit-learn's forests cannot weight classes whose labels are
        # number-like text ("0", "1": "The classes, [0, 1], are not in class_weight"); other labels become text
        y = y.astype("int64") if pd.api.types.is_integer_dtype(y) else y.astype(str)
        if y.nunique() > max(50, len(y) // 2):
            raise UserError("data.target_too_many_classes", target=target, count=y.nunique())
        if resolved is Task.BINARY and y.nunique() != 2:
            raise UserError("data.task_mismatch", target=target, count=y.nunique())
        counts = y.value_counts()
        singletons = counts[counts < 2]
        if len(singletons):
            warnings.append(t("data.warn_rare_classes", classes=listing(map(str, singletons.index)), target=target))
            y = y[y.isin(counts[counts >= 2].index)]
            if y.empty:  # every class had a single row
                raise UserError("data.too_few_rows", rows=0, needed=MIN_ROWS)
            if y.nunique() < 2:  # the other classes had a row each: too few to learn, said as such
                rare = listing(map(str, singletons.index))
                raise UserError("data.target_one_class_left", target=target, value=y.iloc[0], rare=rare)
    return y, resolved, warnings


def load(
    path: Path,
    target: str | None = None,
    task: Task | None = None,
    encoding: str | None = None,
    personal_columns: tuple[str, ...] = (),
) -> Dataset:
    """Read, check and profile a table; the single way data enters a run. `task` None is decided from the target;
    `encoding` overrides the detected one; `personal_columns` are columns holding personal data that the model may
    use all the same."""
    frame, source = read_table(path, encoding)
    return from_frame(frame, {"path": str(path), "name": path.name, **source}, target, task, personal_columns)


def from_frame(
    frame: pd.DataFrame,
    source: dict[str, Any],
    target: str | None = None,
    task: Task | None = None,
    personal_columns: tuple[str, ...] = (),
) -> Dataset:
    """Check and profile a table already read (the wizard reads once, then tries targets). A column holding
    personal data (core/privacy.py) is left out unless named in `personal_columns`."""
    path = source.get("path", "?")
    frame, number_notes, units = human_numbers.numbers_from_text(frame)
    if len(frame.columns) < 2:
        raise UserError("data.no_features", path=path, delimiter=repr(source.get("delimiter", ",")))
    if frame.empty:
        raise UserError("data.header_only", path=path)
    reason = None
    if target is None:
        target, reason = guess_target(frame)
    elif target not in frame.columns:
        hint = suggest(target, [str(c) for c in frame.columns])
        raise UserError(
            "data.target_not_found", target=target, hint=hint, columns=listing(map(str, frame.columns[:12]))
        )
    y, resolved_task, warnings = _check_target(frame, target, task)
    warnings = number_notes + warnings
    if len(y) < MIN_ROWS:
        raise UserError("data.too_few_rows", rows=len(y), needed=MIN_ROWS)
    X = frame.loc[y.index].drop(columns=[target])
    profiles = [profile_column(str(name), X[name], str(name) in personal_columns) for name in X.columns]
    if all(p.dropped for p in profiles):
        raise UserError("data.no_usable_features", target=target)
    from automl_tui_engine.table.checks import data_warnings

    warnings += data_warnings(X, y, resolved_task, profiles)
    return Dataset(
        X=X.reset_index(drop=True),
        y=y.reset_index(drop=True),
        target=str(target),
        task=resolved_task,
        profiles=profiles,
        source=source,
        warnings=warnings,
        target_reason=reason,
        source_rows=y.index.to_numpy(),
        units=units,
    )
