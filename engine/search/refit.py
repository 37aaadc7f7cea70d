"""The recommended model, trained for keeps within the time left (the refit phase of a run)."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from automl_tui_engine.context import RunContext
from automl_tui_engine.core import budget
from automl_tui_engine.search import evaluate, threshold
from automl_tui_engine.search.candidates import MIN_PARTS, Candidate
from automl_tui_engine.search.outcome import SearchResult
from automl_tui_engine.search.planning import SearchPlan
from automl_tui_engine.tasks import Task

if TYPE_CHECKING:  # pandas and scikit-learn load with the run, not with the module
    from automl_tui_engine.search.evaluate import Split
    from automl_tui_engine.table.preprocess import ColumnPlan
    from sklearn.base import BaseEstimator

# how the saved model was trained (run.json's refit.how): all training rows, all of them with fewer trees (a forest),
# a sample of them, or the first CV fold's
HOWS = ("all_rows", "fewer_parts", "sample", "fold_model")


@dataclass(frozen=True)
class Refit:
    """The model to save, and how it was trained."""

    model: BaseEstimator
    how: str  # one of HOWS
    fit_s: float
    train_rows: int
    test_rows: int
    candidate: dict[str, Any]  # search.Candidate.describe()
    threshold: dict[str, float] | None  # the tuned decision threshold (threshold.Tuned), when it paid
    parts: tuple[int, int] | None = None  # "fewer_parts": (trees it was trained with, trees it was measured with)

    def summary(self) -> dict[str, Any]:
        """run.json's "refit"."""
        return {
            "fit_s": self.fit_s,
            "how": self.how,
            "train_rows": self.train_rows,
            "test_rows": self.test_rows,
            "candidate": self.candidate,
            "params": estimator_params(self.model),
            "threshold": self.threshold,
            **({"parts": self.parts[0], "parts_planned": self.parts[1]} if self.parts else {}),
        }


def with_parts_that_fit(candidate: Candidate, task: Task, share: float) -> tuple[Candidate, tuple[int, int]] | None:
    """A forest whose refit on every training row would take 1/`share` of the time there is, with `share` of its
    trees instead (a forest's fit time is in proportion to its trees), when at least MIN_PARTS are left: the average
    of fewer trees scores close to all of them, a forest on a quarter of the rows does not (randhie under two busy
    loops: the random forest picked was trained on 4,139 of 16,152 rows and lost 0.018 of R²). None for other kinds."""
    spec = candidate.spec
    if spec is None or spec.size_param is None:
        return None
    planned = candidate.params.get(spec.size_param, spec.default(task, spec.size_param))
    if not isinstance(planned, int) or int(planned * share) < MIN_PARTS:
        return None
    parts = int(planned * share)
    return replace(candidate, params={**candidate.params, spec.size_param: parts}), (parts, planned)


def final_model(
    ctx: RunContext, searched: SearchResult, name: str, plans: list[ColumnPlan], folds: Split, plan: SearchPlan
) -> Refit:
    """The recommended candidate (`name`, of a search's outcome.SearchResult) trained on every training row of `folds`,
    with the decision threshold it was ranked at, within the time left. When a full refit would overrun the budget it is
    trained on as many rows as fit in the time, and if even that is stopped the model from its first
    cross-validation fold is kept (the report says which)."""
    config, clock, task = ctx.config, ctx.clock, ctx.task
    candidate, evaluation = searched.candidates[name], searched.evaluations.get(name)
    row = ctx.candidates.row_of(name)
    assert row is not None  # the model decided on has its leaderboard row
    search_folds = plan.folds
    tuned = searched.thresholds.get(name)  # the cut-off it was ranked at
    after = budget.after_refit_s(config, [row], len(folds.y_test), folds.X_test.shape[1])
    share, available = budget.refit_plan(
        budget.refit_s(row, plan.scale), clock.left_hard(), after, config.time_budget_s
    )
    train, how, fewer = folds, "all_rows", None
    if share < 1 and (fewer := with_parts_that_fit(candidate, task, share)):  # every row, fewer trees
        candidate, how = fewer[0], "fewer_parts"
    elif share < 1:  # fewer rows, in proportion to the time there is (a fold's worth at least)
        rows = int(len(folds.y_train) * share)
        train = evaluate.sample_for_search(folds, task, max(rows, len(search_folds.y_train) // 2), config.seed)
        how = "sample"
    model = threshold.apply(candidate.pipeline(plans, task, config.seed, ctx.steps), tuned.value if tuned else None)
    start = time.perf_counter()
    try:
        with budget.time_limit(available):
            model.fit(train.X_train, train.y_train)
    except budget.BudgetExceeded:
        if evaluation is None or not hasattr(evaluation.fold_model, "steps"):
            raise
        # the fold model is saved as it was measured (at the default threshold): nothing is fitted again
        how, model, tuned, fewer = "fold_model", evaluation.fold_model, None, None
    return Refit(
        model=model,
        how=how,
        fit_s=time.perf_counter() - start,
        train_rows=len(train.y_train) if how != "fold_model" else len(evaluate.fold_indices(search_folds)[0][0]),
        test_rows=len(folds.y_test),
        candidate=candidate.describe(),
        threshold=None if tuned is None else vars(tuned),
        parts=fewer[1] if fewer else None,
    )


def estimator_params(model: BaseEstimator) -> dict[str, str]:
    """The trained estimator's own settings (defaults included) as text, for the report; parameters scikit-learn
    has deprecated (their value is the marker "deprecated") are no setting of the model and are left out."""
    from automl_tui_engine.table.preprocess import final_estimator

    params = final_estimator(model).get_params(deep=False).items()
    return {k: repr(v) for k, v in params if k != "estimators" and not (isinstance(v, str) and v == "deprecated")}
