"""The metric registry: direction, whether probabilities are needed, and the scikit-learn scorer per task."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Any, Protocol

from automl_tui_engine.extension.registry import Registry
from automl_tui_engine.messages import t_or
from automl_tui_engine.tasks import CLASSIFICATION, Task

if TYPE_CHECKING:  # numpy and pandas load with the run, not with the registry
    import numpy as np
    import pandas as pd


def title(name: str, label: str = "") -> str:
    """A metric's words for people in the current language: a built-in's from the catalogue (so a run or report
    in another language uses its own), else the label its plugin or its run gave it, else its name."""
    return t_or(f"metrics.{name}", label or name)


class Predictor(Protocol):
    """What a scorer asks for its predictions: a fitted model, or predictions made once (search/evaluate.Replay)."""

    def predict(self, X: pd.DataFrame | None) -> np.ndarray: ...


class RankingMetric(Protocol):
    """What ranking by a metric needs of it: a registered MetricSpec, or the MetricFacts a run folder recorded."""

    # read-only: both are frozen dataclasses
    @property
    def name(self) -> str: ...

    @property
    def greater_is_better(self) -> bool: ...

    @property
    def bounded(self) -> bool: ...

    @property
    def unit(self) -> str: ...  # the target's unit its values are in ("¥", "%", "kg"), or ""

    @property
    def title(self) -> str: ...


@dataclass(frozen=True)
class MetricFacts:
    """A metric as a run recorded it (run.json's metric_facts): enough to read the run folder again without
    importing the plugin that may have provided the metric."""

    name: str
    title: str
    greater_is_better: bool
    bounded: bool
    unit: str = ""  # the target's unit its values were in (a record from before units has none)

    def facts_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def title_in(cls, info: dict[str, Any], name: str) -> str:
        """A metric's words for people, as a run (`info`: its run.json) recorded them; else its bare name."""
        facts = cls.recorded(info.get("metric_facts", {}), name)
        return facts.title if facts else name

    @classmethod
    def recorded(cls, facts: dict[str, dict[str, Any]], name: str) -> MetricFacts | None:
        """The facts recorded for `name` (a built-in metric's title in the current language), else a built-in
        metric's (a folder from before facts were recorded); None for a metric neither knows."""
        if name in facts:
            recorded = cls(**facts[name])
            # a built-in metric's words come from the catalogue: a report rebuilt in another language uses them
            return replace(recorded, title=title(name, recorded.title))
        try:
            return get(name).facts()
        except ValueError:
            return None


@dataclass(frozen=True)
class MetricSpec:
    name: str
    # task -> scikit-learn scorer name ("neg_" ones are negated back so values read naturally), or a scorer
    # object (scorer(estimator, X, y), higher is better) from a plugin
    scorers: dict[str, Any]
    greater_is_better: bool
    needs_proba: bool = False
    # scores in [0, 1] (or up to 1 like R²) compare in absolute points; errors compare relatively
    bounded: bool = True
    aliases: tuple[str, ...] = ()
    label: str = ""  # plain words for people; built-ins take theirs from the message catalogue
    in_target_units: bool = False  # an error measured in the target's own unit (RMSE, MAE), not a share
    unit: str = ""  # that unit, once a run knows its target (for_target)

    @property
    def title(self) -> str:
        return title(self.name, self.label)

    def supports(self, task: Task) -> bool:
        return task in self.scorers

    def facts(self) -> MetricFacts:
        return MetricFacts(self.name, self.title, self.greater_is_better, self.bounded, self.unit)

    def for_target(self, unit: str) -> MetricSpec:
        """This metric as a run with a target written in `unit` measures it: errors in the target's unit say so."""
        from dataclasses import replace

        return replace(self, unit=unit) if self.in_target_units else self

    def facts_json(self) -> dict[str, Any]:
        return asdict(self.facts())

    def scorer(self, task: Task) -> Any:
        from sklearn.metrics import get_scorer

        scorer = self.scorers[task]
        return get_scorer(scorer) if isinstance(scorer, str) else scorer

    def negated(self, task: Task) -> bool:
        scorer = self.scorers[task]
        return isinstance(scorer, str) and scorer.startswith("neg_")

    def value(self, task: Task, estimator: Predictor, X: pd.DataFrame | None, y: pd.Series | np.ndarray) -> float:
        raw = float(self.scorer(task)(estimator, X, y))
        return -raw if self.negated(task) else raw


REGISTRY: Registry[MetricSpec] = Registry("metric")


def register(spec: MetricSpec) -> None:
    REGISTRY.register(spec)


def resolve(name: str) -> str:
    return REGISTRY.resolve(name)


def get(name: str) -> MetricSpec:
    return REGISTRY.get(name)


def for_task(task: Task) -> list[MetricSpec]:
    return [spec for spec in REGISTRY.all() if spec.supports(task)]


def default_primary(task: Task, class_counts: dict[str, int] | None = None) -> str:
    """The ranking metric when the user names none.

    Regression: R² (share of the variation explained; scale-free, so "points" read the same on any data).
    Classification: accuracy when the smallest class has at least half as many rows as the largest,
    otherwise balanced accuracy, because plain accuracy rewards always predicting the majority class.
    """
    if task is Task.REGRESSION:
        return "r2"
    counts = list((class_counts or {}).values())
    if counts and min(counts) * 2 < max(counts):
        return "balanced_accuracy"
    return "accuracy"


_BUILTIN = (
    MetricSpec("accuracy", dict.fromkeys(CLASSIFICATION, "accuracy"), True, aliases=("acc",)),
    MetricSpec(
        "balanced_accuracy",
        dict.fromkeys(CLASSIFICATION, "balanced_accuracy"),
        True,
        aliases=("bacc",),
    ),
    MetricSpec("f1_macro", dict.fromkeys(CLASSIFICATION, "f1_macro"), True, aliases=("f1",)),
    MetricSpec(
        "roc_auc",
        {Task.BINARY: "roc_auc", Task.MULTICLASS: "roc_auc_ovr"},
        True,
        needs_proba=True,
        aliases=("auc",),
    ),
    MetricSpec(
        "log_loss",
        dict.fromkeys(CLASSIFICATION, "neg_log_loss"),
        False,
        needs_proba=True,
        bounded=False,
        aliases=("logloss", "cross_entropy"),
    ),
    MetricSpec("r2", {Task.REGRESSION: "r2"}, True, aliases=("r_squared",)),
    MetricSpec(
        "rmse",
        {Task.REGRESSION: "neg_root_mean_squared_error"},
        False,
        bounded=False,
        in_target_units=True,
        aliases=("root_mean_squared_error",),
    ),
    MetricSpec(
        "mae",
        {Task.REGRESSION: "neg_mean_absolute_error"},
        False,
        bounded=False,
        in_target_units=True,
        aliases=("mean_absolute_error",),
    ),
)

for _spec in _BUILTIN:
    register(_spec)
