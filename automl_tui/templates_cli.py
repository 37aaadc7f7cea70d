"""`automl-tui template save|list`: a run's settings and table kept in ClearML under a name, to re-run by clone
(`automl-tui --clone TASK_ID`, or a preset with `[clearml] execution_mode = "clone"` and `template = NAME`)."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from automl_tui_engine.messages import listing, t
from automl_tui_engine.naming import DEFAULT_PRESET

from automl_tui.exits import refuse
from automl_tui.terminal import say

template_app = typer.Typer(
    add_completion=False, rich_markup_mode=None, no_args_is_help=True, help=t("cli.help_template")
)


@template_app.command("save", help=t("cli.help_template_save"))
def save_command(
    name: Annotated[str, typer.Argument(help=t("cli.help_template_name"))],
    data: Annotated[Path, typer.Argument(help=t("cli.help_data"))],
    preset: Annotated[str, typer.Option(help=t("cli.help_preset"), show_default=False)] = DEFAULT_PRESET,
    target: Annotated[str | None, typer.Option(help=t("cli.help_target"))] = None,
    priority: Annotated[str | None, typer.Option(help=t("cli.help_priority"))] = None,
    time_budget: Annotated[float | None, typer.Option("--time-budget", help=t("cli.help_time_budget"))] = None,
) -> None:
    from automl_tui_engine import config as config_mod
    from automl_tui_engine.clearml import templates
    from automl_tui_engine.errors import UserError

    overrides = {"data": data, "target": target, "priority": priority, "time_budget_s": time_budget}
    try:
        saved = templates.save(config_mod.build(preset, overrides), name)
    except UserError as exc:
        raise refuse(exc) from None
    say(t("template.saved", name=saved.template.name, task_id=saved.template.task_id))
    if saved.replaced:
        say(t("template.replaced", name=saved.template.name, task_ids=listing(saved.replaced)))
    if saved.link:
        say(t("remote.link", link=saved.link))


@template_app.command("list", help=t("cli.help_template_list"))
def list_command() -> None:
    from automl_tui_engine.clearml import templates
    from automl_tui_engine.errors import UserError

    try:
        found = templates.saved()
    except UserError as exc:
        raise refuse(exc) from None
    if not found:
        say(t("template.none"))
        return
    for template in found:
        say(t("template.line", **asdict(template)))  # its name, table, when it was saved and its task
