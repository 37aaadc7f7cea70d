"""The naive model every candidate must beat: the most frequent class (with the class shares as probabilities) or
the mean of the target. It is scored in the same folds as the candidates and on the same test rows, so the report
can say whether the recommended model is any better than guessing."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from automl_tui_engine.extension.registry.metrics import MetricSpec


@dataclass(frozen=True)
class Baseline:
    """run.json's "baseline": what the guess is and how it scores."""

    guess: str  # the most frequent class, or the mean of the target, as text
    cv_mean: dict[str, float]  # metric -> mean over the search's folds
    cv_std: dict[str, float]
    folds: int
    test: dict[str, float]  # metric -> score on the test rows

    def summary(self) -> dict[str, Any]:
        return asdict(self)


def measure(search: Any, held_out: Any, task: str, metrics: list[MetricSpec]) -> Baseline:
    """Score the guess in `search`'s folds (the candidates' folds) and, fitted on `held_out`'s training rows, on
    its test rows. Nothing is timed: the guess has no speed or size to compare."""
    import statistics

    from automl_tui_engine.search import evaluate
    from sklearn.dummy import DummyClassifier, DummyRegressor

    def guesser() -> Any:
        return DummyRegressor(strategy="mean") if task == "regression" else DummyClassifier(strategy="prior")

    X, y = search.X_train, search.y_train
    folds: dict[str, list[float]] = {m.name: [] for m in metrics}
    splits = evaluate.fold_indices(search)
    for train, validation in splits:
        replay = evaluate.Replay.of(guesser().fit(X.iloc[train], y.iloc[train]), X.iloc[validation], task)
        for name, value in evaluate.replay_scores(replay, y.iloc[validation], task, metrics).items():
            folds[name].append(value)
    fitted = guesser().fit(held_out.X_train, held_out.y_train)
    tested = evaluate.Replay.of(fitted, held_out.X_test, task)
    if task == "regression":
        guess = f"{float(fitted.constant_[0][0]):.4g}"
    else:
        guess = str(fitted.classes_[fitted.class_prior_.argmax()])
    return Baseline(
        guess=guess,
        cv_mean={name: statistics.fmean(values) for name, values in folds.items()},
        cv_std={name: statistics.pstdev(values) for name, values in folds.items()},
        folds=len(splits),
        test=evaluate.replay_scores(tested, held_out.y_test, task, metrics),
    )
