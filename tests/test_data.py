"""Loading and profiling real and deliberately awkward tables."""

from pathlib import Path

import pandas as pd
import pytest
from automl_tui_engine.errors import UserError
from automl_tui_engine.table import data, human_numbers, reading


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
    [
        ("utf-8", ",", "utf-8"),
        ("utf-8-sig", ";", "utf-8-sig"),
        ("cp932", "\t", "cp932"),
        ("cp932", ",", "cp932"),
        ("euc_jp", ",", "euc_jp"),  # older Unix systems' Japanese
        ("iso2022_jp", ",", "iso2022_jp"),  # Japanese e-mail attachments
        ("utf-16", "\t", "utf-16"),  # Excel's "Unicode text" export: UTF-16 LE with its mark, tab-separated
        ("utf-16-be", ",", "utf-16"),  # written with a big-endian mark below
    ],
)
def test_encodings_and_delimiters_are_sniffed(tmp_path, encoding, sep, expected_encoding):
    text = ("\ufeff" if encoding == "utf-16-be" else "") + table(sep=sep)
    path = write(tmp_path / "t.csv", text, encoding)
    frame, info = reading.read_table(path)
    assert info["encoding"] == expected_encoding and info["delimiter"] == sep
    assert list(frame.columns) == ["名前", "price", "city", "label"]
    assert frame["city"].iloc[2] == "東京"


SHOP = "店舗名,都道府県,業態,売場面積,前年比,種類\n" + "".join(
    f"{name},{place},{kind},{area},{ratio},{label}\n"
    for name, place, kind, area, ratio, label in [
        ("新宿東口店", "東京都", "駅前型", 320, 1.04, "継続"),
        ("梅田茶屋町店", "大阪府", "商業施設内", 410, 0.97, "改装"),
        ("栄三丁目店", "愛知県", "路面店", 185, 1.12, "継続"),
        ("天神西通り店", "福岡県", "路面店", 150, 0.88, "閉店検討"),
        ("札幌大通店", "北海道", "地下街", 260, 1.01, "継続"),
    ]
    * 8
)


@pytest.mark.parametrize("encoding", ["cp932", "euc_jp", "iso2022_jp", "utf-16", "utf-8-sig"])
def test_japanese_text_is_read_as_written_not_as_mojibake(tmp_path, encoding):
    """Real Japanese text (kanji-heavy, few kana) in each encoding Japanese offices produce: the column names come
    out as written, so `--target 種類` finds its column; a wrong guess (EUC-JP read as Latin text, Shift_JIS as
    Korean) would turn 種類 into ¼ïÎà or Hangul."""
    frame, info = reading.read_table(write(tmp_path / "店舗.csv", SHOP, encoding))
    assert list(frame.columns) == ["店舗名", "都道府県", "業態", "売場面積", "前年比", "種類"]
    assert frame["業態"].iloc[1] == "商業施設内" and frame["売場面積"].iloc[0] == 320
    assert info["encoding"] == encoding


def test_the_encoding_given_is_used_and_a_wrong_name_or_byte_is_said_in_one_line(tmp_path):
    path = write(tmp_path / "t.csv", table(), "cp932")
    frame, info = reading.read_table(path, encoding="shift_jis")
    assert info["encoding"] == "shift_jis" and frame["city"].iloc[2] == "東京"
    with pytest.raises(UserError, match="not an encoding name.*--encoding"):
        reading.read_table(path, encoding="sjis-ish")
    # the first 64 KB are cp932, a later row is not: the row is not read as something else
    broken = write(tmp_path / "late.csv", table(rows=3000), "cp932")
    broken.write_bytes(broken.read_bytes() + "商品,1.0,東京,yes\n".encode())
    with pytest.raises(UserError, match="is not all cp932 text.*--encoding"):
        reading.read_table(broken)


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
        # pandas' tokenizer says these in its own words; people are told where, and what to do
        ("a,b,target\n1,2,x\n3,4,y,extra\n5,6,z\n", "line 3 has 4 values where the header has 3 columns"),
        ('a,b,target\n1,2,x\n"3,4,y\n5,6,z\n', "a quote opened on line 3 is never closed"),
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


@pytest.mark.slow  # a real run of the engine: the full tier (see conftest)
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


def test_japanese_numbers_and_dates_read_as_their_usual_forms():
    """Full-width digits and signs, yen, △ for a negative amount; dates with 年月日, full-width digits and era
    years. Written by people this way in Japanese tables, they are the numbers and dates they say."""
    amounts = pd.Series(["１２３", "－５", "１２．５％", "￥1,234", "△500", "▲1,000円", "−7", "abc"])
    assert human_numbers.parse_numbers(amounts).tolist()[:7] == [123.0, -5.0, 12.5, 1234.0, -500.0, -1000.0, -7.0]
    assert pd.isna(human_numbers.parse_numbers(amounts).iloc[7])
    days = pd.Series(
        ["2024年4月1日", "令和6年4月1日", "R6.4.1", "平成元年1月8日", "２０２４年１２月３１日 10:30", "H31/4/30"]
    )
    assert [str(stamp) for stamp in data.timestamps(days)] == [
        "2024-04-01 00:00:00",
        "2024-04-01 00:00:00",
        "2024-04-01 00:00:00",
        "1989-01-08 00:00:00",
        "2024-12-31 10:30:00",
        "2019-04-30 00:00:00",
    ]
    frame = pd.DataFrame({"契約日": days.tolist() * 5, "売上": ["￥1,200", "￥８００", "△￥300"] * 10})
    profiles = {c: data.profile_column(c, frame[c]).kind for c in frame.columns}
    assert profiles["契約日"] == "datetime"
    penguins = pd.read_csv(Path(__file__).parent.parent / "examples" / "penguins_ja.csv", encoding="cp932")
    assert data.guess_target(penguins)[0] == "性別"  # 調査年 (survey year) is a date part, as `year` is
    converted, notes, units = human_numbers.numbers_from_text(frame)
    assert converted["売上"].tolist()[:3] == [1200.0, 800.0, -300.0] and units == {"売上": "¥"} and notes


@pytest.mark.parametrize(
    ("classes", "yes"),
    [
        (["なし", "あり"], "あり"),
        (["いいえ", "はい"], "はい"),
        (["×", "○"], "○"),
        (["No", "Yes"], "Yes"),
        ([0, 1], 1),
        (["ｙｅｓ", "ｎｏ"], "ｙｅｓ"),
        (["あり", "なし", "不明"], None),
        (["Adelie", "Gentoo"], None),
    ],
)
def test_the_yes_of_a_yes_no_pair_is_found_in_english_and_japanese(classes, yes):
    assert data.yes_answer(classes) == yes


def test_the_wizard_shows_a_column_of_full_width_digits_as_the_number_it_will_be(tmp_path):
    from automl_tui_engine.inspection import inspect_table

    rows = 60
    frame = pd.DataFrame(
        {
            "年齢": ["２８", "３５", "４２", "５１"] * (rows // 4),
            "地域": ["東京", "大阪", "名古屋"] * (rows // 3),
            "解約": ["あり", "なし"] * (rows // 2),
        }
    )
    found = inspect_table(tmp_path / "t.csv", frame, {"path": "t.csv", "name": "t.csv"}, "解約", {})
    assert found.error is None, found.error
    kinds = {name: kind for name, kind, _ in found.column_rows}
    assert kinds["年齢"] == "numeric" and kinds["地域"] == "categorical"
