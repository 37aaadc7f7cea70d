"""Keeping what was asked: each grid and search for the best inputs goes to the run folder's whatif/ with its charts
and the inputs that made it, the moment it is answered, and report.md is rewritten to list it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from automl_tui_engine.messages import listing, t
from automl_tui_engine.outputs import whatif_record
from automl_tui_engine.outputs.whatif_charts import answer_title
from automl_tui_engine.whatif.case import SavedModel, short

if TYPE_CHECKING:  # pandas loads with the answers, not with the module
    import pandas as pd
    from automl_tui_engine.clearml_tracking.after_decision import Told
    from automl_tui_engine.whatif.best import Best
    from automl_tui_engine.whatif.grid import Grid


@dataclass(frozen=True)
class Kept:
    path: Path  # the answers' CSV under whatif/
    told: Told  # a tracked run: the inference task's page in ClearML, or why the server could not be told


def keep_grid(saved: SavedModel, grid: Grid, said: str) -> Kept:
    from automl_tui_engine.outputs.whatif_charts import grid_chart

    columns = [v.column for v in grid.varied]
    asked = {
        "said": said,
        "vary": {v.column: v.spec for v in grid.varied},
        "rows": grid.rows,
        "shown": grid.shown,
    }
    varied = saved.fields[columns[0]]
    seen = (varied.low, varied.high) if len(columns) == 1 and varied.kind == "numeric" else None
    chart = grid_chart(grid.table, columns, grid.shown, saved.target, grid.curves, seen, grid.rows)
    asked["summary"] = _grid_summary(grid, answer_title(grid.shown, saved.target))
    return _keep(saved.run_dir, whatif_record.GRID, grid.table, asked, {"chart": chart})


def _grid_summary(grid: Grid, answer: str) -> str:
    """Where the answer is lowest and highest over the grid, in one sentence for the report."""
    shown = grid.table[grid.shown]
    low, high = grid.table.iloc[shown.argmin()], grid.table.iloc[shown.argmax()]

    def at(row: pd.Series) -> str:
        return listing(f"{v.column} = {short(row[v.column])}" for v in grid.varied)

    return t(
        "whatif.grid_summary",
        answer=answer,
        low=short(low[grid.shown]),
        low_at=at(low),
        high=short(high[grid.shown]),
        high_at=at(high),
    )


def keep_best(saved: SavedModel, best: Best, said: str) -> Kept:
    from automl_tui_engine.outputs.whatif_charts import history_chart

    asked = {"said": said, **best.asked}
    top = best.table.iloc[0]
    inputs = listing(f"{name} = {short(top[name])}" for name in best.asked["free"])
    asked["summary"] = t(
        "whatif.best_summary", inputs=inputs, answer=best.goal_title, value=short(top[best.asked["shown"]])
    )
    chart = history_chart(best.history, best.best_so_far, best.goal_title)
    return _keep(saved.run_dir, whatif_record.BEST, best.table, asked, {"history": chart})


def _keep(run_dir: Path, kind: str, table: pd.DataFrame, asked: dict[str, Any], figures: dict[str, Any]) -> Kept:
    import json

    from automl_tui_engine.clearml_tracking.after_decision import tell
    from automl_tui_engine.naming import INFERENCE_PHASE
    from automl_tui_engine.outputs import report, rundir

    with rundir.RunFolder(run_dir).changing():  # records asked at once each get a number of their own
        path = whatif_record.save(run_dir, kind, table, asked, figures)
        report.write(run_dir)  # the report lists what was asked, beside the decision it serves
    record = path.with_suffix(".json")
    kept = json.loads(record.read_text(encoding="utf-8"))
    files = tuple(record.parent / name for name in kept["files"])
    return Kept(path, tell(run_dir, INFERENCE_PHASE, asked.get("said", ""), {"asked": kept["asked"]}, files))
