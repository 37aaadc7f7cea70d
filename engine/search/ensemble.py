"""A weighted ensemble of the best diverse candidates, chosen and scored on out-of-fold predictions.

Greedy ensemble selection (Caruana et al. 2004, as in AutoGluon's weighted ensemble): start from the best
candidate and repeatedly add (with replacement) whichever candidate most improves the averaged out-of-fold
score; the counts become soft-voting weights. Its fold scores are computed from the same kept predictions, so
nothing is fitted again until the refit; the ensemble then runs as scikit-learn's VotingClassifier/Regressor.
The weights are chosen on the predictions they are scored on, so its CV score leans slightly optimistic:
the untouched test split is where it shows what it is worth.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any

from automl_tui_engine.extension.registry.metrics import MetricSpec
from automl_tui_engine.search import evaluate

ROUNDS = 25
POOL = 5  # the best candidate of at most this many model kinds


@dataclass
class Member:
    candidate: Any  # search.Candidate
    row: dict[str, Any]
    evaluation: evaluate.Evaluation


def _blend(members: list[Member], weights: list[int], task: str) -> tuple[Any, Any]:
    """(predictions, probabilities) of the weighted average of the members' out-of-fold outputs."""
    import numpy as np

    total = sum(weights)
    if task == "regression":
        blended = sum(w * m.evaluation.out_of_fold.predictions for m, w in zip(members, weights, strict=True))
        return blended / total, None
    proba = sum(w * m.evaluation.out_of_fold.proba for m, w in zip(members, weights, strict=True)) / total
    classes = members[0].evaluation.out_of_fold.classes
    return np.asarray(classes)[proba.argmax(axis=1)], proba


def fold_scores(
    predictions: Any, proba: Any, classes: Any, y: Any, folds: list[tuple[Any, Any]], task: str, metric: MetricSpec
) -> list[float]:
    """A metric per fold from out-of-fold outputs: the numbers a cross-validation of that model would give."""
    scores = []
    for _, validation in folds:
        replay = evaluate.Replay.make(
            predictions[validation], None if proba is None else proba[validation], classes, task
        )
        scores.append(metric.value(task, replay, None, y.iloc[validation]))
    return scores


def select(
    pool: list[Member], y: Any, folds: list[tuple[Any, Any]], task: str, primary: MetricSpec
) -> list[tuple[Member, int]]:
    """Members with integer weights; fewer than two members means no ensemble beats its best member."""
    pool = [m for m in pool if task == "regression" or m.evaluation.out_of_fold.proba is not None][:POOL]
    if len(pool) < 2:
        return []
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
    members = [(m, w) for m, w in zip(pool, weights, strict=True) if w]
    return members if len(members) >= 2 else []


def evaluate_members(
    members: list[tuple[Member, int]],
    split_: evaluate.Split,
    task: str,
    metrics: list[MetricSpec],
    seed: int,
    repeats: int,
) -> evaluate.Evaluation:
    """The ensemble's leaderboard columns: scores from the blended out-of-fold outputs, fit time as the sum of
    its members', latency and size measured on a real VotingClassifier/Regressor of the members' fold models."""
    from sklearn.ensemble import VotingClassifier, VotingRegressor
    from sklearn.frozen import FrozenEstimator

    folds = evaluate.fold_indices(split_)
    parts, weights = [m for m, _ in members], [w for _, w in members]
    predictions, proba = _blend(parts, weights, task)
    classes = parts[0].evaluation.out_of_fold.classes
    scores = {
        m.name: fold_scores(predictions, proba, classes, split_.y_train, folds, task, m)
        for m in evaluate.scorable_by(proba is not None, metrics)
    }
    frozen = [(f"m{i}", FrozenEstimator(m.evaluation.fold_model)) for i, m in enumerate(parts)]
    if task == "regression":
        voting = VotingRegressor(frozen, weights=weights)
    else:
        voting = VotingClassifier(frozen, voting="soft", weights=weights)
    voting.fit(split_.X_train, split_.y_train)  # frozen members do not refit: this only records the classes
    fit_s = sum(m.row["fit_s"] for m in parts)
    row = evaluate.leaderboard_row(scores, fit_s, voting, split_.X_train, repeats, seed)
    return evaluate.Evaluation(row, scores, evaluate.OutOfFold(predictions, proba, classes), voting)
