"""What a pipeline's steps do on their agents (clearml/pipeline.py is the controller that starts them): check the
table once, train one model family, and merge the families' run folders into the run's own, whose report the
reporting step keeps. The step functions ClearML copies (clearml/pipeline_steps.py) call these.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from automl_tui_engine import events as ev
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
    from automl_tui_engine.runner import prepare

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
    """A training step: the family's share of the run, its run folder kept on this step's task. A failure is
    returned, not raised, so the reporting step still runs and lists it."""
    import automl_tui_engine as engine
    from automl_tui_engine.clearml import remote
    from automl_tui_engine.config import build_from
    from automl_tui_engine.errors import one_line
    from clearml import Task

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
        result = engine.run(build_from(values, t("config.source_task", task_id=run_task)), run_id=f"{run_id}-{family}")
        me = Task.current_task()
        me.upload_artifact(remote.RUN_FOLDER_ARTIFACT, artifact_object=result.run_dir, wait_on_upload=True)
        # the controller shows this family's candidates as soon as the step ends, without the whole folder
        events = Path(result.run_dir) / rundir.EVENTS
        me.upload_artifact(remote.EVENTS_ARTIFACT, artifact_object=events, wait_on_upload=True)
    except Exception as exc:
        return json.dumps({"family": family, "status": "failed", "reason": one_line(exc)})
    return json.dumps({"family": family, "status": result.status, "recommended": result.recommended})


def report_families(run_task: str, steps: str, prepared: str) -> str:
    """The reporting step: the families' run folders merged into the run's own, whose report this step keeps."""
    import time

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
    elapsed_s = time.time() - created.timestamp()
    me = Task.current_task()
    run_dir = merge(parts, Path(values["out"]), run_id, values, json.loads(prepared), elapsed_s, reporting_task=me)
    # the run's events in this task's log, as a tracked run's reporting task has them: `watch` replays them.
    # Printed: under an agent the SDK sends no log of its own (the agent sends the step's output)
    known = sdk.secrets()
    for event in rundir.RunFolder(run_dir).read_events():
        print(event_line(event, known), flush=True)
    # the recommended model has its task (made first: the run folder and the report link it), and this step carries
    # what a tracked run's reporting task does
    summary = report.RunReport(run_dir)
    if summary.decision is not None:
        model = summary.decision.recommended
        row = next(row for row in summary.attempted if row["model"] == model)  # as the search wrote it
        made_by = json.loads(steps).get(kind_of(model))  # its family's step; an ensemble is no family's: at the top
        record_recommended_task(run_dir, me, recommended_model_task(summary, me.get_project_name(), row, made_by))
        report.write(run_dir)
        summary = report.RunReport(run_dir)
    me.upload_artifact(remote.RUN_FOLDER_ARTIFACT, artifact_object=str(run_dir), wait_on_upload=True)
    publish_reporting(me, summary, summary.info.get("test_metrics") or {})
    return json.dumps({"status": json.loads((run_dir / rundir.RUN_JSON).read_text())["status"]})


def merge(
    parts: dict[str, Path | str],
    out: Path,
    run_id: str,
    values: dict[str, Any],
    prepared: dict,
    elapsed_s: float,
    reporting_task: Any = None,
) -> Path:
    """One run folder from the families' (`parts`: family -> its run folder, or why its step failed), with the
    events a run on one machine would have written, so the report and the command read it the same way. The
    `reporting_task` (the pipeline's step making it) is the run's link to share, which the report carries."""
    from dataclasses import replace

    from automl_tui_engine import verdict
    from automl_tui_engine.config import build_from, to_toml
    from automl_tui_engine.extension.registry import metrics
    from automl_tui_engine.extension.registry.metrics import MetricFacts
    from automl_tui_engine.naming import dataset_key
    from automl_tui_engine.outputs import report, run_record
    from automl_tui_engine.outputs.search_counts import SearchCounts

    # the effective config, as a run writes it: with what preprocessing settled
    config = build_from(values, "pipeline").model_copy(
        update={"target": prepared["target"], "task": prepared["task"], "primary_metric": prepared["primary_metric"]}
    )
    folder = rundir.RunFolder.create(out, run_id)
    done = {family: rundir.RunFolder(part) for family, part in parts.items() if isinstance(part, Path)}
    failed = {family: reason for family, reason in parts.items() if isinstance(reason, str)}
    infos = {family: part.read_json(rundir.RUN_JSON) for family, part in done.items()}
    unit = next((info["target_unit"] for info in infos.values() if info.get("target_unit")), "")
    primary = metrics.get(prepared["primary_metric"]).for_target(unit)
    chosen, winner, picks = _pick(done, infos, primary, config)
    kept = infos[winner] if winner else {}
    others = [MetricFacts(**f) for name, f in kept.get("metric_facts", {}).items() if name != primary.name]
    facts = run_record.RunFacts(
        run_id,
        dataset_key(config.table()),
        folder.path,
        prepared["task"],
        prepared["target"],
        [primary, *others],
        config,
        kept.get("baseline"),  # every family guessed in the same folds: the kept one's stands for all
        unit,
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
        per_class=kept.get("per_class"),
        gap_se=kept.get("gap_se"),
        pipeline={step_name(family): "failed" if family in failed else "completed" for family in parts},
    )
    run_record.write(facts, outcome)
    if reporting_task is not None:
        from automl_tui_engine.clearml_tracking.tracker import record_shared_link

        record_shared_link(folder.path, reporting_task)
    report_path = report.write(folder.path)
    outcome = replace(outcome, written=folder.files())
    record = run_record.write(facts, outcome)
    said = verdict.sentences_of(record, picks)
    coverage = SearchCounts.of(folder.read_csv(rundir.RESULTS)).coverage()
    folder.append_event(outcome.finished_event(chosen.reason if winner else "", report_path, said, coverage).to_dict())
    return folder.path


def _pick(done: dict[str, Any], infos: dict[str, dict], primary: Any, config: Any) -> tuple[Any, str | None, list]:
    """(the decision among the families' picks, the family whose pick it is, the picks' leaderboard rows)."""
    from automl_tui_engine import decision as decision_mod

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
    """What the kept family made of its own pick (rundir.ARTIFACTS: from_pick); the picks' leaderboard."""
    from automl_tui_engine import decision as decision_mod

    for artifact in rundir.ARTIFACTS:
        made = source / artifact.name
        if artifact.from_pick and made.is_dir():
            shutil.copytree(made, folder / artifact.name)
        elif artifact.from_pick and made.exists():
            shutil.copy2(made, folder / artifact.name)
    columns = list(source.read_csv(rundir.LEADERBOARD)[0])
    folder.write_csv(rundir.LEADERBOARD, decision_mod.annotate(picks, primary), columns)


def _one_search(searches: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The families' searches as one: their counts added up, and what cut the search shortest."""
    if not searches:
        return None
    from automl_tui_engine.search.outcome import STOP_FIGURES, STOPS

    shortest = min(searches, key=lambda s: STOPS.index(s["stop"]))
    return {
        **{key: shortest.get(key) for key in ("stop", *STOP_FIGURES)},
        **{count: sum(s[count] for s in searches) for count in ("tuned", "pruned", "stopped_budget")},
        "ensemble": None,
    }
