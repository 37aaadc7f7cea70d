"""`automl-tui --help` names every command the app has, in every language: the list is read from the app, and this
test reads the app on its own to check it."""

import os
import subprocess
import sys

import pytest

from automl_tui.cli import app


def every_command() -> set[str]:
    names = {info.name for info in app.registered_commands} - {"run"}  # --help is run's own help
    for group in app.registered_groups:
        names |= {f"{group.name} {info.name}" for info in group.typer_instance.registered_commands}
    return names


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_help_names_every_command(lang):
    shown = subprocess.run(
        [sys.executable, "-m", "automl_tui", "--lang", lang, "--help"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "COLUMNS": "100"},
    ).stdout
    commands = every_command()
    assert {"whatif", "optimize", "template save", "template list"} <= commands
    for command in commands:
        words = ["automl-tui", *command.split()]
        (line,) = [line for line in shown.splitlines() if line.split()[: len(words)] == words]
        assert len(line.split()) > len(words), f"no words say what {command!r} does"
