"""What every phase of a run is given: the run's settings and facts, its clock, its folder, and the ways to say
what happens (events, candidates). Phases read the context and return results; only the runner puts them together.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from automl_tui_engine import events as ev
from automl_tui_engine.config import RunConfig
from automl_tui_engine.core.budget import Clock
from automl_tui_engine.errors import one_line
from automl_tui_engine.extension.registry.metrics import MetricSpec
from automl_tui_engine.messages import t
from automl_tui_engine.outputs.candidate_log import CandidateLog
from automl_tui_engine.outputs.rundir import RunFolder
from automl_tui_engine.tasks import Task

if TYPE_CHECKING:  # each loads with what needs it: the browser with the charts, the trackers with the run
    from automl_tui_engine.extension.registry.steps import StepSpec
    from automl_tui_engine.outputs.png_browser import PngBrowser
    from automl_tui_engine.tracking import Tracker, Trackers


class Asked(Protocol):
    """What a caller asks a run to stop with: a threading.Event, or anything else with is_set()."""

    def is_set(self) -> bool: ...


@dataclass
class Cancel:
    """Whether the run should stop: asked by the caller (a threading.Event set elsewhere), or Ctrl+C caught while
    a model was training."""

    asked: Asked | None = None
    caught: bool = False

    def requested(self) -> bool:
        return self.caught or bool(self.asked is not None and self.asked.is_set())


@dataclass
class Announcer:
    """Every event of the run, in order, to its trackers (the run folder's events.jsonl, ClearML) and the caller.
    A tracker that fails is dropped and said as a warning about tracking: the run goes on."""

    trackers: Trackers
    on_event: Callable[[ev.Event], None] | None = None
    warnings: list[str] = field(default_factory=list)
    run_dir: str = ""  # the run folder, once the run has started

    def emit(self, event: ev.Event) -> None:
        if isinstance(event, ev.RunWarning):
            self.warnings.append(event.message)
        elif isinstance(event, ev.RunStarted):
            self.run_dir = event.run_dir
        failed = self.trackers.event(event)
        if self.on_event is not None:
            self.on_event(event)
        self._said_stopped(failed)

    def close(self) -> bool:
        """Close the trackers; whether one failed doing so (after the report was written)."""
        return self._said_stopped(self.trackers.close())

    def _said_stopped(self, failed: list[tuple[Tracker, Exception]]) -> bool:
        from automl_tui_engine.tracking import STUCK_AFTER_S, NotAllRecorded, TrackerAbandoned

        for tracker, exc in failed:
            topic = ev.TRACKING  # tracking that stopped: the report's Debug lists it as what ClearML lacks
            if isinstance(exc, TrackerAbandoned):
                reason = "run.tracker_stuck" if exc.stuck else "run.tracker_abandoned"
                message = t(reason, run_dir=self.run_dir, seconds=f"{STUCK_AFTER_S:g}")
            elif isinstance(exc, NotAllRecorded):  # the Debug lists each item already (clearml.json)
                message, topic = t("run.tracker_incomplete", items=", ".join(exc.items)), "run"
            else:
                message = t("run.tracker_failed", tracker=type(tracker).__name__, error=one_line(exc))
            self.emit(ev.RunWarning(message=message, topic=topic))
        return bool(failed)


@dataclass(frozen=True)
class RunContext:
    """One run in progress, as its phases see it."""

    config: RunConfig
    run_id: str
    folder: RunFolder
    clock: Clock
    task: Task
    primary: MetricSpec
    task_metrics: list[MetricSpec]
    steps: tuple[StepSpec, ...]  # preprocessing steps from plugins, before each model
    announcer: Announcer
    candidates: CandidateLog
    cancel: Cancel
    png_browser: PngBrowser | None = None  # when the run draws PNG charts and a browser is here
    missing: dict[str, str] = field(default_factory=dict)  # artifact -> why the run could not make it

    def emit(self, event: ev.Event) -> None:
        self.announcer.emit(event)

    def artifact_missing(self, name: str, reason: str) -> None:
        """An artifact the run could not make, and why: in run.json and the report's Debug section."""
        self.missing[name] = reason
        self.emit(ev.ArtifactMissing(name=name, reason=reason))

    def artifacts_missing(self, names: list[str], reason: str, together: str) -> None:
        """Several artifacts missing for one reason: each recorded as artifact_missing does, said once, as
        `together` ("7 PNG charts"), when there are more than one."""
        for name in names:
            self.missing[name] = reason
        self.emit(ev.ArtifactMissing(name=names[0] if len(names) == 1 else together, reason=reason))

    def warn(self, message: str, topic: str = "data") -> None:
        self.emit(ev.RunWarning(message=message, topic=topic))

    def phase(self, phase: str) -> None:
        self.emit(ev.PhaseChanged(phase=phase))
