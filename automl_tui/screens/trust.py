"""Asked before code the user did not write runs for the first time: a preset's plugins, a shared model file."""

from __future__ import annotations

from automl_tui_engine.messages import t
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button

from automl_tui.widgets.plain import Static


class TrustScreen(ModalScreen[bool]):
    """Dismisses with True when the user trusts what `body` names; Back (the default, so Enter alone never runs
    someone else's code) with False."""

    BINDINGS = [Binding("escape", "refuse", t("tui.key_back"))]

    def __init__(self, title: str, body: str) -> None:
        super().__init__()
        self.title_text, self.body = title, body

    def compose(self) -> ComposeResult:
        with Vertical(id="trust"):
            yield Static(self.title_text, classes="title")
            yield Static(self.body, id="trust-body")
            with Horizontal(classes="buttons"):
                yield Button(t("tui.trust_yes"), id="trust-yes", variant="warning")
                yield Button(t("tui.button_back"), id="trust-no", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#trust-no", Button).focus()

    @on(Button.Pressed, "#trust-yes")
    def accept(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#trust-no")
    def action_refuse(self) -> None:
        self.dismiss(False)
