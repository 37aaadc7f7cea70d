"""The decision people take on a run: `automl-tui adopt` records which model is adopted for which use (decision.md,
run.json, report.md) and `automl-tui runs` lists runs with it and the time from the run's start to that decision."""

from __future__ import annotations

import json
import re
import shutil

import pytest
from automl_tui_engine.outputs import rundir
from test_end_to_end import cli

pytestmark = pytest.mark.slow  # a real run of the engine (the recorded one): the full tier (see conftest)


@pytest.fixture
def run_dir(recorded_run, tmp_path):
    """A run folder of this test's own (the recorded one is shared by the session)."""
    return shutil.copytree(recorded_run, tmp_path / "runs" / recorded_run.name)


def adoptions(run_dir) -> list[dict]:
    return json.loads((run_dir / rundir.RUN_JSON).read_text(encoding="utf-8"))["adoptions"]


def test_adopting_writes_the_decision_for_minutes_and_into_run_json_and_the_report(run_dir, capsys):
    info = json.loads((run_dir / rundir.RUN_JSON).read_text(encoding="utf-8"))
    code, out, _ = cli(["adopt", run_dir, info["recommended"], "--use", "online scoring", "--note", "small"], capsys)
    assert code in (None, 0)
    decision = (run_dir / rundir.DECISION).read_text(encoding="utf-8")
    assert decision in out  # printed, to paste as it is
    assert decision.startswith(f"# Decision · {info['run_id']} · {info['dataset_key']}")
    assert f"- for online scoring: `{info['recommended']}`, adopted " in decision and decision.count("\n- ") == 1
    assert "balanced accuracy 0." in decision and "ms per 1,000 rows" in decision and "— small" in decision
    # the report beside it, named as it is (a run id's digits are not personal data to mask)
    assert "Full report: report.md, in this folder." in decision and "***" not in decision
    assert "does not retrain" not in decision  # the adopted model is the one saved
    (record,) = adoptions(run_dir)
    assert record["model"] == info["recommended"] and record["by"] and record["after_s"] > 0
    report = (run_dir / rundir.REPORT).read_text(encoding="utf-8")
    summary = report.split("## 2.")[0]
    assert f"- **Adopted**: for online scoring: `{info['recommended']}`" in summary

    # another model for the same use replaces it (and says so); another use is a second record
    other = next(m for m in ("linear", "hist_gb", "random_forest") if m != info["recommended"])
    cli(["adopt", run_dir, other, "--use", "online  scoring"], capsys)
    cli(["adopt", run_dir, info["recommended"], "--use", "monthly batch"], capsys)
    assert [(a["use"], a["model"], a["replaces"]) for a in adoptions(run_dir)] == [
        ("online scoring", other, info["recommended"]),
        ("monthly batch", info["recommended"], None),
    ]
    decision = (run_dir / rundir.DECISION).read_text(encoding="utf-8")
    assert f"(instead of `{info['recommended']}`)" in decision and decision.count("\n- ") == 2
    # another model adopted and not trained: said that the saved model is still the recommended one, and how
    assert f"The saved model (model.joblib) is the recommended `{info['recommended']}`" in decision
    assert "--refit` trains it" in decision


def test_an_alternative_adopted_with_refit_answers_predict_whatif_and_optimize_for_its_use(run_dir, capsys):
    """adopt --refit trains the adopted alternative on the run's training rows and saves it beside model.joblib;
    predict, whatif and optimize then answer with it (the latest adoption, or --use), and say which model answered."""
    import joblib
    import pandas as pd
    from automl_tui_engine.predict import prediction_frame
    from automl_tui_engine.tasks import Task

    info = json.loads((run_dir / rundir.RUN_JSON).read_text(encoding="utf-8"))
    finished = [r["model"] for r in rundir.RunFolder(run_dir).read_csv(rundir.LEADERBOARD)]
    other = next(m for m in finished if m != info["recommended"])
    table = json_config_data(run_dir)

    # adopted without --refit: the recommended model answers, and the note says why
    cli(["adopt", run_dir, other, "--use", "monthly batch"], capsys)
    code, out, err = cli(["predict", run_dir, table, "-o", run_dir.parent / "plain.csv"], capsys)
    assert code in (None, 0) and f"Answered by {info['recommended']}." in out
    assert f"The latest adoption ({other} for 'monthly batch') is not trained for keeps" in " ".join(err.split())
    code, _, err = cli(["predict", run_dir, table, "--use", "monthly batch", "-o", run_dir.parent / "x.csv"], capsys)
    assert code == 2 and "--refit trains it" in err and "Traceback" not in err

    code, out, _ = cli(["adopt", run_dir, other, "--use", "monthly batch", "--refit"], capsys)
    assert code in (None, 0)
    (record,) = adoptions(run_dir)
    saved = run_dir / record["file"]
    assert saved.is_file() and record["train_rows"] > 0 and record["test_metrics"]
    decision = (run_dir / rundir.DECISION).read_text(encoding="utf-8")
    assert f"saved as {record['file']}" in decision and "--refit` trains it" not in decision

    code, out, _ = cli(["predict", run_dir, table, "-o", run_dir.parent / "adopted.csv"], capsys)
    assert code in (None, 0) and f"Answered by {other}, adopted for 'monthly batch'." in out
    written = pd.read_csv(run_dir.parent / "adopted.csv")
    rows = pd.read_csv(table)
    expected = prediction_frame(joblib.load(saved), rows.drop(columns=[info["target"]]), Task(info["task"]))
    probabilities = [c for c in expected.columns if c.startswith("probability_")]
    assert (written["prediction"].astype(str) == expected["prediction"].astype(str)).all()
    assert written[probabilities].to_numpy() == pytest.approx(expected[probabilities].to_numpy(), abs=1e-9)
    recommended = pd.read_csv(run_dir.parent / "plain.csv")
    assert recommended[probabilities].to_numpy() != pytest.approx(written[probabilities].to_numpy(), abs=1e-6)

    code, out, _ = cli(["whatif", run_dir, "--use", "monthly batch"], capsys)
    assert code in (None, 0) and f"Answered by {other}, adopted for 'monthly batch'." in out
    code, _, err = cli(["whatif", run_dir, "--use", "online scoring"], capsys)
    assert code == 2 and "No model of this run is adopted for 'online scoring'" in err


def json_config_data(run_dir) -> str:
    """The table the run read (config.toml's data)."""
    import tomllib

    return tomllib.loads((run_dir / rundir.CONFIG).read_text(encoding="utf-8"))["data"]


def test_adopting_a_model_the_run_does_not_have_or_for_no_use_is_one_line_and_writes_nothing(run_dir, capsys):
    code, _, err = cli(["adopt", run_dir, "hist_bg", "--use", "online scoring"], capsys)
    assert code == 2 and "'hist_bg' is not a model that finished in this run (did you mean 'hist_gb'?)" in err
    code, _, err = cli(["adopt", run_dir, "hist_gb"], capsys)
    assert code == 2 and err.strip() == "Say what the model is adopted for, e.g. --use 'online scoring'."
    assert not (run_dir / rundir.DECISION).exists() and "adoptions" not in (run_dir / rundir.RUN_JSON).read_text()
    # a candidate the search pruned is named as such, not as a typo of a finished one
    folder = rundir.RunFolder(run_dir)
    tried = folder.read_csv(rundir.RESULTS)
    folder.write_csv(rundir.RESULTS, [*tried, {"model": "hist_gb #99", "status": "pruned"}], list(tried[0]))
    code, _, err = cli(["adopt", run_dir, "hist_gb #99", "--use", "online scoring"], capsys)
    assert code == 2 and err.startswith("'hist_gb #99' did not finish in this run (pruned")
    folder.write_csv(rundir.RESULTS, tried, list(tried[0]))  # the folder as the run wrote it, for the report check


async def test_a_on_the_decision_summary_adopts_a_model_for_a_use(run_dir, tmp_path):
    from test_wizard import SIZE, dataset_ready, text_of, until
    from textual.widgets import DataTable, Input, Select
    from wizard_support import make_project, no_clearml, summary_shown

    from automl_tui.app import AutomlApp
    from automl_tui.screens.adopt import AdoptScreen
    from automl_tui.screens.decision import DecisionScreen
    from automl_tui.screens.recent import RecentRunsScreen

    project = make_project(tmp_path)
    app = AutomlApp(start_dir=project, out=project / "runs", clearml_queues=no_clearml)
    async with app.run_test(size=SIZE) as pilot:
        await dataset_ready(pilot, app)
        app.push_screen(DecisionScreen(run_dir))
        await until(pilot, lambda: summary_shown(app) and app.screen.query("#adopted"))
        assert not app.screen.query_one("#adopted").display  # nothing adopted yet
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, AdoptScreen))
        recommended = app.screen.query_one("#adopt-model", Select).value  # offered first
        await pilot.press("enter")  # no use given: said, and the form stays
        assert text_of(app.screen, "#adopt-problem").startswith("Type what the model is adopted for")
        app.screen.query_one("#adopt-use", Input).value = "monthly batch"
        await pilot.pause()
        assert not text_of(app.screen, "#adopt-problem")  # typing a use takes the complaint away
        await pilot.press("enter")
        await until(pilot, lambda: summary_shown(app))
        shown = text_of(app.screen, "#adopted")
        assert app.screen.query_one("#adopted").display and f"for monthly batch: {recommended}" in shown
        # an alternative, trained for keeps as the form offers (adopt --refit), off the screen's thread
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, AdoptScreen))
        models = app.screen.query_one("#adopt-model", Select)
        alternative = next(value for _, value in models._options if value not in (recommended, Select.BLANK))
        models.value = alternative
        app.screen.query_one("#adopt-use", Input).value = "online scoring"
        await pilot.press("enter")
        await until(pilot, lambda: summary_shown(app) and "online scoring" in text_of(app.screen, "#adopted"))
        (trained,) = [a for a in adoptions(run_dir) if a["use"] == "online scoring"]
        assert trained["model"] == alternative and (run_dir / trained["file"]).is_file()
        app.screen.dismiss("recent")  # as h does, here with the run's own folder as the past runs
        app.push_screen(RecentRunsScreen(run_dir.parent))
        await until(pilot, lambda: isinstance(app.screen, RecentRunsScreen) and app.screen.query("#runs"))
        row = [str(cell) for cell in app.screen.query_one("#runs", DataTable).get_row_at(0)]
        assert any(f"{recommended} (monthly batch)" in cell for cell in row)
    record = adoptions(run_dir)[0]
    assert (record["model"], record["use"]) == (recommended, "monthly batch") and "file" not in record
    assert "for monthly batch" in (run_dir / rundir.DECISION).read_text(encoding="utf-8")


def test_runs_lists_each_run_with_what_was_adopted_and_the_time_to_decision(run_dir, tmp_path, capsys):
    info = json.loads((run_dir / rundir.RUN_JSON).read_text(encoding="utf-8"))
    undecided = shutil.copytree(run_dir, tmp_path / "runs" / "20200101-000000-abcdef")  # an older run
    rundir.RunFolder(undecided).write_json(rundir.RUN_JSON, {**info, "run_id": undecided.name})
    cli(["adopt", run_dir, info["recommended"], "--use", "online scoring"], capsys)
    code, out, _ = cli(["runs", "--out", tmp_path / "runs"], capsys)
    assert code in (None, 0)
    (header, adopted, waiting) = out.splitlines()
    assert header.split()[:2] == ["run", "dataset"] and "time to decision" in header
    assert adopted.split()[0] == run_dir.name and f"{info['recommended']} (online scoring)" in adopted
    cells = {line: re.split(r"\s{2,}", line.strip()) for line in (adopted, waiting)}  # columns: 2+ spaces apart
    took = cells[adopted][5]  # time to decision; then the inputs and the score since, — for a run never checked
    assert took.endswith((" min", " h", " days")) or " h " in took
    assert cells[adopted][6:] == ["—", "—"]
    assert waiting.split()[0] == undecided.name and cells[waiting][5:] == ["—", "—", "—"]
