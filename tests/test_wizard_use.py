"""Use this model (`w` on the Decision Summary), driven as a person would: a field changed moves the answer and
what moves it; a grid of conditions and a search for the best inputs fill their tables and keep their records. On
the bundled sample (classification) and a regression table, with the real engine's run folders."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import automl_tui_engine as engine
import pytest
from automl_tui_engine import config
from automl_tui_engine.outputs import rundir
from test_wizard import SIZE, text_of, until
from textual.widgets import DataTable, Input, Select, SelectionList, TabbedContent
from wizard_support import no_clearml, summary_shown

from automl_tui.app import AutomlApp
from automl_tui.screens.decision import DecisionScreen
from automl_tui.screens.use import UseScreen, _safe_id

pytestmark = pytest.mark.slow  # real models answer in workers


async def open_use(pilot, app, run_dir: Path) -> UseScreen:
    app.push_screen(DecisionScreen(run_dir))
    await until(pilot, lambda: summary_shown(app))
    await pilot.press("w")
    await until(pilot, lambda: isinstance(app.screen, UseScreen) and "Prediction: " in answer(app.screen))
    return app.screen


async def show_tab(pilot, screen, tab: str) -> None:
    """The tab's header clicked, and its pane laid out: a click lands on its buttons."""
    await pilot.click(f"#--content-tab-{tab}")
    await until(pilot, lambda: screen.query_one(TabbedContent).active == tab)
    await until(pilot, lambda: screen.query_one(f"#{tab}").region.height > 0)
    await pilot.pause()


def answer(screen) -> str:
    return text_of(screen, "#case-answer")


async def type_into(pilot, screen, column: str, text: str) -> None:
    box = screen.query_one(f"#field-{_safe_id(column)}", Input)
    box.focus()
    box.value = ""
    await pilot.pause()
    await pilot.press(*text)


async def test_one_case_a_grid_and_the_best_inputs_on_the_bundled_sample(recorded_run, tmp_path):
    run_dir = Path(shutil.copytree(recorded_run, tmp_path / recorded_run.name))
    app = AutomlApp(start_dir=tmp_path, out=tmp_path, clearml_queues=no_clearml)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_use(pilot, app, run_dir)
        assert "not causes" in text_of(screen, "#honesty")
        typical = answer(screen)
        assert "Asked about the typical row" in typical
        # a Gentoo by construction, field by field: the answer and what moves it follow each edit
        await type_into(pilot, screen, "flipper_length_mm", "225")
        await type_into(pilot, screen, "bill_depth_mm", "14")
        asked = "Asked about: bill_depth_mm = 14, flipper_length_mm = 225;"  # in the form's order
        await until(pilot, lambda: asked in answer(screen))
        gentoo = answer(screen)
        assert gentoo.startswith("Prediction: Gentoo") and "toward Gentoo" in gentoo
        moves = next(line for line in gentoo.splitlines() if line.startswith("What moves"))
        assert moves not in typical and "Careful" not in gentoo
        screen.query_one(f"#field-{_safe_id('island')}", Select).value = "Dream"  # a choice of what training saw
        await until(pilot, lambda: "Asked about: island = Dream, bill_depth_mm = 14" in answer(screen))
        await type_into(pilot, screen, "flipper_length_mm", "400")
        await until(pilot, lambda: "Careful: the model has not seen flipper_length_mm = 400" in answer(screen))
        # the form filled from a row of the table: the first penguin of the file
        row = screen.query_one("#case-row", Input)
        row.focus()
        await pilot.press("1", "enter")
        await until(pilot, lambda: "bill_length_mm = 39.1" in answer(screen) and "Careful" not in answer(screen))
        assert screen.query_one(f"#field-{_safe_id('island')}", Select).value == "Torgersen"

        await show_tab(pilot, screen, "tab-grid")
        screen.query_one("#grid-column", Select).value = "body_mass_g"
        screen.query_one("#grid-spec", Input).value = "3000:6000:500"
        await pilot.click("#grid-ask")
        await until(pilot, lambda: text_of(screen, "#grid-result").startswith("Saved: "))
        assert screen.query_one("#grid-table", DataTable).row_count == 7
        record = json.loads((run_dir / rundir.WHATIF / "001-grid.json").read_text(encoding="utf-8"))
        # the other columns as on the One case tab, and the command that repeats it
        # (the form's own body_mass_g set aside)
        said = record["asked"]["said"]
        assert "--vary body_mass_g=3000:6000:500 --set island=Torgersen --set bill_length_mm=39.1" in said
        assert "body_mass_g=3750" not in said

        await show_tab(pilot, screen, "tab-best")
        free = screen.query_one("#best-free", SelectionList)
        free.select("bill_length_mm")
        free.select("island")
        screen.query_one("#best-class", Select).value = "Chinstrap"
        await pilot.click("#best-search")
        await until(pilot, lambda: text_of(screen, "#best-result").startswith("Best inputs for the highest"))
        best = screen.query_one("#best-table", DataTable)
        assert best.row_count == 5
        # the numbers the search found, as the CLI prints them: one precision for the column, right-aligned
        key = next(key for key, column in best.columns.items() if column.label.plain == "bill_length_mm")
        lengths = list(best.get_column(key))
        assert len({len(cell.plain.partition(".")[2]) for cell in lengths}) == 1, lengths
        assert {cell.justify for cell in lengths} == {"right"}
        assert (run_dir / rundir.WHATIF / "002-best.csv").is_file()
        report = (run_dir / rundir.REPORT).read_text(encoding="utf-8")
        assert "whatif/001-grid.csv" in report and "whatif/002-best.csv" in report


async def test_one_case_on_a_regression_table(diabetes_csv, tmp_path):
    values = {"data": diabetes_csv, "target": "target", "out": tmp_path / "runs", "models": ["linear"]}
    values.update(max_trials=0, cv_folds=3, latency_repeats=1, explain=False, charts="none", ensemble=False)
    run_dir = Path(engine.run(config.build("fast", values)).run_dir)
    app = AutomlApp(start_dir=tmp_path, out=tmp_path / "runs", clearml_queues=no_clearml)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_use(pilot, app, run_dir)
        typical = answer(screen).splitlines()[0]
        await type_into(pilot, screen, "bmi", "40")
        await until(pilot, lambda: "bmi = 40;" in answer(screen))
        heavy = answer(screen)
        assert heavy.splitlines()[0] != typical  # the predicted number moved
        assert "What moves this answer most (+ up, − down): bmi +" in heavy
        await type_into(pilot, screen, "bmi", "fat")
        await until(pilot, lambda: "'fat' is not a number" in answer(screen))
