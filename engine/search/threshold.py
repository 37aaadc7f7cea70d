"""The decision threshold of a binary model, tuned on its out-of-fold probabilities.

A model predicts the positive class when its probability reaches 0.5; on imbalanced data another cut-off
often serves a metric that counts both classes (balanced accuracy, F1) far better. Every candidate gets its
own threshold, chosen on the out-of-fold predictions its cross-validation already made (nothing is fitted
again) and kept only when it clearly pays, and is ranked at it: comparing one model at its best cut-off with
the others at 0.5 would not be fair. The final model applies it with scikit-learn's FixedThresholdClassifier.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import TYPE_CHECKING

from automl_tui_engine.extension.registry.metrics import MetricSpec
from automl_tui_engine.search.ensemble import fold_scores
from automl_tui_engine.search.evaluate import Evaluation, OutOfFold
from automl_tui_engine.tasks import Task

if TYPE_CHECKING:  # numpy, pandas and scikit-learn load with the run, not with the module
    import numpy as np
    import pandas as pd
    from automl_tui_engine.search.evaluate import Folds
    from sklearn.base import BaseEstimator

# a cut-off picked among many on the same predictions flatters itself a little: demand a clear gain
MIN_GAIN = 0.005
GRID = 19  # candidate cut-offs at every 5% quantile of the probabilities: each costs a metric per fold


@dataclass(frozen=True)
class Threshold:
    value: float
    score_default: float  # CV score of the primary metric at 0.5
    score_tuned: float  # the same at `value`
    positive: str  # the class answered when its probability reaches `value`


def applies(task: Task, primary: MetricSpec) -> bool:
    """Binary targets ranked by a metric of predicted labels (a probability metric is blind to the cut-off)."""
    return task is Task.BINARY and not primary.needs_proba


def _search(
    evaluation: Evaluation, y: pd.Series, folds: Folds, primary: MetricSpec
) -> tuple[Threshold | None, list[float]]:
    """The best cut-off for the primary metric (None when 0.5 is as good, within MIN_GAIN or the noise), and the
    cut-off each fold was scored at.

    The score is cross-fitted: each fold is scored at the cut-off that is best on the other folds, so a cut-off
    fitted to noise scores like 0.5 (on a table with no signal, the best of 49 cut-offs on the same predictions
    looked 5 points better than guessing). The cut-off kept is the best on every fold."""
    import numpy as np

    oof = evaluation.out_of_fold
    if oof.proba is None:
        return None, []
    classes = np.asarray(oof.classes)
    positive = oof.proba[:, 1]
    sign = 1 if primary.greater_is_better else -1

    def scores(cut: float) -> list[float]:
        return fold_scores(_labels(classes, positive, cut), oof.proba, classes, y, folds, Task.BINARY, primary)

    at_half = scores(0.5)
    default = statistics.fmean(at_half)
    cuts = [float(c) for c in np.unique(np.round(np.quantile(positive, np.linspace(0.02, 0.98, GRID)), 4))]
    table = np.array([scores(c) for c in cuts]) * sign  # cut-off × fold, higher is better
    fold_cuts = [int(np.delete(table, fold, axis=1).mean(axis=1).argmax()) for fold in range(len(folds))]
    tuned = statistics.fmean(sign * table[cut, fold] for fold, cut in enumerate(fold_cuts))
    # a gain inside the folds' own noise (one standard error) is not a better model either
    noise = statistics.pstdev(at_half) / len(at_half) ** 0.5
    if sign * (tuned - default) < max(MIN_GAIN, noise):
        return None, []
    best = Threshold(cuts[int(table.mean(axis=1).argmax())], default, tuned, str(classes[1]))
    return best, [cuts[cut] for cut in fold_cuts]


def _labels(classes: np.ndarray, positive: np.ndarray, cut: float) -> np.ndarray:
    return classes[(positive >= cut).astype(int)]


def at_own_threshold(
    evaluation: Evaluation, y: pd.Series, folds: Folds, primary: MetricSpec, metrics: list[MetricSpec]
) -> tuple[Evaluation, Threshold | None]:
    """The candidate as it would be used: when a cut-off other than 0.5 clearly pays, every metric of predicted
    labels is scored again with it (the leaderboard row's means and spreads, its fold scores and out-of-fold
    labels), each fold at the cut-off chosen on the other folds, so no candidate is flattered by a cut-off chosen
    on the rows it is scored on; the row records the cut-off under "threshold". Probability metrics do not change."""
    import numpy as np

    tuned, fold_cuts = _search(evaluation, y, folds, primary)
    if tuned is None:
        return evaluation, None
    oof = evaluation.out_of_fold
    assert oof.proba is not None  # a cut-off is tuned on probabilities only
    labels = np.array(oof.predictions, copy=True)
    for (_, validation), cut in zip(folds, fold_cuts, strict=True):
        labels[validation] = _labels(np.asarray(oof.classes), oof.proba[validation, 1], cut)
    scores = dict(evaluation.fold_scores)
    row = dict(evaluation.row, threshold=tuned.value)
    for metric in metrics:
        if metric.name in scores and not metric.needs_proba:
            scores[metric.name] = fold_scores(labels, oof.proba, oof.classes, y, folds, Task.BINARY, metric)
            row[f"{metric.name}_mean"] = statistics.fmean(scores[metric.name])
            row[f"{metric.name}_std"] = statistics.pstdev(scores[metric.name])
    relabelled = OutOfFold(labels, oof.proba, oof.classes)
    return Evaluation(row, scores, relabelled, evaluation.fold_model), tuned


def apply(model: BaseEstimator, cut: float | None) -> BaseEstimator:
    """The model predicting the positive class from the tuned cut-off `cut` (inside the pipeline, so the saved
    model keeps its preprocessing step names); the model itself when there is none."""
    if cut is None:
        return model
    from sklearn.model_selection import FixedThresholdClassifier
    from sklearn.pipeline import Pipeline

    def wrap(estimator: BaseEstimator) -> BaseEstimator:
        return FixedThresholdClassifier(estimator, threshold=cut, response_method="predict_proba")

    if isinstance(model, Pipeline):
        return Pipeline([*model.steps[:-1], ("model", wrap(model.steps[-1][1]))])
    return wrap(model)
