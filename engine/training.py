"""The training phase: default models, then tuned ones, then an ensemble, all inside the time budget.

Each candidate is cross-validated fold by fold under a hard time limit; what finishes is written to disk at
once, what is stopped is recorded with the reason ("stopped: budget", "pruned"). The search ends when the
budget (less what the refit, explanations, charts and report will need) is spent, when `max_trials` tuned
candidates were tried, or when `patience` tuned candidates in a row brought no gain: small tables do not
burn the whole budget.
"""

from __future__ import annotations

import warnings as py_warnings
from dataclasses import dataclass, field
from typing import Any

from engine import budget, ensemble, evaluate, search
from engine import decision as decision_mod
from engine import events as ev
from engine.errors import UserError, one_line
from engine.messages import t

KEEP_EVALUATIONS = 12  # out-of-fold predictions kept for the best candidates (ensemble, threshold)
REFIT_SHARE = 0.25
REFIT_MARGIN = 1.5  # trees cost more than linearly in rows; the refit estimate leans high
EXPLAIN_S = 3.0
CHARTS_HTML_S = 0.5
MIN_START_S = 1.0  # a candidate given less than this would only be started to be stopped
TEST_ROW_WRITE_S = 2e-6  # writing one row of test_predictions.csv
# why a search ended, the shortest search first: Ctrl+C, the time ran short, no gain for `patience` trials,
# `max_trials` tried, every candidate tried
STOPS = ("cancelled", "budget", "patience", "max_trials", "exhausted")
# the figures kept when the time ran short (Outcome's fields, and the search summary's keys in run.json)
STOP_FIGURES = ("stop_at_s", "stop_left_s", "stop_needed_s")


@dataclass
class Outcome:
    candidates: dict[str, search.Candidate] = field(default_factory=dict)
    evaluations: dict[str, evaluate.Evaluation] = field(default_factory=dict)
    stop: str = "exhausted"  # one of STOPS
    tuned: int = 0
    pruned: int = 0
    stopped: int = 0
    ensemble: str | None = None
    # when the time ran short: seconds into the run, search seconds that were left, and what the next one needed
    stop_at_s: float | None = None
    stop_left_s: float | None = None
    stop_needed_s: float | None = None

    def summary(self) -> dict[str, Any]:
        return {
            "stop": self.stop,
            "tuned": self.tuned,
            "pruned": self.pruned,
            "stopped_budget": self.stopped,
            "ensemble": self.ensemble,
            **{name: getattr(self, name) for name in STOP_FIGURES},
        }


def charts_s(config: Any, png: bool = True) -> float:
    """Seconds the charts take; without `png`, only the HTML ones (PNGs are dropped first when time is short,
    so the search does not keep time back for them)."""
    if config.charts == "none":
        return 0.0
    with_png = png and config.charts == "html+png"
    return CHARTS_HTML_S + (budget.PNG_START_S + 10 * budget.PNG_PER_CHART_S if with_png else 0.0)


def refit_s(row: dict[str, Any], scale: float) -> float:
    """Seconds one refit of a candidate on all training rows is likely to take, from its measured fold fits."""
    return float(row["fit_s"]) * scale * REFIT_MARGIN


def after_refit_s(config: Any, rows: list[dict[str, Any]], test_rows: int, png: bool = True) -> float:
    """What follows the refit: scoring and saving the test rows' predictions (about three predicts and a CSV
    line each), explanation, charts, report."""
    slowest_ms = max((float(r["predict_ms_per_1k"]) for r in rows), default=0.0)
    test = test_rows / 1000 * slowest_ms / 1000 * 3 + test_rows * TEST_ROW_WRITE_S
    return test + (EXPLAIN_S if config.explain else 0.0) + charts_s(config, png) + budget.REPORT_S


def after_search_s(config: Any, rows: list[dict[str, Any]], scale: float, test_rows: int) -> float:
    """What the phases after the search are likely to need, judged on the slowest of the top candidates."""
    top = sorted(rows, key=lambda r: -r["fit_s"])[:3] if rows else []
    # a refit that would not fit is made on fewer rows: keep back at most a share of the budget for it
    refit = min(max((refit_s(r, scale) for r in top), default=0.0), REFIT_SHARE * config.time_budget_s)
    return refit + after_refit_s(config, top, test_rows, png=False)


class Training:
    """Runs the candidates; `state` is the runner's run in progress (folder, rows, events, cancel)."""

    def __init__(self, state: Any, plans, task, primary, task_metrics, folds, scale: float, test_rows: int) -> None:
        self.state, self.clock, self.plans, self.task = state, state.clock, plans, task
        self.primary, self.task_metrics, self.folds, self.scale = primary, task_metrics, folds, scale
        self.test_rows = test_rows
        self.config = state.config
        self.outcome = Outcome()

    def search_left(self) -> float:
        left = self.clock.left() - after_search_s(self.config, self.state.rows, self.scale, self.test_rows)
        if self.config.ensemble and self.outcome.ensemble is None:
            left -= self._ensemble_s()
        return left

    def _ensemble_s(self) -> float:
        """An ensemble is scored from kept predictions; what costs is timing its members' predictions."""
        repeats = self.config.latency_repeats
        top = decision_mod.annotate(self.state.rows, self.primary)[: ensemble.POOL] if self.state.rows else []
        return 0.5 + sum(
            (r["predict_ms_per_1k"] * (repeats + 1) + r["predict_ms_single_row"] * 3 * repeats) / 1000 for r in top
        )

    def run(self, specs: list[Any]) -> Outcome:
        config, outcome = self.config, self.outcome
        queue = search.defaults(specs)
        for position, candidate in enumerate(queue):
            # no estimate for defaults: cost hints scaled from the linear model misjudge large tables (a linear
            # fit slows with one-hot columns, boosting does not), so the timer decides
            if not self._try(candidate, estimate=None, pending=len(queue) - position - 1):
                for rest in queue[position + 1 :]:
                    self.state.record(rest.name, "skipped", self._skip_reason(), stage=rest.stage)
                return outcome
        tunable = [s for s in self._best_kinds(specs) if s.space(self.task)]
        if tunable and config.max_trials != 0:
            tuner = search.Tuner(tunable, self.task, config.seed, self.primary.greater_is_better)
            best, since_gain = self._best_score(), 0
            while True:
                if config.max_trials is not None and outcome.tuned >= config.max_trials:
                    outcome.stop = "max_trials"
                    break
                if since_gain >= config.patience and config.max_trials is None:
                    outcome.stop = "patience"
                    break
                candidate = tuner.ask()
                if not self._try(candidate, estimate=self._measured_cost(candidate), tuner=tuner):
                    break
                outcome.tuned += 1
                score = self._best_score()
                gain = (score - best) if self.primary.greater_is_better else (best - score)
                since_gain = 0 if gain > self._meaningful_gain(best) else since_gain + 1
                best = score if gain > 0 else best
        if config.ensemble and outcome.stop != "cancelled":
            self._ensemble()
        return outcome

    def _skip_reason(self) -> str:
        outcome = self.outcome
        if outcome.stop == "cancelled":
            return t("run.skipped_cancelled")
        facts = {
            "left": max(outcome.stop_left_s or 0.0, 0.0),
            "at": outcome.stop_at_s,
            "budget": self.config.time_budget_s,
            "minimum": MIN_START_S,
        }
        if outcome.stop_needed_s is not None:
            return t("run.skipped_budget_needed", needed=outcome.stop_needed_s, **facts)
        return t("run.skipped_budget", **facts)

    def _out_of_time(self, left: float, needed: float | None = None) -> None:
        """The search ends for want of time: the figures behind it are kept, so the words can be exact."""
        outcome = self.outcome
        outcome.stop, outcome.stop_at_s = "budget", round(self.clock.elapsed(), 1)
        outcome.stop_left_s, outcome.stop_needed_s = round(left, 2), None if needed is None else round(needed, 1)

    def _best_kinds(self, specs: list[Any]) -> list[Any]:
        """The model kinds worth tuning: the best `tune_kinds` by their default's score."""
        ranked = decision_mod.annotate(self.state.rows, self.primary)
        kinds = list(dict.fromkeys(self.outcome.candidates[r["model"]].family for r in ranked))
        by_name = {s.name: s for s in specs}
        return [by_name[k] for k in kinds[: self.config.tune_kinds] if k in by_name]

    def _best_score(self) -> float:
        return decision_mod.score(decision_mod.annotate(self.state.rows, self.primary)[0], self.primary)

    def _meaningful_gain(self, best: float) -> float:
        return 0.001 if self.primary.bounded else 0.001 * abs(best)

    def _measured_cost(self, candidate: search.Candidate) -> float | None:
        """Seconds its kind's default took to evaluate: how long this one will likely take."""
        row = next((r for r in self.state.rows if r["model"] == candidate.family), None)
        return None if row is None else row["fit_s"] * self.folds.n_folds

    def _try(self, candidate: search.Candidate, estimate: float | None, tuner: Any = None, pending: int = 0) -> bool:
        """Evaluate one candidate; False when the search must end (budget spent or run cancelled).

        While other default models wait (`pending`), one may use at most half the search time left, so a slow
        one cannot starve the rest."""
        try:
            return self._evaluate(candidate, estimate, tuner, pending)
        except KeyboardInterrupt:  # Ctrl+C may land anywhere, also between two candidates
            self.state.cancelled = True
            self.outcome.stop = "cancelled"
            if candidate.name not in self.outcome.candidates:
                self.state.record(candidate.name, "cancelled", t("run.cancelled"), stage=candidate.stage)
            return False

    def _evaluate(self, candidate: search.Candidate, estimate: float | None, tuner: Any, pending: int) -> bool:
        state, config = self.state, self.config
        if state.cancel_requested():
            self.outcome.stop = "cancelled"
            state.record(candidate.name, "skipped", t("run.skipped_cancelled"), stage=candidate.stage)
            return False
        left = self.search_left()
        if not state.rows:
            # until one model finishes, everything but the report may give way (the refit to the fold model,
            # explanations, charts) and the grace period may be used: a run should not end empty
            left = max(left, self.clock.left_hard() - budget.REPORT_S - MIN_START_S)
        if pending:
            left /= 2
        too_long = estimate is not None and estimate > left
        if left < MIN_START_S or too_long:
            self._out_of_time(left, estimate if too_long else None)
            state.record(candidate.name, "skipped", self._skip_reason(), stage=candidate.stage)
            return False
        state.emit(ev.CandidateStarted(model=candidate.name))
        pipeline = candidate.pipeline(self.plans, self.task, config.seed, state.steps)
        after_fold = tuner.after_fold(candidate) if tuner is not None else None
        try:
            with py_warnings.catch_warnings(record=True) as caught, budget.time_limit(left):
                py_warnings.simplefilter("always")
                evaluation = evaluate.cross_validate(
                    pipeline, self.folds, self.task, self.task_metrics, config.seed, config.latency_repeats, after_fold
                )
        except budget.BudgetExceeded:
            self.outcome.stopped += 1
            state.record(candidate.name, "stopped", t("run.stopped_budget", seconds=left), stage=candidate.stage)
            if tuner is not None:
                tuner.tell(candidate, None)
            if self.search_left() > 0 or not state.rows:
                return True
            self._out_of_time(self.search_left())
            return False
        except search.Pruned:
            self.outcome.pruned += 1
            tuner.tell(candidate, None, pruned=True)
            state.record(candidate.name, "pruned", t("run.pruned"), candidate.describe(), stage=candidate.stage)
            return True
        except Exception as exc:  # a failing candidate never stops the run
            if tuner is not None:
                tuner.tell(candidate, None)
            reason = str(exc) if isinstance(exc, UserError) else one_line(exc)
            state.record(candidate.name, "failed", reason, candidate.describe(), stage=candidate.stage)
            return True
        # library warnings (e.g. a solver that did not converge) reach the report, not raw stderr
        for message in dict.fromkeys(str(w.message).strip().splitlines()[0] for w in caught[:50]):
            state.emit(
                ev.RunWarning(message=t("run.model_warning", model=candidate.name, message=message), topic="run")
            )
        if tuner is not None:
            tuner.tell(candidate, evaluation.row[f"{self.primary.name}_mean"])
        self._keep(candidate, evaluation)
        return True

    def _keep(self, candidate: search.Candidate, evaluation: evaluate.Evaluation) -> None:
        row = {"model": candidate.name, "stage": candidate.stage, "status": "ok", "reason": "", **evaluation.row}
        self.outcome.candidates[candidate.name] = candidate
        self.outcome.evaluations[candidate.name] = evaluation
        self.state.finished(row, candidate.describe())
        # only the best candidates' out-of-fold predictions stay in memory
        ranked = [r["model"] for r in decision_mod.annotate(self.state.rows, self.primary)]
        for name in ranked[KEEP_EVALUATIONS:]:
            self.outcome.evaluations.pop(name, None)

    def _ensemble(self) -> None:
        ranked = decision_mod.annotate(self.state.rows, self.primary)
        pool, kinds = [], set()
        for row in ranked:
            candidate = self.outcome.candidates[row["model"]]
            if candidate.family in kinds or row["model"] not in self.outcome.evaluations:
                continue
            kinds.add(candidate.family)
            pool.append(ensemble.Member(candidate, row, self.outcome.evaluations[row["model"]]))
        folds = evaluate.fold_indices(self.folds)
        chosen = ensemble.select(pool, self.folds.y_train, folds, self.task, self.primary)
        if not chosen:
            return
        candidate = search.Candidate(
            search.ENSEMBLE, None, members=tuple((m.candidate, weight) for m, weight in chosen)
        )
        self.state.emit(ev.CandidateStarted(model=candidate.name))
        try:
            with budget.time_limit(max(self.search_left() + self._ensemble_s(), 0.5)):
                evaluation = ensemble.evaluate_members(
                    chosen, self.folds, self.task, self.task_metrics, self.config.seed, self.config.latency_repeats
                )
        except budget.BudgetExceeded:
            stopped = t("run.stopped_budget", seconds=self._ensemble_s())
            self.state.record(candidate.name, "stopped", stopped, stage=candidate.stage)
            return
        self.outcome.ensemble = candidate.name
        self._keep(candidate, evaluation)
