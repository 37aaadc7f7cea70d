"""The Decision Summary of a run folder (just finished, or reopened from the recent runs)."""

from __future__ import annotations

from pathlib import Path

from automl_tui_engine import glossary
from automl_tui_engine.decision import AXES
from automl_tui_engine.formatting import human_bytes, metric_text
from automl_tui_engine.messages import t
from automl_tui_engine.outputs import decision_record, quality, rundir
from automl_tui_engine.outputs.report import RunReport
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import TabbedContent, TabPane

from automl_tui.state import NEW_RUN, RECENT, shown_path
from automl_tui.widgets.keys_footer import KeysFooter
from automl_tui.widgets.pareto_chart import ParetoChart
from automl_tui.widgets.plain import DataTable, Static, wrapped


class HeadlineBox(VerticalScroll):
    """The headline's box: on a small terminal it scrolls (by mouse) and the tabs keep their room; it takes no
    focus, so the arrow keys go on moving between the tabs."""

    can_focus = False


class DecisionScreen(Screen[str]):
    BINDINGS = [
        Binding("r", "read_report", t("tui.key_report")),
        Binding("n", "new_run", t("tui.key_new_run")),
        Binding("p", "predict", t("tui.key_predict")),
        Binding("h", "recent", t("tui.key_recent")),
        Binding("a", "adopt", t("tui.key_adopt")),
        Binding("w", "use", t("tui.key_use")),
        Binding("c", "copy_link", t("tui.key_copy_link")),
    ]

    def __init__(self, run_dir: Path) -> None:
        super().__init__()
        self.run_dir = Path(run_dir)
        self.summary = RunReport.load(self.run_dir)

    def compose(self) -> ComposeResult:
        s = self.summary
        yield Static(t("tui.decision_title", run_id=s.run_id, dataset_key=s.dataset_key), classes="title")
        if s.decision is None:
            yield Static(t("report.no_decision"), classes="error")
        else:
            with HeadlineBox(id="headline-box"):
                yield Static(self.headline(), id="headline")
            yield Static(self.adopted_text(), id="adopted")
            with TabbedContent(id="tabs"):
                for axis in AXES:
                    with TabPane(t(f"tui.tab_{axis}"), id=f"tab-{axis}"):
                        yield self.ranking(getattr(s.decision, f"top_{axis}"), with_guess=axis == "accuracy")
                with TabPane(t("tui.tab_alternatives"), id="tab-alternatives"), VerticalScroll():
                    yield self.alternatives()
                with TabPane(t("tui.tab_chart"), id="tab-chart"), VerticalScroll():
                    yield ParetoChart(s.rows, s.metric, s.decision.pareto, s.decision.recommended)
                with TabPane(t("tui.tab_words"), id="tab-words"), VerticalScroll():
                    yield Static(self.plain_words(), id="words")
        yield Static(t("tui.report_path", path=shown_path(self.run_dir / "report.md")), id="report-path")
        if s.shared_link:
            yield Static(t("tui.shared_link", link=s.shared_link), id="shared-link")
        elif s.offline_sessions:
            folder = rundir.sessions_folder(s.offline_sessions)
            yield Static(t("cli.summary_offline", count=len(s.offline_sessions), folder=folder), id="shared-link")
        yield KeysFooter()

    def on_mount(self) -> None:
        if self.summary.decision is not None:
            self.query_one("#adopted").display = bool(self.summary.adopted)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The copy key only for a run tracked in ClearML (the others have no link to share); adopting only a run
        with a decision, and asking its model too."""
        if action == "copy_link":
            return bool(self.summary.shared_link)
        return self.summary.decision is not None if action in ("adopt", "use") else True

    def adopted_text(self) -> str:
        return "\n".join(
            f"{t('report.adopted')}: {decision_record.line(a, markdown=False)}" for a in self.summary.adopted
        )

    def action_adopt(self) -> None:
        from automl_tui_engine.adoption import RECORDED

        from automl_tui.screens.adopt import AdoptScreen

        def adopted(done) -> None:  # adoption.Adopted, or None: the user went back
            if done is None:
                return
            self.summary = RunReport.load(self.run_dir)  # run.json and the report now say it
            shown = self.query_one("#adopted", Static)
            shown.update(self.adopted_text())
            shown.display = True
            path = shown_path(self.run_dir / rundir.DECISION)
            self.notify(t("tui.adopted", model=done.record["model"], use=done.record["use"], path=path))
            if done.in_clearml not in ("", RECORDED):
                self.notify(t("adopt.not_in_clearml", reason=done.in_clearml), severity="warning", timeout=15)

        self.app.push_screen(AdoptScreen(self.run_dir, self.summary), adopted)

    def action_copy_link(self) -> None:
        self.app.copy_to_clipboard(self.summary.shared_link)
        self.notify(t("tui.copied_link"))

    def headline(self) -> Text:
        s, d = self.summary, self.summary.decision
        text = Text()
        if s.coverage:  # a recommendation among some of the model kinds: said before anything else
            text.append(s.coverage + "\n", style="bold yellow")
        if s.verdict is not None:
            head, *test = s.verdict.sentences(s.metric_titles)
            style = (
                "bold green"
                if s.verdict.level == "clearly"
                else "bold yellow"
                if s.verdict.level == "slightly"
                else "bold red"
            )
            text.append(head + "\n", style=style)
            text.append("".join(f"  {line}\n" for line in test))
        text.append(
            t("tui.recommended", model=d.recommended, priority=glossary.priority_word(s.priority)), style="bold"
        )
        text.append(f" · {glossary.kind_words(d.recommended)}")
        lines = [d.reason]
        test = s.info.get("test_metrics") or {}
        if s.metric.name in test:
            lines.append(t("cli.summary_test", metric=s.metric.title, score=metric_text(test[s.metric.name], s.metric)))
        lines.append(quality.per_class_line(s))  # whom it finds, class by class (the report's table)
        lines.append(quality.rows_used(s))  # a large table: the sample compared on, the rows trained on
        if s.status != "finished":
            lines.append(t(f"report.status_{s.status}"))
        text.append("\n" + "\n".join(line for line in lines if line))
        return text

    def screen_text(self) -> str:
        """Every word this screen shows a person: what its plain-words tab explains."""
        tabs = [t(f"tui.tab_{axis}") for axis in AXES]
        shown = [str(self.headline()), *tabs, t("tui.tab_alternatives"), str(self.alternatives_text())]
        return "\n".join([*shown, self.summary.metric.title, "±"])  # the rankings' score column

    def plain_words(self) -> str:
        d = self.summary.decision
        shown = [d.recommended, *d.top_accuracy, *d.top_speed, *d.top_size]
        keys = glossary.found_in(self.screen_text())
        return "\n".join([*(glossary.line(key, markdown=False) for key in keys), glossary.kinds_line(shown, False)])

    def ranking(self, names: list[str], with_guess: bool = False) -> DataTable:
        s = self.summary
        table = DataTable(cursor_type="row", zebra_stripes=True)
        # on hover: what the score column and its ± mean
        table.tooltip = wrapped(
            "\n".join(glossary.line(key, markdown=False) for key in glossary.found_in(f"{s.metric.title} ±"))
        )
        table.add_columns("#", t("report.col_model"), s.metric.title, t("report.col_latency"), t("report.col_size"))
        for position, name in enumerate(names, start=1):
            row = s.by_model[name]
            table.add_row(
                position, name, s.score_cell(row), f"{row['predict_ms_per_1k']:.2f}", human_bytes(row["size_bytes"])
            )
        guess = quality.guess_row(s) if with_guess else None
        if guess:
            table.add_row(*guess)
        return table

    def alternatives(self) -> Static:
        """Each alternative with what it gives up, as wrapped lines: the trade-offs are sentences, too long for a
        table's cells on a small terminal."""
        return Static(self.alternatives_text(), id="alternatives")

    def alternatives_text(self) -> Text | str:
        alternatives = self.summary.decision.alternatives
        if not alternatives:
            return self.summary.no_alternatives()
        text = Text()
        for alternative in alternatives:
            text.append(f"{alternative.label_text}: {alternative.model}\n", style="bold")
            text.append(f"  {t('report.col_vs_recommended')}: {alternative.tradeoff_text}\n")
        return text

    def action_read_report(self) -> None:
        self.app.push_screen(ReportScreen(self.run_dir / "report.md"))

    def action_predict(self) -> None:
        from automl_tui.screens.predict import PredictScreen

        if self.summary.decision is not None:
            self.app.push_screen(PredictScreen(self.run_dir, Path.cwd()))

    def action_use(self) -> None:
        from automl_tui.screens.use import UseScreen

        if (self.run_dir / rundir.INPUT_RANGES).exists():
            self.app.push_screen(UseScreen(self.run_dir))
        else:  # a run from before what-if: it says how to get there
            self.notify(t("whatif.no_ranges", run_dir=shown_path(self.run_dir)), severity="warning")

    def action_new_run(self) -> None:
        self.dismiss(NEW_RUN)

    def action_recent(self) -> None:
        self.dismiss(RECENT)


class ReportScreen(Screen[None]):
    BINDINGS = [Binding("escape", "app.pop_screen", t("tui.key_back"))]

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path

    def compose(self) -> ComposeResult:
        from textual.widgets import MarkdownViewer  # markdown-it and friends: loaded when a report is read

        yield MarkdownViewer(self.path.read_text(encoding="utf-8"), show_table_of_contents=False)
        yield KeysFooter()
