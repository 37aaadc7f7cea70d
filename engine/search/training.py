"""The training phase: every model kind in its cheapest useful form, then grown, lighter and tuned candidates, then an
ensemble, all inside the time budget.

Each candidate is cross-validated fold by fold under a hard time limit; what finishes is written to disk at
once, what is stopped is recorded with the reason (stopped by the budget, pruned). The search ends when the
budget (less what the refit, explanations, charts and report will need: budget.after_search_s) is spent, when
`max_trials` tuned candidates were tried, or when `patience` tuned candidates in a row brought no gain: small
tables do not burn the whole budget. `search_phase()` is the phase; it returns a SearchResult (outcome.py).
"""

from __future__ import annotations

import time
import warnings as py_warnings
from dataclasses import replace
from typing import Any

from automl_tui_engine import decision as decision_mod
from automl_tui_engine import events as ev
from automl_tui_engine.context import RunContext
from automl_tui_engine.errors import UserError, one_line
from automl_tui_engine.messages import t
from automl_tui_engine.search import budget, ensemble, evaluate, threshold
from automl_tui_engine.search.candidates import (
    ENSEMBLE,
    LIGHTER_SHARE,
    Candidate,
    Pruned,
    SearchPlan,
    Tuner,
    again,
    first_forms,
    grown,
    lighter,
)
from automl_tui_engine.search.outcome import STOP_FIGURES, SearchResult
from automl_tui_engine.table import preprocess

FAILURES_BEFORE_SPENT = 2  # failed tuned candidates in a row, in units of `patience`, that end the search
KEEP_EVALUATIONS = 12  # out-of-fold predictions kept for the best candidates (ensemble, threshold)


def search_phase(ctx: RunContext, specs: list[Any], plans: Any, plan: SearchPlan) -> SearchResult:
    """The candidates of `specs` (first forms, then grown, lighter and tuned ones, then an ensemble) compared on
    `plan`'s rows."""
    return _Search(ctx, plans, plan).run(specs)


class _Search:
    """One search in progress: what it found so far, and the rules for going on."""

    def __init__(self, ctx: RunContext, plans: Any, plan: SearchPlan) -> None:
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
        self.needed: dict[str, float] = {}  # a candidate the clock stopped after a fold -> the seconds it would need
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
            **self.stop_figures,
        )

    def search_left(self) -> float:
        likely = self._likely_pick()
        left = self.clock.left() - budget.after_search_s(self.config, likely, self.plan.scale, self.plan.test_rows)
        if self.config.ensemble and self.ensemble is None:
            left -= self._ensemble_s()
        return left

    def _likely_pick(self) -> list[dict[str, Any]]:
        """The row of the candidate the decision would recommend now (none before one finished)."""
        if not self.log.rows:
            return []
        rules = self.config.decision
        decided = decision_mod.decide(self.log.rows, self.primary, self.config.priority, rules.tolerance, rules.top_k)
        return [self.log.row_of(decided.recommended)]

    def _ensemble_s(self) -> float:
        """An ensemble is scored from kept predictions; what costs is timing its members' predictions."""
        repeats = self.config.latency_repeats
        top = self.log.ranked()[: ensemble.POOL] if self.log.rows else []
        return 0.5 + sum(
            (r["predict_ms_per_1k"] * (repeats + 1) + r["predict_ms_single_row"] * 3 * repeats) / 1000 for r in top
        )

    def run(self, specs: list[Any]) -> SearchResult:
        config = self.config
        numbers: dict[str, int] = {}  # candidates of each kind numbered so far ("<kind> #<n>")
        queue = first_forms(specs, self.task)
        stopped = self._in_turn([(first, None) for first in queue])
        # a first form stopped at the end of its share after finishing a fold (a linear model on a wide table of six
        # classes) is tried once more, when its folds so far say the time the others left is enough: every kind
        # compared whenever the time allows, never a model that could not fit one fold in its share
        worth = [first for first in stopped or [] if self.needed.get(first.name, float("inf")) <= self.search_left()]
        again_queue = [(again(first, numbers), self.needed[first.name]) for first in worth]
        retried = stopped is not None and self._in_turn(again_queue) is not None
        if retried and self._grow(numbers) and self._lighter(queue, numbers):
            self._tune(specs, numbers)
        if config.ensemble and self.stop != "cancelled":
            self._ensemble()
        return self.result()

    def _in_turn(self, queue: list[tuple[Candidate, float | None]]) -> list[Candidate] | None:
        """`queue`'s candidates one after the other, each with an even share of the search time left (those still to
        come are skipped when the search must end) and its estimate (seconds, None: the timer decides); the ones the
        clock stopped, or None when the search must end."""
        stopped = []
        for position, (candidate, estimate) in enumerate(queue):
            stops = self.counts["stopped"]
            # no estimate for first forms: cost hints scaled from the linear model misjudge large tables (a linear
            # fit slows with one-hot columns, boosting does not), so the timer decides
            if not self._try(candidate, estimate=estimate, pending=len(queue) - position - 1):
                for rest, _ in queue[position + 1 :]:
                    self.log.not_finished(rest.name, "skipped", self._skip_reason(), stage=rest.stage)
                return None
            if self.counts["stopped"] > stops:
                stopped.append(candidate)
        return stopped

    def _grow(self, numbers: dict[str, int]) -> bool:
        """Each kind's finished first form grown to its defaults (candidates.grown), the best-ranked kinds first, while
        the search has the time for it; each counts as a tuned candidate. A first form made smaller than planned
        (the budget could not afford it) is not grown. False when the search must end."""
        firsts = [self.candidates[r["model"]] for r in self.log.ranked() if r["stage"] == "default"]
        for first in firsts:
            if self.config.max_trials is not None and self.counts["tuned"] >= self.config.max_trials:
                return True
            spec, measured = first.spec, self._measured_cost(first)
            if first.family in self.sized or not spec.first_params(self.task) or measured is None:
                continue
            estimate = measured * spec.cost_ratio(self.task, spec.grown_params(self.task), first.params)
            if estimate > self.search_left():  # an offer: without the time, not made
                continue
            candidate = grown(first, self.task, numbers)
            if not self._try(candidate, estimate=estimate):
                return False
            self.counts["tuned"] += 1
            if candidate.name in self.candidates:
                self.forms[first.family] = candidate
        return True

    def _lighter(self, queue: list[Candidate], numbers: dict[str, int]) -> bool:
        """Lighter versions of each forest whose first form finished (candidates.lighter: a quarter of the trees),
        then of those that finished (a quarter of a quarter), while the search has the time: every forest's first
        step before any second one. Each counts as a tuned candidate. False when the search must end."""
        config = self.config
        forests = [self.candidates.get(first.name) for first in queue]
        forests = [kept for kept in forests if kept is not None and kept.spec and kept.spec.size_param]
        rung = [(kept, measured) for kept in forests if (measured := self._measured_cost(kept)) is not None]
        while rung:
            finished = []
            for heavier, measured in rung:
                if config.max_trials is not None and self.counts["tuned"] >= config.max_trials:
                    return True
                param = heavier.spec.size_param
                parts = heavier.params.get(param) or heavier.spec.default(self.task, param) or 0
                candidate, estimate = lighter(heavier, parts, numbers), measured / LIGHTER_SHARE
                if candidate is None or estimate > self.search_left():  # an offer: without the time, not made
                    continue
                if not self._try(candidate, estimate=estimate):
                    return False
                self.counts["tuned"] += 1
                # only a finished one is offered lighter still: a failed or stopped one's lighter would not do better
                if candidate.name in self.candidates:
                    finished.append((self.candidates[candidate.name], estimate))
            rung = finished
        return True

    def _tune(self, specs: list[Any], numbers: dict[str, int]) -> None:
        """Tuned candidates of the best `tune_kinds` kinds by their first form's score; when `patience` candidates in a
        row bring no gain (or their space is spent) while budget remains, of the next kinds: a search still finding
        gains elsewhere is not ended (the balanced preset ended at 37 s of 120 while behind FLAML, issue 36). It ends
        with the budget, `max_trials`, or when every kind's tuning has stopped gaining."""
        config = self.config
        kinds = [s for s in self._ranked_kinds(specs) if s.space(self.task)]
        if not kinds or config.max_trials == 0:
            return
        targets = preprocess.targets_to_try(self.folds.y_train, self.task)
        for start in range(0, len(kinds), config.tune_kinds):
            self._tune_kinds(kinds[start : start + config.tune_kinds], numbers, targets)
            if self.stop not in ("patience", "exhausted"):
                return

    def _tune_kinds(self, tunable: list[Any], numbers: dict[str, int], targets: tuple[str, ...]) -> None:
        """Tuned candidates of `tunable` until the budget, `max_trials`, `patience` or their space ends it."""
        config = self.config
        tuner = Tuner(tunable, self.task, config.seed, self.primary.greater_is_better, numbers, targets)
        best, since_gain, failed_in_a_row = self._best_score(), 0, 0
        while True:
            if config.max_trials is not None and self.counts["tuned"] >= config.max_trials:
                self.stop = "max_trials"
                break
            if since_gain >= config.patience and config.max_trials is None:
                self.stop = "patience"
                break
            candidate = tuner.ask()
            if candidate is None:  # every setting it proposes now was tried already
                self.stop = "exhausted"
                break
            pruned = self.counts["pruned"]
            if not self._try(candidate, estimate=self._measured_cost(candidate), tuner=tuner):
                break
            self.counts["tuned"] += 1
            if candidate.name not in self.candidates and self.counts["pruned"] == pruned:
                # it failed: that says nothing of whether tuning still gains, so it is no "trial without a
                # gain"; a space that keeps failing still ends the search
                failed_in_a_row += 1
                if failed_in_a_row >= FAILURES_BEFORE_SPENT * config.patience and config.max_trials is None:
                    self.stop = "patience"
                    break
                continue
            failed_in_a_row = 0
            score = self._best_score()
            gain = (score - best) if self.primary.greater_is_better else (best - score)
            since_gain = 0 if gain > self._meaningful_gain(best) else since_gain + 1
            best = score if gain > 0 else best

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

    def _ranked_kinds(self, specs: list[Any]) -> list[Any]:
        """The model kinds of `specs` with a finished candidate, best first."""
        kinds = list(dict.fromkeys(self.candidates[r["model"]].family for r in self.log.ranked()))
        by_name = {s.name: s for s in specs}
        return [by_name[k] for k in kinds if k in by_name]

    def _best_score(self) -> float:
        return decision_mod.score(self.log.ranked()[0], self.primary)

    def _meaningful_gain(self, best: float) -> float:
        return 0.001 if self.primary.bounded else 0.001 * abs(best)

    def _measured_cost(self, candidate: Candidate) -> float | None:
        """Seconds the form of its kind it is made like (self.forms) took to evaluate, in proportion to their trees or
        rounds: how long this one will likely take."""
        form = self.forms.get(candidate.family)
        row = None if form is None else self.log.row_of(form.name)
        if row is None or candidate.spec is None:
            return None
        ratio = candidate.spec.cost_ratio(self.task, candidate.params, form.params)
        return row["fit_s"] * self.folds.n_folds * ratio

    def _try(self, candidate: Candidate, estimate: float | None, tuner: Any = None, pending: int = 0) -> bool:
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

    def _evaluate(self, candidate: Candidate, estimate: float | None, tuner: Any, pending: int) -> bool:
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
            if folds_done:  # what its folds so far say all of them need (the fold under way counted in, leaning high)
                self.needed[candidate.name] = left * self.folds.n_folds / len(folds_done)
            log.not_finished(candidate.name, "stopped", t("run.stopped_budget", seconds=left), stage=candidate.stage)
            if tuner is not None:
                tuner.tell(candidate, None)
            if self.search_left() > 0 or not log.rows:
                return True
            self._out_of_time(self.search_left())
            return False
        except Pruned:
            self.counts["pruned"] += 1
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
            form = self.forms.get(spec.name)
            if param in candidate.params or form is None or param not in form.params:
                return candidate
            return replace(candidate, params={**candidate.params, param: form.params[param]})
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

    def _keep(self, candidate: Candidate, evaluation: evaluate.Evaluation, pipeline: Any = None) -> dict[str, Any]:
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

    def _at_own_threshold(self, evaluation: evaluate.Evaluation, folds: list[Any]) -> tuple[Any, Any]:
        if not self.own_thresholds:
            return evaluation, None
        return threshold.at_own_threshold(evaluation, self.folds.y_train, folds, self.primary, self.ctx.task_metrics)

    def _enters_top(self, evaluation: evaluate.Evaluation) -> bool:
        if self.second_folds is None:
            return False
        mine = decision_mod.goodness(evaluation.row, self.primary)
        ahead = sum(decision_mod.goodness(row, self.primary) > mine for row in self.log.rows)
        return ahead < self.config.confirm_top

    def _confirmed(self, pipeline: Any, evaluation: evaluate.Evaluation) -> evaluate.Evaluation:
        """`evaluation` pooled with a cross-validation on the second set of folds (at a decision threshold chosen
        the same way on them), when the search has the time for it; as it was otherwise. The best of many
        candidates scored on the same folds is partly the one those folds flattered: on randhie's heavy-tailed
        counts a 23rd tuned hist_gb ranked first and scored 0.13 R² on the test rows, against 0.22 for a forest."""
        left = self.search_left()
        if evaluation.row["fit_s"] * self.second_folds.n_folds > left:
            return evaluation
        try:
            with py_warnings.catch_warnings(), budget.time_limit(left):
                py_warnings.simplefilter("ignore")  # the first set of folds already reported its warnings
                second = evaluate.cross_validate(
                    pipeline, self.second_folds, self.task, self.ctx.task_metrics, self.config.seed, 1
                )
        except KeyboardInterrupt:  # what the first set of folds measured is kept; the search ends
            self.ctx.cancel.caught = True
            return evaluation
        except Exception:  # out of time, or a fold the second shuffle made impossible: the first opinion stands
            return evaluation
        second, _ = self._at_own_threshold(second, evaluate.fold_indices(self.second_folds))
        self.counts["confirmed"] += 1
        return evaluate.pooled(evaluation, second)

    def _ensemble(self) -> None:
        pool, kinds = [], set()
        for row in self.log.ranked():
            candidate = self.candidates[row["model"]]
            if candidate.family in kinds or row["model"] not in self.evaluations:
                continue
            kinds.add(candidate.family)
            pool.append(ensemble.Member(candidate, row, self.evaluations[row["model"]]))
        chosen = ensemble.select(pool, self.folds.y_train, self.fold_positions, self.task, self.primary)
        if chosen is None:
            return
        candidate = Candidate(ENSEMBLE, None, members=tuple((m.candidate, weight) for m, weight in chosen.members))
        self.ctx.emit(ev.CandidateStarted(model=candidate.name))
        try:
            with budget.time_limit(max(self.search_left() + self._ensemble_s(), 0.5)):
                evaluation = ensemble.evaluate_members(
                    chosen.members,
                    self.folds,
                    self.task,
                    self.ctx.task_metrics,
                    self.config.seed,
                    self.config.latency_repeats,
                    chosen.out_of_fold,
                )
        except budget.BudgetExceeded:
            stopped = t("run.stopped_budget", seconds=self._ensemble_s())
            self.log.not_finished(candidate.name, "stopped", stopped, stage=candidate.stage)
            return
        self.ensemble = candidate.name
        self._keep(candidate, evaluation)
