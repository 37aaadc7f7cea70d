"""Tier 1: a real run with `--clearml`, recorded by the real ClearML SDK in offline mode (no server), checked in the
SDK's offline session files: task names and tags, the candidates as children of training, the report text, the
leaderboard artifact, the missing-artifacts table, and the event stream a follower would replay."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import write_preset

pytestmark = pytest.mark.slow  # real runs, agents or servers: the full tier (see conftest)

pytest.importorskip("clearml")

SECRET = "s3cr3t-clearml-key-for-tests"


def offline_env(home: Path, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("CLEARML_", "TRAINS_"))}
    env.update(HOME=str(home), CLEARML_OFFLINE_MODE="1", **extra)
    return env


def offline_sessions(home: Path) -> list[dict]:
    """Each offline task the SDK stored: its task.json, with its metrics and log lines."""
    sessions = []
    for folder in sorted((home / ".clearml" / "cache" / "offline").glob("offline-*/")):
        task = json.loads((folder / "task.json").read_text())
        for name in ("metrics", "log"):
            path = folder / f"{name}.jsonl"
            lines = path.read_text().splitlines() if path.exists() else []
            task[name] = [event for line in lines for event in json.loads(line)]
        sessions.append(task)
    return sessions


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    """One offline-recorded run (a module fixture: every test below reads the same run)."""
    root = tmp_path_factory.mktemp("clearml")
    home, out = root / "home", root / "runs"
    home.mkdir()
    # PNGs cannot be made without a browser: that gives the run known missing artifacts to find in the tracker
    preset = write_preset(root / "quick.toml", charts="html+png")
    env = offline_env(
        home,
        BROWSER_PATH=str(root / "no-such-chrome"),
        CLEARML_API_ACCESS_KEY="AK" + SECRET,
        CLEARML_API_SECRET_KEY=SECRET,
    )
    penguins = Path(__file__).parents[1] / "examples" / "penguins.csv"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "automl_tui",
            penguins,
            "--preset",
            preset,
            "--target",
            "species",
            "--out",
            out,
            "--clearml",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    run_dir = next(out.iterdir())
    return {"done": done, "run_dir": run_dir, "sessions": offline_sessions(home), "home": home}


def by_name(sessions: list[dict]) -> dict[str, dict]:
    """Tasks by `<phase> · <run_id>`; every name ends with its table's dataset key (checked here)."""
    named = {}
    for task in sessions:
        key = next(tag.removeprefix("dataset:") for tag in task["tags"] if tag.startswith("dataset:"))
        assert task["name"].endswith(f" · {key}"), task["name"]
        named[task["name"].removesuffix(f" · {key}")] = task
    return named


def test_each_phase_is_a_task_named_and_tagged_by_the_run(recorded):
    info = json.loads((recorded["run_dir"] / "run.json").read_text())
    run_id, key = info["run_id"], info["dataset_key"]
    tasks = by_name(recorded["sessions"])
    for phase in ("preprocessing", "training", "reporting"):
        task = tasks[f"{phase} · {run_id}"]
        assert set(task["tags"]) == {f"run:{run_id}", f"dataset:{key}", f"phase:{phase}"}
    # the project is automl-tui/<dataset_key>: offline, it shows in where the task's files are stored
    artifacts = tasks[f"reporting · {run_id}"]["execution"]["artifacts"]
    report_uri = next(a["uri"] for a in artifacts if a["key"] == "report")
    assert f"automl-tui/{key}/reporting" in report_uri
    config = tasks[f"preprocessing · {run_id}"]["configuration"]["automl-tui config"]["value"]
    assert 'target = "species"' in config


def test_each_candidate_is_a_child_of_training_with_its_numbers(recorded):
    info = json.loads((recorded["run_dir"] / "run.json").read_text())
    run_id = info["run_id"]
    tasks = by_name(recorded["sessions"])
    training_id = tasks[f"training · {run_id}"]["id"]
    leaderboard = (recorded["run_dir"] / "leaderboard.csv").read_text(encoding="utf-8-sig").splitlines()
    models = [line.split(",")[1] for line in leaderboard[1:]]
    assert sorted(models) == ["hist_gb", "linear"]
    for model in models:
        task = tasks[f"{model} · {run_id}"]
        assert task["parent"] == training_id
        assert "phase:training" in task["tags"] and f"run:{run_id}" in task["tags"]
        # single values: ClearML files them as series of the "Summary" scalar
        values = {e["variant"]: e["value"] for e in task["metrics"] if e.get("metric") == "Summary"}
        assert {"balanced_accuracy_mean", "fit_s", "predict_ms_per_1k", "size_bytes"} <= set(values)
        assert ("recommended" in task["tags"]) == (model == info["recommended"])
    recommended = tasks[f"{info['recommended']} · {run_id}"]
    charts = {e["variant"] for e in recommended["metrics"] if e["metric"] == "charts"}
    assert "confusion_matrix" in charts  # the recommended model's details live with it
    hist_gb = tasks[f"hist_gb · {run_id}"]["hyperparams"]["model"]
    assert hist_gb["family"]["value"] == "hist_gb"  # what it is, as the leaderboard's params column says


def test_the_reporting_task_carries_report_leaderboard_and_missing_artifacts(recorded):
    run_dir = recorded["run_dir"]
    info = json.loads((run_dir / "run.json").read_text())
    reporting = by_name(recorded["sessions"])[f"reporting · {info['run_id']}"]
    report = next(e for e in reporting["metrics"] if (e["metric"], e["variant"]) == ("00_report", "report_md"))
    assert Path(report["url"]).read_text(encoding="utf-8") == (run_dir / "report.md").read_text(encoding="utf-8")
    artifacts = {a["key"]: a for a in reporting["execution"]["artifacts"]}
    assert "hist_gb" in artifacts["leaderboard"]["type_data"]["preview"]
    missing = next(e for e in reporting["metrics"] if (e["metric"], e["variant"]) == ("99_debug", "missing_artifacts"))
    cells = json.loads(missing["plot_str"])["data"][0]["cells"]["values"]
    assert "plots/confusion_matrix.png" in cells[0]
    assert all("chromium" in reason for reason in cells[1])
    assert set(cells[0]) == set(info["missing"])


def test_the_event_stream_can_be_replayed_from_the_tasks(recorded):
    """What a follower rebuilds from the server: every event of events.jsonl, in order, across the phase tasks."""
    local = [json.loads(line) for line in (recorded["run_dir"] / "events.jsonl").read_text().splitlines()]
    info = json.loads((recorded["run_dir"] / "run.json").read_text())
    tasks = by_name(recorded["sessions"])
    replayed = []
    for phase in ("preprocessing", "training", "reporting"):
        for line in tasks[f"{phase} · {info['run_id']}"]["log"]:
            for text in line["msg"].splitlines():
                if text.startswith("automl-tui event "):
                    replayed.append(json.loads(text.removeprefix("automl-tui event ")))
    assert replayed == local


def test_tracking_keeps_stdout_for_results_and_credentials_out_of_everything(recorded):
    done = recorded["done"]
    # the SDK's own progress lines are not results ("ClearML Task: created …", "… Offline session stored in …")
    assert "ClearML Task" not in done.stdout and "session stored" not in done.stdout
    assert "Decision Summary" in done.stdout
    written = [p for root in (recorded["run_dir"], recorded["home"]) for p in root.rglob("*") if p.is_file()]
    for path in written:
        assert SECRET.encode() not in path.read_bytes(), path
    assert SECRET not in done.stdout + done.stderr


def test_the_run_says_where_its_offline_sessions_are_and_how_to_import_them(recorded):
    home, run_dir, done = recorded["home"], recorded["run_dir"], recorded["done"]
    stored = sorted(str(path) for path in (home / ".clearml" / "cache" / "offline").glob("offline-*.zip"))
    listed = json.loads((run_dir / "clearml.json").read_text(encoding="utf-8"))["offline_sessions"]
    assert sorted(listed) == stored and len(stored) == len(recorded["sessions"])  # every task's session, each once
    folder = str(home / ".clearml" / "cache" / "offline")
    (said,) = [line for line in done.stdout.splitlines() if line.startswith("Recorded offline")]
    assert f"{len(stored)} ClearML sessions in {folder}" in said and "clearml-task --import-offline-session" in said
    report = (run_dir / "report.md").read_text(encoding="utf-8")
    assert "**Recorded offline**" in report and f"`{folder}`" in report


LATE_REPORTING_TASK = """
import sys, time
from pathlib import Path
from automl_tui_engine.clearml_tracking import tracker

opened = tracker.ClearMLTracker._open

def open_after_the_report(self, phase):
    # a slow server: the reporting task opens only once the run has written its report without it
    if phase == "reporting":
        report = Path(self.started.run_dir) / "report.md"
        waited = time.monotonic()
        while not report.exists():
            if time.monotonic() - waited > 120:
                raise SystemExit("the run never wrote its report")
            time.sleep(0.05)
    opened(self, phase)

tracker.ClearMLTracker._open = open_after_the_report
from automl_tui.entry import main
sys.argv = ["automl-tui", *sys.argv[1:]]
main()
"""


def test_a_reporting_task_opened_after_the_report_still_reaches_it(tmp_path):
    """The tracker works on a thread of its own, so the run may write report.md before the reporting task exists
    (CI once saw it): the report is written again when tracking closes, with the task's sessions."""
    home, out = tmp_path / "home", tmp_path / "runs"
    home.mkdir()
    preset = write_preset(tmp_path / "quick.toml", models=["linear"])
    penguins = Path(__file__).parents[1] / "examples" / "penguins.csv"
    args = [penguins, "--preset", preset, "--target", "species", "--out", out, "--clearml"]
    done = subprocess.run(
        [sys.executable, "-c", LATE_REPORTING_TASK, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
        env=offline_env(home),
    )
    assert done.returncode == 0, done.stderr
    run_dir = next(out.iterdir())
    report = (run_dir / "report.md").read_text(encoding="utf-8")
    assert "**Recorded offline**" in report and str(home / ".clearml" / "cache" / "offline") in report
