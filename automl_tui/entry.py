"""The console script. A person at a terminal with no arguments gets the wizard at once (typer's import
is skipped: start-up counts there); everything else goes through the command line in cli.py."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args and sys.stdin.isatty() and sys.stdout.isatty():
        from automl_tui.app import AutomlApp

        AutomlApp().run()
        return
    from automl_tui.cli import main as cli_main

    cli_main(args)
