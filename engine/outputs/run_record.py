"""The one writer of what a run says of itself: run.json, and the RunStarted and RunFinished events. A run on one
machine and a pipeline's reporting step (which finishes the families' searches) both write through here."""

from __future__ import annotations

import platform
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from automl_tui_engine import events as ev
from automl_tui_engine.config import RunConfig
from automl_tui_engine.outputs import rundir

VERSIONED_LIBRARIES = ("scikit-learn", "pandas", "numpy", "lightgbm", "pydantic")


def library_versions(libraries: tuple[str, ...] = VERSIONED_LIBRARIES) -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {"python": platform.python_version()}
    for name in ("automl-tui", *libraries):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            continue
    return found


@dataclass(frozen=True)
class RunFacts:
    """What a run is, settled before any model is fitted: the head of run.json, and its RunStarted event."""

    run_id: str
    dataset_key: str
    run_dir: Path
    task: str
    target: str
    metrics: list[Any]  # MetricSpec or MetricFacts (anything with name and facts_json()), the primary metric first
    config: RunConfig
    baseline: dict[str, Any] | None = None  # search/baseline.Baseline.summary(): what guessing scores
    target_unit: str = ""  # the unit the target's numbers were written with ("¥", "%"), if any
    threads: dict[str, int] | None = None  # {"used", "cores"}: the threads fits used (core/threads.py)
    # when the process and the budget's clock started (epoch seconds): the time line's first marks
    started_at: dict[str, float] | None = None

    def started(self, candidates: list[str], estimate_s: float | None = None, memory_mb: float | None = None):
        return ev.RunStarted(
            run_id=self.run_id,
            dataset_key=self.dataset_key,
            run_dir=str(self.run_dir),
            task=self.task,
            target=self.target,
            primary_metric=self.metrics[0].name,
            budget_s=self.config.time_budget_s,
            candidates=candidates,
            estimate_s=estimate_s,
            memory_mb=memory_mb,
            priority=self.config.priority,
            greater_is_better=self.metrics[0].greater_is_better,
            metric_bounded=self.metrics[0].bounded,
            metric_unit=getattr(self.metrics[0], "unit", ""),
            metric_title=self.metrics[0].title,
            baseline=self.baseline["cv_mean"] if self.baseline else None,
        )


@dataclass(frozen=True)
class RunOutcome:
    """How a run went, as far as it got (the rest of run.json)."""

    status: str = "running"  # events.RUN_STATUSES
    recommended: str | None = None
    test_metrics: dict[str, float] = field(default_factory=dict)
    elapsed_s: float | None = None
    n_candidates: int = 0
    missing: dict[str, str] = field(default_factory=dict)  # artifact -> why it is not there
    search: dict[str, Any] | None = None  # search.outcome.SearchResult.summary()
    refit: dict[str, Any] | None = None  # refit.Refit.summary()
    charts: list[str] | None = None
    timings: dict[str, float] | None = None
    model_sha256: str | None = None
    # this user's HMAC of model.joblib (model_signature.py): predict loads the model without asking only when it holds
    model_signature: str | None = None
    written: list[str] | None = None  # every file the finished run left: one missing later was removed
    pipeline: dict[str, str] | None = None  # a pipeline run's steps and how each ended
    # classification: per class of the test rows, how many there are and how many the model finds (verdict.per_class)
    per_class: list[dict[str, Any]] | None = None
    # the standard error of the recommended model's gap over guessing, from resampled rows (search/baseline.gap_se)
    gap_se: float | None = None
    gap_resamples: int | None = None  # how many resamples it was measured on (fewer when time was short)

    def finished_event(self, reason: str, report_path: Path, verdict: list[str], coverage: str) -> ev.RunFinished:
        return ev.RunFinished(
            status=self.status,
            recommended=self.recommended,
            reason=reason,
            test_metrics=self.test_metrics,
            report_path=str(report_path),
            elapsed_s=self.elapsed_s or 0.0,
            verdict=verdict,
            coverage=coverage,
        )


def write(facts: RunFacts, outcome: RunOutcome) -> dict[str, Any]:
    """run.json from the run's facts and outcome; returns what was written."""
    config = facts.config
    record = {
        "run_id": facts.run_id,
        "dataset_key": facts.dataset_key,
        "task": facts.task,
        "target": facts.target,
        "primary_metric": facts.metrics[0].name,
        "metrics": [metric.name for metric in facts.metrics],
        "metric_facts": {metric.name: metric.facts_json() for metric in facts.metrics},
        "priority": config.priority,
        "preset": config.preset,
        "budget_s": config.time_budget_s,
        "seed": config.seed,
        "made_by": rundir.here(),
        "versions": library_versions(),
        "config": config.model_dump(mode="json", exclude_none=True),
        **({"baseline": facts.baseline} if facts.baseline else {}),
        **({"target_unit": facts.target_unit} if facts.target_unit else {}),
        **({"threads": facts.threads} if facts.threads else {}),
        **({"started": facts.started_at} if facts.started_at else {}),
        **{key: value for key, value in asdict(outcome).items() if value is not None or key in ALWAYS},
    }
    rundir.RunFolder(facts.run_dir).write_json(rundir.RUN_JSON, record)
    return record


def amend(run_dir: Path, **changes: Any) -> None:
    """run.json with `changes`' keys replaced: a run folder brought home from an agent (what differs here), or what
    was decided after the run (its adoptions)."""
    folder = rundir.RunFolder(run_dir)
    folder.write_json(rundir.RUN_JSON, {**folder.read_json(rundir.RUN_JSON), **changes})


def adopt(run_dir: Path) -> None:
    """A run folder this user's own run brought home: made by them, as far as trusting its model goes. The model is
    signed here when it is the file the run recorded (its sha256, as written on the agent)."""
    from automl_tui_engine import model_signature

    model = Path(run_dir) / rundir.MODEL
    recorded = rundir.RunFolder(run_dir).read_json(rundir.RUN_JSON).get("model_sha256")
    same = model.is_file() and recorded == rundir.sha256_of(model)
    amend(run_dir, made_by=rundir.here(), model_signature=model_signature.sign(model) if same else None)


ALWAYS = ("recommended", "elapsed_s")  # keys run.json has even before they are known
