"""Keeping what was asked: each grid and search for the best inputs goes to the run folder's whatif/ with its charts
and the inputs that made it, the moment it is answered, and report.md is rewritten to list it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from automl_tui_engine.outputs import whatif_record
from automl_tui_engine.whatif.case import SavedModel


def keep_grid(saved: SavedModel, grid: Any, said: str) -> Path:
    from automl_tui_engine.outputs.whatif_charts import grid_chart

    columns = [v.column for v in grid.varied]
    asked = {
        "said": said,
        "vary": {v.column: v.spec for v in grid.varied},
        "rows": grid.rows,
        "shown": grid.shown,
    }
    chart = grid_chart(grid.table, columns, grid.shown, saved.target, grid.curves)
    return _keep(saved.run_dir, whatif_record.GRID, grid.table, asked, {"chart": chart})


def keep_best(saved: SavedModel, best: Any, said: str) -> Path:
    from automl_tui_engine.outputs.whatif_charts import history_chart

    asked = {"said": said, **best.asked}
    chart = history_chart(best.history, best.best_so_far, best.goal_title)
    return _keep(saved.run_dir, whatif_record.BEST, best.table, asked, {"history": chart})


def _keep(run_dir: Path, kind: str, table: Any, asked: dict[str, Any], figures: dict[str, Any]) -> Path:
    from automl_tui_engine.outputs import report

    path = whatif_record.save(run_dir, kind, table, asked, figures)
    report.write(run_dir)  # the report lists what was asked, beside the decision it serves
    return path
