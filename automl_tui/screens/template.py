"""Re-run a template (ClearML template tasks, `automl-tui template save`): pick one; its table and settings come
from the server, and the run it makes is a clone of it, here or on a queue."""

from __future__ import annotations

from typing import Any

from automl_tui_engine.messages import t
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets.option_list import Option

from automl_tui.screens.choice import card
from automl_tui.widgets.plain import OptionList, Static


class TemplateScreen(ModalScreen[Any]):
    """Dismisses with the chosen templates.Template, or None when the user goes back."""

    BINDINGS = [Binding("escape", "back", t("tui.key_back"))]

    def __init__(self, templates: list[Any]) -> None:
        super().__init__()
        self.templates = {template.task_id: template for template in templates}

    def compose(self) -> ComposeResult:
        options = [
            Option(
                card(
                    template.name, t("tui.template_option", dataset_key=template.dataset_key, created=template.created)
                ),
                id=task_id,
            )
            for task_id, template in self.templates.items()
        ]
        with Vertical(id="template-box"):
            yield Static(t("tui.template_title"), classes="title")
            yield Static(t("tui.template_help"), classes="help")
            yield OptionList(*options, id="templates")

    def on_mount(self) -> None:
        options = self.query_one("#templates", OptionList)
        options.highlighted = 0  # the newest: Enter re-runs it
        options.focus()

    @on(OptionList.OptionSelected, "#templates")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.templates[event.option_id])

    def action_back(self) -> None:
        self.dismiss(None)
