"""The engine's types hold: mypy over engine/ under its installed name (pyproject.toml's [tool.mypy] says how), so a
None that can reach an attribute, a wrong argument or a read-only field written is found before a run meets it."""

import subprocess
import sys

from conftest import ROOT


def test_mypy_finds_no_error_in_the_engine(tmp_path):
    (tmp_path / "automl_tui_engine").symlink_to(ROOT / "engine")  # engine/ is installed as automl_tui_engine
    checked = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"), "automl_tui_engine"]
        + ["--cache-dir", str(tmp_path / "mypy_cache")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stdout[-4000:] + checked.stderr[-2000:]
