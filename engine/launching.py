"""Where a run happens, decided in one place for every face: here (in this process, or in a child process so that
Cancel stops a model mid-training), on a ClearML queue's agent (followed to the end, or only enqueued), as a
ClearML pipeline whose steps the queue's agents share, or as a re-run of a ClearML run or template by clone.

`launch(config, where)` gives a RunHandle: `result(on_event)` runs or follows the run to its end in the calling
thread, handing each event to `on_event` as it happens; `cancel()`, from any thread, stops it and keeps what
finished. The command line, the wizard and any later face read the outcome the same way: a RunResult (a run here),
a RemoteResult (a run brought home from an agent or a pipeline), or an Enqueued (a run left to its queue)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from automl_tui_engine.config import RunConfig, build_from
from automl_tui_engine.errors import UserError
from automl_tui_engine.events import Event
from automl_tui_engine.messages import t
from automl_tui_engine.naming import RUNS_FOLDER

if TYPE_CHECKING:
    from automl_tui_engine.clearml.remote import Enqueued, RemoteResult, Source
    from automl_tui_engine.runner import RunResult

    Outcome = RunResult | RemoteResult | Enqueued

OnEvent = Callable[[Event], None]


class Runner(Protocol):
    """What runs a run where it was launched: engine.run's call (tests give stand-ins of their own)."""

    def __call__(self, config: RunConfig, on_event: OnEvent | None = None, cancel: Any = None) -> Outcome: ...


@dataclass(frozen=True)
class Where:
    """Where a run happens (the module's docstring). `queue` "" is here; `source` is the ClearML run a re-run
    clones (rerun_config finds it); `follow` False leaves a queued run to its agent; `child_process` runs here in
    a child process (the wizard: its Cancel stops a model mid-training, and the SDK's hooks stay off its screen)."""

    queue: str = ""
    pipeline: bool = False
    source: Source | None = None
    follow: bool = True
    child_process: bool = False

    def __post_init__(self) -> None:
        self.check(self.queue, self.pipeline, cloned=self.source is not None)

    @staticmethod
    def check(queue: str, pipeline: bool, cloned: bool) -> None:
        """A pipeline's steps share a queue's agents, and a re-run by clone is one task: refused before anything
        is asked of a server (a face may check before it has found the run to clone)."""
        if pipeline and (cloned or not queue):
            raise UserError("cli.pipeline_needs_remote")


class RunHandle:
    """A launched run (the module's docstring)."""

    def __init__(self, runner: Runner, config: RunConfig) -> None:
        self.config = config
        self._runner = runner
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def result(self, on_event: OnEvent | None = None) -> Outcome:
        return self._runner(self.config, on_event=on_event, cancel=self._cancel)


def launch(config: RunConfig, where: Where = Where(), since: float | None = None) -> RunHandle:
    """The run of `config` at `where`; `since` (epoch seconds): when the command began, counted in a run here's
    budget."""
    return RunHandle(_runner(where, since), config)


def _runner(where: Where, since: float | None) -> Runner:
    # each branch imports what only it needs: the ClearML SDK and its server checks only for runs that use them
    if where.pipeline and where.child_process:
        from automl_tui_engine.child_run import run_in_child

        return lambda config, on_event=None, cancel=None: run_in_child(config, on_event, cancel, where.queue)
    if where.pipeline:
        return lambda config, on_event=None, cancel=None: _pipeline_here(config, where.queue, on_event)
    if where.queue:
        from automl_tui_engine.clearml import remote

        if not where.follow:
            return lambda config, on_event=None, cancel=None: (
                remote.enqueue_clone(where.source, config, where.queue)
                if where.source
                else remote.enqueue(config, where.queue)
            )
        return lambda config, on_event=None, cancel=None: remote.run_remote(
            config, where.queue, on_event, cancel, source=where.source
        )
    if where.child_process:
        from automl_tui_engine.child_run import run_in_child

        return lambda config, on_event=None, cancel=None: run_in_child(config, on_event, cancel)
    from automl_tui_engine import run

    return lambda config, on_event=None, cancel=None: run(config, on_event, cancel, since=since)


def _pipeline_here(config: RunConfig, queue: str, on_event: OnEvent | None) -> RemoteResult:
    """The pipeline's controller in this process (Ctrl+C stops its steps), its run folder brought home."""
    from automl_tui_engine.clearml.pipeline import run_pipeline
    from automl_tui_engine.clearml.remote import RemoteResult
    from automl_tui_engine.outputs import rundir

    run_dir = run_pipeline(config, queue, on_event or (lambda event: None))
    status = rundir.RunFolder(run_dir).read_json(rundir.RUN_JSON).get("status", "finished")
    return RemoteResult(run_id=run_dir.name, run_dir=str(run_dir), status=status)


def rerun_config(
    task_or_template: str, preset: str | None, overrides: dict[str, Any], queue: str
) -> tuple[RunConfig, Source]:
    """A re-run of a ClearML run (its task id, or a template's name): its config, then the preset given (if any),
    then `overrides`; with the source to clone on `queue`, or, with no queue, the table downloaded to run here,
    recorded in ClearML like the run it repeats."""
    from automl_tui_engine.clearml import remote, templates

    if overrides.get("data") is not None:
        raise UserError("clone.data_and_clone")
    overrides = {key: value for key, value in overrides.items() if key != "data"}
    task_id = task_or_template if remote.TASK_ID.fullmatch(task_or_template) else templates.task_of(task_or_template)
    source = remote.clone_source(task_id)
    values = source.rerun_values(preset)
    named = t("config.source_task", task_id=task_id)
    if queue:
        return build_from(values, named, overrides), source
    table = source.table_in(Path(overrides.get("out") or RUNS_FOLDER))
    return build_from(values, named, {**overrides, "data": table, "clearml": {"enabled": True}}), source
