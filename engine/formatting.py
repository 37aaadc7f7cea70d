"""Small formatting helpers shared by the report, the model card and the faces: Markdown tables, untrusted text
made safe to show, sizes, numbers."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # pandas loads with the tables written, not with the module
    import pandas as pd

# what turns text into live Markdown or HTML: tags and entities, emphasis and code, links and images, tables; an
# underscore inside a word (bill_length_mm) never starts emphasis and stays as it is, for people reading the file
_MARKDOWN_LIVE = re.compile(r"([\\`*\[\]<>|~&]|(?<![^\W_])_|_(?![^\W_]))")
# characters a terminal would act on (escape sequences, bell, backspace...), and the bidirectional overrides that
# make text read in another order than it is stored: shown as their code instead
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def md_safe(value: object) -> str:
    """Text from the table (a column name, a class label, a file name, a message quoting them) as it must appear
    in report.md and model_card.md: personal data masked, and shown as typed, never as live markup."""
    from automl_tui_engine.core.privacy import mask

    text = without_controls(mask(str(value)).replace("\r", " ").replace("\n", " "))
    return _MARKDOWN_LIVE.sub(r"\\\1", text)


def md_code(value: object) -> str:
    """Text shown as inline code in Markdown (a model's name, a command): fenced with more backticks than any run
    inside it, so a backtick in a name never closes the span early and lets what follows go live."""
    from automl_tui_engine.core.privacy import mask

    text = without_controls(mask(str(value)).replace("\r", " ").replace("\n", " "))
    fence = "`" * (1 + max((len(run) for run in re.findall(r"`+", text)), default=0))
    pad = " " if text[:1] == "`" or text[-1:] == "`" else ""  # CommonMark takes one space off each side
    return f"{fence}{pad}{text}{pad}{fence}"


def md_code_block(text: str) -> str:
    """A command line as a Markdown code block: no control characters, and a fence longer than any run of
    backticks in it, so nothing closes it early."""
    shown = without_controls(text)
    fence = "`" * max(3, 1 + max((len(run) for run in re.findall(r"`+", shown)), default=0))
    return f"{fence}\n{shown}\n{fence}"


# a spreadsheet runs a cell that starts with one of these as a formula (=HYPERLINK(...) sends data away)
FORMULA_START = "=+-@\t\r"


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` for a CSV people open in Excel: a text cell or column name that would start a formula gets a
    leading apostrophe (shown, never run); numbers, negative ones written as text too, stay as they are."""
    import pandas as pd

    def neutral(values: pd.Series) -> pd.Series:
        text = values.astype("string")
        formula = text.str[:1].isin(list(FORMULA_START)) & pd.to_numeric(text, errors="coerce").isna()
        return values.where(~formula.fillna(False), "'" + text)

    safe = frame.copy()
    for column in safe.columns:
        if not pd.api.types.is_numeric_dtype(safe[column]):
            safe[column] = neutral(safe[column])
    safe.columns = neutral(pd.Series(safe.columns.astype(str))).tolist()
    return safe


def without_controls(text: str) -> str:
    """`text` with the characters a terminal acts on written out as codes (ESC as \\x1b): safe to print."""
    return _CONTROL.sub(
        lambda m: f"\\x{ord(m.group()):02x}" if m.group() < "\u0100" else f"\\u{ord(m.group()):04x}", text
    )


def table(headers: list[str], rows: list[list[Any]]) -> str:
    def cell(value: object) -> str:
        return str(value).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(cell(h) for h in headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def human_bytes(size: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"


CURRENCY_SIGNS = "$€£¥"  # a target written with one of these keeps it in front of its figures: ¥153,362


def score_text(value: float, bounded: bool = True, unit: str = "") -> str:
    """A score or error for people: three decimals for scores in [0, 1]; others to four significant figures, whole
    numbers with thousands separators once that large (never 153362.3393), in the target's unit where it has one."""
    if value != value:  # NaN: nothing was measured
        return "—"
    if bounded:
        return f"{value:.3f}"
    return with_unit(f"{value:,.0f}" if abs(value) >= 100 else f"{value:.4g}", unit)


def about_seconds(seconds: float) -> str:
    """An estimate's seconds for people: whole, and never 0 ('about 0 s' for a table read in a blink)."""
    return f"{max(round(seconds), 1):,}"


def with_unit(figure: str, unit: str) -> str:
    """'¥153,362', '-$12', '12.5%', '1,234 kg': a currency sign in front, a percent sign after, other units spaced."""
    if not unit:
        return figure
    if unit in CURRENCY_SIGNS:
        sign, digits = ("-", figure[1:]) if figure.startswith("-") else ("", figure)
        return f"{sign}{unit}{digits}"
    return f"{figure}%" if unit == "%" else f"{figure} {unit}"


class Bounded(Protocol):
    """What writing a metric's values needs of it (a RankingMetric, a layer above, has it, and its unit)."""

    @property
    def bounded(self) -> bool: ...


def metric_text(value: float, metric: Bounded) -> str:
    """A metric's value as `score_text` writes it, from the metric's facts (bounded, and the unit it is in)."""
    return score_text(value, metric.bounded, getattr(metric, "unit", ""))


def spread_text(mean: float, std: float | None, metric: Bounded) -> str:
    """'0.913 ± 0.014', '¥153,362 ± ¥1,838', '0.0914 ± 0.0047': a cross-validated score and its spread over the
    folds. An unbounded score below 100 is written to the spread's precision (two significant figures of it), both
    to the same decimals: never '0.09136 ± 0.004698'."""
    import math

    if metric.bounded or abs(mean) >= 100 or not std or not math.isfinite(std):
        return f"{metric_text(mean, metric)} ± {metric_text(std or 0.0, metric)}"
    decimals = min(max(1 - math.floor(math.log10(abs(std))), 0), 6)
    unit = getattr(metric, "unit", "")
    return f"{with_unit(f'{mean:.{decimals}f}', unit)} ± {with_unit(f'{std:.{decimals}f}', unit)}"


SIGNIFICANT_DIGITS = 4  # of a column's largest number; the smaller ones get as many decimals, so the points line up


def column_texts(values: pd.Series) -> list[str]:
    """A table column's values as people read them, one precision for the whole column: 31.25, 15.20 and 7.65, never
    31.25, 15.2 and 7.651 (nor 8.951e-08 beside 0.9978); no more decimals than the values have (a grid's 32.5 stays
    32.5), whole numbers without any; text as it is; nothing for no value."""
    import math

    import pandas as pd

    if not pd.api.types.is_float_dtype(values):  # text, True/False, and whole numbers (never rounded through a float)
        return ["" if pd.isna(value) else str(value) for value in values]
    numbers = values.astype(float)  # pandas' NA as NaN
    finite = [value for value in numbers if math.isfinite(value)]
    largest = max((abs(value) for value in finite), default=0.0)
    decimals = max(SIGNIFICANT_DIGITS - 1 - math.floor(math.log10(largest)), 0) if largest else 0
    # the fewest decimals that write every value as it is, when that is fewer
    decimals = next(d for d in range(decimals + 1) if d == decimals or all(_written_with(v, d) for v in finite))
    # + 0.0: a tiny negative rounded to nothing is 0.00, not -0.00
    return ["" if math.isnan(value) else f"{round(value, decimals) + 0.0:.{decimals}f}" for value in numbers]


def _written_with(value: float, decimals: int) -> bool:
    return abs(value - round(value, decimals)) <= 1e-9 * max(abs(value), 1.0)


MINUS_SIGN = "\u2212"  # −, as the charts' axes (plotly) and the messages' "+ up, − down" write a negative


def with_minus_sign(figure: str) -> str:
    """A signed figure ('-0.045', '+1.2') with its minus written as the charts and the messages write it ('−0.045'):
    a number and the legend that explains its sign agree."""
    return figure.replace("-", MINUS_SIGN, 1) if figure.startswith("-") else figure
