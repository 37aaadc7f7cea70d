"""What the engine makes of a table before any run, for the wizard's dataset step: its columns and what happens to
each, the guessed target and task, the class balance, and about how long each preset's search would take (measured
on this table). Nothing is fitted beyond the quick baseline the estimate needs."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from automl_tui_engine import glossary
from automl_tui_engine.messages import listing, t
from automl_tui_engine.tasks import Task

if TYPE_CHECKING:  # pandas loads with the table, not with the module
    import pandas as pd


@dataclass
class Inspection:
    """What the engine found in a table, for this screen to show."""

    path: Path
    columns: list[str] = field(default_factory=list)
    preview: list[list[str]] = field(default_factory=list)
    column_rows: list[tuple[str, str, str]] = field(default_factory=list)  # name, type, what happens
    target: str | None = None
    target_reason: str | None = None  # why the target was guessed; None when the user chose it
    task: Task | None = None
    rows: int = 0
    balance: str = ""
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    estimates: dict[str, float] = field(default_factory=dict)
    date_columns: list[str] = field(default_factory=list)  # what a time split can order the rows by


def inspect_table(
    path: Path, frame: pd.DataFrame, source: dict[str, Any], target: str | None, presets: dict[str, Any]
) -> Inspection:
    """Profile `frame` for `target` (guessed when None); validation problems become `error`, not exceptions."""
    from automl_tui_engine.core import privacy, threads
    from automl_tui_engine.errors import UserError
    from automl_tui_engine.extension.registry import metrics, models
    from automl_tui_engine.search import evaluate, planning
    from automl_tui_engine.table import data, preprocess
    from automl_tui_engine.table.checks import imbalance_warning

    columns = [str(c) for c in frame.columns]
    profiles = [data.profile_column(name, frame[name]) for name in columns]
    found = Inspection(path=path, columns=columns, preview=privacy.preview_rows(frame, profiles))
    try:
        dataset = data.from_frame(frame, source, target)
    except UserError as exc:
        found.error = exc.in_the_wizard()
        found.target = target
        found.column_rows = [(p.name, glossary.kind_word(p.kind), "") for p in profiles]
        return found
    plans = {p.column: p for p in preprocess.plan(dataset.profiles)}
    # a column's kind as the run will see it: numbers written as text ("１２３", "￥1,200") are numbers by then
    kinds = {p.name: p.kind for p in dataset.profiles}
    target_words = t("tui.target_column")
    found.column_rows = [
        (
            p.name,
            glossary.kind_word(kinds.get(p.name, p.kind)),
            target_words if p.name == dataset.target else plans[p.name].reason,
        )
        for p in profiles
    ]
    found.date_columns = dataset.date_columns
    ranked_by = metrics.get(metrics.default_primary(dataset.task, dataset.class_counts))
    found.target, found.target_reason, found.task, found.rows, found.warnings = (
        dataset.target,
        dataset.target_reason,
        dataset.task,
        len(dataset.y),
        # the imbalance as a run without a chosen metric ranks it
        [*dataset.warnings, *filter(None, [imbalance_warning(dataset.class_counts, ranked_by)])],
    )
    if dataset.task is Task.REGRESSION:
        y = dataset.y
        found.balance = t("tui.target_range", low=f"{y.min():.4g}", high=f"{y.max():.4g}", mean=f"{y.mean():.4g}")
    else:
        counts = dataset.class_counts
        total = sum(counts.values())
        found.balance = listing(f"{name} {count / total:.0%}" for name, count in list(counts.items())[:8])
    split = evaluate.split(dataset.X, dataset.y, dataset.task, 0.2, 3, 0)
    # the CPU time the work takes, on one thread (threads waiting for a busy core spend CPU time spinning): the same
    # estimate at every look, however busy the machine is at that moment
    with threads.limited(1):
        baseline = planning.measure_baseline(
            list(plans.values()), split.X_train, split.y_train, dataset.task, 0, time.process_time
        )
    for name, preset in presets.items():
        specs, _ = models.candidates(models.registered(preset.models), dataset.task)  # a plugin's: not imported
        estimate = planning.estimate_seconds(baseline, specs, dataset.task, preset.cv_folds, preset.latency_repeats)
        found.estimates[name] = min(estimate, preset.time_budget_s)
    return found
