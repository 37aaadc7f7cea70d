"""Is the recommended model any good? A one-line verdict against guessing (search/baseline.py), by a rule a reader
can check:

- gap = the model's cross-validated score minus the guess's, in the better direction; its uncertainty se is the
  larger of the standard error over the folds, sqrt((sd_model² + sd_guess²) / (folds - 1)), and the spread of the
  gap over resampled training rows (search/baseline.gap_se: a few folds can agree by chance);
- share = the part of the way from guessing to a perfect score that the gap covers (for a metric with no perfect
  score: the gap relative to the guess's score);
- **no better than guessing** when the gap is under 2 se, or when on the test rows the model scores worse than the
  guess on the ranking metric; **only slightly better** when the share is under 20%; else **clearly better**.
- Where the guess beats the model on the test rows (ranking metric, or accuracy: how often it is right), it is said.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from automl_tui_engine.decision import directed
from automl_tui_engine.formatting import score_text, with_unit
from automl_tui_engine.messages import t
from automl_tui_engine.tasks import Task

if TYPE_CHECKING:  # numpy and pandas load with the test rows, not with the module
    import numpy as np
    import pandas as pd
    from automl_tui_engine.extension.registry.metrics import RankingMetric

LEVELS = ("clearly", "slightly", "no_better")
MIN_SHARE = 0.2  # below this share of the way from guessing to perfect, a gap is too small to act on
NOISE_SE = 2.0  # gaps within this many standard errors are noise
# a test score below the cross-validated one by more than this many standard deviations of a fold's score (and at
# least TEST_DROP_MIN of the score's scale) is said: new rows will likely score nearer the test score
TEST_DROP_SD = 2.0
TEST_DROP_MIN = 0.02
# fewer test rows than this and their score is a handful of answers: said beside it (one row of 20 moves it by 0.05)
FEW_TEST_ROWS = 30
# besides the ranking metric, the test score compared with the guess's: "right how often" is what a reader checks
PLAIN_METRIC = "accuracy"


@dataclass(frozen=True)
class Verdict:
    level: str  # one of LEVELS
    metric: str
    score: float  # the model's cross-validated score
    guess_score: float  # the guess's, in the same folds
    guess: str  # what the guess says: the most frequent class, or the mean
    regression: bool
    gap: float
    se: float
    share: float
    # (metric, the model's test score, the guess's) where the guess did better on the test rows
    worse_on_test: list[tuple[str, float, float]] = field(default_factory=list)
    # (cross-validated, test) score of the ranking metric when the test rows scored clearly lower
    test_drop: tuple[float, float] | None = None
    bounded: bool = True  # the ranking metric's: how its figures are written (formatting.score_text)
    unit: str = ""  # the ranking metric's unit (an error in the target's unit)
    target_unit: str = ""  # the target's, for the mean a regression guess answers
    test_rows: int | None = None  # how many rows the test scores come from

    def shown(self, name: str, value: float) -> str:
        """A figure of the ranking metric in its own terms; the plain accuracy compared beside it is a share."""
        return score_text(value, self.bounded, self.unit) if name == self.metric else score_text(value)

    def sentences(self, titles: dict[str, str]) -> list[str]:
        """The verdict in words: the headline, then each test score where the guess did better."""
        guess = (
            t("verdict.guess_mean", value=with_unit(self.guess, self.target_unit))
            if self.regression
            else t("verdict.guess_class", label=self.guess)
        )
        lines = [
            t(
                f"verdict.{self.level}",
                metric=titles.get(self.metric, self.metric),
                score=self.shown(self.metric, self.score),
                guess_score=self.shown(self.metric, self.guess_score),
                guess=guess,
            )
        ]
        if self.test_drop:
            cv, tested = self.test_drop
            lines.append(t("verdict.test_drop", metric=titles.get(self.metric, self.metric),
                           test=self.shown(self.metric, tested), cv=self.shown(self.metric, cv)))  # fmt: skip
        if self.test_rows is not None and self.test_rows < FEW_TEST_ROWS:
            lines.append(t("verdict.few_test_rows", rows=self.test_rows))
        for name, score, guess_score in self.worse_on_test:
            lines.append(
                t(
                    "verdict.worse_on_test",
                    metric=titles.get(name, name),
                    score=self.shown(name, score),
                    guess_score=self.shown(name, guess_score),
                    guess=guess,
                )
            )
        return lines


def _perfect(metric: RankingMetric) -> float | None:
    """The best score a metric can have: 1 for bounded scores, 0 for errors; None for an open-ended score."""
    if not metric.greater_is_better:
        return 0.0
    return 1.0 if metric.bounded else None


def _share(gap: float, guess: float, metric: RankingMetric) -> float:
    """The part of the way from guessing to a perfect score that `gap` covers (relative to the guess's score for a
    metric with no perfect score)."""
    perfect = _perfect(metric)
    room = abs(perfect - guess) if perfect is not None else abs(guess)
    return gap / room if room > 1e-12 else (math.inf if gap > 0 else 0.0)


def level_of(gap: float, se: float, guess: float, metric: RankingMetric) -> str:
    """The rule of the module's docstring, from the gap over guessing (better direction), its standard error and
    the guess's score: one of LEVELS."""
    if gap <= NOISE_SE * se or gap <= 0:
        return "no_better"
    return "slightly" if _share(gap, guess, metric) < MIN_SHARE else "clearly"


def judge(
    row: dict[str, Any],
    baseline: dict[str, Any],
    metrics: list[Any],
    test: dict[str, float],
    task: Task,
    resampled_se: float | None = None,
    target_unit: str = "",
    test_rows: int | None = None,
) -> Verdict:
    """The verdict on the model whose leaderboard `row` is given. `baseline` is run.json's "baseline", `metrics` the
    facts of every metric scored (the ranking metric first), `test` the model's test scores."""
    metric = metrics[0]
    name = metric.name
    guess = baseline["cv_mean"][name]
    gap = directed(row[f"{name}_mean"], metric) - directed(guess, metric)
    spread = (row.get(f"{name}_std") or 0.0) ** 2 + (baseline["cv_std"].get(name) or 0.0) ** 2
    se = max(math.sqrt(spread / max(baseline["folds"] - 1, 1)), resampled_se or 0.0)
    share = _share(gap, guess, metric)
    worse = [
        (m.name, test[m.name], baseline["test"][m.name])
        for m in metrics
        if m.name in (name, PLAIN_METRIC) and m.name in test and m.name in baseline["test"]
        and directed(test[m.name], m) < directed(baseline["test"][m.name], m) - 1e-12
    ]  # fmt: skip
    drop = None
    if name in test:
        fell = directed(row[f"{name}_mean"], metric) - directed(test[name], metric)
        scale = 1.0 if metric.bounded else abs(row[f"{name}_mean"])
        # how much a score on a fold's worth of rows moves: the folds' spread, or the resampled one scaled to a fold
        # (five folds can agree by chance: 0.988 then 0.963 on 67 test rows is two rows, not a drop)
        one_sample = max(row.get(f"{name}_std") or 0.0, (resampled_se or 0.0) * math.sqrt(baseline["folds"]))
        if fell > max(TEST_DROP_SD * one_sample, TEST_DROP_MIN * scale):
            drop = (row[f"{name}_mean"], test[name])
    worse_on_ranking = any(worse_name == name for worse_name, _, _ in worse)
    level = "no_better" if worse_on_ranking else level_of(gap, se, guess, metric)
    return Verdict(
        level,
        name,
        row[f"{name}_mean"],
        guess,
        baseline["guess"],
        task is Task.REGRESSION,
        gap,
        se,
        share,
        worse,
        drop,
        metric.bounded,
        getattr(metric, "unit", ""),
        target_unit,
        test_rows if test else None,
    )


def of_record(record: dict[str, Any], row: dict[str, Any] | None) -> Verdict | None:
    """The verdict from run.json's content and the recommended model's leaderboard row; None when the run has no
    baseline (made before baselines, or it could not be scored) or no recommended model."""
    from automl_tui_engine.extension.registry.metrics import MetricFacts

    baseline, facts = record.get("baseline"), record.get("metric_facts", {})
    if not baseline or row is None:
        return None
    metrics = [found for name in record.get("metrics", []) if (found := MetricFacts.recorded(facts, name))]
    if not metrics or metrics[0].name not in baseline["cv_mean"]:
        return None
    test = record.get("test_metrics") or {}
    test_rows = (record.get("refit") or {}).get("test_rows")
    return judge(
        row,
        baseline,
        metrics,
        test,
        Task(record["task"]),  # a run.json with a baseline names its task: RunFacts writes both
        record.get("gap_se"),
        record.get("target_unit", ""),
        test_rows if isinstance(test_rows, int) else None,
    )


def sentences_of(record: dict[str, Any], rows: list[dict[str, Any]]) -> list[str]:
    """The verdict in words for a run's record (run.json's content) and its leaderboard rows; none without one."""
    row = next((r for r in rows if r["model"] == record.get("recommended")), None)
    found = of_record(record, row)
    if found is None:
        return []
    return found.sentences({name: f.get("title", name) for name, f in record.get("metric_facts", {}).items()})


def per_class(actual: pd.Series, predicted: np.ndarray) -> list[dict[str, Any]]:
    """Per class of the test rows: how many rows have it and how many of those the model finds (its recall)."""
    import pandas as pd

    frame = pd.DataFrame({"actual": list(actual), "predicted": list(predicted)})
    out = []
    for label, group in frame.groupby("actual", sort=True):
        found = int((group["predicted"] == label).sum())
        out.append({"class": str(label), "rows": len(group), "found": found})
    return out
