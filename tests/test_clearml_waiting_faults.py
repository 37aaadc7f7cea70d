"""A ClearML server that goes away while a command waits on it: `watch` and a pipeline's controller end with one line
(exit 3, or 143 on SIGTERM) instead of retrying for ever; an agent whose server went away mid-run records the run whole
once the server is back. The real SDK, the real clearml-agent and the test server, stopped and restarted."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from clearml_server import ClearMLTestServer, environment, wait_for_call
from conftest import write_preset

pytestmark = pytest.mark.slow  # agents and a server: the full tier (see conftest)

PENGUINS = Path(__file__).parents[1] / "examples" / "penguins.csv"
STARTUP_S = 120  # imports and the first tasks, on a busy machine


def start_cli(tmp_path: Path, server: ClearMLTestServer, *args: object) -> subprocess.Popen:
    command = [sys.executable, "-m", "automl_tui", *map(str, args)]
    env = environment(server, tmp_path / "home")
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def enqueue(tmp_path: Path, server: ClearMLTestServer, **preset: object) -> str:
    """A run of the penguins on the server's queue `default` (the quick preset, with `preset` over it): its run_id."""
    quick = write_preset(tmp_path / "quick.toml", **preset)
    args = [PENGUINS, "--preset", quick, "--target", "species", "--remote", "default"]
    enqueued = subprocess.run(
        [sys.executable, "-m", "automl_tui", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=STARTUP_S,
        env=environment(server, tmp_path / "home"),
    )
    assert enqueued.returncode == 0, enqueued.stderr
    return re.search(r"Run (\S+) is queued", enqueued.stdout).group(1)


def ended_through_an_outage(server: ClearMLTestServer, process: subprocess.Popen, terminate: bool) -> tuple[str, str]:
    server.stop()
    if terminate:
        process.send_signal(signal.SIGTERM)
    try:
        return process.communicate(timeout=STARTUP_S)
    finally:
        process.kill()


@pytest.mark.parametrize("terminate", [False, True], ids=["server stops", "SIGTERM in the outage"])
def test_watch_ends_in_one_line_when_the_server_stops(tmp_path, terminate):
    """Following a queued run (no agent takes it) when the server goes away: one line that says how to follow it
    again and exit 3, or 143 on SIGTERM; never a hang or a flood of retries."""
    server = ClearMLTestServer().start()
    run_id = enqueue(tmp_path, server)
    watch = start_cli(tmp_path, server, "watch", run_id, "--poll", "0.2")
    polls = lambda: sum(endpoint == "tasks.get_all" for endpoint, _ in server.calls)  # noqa: E731
    before = polls()
    wait_for_call(watch, lambda: polls() >= before + 3)  # it is following the run
    _, err = ended_through_an_outage(server, watch, terminate)
    assert watch.returncode == (143 if terminate else 3), err[-3000:]
    assert len(err.splitlines()) < 50 and "Traceback" not in err, err[-3000:]
    if not terminate:
        (said,) = [line for line in err.splitlines() if "stopped answering" in line]
        assert f"automl-tui watch {run_id}" in said


def test_a_pipeline_whose_server_stops_ends_in_one_line(tmp_path):
    """The controller runs here: with the server gone it stops with one line and exit 3 (no agent serves the queue,
    so its first step waits there when the server goes)."""
    server = ClearMLTestServer().start()
    preset = write_preset(tmp_path / "quick.toml")
    args = [PENGUINS, "--preset", preset, "--target", "species", "--remote", "default", "--pipeline"]
    pipeline = start_cli(tmp_path, server, *args, "--out", tmp_path / "runs")
    step_queued = lambda: any(  # noqa: E731
        task["name"].startswith("preprocessing · ") and task["status"] == "queued" for task in server.tasks.values()
    )
    wait_for_call(pipeline, step_queued)
    _, err = ended_through_an_outage(server, pipeline, terminate=False)
    assert pipeline.returncode == 3, err[-3000:]
    assert len(err.splitlines()) < 50 and "Traceback" not in err, err[-3000:]
    assert [line for line in err.splitlines() if "stopped answering during pipeline run" in line]


def test_an_agent_whose_server_goes_away_records_the_run_whole_when_it_is_back(tmp_path):
    """The server stops while an agent runs a queued run: the run finishes on the agent, which waits for the server;
    once it is back the run is recorded whole (the tasks the broken-off tracking left are superseded) and its folder
    uploaded, so the run task completes as if nothing had happened."""
    from test_clearml_remote import AGENT, agent_environment

    if AGENT is None:
        pytest.skip("clearml-agent is installed by the test extra")
    server = ClearMLTestServer().start()
    env = environment(server, tmp_path / "home")
    run_id = enqueue(tmp_path, server, charts="html")
    (run_task,) = [task["id"] for task in server.tasks.values() if task["name"].startswith(f"run · {run_id}")]
    work = tmp_path / "agent-tmp"  # where the agent's run folder is made (tempfile), to see it finish
    work.mkdir()
    log = tmp_path / "agent.log"
    with log.open("w") as out:
        agent = subprocess.Popen(
            [AGENT, "execute", "--id", run_task],
            env={**agent_environment(env), "TMPDIR": str(work)},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        # the run has begun its tracking (its first phase task exists): the server goes away now, before the run
        # can end (waiting for a trained model raced a fast machine, which finished the run and its tracking first)
        tracking = lambda: any(  # noqa: E731
            {f"run:{run_id}", "phase:preprocessing"} <= set(task["tags"]) for task in list(server.tasks.values())
        )
        wait_for_call(agent, tracking)
        server.stop()

        def finished() -> bool:
            """The run ended on the agent (its folder has its record and report) and has said that its tracking
            stopped: the server comes back only then (back sooner, the tracking of a short outage goes on)."""
            from automl_tui_engine.clearml.record_later import tracking_stopped

            folders = [path.parent for path in work.glob(f"*/{run_id}/run.json")]
            return any(
                '"status": "finished"' in (folder / "run.json").read_text(encoding="utf-8")
                and (folder / "report.md").is_file()
                and tracking_stopped(folder)
                for folder in folders
            )

        wait_for_call(agent, finished)
        server.restart()
        agent.wait(timeout=STARTUP_S + 120)
    finally:
        agent.kill()
        server.stop()
    said = log.read_text(errors="replace")
    assert agent.returncode == 0, said[-3000:]
    # the server's record is the evidence that the agent waited and recorded the run whole (its lines in the agent's
    # own log pass through clearml-agent's forwarding)
    assert server.tasks[run_task]["status"] == "completed", said[-3000:]
    of_run = [task for task in server.tasks.values() if f"run:{run_id}" in task["tags"]]
    (reporting,) = [task for task in of_run if "phase:reporting" in task["tags"]]
    assert reporting["status"] == "completed"
    assert {"phase:preprocessing", "phase:training"} <= {tag for task in of_run for tag in task["tags"]}
    superseded = [task for task in server.tasks.values() if f"superseded:{run_id}" in task["tags"]]
    assert superseded and not [task for task in superseded if f"run:{run_id}" in task["tags"]]
    assert [path for path in server.files if run_task in path and "run_folder" in path]
