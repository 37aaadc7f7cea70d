"""Past runs in the output folder, newest first; Enter reopens one's Decision Summary."""

from __future__ import annotations

from pathlib import Path

from automl_tui_engine import events as ev
from automl_tui_engine.extension.registry.metrics import MetricFacts
from automl_tui_engine.formatting import metric_text, score_text
from automl_tui_engine.messages import t
from automl_tui_engine.outputs.decision_record import runs_overview
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen

from automl_tui.widgets.keys_footer import KeysFooter
from automl_tui.widgets.plain import DataTable, Static


class RecentRunsScreen(Screen[Path | None]):
    BINDINGS = [Binding("escape", "close", t("tui.key_back"))]

    def __init__(self, out: Path) -> None:
        super().__init__()
        self.runs = runs_overview(out)
        self.out = out

    def compose(self) -> ComposeResult:
        yield Static(t("tui.recent_title", out=self.out), classes="title")
        if not self.runs:
            yield Static(t("tui.recent_none"), classes="help")
        table = DataTable(cursor_type="row", zebra_stripes=True, id="runs")
        # the numbers and the model's state first, the long names last: on a small terminal what is cut off is the
        # least needed
        table.add_columns(
            t("tui.col_run"),
            t("tui.col_test_score"),
            t("report.col_model"),
            t("report.col_status"),
            t("cli.col_since_decision"),
            t("cli.col_inputs"),
            t("report.col_metric"),
            t("tui.col_dataset"),
            t("cli.col_adopted"),
        )
        for run in self.runs:
            info = run.info
            metric = info.get("primary_metric", "")
            score = (info.get("test_metrics") or {}).get(metric)
            facts = MetricFacts.recorded(info.get("metric_facts", {}), metric)
            table.add_row(
                run.run_id,
                "—" if score is None else metric_text(score, facts) if facts else score_text(score),
                run.recommended,
                ev.run_status_word(run.status),
                run.since_decision_words(),
                run.inputs_words(),
                MetricFacts.title_in(info, metric) if metric else "—",
                run.dataset_key,
                run.adopted_words(),
                key=str(run.folder),
            )
        yield table
        yield KeysFooter()

    @on(DataTable.RowSelected, "#runs")
    def reopen(self, event: DataTable.RowSelected) -> None:
        self.dismiss(Path(event.row_key.value))

    def action_close(self) -> None:
        self.dismiss(None)
