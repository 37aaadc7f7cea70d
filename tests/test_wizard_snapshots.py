"""SVG snapshots of every wizard screen at 100×30, with a replayed engine and a fake clock so they are stable; in
Japanese, with a Japanese table, at 80×24 and 100×30 too (wide characters must not break columns or clip titles).
Every line of prose shown breaks well: none starts with closing punctuation or a small kana, none ends with an
opening bracket, and no name (an identifier, a path, a command) is cut across two lines.

A failing snapshot writes `tests/snapshots/<name>.actual.svg` beside the expected one: open both in a
browser. When the change is intended, run `UPDATE_SNAPSHOTS=1 pytest tests/test_wizard_snapshots.py`.
"""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from itertools import pairwise
from pathlib import Path

import pytest
from conftest import ROOT, TEST_LANGUAGE
from test_wizard import SIZE, choose_option, dataset_ready, on_step, until
from textual.geometry import Region
from textual.widgets import Footer, ProgressBar
from textual.widgets._footer import FooterKey
from wizard_support import FakeClock, ReplayRunner, here, make_project, summary_shown, two_queues

from automl_tui.app import AutomlApp
from automl_tui.screens.choice import PresetScreen, PriorityScreen, WhereScreen
from automl_tui.screens.confirm import ConfirmScreen
from automl_tui.screens.recent import RecentRunsScreen
from automl_tui.screens.run import RunScreen
from automl_tui.widgets.leaderboard import Leaderboard
from automl_tui.widgets.pareto_chart import ParetoChart
from automl_tui.widgets.plain import OptionList, RichLog, Static

pytestmark = pytest.mark.slow  # real runs of the engine or the wizard: the full tier (see conftest)

SNAPSHOTS = Path(__file__).parent / "snapshots"
# English at the size the other wizard tests use; Japanese at the smallest terminal too, its names say both
SIZES = {"en": [SIZE], "ja": [(80, 24), SIZE]}[TEST_LANGUAGE]
# what no line may start with, and what none may end with (JIS X 4051's basics, as issue 39 lists them)
CLOSING = set("、。，．）」』】〕〉》・：；？！ーぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ")
OPENING = set("（「『【〔〈《")
NAME = re.compile(r"[A-Za-z0-9_./:@#%+=\-]+")  # a word, a number, a path, an environment variable, an option


def prose_rows(widget) -> list[str]:
    """The rows of a widget's content as drawn (its border and padding cropped off)."""
    content = widget.content_region.translate(-widget.region.offset)
    strips = widget.render_lines(Region(0, 0, *widget.region.size))[content.y : content.bottom]
    return [strip.crop(content.x, content.right).text for strip in strips]


def breaks_badly(app, logged: list[str]) -> list[str]:
    """What breaks badly among the lines of prose on the screen: the Statics', the options', the log's, the chart's
    legend."""
    # on the screen (not in a tab behind another)
    prose = (Static, OptionList, RichLog, ParetoChart)
    shown = [w for w in app.screen.query("*") if isinstance(w, prose) and w.region]
    texts = [str(w.render()) for w in shown if isinstance(w, (Static, ParetoChart))] + logged
    texts += [str(option.prompt) for w in shown if isinstance(w, OptionList) for option in w.options]
    names = {name for text in texts for name in NAME.findall(text)}
    wrong = []
    for widget in shown:
        rows = prose_rows(widget)
        for row in rows:
            if row.strip()[:1] in CLOSING or row.strip()[-1:] in OPENING:
                wrong.append(f"{row.strip()!r} breaks a rule")
        for row, following in pairwise(rows):
            tail, head = re.search(NAME.pattern + "$", row.rstrip()), NAME.match(following.lstrip())
            cut = tail and head and tail.group() + head.group()
            if cut in names and len(cut) <= widget.content_region.width:
                wrong.append(f"{row.strip()!r} / {following.strip()!r} cuts {cut!r}")
    return wrong


async def check_snapshot(pilot, name: str, logged: list[str]) -> None:
    app = pilot.app
    # the footer fills in its keys a moment after a screen appears: wait for them, then for a quiet frame
    await until(pilot, lambda: app.screen.query(Footer) and app.screen.query_one(Footer).children)
    svg = app.export_screenshot(title=name)
    for _ in range(20):  # settled: two shots 0.2 s apart are the same (late layout, e.g. a scrollbar appearing)
        await pilot.pause(0.2)
        again = app.export_screenshot(title=name)
        if again == svg:
            break
        svg = again
    # every key of the footer on the screen, Quit among them (none cut off at the right edge)
    footer = app.screen.query_one(Footer)
    keys = list(footer.query(FooterKey))
    assert all(key.region.right <= app.size.width for key in keys), f"{name}: a footer key is cut off"
    assert any(key.key == "ctrl+q" for key in keys), f"{name}: no Quit key in the footer"
    # a number shown to a person is rounded for them (formatting.score_text), even in a snapshot being remade
    shown = html.unescape(re.sub(r"<[^>]+>", "", svg))
    assert not re.findall(r"\d\.\d{5,}", shown), f"{name} shows an unrounded number"
    assert breaks_badly(app, logged) == [], name
    expected = SNAPSHOTS / f"{name}.svg"
    actual = SNAPSHOTS / f"{name}.actual.svg"
    if os.environ.get("UPDATE_SNAPSHOTS") or not expected.exists():
        SNAPSHOTS.mkdir(exist_ok=True)
        expected.write_text(svg, encoding="utf-8")
        actual.unlink(missing_ok=True)
        if not os.environ.get("UPDATE_SNAPSHOTS"):
            pytest.fail(f"no snapshot yet: wrote {expected}; look at it, then run again")
        return
    if svg != expected.read_text(encoding="utf-8"):
        actual.write_text(svg, encoding="utf-8")
        pytest.fail(f"{name} differs from its snapshot: compare {actual} with {expected}")
    actual.unlink(missing_ok=True)


@pytest.fixture
def project(tmp_path, monkeypatch):
    folder = make_project(tmp_path)
    monkeypatch.chdir(folder)
    # the cost estimate is measured on the machine: fixed here so the Preset screen renders the same
    monkeypatch.setattr(
        "automl_tui_engine.search.planning.estimate_seconds",
        lambda baseline, specs, task, folds, repeats: 7.0 * len(specs),
    )
    return folder


@pytest.mark.parametrize("size", SIZES, ids=lambda size: "{}x{}".format(*size))
async def test_every_screen(project, recorded_run, size, monkeypatch):
    logged: list[str] = []  # what the run's log was given: the log keeps only the lines it drew
    write = RichLog.write

    def write_down(log, content, *args, **kwargs):
        logged.append(str(content))
        return write(log, content, *args, **kwargs)

    monkeypatch.setattr(RichLog, "write", write_down)
    runner = ReplayRunner(recorded_run, pause_after=2)
    clock = FakeClock()
    app = AutomlApp(
        start_dir=project,
        out=Path("runs"),
        launch=here(runner),
        clock=clock,
        clearml_queues=two_queues,
        clearml_templates=list,  # none saved: the first step offers no re-run
    )
    named = "{}" if TEST_LANGUAGE == "en" else f"{TEST_LANGUAGE}_{size[0]}x{size[1]}_{{}}"
    async with app.run_test(size=size) as pilot:
        await dataset_ready(pilot, app)
        await check_snapshot(pilot, named.format("1_dataset"), logged)
        await pilot.press("enter")
        await until(pilot, on_step(app, PresetScreen))
        await check_snapshot(pilot, named.format("2_preset"), logged)
        await choose_option(pilot, "fast")
        await until(pilot, on_step(app, PriorityScreen))
        await check_snapshot(pilot, named.format("3_priority"), logged)
        await pilot.press("enter")
        await until(pilot, on_step(app, WhereScreen))
        await check_snapshot(pilot, named.format("4_where"), logged)
        await pilot.press("enter")
        await until(pilot, on_step(app, ConfirmScreen))
        await check_snapshot(pilot, named.format("5_confirm"), logged)
        await pilot.press("enter")
        await until(pilot, runner.paused.is_set)
        await until(pilot, lambda: isinstance(app.screen, RunScreen))
        # the replayed events are messages: wait until the screen has shown the two finished models (and so
        # started its clock), then move the fake clock 12.5 s into the 30 s budget and wait for the bar to follow
        board = app.screen.query_one(Leaderboard)
        await until(pilot, lambda: len(board.scores) == 2)
        # the model column fits its longest name once the table has measured its new rows (on a later idle frame,
        # which a busy machine can leave for after the screen otherwise looks settled)
        longest = lambda: max(len(str(key.value)) for key in board.rows)  # noqa: E731
        await until(pilot, lambda: board.columns["model"].content_width >= longest())
        clock.now += 12.5
        await until(pilot, lambda: app.screen.query_one(ProgressBar).progress == 12.5)
        await check_snapshot(pilot, named.format("6_run"), logged)
        runner.resume.set()
        await until(pilot, lambda: summary_shown(app))
        await until(pilot, lambda: app.screen.query("#tab-accuracy DataTable"))
        await check_snapshot(pilot, named.format("7_decision"), logged)
        await pilot.press("right", "right", "right", "right")  # to the chart tab
        await check_snapshot(pilot, named.format("8_decision_chart"), logged)
        await pilot.press("h")
        await until(pilot, lambda: isinstance(app.screen, RecentRunsScreen))
        await check_snapshot(pilot, named.format("9_recent"), logged)


@pytest.mark.skipif(TEST_LANGUAGE != "en", reason="this is the Japanese session the test below starts")
def test_every_screen_in_japanese():
    """The screens make their key labels when imported, as the wizard's language switch restarts it: the Japanese
    walk runs in a test session of its own."""
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-n", "0", "-q", f"{__file__}::test_every_screen"],
        env={**os.environ, "AUTOML_TUI_TEST_LANG": "ja"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    assert "2 passed" in done.stdout  # both sizes were walked, none skipped
