"""The ClearML tracker: a run mirrored as ClearML tasks.

Project `<project>/<dataset_key>`; one task per phase (`preprocessing`, `training`, `reporting`), named
`<phase> · <run_id> · <dataset_key>` and tagged `run:<run_id>`, `dataset:<dataset_key>`, `phase:<phase>`; one child
task of training per candidate the decision weighed (`considered`; every candidate is a row of the leaderboard
table). The reporting task's web link is kept in the run folder (clearml.json): the one link a run is shared by.
Every engine event is also written to the console log of the phase task open at the time, one JSON line each, so a
run followed from the server replays the same event stream as a local one (`follow.py`).

The SDK allows one `Task.init` at a time in a process, so a phase's task is closed before the next one opens, and
the candidates' tasks are made after the reporting task, when nothing else is open.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from automl_tui_engine import events as ev
from automl_tui_engine import naming
from automl_tui_engine.clearml_tracking import sdk
from automl_tui_engine.clearml_tracking.task_items import (
    considered,
    describe_candidate,
    note_not_recorded,
    publish_data_charts,
    publish_reporting,
    recommended_model_task,
    record_recommended_task,
    upload,
)
from automl_tui_engine.messages import t
from automl_tui_engine.outputs import rundir
from automl_tui_engine.tracking import NotAllRecorded, Tracker

# the engine's phases, grouped into the three phase tasks
PHASE_TASK = {
    "preprocessing": "preprocessing",
    "training": "training",
    "decision": "reporting",
    "refit": "reporting",
    "explaining": "reporting",
    "charts": "reporting",
    "reporting": "reporting",
}
# every framework hook off, and no repository/package detection: the phase tasks record what automl-tui reports
NO_AUTO_CONNECT = dict.fromkeys(
    (
        "matplotlib",
        "tensorflow",
        "tensorboard",
        "pytorch",
        "xgboost",
        "scikit",
        "fastai",
        "lightgbm",
        "hydra",
        "tfdefines",
        "joblib",
        "megengine",
        "catboost",
        "gradio",
        "detect_repository",
    ),
    False,
)
EVENT_PREFIX = "automl-tui event "


def record_shared_link(run_dir: Path, task: Any, offline_sessions: tuple[str, ...] = ()) -> None:
    """The reporting task's id and web page, in the run folder: the link a run is shared by, which the report, the
    CLI and the wizard show. Offline there is no page to open: the sessions the SDK stored (to import on a server)
    are listed instead."""
    link = "" if sdk.offline() else sdk.web_link(task)
    record = {"reporting_task": task.id, "reporting_link": link}
    if offline_sessions:
        record[rundir.OFFLINE_SESSIONS] = list(offline_sessions)
    rundir.RunFolder(run_dir).update_json(rundir.CLEARML, record)


def record_adoption(run_dir: Path, decision_text: str) -> None:
    """The decision in ClearML too: every task of the run tagged `adopted:<model>` for each model adopted now (one
    an adoption replaced loses its tag), decision.md's text as the reporting task's description, and the run's user
    properties (a finished task keeps its artifacts; its tags, description and user properties can still change)."""
    from automl_tui_engine.clearml_tracking import run_properties
    from automl_tui_engine.outputs.decision_record import adoptions

    Task = sdk.connect()
    folder = rundir.RunFolder(run_dir)
    info = folder.read_json(rundir.RUN_JSON)
    adopted = [adoption["model"] for adoption in adoptions(info)]
    with sdk.quiet():
        for task in Task.get_tasks(tags=[f"run:{info['run_id']}"]):
            task.set_tags(naming.with_adopted(task.get_tags(), adopted))
        reporting = Task.get_task(task_id=folder.read_json(rundir.CLEARML)["reporting_task"])
        reporting.set_comment(decision_text)
        run_properties.record(reporting, info, run_dir)  # what `runs --clearml` and the web UI's columns read


def event_line(event: dict[str, Any], known_secrets: list[str]) -> str:
    """An event as one line of a task's log: what `watch` (tracking/follow.py) reads back."""
    return EVENT_PREFIX + sdk.redact(json.dumps(event, default=str, sort_keys=True), known_secrets)


class ClearMLTracker(Tracker):
    def __init__(self, project: str) -> None:
        sdk.prepare()
        sdk.check_server()  # before any data is read: a server that cannot be used is bad input, said at once
        self.project = project
        self.started: ev.RunStarted | None = None
        self.task: Any = None
        self.reporting: Any = None  # the reporting task, once opened
        self.phase = ""
        self.pending: list[ev.Event] = []  # events while no phase task is open, logged to the next one
        self.rows: list[dict[str, Any]] = []
        self.finished: ev.RunFinished | None = None
        self.task_ids: dict[str, str] = {}
        self.offline_sessions: list[str] = []  # offline mode: the session file each task leaves when closed
        self.not_recorded: dict[str, str] = {}  # artifact -> why the server did not take it
        self.known_secrets = sdk.secrets()

    def event(self, event: ev.Event) -> None:
        if isinstance(event, ev.RunStarted):
            self.started = event
            self._open("preprocessing")
        elif isinstance(event, ev.PhaseChanged):
            phase = PHASE_TASK.get(event.phase, self.phase)
            if phase != self.phase:
                self._close_task()
                self._open(phase)
        elif isinstance(event, ev.CandidateFinished):
            self.rows.append(event.row)
            self._report_candidate(event.row)
        elif isinstance(event, ev.RunFinished):
            self.finished = event
        self._log(event)

    def close(self) -> None:
        if self.started is None:
            return
        if self.phase != "reporting":
            self._close_task()
            self._open("reporting")
        from automl_tui_engine.outputs import report

        self.heartbeat()
        run_dir, training_id = Path(self.started.run_dir), self.task_ids.get("training")
        made = self._recommended_task(report.RunReport.load(run_dir), training_id)
        if made is not None:
            record_recommended_task(run_dir, self.task, made)
        # written again before it goes to the reporting task: the run wrote it without waiting for this thread, so it
        # may lack the reporting task's link or offline sessions (opened here after it), and lacks the model's task
        report.write(run_dir)
        summary = report.RunReport.load(run_dir)
        publish_reporting(self.task, summary, self.finished.test_metrics if self.finished else {}, self.not_recorded)
        self.heartbeat()
        self._close_task()
        made_already = summary.decision.recommended if made is not None and summary.decision else None
        for row in self.rows:
            if row["model"] in considered(summary.decision) and row["model"] != made_already:
                self.heartbeat()
                self._candidate_task(row, training_id)
        if self.offline_sessions:  # every task's session now, the candidates' too
            record_shared_link(run_dir, self.reporting, tuple(self.offline_sessions))
        # what was sent in the background: charts, the report's text, log lines, metrics
        for key, sent in zip(("missing.clearml_uploads", "missing.clearml_requests"), sdk.refusals(), strict=True):
            if sent:
                self.not_recorded[t(key, count=len(sent))] = sdk.refusal(sent[0])
        if self.not_recorded:
            note_not_recorded(run_dir, self.not_recorded)
            raise NotAllRecorded(list(self.not_recorded))

    def _recommended_task(self, summary: Any, training_id: str | None) -> Any:
        """The recommended model's task, made while the reporting task is open so that the report can link it;
        None without a decision, or offline (an offline task's id changes when it is imported: nothing to link, and
        its task is made with the other candidates')."""
        assert self.started is not None
        if summary.decision is None or sdk.offline():
            return None
        row = next((row for row in self.rows if row["model"] == summary.decision.recommended), None)
        if row is None:
            return None
        project = f"{self.project}/{self.started.dataset_key}"
        return recommended_model_task(summary, project, row, training_id, self.not_recorded)

    # ---- phase tasks ----

    def _tags(self, phase: str) -> list[str]:
        assert self.started is not None
        return naming.tags(self.started.run_id, self.started.dataset_key, phase)

    def _init(self, name: str, phase: str, task_type: str, extra_tags: tuple[str, ...] = ()) -> Any:
        from clearml import Task

        assert self.started is not None
        with sdk.quiet():
            task = Task.init(
                project_name=f"{self.project}/{self.started.dataset_key}",
                task_name=name,
                task_type=task_type,
                tags=[*self._tags(phase), *extra_tags],
                reuse_last_task_id=False,
                # automl-tui reports what it means to: no hooks into frameworks, argv, streams or the machine
                auto_connect_arg_parser=False,
                auto_connect_frameworks=NO_AUTO_CONNECT,
                auto_connect_streams=False,
                auto_resource_monitoring=False,
            )
        sdk.loggers_at(logging.WARNING)  # the task's loggers were given levels of their own just now
        if sdk.offline():
            self.offline_sessions.append(f"{task.get_offline_mode_folder()}.zip")  # the SDK zips it on close
        return task

    def _open(self, phase: str) -> None:
        assert self.started is not None
        task_type = {"preprocessing": "data_processing", "training": "training"}.get(phase, "qc")
        self.task = self._init(naming.task_name(phase, self.started.run_id, self.started.dataset_key), phase, task_type)
        self.phase = phase
        self.task_ids[phase] = self.task.id
        if phase == "preprocessing":
            self._connect_config()
        elif phase == "reporting":  # open before the report is written, so the report can carry its link
            self.reporting = self.task
            record_shared_link(Path(self.started.run_dir), self.task, tuple(self.offline_sessions))
        for event in self.pending:
            self._log(event)
        self.pending = []

    def _close_task(self) -> None:
        if self.task is not None:
            with sdk.quiet():
                self.task.close()
        self.task = None

    def _log(self, event: ev.Event) -> None:
        if self.task is None:
            self.pending.append(event)
            return
        self.task.get_logger().report_text(event_line(event.to_dict(), self.known_secrets), print_console=False)

    def _connect_config(self) -> None:
        assert self.started is not None
        folder = rundir.RunFolder(Path(self.started.run_dir))
        config_text = (folder / rundir.CONFIG).read_text(encoding="utf-8")
        self.task.set_configuration_object("automl-tui config", config_text=config_text, config_type="toml")
        profile = folder / rundir.DATA_PROFILE
        if profile.exists():
            upload(self.task, "data_profile", str(profile), self.not_recorded)
            publish_data_charts(self.task, folder.read_json(rundir.DATA_PROFILE))

    # ---- training: the live leaderboard ----

    def _report_candidate(self, row: dict[str, Any]) -> None:
        assert self.started is not None and self.task is not None
        metric = self.started.primary_metric
        logger = self.task.get_logger()
        logger.report_scalar(f"cv {metric}", row["model"], float(row[f"{metric}_mean"]), iteration=len(self.rows))

    def _candidate_task(self, row: dict[str, Any], training_id: str | None) -> None:
        assert self.started is not None
        model = str(row["model"])
        recommended = self.finished is not None and self.finished.recommended == model
        extra_tags = (naming.model_tag(model), *(("recommended",) if recommended else ()))
        name = naming.task_name(model, self.started.run_id, self.started.dataset_key)
        task = self._init(name, "training", "training", extra_tags)
        if training_id:
            task.set_parent(training_id)
        describe_candidate(task, row, Path(self.started.run_dir) if recommended else None, self.not_recorded)
        with sdk.quiet():
            task.close()
