"""Run folders and models that come from elsewhere: a damaged folder is refused in one line, and a model made on
another machine (or changed since) loads only when the user trusts it."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import PENGUINS, copy_of
from test_end_to_end import cli


@pytest.mark.parametrize(
    ("name", "damage"),
    [
        ("run.json", "{not json"),
        ("run.json", "[1, 2, 3]"),
        ("data_profile.json", '{"rows": 3}'),
        ("leaderboard.csv", "model,balanced_accuracy_mean\nlinear,not a number\n"),
        ("events.jsonl", '[1]\n"text"\n{broken\n'),
    ],
)
def test_report_on_a_damaged_run_folder_says_so_in_one_line(penguin_run, tmp_path, capsys, name, damage):
    folder = copy_of(penguin_run, tmp_path)
    (folder / name).write_text(damage)
    code, out, err = cli(["report", folder], capsys)
    assert code in (0, 2), err  # a damaged events file is skipped line by line; the others are refused
    assert "internal error" not in err and "Traceback" not in err
    if code == 2:
        assert len(err.strip().splitlines()) == 1 and str(folder) in err


def test_predict_refuses_a_model_file_that_is_no_model(penguin_run, tmp_path, capsys):
    import joblib

    folder = copy_of(penguin_run, tmp_path)
    joblib.dump({"not": "a model"}, folder / "model.joblib")
    code, _, err = cli(["predict", folder, PENGUINS, "-o", tmp_path / "p.csv"], capsys)
    assert code == 2 and "the file is not the one the run saved" in err  # asked before anything is unpickled
    code, _, err = cli(["predict", folder, PENGUINS, "-o", tmp_path / "p.csv", "--trust"], capsys)
    assert code == 2 and "is not a model automl-tui saved" in err


def made_by_mallory(folder: Path) -> None:
    """The run folder as a colleague shares it: her name and machine, her key's signature (not this user's)."""
    import json

    info = json.loads((folder / "run.json").read_text())
    colleague = {"made_by": {"user": "mallory", "host": "elsewhere"}, "model_signature": "5" * 64}
    (folder / "run.json").write_text(json.dumps({**info, **colleague}))


def test_a_model_made_elsewhere_is_loaded_only_with_trust(penguin_run, tmp_path, capsys):

    folder = copy_of(penguin_run, tmp_path)
    made_by_mallory(folder)
    code, _, err = cli(["predict", folder, PENGUINS, "-o", tmp_path / "p.csv"], capsys)
    assert code == 2 and "made by mallory on elsewhere" in err and "--trust" in err
    assert not (tmp_path / "p.csv").exists()
    code, _, err = cli(["predict", folder, PENGUINS, "-o", tmp_path / "p.csv", "--trust"], capsys)
    assert code == 0, err


def test_predict_onto_a_read_only_place_says_where(penguin_run, tmp_path, capsys):
    import os

    if os.geteuid() == 0:
        target = Path("/proc/predictions.csv")  # not even root may write here
    else:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        target = locked / "p.csv"
    code, _, err = cli(["predict", penguin_run, PENGUINS, "-o", target], capsys)
    assert code == 2 and f"Cannot write the predictions to {target}" in err


def test_predict_with_a_run_folder_that_does_not_exist(tmp_path, capsys):
    code, _, err = cli(["predict", tmp_path / "runs" / "nope", PENGUINS], capsys)
    assert code == 2 and "is not an automl-tui run folder" in err


@pytest.mark.slow
async def test_the_wizard_asks_before_loading_a_model_made_elsewhere(penguin_run, tmp_path):

    from test_wizard import until
    from textual.app import App
    from textual.widgets import Input, Static

    from automl_tui.screens.predict import PredictScreen
    from automl_tui.screens.trust import TrustScreen

    folder = copy_of(penguin_run, tmp_path)
    made_by_mallory(folder)
    (tmp_path / "new.csv").write_bytes(PENGUINS.read_bytes())

    class Predicting(App):
        def on_mount(self) -> None:
            self.push_screen(PredictScreen(folder, tmp_path))

    app = Predicting()
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, PredictScreen))
        await pilot.press(*str(tmp_path / "new.csv"), "enter")
        await until(pilot, lambda: isinstance(app.screen, TrustScreen))
        assert "made by mallory on elsewhere" in str(app.screen.query_one("#trust-body").render())
        await pilot.press("enter")  # the default: Back, nothing loaded
        await until(pilot, lambda: isinstance(app.screen, PredictScreen))
        assert "--trust" in str(app.screen.query_one("#result", Static).render())
        assert not (tmp_path / "new_predictions.csv").exists()
        app.screen.query_one("#path", Input).focus()
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, TrustScreen))
        await pilot.press("shift+tab", "enter")  # to "Trust and continue"
        await until(pilot, lambda: "Wrote 344 predictions" in str(app.screen.query_one("#result", Static).render()))


async def test_use_this_model_asks_before_loading_a_model_made_elsewhere(penguin_run, tmp_path):

    from test_wizard import until
    from textual.app import App
    from textual.widgets import Static

    from automl_tui.screens.trust import TrustScreen
    from automl_tui.screens.use import UseScreen

    folder = copy_of(penguin_run, tmp_path)
    made_by_mallory(folder)

    class Using(App):
        def on_mount(self) -> None:
            self.push_screen(UseScreen(folder))

    app = Using()
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, TrustScreen))
        assert "made by mallory on elsewhere" in str(app.screen.query_one("#trust-body").render())
        await pilot.press("enter")  # the default: Back, nothing loaded
        await until(pilot, lambda: "--trust" in str(app.screen.query_one("#case-answer", Static).render()))
        assert app.screen.saved is None
