"""The wizard driven with the keyboard, as a person would, through to the Decision Summary."""

from __future__ import annotations

import asyncio
import json
import threading

import automl_tui_engine as engine
import pytest
from textual.widgets import Button, DataTable, Input, MarkdownViewer, OptionList, Select, Static
from wizard_support import ReplayRunner, here, make_project, no_clearml, summary_shown

from automl_tui.app import AutomlApp
from automl_tui.screens.choice import PresetScreen, PriorityScreen, WhereScreen
from automl_tui.screens.confirm import ConfirmScreen
from automl_tui.screens.dataset import DatasetScreen
from automl_tui.screens.decision import DecisionScreen, ReportScreen
from automl_tui.screens.predict import PredictScreen
from automl_tui.screens.recent import RecentRunsScreen
from automl_tui.screens.run import RunScreen

pytestmark = pytest.mark.slow  # real runs of the engine or the wizard: the full tier (see conftest)

SIZE = (100, 30)


@pytest.fixture
def project(tmp_path, monkeypatch):
    folder = make_project(tmp_path)
    monkeypatch.chdir(folder)
    return folder


async def until(pilot, condition, timeout=60.0):
    """Let the app work until `condition()` holds (real fits take seconds, not frames)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert pilot.app.return_code is None, "the app ended (a crash shows its traceback above)"
        assert loop.time() < deadline, "timed out waiting for the app"
        await pilot.pause(0.05)


def on_step(app, screen_type):
    """A condition: the step is on show and ready for keys (mounted, its focus set, and the Where step's look-up
    done); a key pressed a moment earlier is lost."""
    return lambda: (
        isinstance(app.screen, screen_type) and app.screen.focused is not None and getattr(app.screen, "checked", True)
    )


def text_of(screen, selector) -> str:
    return str(screen.query_one(selector, Static).render())


async def dataset_ready(pilot, app):
    await until(
        pilot,
        lambda: (
            isinstance(app.screen, DatasetScreen)
            and app.screen.inspection is not None
            and not pilot.app.screen.query_one("#next", Button).disabled
            or _has_error(app)
        ),
    )
    return app.screen


async def walk_to_where(pilot, app, preset: str) -> None:
    """From the dataset step to where-to-run: the table the wizard offers, `preset`, the default priority."""
    await dataset_ready(pilot, app)
    await pilot.press("enter")
    await until(pilot, on_step(app, PresetScreen))
    await choose_option(pilot, preset)
    await until(pilot, on_step(app, PriorityScreen))
    await pilot.press("enter")
    await until(pilot, on_step(app, WhereScreen))


def _has_error(app) -> bool:
    return (
        isinstance(app.screen, DatasetScreen)
        and app.screen.inspection is not None
        and bool(app.screen.inspection.error)
    )


async def choose_option(pilot, option_id):
    options = pilot.app.screen.query_one("#choices", OptionList)
    while options.highlighted_option.id != option_id:
        await pilot.press("down" if options.highlighted < options.get_option_index(option_id) else "up")
    await pilot.press("enter")


async def test_whole_wizard_with_the_keyboard_on_real_data(project):
    app = AutomlApp(start_dir=project, out=project / "runs", launch=here(engine.run), clearml_queues=no_clearml)
    async with app.run_test(size=SIZE) as pilot:
        screen = await dataset_ready(pilot, app)
        # the sample is preselected, read, profiled, and a target is guessed
        assert screen.query_one("#path", Input).value == "penguins.csv"
        summary = text_of(screen, "#summary")
        assert "333 usable rows" in summary and "Predicting sex (two classes)" in summary
        columns = screen.query_one("#columns", DataTable)
        assert columns.row_count == 8 and "the column to predict" in str(columns.get_row_at(6))
        assert "11 rows have no value" in text_of(screen, "#problem")

        # choose another target with the keyboard: the column list is checked again
        screen.query_one("#target", Select).focus()
        await pilot.press("enter", "home", "down", "enter")  # open the list, first column (under the blank), choose
        await until(
            pilot, lambda: screen.inspection.target == "species" and not screen.query_one("#next", Button).disabled
        )
        assert "Predicting species (several classes)" in text_of(screen, "#summary")
        assert "Adelie" in text_of(screen, "#summary")
        await pilot.press("enter")  # Next has the focus once the table is good

        await until(pilot, on_step(app, PresetScreen))
        prompts = [str(o.prompt) for o in app.screen.query_one("#choices", OptionList).options]
        assert prompts[0].startswith("presets/quick.toml  ·  default models in about") and "Two models," in prompts[0]
        assert any(p.startswith("fast  ·  default models in about") and "up to 30 s" in p for p in prompts)
        await choose_option(pilot, "presets/quick.toml")

        await until(pilot, on_step(app, PriorityScreen))
        assert app.screen.query_one("#choices", OptionList).highlighted_option.id == "balanced"
        await choose_option(pilot, "accuracy")

        await until(pilot, on_step(app, WhereScreen))
        options = app.screen.query_one("#choices", OptionList)
        # ClearML cannot be used here: the option says why and how to set it up; this machine stays the choice
        clearml = options.get_option("clearml")
        assert (
            clearml.disabled
            and "ClearML is not set up" in str(clearml.prompt)
            and "clearml-init" in str(clearml.prompt)
        )
        assert options.highlighted_option.id == "local"
        await pilot.press("enter")

        await until(pilot, on_step(app, ConfirmScreen))
        command = text_of(app.screen, "#command")
        assert command == (
            "automl-tui --preset presets/quick.toml penguins.csv --target species --priority accuracy --out "
            + str(project / "runs")
        )
        await pilot.press("enter")  # Start

        await until(pilot, lambda: isinstance(app.screen, (RunScreen, DecisionScreen)))  # a short run may be over
        await until(pilot, lambda: summary_shown(app), timeout=120)
        decision = app.screen
        await until(pilot, lambda: decision.query("#tab-accuracy DataTable"))  # composed and mounted
        headline = text_of(decision, "#headline")
        assert "Recommended: " in headline and "(priority: accuracy)" in headline
        assert "Test balanced accuracy:" in headline
        assert headline.startswith("Clearly better than guessing: balanced accuracy")
        ranking = decision.query_one("#tab-accuracy DataTable", DataTable)
        assert ranking.row_count == 3 and "guessing (baseline)" in str(ranking.get_row_at(2))  # two models, the guess
        assert "report.md" in text_of(decision, "#report-path")
        # plain words: on hover over the ranking, and in their own tab (mounted a moment after the first tab)
        await until(pilot, lambda: decision.query("#words"))
        assert str(ranking.tooltip).startswith("balanced accuracy: how often the model is right within each class")
        words = text_of(decision, "#words")
        assert "guessing: the score of always answering the most frequent class" in words
        assert "Model kinds: " in words and "± : " not in words

        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, ReportScreen))
        viewer = app.screen.query_one(MarkdownViewer)
        assert "## 1. Decision Summary" in viewer.document.source
        await pilot.press("escape")
        await until(pilot, lambda: summary_shown(app))

        # the run is on disk like a headless run's
        (run_dir,) = (project / "runs").iterdir()
        assert (run_dir / "model.joblib").is_file() and (run_dir / "report.md").is_file()

        # predict on a file from the Decision Summary, with the same code as `automl-tui predict`
        await pilot.press("p")
        await until(pilot, lambda: isinstance(app.screen, PredictScreen))
        await pilot.press(*"penguins.csv", "enter")
        await until(pilot, lambda: "Wrote 344 predictions" in text_of(app.screen, "#result"))
        assert "target column 'species'" in text_of(app.screen, "#result")
        assert (project / "penguins_predictions.csv").is_file()
        # the check of its inputs against training's, as the command line says it (the training table itself)
        assert "Inputs: like training's in all" in text_of(app.screen, "#result")
        assert (project / "penguins_predictions_check.md").is_file()
        # the table has its outcomes: Ctrl+O scores the model in use on them, as `automl-tui evaluate` does
        await pilot.press("ctrl+o")
        await until(pilot, lambda: "It holds:" in text_of(app.screen, "#result"))
        assert "Scored " in text_of(app.screen, "#result") and (run_dir / "evaluations.jsonl").is_file()
        # Ctrl+T trains again on it with the run's settings, on the live run screen, then compares the new pick
        # with the model in use on the fresh rows, as `automl-tui retrain` does
        await pilot.press("ctrl+t")

        def compared() -> bool:
            return isinstance(app.screen, PredictScreen) and "the model in use" in text_of(app.screen, "#result")

        await until(pilot, compared, timeout=240)
        verdict = text_of(app.screen, "#result")
        assert "Keep the model in use" in verdict or "Replace:" in verdict
        (challenger,) = [p for p in (project / "runs").iterdir() if p.is_dir() and p.name not in (run_dir.name,)
                         and not p.name.startswith("retrain-")]  # fmt: skip
        assert json.loads((challenger / "run.json").read_text())["champion"]["champion_run"] == str(run_dir)


async def test_back_returns_to_the_previous_step_with_choices_kept(project):
    app = AutomlApp(start_dir=project, out=project / "runs", launch=here(engine.run), clearml_queues=no_clearml)
    async with app.run_test(size=SIZE) as pilot:
        await dataset_ready(pilot, app)
        await pilot.press("enter")
        await until(pilot, on_step(app, PresetScreen))
        await choose_option(pilot, "balanced")
        await until(pilot, on_step(app, PriorityScreen))
        await pilot.press("escape")
        await until(pilot, on_step(app, PresetScreen))
        assert app.screen.query_one("#choices", OptionList).highlighted_option.id == "balanced"
        await pilot.press("escape")
        screen = await dataset_ready(pilot, app)
        assert screen.query_one("#path", Input).value == "penguins.csv"


async def test_a_file_that_is_not_a_table_is_explained_on_the_dataset_screen(project):
    app = AutomlApp(start_dir=project, out=project / "runs", launch=here(engine.run), clearml_queues=no_clearml)
    async with app.run_test(size=SIZE) as pilot:
        screen = await dataset_ready(pilot, app)
        path = screen.query_one("#path", Input)
        path.focus()
        path.value = ""
        await pilot.press(*"broken.csv", "enter")
        await until(pilot, lambda: screen.inspection.path.name == "broken.csv")
        assert "could not be read as a table" in text_of(screen, "#problem")
        assert screen.query_one("#next", Button).disabled
        await pilot.press("ctrl+n")  # Next refuses too
        assert isinstance(app.screen, DatasetScreen)


async def test_a_validation_error_shows_before_anything_runs(project):
    app = AutomlApp(start_dir=project, out=project / "runs", launch=here(engine.run), clearml_queues=no_clearml)
    async with app.run_test(size=SIZE) as pilot:
        screen = await dataset_ready(pilot, app)
        path = screen.query_one("#path", Input)
        path.focus()
        path.value = "constant.csv"
        await pilot.press("enter")
        await until(pilot, lambda: screen.inspection.path.name == "constant.csv")
        problem = text_of(screen, "#problem")
        assert "single value" in problem and "'label'" in problem  # the guessed target is constant
        assert "choose another column below" in problem and "--target" not in problem  # the wizard's own advice
        assert text_of(screen, "#summary") == "constant.csv"  # and no "not checked yet" beside the problem
        assert screen.query_one("#next", Button).disabled
        assert not (project / "runs").exists()


async def test_a_wide_table_shows_its_target_first_and_excel_text_exports_are_listed(project):
    import pandas as pd

    wide = pd.DataFrame({f"x{i:03d}": [(row * (i + 3)) % 7 for row in range(60)] for i in range(100)})
    wide["outcome"] = ["yes", "no"] * 30
    wide.to_csv(project / "wide.csv", index=False)
    wide.head(30).to_csv(project / "unicode_text.txt", sep="\t", index=False, encoding="utf-16")
    app = AutomlApp(start_dir=project, out=project / "runs", launch=here(engine.run), clearml_queues=no_clearml)
    async with app.run_test(size=SIZE) as pilot:
        screen = await dataset_ready(pilot, app)
        listed = {str(node.data.path.name) for node in screen.query_one("#tree").root.children if node.data}
        assert "unicode_text.txt" in listed, listed
        path = screen.query_one("#path", Input)
        path.focus()
        path.value = "wide.csv"
        await pilot.press("enter")
        await until(pilot, lambda: screen.inspection.path.name == "wide.csv" and screen.inspection.task)
        preview = screen.query_one("#preview", DataTable)
        assert str(preview.ordered_columns[0].label) == "outcome"  # on screen without scrolling 100 columns


async def test_cancel_stops_the_run_and_keeps_what_finished(project):
    release, proceed = threading.Event(), threading.Event()

    def slow_engine(config, on_event=None, cancel=None):
        def hold_after_first_model(event):
            on_event(event)
            if event.kind == "candidate_finished":
                release.set()
                cancel.wait(timeout=30)  # a long model would be training now
                proceed.wait(timeout=30)  # ... and takes a moment to stop

        return engine.run(config, on_event=hold_after_first_model, cancel=cancel)

    app = AutomlApp(start_dir=project, out=project / "runs", launch=here(slow_engine), clearml_queues=no_clearml)
    async with app.run_test(size=SIZE) as pilot:
        await dataset_ready(pilot, app)
        await pilot.press("enter")
        await until(pilot, on_step(app, PresetScreen))
        await choose_option(pilot, "presets/quick.toml")
        for screen_type in (PriorityScreen, WhereScreen, ConfirmScreen):
            await until(pilot, on_step(app, screen_type))
            await pilot.press("enter")
        await until(pilot, release.is_set)
        assert isinstance(app.screen, RunScreen)
        await pilot.press("escape")
        await until(pilot, lambda: "Cancelling" in text_of(app.screen, "#phase"))
        proceed.set()
        await until(pilot, lambda: summary_shown(app))
        assert "This run was cancelled" in text_of(app.screen, "#headline")
        (run_dir,) = (project / "runs").iterdir()
        assert "skipped,the run was cancelled before it started" in (run_dir / "results_summary.csv").read_text()


async def test_past_runs_reopen_their_decision_summary(project, recorded_run):
    app = AutomlApp(
        start_dir=project, out=project / "runs", launch=here(ReplayRunner(recorded_run)), clearml_queues=no_clearml
    )
    (project / "runs").mkdir()
    ReplayRunner(recorded_run)(app.state.config(), None, None)  # a run from an earlier session
    async with app.run_test(size=SIZE) as pilot:
        await dataset_ready(pilot, app)
        await pilot.press("ctrl+r")
        await until(pilot, lambda: isinstance(app.screen, RecentRunsScreen))
        table = app.screen.query_one("#runs", DataTable)
        assert table.row_count == 1 and "penguins-" in str(table.get_row_at(0))
        await pilot.press("enter")
        await until(pilot, lambda: summary_shown(app))
        info = json.loads((recorded_run / "run.json").read_text())
        headline = text_of(app.screen, "#headline")
        assert f"Recommended: {info['recommended']}" in headline
        # the report's per-class table, in a line: each class with how many of its test rows the model finds
        first = info["per_class"][0]
        said = f"{first['class']} {first['found']} of {first['rows']} ({first['found'] / first['rows']:.0%})"
        assert "Found on the held-out test rows, per class: " in headline and said in headline
        await pilot.press("n")  # a new run starts the wizard again
        await dataset_ready(pilot, app)


async def test_a_tracked_runs_decision_summary_shows_its_link_and_c_copies_it(project, recorded_run, tmp_path):
    import shutil

    from automl_tui_engine.outputs import rundir

    tracked = shutil.copytree(recorded_run, tmp_path / "tracked")
    link = "https://clearml.example/projects/p1/experiments/abc123/output/log"
    rundir.RunFolder(tracked).write_json(rundir.CLEARML, {"reporting_task": "abc123", "reporting_link": link})
    app = AutomlApp(start_dir=project, out=project / "runs", clearml_queues=no_clearml)
    async with app.run_test(size=SIZE) as pilot:
        await dataset_ready(pilot, app)
        app.push_screen(DecisionScreen(recorded_run))  # not tracked: no link, no key for one
        await until(pilot, lambda: summary_shown(app))
        assert not app.screen.query("#shared-link") and "c" not in app.screen.active_bindings
        app.push_screen(DecisionScreen(tracked))
        await until(pilot, lambda: app.screen.query("#shared-link"))
        assert link in text_of(app.screen, "#shared-link")
        await pilot.press("c")
        assert app.clipboard == link


async def test_the_live_leaderboard_shows_every_name_whole_at_80_by_24():
    from textual.app import App
    from wizard_support import screen_lines

    from automl_tui.widgets.leaderboard import Leaderboard

    class Board(App):
        def compose(self):
            yield Leaderboard()

    names = ["random_forest", "random_forest #1", "random_forest #12", "extra_trees #3"]
    app = Board()
    async with app.run_test(size=(80, 24)) as pilot:
        board = app.query_one(Leaderboard)
        board.set_metric("balanced_accuracy", "balanced accuracy", lower_is_better=False)
        for name in names:
            board.upsert(name, status="waiting")
        await pilot.pause()
        shown = [line.split()[0] + (f" {line.split()[1]}" if "#" in line else "") for line in screen_lines(app)[1:5]]
    assert sorted(shown) == sorted(names)


async def test_past_runs_and_alternatives_fit_80_by_24(project, recorded_run):
    from wizard_support import screen_lines, summary_shown

    app = AutomlApp(
        start_dir=project, out=project / "runs", launch=here(ReplayRunner(recorded_run)), clearml_queues=no_clearml
    )
    (project / "runs").mkdir()
    ReplayRunner(recorded_run)(app.state.config(), None, None)
    async with app.run_test(size=(80, 24)) as pilot:
        await dataset_ready(pilot, app)
        await pilot.press("ctrl+r")
        await until(pilot, lambda: isinstance(app.screen, RecentRunsScreen))
        await pilot.pause()
        (run_dir,) = (project / "runs").iterdir()
        info = json.loads((run_dir / "run.json").read_text())
        score = f"{info['test_metrics'][info['primary_metric']]:.3f}"
        assert any(run_dir.name in line and score in line for line in screen_lines(app))
        await pilot.press("enter")
        await until(pilot, lambda: summary_shown(app))
        decision = app.screen
        await until(pilot, lambda: decision.query("#tab-accuracy DataTable"))
        await pilot.press("right", "right", "right")  # to the Alternatives tab
        await until(pilot, lambda: decision.query_one("#alternatives").region.height > 0)
        shown = " ".join(" ".join(screen_lines(app)).split())
        for alternative in decision.summary.decision.alternatives:
            assert alternative.tradeoff_text in shown  # each trade-off whole, wrapped instead of cut
