"""The decision threshold of a binary model, tuned on its out-of-fold probabilities.

A model predicts the positive class when its probability reaches 0.5; on imbalanced data another cut-off
often serves a metric that counts both classes (balanced accuracy, F1) far better. The threshold is chosen on
the out-of-fold predictions the search already made, so nothing is fitted again, and is kept only when it
clearly pays; the final model applies it with scikit-learn's FixedThresholdClassifier.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any

from automl_tui_engine.extension.registry.metrics import MetricSpec
from automl_tui_engine.search.ensemble import fold_scores
from automl_tui_engine.search.evaluate import Evaluation

# a cut-off picked among many on the same predictions flatters itself a little: demand a clear gain
MIN_GAIN = 0.005
GRID = 49


@dataclass(frozen=True)
class Threshold:
    value: float
    score_default: float  # CV score of the primary metric at 0.5
    score_tuned: float  # the same at `value`


def applies(task: str, primary: MetricSpec) -> bool:
    """Binary targets ranked by a metric of predicted labels (a probability metric is blind to the cut-off)."""
    return task == "binary" and not primary.needs_proba


def tune(evaluation: Evaluation, y: Any, folds: list[tuple[Any, Any]], primary: MetricSpec) -> Threshold | None:
    """The best cut-off for the primary metric, or None when 0.5 is as good (within MIN_GAIN)."""
    import numpy as np

    oof = evaluation.out_of_fold
    if oof.proba is None:
        return None
    classes = np.asarray(oof.classes)
    positive = oof.proba[:, 1]
    sign = 1 if primary.greater_is_better else -1

    def mean_score(cut: float) -> float:
        labels = classes[(positive >= cut).astype(int)]
        return statistics.fmean(fold_scores(labels, oof.proba, classes, y, folds, "binary", primary))

    default = mean_score(0.5)
    cuts = np.unique(np.round(np.quantile(positive, np.linspace(0.02, 0.98, GRID)), 4))
    best_cut, best = max(((float(c), mean_score(c)) for c in cuts), key=lambda pair: sign * pair[1])
    if sign * (best - default) < MIN_GAIN:
        return None
    return Threshold(best_cut, default, best)


def apply(model: Any, tuned: Threshold | None) -> Any:
    """The model predicting the positive class from the tuned cut-off (inside the pipeline, so the saved model
    keeps its preprocessing step names)."""
    if tuned is None:
        return model
    from sklearn.model_selection import FixedThresholdClassifier
    from sklearn.pipeline import Pipeline

    def wrap(estimator: Any) -> Any:
        return FixedThresholdClassifier(estimator, threshold=tuned.value, response_method="predict_proba")

    if isinstance(model, Pipeline):
        return Pipeline([*model.steps[:-1], ("model", wrap(model.steps[-1][1]))])
    return wrap(model)
