"""The wizard in a real terminal (tmux), with the real engine in its child process: a table it has not seen, the
built-in fast preset, Enter only, through to the Decision Summary."""

import json
import os
import re
import sys
import time
from pathlib import Path

import psutil
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
        term.wait_for("Step 1 of 5 · Your data", timeout=90)  # a first start on a busy machine
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
        term.wait_for("^q Quit")  # the footer fills in its keys a moment after the screen: all fit 80 columns
        assert term.screen().rstrip().splitlines()[-1].endswith("^q Quit")
        term.keys("C-q")
    (run_dir,) = (project / "runs").iterdir()
    assert (run_dir / "report.md").is_file() and (run_dir / "model.joblib").is_file()


def test_in_japanese_at_80_by_24_after_ctrl_l_on_the_first_screen(tmp_path):
    """The wizard started in English switches to Japanese with ctrl+l (it starts again as a new process), reads a
    cp932 table with Japanese names, and walks with Enter only to a Japanese Decision Summary whose rows and
    headline are whole at 80×24, where every Japanese character takes two cells."""
    import shutil

    from automl_tui_engine.messages import _catalogue

    ja = _catalogue("ja")
    project = tmp_path / "ペンギン"
    project.mkdir()
    shutil.copy(Path(__file__).parent.parent / "examples" / "penguins_ja.csv", project / "ペンギン調査.csv")
    command = ["env", *(f"--unset={v}" for v in os.environ if v.startswith("CLEARML_")), f"HOME={tmp_path}"]
    command += ["AUTOML_TUI_LANG=en", sys.executable, "-m", "automl_tui"]
    step = lambda n, key: ja["tui.step_title"].format(number=n, total=5, name=ja[f"tui.{key}_title"])  # noqa: E731
    with TmuxSession(command, cwd=project, width=80, height=24) as term:
        term.wait_for("Step 1 of 5 · Your data", timeout=90)  # a first start on a busy machine
        term.keys("C-l")
        term.wait_for(step(1, "dataset"), timeout=30, never="Traceback")
        term.wait_for("ペンギン調査.csv", timeout=30)
        term.wait_for("調査年", timeout=30)  # the table was read, its Japanese columns shown
        for number, key in ((2, "preset"), (3, "priority"), (4, "where"), (5, "confirm")):
            term.keys("Enter")
            term.wait_for(step(number, key), never="Traceback")
        term.keys("Enter")
        term.wait_for(" " + ja["status.ok"] + "\n", timeout=120, never="Traceback")  # a finished row, whole
        term.wait_for(ja["tui.decision_title"].split(" ·")[0] + " ·", timeout=180, never="Traceback")
        words = term.words()
        headline = ja["tui.recommended"].split("{")[0].strip()
        assert headline in words, term.screen()
        assert "Recommended" not in words and "Step " not in words  # nothing left in English
        term.keys("C-q")
    (run_dir,) = (project / "runs").iterdir()
    report = (run_dir / "report.md").read_text(encoding="utf-8")
    record = json.loads(run_dir.joinpath("run.json").read_text(encoding="utf-8"))
    assert ja["report.h_decision"] in report and record["dataset_key"].startswith("ペンギン調査-")


HELD_CHECK = """
import sys, threading
from pathlib import Path
from automl_tui.screens import dataset

def held(*args, **kwargs):  # the table's check, never done: what a table too big to check in time looks like
    Path(sys.argv[1]).touch()
    threading.Event().wait()

dataset.inspect_table = held
from automl_tui.app import run_wizard
run_wizard()
"""


def test_ctrl_q_quits_while_the_table_is_still_being_checked(tmp_path):
    """A worker that never returns (the dataset step's check, held) does not hold quitting up: before, Ctrl+Q
    waited for it (14 s for a 1M-row table; bench/quit_latency.py measures the time it takes now)."""
    project = tmp_path / "shop"
    project.mkdir()
    make_fresh_table(project, rows=50)
    script, started = tmp_path / "held.py", tmp_path / "check-started"
    script.write_text(HELD_CHECK, encoding="utf-8")
    with TmuxSession([sys.executable, str(script), str(started)], cwd=project) as term:
        term.wait_for("Step 1 of 5 · Your data", timeout=90)
        deadline = time.perf_counter() + 60
        while not started.exists():  # the check has begun and holds its thread
            assert time.perf_counter() < deadline, term.screen()
            time.sleep(0.02)
        term.keys("C-q")
        term.wait_until_ended(timeout=30)


def test_ctrl_q_during_a_run_ends_the_wizard_and_its_run(tmp_path):
    project = tmp_path / "shop"
    project.mkdir()
    make_fresh_table(project, rows=5000)
    command = ["env", *(f"--unset={v}" for v in os.environ if v.startswith("CLEARML_")), f"HOME={tmp_path}"]
    with TmuxSession([*command, sys.executable, "-m", "automl_tui"], cwd=project) as term:
        term.wait_for("usable rows", timeout=90)
        for step in ("How thorough", "What matters most", "Where to run", "Ready"):
            term.keys("Enter")
            term.wait_for(step)
        term.keys("Enter")
        term.wait_for("Training on shop_customers.csv", timeout=60)
        term.wait_for(" done\n", timeout=120)  # a model finished: the run is under way
        deadline = time.perf_counter() + 60
        while not (engine := psutil.Process(term.pid()).children(recursive=True)):  # the run's own process
            assert time.perf_counter() < deadline, "the run's child process was not found"
            time.sleep(0.02)
        term.keys("C-q")
        term.wait_until_ended(timeout=30)
        _, alive = psutil.wait_procs(engine, timeout=60)  # cancelled with the wizard, never left running unseen
        assert not alive, alive
    # cancelled, not cut off: what finished is kept and the report says the run was stopped
    (run_dir,) = (project / "runs").iterdir()
    assert json.loads((run_dir / "run.json").read_text(encoding="utf-8"))["status"] == "cancelled"
    assert (run_dir / "report.md").is_file() and (run_dir / "leaderboard.csv").is_file()
