"""A run, phase by phase: preprocessing → training → decision → refit → reporting.

Every finished candidate is on disk (results_summary.csv, leaderboard.csv, events.jsonl) the moment it
finishes, and the report is always rebuilt from those files, so an interrupted run still reports.
"""

from __future__ import annotations

import platform
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from engine import budget, rundir, tracking
from engine import decision as decision_mod
from engine import events as ev
from engine.config import RunConfig, to_toml
from engine.errors import UserError, one_line
from engine.messages import t
from engine.naming import dataset_key, new_run_id
from engine.rundir import RunFolder

RESULT_COLUMNS_HEAD = ["model", "stage", "status", "reason"]
TIMING_COLUMNS = ["fit_s", "predict_ms_per_1k", "predict_ms_single_row", "size_bytes"]
RANK_COLUMNS = ["rank", "rank_accuracy", "rank_speed", "rank_size", "pareto"]
VERSIONED_LIBRARIES = ("scikit-learn", "pandas", "numpy", "lightgbm", "pydantic")


@dataclass
class RunResult:
    run_id: str
    run_dir: str
    status: str  # finished | cancelled | no_candidate
    recommended: str | None
    reason: str
    test_metrics: dict[str, float]
    leaderboard: list[dict[str, Any]]
    elapsed_s: float
    decision: Any = None
    warnings: list[str] = field(default_factory=list)


def metric_columns(metric_names: list[str]) -> list[str]:
    return [f"{name}_{stat}" for name in metric_names for stat in ("mean", "std")]


def library_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {"python": platform.python_version()}
    for name in ("automl-tui", *VERSIONED_LIBRARIES):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            continue
    return found


class _Run:
    """The state of one run while it is in progress."""

    def __init__(self, config: RunConfig, on_event: Callable[[ev.Event], None] | None, cancel: Any) -> None:
        self.config = config
        self.on_event = on_event
        self.cancel = cancel
        self.clock = budget.Clock(config.time_budget_s, unlimited=config.max_trials is not None)
        self.primary: Any = None
        self.result_columns: list[str] = []
        self.leaderboard_columns: list[str] = []
        self.folder: RunFolder | None = None
        self.warnings: list[str] = []
        self.rows: list[dict[str, Any]] = []
        self.cancelled = False
        self.steps: tuple = ()
        self.trackers = tracking.Trackers([])

    def emit(self, event: ev.Event) -> None:
        if isinstance(event, ev.RunWarning):
            self.warnings.append(event.message)
        failed = self.trackers.event(event)
        if self.on_event is not None:
            self.on_event(event)
        self.tracking_stopped(failed)

    def tracking_stopped(self, failed: list[tuple[tracking.Tracker, Exception]]) -> None:
        for tracker, exc in failed:
            message = t("run.tracker_failed", tracker=type(tracker).__name__, error=one_line(exc))
            self.emit(ev.RunWarning(message=message, topic="run"))

    def elapsed(self) -> float:
        return self.clock.elapsed()

    def record(
        self, model: str, status: str, reason: str, described: dict[str, Any] | None = None, stage: str = "default"
    ) -> None:
        """A candidate that did not finish: in results_summary.csv and the event stream, with the reason."""
        assert self.folder is not None
        self.folder.append_result(
            {"model": model, "stage": stage, "status": status, "reason": reason, "params": _params_text(described)},
            self.result_columns,
        )
        self.emit(ev.CandidateFailed(model=model, status=status, reason=reason))

    def finished(self, row: dict[str, Any], described: dict[str, Any]) -> None:
        """A candidate that finished: on disk at once (results, leaderboard), then announced."""
        assert self.folder is not None
        row["params"] = _params_text(described)
        self.rows.append(row)
        self.folder.append_result(row, self.result_columns)
        self.folder.write_csv(
            rundir.LEADERBOARD, decision_mod.annotate(self.rows, self.primary), self.leaderboard_columns
        )
        self.emit(ev.CandidateFinished(row=row))

    def cancel_requested(self) -> bool:
        return self.cancelled or bool(self.cancel is not None and self.cancel.is_set())


def run(
    config: RunConfig,
    on_event: Callable[[ev.Event], None] | None = None,
    cancel: Any = None,
    run_id: str | None = None,
) -> RunResult:
    """`run_id` is given when the run was named before it started (a remote run, named when it was enqueued)."""
    if config.data is None:
        raise UserError("run.no_data")
    state = _Run(config, on_event, cancel)
    # a tracking server that cannot be used is said before any work
    state.trackers = tracking.Trackers(tracking.for_config(config))
    try:
        return _run(state, run_id or new_run_id())
    finally:
        state.tracking_stopped(state.trackers.close())


@dataclass
class Prepared:
    """What a run checks and settles before any model is fitted; a pipeline's preprocessing step is this."""

    dataset: Any
    primary: Any
    task_metrics: list[Any]
    specs: list[Any]
    unusable: list[tuple[str, str]]
    plans: Any
    folds: Any


def prepare(config: RunConfig) -> Prepared:
    from engine import data, evaluate, preprocess, search
    from engine.registry import metrics, models

    dataset = data.load(config.data, config.target, config.task)
    task = dataset.task
    primary = metrics.get(config.primary_metric or metrics.default_primary(task, dataset.class_counts))
    if not primary.supports(task):
        raise UserError("run.metric_wrong_task", metric=primary.name, task=task)
    specs, unusable = models.candidates(config.models, task)
    if not specs:
        raise UserError("run.no_models", task=task, models=", ".join(config.models))
    # split before the run folder exists: a class too small for the folds is bad input, not a half-made run
    folds = evaluate.split(
        dataset.X, dataset.y, task, config.test_size, config.cv_folds, config.seed, config.test_rows_max
    )
    return Prepared(
        dataset=dataset,
        primary=primary,
        task_metrics=[primary, *[m for m in metrics.for_task(task) if m.name != primary.name]],
        specs=search.order(specs),
        unusable=unusable,
        plans=preprocess.plan(dataset.profiles),
        folds=folds,
    )


def _run(state: _Run, run_id: str) -> RunResult:
    from engine import checks, evaluate, plugins, reading, search, training
    from engine.registry import steps

    config = state.config
    prepared = prepare(config)
    dataset, primary, task_metrics, plans, folds = (
        prepared.dataset,
        prepared.primary,
        prepared.task_metrics,
        prepared.plans,
        prepared.folds,
    )
    task = dataset.task
    search_folds = evaluate.sample_for_search(folds, task, config.search_rows, config.seed)
    baseline = search.measure_baseline(plans, search_folds.X_train, search_folds.y_train, task, config.seed)
    estimate_s = search.estimate_seconds(baseline, prepared.specs, search_folds.n_folds, config.latency_repeats)
    rows = search.rows_for_budget(len(search_folds.y_train), estimate_s, state.clock)
    if rows < len(search_folds.y_train):  # the defaults alone would eat the budget: compare on fewer rows
        search_folds = evaluate.sample_for_search(folds, task, rows, config.seed)
        estimate_s *= rows / len(folds.y_train)

    key = dataset_key(config.data)
    state.folder = folder = RunFolder.create(config.out, run_id)
    effective = config.model_copy(
        update={"data": config.data.resolve(), "target": dataset.target, "task": task, "primary_metric": primary.name}
    )
    rundir.write_atomic(folder / rundir.CONFIG, to_toml(effective))
    folder.write_json(rundir.DATA_PROFILE, dataset.summary())
    metric_names = [m.name for m in task_metrics]
    state.primary = primary
    state.leaderboard_columns = [
        "rank",
        "model",
        *metric_columns(metric_names),
        *TIMING_COLUMNS,
        *RANK_COLUMNS[1:],
        "params",
    ]
    state.result_columns = [*RESULT_COLUMNS_HEAD, *metric_columns(metric_names), *TIMING_COLUMNS, "params"]
    run_info: dict[str, Any] = {
        "run_id": run_id,
        "dataset_key": key,
        "task": task,
        "target": dataset.target,
        "primary_metric": primary.name,
        "metrics": metric_names,
        "metric_facts": {m.name: m.facts_json() for m in task_metrics},
        "priority": config.priority,
        "preset": config.preset,
        "recommended": None,
        "test_metrics": {},
        "budget_s": config.time_budget_s,
        "elapsed_s": None,
        "n_candidates": 0,
        "seed": config.seed,
        "made_by": rundir.here(),  # with model_sha256: predict loads the model without asking only when both hold
        "status": "running",
        "versions": library_versions(),
        "config": config.model_dump(mode="json", exclude_none=True),
        "missing": {},
    }
    folder.write_json(rundir.RUN_JSON, run_info)
    state.emit(
        ev.RunStarted(
            run_id=run_id,
            dataset_key=key,
            run_dir=str(folder.path),
            task=task,
            target=dataset.target,
            primary_metric=primary.name,
            budget_s=config.time_budget_s,
            candidates=[s.name for s in prepared.specs],
            estimate_s=round(min(estimate_s, config.time_budget_s), 1),
            memory_mb=round(reading.memory_estimate(config.data, dataset.source) / 2**20, 1),
            priority=config.priority,
        )
    )
    for message in plugins.warnings():
        state.emit(ev.RunWarning(message=message, topic="run"))
    if dataset.target_was_guessed:
        state.emit(
            ev.RunWarning(
                message=t("run.target_guessed", target=dataset.target, task=task, why=dataset.target_reason),
                topic="run",
            )
        )
    for message in dataset.warnings:
        state.emit(ev.RunWarning(message=message))

    for name, why in prepared.unusable:
        state.record(name, "skipped", why)

    state.emit(ev.PhaseChanged(phase="preprocessing"))
    overlap = checks.overlap_warning(folds.X_train, folds.y_train, folds.X_test, folds.y_test)
    for message in folds.warnings:
        state.emit(ev.RunWarning(message=message, topic="run"))
    if overlap:
        state.emit(ev.RunWarning(message=overlap))
    if search_folds is not folds:
        sampled = t("run.search_sample", rows=len(search_folds.y_train), total=len(folds.y_train))
        state.emit(ev.RunWarning(message=sampled, topic="run"))

    state.emit(ev.PhaseChanged(phase="training"))
    state.steps = tuple(steps.get(name) for name in config.steps)
    # a fold fits (k-1)/k of the search rows; the refit fits every training row
    scale = len(folds.y_train) / (len(search_folds.y_train) * (search_folds.n_folds - 1) / search_folds.n_folds)
    trainer = training.Training(state, plans, task, primary, task_metrics, search_folds, scale, len(folds.y_test))
    outcome = trainer.run(prepared.specs)
    run_info["search"] = outcome.summary()
    return _finish(state, run_info, dataset, plans, folds, search_folds, primary, task_metrics, outcome, scale)


def _finish(state: _Run, run_info, dataset, plans, folds, search_folds, primary, task_metrics, outcome, scale):
    from engine import evaluate, insights, refit, report

    config, folder = state.config, state.folder
    assert folder is not None
    run_info["n_candidates"] = len(state.rows)

    def missing(name: str, reason: str) -> None:
        run_info["missing"][name] = reason
        state.emit(ev.ArtifactMissing(name=name, reason=reason))

    chosen = final = test_predictions = None
    if state.rows:
        state.emit(ev.PhaseChanged(phase="decision"))
        chosen = decision_mod.decide(
            state.rows, primary, config.priority, config.decision.tolerance, config.decision.top_k
        )
        run_info["recommended"] = chosen.recommended
        state.emit(ev.PhaseChanged(phase="refit"))
        try:
            final = refit.final_model(
                state, run_info, outcome, chosen.recommended, plans, dataset.task, folds, search_folds, scale
            )
            # the test rows are predicted once: the scores, test_predictions.csv and the charts use the same
            tested = evaluate.Replay.of(final, folds.X_test, dataset.task)
            run_info["test_metrics"] = evaluate.replay_scores(tested, folds.y_test, dataset.task, task_metrics)
            run_info["model_sha256"] = _save_model(final, folder)
            test_predictions = _save_test_predictions(tested, folder, dataset, folds)
        except KeyboardInterrupt:
            state.cancelled = True
            missing(rundir.MODEL, t("missing.refit_cancelled"))
        except budget.BudgetExceeded:
            final = None
            missing(rundir.MODEL, t("missing.budget"))
        except Exception as exc:
            final = None
            missing(rundir.MODEL, t("missing.refit_failed", error=one_line(exc)))
        if not state.cancel_requested():
            insights.explain_and_draw(
                state, run_info, missing, chosen, final, test_predictions, dataset, folds, primary
            )
    else:
        missing(rundir.LEADERBOARD, t("missing.no_candidate"))
        missing(rundir.MODEL, t("missing.no_candidate"))
    status = "no_candidate" if not state.rows else "cancelled" if state.cancel_requested() else "finished"
    run_info.update(status=status, elapsed_s=round(state.elapsed(), 3))
    folder.write_json(rundir.RUN_JSON, run_info)
    state.emit(ev.PhaseChanged(phase="reporting"))
    report_path = report.write(folder.path)
    # what the run wrote: a file missing later was removed afterwards, and a rebuilt report says so
    run_info.update(elapsed_s=round(state.elapsed(), 3), written=folder.files())
    folder.write_json(rundir.RUN_JSON, run_info)
    reason = chosen.reason if chosen else t("run.no_candidate_finished")
    state.emit(
        ev.RunFinished(
            status=status,
            recommended=run_info["recommended"],
            reason=reason,
            test_metrics=run_info["test_metrics"],
            report_path=str(report_path),
            elapsed_s=run_info["elapsed_s"],
        )
    )
    return RunResult(
        run_id=run_info["run_id"],
        run_dir=str(folder.path),
        status=status,
        recommended=run_info["recommended"],
        reason=reason,
        test_metrics=run_info["test_metrics"],
        leaderboard=decision_mod.annotate(state.rows, primary) if state.rows else [],
        elapsed_s=run_info["elapsed_s"],
        decision=chosen,
        warnings=state.warnings,
    )


def _params_text(described: dict[str, Any] | None) -> str:
    import json

    return "" if not described else json.dumps(described, default=repr, sort_keys=True)


def _save_test_predictions(tested: Any, folder: RunFolder, dataset, folds) -> Any:
    """The saved model's predictions on the test rows, by row number in the file (`predict` must repeat them);
    returned for the charts."""
    from engine.formatting import spreadsheet_safe
    from engine.predict import frame_of

    frame = frame_of(tested)
    frame.insert(0, "actual", folds.y_test.to_numpy())
    frame.insert(0, "row", dataset.source_rows[folds.test_positions] + 1)
    spreadsheet_safe(frame).to_csv(folder / rundir.TEST_PREDICTIONS, index=False)  # as `predict` writes them
    return frame


def _save_model(pipeline: Any, folder: RunFolder) -> str:
    """model.joblib, written whole or not at all; returns its sha256 (the run records it)."""
    import os

    import joblib

    tmp = folder / f".{rundir.MODEL}.tmp"
    try:
        joblib.dump(pipeline, tmp)
        digest = rundir.sha256_of(tmp)
        os.replace(tmp, folder / rundir.MODEL)
    finally:
        tmp.unlink(missing_ok=True)
    return digest
