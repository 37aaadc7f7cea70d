"""One case asked of a saved model (issue 20, first increment): the form from what training saw, the answer for the
typical row with columns changed, values outside training named, and bad input as one line."""

from __future__ import annotations

import json

import pytest
from automl_tui_engine.errors import UserError
from automl_tui_engine.outputs import rundir
from automl_tui_engine.whatif import case
from test_end_to_end import cli


def test_the_form_holds_what_training_saw_with_a_typical_row(penguin_run):
    fields = {field.name: field for field in case.form(penguin_run)}
    assert "species" not in fields  # the target is what is asked for, not a field
    bill = fields["bill_length_mm"]
    assert bill.kind == "numeric" and bill.low < bill.typical < bill.high
    assert set(fields["island"].categories) == {"Biscoe", "Dream", "Torgersen"}
    assert fields["island"].typical in fields["island"].categories


def test_changing_columns_changes_the_answer_and_unseen_values_are_named(penguin_run):
    typical = case.ask(penguin_run, {})
    assert abs(sum(typical.probabilities.values()) - 1) < 1e-3 and typical.unseen == []
    # a Gentoo penguin by construction: Biscoe, a shallow bill, long flippers, heavy
    gentoo = case.ask(
        penguin_run,
        {"island": "Biscoe", "bill_depth_mm": "14", "flipper_length_mm": "225", "body_mass_g": "5,600"},
    )
    assert gentoo.prediction == "Gentoo" and gentoo.probabilities["Gentoo"] > typical.probabilities["Gentoo"]
    assert gentoo.inputs["body_mass_g"] == 5600.0 and gentoo.unseen == []
    # the few columns that move it most, toward the class it predicts, strongest first
    assert gentoo.explained == "Gentoo" and 0 < len(gentoo.pushes) <= case.TOP_PUSHES
    assert set(gentoo.pushes) <= set(gentoo.inputs) and gentoo.why_not == ""
    strengths = [abs(value) for value in gentoo.pushes.values()]
    assert strengths == sorted(strengths, reverse=True)
    beyond = case.ask(penguin_run, {"flipper_length_mm": "400", "island": "Mars"})
    assert [sentence.split(" (")[0] for sentence in beyond.unseen] == [
        "the model has not seen flipper_length_mm = 400",
        "the model has not seen 'Mars' in island",
    ]


def test_numbers_typed_in_full_width_are_read_as_the_tables_are(penguin_run):
    """'５，６００' as typed on a Japanese keyboard (the table's own full-width digits are read the same way)."""
    from automl_tui_engine.whatif import grid

    plain = {"bill_depth_mm": "14", "flipper_length_mm": "225", "body_mass_g": "5,600"}
    wide = {"bill_depth_mm": "１４", "flipper_length_mm": "２２５．０", "body_mass_g": "５，６００"}
    assert case.ask(penguin_run, wide).inputs == case.ask(penguin_run, plain).inputs
    saved = case.SavedModel.open(penguin_run)
    assert grid.parse(saved, "flipper_length_mm=１７０：２３０：２０").values == [170.0, 190.0, 210.0, 230.0]


def test_whatif_on_the_command_line(penguin_run, capsys):
    code, out, err = cli(["whatif", penguin_run, "--set", "island=Dream", "--set", "flipper_length_mm=400"], capsys)
    assert code in (None, 0)
    assert out.startswith("Prediction: ") and "Asked about: island = Dream, flipper_length_mm = 400;" in out
    assert "What moves this answer most (toward " in out
    assert "not causes" in out and err.startswith("Careful: the model has not seen flipper_length_mm = 400")
    code, out, _ = cli(["whatif", penguin_run, "--json"], capsys)
    answer = json.loads(out)
    said = {
        "inputs",
        "prediction",
        "probabilities",
        "unseen",
        "pushes",
        "explained",
        "why_not",
        "cutoff",
        "model",
        "note",
    }
    assert set(answer) == said and answer["unseen"] == [] and answer["cutoff"] is None
    code, out, _ = cli(["whatif", penguin_run], capsys)  # no question: the form, then the typical row's answer
    assert out.startswith("The model's inputs") and "  island: " in out and "Asked about the typical row" in out


@pytest.mark.parametrize(
    ("setting", "said"),
    [
        ("islnd=Dream", "'islnd' is not an input column of this model (did you mean 'island'?)"),
        ("bill_length_mm=long", "'long' is not a number, and 'bill_length_mm' holds numbers"),
        ("island", "'island' is not COLUMN=VALUE"),
    ],
)
def test_bad_questions_are_one_line(penguin_run, capsys, setting, said):
    code, _, err = cli(["whatif", penguin_run, "--set", setting], capsys)
    assert code == 2 and err.startswith(said) and len(err.strip().splitlines()) == 1


def test_a_run_from_before_whatif_says_to_re_run(penguin_run, tmp_path, capsys):
    import shutil

    old = shutil.copytree(penguin_run, tmp_path / penguin_run.name)
    (old / rundir.INPUT_RANGES).unlink()
    with pytest.raises(UserError, match="has no input_ranges.json"):
        case.form(old)
    code, _, err = cli(["whatif", old], capsys)
    assert code == 2 and "re-run it to ask its model about one case" in err


def test_a_date_is_read_as_a_date():
    day = case.Field("day", "datetime", "2024-02-01", low="2024-01-01", high="2024-03-31")
    assert case.value_of(day, "2024-02-15") == ("2024-02-15", "")
    assert case.value_of(day, "2024-05-01")[1].startswith("the model has not seen day = 2024-05-01")
    with pytest.raises(UserError, match="'soon' is not a date, and 'day' holds dates: write one such as 2024-02-01"):
        case.value_of(day, "soon")


def test_a_case_can_start_from_a_row_of_the_table(penguin_run, capsys):
    code, out, _ = cli(["whatif", penguin_run, "--row", "1", "--set", "island=Dream", "--json"], capsys)
    asked = json.loads(out)["inputs"]  # the first penguin of the file, moved to Dream
    assert (asked["bill_length_mm"], asked["sex"], asked["island"]) == (39.1, "male", "Dream")
    code, out, _ = cli(["whatif", penguin_run, "--row", "1", "--set", "island=Dream"], capsys)
    assert "Asked about row 1 of the table the model learned from, with island = Dream." in out
    code, _, err = cli(["whatif", penguin_run, "--row", "999"], capsys)
    assert code == 2 and err.startswith("penguins_with_id.csv has no row 999: its rows are numbered 1 to 344")


def test_an_answer_from_a_model_with_a_tuned_cut_off_says_the_cut_off():
    """Probabilities of 0.62 for '承認' and an answer of '否決' read as a contradiction unless the cut-off is said."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import FixedThresholdClassifier

    from automl_tui.whatif_cli import answer_text

    X, y = np.arange(20).reshape(-1, 1), np.array(["否決"] * 10 + ["承認"] * 10)
    model = FixedThresholdClassifier(LogisticRegression(), threshold=0.85, response_method="predict_proba").fit(X, y)
    assert case.cutoff_of(model) == (str(model.classes_[1]), 0.85)
    assert case.cutoff_of(LogisticRegression().fit(X, y)) is None
    answer = case.Answer({}, "否決", {"否決": 0.38, "承認": 0.62}, [], cutoff=("承認", 0.85))
    said, _ = answer_text(answer, {})
    assert "It answers '承認' only once it is at least 85% sure" in said


def test_a_printed_table_lines_up_by_screen_cells_with_japanese_names_and_values(capsys):
    """A Japanese character takes two cells of the terminal, not one: every column of a grid's or a search's table
    starts (text) or ends (numbers) at the same cell in every line, its header's too; and each column's numbers
    have one precision (never 7.651 above 15.2)."""
    import pandas as pd
    from rich.cells import cell_len

    from automl_tui.whatif_cli import _print_table

    table = pd.DataFrame(
        {
            "都市": ["東京", "Osaka", "名古屋市"],
            "年収（万円）": [7.651, 15.2, 31.25],
            "prediction": ["はい", "no", "いいえ"],
            "probability_はい": [0.5, 0.0371, 1e-7],
        }
    )
    _print_table(table)
    lines = capsys.readouterr().out.splitlines()
    cells = [
        ["都市", "年収（万円）", "prediction", "probability_はい"],
        ["東京", "7.65", "はい", "0.5000"],
        ["Osaka", "15.20", "no", "0.0371"],
        ["名古屋市", "31.25", "いいえ", "0.0000"],
    ]
    assert len(lines) == len(cells)
    spans = []  # each line's (first cell, cell after the last) of each column, found left to right
    for line, texts in zip(lines, cells, strict=True):
        found, at = [], 0
        for text in texts:
            at = line.index(text, at)
            found.append((cell_len(line[:at]), cell_len(line[:at]) + cell_len(text)))
            at += len(text)
        spans.append(found)
    text_columns, number_columns = (0, 2), (1, 3)
    for column in text_columns:
        assert len({line[column][0] for line in spans}) == 1, lines
    for column in number_columns:
        assert len({line[column][1] for line in spans}) == 1, lines


def test_what_moves_an_answer_writes_its_minus_as_its_legend_does():
    """The sentence explains the signs with "+ up, − down" (U+2212, as the SHAP chart's axis writes it): the values
    it lists write their minus the same way, not as a hyphen."""
    from automl_tui_engine.formatting import MINUS_SIGN
    from automl_tui_engine.messages import t

    from automl_tui.whatif_cli import answer_text

    answer = case.Answer({}, 152.0, {}, [], pushes={"bmi": 0.1234, "age": -0.0451})
    said, _ = answer_text(answer, {})
    assert t("whatif.pushes_value", items=f"bmi +0.123, age {MINUS_SIGN}0.045") in said
    for legend in ("whatif.pushes_value", "whatif.pushes_toward"):  # what the catalogues say of the signs
        assert MINUS_SIGN in t(legend, items="", toward="") and "-" not in t(legend, items="", toward="")


def test_a_table_wider_than_the_terminal_folds_its_long_names_and_cuts_nothing(capsys, monkeypatch):
    """At 40 columns a long header or value folds onto more lines; no value is cut to 'トージ …'."""
    import re

    import pandas as pd
    from rich.cells import cell_len

    from automl_tui.whatif_cli import _print_table

    monkeypatch.setenv("FORCE_COLOR", "1")  # rich takes the capture for a terminal, 40 columns wide
    monkeypatch.setenv("COLUMNS", "40")
    island = "トージャーセン島"
    table = pd.DataFrame({"prediction": [island, "Dream"], f"probability_{island}": [0.5, 0.25], "mass": [3e3, 4e3]})
    _print_table(table)
    lines = [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in capsys.readouterr().out.splitlines()]
    assert max(map(cell_len, lines)) <= 40 and "…" not in "".join(lines)
    assert all(any(number in line for line in lines) for number in ("0.50", "0.25", "3000", "4000"))
    assert island in "".join(line.split()[0] for line in lines if line[:1] != " ")  # folded, whole
