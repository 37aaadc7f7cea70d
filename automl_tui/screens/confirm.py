"""Step 5: the choices at a glance, and the same run as a headless command line."""

from __future__ import annotations

from automl_tui_engine import glossary
from automl_tui_engine.messages import t
from rich.cells import cell_len
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Button

from automl_tui.screens.base import StepScreen
from automl_tui.state import shown_path
from automl_tui.widgets.plain import Static


class ConfirmScreen(StepScreen):
    step = "confirm"
    BINDINGS = [*StepScreen.BINDINGS, Binding("c", "copy_command", t("tui.key_copy"))]

    def compose(self) -> ComposeResult:
        s = self.state
        config = s.config()
        yield from self.compose_title()
        rows = [
            (t("tui.confirm_data"), f"{shown_path(s.data)} ({t('tui.rows', rows=s.rows)})"),
            (t("tui.confirm_target"), f"{s.target} · {t(f'tui.task_{s.detected_task}')}"),
            *([(t("tui.confirm_template"), s.template.name)] if s.template else []),
            (t("tui.confirm_preset"), f"{s.preset} · {t('tui.preset_budget', budget=f'{config.time_budget_s:g}')}"),
            (t("tui.confirm_priority"), f"{glossary.priority_word(s.priority)} · {t(f'priority.{s.priority}')}"),
            (t("tui.confirm_split"), s.split_title(config.test_size)),
            (t("tui.confirm_where"), s.where_title()),
            (t("tui.confirm_out"), str(s.out)),
        ]
        # padded by the cells a label takes on screen: a Japanese character takes two
        width = max(cell_len(label) for label, _ in rows)
        lines = [f"{label}{' ' * (width - cell_len(label))}  {value}" for label, value in rows]
        yield Static("\n".join(lines), id="choices-summary")
        yield Static(t("tui.confirm_command"), classes="subtitle")
        yield Static(s.command_line(), id="command")
        with Horizontal(classes="buttons"):
            yield Button(t("tui.button_back"), id="back")
            yield Button(t("tui.button_start"), id="start", variant="primary")
        yield from self.compose_footer()

    def on_mount(self) -> None:
        self.query_one("#start", Button).focus()

    @on(Button.Pressed, "#start")
    def start(self) -> None:
        self.action_next()

    @on(Button.Pressed, "#back")
    def back(self) -> None:
        self.action_back()

    def action_copy_command(self) -> None:
        self.app.copy_to_clipboard(self.state.command_line())
        self.notify(t("tui.copied"))
