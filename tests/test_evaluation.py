"""`automl-tui evaluate`: the model in use scored on rows whose outcomes arrived, kept in the run folder and shown in
its report over time (issue 38, item 2)."""

import json
import os
from pathlib import Path

import automl_tui_engine as engine
import pandas as pd
import pytest
from automl_tui_engine.evaluation import FEW_ROWS
from conftest import copy_of, penguins_with_id, quick_config

from automl_tui.entry import main


def cli(args, capsys):
    with pytest.raises(SystemExit) as finished:
        main([str(a) for a in args])
    captured = capsys.readouterr()
    return finished.value.code, captured.out, captured.err


def test_two_evaluations_are_kept_and_the_report_shows_both(penguin_run, tmp_path, capsys):
    run_dir = copy_of(penguin_run, tmp_path)
    info = json.loads((run_dir / "run.json").read_text())
    info["config"]["charts"] = "html"  # the run's own setting decides the chart: a page, no PNG
    (run_dir / "run.json").write_text(json.dumps(info))
    frame = penguins_with_id()
    frame.sample(120, random_state=1).to_csv(tmp_path / "june.csv", index=False)
    shuffled = frame.sample(120, random_state=2).copy()
    shuffled["species"] = shuffled["species"].sample(frac=1, random_state=3).to_numpy()  # the rule has changed
    shuffled.to_csv(tmp_path / "july.csv", index=False)

    code, out, err = cli(["evaluate", run_dir, tmp_path / "june.csv"], capsys)
    assert code == 0, err
    assert "Scored " in out and "on 120 rows with known outcomes" in out and "It holds:" in out
    assert "clearly better than guessing" in out
    # rows the model was made from: its score on them is said to say little (June's come from its own table)
    assert "Careful: 120 of these 120 rows are rows of the table the model was made from" in out
    code, out, err = cli(["evaluate", run_dir, tmp_path / "july.csv"], capsys)
    assert code == 0, err
    assert "It has fallen:" in out and "no better than guessing" in out

    lines = [json.loads(line) for line in (run_dir / "evaluations.jsonl").read_text().splitlines()]
    assert [line["fallen"] for line in lines] == [False, True]
    assert all(line["rows"] == 120 and line["left_out"] == 0 for line in lines)
    info = json.loads((run_dir / "run.json").read_text())
    assert lines[0]["cv"] is not None and lines[0]["model"] == info["recommended"]
    since = (run_dir / "report.md").read_text(encoding="utf-8").split("### Since the decision")[1].split("##")[0]
    assert "june.csv" in since and "july.csv" in since and "It has fallen:" in since
    assert (run_dir / "plots" / "since_decision.html").is_file() and not (
        run_dir / "plots" / "since_decision.png"
    ).exists()
    code, out, err = cli(["runs", "--out", run_dir.parent], capsys)  # the runs list says the latest
    assert code == 0 and "since the decision" in out and " fallen (" in out, err


def test_a_handful_of_rows_is_scored_but_not_judged(penguin_run, tmp_path, capsys):
    run_dir = copy_of(penguin_run, tmp_path)
    few = penguins_with_id().sample(FEW_ROWS - 1, random_state=6)
    few["bill_length_mm"] += 0.05  # measured again: rows the model has not seen
    few.to_csv(tmp_path / "few.csv", index=False)
    code, out, err = cli(["evaluate", run_dir, tmp_path / "few.csv"], capsys)
    assert code == 0, err
    assert f"{FEW_ROWS - 1} rows are too few to tell whether it holds or has fallen" in out
    assert "It holds" not in out and "than guessing" not in out and "Careful:" not in out
    (line,) = [json.loads(x) for x in (run_dir / "evaluations.jsonl").read_text().splitlines()]
    assert line["too_few"] and not line["fallen"] and line["level"] == "" and line["known_rows"] == 0
    code, out, err = cli(["runs", "--out", run_dir.parent], capsys)
    assert code == 0 and f"on {FEW_ROWS - 1} rows, too few to tell (" in out, out


def test_the_score_is_the_metric_s_own_on_those_rows(penguin_run, tmp_path, capsys):
    """The evaluation's score is the run's metric on the rows' own outcomes, as scikit-learn computes it."""
    from sklearn.metrics import balanced_accuracy_score

    run_dir = copy_of(penguin_run, tmp_path)
    rows = penguins_with_id().sample(150, random_state=4)
    rows.to_csv(tmp_path / "labelled.csv", index=False)
    assert cli(["predict", run_dir, tmp_path / "labelled.csv", "-o", tmp_path / "p.csv"], capsys)[0] == 0
    assert cli(["evaluate", run_dir, tmp_path / "labelled.csv"], capsys)[0] == 0
    predicted = pd.read_csv(tmp_path / "p.csv")["prediction"]
    (line,) = [json.loads(x) for x in (run_dir / "evaluations.jsonl").read_text().splitlines()]
    expected = balanced_accuracy_score(rows["species"], predicted)
    assert line["scores"]["balanced_accuracy"] == pytest.approx(expected, abs=1e-12)


def test_a_labelled_file_without_the_target_or_a_model_column_is_one_line_exit_2(penguin_run, tmp_path, capsys):
    run_dir = copy_of(penguin_run, tmp_path)
    frame = penguins_with_id()
    frame.drop(columns="species").to_csv(tmp_path / "no_target.csv", index=False)
    frame.drop(columns="island").to_csv(tmp_path / "other_columns.csv", index=False)
    code, out, err = cli(["evaluate", run_dir, tmp_path / "no_target.csv"], capsys)
    assert code == 2 and "has no column 'species'" in err and len(err.strip().splitlines()) == 1
    code, out, err = cli(["evaluate", run_dir, tmp_path / "other_columns.csv"], capsys)
    assert code == 2 and "island" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not (run_dir / "evaluations.jsonl").exists()


def test_it_is_said_in_japanese(penguin_run, tmp_path, capsys, monkeypatch):
    # --lang sets the language for the process and its children: given back to the session's after the test
    monkeypatch.setenv("AUTOML_TUI_LANG", os.environ["AUTOML_TUI_LANG"])
    run_dir = copy_of(penguin_run, tmp_path)
    penguins_with_id().sample(100, random_state=5).to_csv(tmp_path / "labelled.csv", index=False)
    code, out, err = cli(["--lang", "ja", "evaluate", run_dir, tmp_path / "labelled.csv"], capsys)
    assert code == 0, err
    assert "行で、" in out and "を評価しました" in out and "精度は保たれています" in out
    # the shared report keeps the language its run spoke; its reader rebuilds it in theirs when they ask
    report = (run_dir / "report.md").read_text(encoding="utf-8")
    assert report.startswith("# automl-tui report · ") and "### Since the decision" in report
    code, _, err = cli(["--lang", "ja", "report", run_dir], capsys)
    assert code in (None, 0), err
    assert (run_dir / "report.md").read_text(encoding="utf-8").startswith("# automl-tui レポート · ")


@pytest.mark.slow
def test_a_regression_is_scored_against_the_mean_training_guessed(diabetes_csv, tmp_path, capsys):
    result = engine.run(quick_config(diabetes_csv, tmp_path / "runs", target="target"))
    run_dir = Path(result.run_dir)
    frame = pd.read_csv(diabetes_csv)
    frame.sample(150, random_state=6).to_csv(tmp_path / "labelled.csv", index=False)
    code, out, err = cli(["evaluate", run_dir, tmp_path / "labelled.csv"], capsys)
    assert code == 0, err
    (line,) = [json.loads(x) for x in (run_dir / "evaluations.jsonl").read_text().splitlines()]
    mean = json.loads((run_dir / "run.json").read_text())["baseline"]["mean"]
    guessed = frame.loc[frame.sample(150, random_state=6).index, "target"]
    assert line["guess_scores"]["rmse"] == pytest.approx(((guessed - mean) ** 2).mean() ** 0.5, rel=1e-9)
    assert line["level"] in ("clearly", "slightly", "no_better")
