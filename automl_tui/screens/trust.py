"""Asked before a preset's plugin code is imported for the first time: importing a module runs it."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from engine.messages import t


class TrustPluginsScreen(ModalScreen[bool]):
    """Dismisses with True when the user trusts the modules; Back (the default) with False."""

    BINDINGS = [Binding("escape", "refuse", t("tui.key_back"))]

    def __init__(self, preset: str, modules: list[str]) -> None:
        super().__init__()
        self.preset, self.modules = preset, modules

    def compose(self) -> ComposeResult:
        with Vertical(id="trust"):
            yield Static(t("tui.trust_title"), classes="title")
            yield Static(t("tui.trust_body", preset=self.preset, modules=", ".join(self.modules)), id="trust-body")
            with Horizontal(classes="buttons"):
                yield Button(t("tui.trust_yes"), id="trust-yes", variant="warning")
                yield Button(t("tui.button_back"), id="trust-no", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#trust-no", Button).focus()  # Enter alone never runs someone else's code

    @on(Button.Pressed, "#trust-yes")
    def accept(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#trust-no")
    def action_refuse(self) -> None:
        self.dismiss(False)
