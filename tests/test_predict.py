"""`automl-tui predict`: the saved model repeats its in-run test predictions, and bad tables are explained."""

import re

import automl_tui_engine as engine
import pandas as pd
import pytest
from automl_tui_engine.errors import UserError
from automl_tui_engine.predict import predict_file
from conftest import penguins_with_id, quick_config

from automl_tui.entry import main


def cli(args, capsys):
    with pytest.raises(SystemExit) as finished:
        main([str(a) for a in args])
    captured = capsys.readouterr()
    return finished.value.code, captured.out, captured.err


def test_predictions_repeat_the_in_run_test_predictions(penguin_run, tmp_path, capsys):
    run_dir, frame = penguin_run, penguins_with_id()
    expected = pd.read_csv(f"{run_dir}/test_predictions.csv")
    new_rows = frame.iloc[expected["row"] - 1].drop(columns="species")
    new_rows.to_csv(tmp_path / "new.csv", index=False)
    code, out, err = cli(["predict", run_dir, tmp_path / "new.csv", "-o", tmp_path / "out.csv"], capsys)
    assert code == 0, err
    assert f"Wrote {len(new_rows)} predictions" in out
    got = pd.read_csv(tmp_path / "out.csv")
    assert list(got.columns) == [
        "penguin_id",
        "prediction",
        "probability_Adelie",
        "probability_Chinstrap",
        "probability_Gentoo",
        "inputs_outside_training",
    ]
    assert list(got["penguin_id"]) == list(new_rows["penguin_id"])
    assert list(got["prediction"]) == list(expected["prediction"])
    pd.testing.assert_series_equal(got["probability_Gentoo"], expected["probability_Gentoo"], check_exact=False)


def test_chunks_give_the_same_predictions_as_one_pass(penguin_run, tmp_path):
    run_dir, frame = penguin_run, penguins_with_id()
    frame.to_csv(tmp_path / "all.csv", index=False)
    progress = []
    chunked = predict_file(
        run_dir,
        tmp_path / "all.csv",
        tmp_path / "chunked.csv",
        chunk_rows=50,
        on_progress=lambda done, total: progress.append((done, total)),
    )
    whole = predict_file(run_dir, tmp_path / "all.csv", tmp_path / "whole.csv")
    assert chunked.rows == whole.rows == len(frame)
    assert progress[0] == (50, 344) and progress[-1] == (344, 344) and len(progress) == 7
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "chunked.csv"), pd.read_csv(tmp_path / "whole.csv"))
    # the input check counted chunk by chunk says what one pass says
    assert [(c.name, c.psi, c.p_value, c.below, c.above) for c in chunked.check.columns] == [
        (c.name, c.psi, c.p_value, c.below, c.above) for c in whole.check.columns
    ]
    for one, other in zip(chunked.check.columns, whole.check.columns, strict=True):
        assert one.mean_now == pytest.approx(other.mean_now, nan_ok=True)


def test_missing_columns_are_named(penguin_run, tmp_path, capsys):
    run_dir, frame = penguin_run, penguins_with_id()
    frame.drop(columns=["island", "bill_length_mm"]).to_csv(tmp_path / "less.csv", index=False)
    code, out, err = cli(["predict", run_dir, tmp_path / "less.csv"], capsys)
    assert code == 2 and "Traceback" not in err
    assert "lacks columns the model needs: island, bill_length_mm" in err and len(err.strip().splitlines()) == 1


def test_a_table_with_a_header_and_no_rows_is_said_so(penguin_run, tmp_path, capsys):
    run_dir, frame = penguin_run, penguins_with_id()
    frame.head(0).to_csv(tmp_path / "empty.csv", index=False)
    code, out, err = cli(["predict", run_dir, tmp_path / "empty.csv"], capsys)
    assert code == 2 and "Traceback" not in err
    assert "has a header but no rows" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "empty_predictions.csv").exists()


def test_unseen_categories_text_numbers_and_extra_columns_are_handled_with_notes(penguin_run, tmp_path):
    run_dir, frame = penguin_run, penguins_with_id()
    odd = frame.drop(columns="species").head(20).copy()
    odd["island"] = ["Atlantis"] * 5 + list(odd["island"][5:])
    odd["body_mass_g"] = odd["body_mass_g"].astype("object")
    odd.loc[odd.index[:3], "body_mass_g"] = ["3750", "heavy", "4100"]  # numbers stored as text, one word
    odd["comment"] = "new column"
    summary = predict_file(run_dir, write(odd, tmp_path / "odd.csv"), tmp_path / "odd_out.csv")
    assert summary.rows == 20 and len(pd.read_csv(tmp_path / "odd_out.csv")) == 20
    notes = " ".join(summary.notes)
    assert "5 rows have a value of 'island' the model never saw" in notes
    assert "1 values of 'body_mass_g' were not numbers" in notes
    assert "Columns the model does not use were ignored: comment." in notes


def write(frame, path):
    frame.to_csv(path, index=False)
    return path


def test_predictions_never_overwrite_a_file(penguin_run, tmp_path):
    run_dir, frame = penguin_run, penguins_with_id()
    data = write(frame.head(5), tmp_path / "few.csv")
    (tmp_path / "few_predictions.csv").write_text("precious")
    with pytest.raises(UserError, match="already exists"):
        predict_file(run_dir, data, tmp_path / "few_predictions.csv")
    # not named: the first free name beside the table, and the check beside it
    assert predict_file(run_dir, data).out_path == tmp_path / "few_predictions-2.csv"
    assert (tmp_path / "few_predictions-2_check.md").is_file()
    assert (tmp_path / "few_predictions.csv").read_text() == "precious"


def test_model_card_is_written_and_printed(penguin_run, capsys):
    run_dir = penguin_run
    code, out, err = cli(["predict", run_dir, "--card"], capsys)
    assert code is None or code == 0
    for heading in (
        "# Model card: predicting species",
        "## Intended use",
        "## Training data",
        "## How it was trained",
        "## Performance",
        "## Known limits and warnings",
    ):
        assert heading in out
    # each score filed under what it was measured on: cross-validation, then the held-out test rows
    assert re.search(r"balanced accuracy 0\.\d+ in cross-validation", out)
    assert re.search(r"On the \d+ held-out test rows \(never seen during the search\): balanced accuracy 0\.", out)
    assert "associations in the data, not causes" in out
    assert "**species** (multiclass)" in out  # the task as the report names it
    assert "- trained for keeps on all " in out  # the same facts as the report's model details


@pytest.fixture(scope="module")
def japanese_label_run(tmp_path_factory):
    """A model whose classes are Japanese words: its predictions are text the output's encoding must hold."""
    from conftest import PENGUINS

    folder = tmp_path_factory.mktemp("predict_ja")
    frame = pd.read_csv(PENGUINS)
    frame["species"] = frame["species"].map({"Adelie": "アデリー", "Chinstrap": "ヒゲ", "Gentoo": "ジェンツー"})
    frame.to_csv(folder / "penguins_ja.csv", index=False, encoding="utf-8")
    result = engine.run(quick_config(folder / "penguins_ja.csv", folder / "runs", target="species"))
    return result.run_dir, frame.drop(columns="species")


def test_predictions_are_written_in_the_tables_encoding_with_its_byte_order_mark(japanese_label_run, tmp_path):
    run_dir, rows = japanese_label_run
    rows = rows.assign(備考="観察記録あり")  # Excel's tables have Japanese in them: what tells cp932 from ASCII
    rows.to_csv(tmp_path / "excel.csv", index=False, encoding="cp932")
    predict_file(run_dir, tmp_path / "excel.csv", tmp_path / "cp932_out.csv")
    written = (tmp_path / "cp932_out.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        written.decode("utf-8")  # Shift_JIS bytes, as Excel set to Japanese reads them
    assert "ジェンツー" in written.decode("cp932")

    rows.to_csv(tmp_path / "bom.csv", index=False, encoding="utf-8-sig")
    predict_file(run_dir, tmp_path / "bom.csv", tmp_path / "bom_out.csv", chunk_rows=100)  # several chunks
    written = (tmp_path / "bom_out.csv").read_bytes()
    assert written.startswith(b"\xef\xbb\xbf") and written.count(b"\xef\xbb\xbf") == 1
    got = pd.read_csv(tmp_path / "bom_out.csv", encoding="utf-8-sig")
    assert len(got) == len(rows) and set(got["prediction"]) <= {"アデリー", "ヒゲ", "ジェンツー"}

    # Excel's "Unicode text": UTF-16, tab-separated; written back the same way, so Excel splits it into columns
    rows.to_csv(tmp_path / "unicode.txt", index=False, sep="\t", encoding="utf-16")
    predict_file(run_dir, tmp_path / "unicode.txt", tmp_path / "unicode_out.txt")
    got = pd.read_csv(tmp_path / "unicode_out.txt", sep="\t", encoding="utf-16")
    assert "prediction" in got.columns and len(got) == len(rows)


def test_a_prediction_the_output_encoding_cannot_hold_is_an_error_naming_it(japanese_label_run, tmp_path, capsys):
    run_dir, rows = japanese_label_run
    rows.to_csv(tmp_path / "latin.csv", index=False)
    code, _, err = cli(["predict", run_dir, tmp_path / "latin.csv", "--output-encoding", "cp1252"], capsys)
    assert code == 2
    # the class names head the probability columns: the first thing cp1252 cannot write
    assert "Cannot write the column name probability_" in err and "--output-encoding utf-8-sig" in err
    assert "Traceback" not in err and not (tmp_path / "latin_predictions.csv").exists()
    code, _, err = cli(["predict", run_dir, tmp_path / "latin.csv", "--output-encoding", "no-such-codec"], capsys)
    assert code == 2 and "not an encoding name" in err


def test_predict_says_which_inputs_moved_beside_the_predictions_and_in_the_run_folder(penguin_run, tmp_path, capsys):
    """New rows with heavier penguins and an island training never saw: said on the terminal, in
    NEW_predictions_check.md beside the predictions, per row in the predictions file, and in predictions.jsonl."""
    import json

    run_dir, frame = penguin_run, penguins_with_id().drop(columns="species")
    moved = frame.sample(150, random_state=3).reset_index(drop=True)
    moved["body_mass_g"] = moved["body_mass_g"] * 1.4
    moved.loc[:19, "island"] = "Anvers"
    moved.to_csv(tmp_path / "moved.csv", index=False)
    code, out, err = cli(["predict", run_dir, tmp_path / "moved.csv"], capsys)
    assert code == 0, err
    assert "Inputs moved in 2 of " in out and "island" in out and "body_mass_g" in out
    assert "'Anvers' (20 rows)" in out
    written = pd.read_csv(tmp_path / "moved_predictions.csv")
    outside = written["inputs_outside_training"].fillna("")
    assert (outside.iloc[:20].str.contains("island")).all()  # every row with the new island says so
    heavier = moved["body_mass_g"] > json.loads((run_dir / "input_ranges.json").read_text())["body_mass_g"]["high"]
    assert list(outside.str.contains("body_mass_g")) == list(heavier)
    check = (tmp_path / "moved_predictions_check.md").read_text(encoding="utf-8")
    assert "| body_mass_g |" in check and "| yes |" in check and "inputs_outside_training" in check
    logged = [json.loads(line) for line in (run_dir / "predictions.jsonl").read_text().splitlines()]
    assert set(logged[-1]["check"]["moved"]) == {"island", "body_mass_g"}


def test_rows_from_the_training_table_move_no_input(penguin_run, tmp_path, capsys):
    run_dir, frame = penguin_run, penguins_with_id().drop(columns="species")
    frame.sample(200, random_state=4).to_csv(tmp_path / "same.csv", index=False)
    code, out, err = cli(["predict", run_dir, tmp_path / "same.csv"], capsys)
    assert code == 0, err
    assert "Inputs: like training's in all " in out


def test_answer_columns_are_named_in_the_users_language_or_as_programs_read_them(
    penguin_run, tmp_path, capsys, monkeypatch
):
    import os

    monkeypatch.setenv("AUTOML_TUI_LANG", os.environ["AUTOML_TUI_LANG"])  # --lang is the process's: given back
    data = write(penguins_with_id().head(20), tmp_path / "few.csv")
    code, _, err = cli(["--lang", "ja", "predict", penguin_run, data, "-o", tmp_path / "ja.csv"], capsys)
    assert code in (None, 0), err
    japanese = list(pd.read_csv(tmp_path / "ja.csv").columns)
    assert japanese[0] == "penguin_id" and japanese[1] == "予測" and japanese[-1] == "学習範囲外の入力"
    assert {"確率_Adelie", "確率_Gentoo", "確率_Chinstrap"} <= set(japanese)
    args = ["--lang", "ja", "predict", penguin_run, data, "-o", tmp_path / "en.csv", "--headers", "en"]
    code, _, err = cli(args, capsys)
    assert code in (None, 0), err
    english = list(pd.read_csv(tmp_path / "en.csv").columns)
    assert english[1] == "prediction" and "probability_Adelie" in english and english[-1] == "inputs_outside_training"
    code, _, err = cli([*args[:-1], "xx"], capsys)
    assert code == 2 and "--headers xx" in err
