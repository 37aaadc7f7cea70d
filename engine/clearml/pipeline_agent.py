"""What a pipeline's steps do on their agents (clearml/pipeline.py is the controller that starts them): check the
table once, search one model family, and finish the families' searches as the run's own, whose report the
reporting step keeps. The step functions ClearML copies (clearml/pipeline_steps.py) call these.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from automl_tui_engine.errors import UserError
from automl_tui_engine.messages import t
from automl_tui_engine.outputs import rundir

PREPROCESSING_STEP = "preprocessing"
REPORTING_STEP = "reporting"
OUTCOME = "outcome"
OUTCOME_PARAMETER = f"return/{OUTCOME}"  # where ClearML keeps a function step's text return value


def step_name(family: str) -> str:
    return f"training_{family}"


def outcome_of(task: Any) -> dict[str, Any]:
    """What a step returned (its outcome, JSON text), or {} when it returned nothing."""
    text = task.get_parameters(cast=False).get(OUTCOME_PARAMETER)
    return json.loads(text) if text else {}


def _values_of(run_task: str) -> tuple[dict[str, Any], str]:
    from automl_tui_engine.clearml import remote
    from clearml import Task

    values, run_id, _ = remote.read_run(Task.get_task(task_id=run_task))
    return values, run_id


def prepare_table(run_task: str) -> str:
    """The preprocessing step: the run's table checked once, before any agent trains on it."""
    try:
        values = _values_of(run_task)[0]
    except UserError as exc:  # its table is gone from the server: the pipeline stops here, saying why
        return json.dumps({"status": "failed", "reason": str(exc)})
    return check_table(values)


def check_table(values: dict[str, Any]) -> str:
    """The outcome of the checks a run makes before fitting (JSON text): what they settled, or why the table
    cannot be used."""
    from automl_tui_engine.config import build_from
    from automl_tui_engine.preparing import prepare

    try:
        prepared = prepare(build_from(values, "the run task"))
    except UserError as exc:
        return json.dumps({"status": "failed", "reason": str(exc)})
    dataset = prepared.dataset
    from automl_tui_engine.clearml_tracking.task_items import publish_data_charts
    from clearml import Task

    step = Task.current_task()
    if step is not None:  # the preprocessing step shows the table as a tracked run's preprocessing task does
        publish_data_charts(step, dataset.summary())
    return json.dumps(
        {
            "status": "ok",
            "target": dataset.target,
            "task": dataset.task,
            "primary_metric": prepared.primary.name,
            "rows": len(dataset.y),
            "train_rows": len(prepared.folds.y_train),
            "test_rows": len(prepared.folds.y_test),
            "families": [spec.name for spec in prepared.specs],
            "warnings": [*dataset.warnings, *prepared.folds.warnings],
        }
    )


def train_family(run_task: str, family: str, prepared: str) -> str:
    """A training step: the family's search (its candidates, not the decision: the reporting step makes that
    over every family's), its run folder kept on this step's task. A failure is returned, not raised, so the
    reporting step still runs and lists it."""
    from automl_tui_engine.clearml import remote
    from automl_tui_engine.config import build_from
    from automl_tui_engine.errors import one_line
    from automl_tui_engine.runner import search_alone
    from clearml import Task

    settled = json.loads(prepared or "{}")  # parameters arrive as text
    try:
        values, run_id = _values_of(run_task)
        values.update(
            target=settled["target"],
            task=settled["task"],
            models=[family],
            ensemble=False,
            charts="none",  # no browser: the reporting step draws
            clearml={**values.get("clearml", {}), "enabled": False},
        )
        folder = search_alone(build_from(values, t("config.source_task", task_id=run_task)), f"{run_id}-{family}")
        me = Task.current_task()
        me.upload_artifact(remote.RUN_FOLDER_ARTIFACT, artifact_object=str(folder), wait_on_upload=True)
        # the controller shows this family's candidates as soon as the step ends, without the whole folder
        me.upload_artifact(remote.EVENTS_ARTIFACT, artifact_object=folder / rundir.EVENTS, wait_on_upload=True)
    except Exception as exc:
        return json.dumps({"family": family, "status": "failed", "reason": one_line(exc)})
    return json.dumps({"family": family, "status": "ok"})


def report_families(run_task: str, steps: str, prepared: str) -> str:
    """The reporting step: the families' searches finished as the run's own, whose report this step keeps."""

    from automl_tui_engine.clearml import remote
    from automl_tui_engine.clearml_tracking import sdk
    from automl_tui_engine.clearml_tracking.task_items import (
        publish_reporting,
        recommended_model_task,
        record_recommended_task,
    )
    from automl_tui_engine.clearml_tracking.tracker import event_line
    from automl_tui_engine.naming import kind_of
    from automl_tui_engine.outputs import report
    from clearml import Task

    values, run_id = _values_of(run_task)
    created = Task.get_task(task_id=run_task).data.created  # the run began when it was put on the queue
    parts: dict[str, Path | str] = {}
    for family, task_id in json.loads(steps).items():
        step = Task.get_task(task_id=task_id)
        outcome = outcome_of(step)
        folder = remote.uploaded_run_folder(step)
        if folder is not None:
            parts[family] = folder
        else:
            parts[family] = outcome.get("reason") or f"the step ended {step.get_status()} without a run folder"
    me = Task.current_task()
    queued_at = created.timestamp()
    run_dir = merge(parts, Path(values["out"]), run_id, values, json.loads(prepared), queued_at, reporting_task=me)
    # the run's events in this task's log, as a tracked run's reporting task has them: `watch` replays them.
    # Printed: under an agent the SDK sends no log of its own (the agent sends the step's output)
    known = sdk.secrets()
    for event in rundir.RunFolder(run_dir).read_events():
        print(event_line(event, known), flush=True)
    # the recommended model has its task (made first: the run folder and the report link it), and this step carries
    # what a tracked run's reporting task does
    summary = report.RunReport.load(run_dir)
    if summary.decision is not None:
        model = summary.decision.recommended
        row = next(row for row in summary.attempted if row["model"] == model)  # as the search wrote it
        made_by = json.loads(steps).get(kind_of(model))  # its family's step; an ensemble is no family's: at the top
        record_recommended_task(run_dir, me, recommended_model_task(summary, me.get_project_name(), row, made_by))
        report.write(run_dir)
        summary = report.RunReport.load(run_dir)
    me.upload_artifact(remote.RUN_FOLDER_ARTIFACT, artifact_object=str(run_dir), wait_on_upload=True)
    publish_reporting(me, summary, summary.info.get("test_metrics") or {})
    return json.dumps({"status": json.loads((run_dir / rundir.RUN_JSON).read_text())["status"]})


def merge(
    parts: dict[str, Path | str],
    out: Path,
    run_id: str,
    values: dict[str, Any],
    prepared: dict,
    queued_at: float,
    reporting_task: Any = None,
) -> Path:
    """One run from the families' searches (`parts`: family -> its run folder, or why its step failed), finished
    here as a run on one machine finishes (runner.Run.finish: the decision over every family's candidates, the
    pick trained for keeps on the table, its explanation and the report), so a pipeline recommends what a local
    run would. The `reporting_task` (the pipeline's step making it) is the run's link to share; the run took the
    time since it was put on the queue (`queued_at`, epoch seconds)."""
    from automl_tui_engine.config import build_from
    from automl_tui_engine.outputs import report, run_record
    from automl_tui_engine.runner import Run, with_run
    from automl_tui_engine.search.outcome import SearchResult

    # the run's own config, with what preprocessing settled
    config = build_from({**values, "out": out}, "pipeline").model_copy(
        update={"target": prepared["target"], "task": prepared["task"], "primary_metric": prepared["primary_metric"]}
    )
    done = {family: rundir.RunFolder(part) for family, part in parts.items() if isinstance(part, Path)}
    failed = {family: reason for family, reason in parts.items() if isinstance(reason, str)}

    def finish(opened: Run) -> Path:
        ctx = opened.ctx
        if reporting_task is not None:
            from automl_tui_engine.clearml_tracking.tracker import record_shared_link

            record_shared_link(ctx.folder.path, reporting_task)
        _copy_events(ctx.folder, done, set(ctx.announcer.warnings))
        ctx.candidates.restore([row for part in done.values() for row in part.read_csv(rundir.RESULTS)])
        for family, reason in failed.items():
            ctx.candidates.not_finished(family, "failed", reason)
            ctx.artifact_missing(f"{step_name(family)} (pipeline step)", reason)
        searches = [
            SearchResult.load(part / rundir.SEARCH) for part in done.values() if (part / rundir.SEARCH).exists()
        ]
        opened.finish(SearchResult.merged(searches))
        # which step did what
        steps = {step_name(family): "failed" if family in failed else "completed" for family in parts}
        run_record.amend(ctx.folder.path, pipeline=steps)
        report.write(ctx.folder.path)
        return ctx.folder.path

    # this step's task is the run's record in ClearML (report_families publishes it): the run makes no tasks here
    return with_run(config, finish, run_id=run_id, tracked_as_asked=False, begun_at=queued_at)


def _copy_events(folder: Any, done: dict[str, Any], said: set[str]) -> None:
    """The families' candidates, as one run's: the run's own beginning, phases and end are this run's, and so are
    the warnings it has `said` (every family read the same table); the families' other warnings once each."""
    for part in done.values():
        for event in part.read_events():
            kind = event["kind"]
            if kind in ("run_started", "run_finished", "phase_changed", "artifact_missing"):
                continue
            if kind == "warning":
                if event["message"] in said:
                    continue
                said.add(event["message"])
            folder.append_event(event)
