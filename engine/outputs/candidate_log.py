"""Every candidate of a run, on disk the moment it ends, then announced: results_summary.csv holds each one tried
(with the reason when it did not finish), leaderboard.csv the finished ones, ranked."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from automl_tui_engine import decision as decision_mod
from automl_tui_engine import events as ev
from automl_tui_engine.extension.registry.metrics import MetricSpec
from automl_tui_engine.outputs import rundir
from automl_tui_engine.outputs.rundir import RunFolder

RESULT_COLUMNS_HEAD = ["model", "stage", "status", "reason"]
TIMING_COLUMNS = ["fit_s", "predict_ms_per_1k", "predict_ms_single_row", "size_bytes"]
RANK_COLUMNS = ["rank_accuracy", "rank_speed", "rank_size", "pareto"]


def metric_columns(metric_names: list[str]) -> list[str]:
    return [f"{name}_{stat}" for name in metric_names for stat in ("mean", "std")]


class CandidateLog:
    def __init__(
        self, folder: RunFolder, primary: MetricSpec, metric_names: list[str], emit: Callable[[ev.Event], None]
    ) -> None:
        self.folder, self.primary, self.emit = folder, primary, emit
        # "threshold": the decision threshold a binary candidate's label scores are at, when not 0.5; "folds": how
        # many cross-validation folds the scores are over (twice the run's for a candidate confirmed on a second set)
        scores = [*metric_columns(metric_names), "threshold", "folds"]
        self.result_columns = [*RESULT_COLUMNS_HEAD, *scores, *TIMING_COLUMNS, "params"]
        self.leaderboard_columns = ["rank", "model", *scores, *TIMING_COLUMNS, *RANK_COLUMNS, "params"]
        self.rows: list[dict[str, Any]] = []  # the finished ones

    def ranked(self) -> list[dict[str, Any]]:
        """The finished candidates, best first, with their rank on each axis (leaderboard.csv's rows)."""
        return decision_mod.annotate(self.rows, self.primary)

    def row_of(self, model: str) -> dict[str, Any] | None:
        return next((row for row in self.rows if row["model"] == model), None)

    def finished(self, row: dict[str, Any], described: dict[str, Any]) -> None:
        """A candidate that finished: in both files at once, then announced."""
        row["params"] = _params_text(described)
        self.rows.append(row)
        self.folder.append_result(row, self.result_columns)
        self.folder.write_csv(rundir.LEADERBOARD, self.ranked(), self.leaderboard_columns)
        self.emit(ev.CandidateFinished(row=row))

    def restore(self, attempted: list[dict[str, Any]]) -> None:
        """Candidates another process tried (a pipeline's families: their results_summary.csv rows; their events
        are copied apart): each in results_summary.csv, the finished ones ranked with the rest."""
        for row in attempted:
            self.folder.append_result(row, self.result_columns)
        self.rows.extend(row for row in attempted if row.get("status") == "ok")
        self.folder.write_csv(rundir.LEADERBOARD, self.ranked(), self.leaderboard_columns)

    def not_finished(
        self, model: str, status: str, reason: str, described: dict[str, Any] | None = None, stage: str = "default"
    ) -> None:
        """A candidate that did not finish (events.CANDIDATE_STATUSES): in results_summary.csv with the reason."""
        row = {"model": model, "stage": stage, "status": status, "reason": reason, "params": _params_text(described)}
        self.folder.append_result(row, self.result_columns)
        self.emit(ev.CandidateFailed(model=model, status=status, reason=reason))


def _params_text(described: dict[str, Any] | None) -> str:
    return "" if not described else json.dumps(described, default=repr, sort_keys=True)
