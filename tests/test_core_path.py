"""What a new user hit on the main path, each pinned: words that agree with the run folder, names shown whole,
files the product wrote never offered back as data, help that says how to run on a table."""

import csv
import json
from pathlib import Path

import automl_tui_engine as engine
import pandas as pd
import pytest
from automl_tui_engine import events as ev
from automl_tui_engine.messages import t
from automl_tui_engine.outputs import png_browser
from automl_tui_engine.outputs.model_card import search_sentence
from automl_tui_engine.outputs.report import RunReport
from conftest import ROOT, copy_of, quick_config
from test_end_to_end import cli


def test_the_search_sentence_counts_the_candidates_results_summary_lists():
    # six first forms and four tuned finished; a fifth tuned one was proposed but skipped for time
    attempted = [{"model": f"kind{i}", "stage": "default", "status": "ok"} for i in range(6)]
    attempted += [{"model": f"kind0 #{i}", "stage": "tuned", "status": "ok"} for i in range(1, 5)]
    attempted += [{"model": "kind0 #5", "stage": "tuned", "status": "skipped"}]
    searched = {"stop": "budget", "tuned": 5, "pruned": 0, "stop_at_s": 16.4, "stop_left_s": 2.1, "stop_needed_s": 3.5}
    sentence = search_sentence(attempted, searched, {"time_budget_s": 30})
    assert sentence.startswith(
        "Candidates compared: 10 (6 model kinds in their quickest form, 4 grown, lighter or tuned). "
        "Not compared: 1 skipped (never started)."
    )
    # the stop is said with the figures it was made on, never "the budget was spent" at 16 s of 30
    assert "It stopped at 16.4 s of the 30 s budget: the next candidate would have needed about 3.50 s" in sentence


@pytest.mark.slow
def test_a_search_stopped_by_the_clock_says_when_and_why_in_numbers_that_hold(tmp_path, breast_cancer_csv):
    config = quick_config(
        breast_cancer_csv,
        tmp_path / "runs",
        models=["linear", "hist_gb", "random_forest", "extra_trees"],
        time_budget_s=8,
        max_trials=None,
    )
    result = engine.run(config)
    info = json.loads(Path(result.run_dir, "run.json").read_text())
    assert info["search"]["stop"] == "budget"
    assert info["search"]["stop_at_s"] <= info["elapsed_s"]
    report = Path(result.run_dir, "report.md").read_text()
    assert f"It stopped at {info['search']['stop_at_s']:.1f} s of the 8 s budget" in report
    assert "when the time budget was spent" not in report
    skipped = pd.read_csv(Path(result.run_dir, "results_summary.csv")).query("status == 'skipped'")
    # each skip in figures: the search's end against the budget, or (a candidate passed over while the search went
    # on, as a busy machine makes happen) the time it needed against the time left
    in_figures = r"of the 8 s budget|would need about \d+\.\d+ s and \d+\.\d+ s of search time were left"
    assert skipped["reason"].str.contains(in_figures).all(), skipped["reason"].tolist()


def test_alternatives_never_say_only_model_when_several_finished(tmp_path):
    """The recommended model is the most accurate, fastest and smallest: no alternative, and the report says why."""
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / "run.json").write_text(json.dumps({"run_id": "r", "primary_metric": "accuracy", "status": "finished"}))
    rows = [
        {"model": "linear", "accuracy_mean": 0.99, "accuracy_std": 0.01, "predict_ms_per_1k": 1.0, "size_bytes": 100},
        {"model": "knn", "accuracy_mean": 0.90, "accuracy_std": 0.01, "predict_ms_per_1k": 9.0, "size_bytes": 900},
    ]
    with open(folder / "leaderboard.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    run = RunReport.load(folder)
    assert run.decision.alternatives == []
    alternatives = run.alternatives()
    assert "only model" not in alternatives
    assert (
        "linear is at once the most accurate, the fastest to predict and the smallest of the 2 models" in alternatives
    )


@pytest.mark.slow
def test_the_headless_run_says_every_status_once_in_words(tmp_path, capsys, monkeypatch):
    """The stress preset makes every status happen; each not-finished line is 'model  status: reason' with a reason
    that does not repeat the status."""
    import tomli_w
    from wizard_support import STRESS_PRESET, isolate_stress_plugin, make_fresh_table

    isolate_stress_plugin(monkeypatch)
    preset = tmp_path / "stress.toml"
    preset.write_text(tomli_w.dumps(STRESS_PRESET), encoding="utf-8")
    code, out, err = cli([make_fresh_table(tmp_path), "--preset", preset, "--out", tmp_path / "runs"], capsys)
    assert code == 0 and "Recommended: " in out and "than guessing" in out
    # three of the five kinds were not compared: the summary's first line says so, before the verdict
    words = " ".join(out.split())
    assert "Only 2 of the 5 model kinds could be compared (linear, stress_tree)" in words
    assert words.index("could be compared") < words.index("than guessing")
    for status in ("failed", "skipped", "stopped", "pruned"):
        assert f" {ev.status_word(status)}: " in err
    assert "stress_slow       stopped: still running after the" in err
    for status in ev.CANDIDATE_STATUSES:
        assert f"{status}: {status}" not in err


def test_a_predictions_file_is_never_offered_as_a_table_to_learn_from(penguin_run, tmp_path):
    from automl_tui_engine.predict import predict_file

    from automl_tui.state import default_table, made_here

    project = tmp_path / "project"
    project.mkdir()
    (project / "penguins.csv").write_bytes((ROOT / "examples" / "penguins.csv").read_bytes())
    written = predict_file(penguin_run, project / "penguins.csv").out_path
    assert written.name == "penguins_predictions.csv"  # the newest table in the folder, and the product's own
    assert default_table(project, penguin_run.parent) == project / "penguins.csv"
    assert written.resolve() in made_here(penguin_run.parent)


@pytest.mark.slow
async def test_the_dataset_screen_hides_and_refuses_a_predictions_file(penguin_run, tmp_path, monkeypatch):
    from automl_tui_engine.predict import predict_file
    from test_wizard import SIZE, until
    from textual.widgets import Input, Static
    from wizard_support import here, no_clearml

    from automl_tui.app import AutomlApp
    from automl_tui.screens.dataset import DatasetScreen, TableTree

    project = tmp_path / "project"
    project.mkdir()
    (project / "penguins.csv").write_bytes((ROOT / "examples" / "penguins.csv").read_bytes())
    predict_file(penguin_run, project / "penguins.csv")
    monkeypatch.chdir(project)
    app = AutomlApp(start_dir=project, out=penguin_run.parent, launch=here(engine.run), clearml_queues=no_clearml)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, DatasetScreen) and app.screen.inspection is not None)
        screen = app.screen
        assert screen.query_one("#path", Input).value == "penguins.csv"
        tree = screen.query_one(TableTree)
        await until(pilot, lambda: tree.root.children)
        assert [node.label.plain for node in tree.root.children] == ["penguins.csv"]
        path = screen.query_one("#path", Input)
        path.focus()
        path.value = "penguins_predictions.csv"
        await pilot.press("enter")
        await until(pilot, lambda: screen.inspection.path.name == "penguins_predictions.csv")
        problem = str(screen.query_one("#problem", Static).render())
        assert "holds predictions automl-tui wrote" in problem


def test_a_rebuilt_report_says_a_deleted_model_was_removed_and_never_cites_it(penguin_run, tmp_path):
    import shutil

    folder = tmp_path / penguin_run.name
    shutil.copytree(penguin_run, folder)
    (folder / "model.joblib").unlink()
    from automl_tui_engine.outputs import report

    report = Path(report.write(folder)).read_text()
    details = report.split("## 5.")[1].split("## 6.")[0]
    assert "saved as model.joblib" not in details and "model.joblib is not in the run folder" in details
    debug = report.split("\n## 7. ")[1]
    assert "| `model.joblib` | the run wrote it, but it is no longer in the run folder" in debug
    assert t("missing.unknown") not in debug


def test_a_rebuilt_report_says_which_declared_artifact_is_gone(penguin_run, tmp_path):
    from automl_tui_engine.outputs import report, rundir

    # the report writes the model card again: only what the run itself wrote
    made = [a.name for a in rundir.ARTIFACTS if (penguin_run / a.name).is_file() and a.name != rundir.MODEL_CARD]
    assert rundir.INPUT_RANGES in made  # what-if reads it: it once was on no list of what a run leaves
    for number, name in enumerate(made):
        folder = copy_of(penguin_run, tmp_path / str(number))
        (folder / name).unlink()
        debug = Path(report.write(folder)).read_text().split("\n## 7. ")[1]
        assert f"| `{name}` |" in debug


@pytest.mark.skipif(png_browser.browser_path() is None, reason="no Chromium (.ci/run installs it)")
@pytest.mark.slow
def test_pngs_skipped_for_time_are_one_row_each_with_the_reason(tmp_path, penguins_csv, monkeypatch):
    # as if no time were left for the PNGs (the HTML charts take their usual half second)
    monkeypatch.setattr(
        "automl_tui_engine.core.budget.charts_s", lambda config, charts=9, png=True: 1e6 if png else 0.5
    )
    config = quick_config(penguins_csv, tmp_path / "runs", target="species", charts="html+png", max_trials=None)
    result = engine.run(config)
    debug = Path(result.run_dir, "report.md").read_text().split("\n## 7. ")[1]
    rows = [line for line in debug.splitlines() if line.startswith("| `plots/")]
    assert len(rows) == len(json.loads(Path(result.run_dir, "run.json").read_text())["charts"]) > 1
    assert all("exporting the PNG charts needs about" in row for row in rows)
    assert "*" not in debug and t("missing.unknown") not in debug


@pytest.mark.slow
def test_the_model_card_lists_limits_of_the_data_not_command_hints(tmp_path, penguins_csv):
    result = engine.run(quick_config(penguins_csv, tmp_path / "runs"))  # no target: it is guessed, and said
    assert any("No --target given" in w for w in result.warnings)
    card = Path(result.run_dir, "model_card.md").read_text()
    limits = card.split("## Known limits")[1]
    assert "--target" not in limits and "11 rows have no value in the target" in limits
    report = Path(result.run_dir, "report.md").read_text()
    assert "'deprecated'" not in report


def test_help_says_how_to_run_on_a_table(capsys):
    for flag in ("--help", "-h"):
        code, out, _ = cli([flag], capsys)
        assert code == 0
        assert "automl-tui DATA.csv" in out and "--target" in out and "--preset" in out and "--time-budget" in out
        assert "automl-tui predict " in out and "automl-tui doctor " in out  # and the other commands (test_help.py)


def test_a_preset_file_that_is_a_builtin_is_offered_once():
    from automl_tui.state import available_presets

    offered = available_presets(ROOT)  # the repository's presets/ folder is where the built-ins come from
    assert {"fast", "balanced", "best"} <= set(offered)
    assert not [name for name in offered if name.startswith("presets/")]


def test_of_tables_written_in_the_same_second_the_first_by_name_is_offered(tmp_path):
    """A fresh clone writes examples/penguins.csv and penguins_ja.csv within a second: an English newcomer was
    handed the Japanese one when its write happened to come last."""
    import os

    from automl_tui.state import default_table

    for name in ("penguins_ja.csv", "penguins.csv"):
        (tmp_path / name).write_text("a,b\n1,2\n")
    stamp = int((tmp_path / "penguins.csv").stat().st_mtime)
    os.utime(tmp_path / "penguins.csv", (stamp, stamp + 0.1))
    os.utime(tmp_path / "penguins_ja.csv", (stamp, stamp + 0.9))  # later, within the same second
    assert default_table(tmp_path, tmp_path / "runs") == tmp_path / "penguins.csv"
    os.utime(tmp_path / "penguins_ja.csv", (stamp, stamp + 5))  # a table changed later is still the first choice
    assert default_table(tmp_path, tmp_path / "runs") == tmp_path / "penguins_ja.csv"
