"""What a run checks and settles before any model is fitted (the table read, profiled and validated; the metric; the
usable model kinds in their order; the split): a pipeline's preprocessing step is this, and so is the start of a run
on one machine. A table that cannot be used is a UserError here, before any run folder exists."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from automl_tui_engine.config import RunConfig
from automl_tui_engine.errors import UserError
from automl_tui_engine.extension.registry.metrics import MetricSpec
from automl_tui_engine.extension.registry.models import ModelSpec

if TYPE_CHECKING:  # the table's and the search's modules load with the run (pandas, scikit-learn), not before
    from automl_tui_engine.search.evaluate import Split
    from automl_tui_engine.table.data import Dataset
    from automl_tui_engine.table.preprocess import ColumnPlan


@dataclass(frozen=True)
class Prepared:
    """What a run checks and settles before any model is fitted; a pipeline's preprocessing step is this."""

    dataset: Dataset
    primary: MetricSpec  # the ranking metric, in the target's unit
    task_metrics: list[MetricSpec]  # the primary first
    specs: list[ModelSpec]  # the usable kinds, in the search's order
    unusable: list[tuple[str, str]]  # (kind, why it cannot be used here)
    plans: list[ColumnPlan]
    folds: Split


def prepare(config: RunConfig) -> Prepared:
    """The table `config` names, checked and split: what every phase after this one works from."""
    from automl_tui_engine.extension.registry import metrics, models
    from automl_tui_engine.search import evaluate, planning
    from automl_tui_engine.table import data, preprocess

    dataset = data.load(
        config.table(), config.target, config.task_named(), config.encoding, tuple(config.personal_columns)
    )
    task = dataset.task
    # errors in the target's own unit (RMSE, MAE) are written in it: "¥153,362", not "153362.3393"
    primary = metrics.get(config.primary_metric or metrics.default_primary(task, dataset.class_counts)).for_target(
        dataset.target_unit
    )
    if not primary.supports(task):
        raise UserError("run.metric_wrong_task", metric=primary.name, task=task)
    specs, unusable = models.candidates(config.models, task)
    if not specs:
        raise UserError("run.no_models", task=task, models=", ".join(config.models))
    # split before the run folder exists: a class too small for the folds is bad input, not a half-made run
    order = evaluate.TimeOrder.of(dataset, config.split)
    folds = evaluate.split(
        dataset.X, dataset.y, task, config.test_size, config.cv_folds, config.seed, config.test_rows_max, order
    )
    return Prepared(
        dataset=dataset,
        primary=primary,
        task_metrics=[
            primary,
            *[m.for_target(dataset.target_unit) for m in metrics.for_task(task) if m.name != primary.name],
        ],
        specs=planning.order(specs),
        unusable=unusable,
        plans=preprocess.plan(dataset.profiles),
        folds=folds,
    )
