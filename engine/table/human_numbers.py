"""Numbers written for people in a table's text ("1,234", "$1,200", "12 kg", "15%", and in Japanese "１２３",
"△500", "￥1,234"): read as numbers, with the unit they were written with kept."""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

from automl_tui_engine.messages import t

if TYPE_CHECKING:  # pandas loads with the table, not with the module
    import pandas as pd

# a number written for people: optional currency, digits with thousands separators, optional unit or percent
# after NFKC (full-width digits, signs and points are the usual ones): a sign (Japanese accounts write a negative
# amount with △ or ▲, and − is the minus sign), a currency, the digits, a unit
_HUMAN_NUMBER = re.compile(
    r"^\s*(?P<sign>[-+−△▲]?)\s*(?P<currency>[$€£¥])?\s*(?P<number>\d{1,3}(?:[,\u00a0 ]\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"\s*(?P<unit>%|[^\W\d_]{1,6}\.?)?\s*$"
)
_NEGATIVE_SIGNS = ("-", "−", "△", "▲")
NUMBERS_AS_TEXT_SHARE = 0.95


def plain_digits(text: str) -> str:
    """A number (or range, or date) typed by a person, with full-width digits, signs, points, commas and colons made
    plain, as the table's own numbers are read (NFKC, and the minus sign −): '１，２００' is '1,200', '１７０：２３５'
    is '170:235'."""
    return unicodedata.normalize("NFKC", text).replace("−", "-")


def parse_numbers(values: pd.Series) -> pd.Series:
    """Numbers written for people ("1,234", "$1,200", "12 kg", "15%", "inf", and in Japanese "１２３", "－５",
    "１２．５％", "￥1,234", "△500") as floats; anything else missing."""
    import numpy as np
    import pandas as pd

    text = values.astype("string").str.normalize("NFKC").str.strip()  # "１２．５％" is "12.5%", "￥" is "¥"
    parts = text.str.extract(_HUMAN_NUMBER)
    numbers = pd.to_numeric(parts["number"].str.replace(r"[,\u00a0 ]", "", regex=True), errors="coerce")
    numbers = numbers.where(~parts["sign"].isin(_NEGATIVE_SIGNS), -numbers)
    infinite = text.str.fullmatch(r"[-+]?(inf|infinity)", case=False).fillna(False)
    return numbers.where(~infinite, np.nan).astype("float64")


def written_unit(values: pd.Series) -> str:
    """The currency sign or unit nearly every number of a text column is written with ("¥1,234" → "¥"), or ""."""
    parts = values.dropna().astype("string").str.normalize("NFKC").str.strip().str.extract(_HUMAN_NUMBER)
    marks = parts["currency"].fillna(parts["unit"]).dropna()
    if marks.empty:
        return ""
    common = marks.value_counts()
    return str(common.index[0]) if common.iloc[0] >= NUMBERS_AS_TEXT_SHARE * len(parts) else ""


def numbers_from_text(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str], dict[str, str]]:
    """Text columns whose values are nearly all numbers written for people become numeric columns; the unit they
    were written with is kept (column -> unit), so figures in that column's terms can be written the same way."""
    import numpy as np
    import pandas as pd

    notes, units = [], {}
    frame = frame.copy()
    for name in frame.columns:
        values = frame[name]
        if pd.api.types.is_numeric_dtype(values):
            if pd.api.types.is_float_dtype(values) and np.isinf(values).any():
                notes.append(t("data.warn_infinite", column=name, count=int(np.isinf(values).sum())))
                frame[name] = values.replace([np.inf, -np.inf], np.nan)
            continue
        present = values.dropna()
        sample = present.sample(n=min(len(present), 1000), random_state=0)  # cheap look before a full parse
        if sample.empty or parse_numbers(sample).notna().mean() < NUMBERS_AS_TEXT_SHARE:
            continue
        parsed = parse_numbers(values)
        if parsed[present.index].notna().mean() >= NUMBERS_AS_TEXT_SHARE:
            unit = written_unit(values)
            if unit:
                units[str(name)] = unit
            frame[name] = parsed
            notes.append(t("data.warn_numbers_as_text", column=name))
    return frame, notes, units
