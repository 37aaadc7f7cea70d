"""Honest measurement of one candidate: cross-validated scores, fit time, predict latency, size on disk."""

from __future__ import annotations

import pickle
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias

from automl_tui_engine.extension.registry.metrics import MetricSpec
from automl_tui_engine.messages import listing, t
from automl_tui_engine.tasks import Task

if TYPE_CHECKING:  # pandas and scikit-learn load with the run, not with the module
    import numpy as np
    import pandas as pd
    from automl_tui_engine.table.data import Dataset
    from sklearn.base import BaseEstimator
    from sklearn.model_selection import KFold, StratifiedKFold


LATENCY_ROWS = 1000
# (training rows, validation rows) per fold, as positions (numpy loads with the run: the alias is a string)
Folds: TypeAlias = "list[tuple[np.ndarray, np.ndarray]]"


@dataclass
class Split:
    X_train: pd.DataFrame
    X_test: pd.DataFrame
    y_train: pd.Series
    y_test: pd.Series
    cv: KFold | StratifiedKFold
    n_folds: int
    warnings: list[str]
    test_positions: np.ndarray | None = None  # the test rows' positions in the dataset given to split()
    facts: dict[str, Any] | None = None  # how the test rows were chosen (data_profile.json's "split")


def split(
    X: pd.DataFrame,
    y: pd.Series,
    task: Task,
    test_size: float,
    cv_folds: int,
    seed: int,
    max_test_rows: int = 0,
    order: TimeOrder | None = None,
) -> Split:
    """An untouched test split (stratified for classes) and CV folds on the rest; with `order`, the test rows are
    the latest ones by its column (train on the past, test on the future the model will be used on), and the
    folds that choose among models stay shuffled within the past.

    `max_test_rows` (0: no cap) bounds the test split: 50,000 rows measure a score to about ±0.002, and on a
    large table more would only cost time that the budget needs for the search.

    When a class is too small for the requested folds, fewer folds are used (with a warning)
    instead of failing: a rare class must still appear in every validation fold.
    """
    import math

    from automl_tui_engine.errors import UserError
    from sklearn.model_selection import KFold, StratifiedKFold, train_test_split

    classification = task.classifies
    n_test = math.ceil(len(y) * test_size)
    if max_test_rows:
        n_test = min(n_test, max_test_rows)
    if classification:
        n_test = max(n_test, y.nunique())
    warnings = []
    if order is None:
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=n_test, random_state=seed, stratify=y if classification else None
        )
        facts: dict[str, Any] = {"how": "random"}
    else:
        X_train, X_test, y_train, y_test, facts = order.split(X, y, n_test)
        unseen = sorted(map(str, set(y_test) - set(y_train))) if classification else []
        if unseen:
            warnings.append(t("evaluate.class_only_latest", classes=listing(unseen), column=order.column))
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
        facts,
    )


@dataclass(frozen=True)
class TimeOrder:
    """A date column the rows are ordered by for a time split; rows without a date count as the oldest."""

    column: str
    stamps: pd.Series  # the column parsed, aligned with the table's rows

    @staticmethod
    def of(dataset: Dataset, how: str) -> TimeOrder | None:
        """The order a run's `split` setting asks for ("random", "time" or "time:COLUMN"); a missing, ambiguous
        or non-date column is bad input, said before any work."""
        from automl_tui_engine.errors import UserError

        if how == "random":
            return None
        dates = dataset.date_columns
        column = how.partition(":")[2]
        if column and column not in dates:
            known = dict.fromkeys(map(str, dataset.X.columns))
            key = "evaluate.time_not_a_date" if column in known else "evaluate.time_no_column"
            raise UserError(key, column=column, dates=listing(dates) or "-")
        if not column:
            if len(dates) != 1:
                key = "evaluate.time_which_column" if dates else "evaluate.time_no_dates"
                raise UserError(key, dates=listing(dates))
            column = dates[0]
        return TimeOrder(column, dataset.timestamps(column))

    def split(
        self, X: pd.DataFrame, y: pd.Series, n_test: int
    ) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series, pd.Series, dict[str, Any]]:
        """(X_train, X_test, y_train, y_test, facts): the `n_test` latest rows are the test rows."""
        import numpy as np

        positions = np.argsort(self.stamps.fillna(self.stamps.min()).to_numpy(), kind="stable")
        train, test = positions[:-n_test], positions[-n_test:]
        stamps = self.stamps.dropna()
        shown = "%Y-%m-%d" if (stamps == stamps.dt.normalize()).all() else "%Y-%m-%d %H:%M"
        facts = {
            "how": "time",
            "column": self.column,
            "train_until": self.stamps.iloc[train].max().strftime(shown),
            "test_from": self.stamps.iloc[test].min().strftime(shown),
            "test_until": self.stamps.iloc[test].max().strftime(shown),
        }
        return X.iloc[train], X.iloc[test], y.iloc[train], y.iloc[test], facts


def reshuffled(split_: Split, seed: int) -> Split:
    """The same training rows in as many folds, shuffled another way: a second opinion on a candidate's score."""
    from dataclasses import replace

    return replace(split_, cv=type(split_.cv)(n_splits=split_.n_folds, shuffle=True, random_state=seed))


def pooled(first: Evaluation, second: Evaluation) -> Evaluation:
    """`first` ranked on the folds of both evaluations: each metric's mean and spread over all their folds. Its
    fold scores and out-of-fold outputs stay the first's, which every candidate of the run shares the folds of."""
    row = dict(first.row, folds=first.row["folds"] + second.row["folds"])
    for name, scores in first.fold_scores.items():
        if name in second.fold_scores:
            both = [*scores, *second.fold_scores[name]]
            row[f"{name}_mean"] = statistics.fmean(both)
            row[f"{name}_std"] = statistics.pstdev(both)
    return Evaluation(row, first.fold_scores, first.out_of_fold, first.fold_model)


def sample_for_search(split_: Split, task: Task, rows: int, seed: int) -> Split:
    """The same split with the training part cut to `rows` (stratified for classes): what the search compares
    models on when the table is large. The test part is untouched; the chosen model is refit on more rows."""
    from dataclasses import replace

    if len(split_.y_train) <= rows:
        return split_
    X, y = sample_rows(split_.X_train, split_.y_train, task, rows, seed)
    return replace(split_, X_train=X, y_train=y)


def sample_rows(X: pd.DataFrame, y: pd.Series, task: Task, rows: int, seed: int) -> tuple[pd.DataFrame, pd.Series]:
    """At most `rows` rows (stratified for classes, every class kept), index reset."""
    from sklearn.model_selection import train_test_split

    stratify = y if task.classifies else None
    if stratify is not None:
        rows = max(rows, y.nunique())  # a stratified sample holds at least one row of every class
    if len(y) <= rows:
        return X, y
    X, _, y, _ = train_test_split(X, y, train_size=rows, random_state=seed, stratify=stratify)
    return X.reset_index(drop=True), y.reset_index(drop=True)


def serialized_size(estimator: BaseEstimator) -> int:
    """Bytes of the pickled fitted pipeline: what model.joblib costs on disk, uncompressed."""
    return len(pickle.dumps(estimator, protocol=pickle.HIGHEST_PROTOCOL))


def predict_latency(estimator: BaseEstimator, X: pd.DataFrame, repeats: int, seed: int) -> tuple[float, float]:
    """(ms to predict 1,000 rows, ms to predict a single row), raw rows in: the fastest of the repeats. Other work
    on the machine only ever adds time, so the fastest is the steadiest measure of the model itself (as timeit
    advises); the median moved up to 4.9× between measurements of one model with a core busy (bench/README.md)."""
    batch, single = latency_samples(estimator, X, repeats, seed)
    return min(batch), min(single)


def latency_samples(
    estimator: BaseEstimator, X: pd.DataFrame, repeats: int, seed: int
) -> tuple[list[float], list[float]]:
    """Each timed prediction in ms: `repeats` of 1,000 rows, then 3 × `repeats` of a single row."""
    batch = X.sample(n=LATENCY_ROWS, replace=len(X) < LATENCY_ROWS, random_state=seed)
    single = X.iloc[[0]]

    def timed(rows: pd.DataFrame, times: int) -> list[float]:
        samples = []
        for _ in range(times):
            start = time.perf_counter()
            estimator.predict(rows)
            samples.append((time.perf_counter() - start) * 1000)
        return samples

    estimator.predict(single)  # first call warms caches; users pay it once, not per call
    return timed(batch, repeats), timed(single, repeats * 3)


@dataclass
class OutOfFold:
    """Each training row's prediction by the fold model that did not see it: what ensembles and decision
    thresholds are chosen on without fitting anything again. `proba` is None for models without probabilities."""

    predictions: np.ndarray
    proba: np.ndarray | None
    classes: np.ndarray | None  # None for regression


@dataclass
class Evaluation:
    row: dict[str, Any]  # the leaderboard columns
    fold_scores: dict[str, list[float]]
    out_of_fold: OutOfFold
    fold_model: BaseEstimator  # the first fold's fitted pipeline: it stands for the candidate's latency and size


def fold_indices(split_: Split) -> Folds:
    """(train, validation) positions per fold; the same for every candidate of a run (seeded folds)."""
    return list(split_.cv.split(split_.X_train, split_.y_train))


def cross_validate(
    pipeline: BaseEstimator,
    split_: Split,
    task: Task,
    metrics: list[MetricSpec],
    seed: int,
    repeats: int,
    after_fold: Callable[[int, float], None] | None = None,
) -> Evaluation:
    """Fit and score fold by fold; exceptions propagate so the caller records the failure.

    `after_fold(fold, primary_score)` is called after each fold and may raise to stop the candidate early
    (the search prunes a clearly worse candidate after its first folds)."""
    import numpy as np
    from automl_tui_engine.errors import UserError
    from sklearn.base import clone

    usable = scorable(pipeline, metrics)
    if metrics[0] not in usable:  # the ranking metric needs probabilities this model cannot give
        raise UserError("evaluate.no_probabilities", metric=metrics[0].title)
    X, y = split_.X_train, split_.y_train
    fold_scores: dict[str, list[float]] = {m.name: [] for m in usable}
    fit_times, predictions, proba, classes, first = [], None, None, None, None
    for fold, (train, validation) in enumerate(fold_indices(split_)):
        model = clone(pipeline)
        start = time.perf_counter()
        model.fit(X.iloc[train], y.iloc[train])
        fit_times.append(time.perf_counter() - start)
        replay = Replay.of(model, X.iloc[validation], task)
        if first is None:
            first, classes = model, replay.classes_ if task.classifies else None
            predictions = np.empty(len(y), dtype=replay.predictions.dtype)
            proba = None if replay.proba is None else np.zeros((len(y), replay.proba.shape[1]))
        assert predictions is not None  # made at the first fold
        predictions[validation] = replay.predictions
        if proba is not None:
            proba[validation] = replay.proba
        for m in usable:
            fold_scores[m.name].append(m.value(task, replay, None, y.iloc[validation]))
        if after_fold is not None:
            after_fold(fold, fold_scores[metrics[0].name][-1])
    assert predictions is not None  # every split has folds
    row = leaderboard_row(fold_scores, statistics.fmean(fit_times), first, X, repeats, seed)
    return Evaluation(row, fold_scores, OutOfFold(predictions, proba, classes), first)


def leaderboard_row(
    fold_scores: dict[str, list[float]], fit_s: float, model: BaseEstimator, X: pd.DataFrame, repeats: int, seed: int
) -> dict[str, Any]:
    """How many folds, mean and spread of each metric over them, then the fitted model's predict latency and
    size."""
    row: dict[str, Any] = {"folds": len(next(iter(fold_scores.values())))}
    for name, values in fold_scores.items():
        row[f"{name}_mean"] = statistics.fmean(values)
        row[f"{name}_std"] = statistics.pstdev(values)
    per_1k, single = predict_latency(model, X, repeats, seed)
    row.update(
        fit_s=fit_s,
        predict_ms_per_1k=per_1k,
        predict_ms_single_row=single,
        size_bytes=serialized_size(model),
    )
    return row


class Replay:
    """Predictions made once, handed to scikit-learn scorers as if they came from the model: every metric of a
    fold (and of an ensemble or a threshold, computed from out-of-fold predictions) is scored without predicting
    again. The scorer's rows argument is ignored; the rows are the ones the predictions were made for."""

    def __init__(
        self, predictions: np.ndarray, proba: np.ndarray | None, classes: np.ndarray | None, task: Task
    ) -> None:
        self.predictions, self.proba, self.classes_, self.task = predictions, proba, classes, task

    @staticmethod
    def make(predictions: np.ndarray, proba: np.ndarray | None, classes: np.ndarray | None, task: Task) -> Replay:
        return (Replay if proba is None else ProbaReplay)(predictions, proba, classes, task)

    @staticmethod
    def of(model: BaseEstimator, X: pd.DataFrame, task: Task) -> Replay:
        proba = model.predict_proba(X) if task.classifies and hasattr(model, "predict_proba") else None
        return Replay.make(model.predict(X), proba, getattr(model, "classes_", None), task)

    def __sklearn_tags__(self) -> Any:
        from sklearn.utils import ClassifierTags, RegressorTags, Tags, TargetTags

        classifier = self.task.classifies
        return Tags(
            estimator_type="classifier" if classifier else "regressor",
            target_tags=TargetTags(required=True),
            classifier_tags=ClassifierTags() if classifier else None,
            regressor_tags=None if classifier else RegressorTags(),
        )

    def predict(self, X: pd.DataFrame | None) -> np.ndarray:
        return self.predictions


class ProbaReplay(Replay):
    """A Replay with probabilities: a separate class because scorers look for `predict_proba` with hasattr."""

    def predict_proba(self, X: pd.DataFrame | None) -> np.ndarray | None:
        return self.proba


def scorable(pipeline: BaseEstimator, metrics: list[MetricSpec]) -> list[MetricSpec]:
    """The metrics this model can be scored on: those needing probabilities only when it gives them."""
    return scorable_by(hasattr(pipeline, "predict_proba"), metrics)


def scorable_by(gives_probabilities: bool, metrics: list[MetricSpec]) -> list[MetricSpec]:
    return [m for m in metrics if gives_probabilities or not m.needs_proba]


def replay_scores(replay: Replay, y: pd.Series | np.ndarray, task: Task, metrics: list[MetricSpec]) -> dict[str, float]:
    """Every metric the predictions allow, scored from predictions already made."""
    return {m.name: m.value(task, replay, None, y) for m in scorable_by(replay.proba is not None, metrics)}
