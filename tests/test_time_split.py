"""A time-ordered split: the model is tested on the latest rows, when the user asks (--split time[:COLUMN], or the
wizard's choice on the Dataset screen), and the report says which rows tested it and why."""

from __future__ import annotations

import csv
import json

import numpy as np
import pandas as pd
import pytest
from automl_tui_engine.errors import UserError
from automl_tui_engine.runner import run
from automl_tui_engine.search import evaluate
from automl_tui_engine.table import data
from conftest import quick_config


def orders_table(path, rows=240, second_date=False):
    """Shop orders over a year, shuffled in the file as exports often are; later orders are larger."""
    rng = np.random.default_rng(3)
    days = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.permutation(rows) * 365 // rows, unit="D")
    frame = pd.DataFrame(
        {
            "注文日": days.strftime("%Y-%m-%d"),
            "price": rng.uniform(100, 900, rows).round(),
            "region": rng.choice(["東京", "大阪", "札幌"], rows),
        }
    )
    frame["big"] = np.where(frame["price"] + (days - days.min()).days * 2 > 900, "yes", "no")
    if second_date:
        frame["signup"] = (days - pd.Timedelta(days=30)).strftime("%Y/%m/%d")
    frame.to_csv(path, index=False)
    return frame


def test_the_latest_rows_are_the_test_rows(tmp_path):
    frame = orders_table(tmp_path / "orders.csv")
    dataset = data.load(tmp_path / "orders.csv", "big")
    order = evaluate.TimeOrder.of(dataset, "time")
    assert order.column == "注文日"
    split = evaluate.split(dataset.X, dataset.y, dataset.task, 0.2, 3, 0, order=order)
    train_dates = pd.to_datetime(split.X_train["注文日"])
    test_dates = pd.to_datetime(split.X_test["注文日"])
    assert len(test_dates) == 48 and train_dates.max() <= test_dates.min()
    assert split.facts == {
        "how": "time",
        "column": "注文日",
        "train_until": train_dates.max().strftime("%Y-%m-%d"),
        "test_from": test_dates.min().strftime("%Y-%m-%d"),
        "test_until": frame["注文日"].max(),
    }
    # the positions still point at the file's rows (test_predictions.csv and `predict` rely on them)
    assert list(dataset.X.loc[split.test_positions, "注文日"]) == list(split.X_test["注文日"])
    random = evaluate.split(dataset.X, dataset.y, dataset.task, 0.2, 3, 0)
    assert random.facts == {"how": "random"}
    assert pd.to_datetime(random.X_train["注文日"]).max() > pd.to_datetime(random.X_test["注文日"]).min()


@pytest.mark.parametrize(
    ("how", "second_date", "says"),
    [
        ("time", True, "several date columns (注文日, signup)"),
        ("time:region", False, "that column does not hold dates"),
        ("time:when", False, "there is no such column"),
    ],
)
def test_a_time_split_that_cannot_be_made_says_what_to_do(tmp_path, how, second_date, says):
    orders_table(tmp_path / "orders.csv", second_date=second_date)
    dataset = data.load(tmp_path / "orders.csv", "big")
    with pytest.raises(UserError, match=r"--split time") as raised:
        evaluate.TimeOrder.of(dataset, how)
    assert says in str(raised.value)


def test_a_table_without_dates_refuses_a_time_split_in_one_line(tmp_path, penguins_csv, capsys):
    from automl_tui.cli import main

    with pytest.raises(SystemExit) as finished:  # the command in this process: a refusal needs no new interpreter
        main([str(penguins_csv), "--split", "time", "--out", str(tmp_path / "runs")])
    said = capsys.readouterr().err
    assert finished.value.code == 2 and "Traceback" not in said
    assert said.strip().splitlines() == [
        "--split time needs a date column, and this table has none the product recognises. Use --split random, "
        "or --split time:COLUMN naming a column of dates."
    ]
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())


@pytest.mark.slow  # a real run of the engine: the full tier (see conftest)
def test_a_run_split_in_time_tests_on_the_latest_rows_and_says_so(tmp_path):
    orders_table(tmp_path / "orders.csv")
    run(quick_config(tmp_path / "orders.csv", tmp_path / "runs", target="big", split="time:注文日"))
    (folder,) = (tmp_path / "runs").iterdir()
    split = json.loads((folder / "data_profile.json").read_text(encoding="utf-8"))["split"]
    assert split["how"] == "time" and split["column"] == "注文日"
    file_rows = pd.read_csv(tmp_path / "orders.csv")
    tested = [int(r["row"]) for r in csv.DictReader((folder / "test_predictions.csv").open(encoding="utf-8-sig"))]
    assert file_rows.loc[[r - 1 for r in tested], "注文日"].min() == split["test_from"]
    report = (folder / "report.md").read_text(encoding="utf-8")
    assert f"Test rows: the latest by 注文日 ({split['test_from']} to {split['test_until']})" in report
    assert "--split 'time:注文日'" in report  # the Reproduce section repeats it


@pytest.mark.slow  # a real run of the engine: the full tier (see conftest)
def test_a_random_split_on_a_table_with_dates_says_how_to_test_on_the_latest(tmp_path):
    orders_table(tmp_path / "orders.csv")
    run(quick_config(tmp_path / "orders.csv", tmp_path / "runs", target="big", models=["linear"]))
    (folder,) = (tmp_path / "runs").iterdir()
    report = (folder / "report.md").read_text(encoding="utf-8")
    assert "rows chosen at random (20% of the table)" in report and "--split time:注文日" in report


@pytest.mark.slow
async def test_the_wizard_offers_a_time_split_for_a_table_with_dates(tmp_path, monkeypatch):
    from test_wizard import SIZE, dataset_ready, on_step, until
    from textual.widgets import Select, Static
    from wizard_support import no_clearml

    from automl_tui.app import AutomlApp
    from automl_tui.screens.choice import PresetScreen

    orders_table(tmp_path / "orders.csv")
    monkeypatch.chdir(tmp_path)
    app = AutomlApp(start_dir=tmp_path, out=tmp_path / "runs", clearml_queues=no_clearml)
    async with app.run_test(size=SIZE) as pilot:
        screen = await dataset_ready(pilot, app)
        choice = screen.query_one("#split", Select)
        box = screen.query_one("#split-box")
        assert box.display and "This table has dates" in str(box.query_one(Static).render())
        assert choice.value == "random"  # random unless the user agrees
        choice.focus()
        await pilot.press("enter", "down", "enter")  # open, the latest rows by 注文日, choose
        await until(pilot, lambda: choice.value == "time:注文日")
        screen.query_one("#next").focus()
        await pilot.press("enter")
        await until(pilot, on_step(app, PresetScreen))
        assert app.state.split == "time:注文日" and app.state.config().split == "time:注文日"
        assert "--split 'time:注文日'" in app.state.command_line()
        assert app.state.split_title(0.2) == "the latest by 注文日; trained on the earlier rows"  # the Ready screen
