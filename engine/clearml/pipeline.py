"""Pipeline fan-out (`--remote QUEUE --pipeline`): several agents share one run.

A ClearML PipelineController, running in the command, puts the run's steps on the queue: `preprocessing` (the checks
every run makes before it fits anything: table, target, task, metric, split), then one `training_<family>` step per
model family (in parallel when several agents serve the queue), then `reporting`. A family step is an `engine.run`
limited to that family (its defaults and tuning; its pick for the run's priority refit and tested); the reporting
step compares the families' picks with the same decision rule, keeps the winner's model and charts, lists every
candidate tried and every step that failed (in the report's missing artifacts), and writes the report. The run folder
comes back to the command.

Each step's result is checked, never assumed: a step returns its outcome as JSON text (ClearML keeps a step's text
return value as a parameter and passes it to later steps as a string), preprocessing's is read before any training
step starts, and a family step that fails, or crashes, still reaches the reporting step, which says so.

What differs from a run on one machine: the recommendation is made among the families' picks (each family's
candidates were compared on its own agent), and there is no ensemble across families.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from automl_tui_engine.clearml.pipeline_agent import (
    OUTCOME,
    PREPROCESSING_STEP,
    REPORTING_STEP,
    outcome_of,
    step_name,
)
from automl_tui_engine.errors import UserError
from automl_tui_engine.naming import PIPELINE_PHASE, task_name
from automl_tui_engine.outputs import run_record, rundir

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


def run_pipeline(config: Any, queue: str, on_step: Callable[[str, str], None] | None = None) -> Path:
    """Run `config` as a pipeline whose steps go to `queue`; the controller runs here until the reporting step
    ends (`on_step(step, status)` hears each step's changes). Returns the run folder, copied into `config.out`."""
    from automl_tui_engine.clearml import remote, sdk
    from automl_tui_engine.clearml.pipeline_steps import preprocessing_step, reporting_step, training_step
    from automl_tui_engine.naming import dataset_key, tags
    from clearml import PipelineController, Task

    sdk.connect()
    remote.require_queue(queue)
    holder, run_id = remote.create_run_task(config)
    key = dataset_key(Path(config.data))
    families = list(config.models)
    refused: list[str] = []

    def preprocessing_passed(pipeline: Any, node: Any, parameters: dict) -> bool:
        """Before each training step: the table passed preprocessing (read once), else no agent trains on it."""
        if not refused:
            step = pipeline.get_pipeline_dag()[PREPROCESSING_STEP]
            outcome = outcome_of(Task.get_task(task_id=step.executed))
            refused.append("" if outcome.get("status") == "ok" else outcome.get("reason", "no outcome"))
        return not refused[0]

    def step_changed(pipeline: Any, node: Any, previous: str) -> None:
        if on_step is not None:
            on_step(node.name, node.status)

    def named(step: str, phase: str) -> dict[str, Any]:
        """What every step has: the queue, its outcome, its name and tags by the naming rules."""
        return {
            "name": step,
            "task_name": task_name(step, run_id),
            "tags": tags(run_id, key, phase),
            "execution_queue": queue,
            "function_return": [OUTCOME],
            "status_change_callback": step_changed,
        }

    with sdk.quiet():
        pipe = PipelineController(
            name=task_name(PIPELINE_PHASE, run_id),
            project=f"{config.clearml.project}/{key}",
            version="1.0.0",
            add_pipeline_tags=False,
            pool_frequency=POLL_MINUTES,
        )
        pipe.add_tags(tags(run_id, key, PIPELINE_PHASE))
        pipe.add_function_step(
            function=preprocessing_step,
            function_kwargs={"run_task": holder.id},
            **named(PREPROCESSING_STEP, "preprocessing"),
        )
        for family in families:
            pipe.add_function_step(
                parents=[PREPROCESSING_STEP],
                function=training_step,
                # the preprocessing outcome reaches the step as text: the target and task it settled
                function_kwargs={"run_task": holder.id, "family": family, "prepared": "${preprocessing.outcome}"},
                pre_execute_callback=preprocessing_passed,
                continue_behaviour=REACH_REPORTING,
                **named(step_name(family), "training"),
            )
        pipe.add_function_step(
            parents=[step_name(family) for family in families],
            function=reporting_step,
            # the controller fills in each step's task id inside this JSON text
            function_kwargs={
                "run_task": holder.id,
                "steps": json.dumps({family: "${" + step_name(family) + ".id}" for family in families}),
                "prepared": "${preprocessing.outcome}",
            },
            **named(REPORTING_STEP, "reporting"),
        )
        try:
            pipe.start_locally(run_pipeline_steps_locally=False)
        except KeyboardInterrupt:
            pipe.stop(mark_aborted=True)  # no further step starts
            if on_step is not None:
                on_step(PIPELINE_PHASE, "stopping")
            # the controller aborts its steps by the status it last saw: stop each one still on a queue or an agent
            remote.stop_tasks([node.job.task_id() for node in pipe.get_pipeline_dag().values() if node.job])
            raise
    if refused and refused[0]:
        raise UserError("pipeline.refused", run_id=run_id, reason=refused[0])
    reporting = pipe.get_pipeline_dag()[REPORTING_STEP]
    if not reporting.executed or reporting.status != "completed":
        stopped = [name for name, node in pipe.get_pipeline_dag().items() if node.status in ("failed", "aborted")]
        raise UserError("pipeline.failed", run_id=run_id, steps=", ".join(stopped) or REPORTING_STEP)
    return at_home(remote.download_run_folder(reporting.executed, Path(config.out) / run_id), config)


def at_home(run_dir: Path, config: Any) -> Path:
    """The run folder, written on an agent, made this machine's: its config and report name the user's table and
    folder (so the report's "Reproduce" commands work here)."""
    import tomllib

    from automl_tui_engine.config import to_toml, validate
    from automl_tui_engine.outputs import report

    here = {"data": str(Path(config.data).resolve()), "out": str(Path(config.out))}
    effective = tomllib.loads((run_dir / rundir.CONFIG).read_text(encoding="utf-8"))
    rundir.write_atomic(run_dir / rundir.CONFIG, to_toml(validate({**effective, **here}, str(run_dir))))
    run_record.amend(run_dir, config={**rundir.RunFolder(run_dir).read_json(rundir.RUN_JSON).get("config", {}), **here})
    report.write(run_dir)
    return run_dir
