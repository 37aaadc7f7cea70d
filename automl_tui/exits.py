"""How a command ends when it cannot go on: one line on stderr and an exit code (engine/exit_codes.py), never a
traceback."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer
from automl_tui_engine import exit_codes
from automl_tui_engine.messages import t

from automl_tui.terminal import say


def fail(message: str, code: int) -> typer.Exit:
    say(message, err=True)
    return typer.Exit(code)


def refuse(exc: Any) -> typer.Exit:
    """A UserError's one line, and its exit code (bad input, or something on the server that went away)."""
    return fail(str(exc), exc.exit_code)


def on_run_folder(action: Callable[[], Any], run_dir: Path) -> Any:
    """`action()`'s result; a run folder that cannot be used, or whose files hold what no run writes (edited, or
    damaged), is one line and exit 2."""
    from automl_tui_engine.errors import DAMAGED_FOLDER, UserError, one_line

    try:
        return action()
    except UserError as exc:
        raise refuse(exc) from None
    except DAMAGED_FOLDER as exc:
        raise fail(t("report.unreadable_folder", path=run_dir, reason=one_line(exc)), exit_codes.BAD_INPUT) from None
    except OSError as exc:  # a full disk or a read-only place: nothing half-written is left (rundir.write_atomic)
        raise fail(cannot_write(run_dir, exc), exit_codes.NOT_FINISHED) from None


def cannot_write(where: Path, exc: OSError) -> str:
    return t("cli.could_not_save", folder=where, reason=exc.strerror or exc, file=exc.filename or "-")
