"""Pipeline fan-out (`--remote QUEUE --pipeline`): several agents share one run.

A ClearML PipelineController, running in the command, puts the run's steps on the queue: `preprocessing` (the checks
every run makes before it fits anything: table, target, task, metric, split), then one `training_<family>` step per
model family (in parallel when several agents serve the queue), then `reporting`. A family step is that family's
search alone (runner.search_alone: its first forms and tuning); the reporting step finishes the families' searches as
one run, through the code a run on one machine finishes with (runner.Run.finish: the decision over every candidate,
the pick trained for keeps, tested and explained, the charts and the report), listing every step that failed among
the missing artifacts. The run folder comes back to the command, which shows each family's candidates as soon as
its step ends (the step uploads its events beside its run folder), so the live leaderboard follows the families.

Each step's result is checked, never assumed: a step returns its outcome as JSON text (ClearML keeps a step's text
return value as a parameter and passes it to later steps as a string), preprocessing's is read before any training
step starts, and a family step that fails, or crashes, still reaches the reporting step, which says so.

What differs from a run on one machine: each family's tuning has its own budget and `max_trials`, and there is no
ensemble across families.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from automl_tui_engine import events as ev
from automl_tui_engine.clearml.pipeline_agent import (
    OUTCOME,
    PREPROCESSING_STEP,
    REPORTING_STEP,
    outcome_of,
    step_name,
)
from automl_tui_engine.errors import ServerGone, UserError
from automl_tui_engine.naming import PIPELINE_PHASE, task_name
from automl_tui_engine.outputs import run_record, rundir

if TYPE_CHECKING:  # the SDK and the config load with the pipeline, not with the module
    from automl_tui_engine.config import RunConfig
    from clearml import PipelineController

# what a family's step shows live as it ends: the run's start (once) and its candidates (once each)
SHOWN_LIVE = (ev.RunStarted.kind, ev.CandidateFinished.kind, ev.CandidateFailed.kind)
POLL_MINUTES = (
    0.05  # the controller looks at its steps every 3 s (with ClearML's default, 12 s, a run took minutes longer)
)
# a family step that fails or is aborted must not stop the run: the reporting step lists it
REACH_REPORTING = {
    "continue_on_fail": True,
    "continue_on_abort": True,
    "skip_children_on_fail": False,
    "skip_children_on_abort": False,
}


def run_pipeline(config: RunConfig, queue: str, on_event: Callable[[ev.Event], None]) -> Path:
    """Run `config` as a pipeline whose steps go to `queue`; the controller runs here until the reporting step
    ends. `on_event` hears each step's changes (events.StepChanged), then the run's own events, replayed from the
    run folder that came home (copied into `config.out`; returned). Ctrl+C stops it: no further step starts, the
    running ones are aborted."""
    from automl_tui_engine.clearml import remote
    from automl_tui_engine.clearml_tracking import sdk

    sdk.connect()
    remote.require_queue(queue)
    holder, run_id = remote.create_run_task(config)
    run = PipelineRun(config, queue, on_event, run_id, holder.id)
    gone = ServerGone("pipeline.server_gone", run_id=run_id)
    with sdk.quiet():
        pipe = run.controller()
        sdk.loggers_at(logging.ERROR)  # the controller's loggers warn of what is ours to say (its repository, …)
        try:
            # the controller runs here, its calls on a thread of their own: a server that stops answering ends it
            sdk.while_answering(lambda: pipe.start_locally(run_pipeline_steps_locally=False), gone)
        except KeyboardInterrupt:
            run.stop(pipe)
            holder.mark_stopped(force=True, status_message="cancelled by the user")
            raise
    try:
        reporting = run.reporting_task(pipe)
        folder = sdk.while_answering(lambda: remote.download_run_folder(reporting, run.run_dir), gone)
    except UserError as exc:
        holder.mark_stopped(force=True, status_message=str(exc)[:200])  # the run's task ends with the run
        raise
    holder.mark_completed(force=True, status_message="the pipeline's reporting step completed")
    run_dir = at_home(folder, config)
    for event in rundir.RunFolder(run_dir).read_events():
        run.pass_on(event)  # what the families' steps already showed is not shown twice
    return run_dir


class PipelineRun:
    """One pipeline run's controller: its steps (named and tagged by the naming rules) and how it ended."""

    def __init__(
        self, config: RunConfig, queue: str, on_event: Callable[[ev.Event], None], run_id: str, holder_id: str
    ) -> None:
        from automl_tui_engine.naming import dataset_key

        assert config.data is not None  # a run on agents carries its table (remote.create_run_task checked it)
        self.config, self.queue, self.on_event, self.run_id, self.holder_id = config, queue, on_event, run_id, holder_id
        self.key = dataset_key(Path(config.data))
        self.families = list(config.models)
        self.refused: str | None = None  # why preprocessing refused the table ("" when it passed); None: not read yet
        self.run_dir = Path(config.out) / run_id  # where the run folder comes home
        self.shown: set[tuple[str, str]] = set()  # (kind, model) of the run's events passed on so far

    def preprocessing_passed(
        self, pipeline: PipelineController, node: PipelineController.Node, parameters: dict[str, Any]
    ) -> bool:
        """Before each training step: the table passed preprocessing (read once), else no agent trains on it."""
        from clearml import Task

        if self.refused is None:
            step = pipeline.get_pipeline_dag()[PREPROCESSING_STEP]
            outcome = outcome_of(Task.get_task(task_id=step.executed))
            self.refused = "" if outcome.get("status") == "ok" else outcome.get("reason", "no outcome")
        return not self.refused

    def step_changed(self, step: str, status: str, task_id: str | None = None) -> None:
        self.on_event(ev.StepChanged(step=step, status=status))
        if status == "completed" and task_id and step in {step_name(family) for family in self.families}:
            self.show_family(task_id)

    def show_family(self, task_id: str) -> None:
        """A family's candidates on the live leaderboard as soon as its step ends (the events it uploaded); the run's
        own start first, once. When they cannot be had now, the leaderboard fills in when the run comes home."""
        from automl_tui_engine.clearml import remote
        from clearml import Task

        for event in remote.uploaded_events(Task.get_task(task_id=task_id)):
            if event["kind"] in SHOWN_LIVE:
                self.pass_on(event)

    def pass_on(self, event: dict[str, Any]) -> None:
        """One of the run's events to `on_event`, as the run's (its id and folder here), each candidate's once."""
        kind = event["kind"]
        model = event.get("model") or (event.get("row") or {}).get("model") or ""
        if kind in SHOWN_LIVE:
            if (kind, model) in self.shown:
                return
            self.shown.add((kind, model))
        if kind == ev.RunStarted.kind:  # a family's start stands for the run's: same table, folds and guessing
            candidates = list(dict.fromkeys([*event["candidates"], *self.families]))
            event = {**event, "run_id": self.run_id, "run_dir": str(self.run_dir), "candidates": candidates}
        self.on_event(ev.from_dict(event))

    def stop(self, pipe: PipelineController) -> None:
        """No further step starts, and each one still on a queue or an agent is stopped: the controller aborts its
        steps by the status it last saw."""
        from automl_tui_engine.clearml import remote

        pipe.stop(mark_aborted=True)
        self.step_changed(PIPELINE_PHASE, "stopping")
        remote.stop_tasks([node.job.task_id() for node in pipe.get_pipeline_dag().values() if node.job])

    def named(self, step: str, phase: str) -> dict[str, Any]:
        """What every step has: the queue, its outcome, its name and tags by the naming rules."""
        from automl_tui_engine.naming import tags

        return {
            "name": step,
            "task_name": task_name(step, self.run_id, self.key),
            "tags": tags(self.run_id, self.key, phase),
            "execution_queue": self.queue,
            "function_return": [OUTCOME],
            # the step's task: its job's (a step seen completed may not be marked executed until the next look)
            "status_change_callback": lambda pipeline, node, previous: self.step_changed(
                node.name, node.status, node.job.task_id() if node.job else node.executed
            ),
        }

    def controller(self) -> PipelineController:
        """The controller with its steps: preprocessing, one training step per family (in parallel), reporting."""
        from automl_tui_engine.clearml.pipeline_steps import preprocessing_step, reporting_step, training_step
        from automl_tui_engine.naming import tags
        from clearml import PipelineController

        pipe = PipelineController(
            name=task_name(PIPELINE_PHASE, self.run_id, self.key),
            project=f"{self.config.clearml.project}/{self.key}",
            version="1.0.0",
            add_pipeline_tags=False,
            pool_frequency=POLL_MINUTES,
        )
        pipe.add_tags(tags(self.run_id, self.key, PIPELINE_PHASE))
        pipe.add_function_step(
            function=preprocessing_step,
            function_kwargs={"run_task": self.holder_id},
            **self.named(PREPROCESSING_STEP, "preprocessing"),
        )
        for family in self.families:
            pipe.add_function_step(
                parents=[PREPROCESSING_STEP],
                function=training_step,
                # the preprocessing outcome reaches the step as text: the target and task it settled
                function_kwargs={"run_task": self.holder_id, "family": family, "prepared": "${preprocessing.outcome}"},
                pre_execute_callback=self.preprocessing_passed,
                continue_behaviour=REACH_REPORTING,
                **self.named(step_name(family), "training"),
            )
        pipe.add_function_step(
            parents=[step_name(family) for family in self.families],
            function=reporting_step,
            # the controller fills in each step's task id inside this JSON text
            function_kwargs={
                "run_task": self.holder_id,
                "steps": json.dumps({family: "${" + step_name(family) + ".id}" for family in self.families}),
                "prepared": "${preprocessing.outcome}",
            },
            **self.named(REPORTING_STEP, "reporting"),
        )
        return pipe

    def reporting_task(self, pipe: PipelineController) -> str:
        """The id of the reporting step that completed; else why the run ended without a report, as a UserError."""
        if self.refused:
            raise UserError("pipeline.refused", run_id=self.run_id, reason=self.refused)
        reporting = pipe.get_pipeline_dag()[REPORTING_STEP]
        if not reporting.executed or reporting.status != "completed":
            stopped = [name for name, node in pipe.get_pipeline_dag().items() if node.status in ("failed", "aborted")]
            raise UserError("pipeline.failed", run_id=self.run_id, steps=", ".join(stopped) or REPORTING_STEP)
        return reporting.executed


def at_home(run_dir: Path, config: RunConfig) -> Path:
    """The run folder, written on an agent, made this machine's: its config and report name the user's table and
    folder (so the report's "Reproduce" commands work here)."""
    import tomllib

    from automl_tui_engine.config import build_from, to_toml
    from automl_tui_engine.outputs import report

    assert config.data is not None  # the pipeline ran on this table
    here = {"data": str(Path(config.data).resolve()), "out": str(Path(config.out))}
    effective = tomllib.loads((run_dir / rundir.CONFIG).read_text(encoding="utf-8"))
    rundir.write_atomic(run_dir / rundir.CONFIG, to_toml(build_from({**effective, **here}, str(run_dir))))
    run_record.amend(run_dir, config={**rundir.RunFolder(run_dir).read_json(rundir.RUN_JSON).get("config", {}), **here})
    report.write(run_dir)
    return run_dir
