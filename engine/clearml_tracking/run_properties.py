"""What a run's reporting task says about the run as ClearML user properties: its status, the recommended model,
and what people adopted from it and how long that took (DESIGN.md §0, the operating KPIs). User properties are the
one field a finished task still accepts besides its tags and description (the server edits the `properties`
section in any status), so an adoption made days later lands there too; they also show as columns in the web UI's
task table. `automl-tui runs --clearml` lists the runs from them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from automl_tui_engine.outputs import decision_record
from automl_tui_engine.outputs.decision_record import RunOverview

RUN_STATUS, RECOMMENDED, ADOPTED, TIME_TO_DECISION_S = "run_status", "recommended", "adopted", "time_to_decision_s"
# since the decision (clearml_tracking/after_decision.py brings them up to date): when a predictions file's inputs
# were last checked, which columns had moved then, and the latest score on rows whose outcomes arrived
LAST_CHECKED, INPUTS_MOVED, SCORE_SINCE_DECISION = "last_checked", "inputs_moved", "score_since_decision"
PROPERTIES = "properties"  # the hyperparameter section the server keeps user properties in


def record(task: Any, info: dict[str, Any], run_dir: Path) -> None:
    """The run's state (`info`: its run.json; the folder's records since the decision) on its reporting task,
    replacing what was there."""
    overview = RunOverview(Path(run_dir), info)
    took = overview.time_to_decision_s
    task.set_user_properties(
        **{
            RUN_STATUS: overview.status,
            RECOMMENDED: overview.recommended,
            ADOPTED: overview.adopted_words(),
            TIME_TO_DECISION_S: "" if took is None else f"{took:.0f}",
            LAST_CHECKED: overview.checked_when(),
            INPUTS_MOVED: overview.moved_words(),
            SCORE_SINCE_DECISION: overview.since_decision_words().replace("—", ""),
            # the records themselves, for the runs list: what the words above are made from
            decision_record.ADOPTIONS: json.dumps(overview.adopted, ensure_ascii=False),
            decision_record.SINCE_DECISION: json.dumps(overview.since_decision, ensure_ascii=False),
        }
    )


def runs_on_server() -> list[RunOverview]:
    """Every run whose reporting task is on the server, newest first, as its user properties say it; a run whose
    reporting task has not written them yet shows the task's own status."""
    from automl_tui_engine.clearml_tracking import sdk
    from automl_tui_engine.naming import phase_tag, tag_value

    Task = sdk.connect()
    with sdk.quiet():
        found = Task.query_tasks(
            tags=[phase_tag("reporting")], additional_return_fields=["tags", "status", "hyperparams"]
        )
    runs = []
    for task in found:
        run_id = tag_value(task["tags"] or [], "run")
        if not run_id:
            continue  # tagged by something else than a run of automl-tui
        said = {name: _value(item) for name, item in ((task["hyperparams"] or {}).get(PROPERTIES) or {}).items()}
        info = {
            "run_id": run_id,
            "dataset_key": tag_value(task["tags"], "dataset"),
            "status": said.get(RUN_STATUS) or task["status"],
            "recommended": said.get(RECOMMENDED) or None,
            decision_record.ADOPTIONS: json.loads(said.get(decision_record.ADOPTIONS) or "[]"),
            decision_record.SINCE_DECISION: json.loads(said.get(decision_record.SINCE_DECISION) or "{}"),
            decision_record.TAGGED: tag_completeness(Task, run_id),
        }
        runs.append(RunOverview(None, info))
    return sorted(runs, key=lambda run: run.run_id, reverse=True)


def tag_completeness(Task: Any, run_id: str) -> list[int]:  # noqa: N803 - the SDK's Task class
    """[tasks carrying all of run:, dataset: and phase:, tasks of the run]: a run's tasks are those its tag finds
    and those named after it (every task name holds its run id), less what `track` superseded. The golden path's
    KPI "every task of a run is found by its tag", measured."""
    import re

    from automl_tui_engine.clearml_tracking import sdk
    from automl_tui_engine.naming import SUPERSEDED

    fields = ["tags"]
    with sdk.quiet():
        named = Task.query_tasks(task_name=re.escape(run_id), additional_return_fields=fields)
        tagged = Task.query_tasks(tags=[f"run:{run_id}"], additional_return_fields=fields)
    tasks = {task["id"]: task["tags"] or [] for task in [*named, *tagged]}
    mine = [tags for tags in tasks.values() if f"{SUPERSEDED}:{run_id}" not in tags]
    whole = [
        tags
        for tags in mine
        if f"run:{run_id}" in tags and all(any(t.startswith(f"{k}:") for t in tags) for k in ("dataset", "phase"))
    ]
    return [len(whole), len(mine)]


def _value(item: Any) -> str:
    """A property's value, whether the SDK handed it over as its model or as a dict."""
    return str(getattr(item, "value", None) or (item.get("value") if isinstance(item, dict) else "") or "")
