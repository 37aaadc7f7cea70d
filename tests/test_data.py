"""Loading and profiling real and deliberately awkward tables."""

from pathlib import Path

import pandas as pd
import pytest
from automl_tui_engine.errors import UserError
from automl_tui_engine.table import data, reading


def write(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


def table(rows=40, sep=","):
    lines = [sep.join(["名前", "price", "city", "label"])]
    lines += [
        sep.join([f"商品{i}", str(i * 1.5), ["大阪", "名古屋", "東京"][i % 3], "yes" if i % 2 else "no"])
        for i in range(rows)
    ]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("encoding", "sep", "expected_encoding"),
    [("utf-8", ",", "utf-8"), ("utf-8-sig", ";", "utf-8-sig"), ("cp932", "\t", "cp932"), ("cp932", ",", "cp932")],
)
def test_encodings_and_delimiters_are_sniffed(tmp_path, encoding, sep, expected_encoding):
    path = write(tmp_path / "t.csv", table(sep=sep), encoding)
    frame, info = reading.read_table(path)
    assert info["encoding"] == expected_encoding and info["delimiter"] == sep
    assert list(frame.columns) == ["名前", "price", "city", "label"]
    assert frame["city"].iloc[2] == "東京"


def test_latin1_file_is_not_mistaken_for_shift_jis(tmp_path):
    text = "name;city;label\n" + "".join(f"Renée {i};Genève;{'oui' if i % 2 else 'non'}\n" for i in range(30))
    frame, info = reading.read_table(write(tmp_path / "fr.csv", text, "latin-1"))
    assert info["encoding"] in ("cp1252", "latin-1")
    assert frame["city"].iloc[0] == "Genève"


def test_tsv_and_parquet(tmp_path, penguins_csv):
    original = pd.read_csv(penguins_csv)
    original.to_csv(tmp_path / "p.tsv", sep="\t", index=False)
    original.to_parquet(tmp_path / "p.parquet")
    for name in ("p.tsv", "p.parquet"):
        frame, _ = reading.read_table(tmp_path / name)
        assert frame.shape == original.shape


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "not found"),
        ("", "is empty"),
        ("a,b,target\n", "no rows"),
        ("\x89PNG\r\n\x1a\n\x00\x00\x00binary", "could not be read as a table"),
        ("just one column\nvalue\nvalue\n", "only one column"),
    ],
)
def test_bad_files_give_one_clear_line(tmp_path, content, expected):
    path = tmp_path / "bad.csv"
    if content is not None:
        path.write_bytes(content.encode("latin-1"))
    with pytest.raises(UserError) as caught:
        data.load(path, "target")
    assert expected in str(caught.value) and "\n" not in str(caught.value)


def test_unsupported_extension_says_what_to_save_as(tmp_path):
    path = write(tmp_path / "book.xlsx", "x")
    with pytest.raises(UserError, match="Save the table as .csv"):
        data.load(path)


def test_target_not_found_suggests_close_names(penguins_csv):
    with pytest.raises(UserError, match="did you mean 'species'"):
        data.load(penguins_csv, "specis")


def numbers_frame(rows=60):
    return pd.DataFrame({"x": range(rows), "z": [i % 7 for i in range(rows)]})


def test_constant_and_empty_targets_are_refused(tmp_path):
    frame = numbers_frame()
    frame["constant"] = "same"
    frame["empty"] = None
    path = tmp_path / "t.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(UserError, match="single value"):
        data.load(path, "constant")
    with pytest.raises(UserError, match="empty in every row"):
        data.load(path, "empty")


def test_rows_without_target_are_dropped_with_a_count(tmp_path, penguins_csv):
    dataset = data.load(penguins_csv, "sex")
    assert len(dataset.y) == 333 and dataset.task == "binary"
    assert any("11 rows have no value" in w for w in dataset.warnings)


def test_too_few_rows(tmp_path):
    path = tmp_path / "small.csv"
    pd.DataFrame({"x": range(10), "label": ["a", "b"] * 5}).to_csv(path, index=False)
    with pytest.raises(UserError, match="Only 10 usable rows"):
        data.load(path, "label")


def test_single_row_classes_are_dropped_with_a_warning(tmp_path):
    frame = numbers_frame()
    frame["label"] = ["a", "b"] * 29 + ["c", "d"]
    path = tmp_path / "t.csv"
    frame.to_csv(path, index=False)
    dataset = data.load(path, "label")
    assert set(dataset.y) == {"a", "b"} and any("c, d" in w for w in dataset.warnings)


def test_profile_kinds(tmp_path):
    rows = 80
    frame = pd.DataFrame(
        {
            "customer_id": range(1000, 1000 + rows),
            "code": [f"C{i:05d}" for i in range(rows)],
            "age": [20 + i % 50 for i in range(rows)],
            "plan": ["basic", "pro", "team", None] * (rows // 4),
            "signup": pd.date_range("2024-01-01", periods=rows, freq="D").strftime("%Y-%m-%d"),
            "comment": [f"customer {i} wrote a long comment about item {i * 7}" for i in range(rows)],
            "country": ["JP"] * rows,
            "blank": [None] * rows,
        }
    )
    kinds = {name: data.profile_column(name, frame[name]).kind for name in frame.columns}
    assert kinds == {
        "customer_id": "id",
        "code": "id",
        "age": "numeric",
        "plan": "categorical",
        "signup": "datetime",
        "comment": "text",
        "country": "constant",
        "blank": "empty",
    }


@pytest.mark.parametrize(
    ("values", "task"),
    [
        (["yes", "no"] * 20, "binary"),
        ([0, 1, 2] * 20, "multiclass"),
        ([0.5, 1.25, 3.0, 7.5, 2.0, 9.1, 4.4, 3.3, 1.1, 8.8, 6.6, 5.5] * 3, "regression"),
        (list(range(40)), "regression"),
        (["a", "b", "c"] * 10, "multiclass"),
    ],
)
def test_task_detection(values, task):
    assert data.detect_task(pd.Series(values)) == task


def test_target_guess_prefers_conventional_names_then_last_column_and_says_why():
    frame = pd.DataFrame({"label": ["a", "b"] * 10, "x": range(20), "y2": range(20)})
    name, why = data.guess_target(frame)
    assert name == "label" and "usually given to the column to predict" in why
    frame = pd.DataFrame({"x": range(20), "kind": ["a", "b"] * 10})
    assert data.guess_target(frame) == (
        "kind",
        "it is the last column, where tables usually keep what is to be predicted",
    )
    # the last column is a date part: passed over, and the reason names it
    frame = pd.DataFrame({"x": range(20), "kind": ["a", "b"] * 10, "year": [2020, 2021] * 10})
    name, why = data.guess_target(frame)
    assert name == "kind" and "the columns after it ('year') are dates, keys, IDs or free text" in why


def test_penguins_target_guess_is_explained_in_the_run_and_the_report(penguins_csv, tmp_path):
    import automl_tui_engine as engine
    from conftest import quick_config

    result = engine.run(quick_config(penguins_csv, tmp_path))
    assert any(
        "predicting 'sex' (binary) because it is the last column that can be predicted" in w and "('year')" in w
        for w in result.warnings
    )
    report = (Path(result.run_dir) / "report.md").read_text(encoding="utf-8")
    assert "the target was chosen automatically because it is the last column that can be predicted" in report


def test_load_guesses_target_and_says_so(penguins_csv, tmp_path):
    frame = pd.read_csv(penguins_csv)[["island", "bill_length_mm", "body_mass_g", "species"]]
    path = tmp_path / "p.csv"
    frame.to_csv(path, index=False)
    dataset = data.load(path)
    assert dataset.target == "species" and dataset.target_was_guessed and dataset.task == "multiclass"
