"""Scoring the model in use once outcomes arrive: `automl-tui evaluate RUN_DIR LABELLED.csv` (issue 38).

The model that answers (the one adopted for a use, else the recommended: adopted_models.answering) predicts the
labelled rows as `predict` would; the run's own metrics score it, and guessing (what the run's baseline answers:
training's most frequent class with the class shares, or its mean) is scored on the same rows. As the verdict
judges a run (verdict.level_of), the model is "no better than guessing" on these rows when its gap over guessing is
within NOISE_SE standard errors (resampled from the rows). It has **fallen** when its score is below the
cross-validated one (the decision's promise) by more than NOISE_SE times their combined standard error: the folds'
spread over their count, and the new rows' resampled spread. Each evaluation is a line of evaluations.jsonl, which
the report's "Since the decision" shows over time. The labelled rows are held in memory (outcomes arrive by the
thousand, not by the million; `predict` is the one that streams)."""

from __future__ import annotations

import math
import statistics
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from automl_tui_engine import predict, verdict
from automl_tui_engine.adopted_models import Answering, answering
from automl_tui_engine.clearml_tracking.after_decision import Told, tell
from automl_tui_engine.decision import directed
from automl_tui_engine.errors import UserError
from automl_tui_engine.naming import EVALUATE_PHASE
from automl_tui_engine.outputs import rundir
from automl_tui_engine.tasks import Task

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    from automl_tui_engine.extension.registry.metrics import MetricSpec
    from automl_tui_engine.search.evaluate import Replay

RESAMPLES = 200
NOISE_SE = verdict.NOISE_SE
FEW_ROWS = verdict.FEW_TEST_ROWS  # fewer scored rows and whether the model holds is not said: a handful of answers


@dataclass(frozen=True)
class Evaluation:
    """One scoring of the model in use on rows whose outcomes are known: a line of evaluations.jsonl."""

    when: str  # ISO time with this machine's offset
    source: str  # the labelled file
    model: str  # the model that answered
    metric: str  # the ranking metric, which `se`, `level`, `fallen`, `cv` and `test` are about
    rows: int  # rows scored
    left_out: int  # rows without an outcome, or with one the model never learned
    scores: dict[str, float]  # metric -> the model's score on the rows
    guess_scores: dict[str, float]  # metric -> guessing's
    se: float  # standard error of the ranking metric's score on these rows (resampled)
    level: str  # verdict.LEVELS against guessing on these rows; "" when the run recorded no guess
    fallen: bool  # below the cross-validated score beyond the expected spread
    spread: float  # that spread: NOISE_SE times the combined standard error
    cv: float | None  # the ranking metric cross-validated, and on the run's test rows (the recommended model's)
    test: float | None
    per_class: list[dict[str, Any]] = field(default_factory=list)
    too_few: bool = False  # fewer than FEW_ROWS rows: neither the level nor fallen is said
    known_rows: int | None = None  # of the rows, how many the run's own table holds (None: that table is gone)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Evaluated:
    """What `evaluate_file` did: the evaluation recorded, the chart PNGs not drawn and why, what ClearML was told."""

    evaluation: Evaluation
    not_drawn: dict[str, str]
    told: Told


@dataclass(frozen=True)
class Scored:
    """A saved model's predictions on labelled rows, with what scoring them needs."""

    model: str  # its name on the leaderboard
    target: str
    task: Task
    metrics: list[MetricSpec]  # the run's, the ranking metric first
    labels: np.ndarray  # each labelled row's outcome as the model writes it (None/NaN where it cannot be scored)
    keep: np.ndarray  # the rows whose outcome the model can be scored on
    predictions: Replay  # on every labelled row
    classes: np.ndarray | None
    known: np.ndarray | None = None  # the labelled rows that are rows of the run's own table (None: not known)

    def known_count(self, rows: np.ndarray) -> int | None:
        """How many of `rows` (a mask) the run's own table holds; None when that table could not be read."""
        return None if self.known is None else int(self.known[rows].sum())

    def truth_of(self, rows: np.ndarray) -> np.ndarray:
        import numpy as np

        if self.classes is None:
            return np.asarray(self.labels[rows], dtype=float)
        return np.asarray(list(self.labels[rows]), dtype=self.classes.dtype)

    def replay_of(self, rows: np.ndarray) -> Replay:
        from automl_tui_engine.search.evaluate import Replay

        proba = None if self.predictions.proba is None else self.predictions.proba[rows]
        return Replay.make(self.predictions.predictions[rows], proba, self.classes, self.task)


def scored(
    run_dir: Path, answer: Answering, data_path: Path, trust: bool = False, encoding: str | None = None
) -> Scored:
    """The model `answer` names (a run's), predicting `data_path`'s rows with known outcomes as predict would."""
    from automl_tui_engine.search.evaluate import Replay
    from automl_tui_engine.table import reading

    expected = predict.schema(run_dir)
    model = predict.load_answering(run_dir, answer, trust)
    rows, outcomes = _labelled(data_path, reading.sniff(data_path, encoding), expected)
    classes = getattr(model, "classes_", None)
    labels, keep = _as_model_labels(outcomes, classes, expected.task)
    if not keep.any():
        raise UserError("evaluation.no_outcomes", path=data_path, target=expected.target)
    info = rundir.RunFolder(run_dir).read_json(rundir.RUN_JSON)
    return Scored(
        model=answer.model,
        target=expected.target,
        task=expected.task,
        metrics=_metrics(info),
        labels=labels,
        keep=keep,
        predictions=Replay.of(model, rows, expected.task),
        classes=classes if expected.task.classifies else None,
        known=_known_rows(info, rows, outcomes, expected),
    )


def _known_rows(
    info: dict[str, Any], rows: pd.DataFrame, outcomes: pd.Series, expected: predict.Schema
) -> np.ndarray | None:
    """Which labelled rows (inputs and outcome alike) are rows of the table the run learned from: a score on those
    says little about new rows. None when that table is not where the run read it (moved, or on another machine)."""
    import numpy as np
    import pandas as pd
    from automl_tui_engine.table import reading

    config = info.get("config") or {}
    table = Path(str(config.get("data") or ""))
    if not table.is_file():
        return None
    try:
        trained_rows, trained_outcomes = _labelled(table, reading.sniff(table, config.get("encoding")), expected)
    except (UserError, OSError, ValueError):  # a table that no longer reads as it did
        return None

    def hashed(frame: pd.DataFrame, outcome: pd.Series) -> np.ndarray:
        together = frame.reset_index(drop=True).assign(**{expected.target: outcome.astype(str).to_numpy()})
        return pd.util.hash_pandas_object(together, index=False).to_numpy()

    return np.isin(hashed(rows, outcomes), hashed(trained_rows, trained_outcomes))


def paired_gain(ours: Replay, theirs: Replay, truth: np.ndarray, rows: np.ndarray, metric: MetricSpec) -> float | None:
    """How much better `ours` scores than `theirs` on the same `rows` (higher always better); None when the draw
    lacks what the metric needs (a class)."""
    from automl_tui_engine.search.evaluate import Replay

    def on_rows(replay: Replay) -> float:
        proba = None if replay.proba is None else replay.proba[rows]
        drawn = Replay.make(replay.predictions[rows], proba, replay.classes_, replay.task)
        return directed(metric.value(replay.task, drawn, None, truth[rows]), metric)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return on_rows(ours) - on_rows(theirs)
        except ValueError:
            return None


def evaluate_file(
    run_dir: Path, data_path: Path, use: str | None = None, trust: bool = False, encoding: str | None = None
) -> Evaluated:
    """Score the model that answers for `use` on `data_path`'s rows with known outcomes; the evaluation is appended
    to the run's evaluations.jsonl, its chart drawn, report.md rebuilt to show it, and a tracked run's ClearML
    told."""
    from automl_tui_engine.outputs import report, since_decision

    run_dir, data_path = Path(run_dir), Path(data_path)
    folder = rundir.RunFolder(run_dir)
    info = folder.read_json(rundir.RUN_JSON)
    answer = answering(run_dir, use)
    found = scored(run_dir, answer, data_path, trust, encoding)
    truth, replay, task = found.truth_of(found.keep), found.replay_of(found.keep), found.task
    ranking = found.metrics[0]
    guess = _guess(info, folder.read_json(rundir.DATA_PROFILE), found.classes, len(truth), task)
    scores = _scores(replay, truth, task, found.metrics)
    guess_scores = _scores(guess, truth, task, found.metrics) if guess is not None else {}
    se = _resampled_se(replay, truth, task, ranking)
    row = next((r for r in folder.read_csv(rundir.LEADERBOARD) if r.get("model") == answer.model), None)
    cv = row.get(f"{ranking.name}_mean") if row else None
    folds = (info.get("baseline") or {}).get("folds") or (info.get("config") or {}).get("cv_folds") or 1
    spread = NOISE_SE * math.hypot(se, ((row or {}).get(f"{ranking.name}_std") or 0.0) / math.sqrt(folds))
    now = scores.get(ranking.name)
    if now is None:
        raise UserError("evaluation.not_scored", metric=ranking.title, path=data_path)
    too_few = len(truth) < FEW_ROWS
    evaluation = Evaluation(
        when=rundir.local_now(),
        source=str(data_path.resolve()),
        model=answer.model,
        metric=ranking.name,
        rows=len(truth),
        left_out=len(found.keep) - len(truth),
        scores=scores,
        guess_scores=guess_scores,
        se=se,
        level="" if too_few else _level(now, guess_scores.get(ranking.name), se, ranking),
        fallen=not too_few and cv is not None and directed(cv, ranking) - directed(now, ranking) > spread,
        spread=spread,
        cv=cv,
        test=(info.get("test_metrics") or {}).get(ranking.name) if answer.model == info.get("recommended") else None,
        per_class=[] if task is Task.REGRESSION else verdict.per_class(_series(truth), replay.predictions),
        too_few=too_few,
        known_rows=found.known_count(found.keep),
    )
    folder.append_line(rundir.EVALUATIONS, evaluation.to_json())
    # the run's own charts setting (run.json's copy of its settings): a run made without charts gets none now
    charts = str((info.get("config") or {}).get("charts", "html+png"))
    not_drawn = since_decision.draw(folder, ranking, charts)
    report.write(run_dir)
    said = "\n".join(since_decision.terminal_lines(evaluation.to_json(), run_dir, data_path))
    chart = folder / rundir.PLOTS / f"{since_decision.CHART}.png"
    files = (chart,) if chart.is_file() and not not_drawn else ()  # never an earlier evaluation's chart
    told = tell(run_dir, EVALUATE_PHASE, said, {"evaluation": evaluation.to_json()}, files)
    return Evaluated(evaluation, not_drawn, told)


def _labelled(data_path: Path, how: dict[str, Any], expected: predict.Schema) -> tuple[pd.DataFrame, pd.Series]:
    """The rows the model reads (as predict reads them) and their outcomes, for the rows that have one."""
    import pandas as pd

    parts: list[pd.DataFrame] = []
    outcomes: list[pd.Series] = []
    not_numbers: dict[str, int] = {}
    for chunk in _read(data_path, how):
        if not parts and expected.target not in chunk.columns:
            raise UserError("evaluation.no_target", path=data_path, target=expected.target)
        if not parts:
            predict.check_columns(list(chunk.columns), expected)  # a column the model needs is missing: said
        known = chunk[expected.target].notna()
        parts.append(predict.model_rows(chunk[known], expected, not_numbers))
        outcomes.append(chunk.loc[known, expected.target])
    return pd.concat(parts, ignore_index=True), pd.concat(outcomes, ignore_index=True)


def _read(data_path: Path, how: dict[str, Any]) -> list[pd.DataFrame]:
    from automl_tui_engine.table import reading

    chunks = list(reading.iter_table(data_path, how, predict.CHUNK_ROWS))
    if not chunks or all(chunk.empty for chunk in chunks):
        raise UserError("data.header_only", path=data_path)
    return chunks


def _as_model_labels(outcomes: pd.Series, classes: np.ndarray | None, task: Task) -> tuple[np.ndarray, np.ndarray]:
    """(each row's outcome as the model writes it, which rows can be scored): numbers for a regression; for a
    classifier, labels matched to its classes by their text (1 and 1.0 are one class), a class it never learned
    left out."""
    import pandas as pd
    from automl_tui_engine.table import human_numbers

    if task is Task.REGRESSION or classes is None:
        numbers = outcomes if pd.api.types.is_numeric_dtype(outcomes) else human_numbers.parse_numbers(outcomes)
        return numbers.to_numpy(dtype=float), numbers.notna().to_numpy()
    known = outcomes.dropna()
    whole = pd.api.types.is_float_dtype(outcomes) and bool((known == known.round()).all())
    text = (outcomes.astype("Int64") if whole else outcomes).astype(str)
    matched = text.map({str(label): label for label in classes})
    return matched.to_numpy(dtype=object), matched.notna().to_numpy()


def _metrics(info: dict[str, Any]) -> list[MetricSpec]:
    """The run's metrics, ranking metric first, as built in here (a plugin's metric needs its plugin loaded)."""
    from automl_tui_engine.extension.registry import metrics

    found = []
    for name in info.get("metrics") or []:
        try:
            found.append(metrics.get(name).for_target(info.get("target_unit", "")))
        except ValueError:
            continue
    if not found or found[0].name != info.get("primary_metric"):
        raise UserError("evaluation.metric_unknown", metric=info.get("primary_metric", "?"))
    return found


def _guess(
    info: dict[str, Any], profile: dict[str, Any], classes: np.ndarray | None, rows: int, task: Task
) -> Replay | None:
    """What guessing answers `rows` rows, as the run's baseline guessed; None when the run recorded no guess."""
    import numpy as np
    from automl_tui_engine.search.evaluate import Replay

    baseline = info.get("baseline") or {}
    if task is Task.REGRESSION:
        mean = baseline.get("mean")
        return None if mean is None else Replay.make(np.full(rows, float(mean)), None, None, task)
    counts = profile.get("class_counts") or {}
    if classes is None or "guess" not in baseline or not counts:
        return None
    shares = np.asarray([counts.get(str(label), 0) for label in classes], dtype=float)
    label = next((c for c in classes if str(c) == baseline["guess"]), None)
    if label is None or shares.sum() == 0:
        return None
    predictions = np.full(rows, label, dtype=classes.dtype)
    return Replay.make(predictions, np.tile(shares / shares.sum(), (rows, 1)), classes, task)


def _scores(replay: Replay, truth: np.ndarray, task: Task, metrics: list[MetricSpec]) -> dict[str, float]:
    """Each metric the predictions allow; one the rows cannot give (ROC AUC where a class is absent) is left out."""
    from automl_tui_engine.search.evaluate import scorable_by

    scores = {}
    with warnings.catch_warnings():  # a class absent from the rows: scikit-learn warns, the score is still defined
        warnings.simplefilter("ignore")
        for metric in scorable_by(replay.proba is not None, metrics):
            try:
                scores[metric.name] = metric.value(task, replay, None, truth)
            except ValueError:
                continue
    return scores


def _resampled_se(replay: Replay, truth: np.ndarray, task: Task, metric: MetricSpec) -> float:
    """The standard error of the model's score on these rows: its spread over rows drawn again with replacement."""
    import numpy as np
    from automl_tui_engine.search.evaluate import Replay

    rng = np.random.default_rng(0)
    values = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(RESAMPLES):
            rows = rng.integers(0, len(truth), len(truth))
            proba = None if replay.proba is None else replay.proba[rows]
            drawn = Replay.make(replay.predictions[rows], proba, replay.classes_, task)
            try:
                values.append(metric.value(task, drawn, None, truth[rows]))
            except ValueError:  # a draw without a class the metric needs
                continue
    return statistics.pstdev(values) if len(values) > 1 else 0.0


def _level(score: float, guess: float | None, se: float, metric: MetricSpec) -> str:
    if guess is None:
        return ""
    return verdict.level_of(directed(score, metric) - directed(guess, metric), se, guess, metric)


def _series(values: np.ndarray) -> pd.Series:
    import pandas as pd

    return pd.Series(values)
