"""report.md is rebuilt from the run folder alone, and says what is missing instead of failing."""

import json
import shutil
from pathlib import Path

import automl_tui_engine as engine
import pandas as pd
import pytest
from automl_tui_engine.outputs import run_record
from conftest import quick_config

from automl_tui.cli import main


@pytest.fixture(scope="module")
def penguin_run(tmp_path_factory) -> Path:
    """One real run for the module (an ID column, a constant column, a two-class target with missing values)."""
    from conftest import PENGUINS

    folder = tmp_path_factory.mktemp("report")
    frame = pd.read_csv(PENGUINS)
    frame.insert(0, "penguin_id", range(1, len(frame) + 1))
    frame["station"] = "Palmer"
    data = folder / "penguins_with_id.csv"
    frame.to_csv(data, index=False)
    return Path(engine.run(quick_config(data, folder / "runs", target="sex")).run_dir)


@pytest.fixture
def run_dir(penguin_run, tmp_path) -> Path:
    """The module's run, copied: each test may damage its own."""
    return Path(shutil.copytree(penguin_run, tmp_path / penguin_run.name))


def report_cli(run_dir, capsys):
    with pytest.raises(SystemExit) as finished:
        main(["report", str(run_dir)])
    return finished.value.code, capsys.readouterr()


def test_data_section_says_what_happened_to_each_column(penguin_run):
    report = Path(penguin_run, "report.md").read_text()
    data = report.split("## 4. Data")[1].split("## 5.")[0]
    assert "| penguin_id | id |" in data and "identifier" in data
    assert "| station | constant |" in data and "same value in every row" in data
    assert "11 rows have no value in the target 'sex'" in data
    assert "| female |" in data and "| male |" in data


def test_rebuild_is_identical_when_nothing_changed(penguin_run, capsys):
    """On the run folder itself, not a copy: the report names its folder."""
    path = Path(penguin_run, "report.md")
    before = path.read_text()
    code, _ = report_cli(penguin_run, capsys)
    assert code == 0 and path.read_text() == before


def test_rebuild_after_a_crash_falls_back_to_results_summary(run_dir, capsys):
    folder = run_dir
    before = (folder / "report.md").read_text().split("## 2. TopK")[1].split("## 3.")[0]
    # what kill -9 in the middle of a run leaves: no leaderboard rewrite, no model, run.json still "running"
    for name in ("leaderboard.csv", "model.joblib", "report.md", "recommendation.json"):
        (folder / name).unlink()
    info = json.loads((folder / "run.json").read_text())
    info.update(status="running", recommended=None, test_metrics={}, missing={})
    del info["written"]  # recorded when the run ends
    (folder / "run.json").write_text(json.dumps(info))
    code, captured = report_cli(folder, capsys)
    assert code == 0 and captured.out.strip().endswith("report.md")
    report = (folder / "report.md").read_text()
    assert "did not finish" in report.split("## 1.")[0]
    assert report.split("## 2. TopK")[1].split("## 3.")[0] == before  # same ranking, from results_summary.csv
    missing = report.split("## 7. Debug: Missing artifacts")[1]
    assert "`leaderboard.csv` | missing; this report was rebuilt from results_summary.csv" in missing
    assert "`model.joblib` | the run stopped before writing it" in missing
    assert "not measured" in report.split("## 2.")[0]


def test_the_report_says_the_decision_the_run_saved_and_never_decides_again(run_dir, capsys):
    """A saved decision whose reasons were put differently: the rebuilt report gives the saved ones."""
    saved = json.loads((run_dir / "recommendation.json").read_text())
    wider = "3 points of accuracy"
    saved["why"] = [{**said, "values": {**said["values"], "tolerance": wider}} for said in saved["why"]]
    (run_dir / "recommendation.json").write_text(json.dumps(saved))
    assert report_cli(run_dir, capsys)[0] == 0
    summary = (run_dir / "report.md").read_text().split("## 2.")[0]
    assert "within 3 points of accuracy" in summary


def test_a_folder_without_a_saved_decision_is_decided_as_the_run_decided(run_dir):
    """A folder from before decisions were saved, or a run stopped before deciding: decided from its leaderboard by
    its own settings, the same decision, words and all."""
    from automl_tui_engine.outputs.run_record import RunRecord

    saved = RunRecord.load(run_dir).decision
    (run_dir / "recommendation.json").unlink()
    assert RunRecord.load(run_dir).decision == saved


def test_a_decision_taken_in_english_reads_in_japanese(run_dir, capsys, monkeypatch):
    from automl_tui_engine.outputs.run_record import RunRecord

    english = RunRecord.load(run_dir).decision
    said_in_english = english.reason
    monkeypatch.setenv("AUTOML_TUI_LANG", "ja")
    japanese = RunRecord.load(run_dir).decision
    assert japanese == english  # the same data, read in another language
    score = english.why[0].values["score"]
    assert f"has the best accuracy ({score}) of the 2 models" in said_in_english
    assert f"比較した2個のモデルの中で正解率が最も良いモデルです（{score}）" in japanese.reason
    assert report_cli(run_dir, capsys)[0] == 0
    assert japanese.reason in (run_dir / "report.md").read_text()


def test_report_on_a_folder_that_is_not_a_run(tmp_path, capsys):
    code, captured = report_cli(tmp_path, capsys)
    assert code == 2 and "not an automl-tui run folder" in captured.err


def test_the_reproduce_section_promises_an_exact_repeat_only_for_a_search_fixed_in_size(run_dir, capsys):
    """A run with max_trials repeats exactly; one under a time budget may try more or fewer models."""
    import tomllib

    import tomli_w

    folder = run_dir
    fixed = (folder / "report.md").read_text()
    assert "Exactly this run again" in fixed and "time budget" not in fixed.split("## 6.")[1]
    config = tomllib.loads((folder / "config.toml").read_text())
    del config["max_trials"]  # as a run under its time budget records it
    (folder / "config.toml").write_text(tomli_w.dumps(config))
    code, _ = report_cli(folder, capsys)
    budgeted = (folder / "report.md").read_text().split("## 6.")[1]
    assert code == 0 and "Exactly" not in budgeted and "`--max-trials N`" in budgeted


def test_the_cut_off_is_told_of_the_yes_answer_of_a_japanese_yes_no_target(run_dir, capsys):
    """A model's positive class is the second in sort order: of あり/なし that is なし. The report speaks of the
    answer people ask about, at the same cut-off seen from its side."""
    record = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    record["per_class"] = [{"class": "あり", "rows": 30, "found": 25}, {"class": "なし", "rows": 37, "found": 35}]
    record["refit"]["threshold"] = {"value": 0.47, "positive": "なし", "score_default": 0.8, "score_tuned": 0.82}
    (run_dir / "run.json").write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    code, said = report_cli(run_dir, capsys)
    assert code == 0, said.err
    report = (run_dir / "report.md").read_text(encoding="utf-8")
    assert "it answers 'あり' once it is at least 53% sure" in report


def test_the_time_line_says_where_the_time_went_from_the_start_marks_and_the_phases():
    from automl_tui_engine.outputs import time_line

    info = {"started": {"process": 100.0, "budget": 101.5}, "budget_s": 30}
    events = [
        {"kind": "run_started", "at": 101.8},
        {"kind": "phase_changed", "phase": "training", "at": 101.9},
        {"kind": "phase_changed", "phase": "decision", "at": 121.4},
        {"kind": "phase_changed", "phase": "refit", "at": 121.8},
        {"kind": "phase_changed", "phase": "reporting", "at": 122.4},
        {"kind": "run_finished", "at": 122.5},
    ]
    said = time_line.sentence(info, events)
    assert said == (
        "Where the time went (22.4 s up to the report, budget 30 s): start-up 1.5 s · reading and checking the "
        "table 0.3 s · search 19.6 s · decision 0.4 s · final fit and test 0.6 s."
    )
    assert time_line.sentence({}, events[:2]) == ""  # a run folder older than its start marks


def test_tuned_settings_not_started_for_the_same_reason_are_one_row(run_dir, capsys):
    """A search short of time can set aside a dozen tuned settings: one row names them all, not a dozen rows."""
    path = run_dir / "results_summary.csv"
    results = pd.read_csv(path, encoding="utf-8-sig")
    left_out = [
        {
            "model": f"lightgbm #{n}",
            "status": "skipped",
            "stage": "tuned",
            "reason": f"not started: it would need about {needed} s and 1.00 s of search time were left",
        }
        for n, needed in ((4, "2.10"), (6, "3.30"), (9, "5.00"))
    ]
    failed = {"model": "knn #2", "status": "failed", "stage": "tuned", "reason": "it broke"}
    pd.concat([results, pd.DataFrame([*left_out, failed])]).to_csv(path, index=False, encoding="utf-8-sig")
    code, _ = report_cli(run_dir, capsys)
    table = (run_dir / "report.md").read_text().split("### Models that did not finish")[1].split("##")[0]
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    assert code == 0 and len(rows) == 2, table
    assert "`lightgbm #4`, `lightgbm #6`, `lightgbm #9`" in rows[0] and "about 2.10 s" in rows[0]
    assert "(the first of 3 tuned settings that ended this way)" in rows[0]
    assert "`knn #2`" in rows[1] and "ended this way" not in rows[1]


def test_a_folder_from_a_newer_version_is_refused_in_one_line(run_dir, capsys):
    """A colleague's newer automl-tui wrote it: said, with what to do, instead of misreading it."""
    info = json.loads((run_dir / "run.json").read_text())
    assert info["record_version"] == run_record.RECORD_VERSION
    (run_dir / "run.json").write_text(json.dumps({**info, "record_version": run_record.RECORD_VERSION + 1}))
    code, captured = report_cli(run_dir, capsys)
    assert code == 2 and "Traceback" not in captured.err
    assert captured.err.strip().endswith("Upgrade automl-tui (pip install -U automl-tui) to read it.")
    assert f"run record version {run_record.RECORD_VERSION + 1}" in captured.err


def test_a_folder_from_before_record_versions_still_reads(run_dir):
    info = json.loads((run_dir / "run.json").read_text())
    del info["record_version"]
    (run_dir / "run.json").write_text(json.dumps(info))
    (run_dir / "recommendation.json").unlink()
    assert run_record.RunRecord.load(run_dir).decision is not None
