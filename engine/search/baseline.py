"""The naive model every candidate must beat: the most frequent class (with the class shares as probabilities) or
the mean of the target. It is scored in the same folds as the candidates and on the same test rows, so the report
can say whether the recommended model is any better than guessing."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from automl_tui_engine.context import RunContext
from automl_tui_engine.errors import one_line
from automl_tui_engine.extension.registry.metrics import MetricSpec
from automl_tui_engine.formatting import score_text
from automl_tui_engine.tasks import Task

if TYPE_CHECKING:  # numpy and scikit-learn load with the run, not with the module
    import numpy as np
    from automl_tui_engine.search.evaluate import OutOfFold, Split
    from automl_tui_engine.search.outcome import SearchResult
    from sklearn.dummy import DummyClassifier, DummyRegressor


@dataclass(frozen=True)
class Baseline:
    """run.json's "baseline": what the guess is and how it scores."""

    guess: str  # the most frequent class, or the mean of the target, as text
    cv_mean: dict[str, float]  # metric -> mean over the search's folds
    cv_std: dict[str, float]
    folds: int
    test: dict[str, float]  # metric -> score on the test rows
    mean: float | None = None  # a regression's guess as a number: what guessing answers new rows (evaluation.py)

    def summary(self) -> dict[str, Any]:
        return asdict(self)


def _guesser(task: Task) -> DummyClassifier | DummyRegressor:
    from sklearn.dummy import DummyClassifier, DummyRegressor

    return DummyRegressor(strategy="mean") if task is Task.REGRESSION else DummyClassifier(strategy="prior")


def measure(search: Split, held_out: Split, task: Task, metrics: list[MetricSpec]) -> Baseline:
    """Score the guess in `search`'s folds (the candidates' folds) and, fitted on `held_out`'s training rows, on
    its test rows. Nothing is timed: the guess has no speed or size to compare."""
    import statistics

    from automl_tui_engine.search import evaluate

    X, y = search.X_train, search.y_train
    folds: dict[str, list[float]] = {m.name: [] for m in metrics}
    splits = evaluate.fold_indices(search)
    for train, validation in splits:
        replay = evaluate.Replay.of(_guesser(task).fit(X.iloc[train], y.iloc[train]), X.iloc[validation], task)
        for name, value in evaluate.replay_scores(replay, y.iloc[validation], task, metrics).items():
            folds[name].append(value)
    fitted = _guesser(task).fit(held_out.X_train, held_out.y_train)
    tested = evaluate.Replay.of(fitted, held_out.X_test, task)
    mean = None
    if task is Task.REGRESSION:
        mean = float(fitted.constant_[0][0])
        guess = score_text(mean, bounded=False)  # the unit is the verdict's to add
    else:
        guess = str(fitted.classes_[fitted.class_prior_.argmax()])
    return Baseline(
        guess=guess,
        cv_mean={name: statistics.fmean(values) for name, values in folds.items()},
        cv_std={name: statistics.pstdev(values) for name, values in folds.items()},
        folds=len(splits),
        test=evaluate.replay_scores(tested, held_out.y_test, task, metrics),
        mean=mean,
    )


RESAMPLES = 200
MIN_RESAMPLES = 50  # fewer than this and the standard error itself moves too much (bench/verdict_resamples.py)
RESAMPLED_ROWS = 5_000  # more rows only slow the resampling; the spread is scaled to the rows there are


def gap_se(
    model: OutOfFold, search: Split, task: Task, metric: MetricSpec, seed: int, seconds: float = float("inf")
) -> tuple[float, int]:
    """(the standard error of the model's gap over guessing, the resamples it was measured on), from resampling
    the training rows (with replacement) and scoring both sets of out-of-fold predictions on each sample. With few
    folds the folds' own spread can be tiny by chance (three folds of a table with no signal agreed on 0.52 ± 0.006
    balanced accuracy); the rows' spread is the steadier measure. `model` is the model's evaluate.OutOfFold. After
    `seconds` it stops at the resamples made (MIN_RESAMPLES at least): on a busy machine 200 took seconds of a
    30 s budget."""
    import statistics
    import time
    import warnings

    import numpy as np
    from automl_tui_engine.decision import directed
    from automl_tui_engine.search import evaluate

    y = search.y_train.reset_index(drop=True)
    truth = y.to_numpy()  # an array, not a Series: scikit-learn checks a Series anew on each of the many calls
    # the guess's answers of the labels' own type: classes coded 0/1 kept in an object array are a target type
    # scikit-learn refuses to score ("unknown")
    guess_predictions = np.empty(len(y), dtype=float if task is Task.REGRESSION else truth.dtype)
    guess_proba = None if model.proba is None else np.zeros_like(model.proba)
    for train, validation in evaluate.fold_indices(search):
        fitted = _guesser(task).fit(search.X_train.iloc[train], y.iloc[train])
        guess_predictions[validation] = fitted.predict(search.X_train.iloc[validation])
        if guess_proba is not None:
            guess_proba[validation] = fitted.predict_proba(search.X_train.iloc[validation])
    rng = np.random.default_rng(seed)
    size = min(len(y), RESAMPLED_ROWS)

    def score(predictions: np.ndarray, proba: np.ndarray | None, rows: np.ndarray) -> float:
        replay = evaluate.Replay.make(predictions[rows], None if proba is None else proba[rows], model.classes, task)
        return directed(metric.value(task, replay, None, truth[rows]), metric)

    gaps: list[float] = []
    deadline = time.perf_counter() + seconds
    with warnings.catch_warnings():  # a resample may miss a rare class: scikit-learn says so, and it is expected
        warnings.simplefilter("ignore")
        while len(gaps) < RESAMPLES and (len(gaps) < MIN_RESAMPLES or time.perf_counter() < deadline):
            rows = rng.integers(0, len(y), size)
            gaps.append(score(model.predictions, model.proba, rows) - score(guess_predictions, guess_proba, rows))
    return statistics.pstdev(gaps) * (size / len(y)) ** 0.5, len(gaps)


def summary_or_why(
    search: Split, held_out: Split, task: Task, metrics: list[MetricSpec]
) -> tuple[dict[str, Any] | None, str]:
    """What guessing scores in the candidates' folds and on the test rows (run.json's "baseline"), else why not."""
    try:
        return measure(search, held_out, task, metrics).summary(), ""
    except Exception as exc:  # a plugin metric that cannot score a constant guess: the run goes on without it
        return None, one_line(exc)


DECISION_SHARE = 0.03  # of the budget, what the verdict's resampling may take (a few percent, whatever the load)


def gap_se_of(
    ctx: RunContext, searched: SearchResult, recommended: str, search: Split
) -> tuple[float | None, int | None]:
    """How uncertain the recommended model's gap over guessing is, from its out-of-fold predictions in the folds of
    `search` (kept for the best candidates), and on how many resamples; None when they were not kept or cannot be
    scored."""
    evaluation = searched.evaluations.get(recommended)
    if evaluation is None:
        return None, None
    seconds = float("inf") if ctx.clock.unlimited else DECISION_SHARE * ctx.config.time_budget_s
    try:
        return gap_se(evaluation.out_of_fold, search, ctx.task, ctx.primary, ctx.config.seed, seconds)
    except Exception:  # a plugin metric that cannot score a resample: the folds' spread is used alone
        return None, None
