"""Tier 2: online ClearML against the wire-compatible test server (tests/clearml_server.py), with the real SDK and
a real `clearml-agent execute`: a run enqueued from the CLI runs on the agent from what travelled through the
server alone, and `automl-tui watch` follows it live to the same Decision Summary."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.clearml_server import ClearMLTestServer
from tests.conftest import write_preset

pytest.importorskip("clearml")
AGENT = shutil.which("clearml-agent", path=str(Path(sys.executable).parent))
PENGUINS = Path(__file__).parents[1] / "examples" / "penguins.csv"


@pytest.fixture
def server():
    running = ClearMLTestServer().start()
    yield running
    running.stop()


def environment(server: ClearMLTestServer, home: Path) -> dict[str, str]:
    home.mkdir(exist_ok=True)
    clean = {key: value for key, value in os.environ.items() if not key.startswith(("CLEARML_", "TRAINS_"))}
    return {**clean, **server.env(), "HOME": str(home)}


def cli(env: dict[str, str], *args, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "automl_tui", *map(str, args)], capture_output=True, text=True, timeout=timeout, env=env
    )


def agent_execute(env: dict[str, str], task_id: str) -> subprocess.Popen:
    """The real agent, using this Python (where automl-tui is installed) instead of building an environment."""
    agent_env = {
        **env,
        "CLEARML_AGENT_SKIP_PIP_VENV_INSTALL": sys.executable,
        "CLEARML_AGENT_SKIP_PYTHON_ENV_INSTALL": "1",
    }
    return subprocess.Popen(
        [AGENT, "execute", "--id", task_id], env=agent_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def the_task(server: ClearMLTestServer, name_start: str) -> dict:
    (task,) = [t for t in server.tasks.values() if t["name"].startswith(name_start)]
    return task


@pytest.mark.skipif(AGENT is None, reason="clearml-agent is installed by the test extra")
def test_enqueue_then_a_real_agent_runs_it_and_watch_follows_it_live(tmp_path, server):
    env = environment(server, tmp_path / "home")
    preset = write_preset(tmp_path / "quick.toml", charts="html")
    enqueued = cli(env, PENGUINS, "--preset", preset, "--target", "species", "--remote", "default")
    assert enqueued.returncode == 0, enqueued.stderr
    run_id = re.search(r"Run (\S+) is queued on 'default'", enqueued.stdout).group(1)
    assert f"automl-tui watch {run_id}" in enqueued.stdout

    remote = the_task(server, "run · ")
    assert remote["status"] == "queued" and remote["name"] == f"run · {run_id}"
    assert {f"run:{run_id}", "phase:run"} <= set(remote["tags"])
    assert remote["script"]["entry_point"] == "-m engine.remote"
    # the table travels through the server: the agent never sees the user's file system
    dataset = next(a for a in remote["execution"]["artifacts"] if a["key"] == "dataset")
    assert dataset["uri"].endswith("penguins.csv")
    uploaded = [content for path, content in server.files.items() if path.endswith("artifacts/dataset/penguins.csv")]
    assert uploaded == [PENGUINS.read_bytes()]

    agent = agent_execute(env, remote["id"])
    try:
        watched = cli(env, "watch", run_id, "--poll", "0.5", timeout=300)
        agent_log, _ = agent.communicate(timeout=300)
    finally:
        agent.kill()
    assert agent.returncode == 0, agent_log[-3000:]
    assert watched.returncode == 0, watched.stderr
    # the same lines a local run prints: one per finished model, then the Decision Summary
    models = [line.split()[0] for line in watched.stdout.splitlines() if "balanced_accuracy=" in line]
    assert sorted(models) == ["hist_gb", "linear"]
    recommended = re.search(r"Recommended: (\S+) \(priority: balanced\)", watched.stdout).group(1)

    assert the_task(server, "run · ")["status"] == "completed"
    reporting = the_task(server, f"reporting · {run_id}")
    assert {f"run:{run_id}", "phase:reporting"} <= set(reporting["tags"])
    # the agent's run is filed with the enqueued one: same project, same dataset key
    assert reporting["project"] == remote["project"]
    assert [t for t in reporting["tags"] if t.startswith("dataset:")] == [
        t for t in remote["tags"] if t.startswith("dataset:")
    ]
    report_md = next(content for path, content in server.files.items() if path.endswith(".md") and "00_report" in path)
    assert report_md.decode().startswith(f"# automl-tui report · {run_id} · penguins-")
    assert f"- **Recommended model**: `{recommended}`" in report_md.decode()
    # the whole run folder came back to the server: its report is the one the reporting task carries
    folder_zip = next(content for path, content in server.files.items() if "run_folder" in path)
    with zipfile.ZipFile(io.BytesIO(folder_zip)) as archive:
        assert archive.read("report.md") == report_md
    assert server.unknown == []


def test_an_unknown_queue_is_named_with_the_queues_there_are(tmp_path, server):
    env = environment(server, tmp_path / "home")
    done = cli(env, PENGUINS, "--target", "species", "--remote", "defualt")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "no queue 'defualt' (did you mean 'default'?); its queues: default." in done.stderr
    assert not any(t["name"].startswith("run · ") for t in server.tasks.values())  # nothing half-made


def test_remote_needs_a_server(tmp_path, server):
    env = {**environment(server, tmp_path / "home"), "CLEARML_OFFLINE_MODE": "1"}
    done = cli(env, PENGUINS, "--target", "species", "--remote", "default")
    assert done.returncode == 2 and "needs a ClearML server" in done.stderr


def test_watch_an_unknown_run(tmp_path, server):
    done = cli(environment(server, tmp_path / "home"), "watch", "20990101-000000-abcdef")
    assert done.returncode == 2 and "no task tagged run:20990101-000000-abcdef" in done.stderr
