"""Adopt a model of the run on show for a named use, with a note: the same record as `automl-tui adopt`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from automl_tui_engine.messages import t
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input

from automl_tui.widgets.plain import Select, Static


def choices(summary: Any) -> list[tuple[str, str]]:
    """(label, model) for the Select: the recommended model first, then each alternative with what it is, then the
    rest of the TopK."""
    d = summary.decision
    labelled = {d.recommended: t("tui.adopt_recommended")}
    for alternative in d.alternatives:
        labelled.setdefault(alternative.model, alternative.label_text)
    for model in [*d.top_accuracy, *d.top_speed, *d.top_size]:
        labelled.setdefault(model, "")
    return [(f"{model} · {why}" if why else model, model) for model, why in labelled.items()]


class AdoptScreen(ModalScreen[Any]):
    """Dismisses with the adoption recorded (adoption.Adopted), or None when the user goes back."""

    BINDINGS = [Binding("escape", "back", t("tui.key_back"))]

    def __init__(self, run_dir: Path, summary: Any) -> None:
        super().__init__()
        self.run_dir, self.summary = run_dir, summary

    def compose(self) -> ComposeResult:
        options = choices(self.summary)
        with Vertical(id="adopt"):
            yield Static(t("tui.adopt_title"), classes="title")
            yield Static(t("tui.adopt_help"), classes="help")
            yield Select(options, value=options[0][1], allow_blank=False, id="adopt-model")
            yield Input(placeholder=t("tui.adopt_use_placeholder"), id="adopt-use")
            yield Input(placeholder=t("tui.adopt_note_placeholder"), id="adopt-note")
            # trained for keeps now, so Predict and Use answer with it (adopt --refit)
            yield Checkbox(t("tui.adopt_refit"), value=True, id="adopt-refit")
            yield Static("", id="adopt-problem", classes="error")
            with Horizontal(classes="buttons"):
                yield Button(t("tui.button_back"), id="adopt-back")
                yield Button(t("tui.button_adopt"), id="adopt-yes", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#adopt-use", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#adopt-yes")
    def adopt(self) -> None:
        from automl_tui_engine import adoption
        from automl_tui_engine.errors import UserError

        problem = self.query_one("#adopt-problem", Static)
        use = self.query_one("#adopt-use", Input).value
        if not use.strip():  # said in the form's words (the engine's names the command's --use)
            problem.update(t("tui.adopt_no_use"))
            return
        model, note = str(self.query_one("#adopt-model", Select).value), self.query_one("#adopt-note", Input).value
        if self.query_one("#adopt-refit", Checkbox).value:
            self.query_one("#adopt-yes", Button).disabled = True
            problem.update(t("adopt.refitting", model=model))
            self.refit_and_adopt(model, use, note)
            return
        try:
            adopted = adoption.adopt(self.run_dir, model, use, note)
        except UserError as exc:
            problem.update(str(exc))
            return
        self.dismiss(adopted)

    @work(thread=True, exclusive=True, group="refit")
    def refit_and_adopt(self, model: str, use: str, note: str) -> None:
        """adopt --refit, off the screen's thread: training a model for keeps takes seconds to minutes."""
        from automl_tui_engine import adoption, refit_adopted
        from automl_tui_engine.errors import UserError

        try:
            trained = (
                refit_adopted.refit(self.run_dir, model)
                if refit_adopted.needs_refit(self.run_dir, model, use)
                else None
            )
            adopted = adoption.adopt(self.run_dir, model, use, note, trained)
        except UserError as exc:
            self.app.call_from_thread(self.refused, str(exc))
            return
        self.app.call_from_thread(self.dismiss, adopted)

    def refused(self, why: str) -> None:
        self.query_one("#adopt-problem", Static).update(why)
        self.query_one("#adopt-yes", Button).disabled = False

    @on(Input.Changed, "#adopt-use")
    def use_typed(self) -> None:
        self.query_one("#adopt-problem", Static).update("")

    @on(Button.Pressed, "#adopt-back")
    def action_back(self) -> None:
        self.dismiss(None)
