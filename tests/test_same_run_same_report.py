"""A refactoring of the engine must not change what a run produces: the same `--max-trials` run, timed by a seeded
timer, gives the same leaderboard and the same report text as the run stored in tests/data/reference_run/ (made
before the engine-contract redesign), on any machine: numbers are compared as numbers (numbers_close.py). When a
change is meant to alter them, run `UPDATE_REFERENCE_RUN=1 pytest tests/test_same_run_same_report.py`, and say why
in the commit."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from conftest import PENGUINS
from numbers_close import NUMBER, differences
from wizard_support import timed_run

REFERENCE = Path(__file__).parent / "data" / "reference_run"
RUN_ID = "20261129-000000-reference"


def reference_run(out: Path) -> Path:
    values = {
        "data": PENGUINS,
        "target": "sex",
        "out": out,
        "models": ["linear", "hist_gb", "random_forest"],
        "cv_folds": 3,
        "latency_repeats": 2,
        "max_trials": 6,
        "charts": "html",  # PNGs depend on a browser being installed
    }
    return timed_run(RUN_ID, values)


def comparable(report: str, run_dir: Path) -> str:
    """The report without what differs between machines: folders, the library versions line, the free cores, the
    time line."""
    text = report.replace(str(run_dir), "<RUN_DIR>").replace(str(run_dir.parent), "<OUT>")
    text = text.replace(str(PENGUINS.resolve()), "<DATA>")
    text = re.sub(r"^python \d.*$", "<VERSIONS>", text, flags=re.MULTILINE)
    # how many cores were free, and how long each part of the run took, depend on what else the machine was doing
    text = re.sub(r"Where the time went \(.*", "<TIME LINE>", text)
    return re.sub(r"fits used \d+ thread\(s\).*?\(\d+ on this machine\)", "<THREADS>", text)


@pytest.mark.slow  # a real run of the engine: the full tier (see conftest)
def test_the_same_run_gives_the_same_leaderboard_and_report(tmp_path):
    run_dir = reference_run(tmp_path / "runs")
    leaderboard = (run_dir / "leaderboard.csv").read_text(encoding="utf-8")
    report = comparable((run_dir / "report.md").read_text(encoding="utf-8"), run_dir)
    if os.environ.get("UPDATE_REFERENCE_RUN"):
        REFERENCE.mkdir(parents=True, exist_ok=True)
        (REFERENCE / "leaderboard.csv").write_text(leaderboard, encoding="utf-8")
        (REFERENCE / "report.md").write_text(report, encoding="utf-8")
    for name, made in (("leaderboard.csv", leaderboard), ("report.md", report)):
        found = differences(made, (REFERENCE / name).read_text(encoding="utf-8"))
        assert not found, f"{name} differs from the reference run's:\n" + "\n".join(found)


@pytest.mark.parametrize("name", ["leaderboard.csv", "report.md"])
def test_numbers_off_in_their_last_digits_are_the_same_numbers(name):
    """What another machine's rounding does: every number of the reference moved by a millionth of a millionth."""
    stored = (REFERENCE / name).read_text(encoding="utf-8")
    perturbed = NUMBER.sub(lambda m: repr(float(m.group()) * (1 + 1e-12)), stored)
    assert perturbed != stored and not differences(perturbed, stored)


def test_a_changed_figure_of_the_report_is_a_difference():
    stored = (REFERENCE / "report.md").read_text(encoding="utf-8")
    shown = re.search(r"accuracy = (0\.\d{3})", stored).group(1)  # the test score the Decision Summary shows
    changed = stored.replace(f"accuracy = {shown}", f"accuracy = {float(shown) + 0.001:.3f}", 1)
    assert changed != stored and differences(changed, stored)


def test_a_changed_score_of_the_leaderboard_is_a_difference():
    stored = (REFERENCE / "leaderboard.csv").read_text(encoding="utf-8")
    score = re.search(r"\n1,[^,]+,(0\.\d+),", stored).group(1)  # the best model's mean accuracy
    changed = stored.replace(score, repr(float(score) * (1 + 1e-6)), 1)
    assert changed != stored and differences(changed, stored)
