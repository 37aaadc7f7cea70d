"""Which candidates to try: every kind's first form (in the plan's order: planning.py), grown, lighter and coarser
forms, the tuned candidates of an optuna study, and ensembles of the best."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from automl_tui_engine.extension.registry.models import ModelSpec
from automl_tui_engine.naming import tuned_name
from automl_tui_engine.search.planning import order
from automl_tui_engine.table.preprocess import AS_IS
from automl_tui_engine.tasks import Task

if TYPE_CHECKING:  # optuna and scikit-learn load with the search, not with the module
    import optuna
    from automl_tui_engine.table.preprocess import ColumnPlan
    from sklearn.base import BaseEstimator


@dataclass
class Candidate:
    """One entry of the search: a model kind with parameters over its defaults, or an ensemble of candidates.

    `name` is unique on the leaderboard: the kind's own name for its defaults, "<kind> #<n>" for tuned ones."""

    name: str
    spec: ModelSpec | None
    params: dict[str, Any] = field(default_factory=dict)
    members: tuple[tuple[Candidate, int], ...] = ()  # an ensemble's (member, weight)
    trial: Any = None  # the optuna trial that proposed it
    key: str = ""  # a tuned candidate's kind and parameters as text: the same key is the same candidate
    target: str = AS_IS  # how a regression model sees its target: one of preprocess.TARGETS

    @property
    def family(self) -> str:
        return self.spec.name if self.spec is not None else ENSEMBLE

    @property
    def kind(self) -> ModelSpec:
        """The model kind of a single model: an ensemble has none, and asking for it is a mistake."""
        assert self.spec is not None, self.name
        return self.spec

    @property
    def stage(self) -> str:
        """Which part of the search it comes from: one of STAGES (a lighter forest is a tuned one)."""
        return "ensemble" if self.members else "tuned" if self.key else "default"

    def pipeline(self, plans: list[ColumnPlan], task: Task, seed: int, steps: tuple = ()) -> BaseEstimator:
        from automl_tui_engine.table import preprocess

        if not self.members:
            assert self.spec is not None
            return preprocess.pipeline(plans, self.spec, task, seed, self.params, steps, self.target)
        from sklearn.ensemble import VotingClassifier, VotingRegressor

        estimators = [(f"m{i}", m.pipeline(plans, task, seed, steps)) for i, (m, _) in enumerate(self.members)]
        weights = [weight for _, weight in self.members]
        if task is Task.REGRESSION:
            return VotingRegressor(estimators, weights=weights)
        return VotingClassifier(estimators, voting="soft", weights=weights)

    def describe(self) -> dict[str, Any]:
        """What the run folder keeps of it: enough to build it again."""
        if self.members:
            return {"members": {m.name: weight for m, weight in self.members}}
        described = {"family": self.family, "params": self.params}
        return described if self.target == AS_IS else {**described, "target": self.target}


ENSEMBLE = "ensemble"
# the parts of a search, in order: each kind's first form, grown, lighter and tuned candidates, an ensemble of the best
STAGES = ("default", "tuned", "ensemble")


def first_forms(specs: list[ModelSpec], task: Task) -> list[Candidate]:
    """Each model kind in its cheapest useful form (ModelSpec.first_form; else its proven defaults), cheapest kind
    first: every kind gives a result early, also on a busy machine, as FLAML starts each learner from its cheapest
    configuration."""
    return [Candidate(spec.name, spec, spec.first_params(task)) for spec in order(specs)]


def grown(first: Candidate, task: Task, numbers: dict[str, int]) -> Candidate | None:
    """`first` (a kind's first form) grown to the kind's defaults (more trees; more rounds at a finer rate); None
    when the first form is all there is."""
    spec = first.spec
    if spec is None or not spec.first_params(task):
        return None
    return _numbered(spec, {**first.params, **spec.grown_params(task)}, numbers)


def again(first: Candidate, numbers: dict[str, int], params: dict[str, Any] | None = None) -> Candidate:
    """`first` (a first form stopped at the end of its share of the time) to be tried once more, when the other kinds
    have had theirs, with the time they left unused: as it was, or with `params` (a coarser form)."""
    assert first.spec is not None
    return _numbered(first.spec, first.params if params is None else params, numbers)


def _numbered(spec: ModelSpec, params: dict[str, Any], numbers: dict[str, int]) -> Candidate:
    """A candidate of `spec` beyond its first form, "<kind> #<n>" after the kind's candidates so far (`numbers`,
    updated); its key makes it the same candidate as any other of that kind with those settings."""
    import json

    numbers[spec.name] = numbers.get(spec.name, 0) + 1
    key = json.dumps([spec.name, params], sort_keys=True, default=str)
    return Candidate(tuned_name(spec.name, numbers[spec.name]), spec, params, key=key)


LIGHTER_SHARE = 4  # each lighter forest has a quarter of the trees of the one before it
MIN_PARTS = 10  # fewer trees than this average too little to be worth offering


def lighter(heavier: Candidate, parts: int, numbers: dict[str, int]) -> Candidate | None:
    """`heavier` (a kind made of `parts` averaged parts: a forest's trees) with a quarter of them, numbered after
    the kind's candidates so far (`numbers`, updated); None when too few parts are left to make a sound model.
    The average of a quarter of the trees scores close to all of them and is 4× smaller and about 3× faster to
    predict (extra_trees on digits: CV accuracy 0.974 against 0.983, 9 against 29 ms per 1,000 rows): what the
    speed, size and balanced priorities weigh. With the first form (50 trees) and its grown form (200), this makes a
    ladder (200, 50, 12 trees) from which those priorities take the lightest that stays accurate enough."""
    spec = heavier.spec
    if spec is None or spec.size_param is None or parts // LIGHTER_SHARE < MIN_PARTS:
        return None
    return with_parts(heavier, parts // LIGHTER_SHARE, numbers)


def with_parts(candidate: Candidate, parts: int, numbers: dict[str, int]) -> Candidate:
    """`candidate` (a kind made of averaged parts: a forest's trees) with `parts` of them, its other settings as they
    are, numbered after the kind's candidates so far (`numbers`, updated)."""
    spec = candidate.spec
    assert spec is not None and spec.size_param is not None
    return replace(_numbered(spec, {**candidate.params, spec.size_param: parts}, numbers), target=candidate.target)


class Pruned(Exception):
    """A tuned candidate stopped after a fold because it was clearly behind the others at that fold."""


LOG_STEPS_PER_DECADE = 6  # a log-scaled setting is tried on this grid: closer values fit the same model


def _suggest(trial: optuna.trial.Trial, name: str, domain: list[Any] | dict[str, Any]) -> Any:
    """A value from a registry search-space entry: a list is a set of choices; a {low, high[, log, int]} dict
    is a range. A log-scaled float is put on a grid of LOG_STEPS_PER_DECADE per decade: ten tuned linear models
    with C between 3.1 and 3.4 had the same R² to the third decimal, and on the grid they are one candidate,
    trained once."""
    import math

    if isinstance(domain, list):
        return trial.suggest_categorical(name, domain)
    low, high, log = domain["low"], domain["high"], domain.get("log", False)
    if domain.get("int"):
        return trial.suggest_int(name, low, high, log=log)
    value = trial.suggest_float(name, low, high, log=log)
    if not log:
        return value
    on_grid = 10 ** (round(math.log10(value) * LOG_STEPS_PER_DECADE) / LOG_STEPS_PER_DECADE)
    return float(f"{min(max(on_grid, low), high):.3g}")


REPEATS_BEFORE_SPENT = 20  # proposals in a row that repeat earlier candidates: the tuner has nothing new to try
SET_ASIDE_DRAWS = 100  # draws in a row of kinds set aside (Tuner.set_aside) before the tuner gives up asking


class Tuner:
    """Tuned candidates from optuna: a seeded TPE sampler over the search spaces of the kinds that did best
    in their first forms, and a pruner that stops a candidate after a fold where it is in the worse half of the
    candidates measured at that fold (successive elimination on folds). Between the sampler's proposals come
    moves from what was measured, as FLAML's local search makes them: each kind starts from its regularised settings
    (ModelSpec.tuning_start); when those score below the kind's defaults, its settings on the other side
    (ModelSpec.capacity_start) come next; and a tuned candidate that is its kind's best so far is tried again with
    twice the rounds. Same seed, same trials: same candidates."""

    def __init__(
        self,
        specs: list[ModelSpec],
        task: Task,
        seed: int,
        greater_is_better: bool,
        numbers: dict[str, int] | None = None,
        targets: tuple[str, ...] = (AS_IS,),
        untuned_best: dict[str, float] | None = None,
    ) -> None:
        """`numbers`: how many candidates of each kind were numbered before tuning (candidates.lighter); the tuned
        ones are numbered after them, in the same dict. `targets`: the ways of seeing a regression target to choose
        among (preprocess.targets_to_try), a setting like the others. `untuned_best`: each kind's best score before
        tuning (its first form, its defaults), which its regularised start is measured against."""
        import optuna

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        self.task, self.targets, self.greater_is_better = task, targets, greater_is_better
        self.untuned_best = dict(untuned_best or {})
        self.kind_best = dict(self.untuned_best)  # each kind's best score so far, tuned candidates included
        self.starts: dict[str, str] = {}  # kind -> the key of its first tuned candidate: its regularised start
        self.specs = {spec.name: spec for spec in specs if spec.space(task)}
        self.study = optuna.create_study(
            direction="maximize" if greater_is_better else "minimize",
            sampler=optuna.samplers.TPESampler(seed=seed, n_startup_trials=5),
            pruner=optuna.pruners.PercentilePruner(50.0, n_startup_trials=3),
        )
        for spec in self.specs.values():  # each kind's regularised start first (ModelSpec.tuning_start)
            if start := spec.start(task):
                self._enqueue(spec.name, start)
        self.proposed = {} if numbers is None else numbers
        self.aside: set[str] = set()  # kinds no longer proposed (set_aside)
        # each candidate proposed so far (kind and parameters) -> how it ended: a score, "pruned", "failed", or
        # None while it is being evaluated
        self.outcomes: dict[str, float | str | None] = {}

    def set_aside(self, kind: str) -> None:
        """`kind` is proposed no more (none of its settings fits the time left)."""
        self.aside.add(kind)

    def ask(self) -> Candidate | None:
        """The next candidate to evaluate; None when the sampler keeps proposing candidates already tried (a small
        space is spent) or every kind is set aside. A repeat is never trained again: optuna is told how it ended the
        first time."""
        import json

        import optuna

        repeats, draws = 0, 0
        while repeats < REPEATS_BEFORE_SPENT and draws < SET_ASIDE_DRAWS and set(self.specs) - self.aside:
            trial = self.study.ask()
            kind = trial.suggest_categorical("model", list(self.specs))
            if kind in self.aside:
                draws += 1
                self.study.tell(trial, state=optuna.trial.TrialState.FAIL)
                continue
            draws, spec = 0, self.specs[kind]
            space = spec.space(self.task)
            params = {name: _suggest(trial, f"{kind}.{name}", domain) for name, domain in space.items()}
            # asked only when there is a choice: an extra draw would change every other run's candidates
            target = trial.suggest_categorical(f"{kind}.target", list(self.targets)) if self.targets[1:] else AS_IS
            key = json.dumps([kind, params, target], sort_keys=True, default=str)
            if key in self.outcomes:
                repeats += 1
                self._tell_again(trial, self.outcomes[key])
                continue
            self.outcomes[key] = None
            if spec.start(self.task):  # enqueued first, so a kind's first proposal is its start
                self.starts.setdefault(kind, key)
            self.proposed[kind] = self.proposed.get(kind, 0) + 1
            name = tuned_name(kind, self.proposed[kind])
            return Candidate(name, spec, params, trial=trial, key=key, target=target)
        return None

    def _tell_again(self, trial: optuna.trial.Trial, outcome: float | str | None) -> None:
        import optuna

        state = optuna.trial.TrialState
        if isinstance(outcome, float):
            self.study.tell(trial, outcome)
        else:
            self.study.tell(trial, state=state.PRUNED if outcome == "pruned" else state.FAIL)

    def after_fold(self, candidate: Candidate) -> Any:
        def report(fold: int, value: float) -> None:
            candidate.trial.report(value, fold)
            if candidate.trial.should_prune():
                raise Pruned

        return report

    def tell(self, candidate: Candidate, value: float | None, pruned: bool = False) -> None:
        import optuna

        state = optuna.trial.TrialState
        if pruned:
            self.study.tell(candidate.trial, state=state.PRUNED)
        elif value is None:
            self.study.tell(candidate.trial, state=state.FAIL)
        else:
            self.study.tell(candidate.trial, value)
        self.outcomes[candidate.key] = "pruned" if pruned else "failed" if value is None else float(value)
        kind, spec = candidate.family, self.specs[candidate.family]
        if self.starts.get(kind) == candidate.key and (capacity := spec.capacity(self.task)):
            defaults = self.untuned_best.get(kind)
            if pruned or (value is not None and defaults is not None and self._better(defaults, value)):
                self._enqueue(kind, capacity)
        best = self.kind_best.get(kind)
        if value is not None and (best is None or self._better(value, best)):
            self.kind_best[kind] = value
            # more rounds of what is winning: where a smooth target wants them (Computers: R² 0.930 with 200,
            # 0.932 with 400), found in one step instead of by the sampler's chance; cross-validation keeps them or not
            space, rounds = spec.space(self.task), spec.fewest_parts(self.task)
            grown = {p: 2 * candidate.params[p] for p in rounds if 2 * candidate.params[p] <= space[p]["high"]}
            if grown:
                self._enqueue(kind, {**candidate.params, **grown}, candidate.target)

    def too_long(self, candidate: Candidate) -> None:
        """`candidate` did not fit, or finish, in the time left: a poor result, not a failure TPE leaves out (told
        that, it kept proposing 7-9 s hist_gb settings with 6 s left on Fishing, and the search ended at 19 s of 30)."""
        import optuna

        self.study.tell(candidate.trial, state=optuna.trial.TrialState.PRUNED)
        self.outcomes[candidate.key] = "pruned"

    def _better(self, score: float, than: float) -> bool:
        return score > than if self.greater_is_better else score < than

    def _enqueue(self, kind: str, settings: dict[str, Any], target: str | None = None) -> None:
        """`settings` of `kind` (and the way of seeing the target, when there is a choice) to be the next proposal
        not yet made."""
        fixed = {"model": kind, **{f"{kind}.{p}": v for p, v in settings.items()}}
        if target is not None and self.targets[1:]:
            fixed[f"{kind}.target"] = target
        self.study.enqueue_trial(fixed)
