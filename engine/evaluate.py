"""Honest measurement of one candidate: cross-validated scores, fit time, predict latency, size on disk."""

from __future__ import annotations

import pickle
import statistics
import time
from dataclasses import dataclass
from typing import Any

from engine.messages import t
from engine.registry.metrics import MetricSpec

LATENCY_ROWS = 1000


@dataclass
class Split:
    X_train: Any
    X_test: Any
    y_train: Any
    y_test: Any
    cv: Any
    n_folds: int
    warnings: list[str]
    test_positions: Any = None  # the test rows' positions in the dataset given to split()


def split(X: Any, y: Any, task: str, test_size: float, cv_folds: int, seed: int) -> Split:
    """An untouched test split (stratified for classes) and CV folds on the rest.

    When a class is too small for the requested folds, fewer folds are used (with a warning)
    instead of failing: a rare class must still appear in every validation fold.
    """
    import math

    from sklearn.model_selection import KFold, StratifiedKFold, train_test_split

    from engine.errors import UserError

    classification = task != "regression"
    n_test = math.ceil(len(y) * test_size)
    if classification:
        n_test = max(n_test, y.nunique())
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=n_test, random_state=seed, stratify=y if classification else None
    )
    warnings = []
    n_folds = cv_folds
    if classification:
        smallest = int(y_train.value_counts().min())
        if smallest < cv_folds:
            n_folds = smallest
            if n_folds < 2:
                raise UserError("data.class_too_small", cls=y_train.value_counts().idxmin())
            warnings.append(t("evaluate.fewer_folds", requested=cv_folds, used=n_folds, count=smallest))
        cv = StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=seed)
    else:
        cv = KFold(n_splits=cv_folds, shuffle=True, random_state=seed)
    return Split(
        X_train.reset_index(drop=True),
        X_test.reset_index(drop=True),
        y_train.reset_index(drop=True),
        y_test.reset_index(drop=True),
        cv,
        n_folds,
        warnings,
        X_test.index.to_numpy(),
    )


def sample_for_search(split_: Split, task: str, rows: int, seed: int) -> Split:
    """The same split with the training part cut to `rows` (stratified for classes): what the search compares
    models on when the table is large. The test part is untouched; the chosen model is refit on all rows."""
    from dataclasses import replace

    from sklearn.model_selection import train_test_split

    if len(split_.y_train) <= rows:
        return split_
    stratify = split_.y_train if task != "regression" else None
    X, _, y, _ = train_test_split(split_.X_train, split_.y_train, train_size=rows, random_state=seed, stratify=stratify)
    return replace(split_, X_train=X.reset_index(drop=True), y_train=y.reset_index(drop=True))


def serialized_size(estimator: Any) -> int:
    """Bytes of the pickled fitted pipeline: what model.joblib costs on disk, uncompressed."""
    return len(pickle.dumps(estimator, protocol=pickle.HIGHEST_PROTOCOL))


def predict_latency(estimator: Any, X: Any, repeats: int, seed: int) -> tuple[float, float]:
    """(median ms to predict 1,000 rows, median ms to predict a single row), raw rows in."""
    batch = X.sample(n=LATENCY_ROWS, replace=len(X) < LATENCY_ROWS, random_state=seed)
    single = X.iloc[[0]]

    def median_ms(rows: Any, times: int) -> float:
        samples = []
        for _ in range(times):
            start = time.perf_counter()
            estimator.predict(rows)
            samples.append((time.perf_counter() - start) * 1000)
        return statistics.median(samples)

    estimator.predict(single)  # first call warms caches; users pay it once, not per call
    return median_ms(batch, repeats), median_ms(single, repeats * 3)


def cross_validate(pipeline: Any, split_: Split, task: str, metrics: list[MetricSpec], seed: int, repeats: int) -> dict:
    """Leaderboard columns for one candidate; exceptions propagate so the caller records the failure."""
    from sklearn.model_selection import cross_validate as sk_cross_validate

    from engine.errors import UserError

    usable = scorable(pipeline, metrics)
    if metrics[0] not in usable:  # the ranking metric needs probabilities this model cannot give
        raise UserError("evaluate.no_probabilities", metric=metrics[0].title)
    scoring = {m.name: m.scorer(task) for m in usable}
    # scikit-learn caches predict/predict_proba across scorers, so each fold predicts once per method
    result = sk_cross_validate(
        pipeline,
        split_.X_train,
        split_.y_train,
        cv=split_.cv,
        scoring=scoring,
        return_estimator=True,
        error_score="raise",
    )
    row: dict[str, Any] = {}
    for m in usable:
        values = [float(v) for v in result[f"test_{m.name}"]]
        if m.negated(task):
            values = [-v for v in values]
        row[f"{m.name}_mean"] = statistics.fmean(values)
        row[f"{m.name}_std"] = statistics.pstdev(values)
    fitted = result["estimator"][0]  # one fold's model stands for the candidate's latency and size
    per_1k, single = predict_latency(fitted, split_.X_train, repeats, seed)
    row.update(
        fit_s=statistics.fmean(result["fit_time"]),
        predict_ms_per_1k=per_1k,
        predict_ms_single_row=single,
        size_bytes=serialized_size(fitted),
    )
    return row


def scorable(pipeline: Any, metrics: list[MetricSpec]) -> list[MetricSpec]:
    """The metrics this model can be scored on: those needing probabilities only when it gives them."""
    gives_probabilities = hasattr(pipeline, "predict_proba")
    return [m for m in metrics if gives_probabilities or not m.needs_proba]


def test_scores(estimator: Any, X_test: Any, y_test: Any, task: str, metrics: list[MetricSpec]) -> dict[str, float]:
    """Every metric on the test rows; a multi-metric scorer predicts once per method, not once per metric."""
    from sklearn.metrics import check_scoring

    usable = scorable(estimator, metrics)
    scorer = check_scoring(estimator, scoring={m.name: m.scorer(task) for m in usable})
    raw = scorer(estimator, X_test, y_test)
    return {m.name: -float(raw[m.name]) if m.negated(task) else float(raw[m.name]) for m in usable}
