"""What the command line prints goes through `say`: run ids, column names, class labels and cells come from files
other people made, and a terminal acts on the escape sequences they may hold (retitling it, clearing the screen,
swallowing what follows). Control characters are written out as codes (formatting.without_controls)."""

from __future__ import annotations

from typing import Any

import typer
from automl_tui_engine.formatting import without_controls


def say(text: Any = "", err: bool = False) -> None:
    typer.echo(without_controls(str(text)), err=err)
