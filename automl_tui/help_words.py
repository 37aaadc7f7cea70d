"""Typer's own words around our help texts and errors (`Usage:`, `Arguments`, `Options`, `[required]`, `Show this
message and exit.`, …) in the user's language: the texts are ours, the frame was Click's English in a Japanese
--help. Typer asks gettext for most of them through `typer.core._`, which is given our catalogue; the usage line's
prefix and the help option's text are fixed strings in its vendored Click, set here by the command classes."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import typer.core
from automl_tui_engine.messages import t
from rich.cells import cell_len
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
    """Click's help layout, its text broken as the wizard breaks it (automl_tui/line_breaking.py): Click counts
    characters and breaks at spaces, so a Japanese help line ran to twice the terminal's width and lines started
    with 、 or cut a name (automl-｜tui)."""

    def write_heading(self, heading: str) -> None:
        """`Options:` with the language's own colon (Japanese writes `オプション：`)."""
        self.write(f"{'':>{self.current_indent}}{t('cli.frame_heading', heading=heading)}\n")

    def write_text(self, text: str) -> None:
        indent = " " * self.current_indent
        lines = _broken(text, self.width - self.current_indent)
        self.write("".join(f"{indent}{line}\n" if line else "\n" for line in lines))

    def write_dl(self, rows: Sequence[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
        """Each option (or command) and its help beside it, the help broken to the columns left."""
        rows = list(rows)
        first_col = min(max((cell_len(first) for first, _ in rows), default=0), col_max) + col_spacing
        indent = " " * self.current_indent
        for first, second in rows:
            self.write(f"{indent}{first}")
            lines = _broken(second, max(self.width - first_col - self.current_indent, 10)) if second else []
            if not lines:
                self.write("\n")
                continue
            if cell_len(first) <= first_col - col_spacing:
                self.write(" " * (first_col - cell_len(first)))
            else:  # a long option: its help starts on the next line
                self.write("\n" + " " * (first_col + self.current_indent))
            self.write(f"{lines[0]}\n")
            self.write("".join(f"{' ' * (first_col + self.current_indent)}{line}\n" for line in lines[1:]))


def _broken(text: str, width: int) -> list[str]:
    """`text`'s lines `width` cells wide; its paragraphs (a blank line apart) kept apart by an empty line. A
    paragraph marked with Click's \\b keeps its lines (a list): a line too long for the width goes on under its
    second column (`  automl-tui evaluate  Score…`)."""
    lines: list[str] = []
    for paragraph in text.split("\n\n"):
        if lines:
            lines.append("")
        if paragraph.startswith("\b\n"):
            for line in paragraph.split("\n")[1:]:
                head = re.match(r"\s*\S.*?\s{2,}", line)
                hang = cell_len(head.group(0)) if head and cell_len(head.group(0)) < width // 2 else 0
                parts = _lines(line[len(head.group(0)) :] if hang and head else line, width - hang)
                lines += [(line[:hang] if index == 0 else " " * hang) + part for index, part in enumerate(parts)]
        else:
            lines += _lines(" ".join(paragraph.split()), width)
    return lines


def _lines(text: str, width: int) -> list[str]:
    from automl_tui.line_breaking import line_spans

    return [text[start:end].strip() for start, end in line_spans(text, width)] or [""]


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
