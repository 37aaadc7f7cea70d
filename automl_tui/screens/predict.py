"""Predict on a file with the model of the run on show: the same code as `automl-tui predict`; and, on a file whose
outcomes are known, score the model in use (Ctrl+O: `automl-tui evaluate`) or train again on it and compare the new
pick with the model in use (Ctrl+T: `automl-tui retrain`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from automl_tui_engine.messages import t
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DirectoryTree, Input, ProgressBar

from automl_tui.screens.dataset import TableTree
from automl_tui.state import made_here, shown_path
from automl_tui.widgets.keys_footer import KeysFooter
from automl_tui.widgets.plain import Static

if TYPE_CHECKING:
    from automl_tui_engine.retraining import Plan


class PredictScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "app.pop_screen", t("tui.key_back")),
        Binding("ctrl+o", "evaluate", t("tui.key_evaluate")),  # a letter would be typed into the path
        Binding("ctrl+t", "retrain", t("tui.key_retrain")),
    ]

    def __init__(self, run_dir: Path, start_dir: Path) -> None:
        super().__init__()
        self.run_dir, self.start_dir = run_dir, start_dir
        self.made_here = made_here(run_dir.parent)
        self.chosen: Path | None = None  # the last table given: Ctrl+O scores the model on its outcomes
        self.trusted = False  # whether the user said to trust the model when predicting on it

    def compose(self) -> ComposeResult:
        yield Static(t("tui.predict_title"), classes="title")
        yield Static(t("tui.predict_help"), classes="help")
        with Horizontal(id="dataset-body"):
            yield TableTree(self.start_dir, self.made_here, id="tree")
            with Static(id="predict-detail"):
                yield Input(placeholder=t("tui.path_placeholder"), id="path")
                # shown while a table is predicted: an idle bar animated "--%" before any file was chosen
                yield ProgressBar(show_eta=False, id="progress", classes="hidden")
                yield Static("", id="result")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#path", Input).focus()

    @on(DirectoryTree.FileSelected)
    def file_chosen(self, event: DirectoryTree.FileSelected) -> None:
        self.query_one("#path", Input).value = shown_path(event.path)
        self.start(event.path)

    @on(Input.Submitted, "#path")
    def path_typed(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.start(Path(event.value.strip()).expanduser())

    def start(self, path: Path, trust: bool = False) -> None:
        self.chosen, self.trusted = path, trust
        bar = self.query_one("#progress", ProgressBar)
        bar.update(total=None, progress=0)
        bar.remove_class("hidden")
        self.query_one("#result", Static).update(t("tui.predicting", name=path.name))
        self.predict_in_background(path, trust)

    def action_evaluate(self) -> None:
        if self.chosen is None:
            self.show(t("tui.evaluate_choose_first"), True)
            return
        self.query_one("#result", Static).update(t("tui.evaluating", name=self.chosen.name))
        self.evaluate_in_background(self.chosen)

    @work(thread=True, exclusive=True, group="predict")
    def evaluate_in_background(self, path: Path) -> None:
        from automl_tui_engine.errors import UserError
        from automl_tui_engine.evaluation import evaluate_file
        from automl_tui_engine.outputs.since_decision import terminal_lines

        try:  # a model this user may not trust was asked about when predicting on the table: as answered then
            evaluated = evaluate_file(self.run_dir, path, trust=self.trusted)
        except UserError as exc:
            self.app.call_from_thread(self.show, str(exc), True)
            return
        lines = [
            *terminal_lines(evaluated.evaluation.to_json(), self.run_dir, path),
            *filter(None, [evaluated.told.line()]),
            *sorted(set(evaluated.not_drawn.values())),
        ]
        self.app.call_from_thread(self.show, "\n".join(lines), False)

    def ask_trust(self, path: Path, doubt: str) -> None:
        """The model file may not be this user's: loading it runs its code, so they are asked first."""
        from automl_tui.screens.trust import TrustScreen

        def answered(trusted: bool | None) -> None:
            if trusted:
                self.start(path, trust=True)
            else:
                self.show(doubt, True)

        self.app.push_screen(TrustScreen(t("tui.trust_model_title"), doubt), answered)

    @work(thread=True, exclusive=True, group="predict")
    def predict_in_background(self, path: Path, trust: bool) -> None:
        from automl_tui_engine.adopted_models import answered_by
        from automl_tui_engine.errors import UserError
        from automl_tui_engine.outputs.predictions_check import terminal_lines
        from automl_tui_engine.predict import predict_file

        bar = self.query_one("#progress", ProgressBar)

        def progress(done: int, total: int | None) -> None:
            self.app.call_from_thread(bar.update, total=total, progress=done)

        try:
            summary = predict_file(self.run_dir, path, on_progress=progress, trust=trust)
        except UserError as exc:
            if exc.message_key == "predict.untrusted_model":
                self.app.call_from_thread(self.ask_trust, path, str(exc))
            else:
                self.app.call_from_thread(self.show, str(exc), True)
            return
        # what the command line says, from the same words: the model, the file, whether the inputs moved
        checked = terminal_lines(summary.check, summary.check_path) if summary.check is not None else []
        lines = [
            answered_by(summary.answered_by),
            t("predict.done", rows=summary.rows, path=shown_path(summary.out_path), seconds=summary.seconds),
            *checked,
            *filter(None, [summary.told.line()]),
            *summary.notes,
        ]
        self.app.call_from_thread(self.show, "\n".join(lines), False)

    def action_retrain(self) -> None:
        if self.chosen is None:
            self.show(t("tui.evaluate_choose_first"), True)
            return
        self.query_one("#result", Static).update(t("tui.retrain_planning", name=self.chosen.name))
        self.plan_retrain(self.chosen)

    @work(thread=True, exclusive=True, group="predict")
    def plan_retrain(self, path: Path) -> None:
        from automl_tui_engine import retraining
        from automl_tui_engine.errors import UserError

        try:
            plan = retraining.plan(self.run_dir, path)
        except UserError as exc:
            self.app.call_from_thread(self.show, str(exc), True)
            return
        self.app.call_from_thread(self.start_retrain, plan)

    def start_retrain(self, plan: Plan) -> None:
        """The run again on the live run screen, launched as the wizard launches every run; compared when it ends."""
        from automl_tui_engine.launching import Where

        from automl_tui.screens.run import RunScreen

        app = self.app  # the AutomlApp: its launch and clock are the ones every run of the wizard uses
        handle = app.launch(plan.config, Where(child_process=True))
        app.push_screen(RunScreen(handle, app.clock), lambda run_dir: self.retrained(plan, run_dir))

    def retrained(self, plan: Plan, run_dir: str | None) -> None:
        if run_dir is None:  # the run could not start: the run screen said why
            self.show(t("tui.retrain_not_run"), True)
            return
        self.compare_in_background(plan, Path(run_dir))

    @work(thread=True, exclusive=True, group="predict")
    def compare_in_background(self, plan: Plan, run_dir: Path) -> None:
        from automl_tui_engine import retraining
        from automl_tui_engine.errors import UserError
        from automl_tui_engine.outputs.run_record import RunRecord
        from automl_tui_engine.outputs.since_decision import champion_lines

        try:
            compared = retraining.compare(plan, run_dir)
            metric = RunRecord.load(run_dir).metric
        except UserError as exc:
            self.app.call_from_thread(self.show, str(exc), True)
            return
        assert metric is not None  # the run recommended a model: it ranked by a metric
        lines = [
            *champion_lines(compared.comparison.to_json(), metric),
            *filter(None, [compared.told.line()]),
            t("tui.retrain_report", path=run_dir / "report.md"),
        ]
        self.app.call_from_thread(self.show, "\n".join(lines), False)

    def show(self, text: str, failed: bool) -> None:
        self.query_one("#progress", ProgressBar).add_class("hidden")
        result = self.query_one("#result", Static)
        result.update(text)
        result.set_class(failed, "error")
