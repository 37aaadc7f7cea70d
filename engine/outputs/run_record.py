"""The one writer of what a run says of itself (run.json, the saved decision, the RunStarted and RunFinished events),
and its one reader (RunRecord). A run on one machine and a pipeline's reporting step (which finishes the families'
searches) both write through here."""

from __future__ import annotations

import platform
import tomllib
from contextlib import suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Self

from automl_tui_engine import events as ev
from automl_tui_engine.config import DecisionSettings, RunConfig
from automl_tui_engine.decision import Decision, decide
from automl_tui_engine.errors import UserError
from automl_tui_engine.extension.registry.metrics import MetricFacts
from automl_tui_engine.messages import language
from automl_tui_engine.outputs import rundir
from automl_tui_engine.tasks import Task

VERSIONED_LIBRARIES = ("scikit-learn", "pandas", "numpy", "lightgbm", "pydantic")
# what run.json's record_version says of the folder: 1 (or none) before the decision was saved with the run, 2 since
# (rundir.RECOMMENDATION); a reader migrates older folders (_as_current) and refuses newer ones in words
RECORD_VERSION = 2


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
    task: Task
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
        "record_version": RECORD_VERSION,
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
        "lang": language(),  # the language the run spoke: its report is rewritten in it (report.write)
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


@dataclass(frozen=True)
class RunRecord:
    """A run folder as every face reads it: run.json, the settings, the events, the candidates' rows and the saved
    decision. `load` reads a folder of any earlier version, and one a run left half-way (a crash, Ctrl+C)."""

    folder: rundir.RunFolder
    info: dict[str, Any]  # run.json
    config: dict[str, Any]  # config.toml: the settings as given (run.json's copy when the file is gone)
    profile: dict[str, Any]  # data_profile.json
    events: list[dict[str, Any]]
    attempted: list[dict[str, Any]]  # results_summary.csv: every candidate tried, finished or not
    rows: list[dict[str, Any]]  # leaderboard.csv: the finished ones, ranked
    run_id: str
    dataset_key: str
    task: Task | None  # None: a folder that does not say (a run stopped before it knew)
    priority: str
    metric: MetricFacts | None  # the metric the run ranked by, as it recorded it
    decision: Decision | None  # None: no candidate finished

    @property
    def status(self) -> str:
        return str(self.info.get("status", "running"))

    @classmethod
    def load(cls, run_dir: Path) -> Self:
        folder = rundir.RunFolder(Path(run_dir))
        info = folder.read_json(rundir.RUN_JSON)
        config_path = folder / rundir.CONFIG
        config = tomllib.loads(config_path.read_text(encoding="utf-8")) if config_path.exists() else {}
        events = folder.read_events()
        attempted = folder.read_csv(rundir.RESULTS)
        rows = [r for r in folder.read_csv(rundir.LEADERBOARD) if r.get("model")]
        finished = [r for r in attempted if r.get("status") == "ok"]
        if {r["model"] for r in finished} - {r["model"] for r in rows}:
            # leaderboard.csv lost or behind (a full disk cut its rewrite): the append-only results file has every
            # finished row
            rows = finished
        if not (info or config or events or attempted):
            raise UserError("report.not_a_run", path=run_dir)
        version = info.get("record_version", 1)
        if not isinstance(version, int) or version > RECORD_VERSION:
            raise UserError("report.newer_record", path=run_dir, version=version, known=RECORD_VERSION)
        info, config, decision = _as_current(folder, info, config, events, rows)
        metric_name = info.get("primary_metric")
        # what the run recorded of its metric: reading a run folder imports no plugin (they run code)
        metric = MetricFacts.recorded(info.get("metric_facts", {}), metric_name) if metric_name else None
        return cls(
            folder=folder,
            info=info,
            config=config,
            profile=folder.read_json(rundir.DATA_PROFILE),
            events=events,
            attempted=attempted,
            rows=rows,
            run_id=info["run_id"],
            dataset_key=info["dataset_key"],
            task=Task(info["task"]) if info["task"] in tuple(Task) else None,
            priority=info["priority"],
            metric=metric,
            decision=decision,
        )


def save_decision(run_dir: Path, decision: Decision) -> None:
    """The decision, saved the moment it is taken: every face reads this one instead of deciding again."""
    rundir.RunFolder(run_dir).write_json(rundir.RECOMMENDATION, decision.to_json())


def _as_current(
    folder: rundir.RunFolder,
    info: dict[str, Any],
    config: dict[str, Any],
    events: list[dict[str, Any]],
    rows: list[dict[str, Any]],
) -> tuple[dict[str, Any], dict[str, Any], Decision | None]:
    """(run.json, settings, decision) as this version writes them, from a folder of any version. The one migration:
    - config.toml lost: run.json's copy of the settings as given;
    - run.json missing or from a run that stopped before writing it: what the RunStarted event and the settings say;
    - no saved decision (a folder from before decisions were saved, a run stopped before deciding, or a decision of
      a version this one does not read): decided from the leaderboard by the run's own settings, as the run would."""
    config = config or info.get("config") or {}
    started = next((e for e in events if e.get("kind") == "run_started"), {})
    info = {
        **info,
        "run_id": info.get("run_id") or started.get("run_id") or folder.path.name,
        "dataset_key": info.get("dataset_key") or started.get("dataset_key", "?"),
        "task": info.get("task") or config.get("task") or started.get("task", "?"),
        "priority": info.get("priority") or config.get("priority", "balanced"),
        "primary_metric": info.get("primary_metric") or config.get("primary_metric") or started.get("primary_metric"),
    }
    saved = folder.read_json(rundir.RECOMMENDATION)
    if saved:
        with suppress(ValueError, KeyError, TypeError):
            return info, config, Decision.from_json(saved)
    metric_name = info["primary_metric"]
    metric = MetricFacts.recorded(info.get("metric_facts", {}), metric_name) if metric_name else None
    if not rows or metric is None:
        return info, config, None
    settings = DecisionSettings.recorded(config.get("decision", {}))
    return info, config, decide(rows, metric, info["priority"], settings.tolerance, settings.top_k)
