"""The console script. A person at a terminal with no arguments gets the wizard at once (typer's import
is skipped: start-up counts there); everything else goes through the command line in cli.py.

`--lang ja|en` may stand anywhere on the line, for every command and the wizard: it is taken here, before any
words are made (the commands' help texts are made when cli.py is imported)."""

from __future__ import annotations

import sys
import time

LANG_OPTION = "--lang"


def main(argv: list[str] | None = None) -> None:
    # when the user asked for the command, before its imports: a run's budget counts from here. Not the process's
    # start in /proc, which a wrapper's `exec` keeps: after `(python3 -m venv .venv && pip install . && exec ...)` a
    # run began 37 s into its 30 s budget and skipped every model
    launched_at = time.time()
    from automl_tui_engine.child_python import keep_working_folder_off_path

    keep_working_folder_off_path()
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        args, lang = _take_language(args)
    except ValueError as exc:
        from automl_tui_engine import exit_codes

        print(exc, file=sys.stderr)
        sys.exit(exit_codes.BAD_INPUT)
    if not args and sys.stdin.isatty() and sys.stdout.isatty():
        from automl_tui.app import run_wizard

        run_wizard()
        return
    from automl_tui.cli import main as cli_main

    try:
        # the console script's own command: its start-up counts in a run's budget (called with `argv`, as tests
        # do in their long-lived process, it does not)
        cli_main(args, lang, launched_at if argv is None else None)
    except SystemExit as exc:
        from automl_tui_engine import exit_codes

        if exc.code == exit_codes.TERMINATED:  # SIGTERM means "stop now" (Ctrl+C keeps the usual ending)
            _end_now(exc.code)
        raise


def _end_now(code: int) -> None:
    """A command stopped by SIGTERM has written what it made and said so: the process ends here, without the
    interpreter's teardown, where threads of native libraries still stopping (LightGBM's, the ClearML SDK's) once
    crashed a run stopped by SIGTERM on a busy machine (exit -11, not 143)."""
    import os

    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _take_language(args: list[str]) -> tuple[list[str], str | None]:
    """`args` without `--lang X` / `--lang=X`, and that language, now chosen (messages.choose_language)."""
    from automl_tui_engine.messages import choose_language, t

    rest, chosen = [], None
    words = iter(args)
    for word in words:
        if word == LANG_OPTION:
            chosen = next(words, None)
            if chosen is None:
                raise ValueError(t("cli.lang_needs_value"))
        elif word.startswith(LANG_OPTION + "="):
            chosen = word.partition("=")[2]
        else:
            rest.append(word)
    if chosen is not None:
        choose_language(chosen)
    return rest, chosen
