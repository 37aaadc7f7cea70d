"""Candidates tried one at a time under the search's clock: each cross-validated fold by fold under a hard time
limit, sized to the time it can be given, scored at its own decision threshold and on a second set of folds when
it enters the best, written to disk the moment it finishes (stopped, pruned or failed ones with the reason), and
the figures behind the search's end kept so the report's words can be exact. training.py decides which candidates,
in what order; this module how each one is tried.
"""

from __future__ import annotations

import time
import warnings as py_warnings
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from automl_tui_engine import decision as decision_mod
from automl_tui_engine import events as ev
from automl_tui_engine.context import RunContext
from automl_tui_engine.core import budget
from automl_tui_engine.errors import UserError, one_line
from automl_tui_engine.messages import t
from automl_tui_engine.search import ensemble, evaluate, threshold
from automl_tui_engine.search.candidates import Candidate, Pruned, Tuner
from automl_tui_engine.search.outcome import STOP_FIGURES, SearchResult
from automl_tui_engine.search.planning import SearchPlan

if TYPE_CHECKING:  # scikit-learn loads with the run, not with the module
    from automl_tui_engine.search.evaluate import Folds
    from automl_tui_engine.table.preprocess import ColumnPlan
    from sklearn.base import BaseEstimator

KEEP_EVALUATIONS = 12  # out-of-fold predictions kept for the best candidates (ensemble, threshold)


class Trials:
    """What a search found so far, and how it tries one more candidate."""

    def __init__(self, ctx: RunContext, plans: list[ColumnPlan], plan: SearchPlan) -> None:
        self.ctx, self.config, self.clock, self.task = ctx, ctx.config, ctx.clock, ctx.task
        self.primary, self.plans, self.plan, self.folds = ctx.primary, plans, plan, plan.folds
        self.fold_positions = evaluate.fold_indices(self.folds)  # the same folds for every candidate of the run
        self.log = ctx.candidates
        self.candidates: dict[str, Candidate] = {}
        self.evaluations: dict[str, evaluate.Evaluation] = {}
        self.thresholds: dict[str, threshold.Threshold] = {}
        self.own_thresholds = ctx.config.threshold and threshold.applies(self.task, self.primary)
        self.counts = {"tuned": 0, "pruned": 0, "stopped": 0, "confirmed": 0}
        # the second opinion on the best candidates' scores: the same rows in folds shuffled another way
        self.second_folds = evaluate.reshuffled(plan.folds, ctx.config.seed + 1) if ctx.config.confirm_top else None
        # model kind -> its finished form that tuned candidates are made like (the grown one once it finished): their
        # number of trees, and the measured cost their estimate starts from
        self.forms: dict[str, Candidate] = {}
        self.sized: set[str] = set()  # kinds whose first form was made with fewer parts than planned (_sized)
        # a candidate the clock stopped -> (the seconds it was given, the folds it finished in them)
        self.stopped_after: dict[str, tuple[float, int]] = {}
        self.stop = "exhausted"
        self.stop_figures: dict[str, float | None] = dict.fromkeys(STOP_FIGURES)
        self.ensemble: str | None = None

    def result(self) -> SearchResult:
        return SearchResult(
            candidates=self.candidates,
            evaluations=self.evaluations,
            thresholds=self.thresholds,
            stop=self.stop,
            ensemble=self.ensemble,
            **self.counts,
            # a kind set aside for want of time kept figures that another ending (patience) makes moot
            **(self.stop_figures if self.stop == "budget" else dict.fromkeys(STOP_FIGURES)),
        )

    def search_left(self) -> float:
        likely = self._likely_pick()
        plan = self.plan
        left = self.clock.left() - budget.after_search_s(
            self.config, likely, plan.scale, plan.test_rows, plan.folds.X_train.shape[1]
        )
        if self.config.ensemble and self.ensemble is None:
            left -= self._ensemble_s()
        return left

    def _likely_pick(self) -> list[dict[str, Any]]:
        """The row of the candidate the decision would recommend now (none before one finished)."""
        if not self.log.rows:
            return []
        return [decision_mod.pick(self.log.rows, self.primary, self.config.priority, self.config.decision.tolerance)]

    def _ensemble_s(self) -> float:
        """An ensemble is scored from kept predictions; what costs is timing its members' predictions."""
        repeats = self.config.latency_repeats
        top = self.log.ranked()[: ensemble.POOL] if self.log.rows else []
        return 0.5 + sum(
            (r["predict_ms_per_1k"] * (repeats + 1) + r["predict_ms_single_row"] * 3 * repeats) / 1000 for r in top
        )

    def _skip_reason(self) -> str:
        if self.stop == "cancelled":
            return t("run.skipped_cancelled")
        figures = self.stop_figures
        facts = {
            "left": max(figures["stop_left_s"] or 0.0, 0.0),
            "at": figures["stop_at_s"],
            "budget": self.config.time_budget_s,
            "minimum": budget.MIN_START_S,
        }
        if figures["stop_needed_s"] is not None:
            return t("run.skipped_budget_needed", needed=figures["stop_needed_s"], **facts)
        return t("run.skipped_budget", **facts)

    def _out_of_time(self, left: float, needed: float | None = None) -> None:
        """The search ends for want of time: the figures behind it are kept, so the words can be exact."""
        self.stop = "budget"
        self.stop_figures = {
            "stop_at_s": round(self.clock.elapsed(), 1),
            # rounded apart (left down, needed up), so the words never read "needed 1.0 s, 1.00 s could be given"
            "stop_left_s": budget.round_down(left),
            "stop_needed_s": None if needed is None else budget.round_up(needed),
        }

    def _measured_cost(self, candidate: Candidate) -> float | None:
        """Seconds the form of its kind it is made like (self.forms) took to evaluate, in proportion to their trees or
        rounds: how long this one will likely take."""
        form = self.forms.get(candidate.family)
        row = None if form is None else self.log.row_of(form.name)
        if form is None or row is None or candidate.spec is None:
            return None
        ratio = candidate.spec.cost_ratio(self.task, self._as_made(candidate).params, form.params)
        return row["fit_s"] * self.folds.n_folds * ratio

    def _as_made(self, candidate: Candidate) -> Candidate:
        """A grown, lighter or tuned `candidate` with the trees it will be made with: as many as the form of its kind
        it is made like (self.forms) when it does not set them, so that it compares with it (a tuned forest made
        like a first form sized to 20 trees was estimated as one of 200: 50 s, and not tried)."""
        spec = candidate.spec
        param = spec.size_param if spec is not None else None
        form = self.forms.get(spec.name) if spec is not None else None
        if param is None or param in candidate.params or form is None or param not in form.params:
            return candidate
        return replace(candidate, params={**candidate.params, param: form.params[param]})

    def _try(self, candidate: Candidate, estimate: float | None, tuner: Tuner | None = None, pending: int = 0) -> bool:
        """Evaluate one candidate; False when the search must end (budget spent or run cancelled).

        While other first forms wait (`pending`), one may use at most an even share of the search time left, so a
        slow one cannot starve the rest."""
        try:
            return self._evaluate(candidate, estimate, tuner, pending)
        except KeyboardInterrupt:  # Ctrl+C may land anywhere, also between two candidates
            self.ctx.cancel.caught = True
            self.stop = "cancelled"
            if candidate.name not in self.candidates:
                self.log.not_finished(candidate.name, "cancelled", t("run.cancelled"), stage=candidate.stage)
            return False

    def _evaluate(self, candidate: Candidate, estimate: float | None, tuner: Tuner | None, pending: int) -> bool:
        ctx, config, log = self.ctx, self.config, self.log
        if ctx.cancel.requested():
            self.stop = "cancelled"
            log.not_finished(candidate.name, "skipped", t("run.skipped_cancelled"), stage=candidate.stage)
            return False
        left = self.search_left()
        if not log.rows:
            # until one model finishes, everything but the report may give way (the refit to the fold model,
            # explanations, charts) and the grace period may be used: a run should not end empty
            left = max(left, self.clock.left_hard() - budget.REPORT_S - budget.MIN_START_S)
        too_long = estimate is not None and estimate > left
        if left < budget.MIN_START_S or too_long:
            # too little left to start anything is the reason whatever the estimate (which may be tiny)
            self._out_of_time(left, estimate if too_long and left >= budget.MIN_START_S else None)
            log.not_finished(candidate.name, "skipped", self._skip_reason(), stage=candidate.stage)
            return False
        if pending:
            # an even share with the first forms still to come, so none is starved (what one leaves unused goes
            # to the next): cheapest first, a later one needs no less
            left = max(left / (pending + 1), budget.MIN_START_S)
        ctx.emit(ev.CandidateStarted(model=candidate.name))
        pruning, folds_done = (tuner.after_fold(candidate) if tuner is not None else None), []

        def after_fold(fold: int, value: float) -> None:
            folds_done.append(fold)
            if pruning is not None:
                pruning(fold, value)

        try:
            with py_warnings.catch_warnings(record=True) as caught, budget.time_limit(left):
                py_warnings.simplefilter("always")
                candidate = self._sized(candidate, left)
                pipeline = candidate.pipeline(self.plans, self.task, config.seed, ctx.steps)
                evaluation = evaluate.cross_validate(
                    pipeline, self.folds, self.task, ctx.task_metrics, config.seed, config.latency_repeats, after_fold
                )
        except budget.BudgetExceeded:
            self.counts["stopped"] += 1
            self.stopped_after[candidate.name] = (left, len(folds_done))
            log.not_finished(candidate.name, "stopped", t("run.stopped_budget", seconds=left), stage=candidate.stage)
            if tuner is not None:
                tuner.too_long(candidate)
            if self.search_left() > 0 or not log.rows:
                return True
            self._out_of_time(self.search_left())
            return False
        except Pruned:
            self.counts["pruned"] += 1
            assert tuner is not None  # only a tuner's pruning stops a candidate after a fold
            tuner.tell(candidate, None, pruned=True)
            log.not_finished(candidate.name, "pruned", t("run.pruned"), candidate.describe(), stage=candidate.stage)
            return True
        except Exception as exc:  # a failing candidate never stops the run
            if tuner is not None:
                tuner.tell(candidate, None)
            reason = str(exc) if isinstance(exc, UserError) else one_line(exc)
            log.not_finished(candidate.name, "failed", reason, candidate.describe(), stage=candidate.stage)
            return True
        # library warnings (e.g. a solver that did not converge) reach the report, not raw stderr
        for message in dict.fromkeys(str(w.message).strip().splitlines()[0] for w in caught[:50]):
            ctx.warn(t("run.model_warning", model=candidate.name, message=message), topic="run")
        row = self._keep(candidate, evaluation, pipeline)
        if tuner is not None:
            tuner.tell(candidate, row[f"{self.primary.name}_mean"])
        return True

    def _sized(self, candidate: Candidate, left: float) -> Candidate:
        """`candidate` with fewer trees when a first form's planned number would not be grown in the `left` seconds
        it can be given (on a busy machine, a forest of 200 trees on 8,000 rows was stopped with nothing to show):
        one fold's fit of a tenth of them says how many fit, as FLAML starts its forests small. Tuned candidates of
        that kind are made with as many trees as the form they are made like (self.forms), so they compare with it."""
        spec = candidate.spec
        if spec is None or spec.size_param is None:
            return candidate
        param = spec.size_param
        if candidate.stage != "default":
            return self._as_made(candidate)
        full = candidate.params.get(param, spec.default(self.task, param))
        if full is None or left == float("inf"):
            return candidate
        probe = max(1, full // budget.PROBE_SHARE)
        train, _ = self.fold_positions[0]
        small = replace(candidate, params={**candidate.params, param: probe})
        start = time.perf_counter()
        small.pipeline(self.plans, self.task, self.config.seed, self.ctx.steps).fit(
            self.folds.X_train.iloc[train], self.folds.y_train.iloc[train]
        )
        size = budget.parts_that_fit(full, probe, time.perf_counter() - start, left, self.folds.n_folds)
        if size == full:
            return candidate
        self.sized.add(spec.name)
        self.ctx.warn(t("run.model_sized", model=candidate.name, size=size, full=full, seconds=left), topic="run")
        return replace(candidate, params={**candidate.params, param: size})

    def _keep(
        self, candidate: Candidate, evaluation: evaluate.Evaluation, pipeline: BaseEstimator | None = None
    ) -> dict[str, Any]:
        """The finished candidate, at its own decision threshold when that applies, scored on a second set of folds
        too when it enters the best (and `pipeline` is given), on disk and announced."""
        evaluation, tuned = self._at_own_threshold(evaluation, self.fold_positions)
        if tuned is not None:
            self.thresholds[candidate.name] = tuned
        if pipeline is not None and self._enters_top(evaluation):
            evaluation = self._confirmed(pipeline, evaluation)
        row = {"model": candidate.name, "stage": candidate.stage, "status": "ok", "reason": "", **evaluation.row}
        self.candidates[candidate.name] = candidate
        if candidate.stage == "default" or candidate.family not in self.forms:  # a first form, or one tried again
            self.forms[candidate.family] = candidate
        self.evaluations[candidate.name] = evaluation
        self.log.finished(row, candidate.describe())
        # only the best candidates' out-of-fold predictions stay in memory
        for kept in self.log.ranked()[KEEP_EVALUATIONS:]:
            self.evaluations.pop(kept["model"], None)
        return row

    def _at_own_threshold(
        self, evaluation: evaluate.Evaluation, folds: Folds
    ) -> tuple[evaluate.Evaluation, threshold.Threshold | None]:
        if not self.own_thresholds:
            return evaluation, None
        return threshold.at_own_threshold(evaluation, self.folds.y_train, folds, self.primary, self.ctx.task_metrics)

    def _enters_top(self, evaluation: evaluate.Evaluation) -> bool:
        if self.second_folds is None:
            return False
        mine = decision_mod.goodness(evaluation.row, self.primary)
        ahead = sum(decision_mod.goodness(row, self.primary) > mine for row in self.log.rows)
        return ahead < self.config.confirm_top

    def _confirmed(self, pipeline: BaseEstimator, evaluation: evaluate.Evaluation) -> evaluate.Evaluation:
        """`evaluation` pooled with a cross-validation on the second set of folds (at a decision threshold chosen
        the same way on them), when the search has the time for it; as it was otherwise. The best of many
        candidates scored on the same folds is partly the one those folds flattered: on randhie's heavy-tailed
        counts a 23rd tuned hist_gb ranked first and scored 0.13 R² on the test rows, against 0.22 for a forest."""
        left, second_folds = self.search_left(), self.second_folds
        assert second_folds is not None  # only a run with confirm_top confirms
        if evaluation.row["fit_s"] * second_folds.n_folds > left:
            return evaluation
        try:
            with py_warnings.catch_warnings(), budget.time_limit(left):
                py_warnings.simplefilter("ignore")  # the first set of folds already reported its warnings
                second = evaluate.cross_validate(
                    pipeline, second_folds, self.task, self.ctx.task_metrics, self.config.seed, 1
                )
        except KeyboardInterrupt:  # what the first set of folds measured is kept; the search ends
            self.ctx.cancel.caught = True
            return evaluation
        except Exception:  # out of time, or a fold the second shuffle made impossible: the first opinion stands
            return evaluation
        second, _ = self._at_own_threshold(second, evaluate.fold_indices(second_folds))
        self.counts["confirmed"] += 1
        return evaluate.pooled(evaluation, second)
