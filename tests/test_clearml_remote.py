"""Tier 2: online ClearML against the wire-compatible test server (tests/clearml_server.py), with the real SDK and
a real `clearml-agent execute`: a run enqueued from the CLI runs on the agent from what travelled through the
server alone, and `automl-tui watch` follows it live to the same Decision Summary."""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import psutil
import pytest
from clearml_server import ClearMLTestServer, environment, sdk_in_this_process
from conftest import write_preset

pytestmark = pytest.mark.slow  # real runs, agents or servers: the full tier (see conftest)

pytest.importorskip("clearml")
AGENT = shutil.which("clearml-agent", path=str(Path(sys.executable).parent))
PENGUINS = Path(__file__).parents[1] / "examples" / "penguins.csv"


@pytest.fixture
def server():
    running = ClearMLTestServer().start()
    yield running
    running.stop()


def cli(env: dict[str, str], *args, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "automl_tui", *map(str, args)], capture_output=True, text=True, timeout=timeout, env=env
    )


def agent_environment(env: dict[str, str], worker: str = "test-agent") -> dict[str, str]:
    """The real agent, using this Python (where automl-tui is installed) instead of building an environment."""
    return {
        **env,
        "CLEARML_AGENT_SKIP_PIP_VENV_INSTALL": sys.executable,
        "CLEARML_AGENT_SKIP_PYTHON_ENV_INSTALL": "1",
        "CLEARML_WORKER_ID": worker,
        "PYTHONUNBUFFERED": "1",  # its log shows each poll as it happens
    }


def agent_execute(env: dict[str, str], task_id: str) -> subprocess.Popen:
    return subprocess.Popen(
        [AGENT, "execute", "--id", task_id],
        env=agent_environment(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def quick_agent_config(home: Path) -> None:
    """The agent set up as the README advises: its tasks report from their own process, so that a task's script
    ends without waiting on a reporting subprocess (about 10 s a pipeline step here)."""
    (home / "clearml.conf").write_text("sdk { development { report_use_subprocess: false } }\n", encoding="utf-8")


@contextlib.contextmanager
def agent_daemon(env: dict[str, str], log: Path, worker: str = "test-agent"):
    """A real `clearml-agent daemon` serving the queue `default`, its output in `log` (read it when a test fails)."""
    with log.open("w") as out:
        daemon = subprocess.Popen(
            [AGENT, "daemon", "--queue", "default", "--foreground"],
            env=agent_environment(env, worker),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            yield daemon
        finally:
            # SIGKILL (the daemon's own shutdown waits on the server for minutes), to the tasks it runs as well:
            # they run in sessions of their own and would go on using the cores
            for process in [*psutil.Process(daemon.pid).children(recursive=True), daemon]:
                with contextlib.suppress(psutil.NoSuchProcess, ProcessLookupError):
                    process.kill()
            daemon.wait()


def the_task(server: ClearMLTestServer, name_start: str) -> dict:
    (task,) = [t for t in server.tasks.values() if t["name"].startswith(name_start)]
    return task


def only_file(server: ClearMLTestServer, *parts: str) -> bytes:
    (content,) = [content for path, content in server.files.items() if all(part in path for part in parts)]
    return content


@pytest.fixture(scope="module")
def remote_run(tmp_path_factory):
    """One run enqueued from the CLI, executed by a real agent while `automl-tui watch` follows it (the tests
    below read what it left on the server)."""
    if AGENT is None:
        pytest.skip("clearml-agent is installed by the test extra")
    root = tmp_path_factory.mktemp("remote")
    server = ClearMLTestServer().start()
    env = environment(server, root / "home")
    preset = write_preset(root / "quick.toml", charts="html")
    enqueued = cli(env, PENGUINS, "--preset", preset, "--target", "species", "--remote", "default")
    assert enqueued.returncode == 0, enqueued.stderr
    run_id = re.search(r"Run (\S+) is queued on 'default'", enqueued.stdout).group(1)
    queued = json.loads(json.dumps(the_task(server, "run · ")))  # as it was before the agent took it
    agent = agent_execute(env, queued["id"])
    try:
        watched = cli(env, "watch", run_id, "--poll", "0.5", "--out", root / "runs", timeout=300)
        agent_log, _ = agent.communicate(timeout=300)
    finally:
        agent.kill()
    assert agent.returncode == 0, agent_log[-3000:]
    yield {
        "server": server,
        "env": env,
        "root": root,
        "run_id": run_id,
        "enqueued": enqueued,
        "queued": queued,
        "watched": watched,
    }
    server.stop()


def test_enqueue_puts_everything_the_run_needs_on_the_server(remote_run):
    run_id, queued, server = remote_run["run_id"], remote_run["queued"], remote_run["server"]
    assert f"automl-tui watch {run_id}" in remote_run["enqueued"].stdout
    assert queued["status"] == "queued" and queued["name"].startswith(f"run · {run_id} · penguins-")
    assert {f"run:{run_id}", "phase:run"} <= set(queued["tags"])
    assert queued["script"]["entry_point"] == "-m automl_tui_engine.clearml.agent"
    # the table travels through the server: the agent never sees the user's file system
    dataset = next(a for a in queued["execution"]["artifacts"] if a["key"] == "dataset")
    assert dataset["uri"].endswith("penguins.csv")
    uploaded = [content for path, content in server.files.items() if path.endswith("artifacts/dataset/penguins.csv")]
    assert uploaded == [PENGUINS.read_bytes()]


def test_the_agent_runs_it_and_watch_shows_it_as_a_local_run(remote_run):
    run_id, server, watched = remote_run["run_id"], remote_run["server"], remote_run["watched"]
    assert watched.returncode == 0, watched.stderr
    # the same lines a local run prints: one per finished model, then the Decision Summary
    models = [
        line.split()[0] for line in watched.stdout.splitlines() if "balanced accuracy " in line and "  fit " in line
    ]
    assert sorted(models) == ["hist_gb", "linear"]
    recommended = re.search(r"Recommended: (\S+) \(priority: balanced\)", watched.stdout).group(1)
    assert "Clearly better than guessing: balanced accuracy" in watched.stdout  # the verdict reached watch too

    remote = the_task(server, f"run · {run_id}")
    assert remote["status"] == "completed"
    reporting = the_task(server, f"reporting · {run_id}")
    assert {f"run:{run_id}", "phase:reporting"} <= set(reporting["tags"])
    # the agent's run is filed with the enqueued one: same project, same dataset key
    assert reporting["project"] == remote["project"]
    assert [t for t in reporting["tags"] if t.startswith("dataset:")] == [
        t for t in remote["tags"] if t.startswith("dataset:")
    ]
    report_md = only_file(server, f"reporting %C2%B7 {run_id}", "00_report")
    assert report_md.decode().startswith(f"# automl-tui report · {run_id} · penguins-")
    # one link to share, the reporting task's: under the report's title, and the last line `watch` prints
    (link,) = re.findall(r"^Share: (\S+)$", watched.stdout, re.MULTILINE)
    assert reporting["id"] in link and link.startswith(server.env()["CLEARML_WEB_HOST"])
    assert report_md.decode().splitlines()[2] == f"**Link to share** (this run's reporting task in ClearML): {link}"
    assert f"- **Recommended model**: `{recommended}`" in report_md.decode()
    # the whole run folder came back to the server: its report is the one the reporting task carries
    with zipfile.ZipFile(io.BytesIO(only_file(server, f"run %C2%B7 {run_id}", "run_folder"))) as archive:
        assert archive.read("report.md") == report_md
        # credentials reach neither the run folder nor anything stored on the server (tasks, logs, files)
        stored = [archive.read(name) for name in archive.namelist()] + list(server.files.values())
    stored.append(json.dumps([server.tasks, server.events]).encode())
    assert not [blob for blob in stored if server.secret_key.encode() in blob or server.access_key.encode() in blob]
    assert server.unknown == []


def test_watch_brings_the_run_folder_home_where_adopt_predict_and_whatif_work(remote_run, tmp_path):
    run_id, env, watched = remote_run["run_id"], remote_run["env"], remote_run["watched"]
    home = remote_run["root"] / "runs" / run_id
    # the folder it names is the one here, never the agent's temporary one
    assert f"Folder: {home}" in watched.stderr.replace("\n", " ") and "automl-tui-" not in watched.stderr
    assert f"Report: {home / 'report.md'}" in watched.stdout
    assert json.loads((home / "run.json").read_text(encoding="utf-8"))["status"] == "finished"
    recommended = re.search(r"Recommended: (\S+) \(priority: balanced\)", watched.stdout).group(1)
    adopted = cli(env, "adopt", home, recommended, "--use", "screening")
    assert adopted.returncode == 0, adopted.stderr
    predicted = cli(env, "predict", home, PENGUINS, "-o", tmp_path / "predictions.csv")
    assert predicted.returncode == 0, predicted.stderr
    assert len((tmp_path / "predictions.csv").read_text(encoding="utf-8-sig").splitlines()) == 1 + 344
    asked = cli(env, "whatif", home, "--set", "bill_length_mm=50")
    assert asked.returncode == 0, asked.stderr
    # watched again: the folder is there already, and stays as it is
    again = cli(env, "watch", run_id, "--out", remote_run["root"] / "runs", timeout=120)
    assert again.returncode == 0, again.stderr
    assert "screening" in (home / "decision.md").read_text(encoding="utf-8")


def test_clone_with_overrides_runs_on_the_queue_from_the_source_table(remote_run, tmp_path):
    server, env, source_id = remote_run["server"], remote_run["env"], remote_run["queued"]["id"]
    accurate = write_preset(tmp_path / "accurate.toml", priority="accuracy", models=["linear"])
    cloned = cli(env, "--clone", source_id, "--preset", accurate, "--seed", "7", "--remote", "default")
    assert cloned.returncode == 0, cloned.stderr
    run_id = re.search(r"Run (\S+) is queued on 'default'", cloned.stdout).group(1)
    clone = the_task(server, f"run · {run_id}")
    assert clone["parent"] == source_id and clone["status"] == "queued"
    config = clone["configuration"]["automl-tui config"]["value"]
    assert 'priority = "accuracy"' in config and "seed = 7" in config and 'target = "species"' in config
    assert not [a for a in clone["execution"]["artifacts"] if a["key"] == "dataset"]  # read from its source
    agent = agent_execute(env, clone["id"])
    log, _ = agent.communicate(timeout=300)
    assert agent.returncode == 0, log[-3000:]
    assert the_task(server, f"run · {run_id}")["status"] == "completed"
    report = only_file(server, f"reporting %C2%B7 {run_id}", "00_report").decode()
    assert "- **Priority**: accuracy" in report and "`linear`" in report


def test_a_retrain_on_a_queue_is_a_clone_of_the_run_task_carrying_the_new_rows(remote_run, tmp_path):
    """`retrain --remote QUEUE` of a run made on a queue: a clone of its run task (its child in ClearML) with the
    new rows as its own table, run by an agent, brought home and compared here; the verdict is beside the run."""
    server, env, source = remote_run["server"], remote_run["env"], remote_run["queued"]
    champion = tmp_path / "runs" / remote_run["run_id"]
    shutil.copytree(remote_run["root"] / "runs" / remote_run["run_id"], champion)  # the other tests' folder stays
    new_rows = tmp_path / "penguins_2009.csv"
    new_rows.write_text(PENGUINS.read_text(encoding="utf-8"), encoding="utf-8")
    with agent_daemon(env, tmp_path / "daemon.log"):
        retrained = cli(env, "retrain", champion, new_rows, "--remote", "default", timeout=400)
    assert retrained.returncode == 0, retrained.stderr + (tmp_path / "daemon.log").read_text()[-3000:]
    (challenger,) = [p for p in (tmp_path / "runs").iterdir() if (p / "run.json").is_file() and p != champion]
    clone = the_task(server, f"run · {challenger.name}")
    assert clone["parent"] == source["id"] and clone["status"] == "completed"
    assert [a for a in clone["execution"]["artifacts"] if a["key"] == "dataset"]  # the new rows, not the source's
    assert "penguins_2009_learn" in clone["name"]  # its dataset key: the table it learned from
    kept = json.loads((challenger / "run.json").read_text(encoding="utf-8"))["champion"]
    assert kept["champion_run"] == str(champion) and kept["verdict"] in ("replace", "keep")
    (retrain,) = [
        t for t in server.tasks.values() if {f"run:{remote_run['run_id']}", "phase:retrain"} <= set(t["tags"])
    ]
    assert retrain["id"] in retrained.stdout


def test_clone_without_a_queue_runs_here_and_is_recorded(remote_run, tmp_path):
    server, env, source_id = remote_run["server"], remote_run["env"], remote_run["queued"]["id"]
    done = cli(env, "--clone", source_id, "--priority", "speed", "--max-trials", "0", "--out", tmp_path / "runs")
    assert done.returncode == 0, done.stderr
    (folder,) = [p for p in (tmp_path / "runs").iterdir() if p.name != "clone-tables"]
    config = (folder / "config.toml").read_text()
    assert 'priority = "speed"' in config and 'target = "species"' in config
    table = tmp_path / "runs" / "clone-tables" / source_id / "penguins.csv"
    assert table.read_bytes() == PENGUINS.read_bytes()  # the source's table, fetched from the server
    assert the_task(server, f"reporting · {folder.name}")["status"] == "completed"


def test_cancelling_a_remote_run_takes_it_off_the_queue(remote_run, tmp_path, monkeypatch):
    """Cancel in the wizard, before any agent took the run: it leaves the queue and is marked stopped."""
    from automl_tui_engine import config as config_mod
    from automl_tui_engine.clearml import remote
    from automl_tui_engine.errors import UserError

    server = remote_run["server"]
    sdk_in_this_process(environment(server, tmp_path / "home"), monkeypatch)
    config = config_mod.build(
        str(write_preset(tmp_path / "quick.toml")), {"data": PENGUINS, "target": "species", "out": tmp_path / "runs"}
    )
    cancel = threading.Event()
    cancel.set()  # pressed at once: the first look at the server sees it
    with pytest.raises(UserError, match="was cancelled: its task on ClearML is stopped"):
        remote.run_remote(config, "default", cancel=cancel)
    (stopped,) = [t for t in server.tasks.values() if t["status"] == "stopped"]
    assert stopped["name"].startswith("run · ") and stopped["status_message"] == "cancelled by the user"
    assert all(entry["task"] != stopped["id"] for entry in server.queue("default")["entries"])
    assert not (tmp_path / "runs").exists()


def test_clone_of_a_task_that_is_not_a_run(remote_run):
    server, env = remote_run["server"], remote_run["env"]
    (other,) = [t["id"] for t in server.tasks.values() if t["name"].startswith(f"linear · {remote_run['run_id']}")]
    server.tasks[other]["tags"] = [t for t in server.tasks[other]["tags"] if not t.startswith("run:")]
    done = cli(env, "--clone", other, "--remote", "default")
    assert done.returncode == 2 and "cannot be re-run by clone: ClearML does not have its table" in done.stderr
    # a task id the server does not have: our one line, none of the SDK's error lines before it
    missing = cli(env, "--clone", "0123456789abcdef0123456789abcdef")
    assert missing.returncode == 2 and missing.stderr.strip().splitlines() == [
        "ClearML has no task 0123456789abcdef0123456789abcdef. Copy the id from the task's page in the web app (or "
        "use the run task of a run enqueued with --remote)."
    ]


def test_an_agent_daemon_serving_the_queue_picks_the_run_up(tmp_path, server):
    """As in production: `clearml-agent daemon --queue default` polls the queue and runs what it finds."""
    if AGENT is None:
        pytest.skip("clearml-agent is installed by the test extra")
    env = environment(server, tmp_path / "home")
    preset = write_preset(tmp_path / "quick.toml")
    enqueued = cli(env, PENGUINS, "--preset", preset, "--target", "species", "--remote", "default")
    assert enqueued.returncode == 0, enqueued.stderr
    run_id = re.search(r"Run (\S+) is queued on 'default'", enqueued.stdout).group(1)
    with agent_daemon(env, tmp_path / "daemon.log"):
        deadline = time.monotonic() + 300
        while the_task(server, f"run · {run_id}")["status"] not in ("completed", "failed"):
            assert time.monotonic() < deadline, "the daemon did not run the queued task"
            time.sleep(0.5)
    assert the_task(server, f"run · {run_id}")["status"] == "completed"
    assert the_task(server, f"reporting · {run_id}")["status"] == "completed"
    assert server.queue("default")["entries"] == []


def test_a_run_whose_table_is_gone_from_the_file_server_fails_with_one_line(tmp_path, server):
    if AGENT is None:
        pytest.skip("clearml-agent is installed by the test extra")
    env = environment(server, tmp_path / "home")
    enqueued = cli(env, PENGUINS, "--preset", write_preset(tmp_path / "quick.toml"), "--remote", "default")
    assert enqueued.returncode == 0, enqueued.stderr
    run_id = re.search(r"Run (\S+) is queued on 'default'", enqueued.stdout).group(1)
    (table,) = [path for path in server.files if path.endswith("artifacts/dataset/penguins.csv")]
    del server.files[table]  # as when the file server was wiped, or the file deleted, before an agent took the run
    task = the_task(server, f"run · {run_id}")
    agent = agent_execute(env, task["id"])
    log, _ = agent.communicate(timeout=300)
    said = "This run's table cannot be downloaded from ClearML (artifact 'dataset' of task"
    assert said in log and "Traceback" not in log, log[-3000:]
    task = the_task(server, f"run · {run_id}")
    # the reason heads the task's description in the web app (the agent keeps the status reason for its own)
    assert task["status"] == "failed" and task["comment"].startswith(f"automl-tui: {said}")
    assert task["status_reason"] == "worker execution exit code 3"
    # re-running it here meets the same: one line, exit 3, nothing half made
    again = cli(env, "--clone", task["id"], "--out", tmp_path / "runs")
    assert again.returncode == 3 and said in again.stderr and "Traceback" not in again.stderr
    assert not list((tmp_path / "runs").glob("2*"))


def test_an_unknown_queue_is_named_with_the_queues_there_are(tmp_path, server):
    env = environment(server, tmp_path / "home")
    done = cli(env, PENGUINS, "--target", "species", "--remote", "defualt")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "no queue 'defualt' (did you mean 'default'?); its queues: default." in done.stderr
    assert not any(t["name"].startswith("run · ") for t in server.tasks.values())  # nothing half-made


def test_remote_needs_a_server(tmp_path, server):
    env = {**environment(server, tmp_path / "home"), "CLEARML_OFFLINE_MODE": "1"}
    done = cli(env, PENGUINS, "--target", "species", "--remote", "default")
    assert done.returncode == 2 and "This needs the ClearML server, and CLEARML_OFFLINE_MODE is on" in done.stderr


def test_watch_an_unknown_run(tmp_path, server):
    done = cli(environment(server, tmp_path / "home"), "watch", "20990101-000000-abcdef")
    assert done.returncode == 2 and "no task tagged run:20990101-000000-abcdef" in done.stderr


async def test_the_wizard_lists_the_queues_enqueues_and_follows_the_run_to_its_decision(
    remote_run, tmp_path, monkeypatch
):
    """The wizard, in this process, with the real SDK: pick a queue, Start; an agent takes the run; the run
    screen shows its events as they reach the server, and the Decision Summary is the run's, brought home."""
    from test_wizard import SIZE, choose_option, on_step, until, walk_to_where
    from wizard_support import make_project, summary_shown, tapped

    from automl_tui.app import AutomlApp
    from automl_tui.screens.confirm import ConfirmScreen

    server = remote_run["server"]
    sdk_in_this_process(environment(server, tmp_path / "home"), monkeypatch)
    project = make_project(tmp_path)
    monkeypatch.chdir(project)
    seen: list[str] = []

    before = set(server.tasks)
    app = AutomlApp(start_dir=project, out=project / "runs", launch=tapped(lambda event: seen.append(event.kind)))
    agent = None
    try:
        async with app.run_test(size=SIZE) as pilot:
            await walk_to_where(pilot, app, "presets/quick.toml")
            await choose_option(pilot, "queue:default")
            await until(pilot, on_step(app, ConfirmScreen))
            assert "--remote default" in str(app.screen.query_one("#command").render())
            await pilot.press("enter")

            def queued_run():
                return next((t for i, t in server.tasks.items() if i not in before and t["status"] == "queued"), None)

            await until(pilot, lambda: queued_run() is not None, timeout=60)
            agent = agent_execute(environment(server, tmp_path / "home"), queued_run()["id"])
            await until(pilot, lambda: summary_shown(app), timeout=240)
            decision = app.screen
            await until(pilot, lambda: decision.query("#headline"))
            headline = str(decision.query_one("#headline").render())
    finally:
        if agent is not None:
            agent.communicate(timeout=120)
            agent.kill()
    assert "Recommended: " in headline
    assert seen.count("candidate_finished") == 2 and seen[-1] == "run_finished"
    (run_dir,) = (project / "runs").iterdir()  # the agent's run folder, brought home under the run's id
    assert (run_dir / "report.md").read_text(encoding="utf-8").startswith(f"# automl-tui report · {run_dir.name}")
    assert (run_dir / "model.joblib").is_file()
