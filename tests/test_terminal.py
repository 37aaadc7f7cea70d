"""The wizard in a real terminal (tmux), with the real engine in its child process, through to the decision."""

import os
import sys

import pytest
from tmux_session import TmuxSession
from wizard_support import make_project

pytestmark = pytest.mark.skipif(
    __import__("shutil").which("tmux") is None, reason="tmux is not installed (.ci/run installs it)"
)


def test_wizard_in_a_real_terminal_at_80_by_24(tmp_path):
    project = make_project(tmp_path)
    # a home of its own and no CLEARML_* variables: ClearML is not set up here, whatever the machine has
    command = ["env", *(f"--unset={v}" for v in os.environ if v.startswith("CLEARML_")), f"HOME={tmp_path}"]
    command += [sys.executable, "-m", "automl_tui"]
    with TmuxSession(command, cwd=project, width=80, height=24) as term:
        term.wait_for("Step 1 of 5 · Your data", timeout=30)
        term.wait_for("usable rows", timeout=30)  # the preselected table was read and checked
        assert "Predicting sex" in term.words() and "penguins.csv" in term.words()
        term.keys("Enter")
        term.wait_for("Step 2 of 5 · How thorough")
        assert "presets/quick.toml" in term.screen() and "about" in term.screen()
        term.keys("Up", "Enter")  # from fast (highlighted) up to the quick preset file
        term.wait_for("Step 3 of 5 · What matters most")
        term.keys("Enter")
        term.wait_for("Step 4 of 5 · Where to run")
        term.wait_for("ClearML is not set up")  # looked up in the background; this machine stays the choice
        term.keys("Enter")
        term.wait_for("Step 5 of 5 · Ready")
        command = "automl-tui --preset presets/quick.toml penguins.csv --target sex --priority balanced --out runs"
        assert command in term.words()
        term.keys("Enter")
        term.wait_for("Training on penguins.csv")
        term.wait_for("Decision Summary ·", timeout=120)
        words = term.words()
        assert "Recommended: " in words and "Full report: runs/" in words
        term.keys("C-q")
    (run_dir,) = (project / "runs").iterdir()
    assert (run_dir / "report.md").is_file() and (run_dir / "model.joblib").is_file()
