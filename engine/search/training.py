"""The training phase: every model kind in its cheapest useful form, then grown, lighter and tuned candidates, then an
ensemble, all inside the time budget.

Each candidate is cross-validated fold by fold under a hard time limit; what finishes is written to disk at
once, what is stopped is recorded with the reason (stopped by the budget, pruned). The search ends when the
budget (less what the refit, explanations, charts and report will need: budget.after_search_s) is spent, when
`max_trials` tuned candidates were tried, or when `patience` tuned candidates in a row brought no gain: small
tables do not burn the whole budget. `search_phase()` is the phase; it returns a SearchResult (outcome.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, Any

from automl_tui_engine import decision as decision_mod
from automl_tui_engine import events as ev
from automl_tui_engine.context import RunContext
from automl_tui_engine.core import budget
from automl_tui_engine.messages import t
from automl_tui_engine.search import ensemble
from automl_tui_engine.search.candidates import (
    ENSEMBLE,
    LIGHTER_SHARE,
    Candidate,
    Tuner,
    again,
    first_forms,
    grown,
    lighter,
    with_parts,
)
from automl_tui_engine.search.outcome import SearchResult
from automl_tui_engine.search.planning import SearchPlan
from automl_tui_engine.search.trials import Trials
from automl_tui_engine.table import preprocess

if TYPE_CHECKING:  # scikit-learn loads with the run, not with the module
    from automl_tui_engine.extension.registry.models import ModelSpec
    from automl_tui_engine.table.preprocess import ColumnPlan

FAILURES_BEFORE_SPENT = 2  # failed tuned candidates in a row, in units of `patience`, that end the search
# tuned candidates in a row not started because their estimate did not fit the time left, that end the search
TOO_LONG_BEFORE_SPENT = 5
# a first form the clock stopped is tried again coarser with at most this share of its rounds: its own time is known
# only to be more than it was given
COARSER_AT_MOST = 0.5


def search_phase(ctx: RunContext, specs: list[ModelSpec], plans: list[ColumnPlan], plan: SearchPlan) -> SearchResult:
    """The candidates of `specs` (first forms, then grown, lighter and tuned ones, then an ensemble) compared on
    `plan`'s rows."""
    return _Search(ctx, plans, plan).run(specs)


class _Search(Trials):
    """One search in progress: the order and the rules for going on (how each candidate is tried: trials.py)."""

    def run(self, specs: list[Any]) -> SearchResult:
        config = self.config
        numbers: dict[str, int] = {}  # candidates of each kind numbered so far ("<kind> #<n>")
        queue = first_forms(specs, self.task)
        # no estimate for first forms: cost hints scaled from the linear model misjudge large tables (a linear fit
        # slows with one-hot columns, boosting does not), so the timer decides
        stopped = self._in_turn([(first, None) for first in queue])
        if (
            stopped is not None
            and self._retried(stopped, numbers)
            and self._grow(numbers)
            and self._lighter(queue, numbers)
        ):
            self._tune(specs, numbers)
            if self.stop in ("patience", "exhausted") and config.priority == "accuracy":
                self._grow_the_pick(numbers)
        if config.ensemble and self.stop != "cancelled":
            self._ensemble()
        return self.result()

    def _retried(self, stopped: list[Candidate], numbers: dict[str, int]) -> bool:
        """The first forms the clock stopped, tried once more where worth it (_again); False: the search must end."""
        queue = self._again(stopped, numbers)
        going_on = self._in_turn(queue) is not None
        firsts = {first.family: first for first in stopped}
        for tried, _ in queue:
            if tried.name in self.candidates and tried.params != firsts[tried.family].params:
                self._say_coarser(firsts[tried.family], tried)
        return going_on

    def _again(self, stopped: list[Candidate], numbers: dict[str, int]) -> list[tuple[Candidate, float]]:
        """The first forms the clock stopped at the end of their share, each to be tried once more, with its estimate,
        when the other kinds have had theirs: every kind compared whenever the time allows.

        As it was, when its folds so far say the search time left is enough (a linear model on a wide table of six
        classes); never one that finished no fold in its share as it was: its folds would eat the rest of the search.
        Else a boosting is tried coarser (fewer rounds at a higher rate: ModelSpec.coarser_params), sized to an even
        share of the time left, as FLAML starts from a handful of trees: Car's six-class boostings did not finish
        three folds in their shares under two busy loops, and 5 of 6 kinds were compared."""
        queue, left, folds = [], self.search_left(), self.folds.n_folds
        for first in stopped:
            given, done = self.stopped_after[first.name]
            # what its folds so far say all of them need, the fold under way counted in (leaning high); when it
            # finished none, at least one fold more than it was given
            needed = given * folds / done if done else given * (folds + 1)
            if done and needed <= left:
                queue.append((again(first, numbers), needed))
                continue
            spec = first.spec
            share = min(left / len(stopped) / needed, COARSER_AT_MOST)
            params = spec.coarser_params(self.task, first.params, share) if spec else None
            if spec is None or params is None:
                continue
            coarser = again(first, numbers, params)
            queue.append((coarser, needed * spec.cost_ratio(self.task, params, first.params)))
        return queue

    def _say_coarser(self, first: Candidate, coarser: Candidate) -> None:
        """The report's line on a first form compared coarser: its rounds and rate, before and after."""
        spec = coarser.spec
        assert spec is not None and spec.rate_param is not None
        rounds = spec.count_params(self.task)[0]
        was = {p: first.params.get(p, spec.default(self.task, p)) for p in (rounds, spec.rate_param)}
        self.ctx.warn(
            t(
                "run.model_coarser",
                model=first.name,
                seconds=self.stopped_after[first.name][0],
                again=coarser.name,
                rounds=coarser.params[rounds],
                rate=coarser.params[spec.rate_param],
                full=was[rounds],
                full_rate=was[spec.rate_param],
            ),
            topic="run",
        )

    def _in_turn(self, queue: Sequence[tuple[Candidate, float | None]]) -> list[Candidate] | None:
        """`queue`'s candidates one after the other, each with an even share of the search time left (those still to
        come are skipped when the search must end) and its estimate (seconds, None: the timer decides); the ones the
        clock stopped, or None when the search must end."""
        stopped = []
        for position, (candidate, estimate) in enumerate(queue):
            stops = self.counts["stopped"]
            if not self._try(candidate, estimate=estimate, pending=len(queue) - position - 1):
                for rest, _ in queue[position + 1 :]:
                    self.log.not_finished(rest.name, "skipped", self._skip_reason(), stage=rest.stage)
                return None
            if self.counts["stopped"] > stops:
                stopped.append(candidate)
        return stopped

    def _trials_spent(self) -> bool:
        """`max_trials` tuned candidates were tried (grown and lighter forms count among them)."""
        return self.config.max_trials is not None and self.counts["tuned"] >= self.config.max_trials

    def _offer(self, make: Callable[[], Candidate | None], estimate: float) -> tuple[bool, Candidate | None]:
        """A grown or lighter form, made by `make()` (which numbers it; None: there is none) only when its `estimate`
        fits the search time left: an offer, without the time not made nor numbered. Returns (False when the search
        must end, the candidate tried if one was)."""
        candidate = make() if estimate <= self.search_left() else None
        if candidate is None:
            return True, None
        if not self._try(candidate, estimate=estimate):
            return False, candidate
        self.counts["tuned"] += 1
        return True, candidate

    def _grow(self, numbers: dict[str, int]) -> bool:
        """Each kind's finished first form grown to its defaults (candidates.grown), the best-ranked kinds first, while
        the search has the time for it; each counts as a tuned candidate. A first form made smaller than planned
        (the budget could not afford it) is not grown. False when the search must end."""
        firsts = [self.candidates[r["model"]] for r in self.log.ranked() if r["stage"] == "default"]
        for first in firsts:
            if self._trials_spent():
                return True
            spec, measured = first.kind, self._measured_cost(first)
            if first.family in self.sized or not spec.first_params(self.task) or measured is None:
                continue
            estimate = measured * spec.cost_ratio(self.task, spec.grown_params(self.task), first.params)
            going_on, tried = self._offer(partial(grown, first, self.task, numbers), estimate)
            if not going_on:
                return False
            if tried is not None and tried.name in self.candidates:
                self.forms[first.family] = tried
        return True

    def _grow_the_pick(self, numbers: dict[str, int]) -> None:
        """The likely pick, when it is a forest with fewer trees than its kind grows to (made smaller for the time, or
        tuned like such a form), made again with that many with the time the search left: more trees of one forest
        are never less accurate in expectation, and the accuracy pick prefers them (decision._with_most_parts).
        A search ended by patience has time left: Boston under two busy loops ended at 18.8 s of 30 and
        recommended extra_trees' first form."""
        pick = self.candidates.get(self._likely_pick()[0]["model"]) if self.log.rows else None
        spec = pick.spec if pick is not None else None
        if pick is None or spec is None or spec.size_param is None or self._trials_spent():
            return
        made = self._as_made(pick).params
        target = spec.grown_params(self.task).get(spec.size_param)
        parts = made.get(spec.size_param)
        row = self.log.row_of(pick.name)
        if not isinstance(target, int) or not isinstance(parts, int) or parts >= target or row is None:
            return
        wanted = {**made, spec.size_param: target}
        siblings = [c for c in self.candidates.values() if c.spec is spec and c.target == pick.target]
        if any(self._as_made(c).params == wanted for c in siblings):
            return  # made already, and not within tolerance of the pick
        # its folds, and what its refit on every row would cost beyond the pick's, which the search keeps back
        ratio = spec.cost_ratio(self.task, wanted, made)
        estimate = row["fit_s"] * self.folds.n_folds * ratio + budget.refit_s(row, self.plan.scale) * (ratio - 1)
        self._offer(partial(with_parts, replace(pick, params=made), target, numbers), estimate)

    def _lighter(self, queue: list[Candidate], numbers: dict[str, int]) -> bool:
        """Lighter versions of each forest whose first form finished (candidates.lighter: a quarter of the trees),
        then of those that finished (a quarter of a quarter), while the search has the time: every forest's first
        step before any second one. Each counts as a tuned candidate. False when the search must end."""
        finished_firsts = [kept for first in queue if (kept := self.candidates.get(first.name)) is not None]
        forests = [kept for kept in finished_firsts if kept.spec is not None and kept.spec.size_param]
        rung = [(kept, measured) for kept in forests if (measured := self._measured_cost(kept)) is not None]
        while rung:
            finished: list[tuple[Candidate, float]] = []
            for heavier, measured in rung:
                if self._trials_spent():
                    return True
                param = heavier.kind.size_param
                assert param is not None  # forests only
                parts = heavier.params.get(param) or heavier.kind.default(self.task, param) or 0
                estimate = measured / LIGHTER_SHARE
                going_on, tried = self._offer(partial(lighter, heavier, parts, numbers), estimate)
                if not going_on:
                    return False
                # only a finished one is offered lighter still: a failed or stopped one's lighter would not do better
                if tried is not None and tried.name in self.candidates:
                    finished.append((self.candidates[tried.name], estimate))
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
            if not self._tune_kinds(kinds[start : start + config.tune_kinds], numbers, targets):
                return

    def _tune_kinds(self, tunable: list[Any], numbers: dict[str, int], targets: tuple[str, ...]) -> bool:
        """Tuned candidates of `tunable` until the budget, `max_trials`, `patience` or their space ends it; True when
        the next kinds may be tuned (patience, a spent space, or none of these kinds' settings fit the time left)."""
        config = self.config
        better = self.primary.greater_is_better
        tuner = Tuner(tunable, self.task, config.seed, better, numbers, targets, self._best_of_each_kind())
        best, since_gain, failed_in_a_row, too_long_in_a_row = self._best_score(), 0, 0, 0
        while True:
            if self._trials_spent():
                self.stop = "max_trials"
                return False
            if since_gain >= config.patience and config.max_trials is None:
                self.stop = "patience"
                return True
            candidate = tuner.ask()
            if candidate is None:  # every setting it proposes now was tried already, or none fits the time left
                self.stop = "exhausted" if not tuner.aside else self.stop
                return True
            estimate, left = self._measured_cost(candidate), self.search_left()
            if (
                estimate is not None
                and estimate > left >= budget.MIN_START_S
                and too_long_in_a_row < TOO_LONG_BEFORE_SPENT
            ):
                # one that does not fit must not end a search that has time for others (diamonds: a tuned forest
                # that would need 5.3 s ended the search with 3.4 s left for boosting of 0.4 s a fold: the run ended
                # at 25 s of 30); its kind is set aside when even its fewest trees or rounds would not fit
                too_long_in_a_row += 1
                tuner.too_long(candidate)
                reason = t("run.skipped_too_long", needed=budget.round_up(estimate), left=budget.round_down(left))
                self.log.not_finished(candidate.name, "skipped", reason, stage=candidate.stage)
                if self._cheapest_tuned_cost(candidate) > left:
                    tuner.set_aside(candidate.family)
                    self._out_of_time(left, estimate)  # the figures, should no other kind fit either
                continue
            too_long_in_a_row, pruned = 0, self.counts["pruned"]
            if not self._try(candidate, estimate=estimate, tuner=tuner):
                return False
            self.counts["tuned"] += 1
            if candidate.name not in self.candidates and self.counts["pruned"] == pruned:
                # it failed: that says nothing of whether tuning still gains, so it is no "trial without a
                # gain"; a space that keeps failing still ends the search
                failed_in_a_row += 1
                if failed_in_a_row >= FAILURES_BEFORE_SPENT * config.patience and config.max_trials is None:
                    self.stop = "patience"
                    return True
                continue
            failed_in_a_row = 0
            score = self._best_score()
            gain = (score - best) if self.primary.greater_is_better else (best - score)
            since_gain = 0 if gain > self._meaningful_gain(best) else since_gain + 1
            best = score if gain > 0 else best

    def _cheapest_tuned_cost(self, candidate: Candidate) -> float:
        """Seconds the cheapest candidate of `candidate`'s kind would likely take: with the fewest trees or rounds
        its search space allows (a tuned forest has its form's), its other settings as they are."""
        fewest = candidate.kind.fewest_parts(self.task)
        return self._measured_cost(replace(candidate, params={**candidate.params, **fewest})) or 0.0

    def _ranked_kinds(self, specs: list[Any]) -> list[Any]:
        """The model kinds of `specs` with a finished candidate, best first."""
        kinds = list(dict.fromkeys(self.candidates[r["model"]].family for r in self.log.ranked()))
        by_name = {s.name: s for s in specs}
        return [by_name[k] for k in kinds if k in by_name]

    def _best_of_each_kind(self) -> dict[str, float]:
        best: dict[str, float] = {}
        for row in self.log.ranked():
            best.setdefault(self.candidates[row["model"]].family, decision_mod.score(row, self.primary))
        return best

    def _best_score(self) -> float:
        return decision_mod.score(self.log.ranked()[0], self.primary)

    def _meaningful_gain(self, best: float) -> float:
        return 0.001 if self.primary.bounded else 0.001 * abs(best)

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
