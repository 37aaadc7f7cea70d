"""What the command line prints goes through `say` (or `print_table`): run ids, column names, class labels and cells
come from files other people made, and a terminal acts on the escape sequences they may hold (retitling it, clearing
the screen, swallowing what follows). Control characters are written out as codes (formatting.without_controls)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer
from automl_tui_engine.formatting import without_controls

if TYPE_CHECKING:  # rich's tables load with the commands that print one
    from rich.table import Table


def say(text: Any = "", err: bool = False) -> None:
    typer.echo(without_controls(str(text)), err=err)


def print_table(table: Table) -> None:
    """A table whose columns line up by screen cells (a Japanese character takes two), its cells already passed
    through without_controls: fitted to a terminal's width; piped or captured, whole rows, one line each, for
    whoever reads them. Cells are shown as written: no markup, no :emoji: codes, no highlighting."""
    from rich.console import Console

    console = Console(markup=False, emoji=False, highlight=False)
    if not console.is_terminal:
        console.width = 1000
    console.print(table)
