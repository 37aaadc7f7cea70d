"""A run, phase by phase: preprocessing → training → decision → refit → reporting.

Each phase is given the RunContext and returns its result; this module only puts them in order. Every finished
candidate is on disk (results_summary.csv, leaderboard.csv, events.jsonl) the moment it finishes, and the report is
always rebuilt from those files, so an interrupted run still reports.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from automl_tui_engine import decision as decision_mod
from automl_tui_engine import events as ev
from automl_tui_engine import glossary, insights, tracking, verdict
from automl_tui_engine.clearml_tracking import sdk
from automl_tui_engine.clearml_tracking.tracker import ClearMLTracker
from automl_tui_engine.config import RunConfig, to_toml
from automl_tui_engine.context import Announcer, Cancel, RunContext
from automl_tui_engine.core import budget, threads
from automl_tui_engine.errors import one_line
from automl_tui_engine.extension import plugins
from automl_tui_engine.extension.registry import steps
from automl_tui_engine.formatting import spreadsheet_safe
from automl_tui_engine.messages import choose_language, t
from automl_tui_engine.naming import dataset_key, new_run_id
from automl_tui_engine.outputs import png_browser, report, run_record, rundir, time_line
from automl_tui_engine.outputs.candidate_log import CandidateLog
from automl_tui_engine.outputs.search_counts import SearchCounts
from automl_tui_engine.predict import frame_of
from automl_tui_engine.preparing import Prepared, prepare
from automl_tui_engine.search import baseline, evaluate, planning, refit, training
from automl_tui_engine.table import checks, input_ranges, reading
from automl_tui_engine.table.checks import imbalance_warning
from automl_tui_engine.tasks import Task

if TYPE_CHECKING:
    from automl_tui_engine.outputs.png_browser import PngBrowser
    from automl_tui_engine.search.evaluate import Replay, Split
    from automl_tui_engine.search.outcome import SearchResult
    from automl_tui_engine.search.planning import SearchPlan
    from automl_tui_engine.table.data import Dataset


T = TypeVar("T")  # what with_run's caller makes of the run


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


def run(
    config: RunConfig,
    on_event: Callable[[ev.Event], None] | None = None,
    cancel: Any = None,
    run_id: str | None = None,
    since: float | None = None,
) -> RunResult:
    """The one entry point of every face. `cancel` is anything with is_set() (a threading.Event); `run_id` is
    given when the run was named before it started (a remote run, named when it was enqueued); `since` (epoch
    seconds) when the user asked for it before this call (a command's start, before its imports: counted in the
    budget)."""
    return with_run(config, lambda opened: opened.finish(opened.search()), on_event, cancel, run_id, since)


def search_alone(config: RunConfig, run_id: str) -> Path:
    """A run's search and nothing after it: its folder, with what the search found (rundir.SEARCH). A pipeline's
    training step is this for one model family; its reporting step finishes the families' searches as one run."""

    def search(opened: Run) -> Path:
        opened.search().save(opened.ctx.folder / rundir.SEARCH)
        return opened.ctx.folder.path

    return with_run(config, search, run_id=run_id)


def with_run(
    config: RunConfig,
    then: Callable[[Run], T],
    on_event: Callable[[ev.Event], None] | None = None,
    cancel: Any = None,
    run_id: str | None = None,
    since: float | None = None,
    tracked_as_asked: bool = True,
    begun_at: float | None = None,
) -> T:
    """`then` given the run opened (its table read and checked, its folder made, the PNG browser started), with
    the run's language, trackers and threads set around it (run()'s arguments). Not `tracked_as_asked`: events.jsonl
    alone, whatever the config says of ClearML (a pipeline's reporting step, whose own task is the run's record).
    `begun_at`: when another process began the run (budget.Clock)."""
    config.table()  # a run without a table stops here, before any tracker starts
    if config.lang:  # a preset's or the flag's language: the run's words, and its child processes'
        choose_language(config.lang)
    # a tracking server that cannot be used is said before any work
    trackers: list[tracking.Tracker] = _trackers(config) if tracked_as_asked else [tracking.FileTracker()]
    announcer = Announcer(tracking.Trackers(trackers), on_event)
    # as many threads as there are free cores, set before the thread libraries load (core/threads.py)
    count = threads.free_cores()
    threads.settle(count)
    try:
        with threads.limited(count):
            clock = budget.Clock(config.time_budget_s, config.max_trials is not None, since, begun_at)
            return _opened(config, then, announcer, Cancel(cancel), run_id or new_run_id(), clock)
    finally:
        if announcer.close():
            _report_again(announcer.run_dir)


def _report_again(run_dir: str) -> None:
    """Tracking stopped after the report was written: written again, so that its Debug says what ClearML lacks."""
    if run_dir and (Path(run_dir) / rundir.REPORT).exists():
        report.write(Path(run_dir))


def _trackers(config: RunConfig) -> list[tracking.Tracker]:
    """The run folder's events.jsonl, and ClearML tasks when the config asks for them."""
    trackers: list[tracking.Tracker] = [tracking.FileTracker()]
    if config.clearml.enabled:
        # on a thread of its own: the SDK retries a server that stopped answering for ever, in the caller's thread
        tracker = ClearMLTracker(config.clearml.project)
        trackers.append(tracking.BackgroundTracker(tracker, sdk.server_answers, sdk.give_up))
    return trackers


def _opened(
    config: RunConfig, then: Callable[[Run], T], announcer: Announcer, cancel: Cancel, run_id: str, clock: budget.Clock
) -> T:
    prepared = prepare(config)
    plan = planning.plan(prepared.folds, prepared.dataset.task, prepared.plans, prepared.specs, config, clock)
    # the browser that draws the PNG charts starts before the search, so that its start overlaps the search; on a
    # machine without one the charts phase says so, once
    drawing = config.charts == "html+png" and png_browser.browser_path()
    browser = png_browser.PngBrowser() if drawing else None
    try:
        return then(open_run(config, run_id, prepared, plan, announcer, cancel, clock, browser))
    finally:
        if browser is not None:
            browser.close()


def open_run(
    config: RunConfig,
    run_id: str,
    prepared: Prepared,
    plan: SearchPlan,
    announcer: Announcer,
    cancel: Cancel,
    clock: budget.Clock,
    browser: PngBrowser | None,
) -> Run:
    """The run folder with what is settled before any fit (config.toml, the data profile, run.json), the context
    the phases are given, and RunStarted with the warnings about the table."""
    dataset, primary = prepared.dataset, prepared.primary
    folder = rundir.RunFolder.create(config.out, run_id)
    effective = config.model_copy(
        update={
            "data": config.table().resolve(),
            "target": dataset.target,
            "task": dataset.task,
            "primary_metric": primary.name,
        }
    )
    rundir.write_atomic(folder / rundir.CONFIG, to_toml(effective))
    preview = dataset.preview(config.reporting.preview_rows)
    folder.write_json(rundir.DATA_PROFILE, {**dataset.summary(), "split": prepared.folds.facts, "preview": preview})
    folder.write_json(rundir.INPUT_RANGES, input_ranges.of(prepared.folds.X_train, dataset.profiles))
    guessed, no_baseline = baseline.summary_or_why(plan.folds, prepared.folds, dataset.task, prepared.task_metrics)
    facts = run_record.RunFacts(
        run_id,
        dataset_key(config.table()),
        folder.path,
        dataset.task,
        dataset.target,
        prepared.task_metrics,
        config,
        guessed,
        dataset.target_unit,
        {"used": threads.count(), "cores": threads.cores()},
        {"budget": clock.started_at, **({"process": began} if (began := time_line.asked_at(clock.since)) else {})},
    )
    run_record.write(facts, run_record.RunOutcome())
    log = CandidateLog(folder, primary, [m.name for m in prepared.task_metrics], announcer.emit)
    ctx = RunContext(
        config,
        run_id,
        folder,
        clock,
        dataset.task,
        primary,
        prepared.task_metrics,
        tuple(steps.get(name) for name in config.steps),
        announcer,
        log,
        cancel,
        browser,
    )
    memory_mb = round(reading.memory_estimate(config.table(), dataset.source) / 2**20, 1)
    estimate_s = round(min(plan.estimate_s, config.time_budget_s), 1)
    ctx.emit(facts.started([s.name for s in prepared.specs], estimate_s, memory_mb))
    if no_baseline:
        ctx.artifact_missing(BASELINE, no_baseline)
    for message in plugins.warnings():
        ctx.warn(message, topic="run")
    if dataset.target_was_guessed:
        why = dataset.target_reason
        ctx.warn(
            t("run.target_guessed", target=dataset.target, task=glossary.task_word(dataset.task), why=why), topic="run"
        )
    imbalance = imbalance_warning(dataset.class_counts, prepared.primary)
    for message in [*dataset.warnings, *([imbalance] if imbalance else [])]:
        ctx.warn(message)
    for name, why in prepared.unusable:
        log.not_finished(name, "skipped", why)
    _check_split(ctx, prepared.folds, plan)
    return Run(ctx, facts, prepared, plan)


BASELINE = "baseline (what guessing scores)"  # its row among the missing artifacts when it could not be scored


def _check_split(ctx: RunContext, folds: Split, plan: SearchPlan) -> None:
    ctx.phase("preprocessing")
    for message in folds.warnings:
        ctx.warn(message, topic="run")
    overlap = checks.overlap_warning(folds.X_train, folds.y_train, folds.X_test, folds.y_test)
    if overlap:
        ctx.warn(overlap)
    if plan.sampled:
        ctx.warn(t("run.search_sample", rows=len(plan.folds.y_train), total=len(folds.y_train)), topic="run")


@dataclass(frozen=True)
class Run:
    """A run opened (its folder, context and facts; the table as checked; the search's plan): search() compares the
    candidates, finish(searched) takes what they found to the report. run() is the two in turn."""

    ctx: RunContext
    facts: run_record.RunFacts
    prepared: Prepared
    plan: SearchPlan

    def search(self) -> SearchResult:
        self.ctx.phase("training")
        return training.search_phase(self.ctx, self.prepared.specs, self.prepared.plans, self.plan)

    def finish(self, searched: SearchResult) -> RunResult:
        """Decision, refit and test, explanation and charts, then run.json, the report and RunFinished."""
        ctx, facts, prepared, plan = self.ctx, self.facts, self.prepared, self.plan

        config, rows = ctx.config, ctx.candidates.rows
        decision = kept = None
        # the rows the models were compared on (a sample of a large table) and how many training rows there were
        compared_on = {"rows": len(plan.folds.y_train), "train_rows": len(prepared.folds.y_train)}
        outcome = run_record.RunOutcome(
            search={**searched.summary(), **compared_on}, n_candidates=len(rows), missing=ctx.missing
        )
        if rows:
            ctx.phase("decision")
            decision = decision_mod.decide(
                rows, ctx.primary, config.priority, config.decision.tolerance, config.decision.top_k
            )
            run_record.save_decision(ctx.folder.path, decision)
            if facts.baseline:
                se, resamples = baseline.gap_se_of(ctx, searched, decision.recommended, plan.folds)
                outcome = replace(outcome, gap_se=se, gap_resamples=resamples)
            ctx.phase("refit")
            kept, outcome = _refit_and_test(ctx, prepared, plan, searched, decision, outcome)
            if not ctx.cancel.requested():
                model, tested = (kept.model, kept.tested) if kept else (None, None)
                guess = (facts.baseline or {}).get("cv_mean", {}).get(ctx.primary.name)  # the leaderboard chart's line
                made = insights.explain_and_draw(ctx, decision, model, tested, prepared.dataset, prepared.folds, guess)
                outcome = replace(outcome, charts=made.charts, timings=made.timings)
        else:
            ctx.artifact_missing(rundir.LEADERBOARD, t("missing.no_candidate"))
            ctx.artifact_missing(rundir.MODEL, t("missing.no_candidate"))
            ctx.artifact_missing(rundir.RECOMMENDATION, t("missing.no_candidate"))
        status = "no_candidate" if not rows else "cancelled" if ctx.cancel.requested() else "finished"
        outcome = replace(outcome, status=status, elapsed_s=round(ctx.clock.took(), 3), missing=ctx.missing)
        run_record.write(facts, outcome)
        ctx.phase("reporting")
        report_path = report.write(ctx.folder.path)
        # what the run wrote: a file missing later was removed afterwards, and a rebuilt report says so
        elapsed_s = round(ctx.clock.took(), 3)
        outcome = replace(outcome, elapsed_s=elapsed_s, written=ctx.folder.files())
        record = run_record.write(facts, outcome)
        reason = decision.reason if decision else t("run.no_candidate_finished")
        said = verdict.sentences_of(record, ctx.candidates.rows)
        coverage = SearchCounts.of(ctx.folder.read_csv(rundir.RESULTS)).coverage()
        ctx.emit(outcome.finished_event(reason, report_path, said, coverage))
        return RunResult(
            run_id=ctx.run_id,
            run_dir=str(ctx.folder.path),
            status=status,
            recommended=outcome.recommended,
            reason=reason,
            test_metrics=outcome.test_metrics,
            leaderboard=ctx.candidates.ranked() if rows else [],
            elapsed_s=elapsed_s,
            decision=decision,
            warnings=ctx.announcer.warnings,
        )


@dataclass(frozen=True)
class Kept:
    """The saved model and its predictions on the test rows (made once: the scores, the CSV and the charts)."""

    model: Any
    tested: Any  # test_predictions.csv's frame


def _refit_and_test(
    ctx: RunContext,
    prepared: Prepared,
    plan: SearchPlan,
    searched: SearchResult,
    decision: decision_mod.Decision,
    outcome: run_record.RunOutcome,
) -> tuple[Kept | None, run_record.RunOutcome]:
    """The recommended model trained for keeps, scored on the test rows and saved; None (and the reason among
    the missing artifacts) when that could not be done."""
    folds, task = prepared.folds, ctx.task
    outcome = replace(outcome, recommended=decision.recommended)
    try:
        final = refit.final_model(ctx, searched, decision.recommended, prepared.plans, folds, plan)
        tested = evaluate.Replay.of(final.model, folds.X_test, task)
        scores = evaluate.replay_scores(tested, folds.y_test, task, ctx.task_metrics)
        found = None if task is Task.REGRESSION else verdict.per_class(folds.y_test, tested.predictions)
        sha, signature = rundir.save_model(final.model, ctx.folder / rundir.MODEL)
        # recorded at once: if the disk fills while the rest is written, the model on disk is still this user's
        run_record.amend(ctx.folder.path, model_sha256=sha, model_signature=signature)
        frame = _save_test_predictions(tested, ctx.folder, prepared.dataset, folds)
    except KeyboardInterrupt:
        ctx.cancel.caught = True
        ctx.artifact_missing(rundir.MODEL, t("missing.refit_cancelled"))
    except budget.BudgetExceeded:
        ctx.artifact_missing(rundir.MODEL, t("missing.budget"))
    except OSError:  # a full disk or a folder gone: the run stops and says so (not "refitting failed")
        raise
    except Exception as exc:
        ctx.artifact_missing(rundir.MODEL, t("missing.refit_failed", error=one_line(exc)))
    else:
        kept = replace(
            outcome,
            refit=final.summary(),
            test_metrics=scores,
            model_sha256=sha,
            model_signature=signature,
            per_class=found,
        )
        return Kept(final.model, frame), kept
    return None, outcome


def _save_test_predictions(tested: Replay, folder: rundir.RunFolder, dataset: Dataset, folds: Split) -> Any:
    """The saved model's predictions on the test rows, by row number in the file (`predict` must repeat them);
    returned for the charts."""
    frame = frame_of(tested)
    frame.insert(0, "actual", folds.y_test.to_numpy())
    frame.insert(0, "row", dataset.source_rows[folds.test_positions] + 1)
    # as `predict` writes them
    rundir.write_frame(spreadsheet_safe(frame), folder / rundir.TEST_PREDICTIONS)
    return frame
