"""The wizard in a real terminal (tmux), with the real engine in its child process: a table it has not seen, the
built-in fast preset, Enter only, through to the Decision Summary."""

import os
import re
import sys

import pytest
from tmux_session import TmuxSession
from wizard_support import make_fresh_table

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        __import__("shutil").which("tmux") is None, reason="tmux is not installed (.ci/run installs it)"
    ),
]


def test_enter_only_reaches_the_decision_summary_at_80_by_24(tmp_path):
    project = tmp_path / "shop"
    project.mkdir()
    make_fresh_table(project, rows=300)
    # a home of its own and no CLEARML_* variables: ClearML is not set up here, whatever the machine has
    command = ["env", *(f"--unset={v}" for v in os.environ if v.startswith("CLEARML_")), f"HOME={tmp_path}"]
    command += [sys.executable, "-m", "automl_tui"]
    with TmuxSession(command, cwd=project, width=80, height=24) as term:
        term.wait_for("Step 1 of 5 · Your data", timeout=30)
        term.wait_for("usable rows", timeout=30)  # the preselected table was read and checked
        assert "shop_customers.csv" in term.words()
        term.keys("Enter")
        term.wait_for("Step 2 of 5 · How thorough")
        term.keys("Enter")  # the highlighted preset: the built-in fast one
        term.wait_for("Step 3 of 5 · What matters most")
        term.keys("Enter")
        term.wait_for("Step 4 of 5 · Where to run")
        term.wait_for("ClearML is not set up")  # looked up in the background; this machine stays the choice
        term.keys("Enter")
        term.wait_for("Step 5 of 5 · Ready")
        assert "automl-tui --preset fast shop_customers.csv --target returns" in term.words()
        term.keys("Enter")
        term.wait_for("Training on shop_customers.csv")
        term.wait_for(" done\n", timeout=120)  # a model finished (status is the last column: its row, whole)
        rows = [re.split(r"\s{2,}", line.strip())[0] for line in term.screen().splitlines() if line.endswith(" done")]
        assert rows and len(rows) == len(set(rows))
        term.wait_for("Decision Summary ·", timeout=180, never="Traceback")
        words = term.words()
        assert "Recommended: " in words and "Full report: runs/" in words
        term.keys("C-q")
    (run_dir,) = (project / "runs").iterdir()
    assert (run_dir / "report.md").is_file() and (run_dir / "model.joblib").is_file()
