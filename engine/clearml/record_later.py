"""`automl-tui track RUN_DIR`: a finished run recorded in ClearML after the fact (its tracking stopped when a
server went away, or it ran without --clearml). Its events are replayed through the ClearML tracker, so it gets the
same tasks, tags, logs and reporting items as a run tracked while it ran; tasks an earlier, broken-off tracking left
of it lose their `run:` tag (they stay, tagged `superseded:<run_id>`), so the run's tag finds one whole record."""

from __future__ import annotations

import tomllib
from pathlib import Path

from automl_tui_engine import events as ev
from automl_tui_engine.errors import ServerGone, UserError
from automl_tui_engine.naming import SUPERSEDED
from automl_tui_engine.outputs import report, rundir


def record_run(run_dir: Path) -> str:
    """Record the finished run in `run_dir` on the configured ClearML server; returns its link to share."""
    from automl_tui_engine.clearml_tracking import sdk
    from automl_tui_engine.clearml_tracking.tracker import ClearMLTracker
    from automl_tui_engine.config import build_from
    from automl_tui_engine.tracking import BackgroundTracker, TrackerAbandoned

    folder = rundir.RunFolder(run_dir)
    events = folder.read_events()
    kinds = {event.get("kind") for event in events}
    if ev.RunStarted.kind not in kinds or ev.RunFinished.kind not in kinds:
        raise UserError("track.not_finished", path=run_dir)
    if sdk.offline():
        raise UserError("track.offline")
    config = build_from(
        tomllib.loads((folder / rundir.CONFIG).read_text(encoding="utf-8")), str(folder / rundir.CONFIG)
    )
    tracker = ClearMLTracker(config.clearml.project)  # a server that cannot be used is said here, in one line
    run_id = next(event["run_id"] for event in events if event.get("kind") == ev.RunStarted.kind)
    _supersede(run_id)
    # what an earlier tracking could not record is recorded now
    folder.update_json(rundir.CLEARML, {rundir.RECORDED_LATER: True}, dropped=(rundir.NOT_RECORDED,))
    background = BackgroundTracker(tracker, sdk.server_answers, sdk.give_up)
    try:
        for event in events:
            # the folder where it is now: it may have been moved, or brought home from an agent
            here = {**event, "run_dir": str(run_dir)} if event.get("kind") == ev.RunStarted.kind else event
            background.event(ev.from_dict(here))
        background.flush()
        report.write(run_dir)  # with the link of the reporting task just opened, and without the earlier gaps
        background.close()
    except TrackerAbandoned:
        raise ServerGone("track.server_gone", path=run_dir) from None
    return folder.shared_link()


def tracking_stopped(run_dir: Path) -> bool:
    """Whether the run's tracking stopped before it ended (its events say so): its record in ClearML is not whole."""
    return any(
        event.get("kind") == ev.RunWarning.kind and event.get("topic") == ev.TRACKING
        for event in rundir.RunFolder(run_dir).read_events()
    )


def _supersede(run_id: str) -> None:
    from automl_tui_engine.clearml_tracking import sdk

    Task = sdk.connect()
    with sdk.quiet():
        for task in Task.get_tasks(tags=[f"run:{run_id}"]):
            kept = [tag for tag in task.get_tags() if tag != f"run:{run_id}"]
            task.set_tags([*kept, f"{SUPERSEDED}:{run_id}"])
