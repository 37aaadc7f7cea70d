"""A weighted ensemble of the best diverse candidates, chosen and scored on out-of-fold predictions.

Greedy ensemble selection (Caruana et al. 2004, as in AutoGluon's weighted ensemble): start from the best
candidate and repeatedly add (with replacement) whichever candidate most improves the averaged out-of-fold
score; the counts become soft-voting weights. Nothing is fitted again until the refit; the ensemble then runs as
scikit-learn's VotingClassifier/Regressor. Its scores are cross-fitted: each fold's rows are blended with the
weights chosen on the other folds, so it is ranked on predictions its weights were not fitted to, and it is kept
only when that gain over its best member is beyond the folds' noise.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from automl_tui_engine.extension.registry.metrics import MetricSpec
from automl_tui_engine.search import evaluate
from automl_tui_engine.tasks import Task

if TYPE_CHECKING:  # numpy and pandas load with the run, not with the module
    import numpy as np
    import pandas as pd
    from automl_tui_engine.search.candidates import Candidate
    from automl_tui_engine.search.evaluate import Folds

ROUNDS = 25
POOL = 5  # the best candidate of at most this many model kinds


@dataclass
class Member:
    candidate: Candidate
    row: dict[str, Any]
    evaluation: evaluate.Evaluation


def _blend(
    members: list[Member], weights: list[int], task: Task, rows: np.ndarray | slice = slice(None)
) -> tuple[np.ndarray, np.ndarray | None]:
    """(predictions, probabilities) of the weighted average of the members' out-of-fold outputs on `rows`."""
    import numpy as np

    total = sum(weights)
    if task is Task.REGRESSION:
        blended = sum(w * m.evaluation.out_of_fold.predictions[rows] for m, w in zip(members, weights, strict=True))
        return np.asarray(blended) / total, None
    proba = np.asarray(sum(w * _proba(m)[rows] for m, w in zip(members, weights, strict=True))) / total
    classes = members[0].evaluation.out_of_fold.classes
    return np.asarray(classes)[proba.argmax(axis=1)], proba


def _proba(member: Member) -> np.ndarray:
    proba = member.evaluation.out_of_fold.proba
    assert proba is not None  # a classifier is pooled only with its probabilities (select)
    return proba


def fold_scores(
    predictions: np.ndarray,
    proba: np.ndarray | None,
    classes: np.ndarray | None,
    y: pd.Series,
    folds: Folds,
    task: Task,
    metric: MetricSpec,
) -> list[float]:
    """A metric per fold from out-of-fold outputs: the numbers a cross-validation of that model would give."""
    scores = []
    for _, validation in folds:
        replay = evaluate.Replay.make(
            predictions[validation], None if proba is None else proba[validation], classes, task
        )
        scores.append(metric.value(task, replay, None, y.iloc[validation]))
    return scores


@dataclass(frozen=True)
class Selection:
    """The members and weights of the ensemble that is kept, and its out-of-fold outputs: each fold's rows blended
    with the weights chosen on the other folds, so its scores are not those of weights fitted to them."""

    members: list[tuple[Member, int]]
    out_of_fold: evaluate.OutOfFold


def select(pool: list[Member], y: pd.Series, folds: Folds, task: Task, primary: MetricSpec) -> Selection | None:
    """The ensemble of the best members, or None when it does not earn its cost: fewer than two members carry
    weight, or its cross-fitted gain over the best member is within the folds' noise (one standard error of the
    per-fold differences). On the folds it was chosen on, an ensemble always looks at least as good as its best
    member; the balanced preset recommended 15–71 MB ensembles whose gain the test rows did not confirm."""
    import numpy as np

    pool = [m for m in pool if task is Task.REGRESSION or m.evaluation.out_of_fold.proba is not None][:POOL]
    if len(pool) < 2:
        return None
    weights = _greedy(pool, y, folds, task, primary)
    if sum(1 for w in weights if w) < 2:
        return None
    classes = pool[0].evaluation.out_of_fold.classes
    predictions = np.empty_like(pool[0].evaluation.out_of_fold.predictions)
    proba = None if task is Task.REGRESSION else np.zeros_like(pool[0].evaluation.out_of_fold.proba)
    for k, (_, validation) in enumerate(folds):
        others = _greedy(pool, y, folds[:k] + folds[k + 1 :], task, primary)
        used = [(m, w) for m, w in zip(pool, others, strict=True) if w]
        blended, blended_proba = _blend([m for m, _ in used], [w for _, w in used], task, validation)
        predictions[validation] = blended
        if proba is not None:
            proba[validation] = blended_proba
    own = fold_scores(predictions, proba, classes, y, folds, task, primary)
    sign = 1 if primary.greater_is_better else -1
    gains = [sign * (a - b) for a, b in zip(own, pool[0].evaluation.fold_scores[primary.name], strict=True)]
    if statistics.fmean(gains) <= statistics.stdev(gains) / len(gains) ** 0.5:
        return None
    members = [(m, w) for m, w in zip(pool, weights, strict=True) if w]
    return Selection(members, evaluate.OutOfFold(predictions, proba, classes))


def _greedy(pool: list[Member], y: pd.Series, folds: Folds, task: Task, primary: MetricSpec) -> list[int]:
    """Weights over `pool` (best first) that make the best average score on `folds`."""
    sign = 1 if primary.greater_is_better else -1
    classes = pool[0].evaluation.out_of_fold.classes

    def goodness(weights: list[int]) -> float:
        used = [(m, w) for m, w in zip(pool, weights, strict=True) if w]
        predictions, proba = _blend([m for m, _ in used], [w for _, w in used], task)
        return sign * statistics.fmean(fold_scores(predictions, proba, classes, y, folds, task, primary))

    weights = [0] * len(pool)
    weights[0] = 1  # the pool is ordered best first
    best = goodness(weights)
    for _ in range(ROUNDS - 1):
        tries = []
        for position in range(len(pool)):
            trial = list(weights)
            trial[position] += 1
            tries.append((goodness(trial), -position, trial))
        value, _, chosen = max(tries)
        if value < best:  # adding anything makes it worse: stop
            break
        best, weights = value, chosen
    return weights


def evaluate_members(
    members: list[tuple[Member, int]],
    split_: evaluate.Split,
    task: Task,
    metrics: list[MetricSpec],
    seed: int,
    repeats: int,
    out_of_fold: evaluate.OutOfFold | None = None,
) -> evaluate.Evaluation:
    """The ensemble's leaderboard columns: scores from `out_of_fold` (a Selection's; else the members' outputs
    blended with these weights), fit time as the sum of its members', latency and size measured on a real
    VotingClassifier/Regressor of the members' fold models."""
    from sklearn.ensemble import VotingClassifier, VotingRegressor
    from sklearn.frozen import FrozenEstimator

    folds = evaluate.fold_indices(split_)
    parts, weights = [m for m, _ in members], [w for _, w in members]
    if out_of_fold is None:
        out_of_fold = evaluate.OutOfFold(*_blend(parts, weights, task), parts[0].evaluation.out_of_fold.classes)
    predictions, proba, classes = out_of_fold.predictions, out_of_fold.proba, out_of_fold.classes
    scores = {
        m.name: fold_scores(predictions, proba, classes, split_.y_train, folds, task, m)
        for m in evaluate.scorable_by(proba is not None, metrics)
    }
    frozen = [(f"m{i}", FrozenEstimator(m.evaluation.fold_model)) for i, m in enumerate(parts)]
    if task is Task.REGRESSION:
        voting = VotingRegressor(frozen, weights=weights)
    else:
        voting = VotingClassifier(frozen, voting="soft", weights=weights)
    voting.fit(split_.X_train, split_.y_train)  # frozen members do not refit: this only records the classes
    fit_s = sum(m.row["fit_s"] for m in parts)
    row = evaluate.leaderboard_row(scores, fit_s, voting, split_.X_train, repeats, seed)
    return evaluate.Evaluation(row, scores, out_of_fold, voting)
