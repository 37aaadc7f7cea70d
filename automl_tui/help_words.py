"""Typer's own words around our help texts and errors (`Usage:`, `Arguments`, `Options`, `[required]`, `Show this
message and exit.`, …) in the user's language: the texts are ours, the frame was Click's English in a Japanese
--help. Typer asks gettext for most of them through `typer.core._`, which is given our catalogue; the usage line's
prefix and the help option's text are fixed strings in its vendored Click, set here by the command classes."""

from __future__ import annotations

from typing import Any

import typer.core
from automl_tui_engine.messages import t
from typer._click.formatting import HelpFormatter  # Typer's own copy of Click: its formatter

# the phrases typer.core asks gettext for, and their catalogue keys
GETTEXT_KEYS = {
    "Arguments": "cli.frame_arguments",
    "Options": "cli.frame_options",
    "Commands": "cli.frame_commands",
    "required": "cli.frame_required",
    "default: {default}": "cli.frame_default",
    "Aborted!": "cli.frame_aborted",
}


def spoken(phrase: str) -> str:
    """`phrase` (one of Typer's) in the user's language; a phrase we have no words for stays as it is."""
    key = GETTEXT_KEYS.get(phrase)
    return t(key) if key else phrase


class SpokenFormatter(HelpFormatter):
    def write_heading(self, heading: str) -> None:
        """`Options:` with the language's own colon (Japanese writes `オプション：`)."""
        self.write(f"{'':>{self.current_indent}}{t('cli.frame_heading', heading=heading)}\n")


class SpokenContext(typer.Context):
    formatter_class = SpokenFormatter


class _Spoken:
    """The usage line's prefix, its options' placeholder and the help option's words, for a command and a group
    alike."""

    context_class = SpokenContext

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        self.options_metavar = t("cli.frame_options_metavar")
        return super().collect_usage_pieces(ctx)  # type: ignore[misc, no-any-return]

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        formatter.write_usage(ctx.command_path, " ".join(self.collect_usage_pieces(ctx)), t("cli.frame_usage"))  # type: ignore[attr-defined]

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = t("cli.frame_help")
        return option


class SpokenCommand(_Spoken, typer.core.TyperCommand):
    pass


class SpokenGroup(_Spoken, typer.core.TyperGroup):
    pass


def speak(*apps: typer.Typer) -> None:
    """Every command of `apps` framed in the user's words (called once, when the command line is built)."""
    typer.core._ = spoken  # type: ignore[attr-defined]
    for app in apps:
        app.info.cls = SpokenGroup
        for command in app.registered_commands:
            command.cls = SpokenCommand
