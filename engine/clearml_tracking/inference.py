"""A question asked of a tracked run's model (a grid of conditions, the best inputs), in ClearML beside the run: an
`inference · <run_id> · <dataset_key>` task with the run's tags and `phase:inference`, holding the answers, the
inputs that made them and the chart, so the team finds what was asked by `run:<run_id>` like everything else."""

from __future__ import annotations

import json
from pathlib import Path

from automl_tui_engine import naming
from automl_tui_engine.clearml_tracking import sdk
from automl_tui_engine.outputs import rundir


def record(run_dir: Path, record_json: Path) -> str:
    """The record's task, made and completed; returns its web link."""
    Task = sdk.connect()
    folder = rundir.RunFolder(Path(run_dir))
    info = folder.read_json(rundir.RUN_JSON)
    kept = json.loads(record_json.read_text(encoding="utf-8"))
    with sdk.quiet():
        reporting = Task.get_task(task_id=folder.read_json(rundir.CLEARML)["reporting_task"])
        task = Task.create(
            project_name=reporting.get_project_name(),
            task_name=naming.task_name(naming.INFERENCE_PHASE, info["run_id"], info["dataset_key"]),
            task_type="inference",
            add_task_init_call=False,
            detect_repository=False,
        )
    # the run's tags as its reporting task has them now (adoptions included), in this phase
    run_tags = [tag for tag in reporting.get_tags() if not tag.startswith(naming.phase_tag(""))]
    task.set_tags([*run_tags, naming.phase_tag(naming.INFERENCE_PHASE)])
    task.set_parent(reporting.id)
    task.set_comment(kept["asked"].get("said", ""))
    task.upload_artifact("asked", artifact_object=kept["asked"], wait_on_upload=True)
    for name in kept["files"]:
        task.upload_artifact(name, artifact_object=str(record_json.parent / name), wait_on_upload=True)
    task.flush(wait_for_uploads=True)
    task.mark_completed(force=True)
    return sdk.web_link(task)
