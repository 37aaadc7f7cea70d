"""The golden path's end in ClearML, against the test server: a tracked run prints the one link to share (its
reporting task), and a decision taken on it (`automl-tui adopt`) reaches every task of the run."""

from __future__ import annotations

import csv
import json
import re
import subprocess
from pathlib import Path

import pytest
from automl_tui_engine.naming import adopted_tag
from clearml_server import ClearMLTestServer
from conftest import PENGUINS, write_preset
from test_clearml_remote import cli, environment

pytestmark = pytest.mark.slow  # a real run against a server: the full tier (see conftest)

pytest.importorskip("clearml")


def tracked_run(env: dict[str, str], tmp_path: Path) -> tuple[subprocess.CompletedProcess, Path, dict]:
    """The penguins run with the quick preset, recorded in ClearML: (the command's outcome, its folder, run.json)."""
    out = tmp_path / "runs"
    done = cli(env, PENGUINS, "--preset", write_preset(tmp_path / "quick.toml"), "--clearml", "--out", out)
    assert done.returncode == 0, done.stderr
    (run_dir,) = out.iterdir()
    return done, run_dir, json.loads((run_dir / "run.json").read_text(encoding="utf-8"))


def test_a_tracked_run_shares_one_link_and_an_adoption_reaches_its_tasks(tmp_path):
    server = ClearMLTestServer().start()
    try:
        env = environment(server, tmp_path / "home")
        done, run_dir, info = tracked_run(env, tmp_path)
        run_id, key = info["run_id"], info["dataset_key"]
        tasks = [task for task in server.tasks.values() if f"run:{run_id}" in task["tags"]]
        (reporting,) = [task for task in tasks if task["name"] == f"reporting · {run_id} · {key}"]
        (link,) = re.findall(r"^Share: (\S+)$", done.stdout, re.MULTILINE)
        report = (run_dir / "report.md").read_text(encoding="utf-8")
        assert reporting["id"] in link and f"(this run's reporting task in ClearML): {link}" in report
        # the golden path's second stop: the recommended model's own task, linked from the report and the reporting
        # task
        (model_task,) = [task for task in tasks if "recommended" in task["tags"]]
        (line,) = [line for line in report.splitlines() if line.startswith("**The recommended model's own task**")]
        assert model_task["id"] in line and f"`{info['recommended']}`" in line
        properties = server.tasks[reporting["id"]]["hyperparams"]["properties"]
        assert model_task["id"] in properties["recommended_task"]["value"]
        # the table's first rows, masked as the wizard shows them, in the report and on the reporting task
        preview = report.split("### The table's first 5 rows (personal data masked)")[1].split("###")[0]
        rows = [line for line in preview.splitlines() if line.startswith("|")]
        assert len(rows) == 2 + 5 and rows[0].rstrip(" |").endswith(info["target"]), preview  # the target last
        previews = [e for e in server.events.get(reporting["id"], []) if e.get("metric") == "01_data"]
        assert previews, "the reporting task has no data preview table"
        # the preprocessing task shows the table: missing values per column, column types, the target's classes
        (preprocessing,) = [task for task in tasks if "phase:preprocessing" in task["tags"]]
        charts = {e.get("variant") for e in server.events.get(preprocessing["id"], []) if e.get("metric") == "data"}
        assert charts == {"missing values per column", "column types", f"target: {info['target']}"}, charts

        adopted = cli(env, "adopt", run_dir, info["recommended"], "--use", "online scoring", "--note", "small")
        assert adopted.returncode == 0, adopted.stderr
        tag = adopted_tag(info["recommended"])
        assert f"tasks are tagged {tag} " in adopted.stdout
        assert [task["id"] for task in server.tasks.values() if tag in task["tags"]] == [task["id"] for task in tasks]
        decision = (run_dir / "decision.md").read_text(encoding="utf-8")
        assert server.tasks[reporting["id"]]["comment"] == decision  # the record, where the link leads
        properties = server.tasks[reporting["id"]]["hyperparams"]["properties"]
        said = {name: item["value"] for name, item in properties.items()}
        adopted_words = f"{info['recommended']} (online scoring)"
        assert said["run_status"] == "finished" and said["recommended"] == info["recommended"]
        assert said["adopted"] == adopted_words
        assert float(said["time_to_decision_s"]) > 0

        # the team's runs, as the server lists them: the run, its table, what was adopted and how long it took
        listed = cli(env, "runs", "--clearml")
        assert listed.returncode == 0, listed.stderr
        (row,) = [line for line in listed.stdout.splitlines() if run_id in line]
        assert key in row and "finished" in row and adopted_words in row and re.search(r"\d+ min", row), row
        named = [task for task in server.tasks.values() if run_id in task["name"]]
        assert row.rstrip().endswith(f"{len(named)}/{len(named)}"), row  # every task of the run found by its tag

        # a question asked of the model afterwards is found beside the run: its own task, the run's tags
        asked = cli(env, "whatif", run_dir, "--vary", "island=*")
        assert asked.returncode == 0, asked.stderr
        (inference,) = [task for task in server.tasks.values() if task["name"] == f"inference · {run_id} · {key}"]
        assert {f"run:{run_id}", f"dataset:{key}", "phase:inference", tag} <= set(inference["tags"])
        assert "In ClearML: " in asked.stdout and inference["id"] in asked.stdout
        kept = {artifact["key"] for artifact in inference["execution"]["artifacts"]}
        assert {"asked", "001-grid.csv", "001-grid-chart.html"} <= kept and inference["status"] == "completed"

        # another model adopted for the same use replaces the first, whose tag goes
        with open(run_dir / "leaderboard.csv", encoding="utf-8-sig") as handle:
            other = next(r["model"] for r in csv.DictReader(handle) if r["model"] != info["recommended"])
        assert cli(env, "adopt", run_dir, other, "--use", "online scoring").returncode == 0
        run_tasks = [task for task in server.tasks.values() if f"run:{run_id}" in task["tags"]]
        assert all(adopted_tag(other) in task["tags"] and tag not in task["tags"] for task in run_tasks)
    finally:
        server.stop()
    # the server gone: the decision is still recorded here, and the one line says ClearML was not told
    later = cli(env, "adopt", run_dir, info["recommended"], "--use", "monthly batch")
    assert later.returncode == 0 and "ClearML could not be told" in later.stderr and "Traceback" not in later.stderr
    assert "for monthly batch" in (run_dir / "decision.md").read_text(encoding="utf-8")


async def test_the_wizard_records_a_run_here_in_clearml_when_asked_and_remembers_the_choice(tmp_path, monkeypatch):
    """Where to run, with ClearML set up: "This machine, recorded in ClearML" runs here and ends at a reporting task
    with its link on the Decision Summary; the choice is offered first next time."""
    from automl_tui_engine import user_config
    from clearml_server import sdk_in_this_process
    from test_wizard import SIZE, choose_option, on_step, until, walk_to_where
    from wizard_support import make_project, summary_shown

    from automl_tui.app import AutomlApp
    from automl_tui.screens.choice import WHERE_TO_RUN, WhereScreen
    from automl_tui.screens.confirm import ConfirmScreen

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))  # this test's remembered choices only
    server = ClearMLTestServer().start()
    try:
        sdk_in_this_process(environment(server, tmp_path / "home"), monkeypatch)
        project = make_project(tmp_path)
        monkeypatch.chdir(project)
        app = AutomlApp(start_dir=project, out=project / "runs")
        async with app.run_test(size=SIZE) as pilot:
            await walk_to_where(pilot, app, "presets/quick.toml")
            await until(pilot, lambda: app.screen.checked, timeout=60)  # the server answered: its choices shown
            ids = [option.id for option in app.screen.query_one("#choices").options]
            assert "tracked" in ids, [str(option.prompt) for option in app.screen.query_one("#choices").options]
            await choose_option(pilot, "tracked")
            await until(pilot, on_step(app, ConfirmScreen))
            assert "--clearml" in str(app.screen.query_one("#command").render())
            await pilot.press("enter")
            await until(pilot, lambda: summary_shown(app), timeout=240)
            decision = app.screen
            await until(pilot, lambda: decision.query("#shared-link"))
            shown = str(decision.query_one("#shared-link").render())
        (run_dir,) = (project / "runs").iterdir()
        link = json.loads((run_dir / "clearml.json").read_text(encoding="utf-8"))["reporting_link"]
        assert link and link in shown.replace("\n", "")
        assert user_config.remembered(WHERE_TO_RUN) == "tracked"
        again = AutomlApp(start_dir=project, out=project / "runs")
        async with again.run_test(size=SIZE) as pilot:
            await walk_to_where(pilot, again, "presets/quick.toml")
            await until(pilot, lambda: isinstance(again.screen, WhereScreen) and again.screen.checked, timeout=60)
            assert again.screen.query_one("#choices").highlighted_option.id == "tracked"
    finally:
        server.stop()
