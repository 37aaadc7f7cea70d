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
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from engine import events as ev
from engine import rundir
from engine.errors import UserError

PIPELINE_PHASE = "pipeline"  # the controller's phase tag: `watch` gives up on a run whose controller failed
PREPROCESSING_STEP = "preprocessing"
REPORTING_STEP = "reporting"
OUTCOME = "outcome"
OUTCOME_PARAMETER = f"return/{OUTCOME}"  # where ClearML keeps a function step's text return value
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


def step_name(family: str) -> str:
    return f"training_{family}"


def outcome_of(task: Any) -> dict[str, Any]:
    """What a step returned (its outcome, JSON text), or {} when it returned nothing."""
    text = task.get_parameters(cast=False).get(OUTCOME_PARAMETER)
    return json.loads(text) if text else {}


def run_pipeline(config: Any, queue: str, on_step: Callable[[str, str], None] | None = None) -> Path:
    """Run `config` as a pipeline whose steps go to `queue`; the controller runs here until the reporting step
    ends (`on_step(step, status)` hears each step's changes). Returns the run folder, copied into `config.out`."""
    from clearml import PipelineController, Task

    from engine import remote
    from engine.naming import dataset_key, tags
    from engine.pipeline_steps import preprocessing_step, reporting_step, training_step
    from engine.tracking import sdk
    from engine.tracking.clearml_tracker import task_name

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

    from engine import report
    from engine.config import to_toml, validate

    here = {"data": str(Path(config.data).resolve()), "out": str(Path(config.out))}
    effective = tomllib.loads((run_dir / rundir.CONFIG).read_text(encoding="utf-8"))
    rundir.write_atomic(run_dir / rundir.CONFIG, to_toml(validate({**effective, **here}, str(run_dir))))
    folder = rundir.RunFolder(run_dir)
    info = folder.read_json(rundir.RUN_JSON)
    folder.write_json(rundir.RUN_JSON, {**info, "config": {**info.get("config", {}), **here}})
    report.write(run_dir)
    return run_dir


def _values_of(run_task: str) -> tuple[dict[str, Any], str]:
    from clearml import Task

    from engine import remote

    values, run_id, _ = remote.read_run(Task.get_task(task_id=run_task))
    return values, run_id


def prepare_table(run_task: str) -> str:
    """The preprocessing step: the run's table checked once, before any agent trains on it."""
    return check_table(_values_of(run_task)[0])


def check_table(values: dict[str, Any]) -> str:
    """The outcome of the checks a run makes before fitting (JSON text): what they settled, or why the table
    cannot be used."""
    from engine.config import validate
    from engine.runner import prepare

    try:
        prepared = prepare(validate(values, "the run task"))
    except UserError as exc:
        return json.dumps({"status": "failed", "reason": str(exc)})
    dataset = prepared.dataset
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
    """A training step: the family's share of the run, its run folder kept on this step's task. A failure is
    returned, not raised, so the reporting step still runs and lists it."""
    from clearml import Task

    import engine
    from engine import remote
    from engine.config import validate
    from engine.errors import one_line

    settled = json.loads(prepared or "{}")  # parameters arrive as text
    try:
        values, run_id = _values_of(run_task)
        values.update(
            target=settled["target"],
            task=settled["task"],
            models=[family],
            ensemble=False,
            clearml={**values.get("clearml", {}), "enabled": False},
        )
        result = engine.run(validate(values, f"task {run_task}"), run_id=f"{run_id}-{family}")
        Task.current_task().upload_artifact(
            remote.RUN_FOLDER_ARTIFACT, artifact_object=result.run_dir, wait_on_upload=True
        )
    except Exception as exc:
        return json.dumps({"family": family, "status": "failed", "reason": one_line(exc)})
    return json.dumps({"family": family, "status": result.status, "recommended": result.recommended})


def report_families(run_task: str, steps: str, prepared: str) -> str:
    """The reporting step: the families' run folders merged into the run's own, whose report this step keeps."""
    import time

    from clearml import Task

    from engine import remote
    from engine.tracking import sdk
    from engine.tracking.clearml_tracker import event_line

    values, run_id = _values_of(run_task)
    created = Task.get_task(task_id=run_task).data.created  # the run began when it was put on the queue
    parts: dict[str, Path | str] = {}
    for family, task_id in json.loads(steps).items():
        step = Task.get_task(task_id=task_id)
        outcome = outcome_of(step)
        if remote.RUN_FOLDER_ARTIFACT in step.artifacts:
            parts[family] = Path(step.artifacts[remote.RUN_FOLDER_ARTIFACT].get_local_copy())
        else:
            parts[family] = outcome.get("reason") or f"the step ended {step.get_status()} without a run folder"
    elapsed_s = time.time() - created.timestamp()
    run_dir = merge(parts, Path(values["out"]), run_id, values, json.loads(prepared), elapsed_s)
    me = Task.current_task()
    # the run's events in this task's log, as a tracked run's reporting task has them: `watch` replays them.
    # Printed: under an agent the SDK sends no log of its own (the agent sends the step's output)
    known = sdk.secrets()
    for event in rundir.RunFolder(run_dir).read_events():
        print(event_line(event, known), flush=True)
    me.upload_artifact(remote.RUN_FOLDER_ARTIFACT, artifact_object=str(run_dir), wait_on_upload=True)
    # the report is this step's artifact, as it is the reporting task's on a tracked run
    me.upload_artifact("report", artifact_object=str(run_dir / rundir.REPORT), wait_on_upload=True)
    return json.dumps({"status": json.loads((run_dir / rundir.RUN_JSON).read_text())["status"]})


def merge(
    parts: dict[str, Path | str], out: Path, run_id: str, values: dict[str, Any], prepared: dict, elapsed_s: float
) -> Path:
    """One run folder from the families' (`parts`: family -> its run folder, or why its step failed), with the
    events a run on one machine would have written, so the report and the command read it the same way."""
    from dataclasses import replace

    from engine import report, run_record
    from engine.config import to_toml, validate
    from engine.naming import dataset_key
    from engine.registry import metrics
    from engine.registry.metrics import MetricFacts

    # the effective config, as a run writes it: with what preprocessing settled
    config = validate(values, "pipeline").model_copy(
        update={"target": prepared["target"], "task": prepared["task"], "primary_metric": prepared["primary_metric"]}
    )
    folder = rundir.RunFolder.create(out, run_id)
    done = {family: rundir.RunFolder(part) for family, part in parts.items() if isinstance(part, Path)}
    failed = {family: reason for family, reason in parts.items() if isinstance(reason, str)}
    infos = {family: part.read_json(rundir.RUN_JSON) for family, part in done.items()}
    primary = metrics.get(prepared["primary_metric"])
    chosen, winner, picks = _pick(done, infos, primary, config)
    kept = infos[winner] if winner else {}
    others = [MetricFacts(**f) for name, f in kept.get("metric_facts", {}).items() if name != primary.name]
    facts = run_record.RunFacts(
        run_id, dataset_key(config.data), folder.path, prepared["task"], prepared["target"], [primary, *others], config
    )
    rundir.write_atomic(folder / rundir.CONFIG, to_toml(config))
    started = [next(e for e in part.read_events() if e["kind"] == "run_started") for part in done.values()]
    folder.append_event(facts.started([name for event in started for name in event["candidates"]]).to_dict())
    _copy_events(folder, done, winner)
    missing = {f"{step_name(family)} (pipeline step)": reason for family, reason in failed.items()}
    for family, reason in failed.items():
        folder.append_event(ev.CandidateFailed(model=family, status="failed", reason=reason).to_dict())
        folder.append_event(ev.ArtifactMissing(name=f"{step_name(family)} (pipeline step)", reason=reason).to_dict())
    attempted = [row for part in done.values() for row in part.read_csv(rundir.RESULTS)]
    attempted += [{"model": family, "status": "failed", "reason": reason} for family, reason in failed.items()]
    folder.write_csv(rundir.RESULTS, attempted, list(dict.fromkeys(key for row in attempted for key in row)))
    if winner:
        _copy_winner(folder, done[winner], picks, primary)
    outcome = run_record.RunOutcome(
        status="finished" if winner else "no_candidate",
        recommended=chosen.recommended if winner else None,
        test_metrics=kept.get("test_metrics", {}),
        elapsed_s=round(elapsed_s, 3),
        n_candidates=sum(1 for row in attempted if row.get("status") == "ok"),
        missing={**kept.get("missing", {}), **missing},
        search=_one_search([info["search"] for info in infos.values() if info.get("search")]),
        refit=kept.get("refit"),
        charts=kept.get("charts"),
        timings=kept.get("timings"),
        model_sha256=kept.get("model_sha256"),
        pipeline={step_name(family): "failed" if family in failed else "completed" for family in parts},
    )
    run_record.write(facts, outcome)
    report_path = report.write(folder.path)
    outcome = replace(outcome, written=folder.files())
    run_record.write(facts, outcome)
    folder.append_event(outcome.finished_event(chosen.reason if winner else "", report_path).to_dict())
    return folder.path


def _pick(done: dict[str, Any], infos: dict[str, dict], primary: Any, config: Any) -> tuple[Any, str | None, list]:
    """(the decision among the families' picks, the family whose pick it is, the picks' leaderboard rows)."""
    from engine import decision as decision_mod

    picks = [
        row
        for family, part in done.items()
        for row in part.read_csv(rundir.LEADERBOARD)
        if row["model"] == infos[family].get("recommended")
    ]
    if not picks:
        return None, None, picks
    chosen = decision_mod.decide(picks, primary, config.priority, config.decision.tolerance, config.decision.top_k)
    winner = next((f for f in done if infos[f].get("recommended") == chosen.recommended), None)
    return chosen, winner, picks


def _copy_events(folder: Any, done: dict[str, Any], winner: str | None) -> None:
    """The families' events, as one run's: each warning once, and only the kept model's missing artifacts."""
    warned: set[str] = set()
    for family, part in done.items():
        for event in part.read_events():
            kind = event["kind"]
            if kind in ("run_started", "run_finished", "phase_changed") or (
                kind == "artifact_missing" and family != winner
            ):
                continue  # the run's own beginning and end are written here; only the kept model's gaps matter
            if kind == "warning":
                if event["message"] in warned:
                    continue  # every family read the same table: its warnings once
                warned.add(event["message"])
            folder.append_event(event)


def _copy_winner(folder: Any, source: Any, picks: list[dict], primary: Any) -> None:
    """The kept family's model, its test predictions, explanation, profile and charts; the picks' leaderboard."""
    from engine import decision as decision_mod

    for name in (rundir.MODEL, rundir.TEST_PREDICTIONS, rundir.EXPLANATION, rundir.DATA_PROFILE):
        if (source / name).exists():
            shutil.copy2(source / name, folder / name)
    if (source / rundir.PLOTS).is_dir():
        shutil.copytree(source / rundir.PLOTS, folder / rundir.PLOTS)
    columns = list(source.read_csv(rundir.LEADERBOARD)[0])
    folder.write_csv(rundir.LEADERBOARD, decision_mod.annotate(picks, primary), columns)


def _one_search(searches: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The families' searches as one: their counts added up, and what cut the search shortest."""
    if not searches:
        return None
    from engine.training import STOP_FIGURES, STOPS

    shortest = min(searches, key=lambda s: STOPS.index(s["stop"]))
    return {
        **{key: shortest.get(key) for key in ("stop", *STOP_FIGURES)},
        **{count: sum(s[count] for s in searches) for count in ("tuned", "pruned", "stopped_budget")},
        "ensemble": None,
    }
