"""`automl-tui --help` names every command the app has, in every language: the list is read from the app, and this
test reads the app on its own to check it."""

import os
import subprocess
import sys

import pytest
from rich.cells import cell_len

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


ENGLISH_FRAME = (
    "Usage:",
    "Arguments:",
    "Options:",
    "Commands:",
    "Show this message",
    "[required]",
    "[OPTIONS]",
    "default:",
)


def test_japanese_help_has_no_english_frame_words():
    """The help's frame (Typer's words around ours) is in Japanese too, for every command, in one process: the
    words are looked up as each help is shown."""
    script = (
        "import sys\n"
        "from automl_tui.entry import main\n"
        "for command in sys.argv[1:]:\n"
        "    try:\n"
        "        main(['--lang', 'ja', *command.split(), '--help'])\n"
        "    except SystemExit:\n"
        "        pass\n"
    )
    commands = ["", *sorted(every_command())]
    env = {**os.environ, "COLUMNS": "80"}
    shown = subprocess.run([sys.executable, "-c", script, *commands], capture_output=True, text=True, env=env).stdout
    assert shown.count("使い方：automl-tui") == len(commands), shown[:2000]
    left = [word for word in ENGLISH_FRAME if word in shown]
    assert not left, left
    assert "このヘルプを表示して終了します。" in shown and "オプション：" in shown
    # broken as the wizard breaks Japanese: within the terminal's 80 cells, no line starting with 、 or 。, no name cut
    lines = shown.splitlines()
    assert max(cell_len(line) for line in lines) <= 80, max(lines, key=cell_len)
    assert not [line for line in lines if line.strip()[:1] in tuple("、。）」")], "a line starts with punctuation"
    assert not [line for line in lines if line != line.rstrip()], "a line ends with spaces"
    assert not [line for line in lines if line.rstrip().endswith(("automl-", "inputs_o"))], "a name is cut"


def test_a_mistyped_command_is_named_with_the_one_meant(capsys):
    from automl_tui.entry import main

    with pytest.raises(SystemExit) as ended:
        main(["prdict", "runs/20261206-000000-abcdef", "new.csv"])
    said = capsys.readouterr().err
    assert ended.value.code == 2 and "no command 'prdict' (did you mean 'predict'?)" in said, said
