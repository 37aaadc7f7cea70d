"""Small immutable events the engine emits; every face (TUI, headless, tracker) renders the same stream."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar

from automl_tui_engine.tasks import Task

# The one definition of the words a run records; every face has a message for each (a test holds them complete).
PHASES = ("preprocessing", "training", "decision", "refit", "explaining", "charts", "reporting")
# a candidate's status in results_summary.csv: "ok" finished; every other one arrives as CandidateFailed
CANDIDATE_STATUSES = ("ok", "failed", "skipped", "stopped", "pruned", "cancelled")
# what a live view shows before a candidate has one of those
LIVE_STATUSES = ("waiting", "training")
RUN_STATUSES = ("running", "finished", "cancelled", "no_candidate")
# what a warning is about: the table itself (a limit of any model learned from it) or how this run went
TRACKING = "tracking"  # a warning that a tracker (ClearML) stopped: the report's Debug lists it
WARNING_TOPICS = ("data", "run", TRACKING)


@dataclass(frozen=True)
class Event:
    kind: ClassVar[str] = "event"
    at: float = field(default_factory=time.time, kw_only=True)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, **asdict(self)}


@dataclass(frozen=True)
class RunStarted(Event):
    kind: ClassVar[str] = "run_started"
    run_id: str
    dataset_key: str
    run_dir: str
    task: Task
    target: str
    primary_metric: str
    budget_s: float
    candidates: list[str]
    estimate_s: float | None = None  # about how long the search takes (measured on this data), at most the budget
    memory_mb: float | None = None  # about how much memory the table takes once read
    priority: str = "balanced"  # what the recommendation favours (accuracy | speed | size | balanced)
    greater_is_better: bool = True  # the primary metric's direction, so a face sorts a plugin metric rightly too
    baseline: dict[str, float] | None = None  # what guessing scores in the same folds, per metric (search/baseline)
    # how the primary metric's figures are written (formatting.score_text): a share, or an error in the target's unit
    metric_bounded: bool = True
    metric_unit: str = ""
    metric_title: str = ""  # the primary metric's words for people (registry.metrics.title), a plugin's label too


@dataclass(frozen=True)
class PhaseChanged(Event):
    kind: ClassVar[str] = "phase_changed"
    phase: str  # one of PHASES


@dataclass(frozen=True)
class CandidateStarted(Event):
    kind: ClassVar[str] = "candidate_started"
    model: str


@dataclass(frozen=True)
class CandidateFinished(Event):
    kind: ClassVar[str] = "candidate_finished"
    row: dict[str, Any]


@dataclass(frozen=True)
class CandidateFailed(Event):
    kind: ClassVar[str] = "candidate_failed"
    model: str
    status: str  # one of CANDIDATE_STATUSES but "ok"
    reason: str  # why, in words that do not repeat the status


@dataclass(frozen=True)
class RunWarning(Event):
    kind: ClassVar[str] = "warning"
    message: str
    topic: str = "data"  # one of WARNING_TOPICS: the model card lists only the data's


@dataclass(frozen=True)
class ArtifactMissing(Event):
    kind: ClassVar[str] = "artifact_missing"
    name: str
    reason: str


@dataclass(frozen=True)
class RunFinished(Event):
    kind: ClassVar[str] = "run_finished"
    status: str  # one of RUN_STATUSES but "running"
    recommended: str | None
    reason: str
    test_metrics: dict[str, float]
    report_path: str
    elapsed_s: float
    verdict: list[str] = field(default_factory=list)  # is the model any good, in sentences (verdict.py)
    # the Decision Summary's first line when only some of the run's model kinds were compared (search_counts.py)
    coverage: str = ""


@dataclass(frozen=True)
class StepChanged(Event):
    """A step of a pipeline run changed status (clearml/pipeline.py): seen only by the command running the
    pipeline's controller; the run folder that comes home holds the merged run's events."""

    kind: ClassVar[str] = "step_changed"
    step: str
    status: str


def run_status_word(status: str) -> str:
    """A run's status (RUN_STATUSES) in the user's words; one from a newer version is shown as written."""
    from automl_tui_engine.messages import t

    return t(f"run_status.{status}") if status in RUN_STATUSES else status


def status_word(status: str) -> str:
    """A candidate's status (CANDIDATE_STATUSES or LIVE_STATUSES) in the user's words, for every face."""
    from automl_tui_engine.messages import t

    return t(f"status.{status}")


EVENT_TYPES: dict[str, type[Event]] = {
    cls.kind: cls
    for cls in (
        RunStarted,
        PhaseChanged,
        CandidateStarted,
        CandidateFinished,
        CandidateFailed,
        RunWarning,
        ArtifactMissing,
        RunFinished,
        StepChanged,
    )
}


def from_dict(data: dict[str, Any]) -> Event:
    """An event back from its events.jsonl line (to replay a run, or follow one from elsewhere)."""
    fields: dict[str, Any] = {key: value for key, value in data.items() if key != "kind"}
    if "task" in fields:  # JSON keeps a task's name: back to the Task it names
        fields["task"] = Task(fields["task"])
    return EVENT_TYPES[data["kind"]](**fields)
