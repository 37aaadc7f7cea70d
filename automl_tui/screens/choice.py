"""Steps that pick one of a few choices (preset, priority, where to run): one list, Enter chooses."""

from __future__ import annotations

from automl_tui_engine import user_config
from automl_tui_engine.formatting import about_seconds
from automl_tui_engine.messages import listing, t
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.widgets.option_list import Option

from automl_tui.screens.base import StepScreen
from automl_tui.state import NEXT, WizardState, available_presets
from automl_tui.widgets.plain import OptionList


def card(title: str, *lines: str) -> Text:
    """A choice as a small card: a bold title line and plain-words lines under it."""
    text = Text(title, style="bold")
    for line in lines:
        text.append("\n" + line)
    return text


class ChoiceScreen(StepScreen):
    """Subclasses give `choices()` (the options), `current()` (the option to start on) and `choose(id)`."""

    def compose(self) -> ComposeResult:
        yield from self.compose_title()
        options: list[Option | None] = []
        for option in self.choices():
            options += [None, option] if options else [option]  # None draws a rule between cards
        yield OptionList(*options, id="choices")
        yield from self.compose_footer()

    def on_mount(self) -> None:
        options = self.query_one("#choices", OptionList)
        ids = [option.id for option in options.options]
        # the earlier choice, when it is offered (a remembered one may be among the choices still looked up)
        options.highlighted = ids.index(self.current()) if self.current() in ids else 0
        options.focus()

    @on(OptionList.OptionSelected, "#choices")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.go_on(event.option_id)

    def go_on(self, choice: str) -> None:
        self.choose(choice)
        self.dismiss(NEXT)


class PresetScreen(ChoiceScreen):
    step = "preset"

    def choices(self) -> list[Option]:
        from automl_tui_engine import config
        from automl_tui_engine.extension.registry import models

        out = []
        self.presets = available_presets(self.state.start_dir)
        for name, preset in self.presets.items():
            estimate = self.state.estimates.get(name)
            timing = (
                t("tui.preset_estimate", estimate=about_seconds(estimate), budget=f"{preset.time_budget_s:g}")
                if estimate is not None
                else t("tui.preset_budget", budget=f"{preset.time_budget_s:g}")
            )
            prompt = card(
                f"{name}  ·  {timing}",
                config.describe(preset) or t("tui.preset_no_description"),
                t("tui.preset_models", models=listing(models.title_of(name) for name in preset.models)),
            )
            out.append(Option(prompt, id=name))
        return out

    def current(self) -> str:
        return self.state.preset

    def choose(self, choice: str) -> None:
        self.state.preset = choice

    def go_on(self, choice: str) -> None:
        """A preset that names plugin code the user has not trusted goes on only once they trust it."""
        from automl_tui_engine.extension import plugins

        from automl_tui.screens.trust import TrustScreen

        pending = plugins.untrusted(self.presets[choice].plugins)
        if not pending:
            super().go_on(choice)
            return

        def answered(trusted: bool | None) -> None:
            if trusted:
                plugins.trust(pending)
                super(PresetScreen, self).go_on(choice)

        body = t("tui.trust_plugins_body", preset=choice, modules=listing(pending))
        self.app.push_screen(TrustScreen(t("tui.trust_plugins_title"), body), answered)


class PriorityScreen(ChoiceScreen):
    step = "priority"

    def choices(self) -> list[Option]:
        from automl_tui_engine.config import PRIORITIES

        return [Option(card(t(f"tui.priority_{p}_title"), t(f"tui.priority_{p}_help")), id=p) for p in PRIORITIES]

    def current(self) -> str:
        return self.state.priority

    def choose(self, choice: str) -> None:
        self.state.priority = choice


WHERE_TO_RUN = "where_to_run"  # the user's last choice of running here (recorded in ClearML or not), offered first


class WhereScreen(ChoiceScreen):
    """This machine, or one of the ClearML server's queues: they are looked up when the screen opens (a few
    seconds at most); when ClearML cannot be used, the reason is shown and running here stays the choice."""

    step = "where"

    def __init__(self, state: WizardState) -> None:
        super().__init__(state)
        self.checked = False  # the server has answered (or not): the options are final

    def choices(self) -> list[Option]:
        return [self.local_option(), Option(t("tui.where_clearml_checking"), id="checking", disabled=True)]

    def local_option(self) -> Option:
        lines = [t("tui.where_local_help"), *([t("tui.where_local_template")] if self.state.template else [])]
        return Option(card(t("tui.where_local_title"), *lines), id="local")

    def on_mount(self) -> None:
        options = self.query_one("#choices", OptionList)
        options.highlighted = 0  # this machine, until the queues (one may be the earlier choice) are known
        options.focus()
        self.find_queues()

    @work(thread=True, exclusive=True, group="queues")
    def find_queues(self) -> None:
        from automl_tui_engine.errors import UserError

        try:
            found, reason = self.app.clearml_queues(), ""
        except UserError as exc:
            found, reason = {}, str(exc)
        except Exception as exc:  # the server misbehaved: running here is still possible
            found, reason = {}, t("cli.internal_error", error=f"{type(exc).__name__}: {exc}")
        self.app.call_from_thread(self.show_queues, found, reason or t("tui.where_clearml_none"))

    def show_queues(self, queues: dict[str, int], reason: str) -> None:
        options = self.query_one("#choices", OptionList)
        options.clear_options()
        choices: list[Option | None] = [self.local_option()]
        if queues and self.state.template is None:  # the server answers: a run here can be recorded there too
            tracked = card(t("tui.where_tracked_title"), t("tui.where_tracked_help"))
            choices += [None, Option(tracked, id="tracked")]  # (a template re-run here is always recorded)
        for queue, agents in queues.items():
            choices += [
                None,
                Option(
                    card(t("tui.where_clearml_title", queue=queue), t("tui.where_clearml_help", agents=agents)),
                    id=f"queue:{queue}",
                ),
            ]
            if self.state.template is None:  # a template re-runs by clone: one task, not a pipeline
                pipeline_help = t("tui.where_pipeline_help", agents=agents)
                choices += [
                    None,
                    Option(card(t("tui.where_pipeline_title", queue=queue), pipeline_help), id=f"pipeline:{queue}"),
                ]
        if not queues:
            choices += [
                None,
                Option(card(t("tui.where_clearml_unavailable_title"), reason), id="clearml", disabled=True),
            ]
        options.add_options(choices)
        ids = [option.id for option in options.options]
        options.highlighted = ids.index(self.current()) if self.current() in ids else 0
        self.checked = True

    def current(self) -> str:
        """The choice made before, in this wizard or (remembered) in an earlier one."""
        if self.state.runs_here():
            return user_config.remembered(WHERE_TO_RUN) or self.state.where
        return f"{self.state.where}:{self.state.queue}"

    def choose(self, choice: str) -> None:
        # the option ids are local, tracked, queue:Q and pipeline:Q
        self.state.where, _, queue = choice.partition(":")
        self.state.queue = queue or None
        if self.state.runs_here():  # recorded in ClearML or not is the habit kept; a queue is chosen each time
            user_config.remember(WHERE_TO_RUN, choice)
