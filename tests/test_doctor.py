"""`automl-tui doctor` says in plain words what works on this machine and what to install for the rest; the same
facts decide what a run draws. Each case is made here, whatever the machine running the tests has: a browser path
that leads nowhere, a font configuration with no fonts, a home with no ClearML configuration."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

NO_FONTS = '<?xml version="1.0"?><fontconfig></fontconfig>'


def doctor(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    clean = {key: value for key, value in os.environ.items() if not key.startswith(("CLEARML_", "TRAINS_"))}
    return subprocess.run(
        [sys.executable, "-m", "automl_tui", *args, "doctor"],
        capture_output=True,
        text=True,
        timeout=60,  # a hang fails here (no wall-clock figure asserted)
        env={**clean, "HOME": str(home), **env},
    )


def bare_machine(tmp_path: Path) -> dict[str, str]:
    """No browser and no font: a fresh machine, as far as drawing PNGs goes."""
    fonts = tmp_path / "fonts.conf"
    fonts.write_text(NO_FONTS, encoding="utf-8")
    return {"BROWSER_PATH": str(tmp_path / "no-such-chrome"), "FONTCONFIG_FILE": str(fonts)}


def line_about(done: subprocess.CompletedProcess, topic: str) -> str:
    """The finding's line: its mark, then the topic."""
    (line,) = [line for line in done.stdout.splitlines() if line.strip()[2:].startswith(topic)]
    return line


def test_a_bare_machine_is_told_everything_it_lacks_and_the_one_command_that_installs_it(tmp_path):
    done = doctor(tmp_path, **bare_machine(tmp_path))
    assert done.returncode == 0 and not done.stderr, done.stderr
    assert line_about(done, "PNG charts:").lstrip().startswith("✗") and "no Chrome or Chromium" in done.stdout
    assert line_about(done, "Japanese text in PNG charts").lstrip().startswith("✗")
    assert "not set up" in line_about(done, "ClearML") and "clearml-init" in done.stdout
    assert "Cores: " in done.stdout and "scikit-learn " in line_about(done, "Versions")
    assert done.stdout.strip().splitlines()[-1].endswith("apt-get install chromium fonts-noto-cjk")


def test_in_japanese_too(tmp_path):
    done = doctor(tmp_path, "--lang", "ja", **bare_machine(tmp_path))
    assert done.returncode == 0, done.stderr
    assert "Chrome または Chromium がありません" in done.stdout and "日本語フォントがありません" in done.stdout
    assert "ClearML：設定されていません" in done.stdout
    assert done.stdout.strip().splitlines()[-1].endswith("apt-get install chromium fonts-noto-cjk")


def test_a_machine_with_a_browser_is_told_which_one_draws(tmp_path):
    browser = Path(sys.executable).resolve()  # any executable file: what kaleido would start, found, not started
    done = doctor(tmp_path, BROWSER_PATH=str(browser))
    assert f"✓ PNG charts: drawn by {browser}" in done.stdout


@pytest.mark.slow  # a server: the full tier (see conftest)
def test_a_server_that_answers_is_named_with_its_queues_and_their_agents(tmp_path):
    from clearml_server import ClearMLTestServer

    server = ClearMLTestServer().start()
    try:
        server.queue("gpu")
        server.workers__register({"worker": "agent-1", "queues": [server.queue("default")["id"]]})
        done = doctor(tmp_path, **server.env())
    finally:
        server.stop()
    said = line_about(done, "ClearML")
    assert said.lstrip().startswith("✓") and server.url in said
    assert "default (1)" in said and "gpu (0)" in said


@pytest.mark.slow
def test_a_server_that_never_answers_is_said_in_seconds(tmp_path):
    with socket.socket() as silent:  # accepts connections (the kernel's backlog) and never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        host = f"http://127.0.0.1:{silent.getsockname()[1]}"
        done = doctor(tmp_path, CLEARML_API_HOST=host, CLEARML_API_ACCESS_KEY="ak", CLEARML_API_SECRET_KEY="sk")
    said = line_about(done, "ClearML")
    assert done.returncode == 0 and said.lstrip().startswith("✗") and "cannot be reached" in said
