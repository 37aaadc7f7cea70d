"""Runs on other machines, through a ClearML queue: the client side.

`enqueue` makes a task "run · <run_id> · <dataset_key>" that carries everything the run needs (the effective config as a
configuration object, the table as an artifact, the run_id as a parameter) and puts it on a queue, where a
clearml-agent runs it (clearml/agent.py). This module also clones runs, follows one live to its folder, and stops
them.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from automl_tui_engine.errors import SourceGone, UserError
from automl_tui_engine.naming import RUN_PHASE, phase_tag, tag_value, task_name
from automl_tui_engine.outputs import run_record

if TYPE_CHECKING:  # the SDK and the config load with what needs them, not with the module
    from automl_tui_engine.config import RunConfig
    from automl_tui_engine.context import Asked
    from automl_tui_engine.events import Event
    from clearml import Task

CONFIG_NAME = "automl-tui config"
RUN_ID_PARAM = "automl-tui/run_id"
DATA_NAME_PARAM = "automl-tui/data_name"
DATASET_TASK_PARAM = "automl-tui/dataset_task"  # the task whose artifact is the table (a clone's source)
DATASET_ARTIFACT = "dataset"
RUN_FOLDER_ARTIFACT = "run_folder"
EVENTS_ARTIFACT = "events"  # a pipeline step's run events on their own: small, for the live leaderboard
ENTRY_MODULE = "automl_tui_engine.clearml.agent"  # what an agent runs: clearml/agent.py
TASK_ID = re.compile(r"[0-9a-f]{32}")  # how a ClearML server writes a task's id


@dataclass(frozen=True)
class Enqueued:
    run_id: str
    task_id: str
    queue: str
    link: str


def queues() -> list[str]:
    """The names of the server's queues, for the wizard's "where to run" step."""
    from automl_tui_engine.clearml_tracking import sdk

    sdk.connect()
    from clearml.backend_api.session.client import APIClient

    return sorted(queue.name for queue in _listed(APIClient().queues.get_all) if queue.name)


def queue_agents() -> dict[str, int]:
    """Each queue of the server with how many agents serve it now, for the wizard's "where to run" step (a pipeline
    shares a run between that many)."""
    from automl_tui_engine.clearml_tracking import sdk

    sdk.connect()
    from clearml.backend_api.session.client import APIClient

    client = APIClient()
    serving = [queue.name for worker in _listed(client.workers.get_all) for queue in worker.queues or []]
    named = [queue for queue in _listed(client.queues.get_all) if queue.name]
    return {queue.name: serving.count(queue.name) for queue in sorted(named, key=lambda q: q.name)}


def _listed(get_all: Callable[[], Any]) -> list[Any]:
    """What a `get_all` call lists; [] when the server left the list out (one without workers answers
    workers.get_all without `workers`, which the SDK's client cannot iterate)."""
    try:
        return list(get_all() or [])
    except TypeError:
        return []


def require_queue(name: str) -> None:
    known = queues()
    if name not in known:
        from automl_tui_engine.messages import suggest

        raise UserError("remote.unknown_queue", queue=name, known=", ".join(known) or "-", hint=suggest(name, known))


def enqueue(config: RunConfig, queue: str) -> Enqueued:
    """Put the run described by `config` on `queue`; returns at once with the run's name and where to see it."""
    from automl_tui_engine.clearml_tracking import sdk

    Task = sdk.connect()
    require_queue(queue)
    task, run_id = create_run_task(config)
    Task.enqueue(task, queue_name=queue)
    return Enqueued(run_id=run_id, task_id=task.id, queue=queue, link=sdk.web_link(task))


def create_run_task(config: RunConfig, name: Callable[[str], str] | None = None) -> tuple[Task, str]:
    """(the task "run · <run_id> · <dataset_key>" carrying the config and the table, the run_id): what an agent,
    or the steps of a pipeline, read the run from. A template task is made the same way, named by `name(key)`."""
    from automl_tui_engine.clearml_tracking import sdk
    from automl_tui_engine.naming import dataset_key, new_run_id
    from clearml import Task

    if config.data is None or not Path(config.data).is_file():
        raise UserError("remote.no_data", path=config.data)
    run_id, key = new_run_id(), dataset_key(Path(config.data))
    with sdk.quiet():
        task = Task.create(
            project_name=f"{config.clearml.project}/{key}",
            task_name=name(key) if name else task_name(RUN_PHASE, run_id, key),
            task_type="controller",
            module=ENTRY_MODULE,
            add_task_init_call=False,
            detect_repository=False,
        )
    task.upload_artifact(DATASET_ARTIFACT, artifact_object=str(config.data), wait_on_upload=True)
    _describe_run(task, config, run_id, key, Path(config.data).name, dataset_task=task.id)
    return task, run_id


def _describe_run(task: Task, config: RunConfig, run_id: str, key: str, data_name: str, dataset_task: str) -> None:
    """What the agent reads: the config, the run's name, and where the table is (and under which file name: the
    dataset_key, name + content hash, must be the same on the agent). The language the run was started in goes
    with it: an agent's machine has its own locale, and the report is for the person who started the run."""
    from automl_tui_engine.config import to_toml
    from automl_tui_engine.messages import language
    from automl_tui_engine.naming import tags

    task.set_tags(tags(run_id, key, RUN_PHASE))
    spoken = config.model_copy(update={"lang": config.lang or language()})
    task.set_configuration_object(CONFIG_NAME, config_text=to_toml(spoken), config_type="toml")
    task.set_parameters(
        {RUN_ID_PARAM: run_id, DATA_NAME_PARAM: data_name, DATASET_TASK_PARAM: dataset_task},
    )


@dataclass(frozen=True)
class Source:
    """A run to re-run: its run task (or a template task made like one), its config, and where its table is."""

    task: Any
    values: dict[str, Any]
    data_name: str
    dataset_task: str
    dataset_key: str

    def rerun_values(self, preset: str | None = None) -> dict[str, Any]:
        """What a re-run starts from: the run's config less its table, folder and language (the re-run speaks its
        own user's), then `preset` (if given) over it. A preset's order to re-run a template is carried out by this
        re-run: what it makes is a run."""
        values = {key: value for key, value in self.values.items() if key not in ("data", "out", "lang")}
        if preset:
            from automl_tui_engine.config import read_preset

            name, preset_values = read_preset(preset)
            values = {**values, **preset_values, "preset": name}
        clearml = values.get("clearml", {})
        values["clearml"] = {key: value for key, value in clearml.items() if key not in ("execution_mode", "template")}
        return values

    def table_in(self, out: Path) -> Path:
        """The run's table, downloaded beside the runs in `out` (a re-run here reads it from there)."""
        return fetch_table(self.dataset_task, self.data_name, Path(out) / "clone-tables" / self.task.id)


def clone_source(task_id: str) -> Source:
    """The run behind `task_id`: a run task, a template task with a config and a table, or any task of a run
    enqueued with --remote (its run task is found by the run: tag)."""
    from automl_tui_engine.clearml_tracking import sdk

    Task = sdk.connect()
    try:
        with sdk.our_words():
            task = Task.get_task(task_id=task_id)
    except ValueError:
        raise UserError("clone.unknown_task", task_id=task_id) from None
    if task.get_configuration_object(CONFIG_NAME) is None:
        run_id = tag_value(task.get_tags(), "run")
        runs = Task.get_tasks(tags=[f"run:{run_id}", phase_tag(RUN_PHASE)]) if run_id else []
        if not runs:
            raise UserError("clone.not_a_run", task_id=task_id)
        task = runs[0]
    values = tomllib.loads(task.get_configuration_object(CONFIG_NAME) or "")
    params = task.get_parameters() or {}
    key = tag_value(task.get_tags(), "dataset")
    return Source(
        task=task,
        values=values,
        data_name=str(params.get(DATA_NAME_PARAM) or Path(str(values.get("data", "data.csv"))).name),
        dataset_task=str(params.get(DATASET_TASK_PARAM) or task.id),
        dataset_key=key,
    )


def fetch_table(dataset_task: str, data_name: str, folder: Path) -> Path:
    """The run's table, downloaded into `folder` under its own file name."""
    from automl_tui_engine.clearml_tracking import sdk
    from clearml import Task

    try:
        with sdk.our_words():
            owner = Task.get_task(task_id=dataset_task)
    except ValueError:  # the SDK's word for a task the server does not have
        raise SourceGone("remote.table_task_gone", task_id=dataset_task) from None
    if DATASET_ARTIFACT not in owner.artifacts:
        raise UserError("clone.no_table", task_id=dataset_task)
    artifact = owner.artifacts[DATASET_ARTIFACT]
    downloaded = artifact.get_local_copy(raise_on_error=False)
    if downloaded is None:  # the SDK logs why (gone from the file server, unreachable) and returns nothing
        raise SourceGone("remote.table_gone", task_id=dataset_task, uri=artifact.url)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / Path(data_name).name
    shutil.copyfile(downloaded, path)
    return path


def enqueue_clone(source: Source, config: RunConfig, queue: str) -> Enqueued:
    """The ClearML way of re-running: a clone of the run task (its parent), with the new config, on `queue`. The
    table is not uploaded again: the clone reads it from the task that has it, unless `config` names a table of
    its own (a retrain's new rows), which the clone then carries."""
    from automl_tui_engine.clearml_tracking import sdk
    from automl_tui_engine.naming import dataset_key, new_run_id

    Task = sdk.connect()
    require_queue(queue)
    run_id = new_run_id()
    table = Path(config.data) if config.data is not None else None
    key = dataset_key(table) if table is not None else source.dataset_key
    with sdk.quiet():
        task = Task.clone(source_task=source.task, name=task_name(RUN_PHASE, run_id, key), parent=source.task.id)
    if table is None:
        _describe_run(task, config, run_id, key, source.data_name, source.dataset_task)
    else:
        task.upload_artifact(DATASET_ARTIFACT, artifact_object=str(table), wait_on_upload=True)
        _describe_run(task, config, run_id, key, table.name, dataset_task=task.id)
    Task.enqueue(task, queue_name=queue)
    return Enqueued(run_id=run_id, task_id=task.id, queue=queue, link=sdk.web_link(task))


@dataclass(frozen=True)
class RemoteResult:
    run_id: str
    run_dir: str  # the run folder, downloaded from the run task once the agent is done
    status: str


def run_remote(
    config: RunConfig,
    queue: str,
    on_event: Callable[[Event], None] | None = None,
    cancel: Asked | None = None,
    source: Source | None = None,
) -> RemoteResult:
    """`engine.run` on an agent (of `config`, or as a clone of `source` with `config`): enqueue, pass on the run's
    events as they reach the server, then bring the run folder home, so whoever called it shows the run as a local
    one. Cancel stops the remote task (a UserError says so: what finished stays in the run's ClearML tasks)."""
    from automl_tui_engine.clearml.follow import follow

    enqueued = enqueue_clone(source, config, queue) if source else enqueue(config, queue)
    followed = follow(enqueued.run_id, on_event or (lambda event: None), poll_s=1.0, cancel=cancel)
    if followed.status in ("failed", "stopped"):
        raise UserError("watch.given_up", run_id=enqueued.run_id, status=followed.status, message=followed.message)
    if cancel is not None and cancel.is_set():
        stop_tasks([enqueued.task_id])
        raise UserError("remote.cancelled", run_id=enqueued.run_id)
    run_dir = download_run_folder(enqueued.task_id, Path(config.out) / enqueued.run_id)
    return RemoteResult(run_id=enqueued.run_id, run_dir=str(run_dir), status=followed.status)


def stop_task(task_id: str) -> bool:
    """A queued task leaves its queue (no agent takes it later); a running one is marked stopped, which its agent
    sees and ends; one that has ended keeps its status. Returns whether the task was still queued or running."""
    from clearml import Task

    task = Task.get_task(task_id=task_id)
    status = str(task.get_status())
    if status == "queued":
        Task.dequeue(task)
    elif status != "in_progress":
        return False
    task.mark_stopped(force=True, status_message="cancelled by the user")
    return True


def stop_tasks(task_ids: list[str], quiet_s: float = 10.0, poll_s: float = 1.0, wait_s: float = 60.0) -> None:
    """Stop the tasks and keep them stopped: an agent that took one off its queue a moment before starts it anyway,
    and its script marks it started again a few seconds later; so they are looked at until none has come back
    for `quiet_s`."""
    import time

    deadline = time.monotonic() + wait_s
    calm_since = time.monotonic()
    while time.monotonic() < deadline:
        still_live = [stop_task(task_id) for task_id in task_ids]  # every task looked at, each round
        if any(still_live):
            calm_since = time.monotonic()
        elif time.monotonic() - calm_since >= quiet_s:
            return
        time.sleep(poll_s)


def download_run_folder(task_id: str, destination: Path, wait_s: float = 120.0, poll_s: float = 1.0) -> Path:
    """The run folder the agent uploaded, copied to `destination` (the agent uploads it after the report, so
    this waits for the run task to end)."""
    import time

    from clearml import Task

    task = Task.get_task(task_id=task_id)
    deadline = time.monotonic() + wait_s
    while str(task.get_status()) not in ("completed", "failed", "stopped", "closed", "published"):
        if time.monotonic() > deadline:
            raise UserError("remote.no_run_folder", task_id=task_id)
        time.sleep(poll_s)
        task.reload()
    folder = uploaded_run_folder(task)
    if folder is None:
        raise UserError("remote.no_run_folder", task_id=task_id)
    shutil.copytree(folder, destination)
    run_record.adopt(destination)  # this user's own run, made on their agent: its model loads here without asking
    return destination


def bring_home(task_id: str, destination: Path) -> Path | None:
    """The run folder `task_id` uploaded (a run on an agent, a pipeline's reporting step), copied to `destination`
    unless it is there already (watched before); None when the task has no run folder to give."""
    from automl_tui_engine.clearml_tracking import sdk
    from automl_tui_engine.errors import ServerGone
    from automl_tui_engine.outputs.rundir import RUN_JSON

    if (destination / RUN_JSON).is_file():
        return destination
    gone = ServerGone("watch.server_gone", run_id=destination.name)
    try:
        return sdk.while_answering(lambda: download_run_folder(task_id, destination), gone)
    except ServerGone:
        raise
    except UserError:
        return None


def uploaded_run_folder(task: Task) -> Path | None:
    """The run folder a task uploaded, unpacked here; None when it has none or the file server no longer does."""
    return _local_copy(task, RUN_FOLDER_ARTIFACT)


def _local_copy(task: Task, artifact: str) -> Path | None:
    """A task's artifact, here; None when it has none or the file server cannot give it (the SDK says why)."""
    if artifact not in task.artifacts:
        return None
    local = task.artifacts[artifact].get_local_copy(raise_on_error=False)
    return Path(local) if local is not None else None


def read_run(task: Task) -> tuple[dict[str, Any], str, Path]:
    """(config values pointing at a local copy of the table, run_id, a work folder) from a run task."""
    run_id = str(task.get_parameter(RUN_ID_PARAM))
    values = tomllib.loads(task.get_configuration_object(CONFIG_NAME) or "")
    work = Path(tempfile.mkdtemp(prefix=f"automl-tui-{run_id}-"))
    # under its own name (the SDK's cached copy has a hash in its name), so the dataset_key is the user's
    data = fetch_table(
        str(task.get_parameter(DATASET_TASK_PARAM) or task.id), str(task.get_parameter(DATA_NAME_PARAM)), work
    )
    values.update(data=str(data), out=str(work))
    return values, run_id, work


def uploaded_events(task: Task) -> list[dict[str, Any]]:
    """The run events a task uploaded (EVENTS_ARTIFACT); [] when it has none or the file server cannot give them."""
    from automl_tui_engine.outputs.rundir import read_events

    local = _local_copy(task, EVENTS_ARTIFACT)
    return read_events(local) if local else []
