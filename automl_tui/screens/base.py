from __future__ import annotations

from automl_tui_engine.messages import t
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen

from automl_tui.state import BACK, NEXT, WizardState
from automl_tui.widgets.keys_footer import KeysFooter
from automl_tui.widgets.plain import Static

STEPS = ("dataset", "preset", "priority", "where", "confirm")


class StepScreen(Screen[str]):
    """A wizard step: a numbered title, a plain-words explanation, Back on Escape, keys in the footer."""

    step = ""
    BINDINGS = [Binding("escape", "back", t("tui.key_back"))]

    def __init__(self, state: WizardState) -> None:
        super().__init__()
        self.state = state

    def compose_title(self) -> ComposeResult:
        number = STEPS.index(self.step) + 1
        yield Static(
            t("tui.step_title", number=number, total=len(STEPS), name=t(f"tui.{self.step}_title")), classes="title"
        )
        yield Static(t(f"tui.{self.step}_help"), classes="help")

    def compose_footer(self) -> ComposeResult:
        yield KeysFooter()

    def action_back(self) -> None:
        self.dismiss(BACK)

    def action_next(self) -> None:
        self.dismiss(NEXT)
