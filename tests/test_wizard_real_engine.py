"""The wizard as a person drives it, with the real engine in its child process (the wizard's own runner): the
built-in presets unchanged, and a preset that makes every status a run can record happen for sure. Each run goes
to its Decision Summary with no crash, and the live leaderboard shows every model's name whole, once."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
import tomli_w
from automl_tui_engine import events as ev
from test_wizard import SIZE, choose_option, dataset_ready, on_step, until
from wizard_support import (
    STRESS_PRESET,
    isolate_stress_plugin,
    make_fresh_table,
    no_clearml,
    screen_lines,
    summary_shown,
)

from automl_tui.app import AutomlApp
from automl_tui.screens.choice import PresetScreen, PriorityScreen, WhereScreen
from automl_tui.screens.confirm import ConfirmScreen
from automl_tui.screens.run import RunScreen
from automl_tui.widgets.leaderboard import Leaderboard

pytestmark = pytest.mark.slow  # real runs, agents or servers: the full tier (see conftest)

RUN_TIMEOUT_S = 300  # a 2-minute preset on a machine that is busy with other work
MISSING_WORD = re.compile(r"\b(?:status|tui|report|run|cli)\.[a-z_]+\b")  # a message key shown instead of words


@pytest.fixture
def project(tmp_path, monkeypatch):
    folder = tmp_path / "shop"
    folder.mkdir()
    make_fresh_table(folder, rows=300)  # small: the balanced preset's search ends by patience in well under 2 min
    monkeypatch.chdir(folder)
    return folder


async def run_to_the_decision(pilot, app, preset: str) -> tuple[Leaderboard, list[str]]:
    """From the first step to the Decision Summary, choosing `preset` and pressing Enter for everything else;
    returns the live leaderboard and its rows on the run screen as last seen."""
    await dataset_ready(pilot, app)
    await pilot.press("enter")
    await until(pilot, on_step(app, PresetScreen))
    await choose_option(pilot, preset)
    for step in (PriorityScreen, WhereScreen, ConfirmScreen):
        await until(pilot, on_step(app, step))
        await pilot.press("enter")
    await until(pilot, lambda: isinstance(app.screen, RunScreen))
    board = app.screen.query_one(Leaderboard)
    seen: list[str] = []
    last_look = [0.0]

    def look_then_check() -> bool:
        """The run screen as a person sees it, every half second, until the Decision Summary replaces it."""
        if isinstance(app.screen, RunScreen) and board.scores and time.monotonic() - last_look[0] > 0.5:
            last_look[0] = time.monotonic()
            top, height = board.region.y, board.region.height
            seen[:] = screen_lines(app)[top + 1 : top + height]  # under the header row
        return summary_shown(app)

    await until(pilot, look_then_check, timeout=RUN_TIMEOUT_S)
    return board, seen


def assert_names_whole_and_once(board: Leaderboard, rows_seen: list[str]) -> None:
    names = [row_key.value for row_key in board.rows]
    assert len(names) == len(set(names)) and board.scores  # one row per candidate, and models finished
    shown = [line.strip() for line in rows_seen]
    for name in names:
        on_screen = [line for line in shown if line.startswith(f"{name}  ")]
        assert len(on_screen) <= 1, f"{name} is on {len(on_screen)} rows"
    visible = [name for name in names if any(line.startswith(f"{name}  ") for line in shown)]
    assert visible, "no leaderboard row shows a whole model name:\n" + "\n".join(rows_seen)
    assert not MISSING_WORD.search("\n".join(rows_seen)), "\n".join(rows_seen)


def assert_decision_summary(app) -> None:
    decision = app.screen
    headline = str(decision.query_one("#headline").render())
    assert "Recommended: " in headline
    (run_dir,) = Path("runs").iterdir()
    assert (run_dir / "report.md").is_file() and (run_dir / "model.joblib").is_file()


# the fast preset walks the same way in a real terminal (test_terminal.py): once is enough for the suite's time
@pytest.mark.parametrize("preset", ["balanced"])
async def test_a_built_in_preset_runs_the_real_engine_to_the_decision_summary(project, preset):
    app = AutomlApp(start_dir=project, out=Path("runs"), clearml_queues=no_clearml)
    async with app.run_test(size=SIZE) as pilot:
        board, screen = await run_to_the_decision(pilot, app, preset)
        await until(pilot, lambda: app.screen.query("#headline"))
        assert_names_whole_and_once(board, screen)
        assert_decision_summary(app)


async def test_every_status_a_run_records_reaches_the_live_leaderboard_in_words(project, monkeypatch):
    isolate_stress_plugin(monkeypatch)
    (project / "presets").mkdir()
    (project / "presets" / "stress.toml").write_text(tomli_w.dumps(STRESS_PRESET), encoding="utf-8")
    app = AutomlApp(start_dir=project, out=Path("runs"), clearml_queues=no_clearml)
    async with app.run_test(size=SIZE) as pilot:
        board, screen = await run_to_the_decision(pilot, app, "presets/stress.toml")
        await until(pilot, lambda: app.screen.query("#headline"))
        assert_names_whole_and_once(board, screen)
        statuses = {str(board.get_cell(row_key, "status")) for row_key in board.rows}
        for status in ("ok", "failed", "skipped", "stopped", "pruned"):
            assert ev.status_word(status) in statuses
        assert_decision_summary(app)
        headline = str(app.screen.query_one("#headline").render())
        assert headline.startswith("Only 2 of the 5 model kinds could be compared (linear, stress_tree)")
