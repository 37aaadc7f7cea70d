"""A ClearML server that cannot be used is said in one line within seconds, before any work, with what to do; and the
credentials never appear in what automl-tui prints."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from clearml_server import ClearMLTestServer

pytestmark = pytest.mark.slow  # real runs, agents or servers: the full tier (see conftest)

PENGUINS = Path(__file__).parents[1] / "examples" / "penguins.csv"


def run_cli(tmp_path: Path, env: dict[str, str], *args: str) -> tuple[subprocess.CompletedProcess, float]:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    clean = {key: value for key, value in os.environ.items() if not key.startswith(("CLEARML_", "TRAINS_"))}
    # refused within seconds, not after minutes of retries: a hang fails here (no wall-clock figure asserted)
    return subprocess.run(
        [sys.executable, "-m", "automl_tui", PENGUINS, "--out", tmp_path / "runs", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**clean, "HOME": str(home), **env},
    )


def server_at(port: int) -> dict[str, str]:
    return {
        "CLEARML_API_HOST": f"http://127.0.0.1:{port}",
        "CLEARML_API_ACCESS_KEY": "ak",
        "CLEARML_API_SECRET_KEY": "sk",
    }


def assert_refused(done, words):
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and all(word in lines[0] for word in words), done.stderr


def test_a_server_that_refuses_connections(tmp_path):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    done = run_cli(tmp_path, server_at(port), "--clearml")
    assert_refused(done, ["cannot be reached", "run here without ClearML"])
    assert not (tmp_path / "runs").exists()  # nothing started


def test_a_server_that_never_answers(tmp_path):
    with socket.socket() as silent:  # accepts connections (the kernel's backlog) and never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        done = run_cli(tmp_path, server_at(silent.getsockname()[1]), "--clearml")
    assert_refused(done, ["cannot be reached", "timed out"])


def test_wrong_credentials_are_named_without_showing_them(tmp_path):
    server = ClearMLTestServer(access_key="right-access", secret_key="right-secret-value").start()
    try:
        env = {**server.env(), "CLEARML_API_SECRET_KEY": "wrong-secret-value"}
        done = run_cli(tmp_path, env, "--clearml")
    finally:
        server.stop()
    assert_refused(done, ["refused the credentials", "clearml-init"])
    assert "wrong-secret-value" not in done.stderr + done.stdout
    assert [endpoint for endpoint, _ in server.calls] == ["auth.login"]


def test_no_server_configured_says_how_to_set_one_up(tmp_path):
    done = run_cli(tmp_path, {}, "--clearml")
    assert_refused(done, ["ClearML is not set up", "clearml-init", "CLEARML_OFFLINE_MODE=1"])


def test_a_preset_can_turn_clearml_on(tmp_path):
    preset = tmp_path / "tracked.toml"
    preset.write_text("[clearml]\nenabled = true\n", encoding="utf-8")
    done = run_cli(tmp_path, {}, "--preset", str(preset))
    assert_refused(done, ["ClearML is not set up"])


def test_the_flag_turns_tracking_on_and_keeps_the_presets_other_clearml_settings(tmp_path):
    from automl_tui_engine import config

    preset = tmp_path / "team.toml"
    preset.write_text('[clearml]\nproject = "team-models"\n', encoding="utf-8")
    assert config.build(str(preset), {"data": PENGUINS}).clearml.enabled is False
    flagged = config.build(str(preset), {"data": PENGUINS, "clearml": {"enabled": True}})
    assert (flagged.clearml.enabled, flagged.clearml.project) == (True, "team-models")
