"""What is done with a tracked run's model after the run, in ClearML beside the run: a question asked of it
(`inference`: a grid of conditions, the best inputs), a predictions file and its input check (`predict`), a scoring
on rows whose outcomes arrived (`evaluate`), a retrain weighed against it (`retrain`). Each is a task
`<phase> · <run_id> · <dataset_key>` with the run's tags and `phase:<phase>`, a child of the run's reporting task,
holding what was found; the reporting task's user properties are brought up to date with it (run_properties), so
the team finds all of it by `run:<run_id>` and reads the run's state on its one link.

Only what was found goes to the server: the check, the scores, the charts and the record. A predictions file is the
user's rows and may be millions of them: it stays where it was written."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from automl_tui_engine import naming
from automl_tui_engine.clearml_tracking import run_properties, sdk
from automl_tui_engine.errors import UserError, one_line
from automl_tui_engine.messages import t
from automl_tui_engine.outputs import rundir

# each phase after the decision, as the ClearML task type its task is made with
TASK_TYPES = {
    naming.INFERENCE_PHASE: "inference",
    naming.PREDICT_PHASE: "inference",
    naming.EVALUATE_PHASE: "qc",
    naming.RETRAIN_PHASE: "qc",
}


@dataclass(frozen=True)
class Told:
    """What ClearML was told: the task's page, or why the server could not be told; both "" for a run not tracked
    (or tracked offline: there is no server to tell)."""

    phase: str = ""
    link: str = ""
    not_told: str = ""

    def line(self) -> str:
        """The face's one line on it; "" for a run not tracked."""
        if self.link:
            return t("clearml_after.in_clearml", link=self.link, phase=self.phase)
        return t("clearml_after.not_told", reason=self.not_told) if self.not_told else ""


def tell(
    run_dir: Path, phase: str, said: str, artifacts: dict[str, Any] | None = None, files: tuple[Path, ...] = ()
) -> Told:
    """`record`, for a tracked run; a server that cannot be told is said, never raised: what was done is on disk."""
    if not rundir.RunFolder(Path(run_dir)).shared_link():
        return Told()
    try:
        return Told(phase, link=record(Path(run_dir), phase, said, artifacts or {}, files))
    except UserError as exc:  # ClearML not set up here (a colleague's tracked run), or refused: said as it is
        return Told(phase, not_told=str(exc))
    except Exception as exc:  # the server or the network
        return Told(phase, not_told=one_line(exc))


def record(run_dir: Path, phase: str, said: str, artifacts: dict[str, Any], files: tuple[Path, ...]) -> str:
    """The phase's task, made and completed (`said` its description, `artifacts` objects and `files` uploaded),
    and the run's properties brought up to date; returns the task's web link."""
    Task = sdk.connect()
    folder = rundir.RunFolder(run_dir)
    info = folder.read_json(rundir.RUN_JSON)
    with sdk.quiet():
        reporting = Task.get_task(task_id=folder.read_json(rundir.CLEARML)["reporting_task"])
        task = Task.create(
            project_name=reporting.get_project_name(),
            task_name=naming.task_name(phase, info["run_id"], info["dataset_key"]),
            task_type=TASK_TYPES[phase],
            add_task_init_call=False,
            detect_repository=False,
        )
    # the run's tags as its reporting task has them now (adoptions included), in this phase
    run_tags = [tag for tag in reporting.get_tags() if not tag.startswith(naming.phase_tag(""))]
    task.set_tags([*run_tags, naming.phase_tag(phase)])
    task.set_parent(reporting.id)
    task.set_comment(said)
    for name, value in artifacts.items():
        task.upload_artifact(name, artifact_object=value, wait_on_upload=True)
    for path in files:
        task.upload_artifact(path.name, artifact_object=str(path), wait_on_upload=True)
    task.flush(wait_for_uploads=True)
    task.mark_completed(force=True)
    with sdk.quiet():
        run_properties.record(reporting, info, run_dir)
    return sdk.web_link(task)
