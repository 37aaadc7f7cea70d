"""The pipeline fan-out (`--remote QUEUE --pipeline`): the merge of the families' runs, the preprocessing check, and
the whole pipeline with a real PipelineController in the command and two real agent daemons sharing the steps."""

from __future__ import annotations

import contextlib
import csv
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import automl_tui_engine as engine
import pytest
from automl_tui_engine.clearml import pipeline_agent
from automl_tui_engine.outputs.missing_section import missing_artifacts
from automl_tui_engine.outputs.report import RunReport
from automl_tui_engine.runner import search_alone
from clearml_server import ClearMLTestServer
from conftest import quick_config, sigint_as_at_a_terminal, write_preset
from test_clearml_remote import (
    AGENT,
    PENGUINS,
    agent_daemon,
    cli,
    environment,
    only_file,
    quick_agent_config,
    sdk_in_this_process,
)

pytestmark = pytest.mark.slow  # real runs, agents or servers: the full tier (see conftest)


def family_run(out: Path, family: str, **overrides) -> Path:
    """What a training step keeps: the family's search alone (runner.search_alone, as train_family runs it)."""
    config = quick_config(PENGUINS, out, target="species", models=[family], ensemble=False, **overrides)
    return search_alone(config, f"run-1-{family}")


QUEUED_S = 12.5  # how long before the reporting step the pipeline was put on its queue, in merged_run


def merged_run(tmp_path: Path, parts: dict, **overrides) -> Path:
    """The reporting step's merge of `parts` (family -> its folder, or why its step failed), here."""
    config = quick_config(PENGUINS, tmp_path, target="species", models=list(parts), **overrides)
    prepared = json.loads(pipeline_agent.check_table(config.model_dump()))
    queued_at = time.time() - QUEUED_S
    return pipeline_agent.merge(parts, tmp_path / "runs", "run-1", config.model_dump(), prepared, queued_at)


def test_merge_decides_over_every_familys_candidates_and_reports_a_failed_step(tmp_path):
    # hist_gb's step also grows its first form: its pick is one of two, and both are the run's candidates
    parts: dict[str, Path | str] = {
        "linear": family_run(tmp_path / "agents", "linear"),
        "hist_gb": family_run(tmp_path / "agents", "hist_gb", max_trials=1),
    }
    parts["random_forest"] = "the agent ran out of memory"  # a step that failed: it must not vanish
    # a run recorded in ClearML: the reporting step's task is its record, so the merge makes no tasks of its own
    run_dir = merged_run(tmp_path, parts, clearml={"enabled": True})

    report = RunReport.load(run_dir)
    searched = {
        row["model"] for part in parts.values() if isinstance(part, Path) for row in RunReport.load(part).attempted
    }
    assert len(searched) == 3 and {row["model"] for row in report.rows} == searched  # not only each family's pick
    assert report.decision.recommended in searched
    assert (run_dir / "model.joblib").is_file()
    attempted = {row["model"]: row for row in report.attempted}
    assert attempted["random_forest"]["status"] == "failed"
    assert attempted["random_forest"]["reason"] == "the agent ran out of memory"
    text = (run_dir / "report.md").read_text(encoding="utf-8")
    debug = text[text.index("Debug: Missing artifacts") :]
    assert "training_random_forest (pipeline step)" in debug and "the agent ran out of memory" in debug
    # the merged run made all that a run makes (rundir.ARTIFACTS): nothing else is missing
    assert [name for name, _ in missing_artifacts(report)] == ["training_random_forest (pipeline step)"]
    kinds = [event["kind"] for event in report.events]
    assert kinds[0] == "run_started" and kinds[-1] == "run_finished"
    assert kinds.count("run_started") == 1  # one run, not one per family
    finished = report.events[-1]
    assert finished["recommended"] == report.decision.recommended and finished["status"] == "finished"
    # the run took the time since it was queued, and every face says the same: the event as run.json
    assert finished["elapsed_s"] == report.info["elapsed_s"] >= QUEUED_S
    assert report.events[0]["run_id"] == "run-1"
    assert report.info["pipeline"] == {
        f"training_{f}": "failed" if f == "random_forest" else "completed" for f in parts
    }
    assert report.config["clearml"]["enabled"]  # as the run was asked: its config repeats it


def test_a_pipeline_recommends_what_a_local_run_of_the_same_search_does(tmp_path):
    """Every kind's first form (--max-trials 0), priority accuracy (a pick by score, not by a timing): the families
    searched apart and finished together recommend the model a run on one machine does, with the same report."""
    families = ("linear", "knn", "hist_gb", "random_forest")
    settings = {"max_trials": 0, "priority": "accuracy", "explain": True, "charts": "html"}
    config = quick_config(PENGUINS, tmp_path / "local", target="species", models=list(families), **settings)
    local = Path(engine.run(config).run_dir)
    parts: dict[str, Path | str] = {f: family_run(tmp_path / "agents", f, **settings) for f in families}
    piped = merged_run(tmp_path, parts, **settings)

    here, there = RunReport.load(local), RunReport.load(piped)
    assert {r["model"] for r in here.rows} == {r["model"] for r in there.rows} == set(families)
    assert there.decision.recommended == here.decision.recommended
    assert there.decision.top_accuracy == here.decision.top_accuracy
    sections = [
        [line for line in (folder / "report.md").read_text(encoding="utf-8").splitlines() if line.startswith("#")][1:]
        for folder in (local, piped)
    ]
    assert sections[0] == sections[1]  # the same sections (the title names each run's own id)
    for name in ("model.joblib", "explanation.json", "test_predictions.csv"):
        assert (piped / name).is_file()


def test_preprocessing_refuses_a_table_with_the_reason(tmp_path):
    config = quick_config(PENGUINS, tmp_path, target="no_such_column")
    outcome = json.loads(pipeline_agent.check_table(config.model_dump()))
    assert outcome["status"] == "failed"
    assert "no_such_column" in outcome["reason"]
    good = json.loads(pipeline_agent.check_table(quick_config(PENGUINS, tmp_path, target="species").model_dump()))
    assert good["status"] == "ok" and good["task"] == "multiclass" and good["target"] == "species"
    assert good["families"] == ["linear", "hist_gb"]


@pytest.fixture(scope="module")
def two_agents(tmp_path_factory):
    """A test server and two real agent daemons serving its queue `default` (each its own worker)."""
    if AGENT is None:
        pytest.skip("clearml-agent is installed by the test extra")
    root = tmp_path_factory.mktemp("pipeline")
    server = ClearMLTestServer().start()
    env = environment(server, root / "home")
    quick_agent_config(root / "home")
    logs = [root / "agent-1.log", root / "agent-2.log"]
    with contextlib.ExitStack() as stack:
        for number, log in enumerate(logs, 1):
            stack.enter_context(agent_daemon(env, log, worker=f"test-agent-{number}"))
        yield server, env, root, logs
    server.stop()


def ran(log: Path) -> list[str]:
    """The task ids a daemon ran, from its output."""
    return re.findall(r"Running task '([0-9a-f]+)'", log.read_text(errors="replace"))


@pytest.fixture(scope="module")
def cli_pipeline(two_agents):
    """One pipeline run from the command line (charts as HTML: their items are compared with a tracked run's),
    shared by the tests that read it: (the command's output, the preset, the run folder brought home)."""
    server, env, root, logs = two_agents
    preset = write_preset(root / "quick.toml", charts="html")
    out = root / "runs"
    args = ["--preset", preset, "--target", "species", "--remote", "default", "--pipeline", "--out", out]
    done = cli(env, PENGUINS, *args, timeout=600)
    assert done.returncode == 0, done.stderr + "".join(log.read_text()[-3000:] for log in logs)
    (run_dir,) = out.iterdir()
    return done, preset, run_dir


def test_a_pipeline_shares_the_run_between_agents_one_step_per_family(two_agents, cli_pipeline):
    server, env, root, logs = two_agents
    done, _, run_dir = cli_pipeline
    assert "Recommended: " in done.stdout
    assert "Clearly better than guessing: balanced accuracy" in done.stdout  # the merge judged the kept model
    # one line per finished model, as a local run prints them
    finished = {
        line.split()[0] for line in done.stdout.splitlines() if "balanced accuracy " in line and "  fit " in line
    }
    assert finished >= {"linear", "hist_gb"}, done.stdout
    for step in ("preprocessing", "training_linear", "training_hist_gb", "reporting"):
        assert f"step {step}: completed" in done.stderr
    run_id = run_dir.name
    key = json.loads((run_dir / "run.json").read_text())["dataset_key"]
    # the steps are named and tagged like the phases of a tracked run
    steps = {
        t["name"]: t
        for t in server.tasks.values()
        if f"run:{run_id}" in t["tags"] and not {"phase:run", "phase:pipeline", "recommended"} & set(t["tags"])
    }
    names = ["preprocessing", "training_linear", "training_hist_gb", "reporting"]
    assert {name: task["status"] for name, task in steps.items()} == {
        f"{n} · {run_id} · {key}": "completed" for n in names
    }
    phases = {name.split(" · ")[0]: {t for t in task["tags"] if t.startswith("phase:")} for name, task in steps.items()}
    assert phases == {
        "preprocessing": {"phase:preprocessing"},
        "training_linear": {"phase:training"},
        "training_hist_gb": {"phase:training"},
        "reporting": {"phase:reporting"},
    }
    # the preprocessing step shows the table as a tracked run's preprocessing task does
    (prep,) = [t for name, t in steps.items() if name.startswith("preprocessing")]
    charts = {e.get("variant") for e in server.events.get(prep["id"], []) if e.get("metric") == "data"}
    assert charts == {"missing values per column", "column types", "target: species"}, charts
    # both agents took a share of the run
    assert all(ran(log) for log in logs), [ran(log) for log in logs]
    assert set(ran(logs[0]) + ran(logs[1])) == {task["id"] for task in steps.values()}
    report = (run_dir / "report.md").read_text(encoding="utf-8")
    assert report.startswith(f"# automl-tui report · {run_dir.name} · penguins-")
    assert {row["model"] for row in RunReport.load(run_dir).attempted} >= {"linear", "hist_gb"}
    assert (run_dir / "model.joblib").is_file() and (run_dir / "input_ranges.json").is_file()  # what-if works on it
    # the reporting step's artifact is the report it wrote; the one here names this machine's table and folder
    reporting_id = steps[f"reporting · {run_id} · {key}"]["id"]
    on_agent = only_file(server, reporting_id, "artifacts/report/").decode()
    # the one link to share is the reporting step's: printed last, under the report's title here and on the agent
    (link,) = re.findall(r"^Share: (\S+)$", done.stdout, re.MULTILINE)
    assert reporting_id in link and link in report.splitlines()[2] and link in on_agent.splitlines()[2]
    assert on_agent.split("## 6.")[0] == report.split("## 6.")[0]
    assert str(PENGUINS.resolve()) in report and str(run_dir / "config.toml") in report
    assert str(PENGUINS.resolve()) not in on_agent
    # no task of the run is left a draft: the task that carries the run's table and config ends with it
    assert {t["status"] for t in server.tasks.values() if f"run:{run_id}" in t["tags"]} == {"completed"}
    # followed from anywhere: the same lines and Decision Summary, from the reporting step's log, and the run
    # folder brought home
    watched = cli(env, "watch", run_id, "--poll", "0.5", "--out", root / "watched", timeout=300)
    assert watched.returncode == 0, watched.stderr
    assert (root / "watched" / run_id / "model.joblib").is_file()
    assert [line for line in watched.stdout.splitlines() if line.startswith("Recommended: ")] == [
        line for line in done.stdout.splitlines() if line.startswith("Recommended: ")
    ]
    assert server.unknown == []


def reported_items(server: ClearMLTestServer, task: dict) -> set[tuple[str, ...]]:
    """What a task carries for a reader: its artifacts, and each table, chart, text and value it reported."""
    artifacts = {("artifact", a["key"]) for a in task["execution"].get("artifacts", [])}
    events = {(e["type"], e.get("metric", ""), e.get("variant", "")) for e in server.events.get(task["id"], [])}
    return artifacts | {event for event in events if event[0] != "log"}


def reporting_and_recommended(server: ClearMLTestServer, run_dir: Path) -> tuple[dict, dict]:
    """A run's reporting task and its recommended model's task, found by the run's tag."""
    info = json.loads((run_dir / "run.json").read_text())
    of_run = [t for t in server.tasks.values() if f"run:{info['run_id']}" in t["tags"]]
    (reporting,) = [t for t in of_run if "phase:reporting" in t["tags"]]
    (recommended,) = [t for t in of_run if "recommended" in t["tags"]]
    assert recommended["name"] == f"{info['recommended']} · {info['run_id']} · {info['dataset_key']}"
    assert "phase:training" in server.tasks[recommended["parent"]]["tags"]  # the training task, or family's step
    return reporting, recommended


@pytest.fixture(scope="module")
def tracked_run(two_agents, cli_pipeline):
    """The pipeline run's table and preset, run here with --clearml: what every mode's reporting task must carry."""
    server, env, root, _ = two_agents
    _, preset, _ = cli_pipeline
    tracked = cli(env, PENGUINS, "--preset", preset, "--target", "species", "--clearml", "--out", root / "tracked")
    assert tracked.returncode == 0, tracked.stderr
    (tracked_dir,) = (root / "tracked").iterdir()
    return tracked_dir


def test_a_pipeline_run_reports_exactly_like_a_tracked_run(two_agents, cli_pipeline, tracked_run):
    """The pipeline's reporting step and recommended model's task carry the items of a --clearml run's, so the two
    modes cannot drift apart (the step also keeps the run folder the command brings home)."""
    server = two_agents[0]
    made = {}
    for mode, run_dir in {"tracked": tracked_run, "pipeline": cli_pipeline[2]}.items():
        made[mode] = tuple(reported_items(server, task) for task in reporting_and_recommended(server, run_dir))
    tracked, pipeline = made["tracked"], made["pipeline"]
    assert pipeline[0] - {("artifact", "run_folder")} == tracked[0]
    assert ("artifact", "report") in tracked[0] and ("plot", "99_debug", "missing_artifacts") in tracked[0]
    assert pipeline[1] == tracked[1] and ("artifact", "model_card") in tracked[1]


def test_a_table_refused_by_preprocessing_trains_nothing_and_says_why(two_agents):
    server, env, root, _ = two_agents
    before = set(server.tasks)
    done = cli(env, PENGUINS, "--target", "no_such_column", "--remote", "default", "--pipeline", "--out", root / "x")
    assert done.returncode == 2, done.stderr
    assert "stopped after its preprocessing step, before any training" in done.stderr
    assert "no_such_column" in done.stderr
    assert "Traceback" not in done.stderr
    new = [server.tasks[task_id] for task_id in set(server.tasks) - before]
    assert not [t for t in new if t["name"].startswith("training_") and t["status"] != "created"]
    assert not (root / "x").exists() or not any((root / "x").iterdir())


def test_pipeline_needs_a_queue(tmp_path):
    done = cli({"PATH": os.environ["PATH"], "HOME": str(tmp_path)}, PENGUINS, "--pipeline")
    assert done.returncode == 2
    assert "--remote QUEUE" in done.stderr and "Traceback" not in done.stderr


def idle_polls(log: Path) -> int:
    """How often a daemon (in the foreground) found its queue empty: it polls only while it runs nothing."""
    return log.read_text(errors="replace").count("No tasks in queue")


def test_ctrl_c_aborts_the_running_steps_and_starts_no_more(two_agents):
    server, env, root, logs = two_agents
    before = set(server.tasks)
    preset = write_preset(root / "slow.toml", max_trials=None, time_budget_s=60)  # training takes its minute
    args = [PENGUINS, "--preset", preset, "--target", "species", "--remote", "default", "--pipeline"]
    command = subprocess.Popen(
        [sys.executable, "-m", "automl_tui", *map(str, [*args, "--out", root / "cancelled"])],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=sigint_as_at_a_terminal,
    )
    seen = []
    for line in command.stderr:
        seen.append(line)
        if re.match(r"step training_\w+: running", line):
            break
    command.send_signal(signal.SIGINT)
    stderr = "".join(seen) + command.stderr.read()
    assert command.wait(timeout=120) == 130, stderr
    assert "Pipeline cancelled" in stderr and "Traceback" not in stderr
    # and they stay stopped (an agent that took a step just before may start it anyway): once each agent has found
    # the queue empty twice more, neither is running a step, so a step started again would show as completed below
    polls = [idle_polls(log) for log in logs]
    deadline = time.monotonic() + 120
    while any(idle_polls(log) < before + 2 for log, before in zip(logs, polls, strict=True)):
        assert time.monotonic() < deadline, "an agent did not come back to the queue: " + logs[0].read_text()[-2000:]
        time.sleep(0.2)
    new = {task["name"].split(" · ")[0]: task for task_id, task in server.tasks.items() if task_id not in before}
    assert new["preprocessing"]["status"] == "completed"
    training = [task["status"] for name, task in new.items() if name.startswith("training_")]
    assert "stopped" in training and "completed" not in training, training
    assert new.get("reporting", {}).get("status") in (None, "created")  # made at most, never run


async def test_the_wizard_starts_a_pipeline_on_the_queue_its_agents_serve(
    two_agents, tracked_run, tmp_path, monkeypatch
):
    """The where-to-run step offers the pipeline with the number of agents serving the queue; the run screen shows
    each step as it changes, and the Decision Summary is the pipeline's run, brought home with its link; its
    reporting task carries what a --clearml run's does."""
    from automl_tui_engine.events import StepChanged
    from test_wizard import SIZE, choose_option, on_step, text_of, until, walk_to_where
    from textual.widgets import OptionList
    from wizard_support import make_project, summary_shown, tapped

    from automl_tui.app import AutomlApp
    from automl_tui.screens.confirm import ConfirmScreen
    from automl_tui.screens.run import RunScreen

    server, env, root, logs = two_agents
    sdk_in_this_process(env, monkeypatch)
    project = make_project(tmp_path)
    monkeypatch.chdir(project)
    steps_seen: list[str] = []

    def seen(event):
        steps_seen.append(f"{event.step}: {event.status}" if isinstance(event, StepChanged) else event.kind)

    app = AutomlApp(start_dir=project, out=project / "runs", launch=tapped(seen))
    async with app.run_test(size=SIZE) as pilot:
        await walk_to_where(pilot, app, "presets/quick.toml")
        option = app.screen.query_one("#choices", OptionList).get_option("pipeline:default")
        assert "now 2 serve it" in str(option.prompt)  # both daemons registered for the queue
        await choose_option(pilot, "pipeline:default")
        await until(pilot, on_step(app, ConfirmScreen))
        assert "--remote default --pipeline" in str(app.screen.query_one("#command").render())
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, RunScreen))
        run_screen = app.screen
        await until(pilot, lambda: summary_shown(app) or run_screen.error, timeout=400)
        assert run_screen.error is None, run_screen.error
        await until(pilot, lambda: app.screen.query("#headline"))
        assert "Recommended: " in text_of(app.screen, "#headline")
        shared = str(app.screen.query_one("#shared-link").render())  # the reporting step's page, to share
    assert "reporting: completed" in steps_seen, steps_seen  # each step's changes reached the run screen
    # the live leaderboard follows the families: their candidates show before the reporting step starts, once each
    reporting_began = next(i for i, seen in enumerate(steps_seen) if seen.startswith("reporting: "))
    assert steps_seen.index("run_started") < steps_seen.index("candidate_finished") < reporting_began, steps_seen
    assert steps_seen.count("run_started") == 1 and steps_seen.count("run_finished") == 1
    (run_dir,) = (project / "runs").iterdir()
    assert json.loads((run_dir / "run.json").read_text())["status"] == "finished"
    with open(run_dir / "results_summary.csv", encoding="utf-8-sig") as handle:
        tried = [row for row in csv.DictReader(handle) if row["status"] == "ok"]
    assert steps_seen.count("candidate_finished") == len(tried)  # each candidate once, live or at the end
    reporting, _ = reporting_and_recommended(server, run_dir)
    assert reporting["id"] in "".join(shared.split())  # the link shown (wrapped on screen) opens the reporting task
    # the same table as the tracked run, and the project's preset draws no charts: the rest must be the same
    tracked = reported_items(server, reporting_and_recommended(server, tracked_run)[0])
    charted = {item for item in tracked if item[1] == "charts"}
    assert reported_items(server, reporting) - {("artifact", "run_folder")} == tracked - charted
