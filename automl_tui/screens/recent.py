"""Past runs in the output folder, newest first; Enter reopens one's Decision Summary."""

from __future__ import annotations

import json
from pathlib import Path

from automl_tui_engine import events as ev
from automl_tui_engine.extension.registry.metrics import MetricFacts
from automl_tui_engine.formatting import metric_text, score_text
from automl_tui_engine.messages import t
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static


def past_runs(out: Path) -> list[tuple[Path, dict]]:
    runs = []
    for folder in sorted(out.glob("*/run.json"), reverse=True):  # run ids sort by start time
        try:
            runs.append((folder.parent, json.loads(folder.read_text(encoding="utf-8"))))
        except (OSError, json.JSONDecodeError):
            continue  # a folder that is not (or no longer) a run
    return runs


class RecentRunsScreen(Screen[Path | None]):
    BINDINGS = [Binding("escape", "close", t("tui.key_back"))]

    def __init__(self, out: Path) -> None:
        super().__init__()
        self.runs = past_runs(out)
        self.out = out

    def compose(self) -> ComposeResult:
        yield Static(t("tui.recent_title", out=self.out), classes="title")
        if not self.runs:
            yield Static(t("tui.recent_none"), classes="help")
        table = DataTable(cursor_type="row", zebra_stripes=True, id="runs")
        # the number first, the long names last: on a small terminal what is cut off is the least needed
        table.add_columns(
            t("tui.col_run"),
            t("tui.col_test_score"),
            t("report.col_model"),
            t("report.col_status"),
            t("report.col_metric"),
            t("tui.col_dataset"),
        )
        for folder, info in self.runs:
            metric = info.get("primary_metric", "")
            score = (info.get("test_metrics") or {}).get(metric)
            facts = MetricFacts.recorded(info.get("metric_facts", {}), metric)
            table.add_row(
                info.get("run_id", folder.name),
                "—" if score is None else metric_text(score, facts) if facts else score_text(score),
                info.get("recommended") or "—",
                ev.run_status_word(info.get("status", "?")),
                MetricFacts.title_in(info, metric) if metric else "—",
                info.get("dataset_key", "?"),
                key=str(folder),
            )
        yield table
        yield Footer()

    @on(DataTable.RowSelected, "#runs")
    def reopen(self, event: DataTable.RowSelected) -> None:
        self.dismiss(Path(event.row_key.value))

    def action_close(self) -> None:
        self.dismiss(None)
