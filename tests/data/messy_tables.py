"""A corpus of messy and broken tables, made from the real penguins data, each with its expected outcome.

`make(folder)` writes every table into `folder` and returns the cases. tests/test_messy_tables.py runs each one
through the headless command line. Run this file to write the corpus to tests/data/messy/ and look at it.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
PENGUINS = HERE.parent.parent / "examples" / "penguins.csv"


@dataclass(frozen=True)
class Case:
    file: str
    target: str | None
    exit_code: int
    expect: str  # text the report (exit 0) or the one-line error (exit 2) must contain


def _penguins() -> pd.DataFrame:
    return pd.read_csv(PENGUINS).dropna(subset=["species"])


def make(folder: Path) -> list[Case]:
    folder.mkdir(parents=True, exist_ok=True)
    base = _penguins()
    rng = np.random.default_rng(0)
    cases: list[Case] = []

    def write(name: str, frame: pd.DataFrame, target: str | None, expect: str, **to_csv) -> None:
        frame.to_csv(folder / name, index=False, **to_csv)
        cases.append(Case(name, target, 0, expect))

    def refuse(name: str, content: bytes | None, target: str | None, expect: str) -> None:
        if content is not None:
            (folder / name).write_bytes(content)
        cases.append(Case(name, target, 2, expect))

    # Encodings and delimiters from spreadsheets and business systems
    write("utf8_bom.csv", base, "species", "encoding utf-8-sig", encoding="utf-8-sig")
    japanese = base.rename(columns={"species": "種", "island": "島", "sex": "性別"}).replace(
        {"Adelie": "アデリー", "Chinstrap": "ヒゲ", "Gentoo": "ジェンツー", "male": "オス", "female": "メス"}
    )
    write("shift_jis.csv", japanese, "種", "encoding cp932", encoding="cp932")
    write("semicolon_decimal_comma.csv", base, "species", "| bill_length_mm | numeric |", sep=";", decimal=",")
    write("tab_delimited.tsv", base, "species", "delimiter '\\t'", sep="\t")
    write("pipe_delimited.csv", base, "species", "delimiter '|'", sep="|")
    # Numbers written for people
    thousands = base.assign(body_mass_g=base["body_mass_g"].map(lambda v: f"{v:,.0f}" if v == v else ""))
    write("thousands_separators.csv", thousands, "species", "'body_mass_g' holds numbers written as text")
    units = base.assign(body_mass_g=base["body_mass_g"].map(lambda v: f"{v:.0f} g" if v == v else ""))
    write("units.csv", units, "species", "'body_mass_g' holds numbers written as text")
    money = base.assign(
        price=[f"${p:,.2f}" for p in rng.uniform(900, 2500, len(base))],
        share=[f"{s:.0f}%" for s in rng.uniform(0, 100, len(base))],
    )
    write("currency_and_percent.csv", money, "species", "'price' holds numbers written as text")
    infinite = base.assign(bill_length_mm=base["bill_length_mm"].where(base.index % 17 != 3, np.inf))
    count = int(np.isinf(infinite["bill_length_mm"]).sum())
    write("infinite_values.csv", infinite, "species", f"'bill_length_mm' has {count} infinite values")
    # Structure
    notes = base.assign(note=[f"line one of note {i}\nline two, with a comma" for i in range(len(base))])
    write("quoted_newlines.csv", notes, "species", "| note | text |")
    duplicate = pd.concat([base, base[["island"]]], axis=1)
    write("duplicate_columns.csv", duplicate, "species", "| island.1 |")
    blank = base.rename(columns={"year": ""})
    write("blank_column_name.csv", blank, "species", "Unnamed: 7")
    wide = pd.concat(
        [
            base.head(200),
            pd.DataFrame(rng.normal(size=(200, 1000)).round(2), columns=[f"sensor_{i}" for i in range(1000)]),
        ],
        axis=1,
    )
    write("wide_1000_columns.csv", wide, "species", f"200 rows × {wide.shape[1]} columns")
    # Column kinds
    write(
        "yes_no_target.csv",
        base.assign(heavy=np.where(base["body_mass_g"] > 4200, "yes", "no")),
        "heavy",
        "task: **binary**",
    )
    write(
        "true_false_column.csv",
        base.assign(measured=base["bill_length_mm"].notna()),
        "species",
        "| measured | numeric |",
    )
    formats = ["%Y-%m-%d", "%d/%m/%Y", "%Y/%m/%d %H:%M"]
    days = pd.date_range("2007-11-01", periods=len(base), freq="D")
    dates = base.assign(seen=[d.strftime(formats[i % 3]) for i, d in enumerate(days)])
    write("dates_mixed_formats.csv", dates, "species", "| seen | datetime |")
    codes = base.assign(species=base["species"].map({"Adelie": 0, "Chinstrap": 1, "Gentoo": 2}))
    write("numeric_label_codes.csv", codes, "species", "task: **multiclass**")
    free_text = base.assign(
        field_notes=[f"bird {i} seen near the {['rocks', 'shore', 'nest'][i % 3]} at dawn" for i in range(len(base))]
    )
    write("free_text_column.csv", free_text, "species", "| field_notes | text |")
    write("id_column.csv", base.assign(tag_id=range(5000, 5000 + len(base))), "species", "| tag_id | id |")
    mixed = base.assign(band=[str(i) if i % 3 else "unknown" for i in range(len(base))])
    write("mixed_types_column.csv", mixed, "species", "| band |")
    write("all_missing_column.csv", base.assign(empty_notes=np.nan), "species", "| empty_notes | empty |")
    write("constant_column.csv", base.assign(station="Palmer"), "species", "| station | constant |")
    write("missing_target_rows.csv", base.assign(sex=base["sex"]), "sex", "11 rows have no value in the target")
    rare = base.copy()
    rare.loc[rare.index[0], "species"] = "Emperor"
    write("single_row_class.csv", rare, "species", "Classes with a single row were dropped")
    small = pd.concat([base[base["species"] == "Adelie"].head(60), base[base["species"] == "Gentoo"].head(3)])
    write("tiny_class.csv", small, "species", "2-fold cross-validation is used instead of 3")
    # Refused, each with one line that says what to do
    refuse("empty.csv", b"", "species", "is empty")
    refuse("header_only.csv", b"species,island,bill_length_mm\n", "species", "has a header but no rows")
    refuse("not_a_table.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR binary", "species", "could not be read as a table")
    refuse("spreadsheet.xlsx", b"PK\x03\x04 not really a workbook", "species", "Save the table as .csv")
    refuse("single_column.csv", b"species\nAdelie\nGentoo\n" * 10, "species", "has only one column")
    base.to_csv(folder / "target_typo.csv", index=False)
    refuse("target_typo.csv", None, "specis", "did you mean 'species'")
    base.assign(label="same").to_csv(folder / "constant_target.csv", index=False)
    refuse("constant_target.csv", None, "label", "has a single value")
    base.assign(label=np.nan).to_csv(folder / "empty_target.csv", index=False)
    refuse("empty_target.csv", None, "label", "is empty in every row")
    base.sample(12, random_state=1).to_csv(folder / "too_few_rows.csv", index=False)
    refuse("too_few_rows.csv", None, "species", "usable rows; at least 20")
    base.assign(label=[f"bird-{i}" for i in range(len(base))]).to_csv(folder / "id_like_target.csv", index=False)
    refuse("id_like_target.csv", None, "label", "looks like an ID or free text")
    only_ids = pd.DataFrame({"row_id": range(100), "site": "A", "species": ["a", "b"] * 50})
    only_ids.to_csv(folder / "no_usable_features.csv", index=False)
    refuse("no_usable_features.csv", None, "species", "nothing is left to learn from")
    refuse("does_not_exist.csv", None, "species", "File not found")
    return cases


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "messy"
    for case in make(out):
        print(f"{case.exit_code}  {case.file:<30} {case.expect}")
