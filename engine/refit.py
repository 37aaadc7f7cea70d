"""The recommended model, trained for keeps within the time left (the refit phase of a run)."""

from __future__ import annotations

import time
from typing import Any

from engine import budget, evaluate, threshold, training

# how the saved model was trained (run.json's refit.how): all training rows, a sample of them, or the first CV fold's
HOWS = ("all_rows", "sample", "fold_model")


def final_model(state: Any, run_info, outcome, name: str, plans, task: str, folds, search_folds, scale: float) -> Any:
    """The recommended candidate trained on every training row, with its tuned decision threshold, within the
    time left. When a full refit would overrun the budget it is trained on as many rows as fit in the time, and
    if even that is stopped the model from its first cross-validation fold is kept (the report says which)."""
    config, clock = state.config, state.clock
    candidate, evaluation = outcome.candidates[name], outcome.evaluations.get(name)
    row = next(r for r in state.rows if r["model"] == name)
    tuned = None
    if config.threshold and evaluation is not None and threshold.applies(task, state.primary):
        tuned = threshold.tune(evaluation, search_folds.y_train, evaluate.fold_indices(search_folds), state.primary)
    available = clock.left_hard() - training.after_refit_s(config, [row], len(folds.y_test), png=False)
    needed = training.refit_s(row, scale)
    train = folds
    if needed > available:  # fewer rows, in proportion to the time there is (a fold's worth at least)
        rows = int(len(folds.y_train) * max(available, 0) / needed)
        train = evaluate.sample_for_search(folds, task, max(rows, len(search_folds.y_train) // 2), config.seed)
    model = threshold.apply(candidate.pipeline(plans, task, config.seed, state.steps), tuned)
    start = time.perf_counter()
    how = "all_rows" if train is folds else "sample"
    try:
        with budget.time_limit(max(available, 1.0)):
            model.fit(train.X_train, train.y_train)
    except budget.BudgetExceeded:
        if evaluation is None or not hasattr(evaluation.fold_model, "steps"):
            raise
        # the fold model is saved as it was measured (at the default threshold): nothing is fitted again
        how, model, tuned = "fold_model", evaluation.fold_model, None
    run_info["refit"] = {
        "fit_s": time.perf_counter() - start,
        "how": how,
        "train_rows": len(train.y_train) if how != "fold_model" else len(evaluate.fold_indices(search_folds)[0][0]),
        "test_rows": len(folds.y_test),
        "candidate": candidate.describe(),
        "params": estimator_params(model),
        "threshold": None if tuned is None else vars(tuned),
    }
    return model


def estimator_params(model: Any) -> dict[str, str]:
    """The trained estimator's own settings (defaults included) as text, for the report; parameters scikit-learn
    has deprecated (their value is the marker "deprecated") are no setting of the model and are left out."""
    from engine.preprocess import final_estimator

    params = final_estimator(model).get_params(deep=False).items()
    return {k: repr(v) for k, v in params if k != "estimators" and not (isinstance(v, str) and v == "deprecated")}
