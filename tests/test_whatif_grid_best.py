"""A grid of conditions and the search for the best inputs (issue 20): on a table whose best inputs are known by
construction, the search lands within 1% of the optimum (with and without a condition) and a seeded search
repeats exactly; grids make their table, chart and record; bad input is one line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from automl_tui_engine.outputs import rundir
from automl_tui_engine.table import reading
from automl_tui_engine.whatif import best, grid
from automl_tui_engine.whatif.case import SavedModel
from test_end_to_end import cli

pytestmark = pytest.mark.slow  # real searches and the CLI face: the full tier (see conftest)

BEST_YIELD = 55.0  # the bowl's top: temperature 3, pressure 7, line B


def true_yield(temperature, pressure, line):
    return 50 - (temperature - 3) ** 2 - (pressure - 7) ** 2 + (5 if line == "B" else 0)


@pytest.fixture(scope="module")
def bowl(tmp_path_factory) -> tuple[Path, Path]:
    """(a run folder, its table): a yield that peaks at known settings, learned by gradient-boosted trees."""
    import automl_tui_engine as engine
    import numpy as np
    import pandas as pd
    from automl_tui_engine import config

    folder = tmp_path_factory.mktemp("bowl")
    rng = np.random.default_rng(0)
    temperature, pressure = rng.uniform(0, 10, 1500), rng.uniform(0, 10, 1500)
    line = rng.choice(["A", "B", "C"], 1500)
    table = pd.DataFrame({"temperature": temperature, "pressure": pressure, "line": line})
    table["yield"] = [true_yield(*row) for row in table.itertuples(index=False)]
    path = folder / "bowl.csv"
    table.to_csv(path, index=False)
    values = {"data": path, "target": "yield", "out": folder / "runs", "models": ["hist_gb"], "max_trials": 0}
    values.update(cv_folds=3, latency_repeats=1, explain=False, charts="none", ensemble=False)
    return Path(engine.run(config.build("fast", values)).run_dir), path


@pytest.fixture
def asked_run(recorded_run, tmp_path) -> Path:
    """A copy of the recorded run to ask: records go into its whatif/, not the replayed one's."""
    return Path(shutil.copytree(recorded_run, tmp_path / recorded_run.name))


def test_the_search_finds_the_known_best_inputs_and_a_seeded_search_repeats(bowl):
    saved = SavedModel.open(bowl[0])
    found = best.search(saved, ["temperature", "pressure", "line"], trials=200, seed=0)
    top = found.table.iloc[0]
    assert top["line"] == "B"
    assert true_yield(top["temperature"], top["pressure"], top["line"]) >= 0.99 * BEST_YIELD
    assert list(found.table["rank"]) == [1, 2, 3, 4, 5] and found.met == 200 == len(found.history)
    assert found.best_so_far[-1] == top["prediction"] == max(found.history)
    again = best.search(saved, ["temperature", "pressure", "line"], trials=200, seed=0)
    assert again.table.equals(found.table) and again.history == found.history
    # a strict condition is not met by a tie, even where whole numbers make ties likely
    strict = best.search(saved, ["temperature"], constraints=["temperature > 3"], trials=40)
    assert (strict.table["temperature"] > 3).all()
    # under a condition the top moves onto its edge: temperature 2, pressure 6 (yield 53)
    held = best.search(saved, ["temperature", "pressure", "line"], constraints=["temperature + pressure <= 8"])
    top = held.table.iloc[0]
    assert top["temperature"] + top["pressure"] <= 8 and 0 < held.met < 200
    assert true_yield(top["temperature"], top["pressure"], top["line"]) >= 0.99 * 53


def test_optimize_on_the_command_line_keeps_a_record_the_report_lists(asked_run, capsys, tmp_path):
    out = tmp_path / "best.csv"
    code, said, err = cli(
        ["optimize", asked_run, "--free", "flipper_length_mm,island", "--class", "Gentoo", "--trials", "30"]
        + ["--range", "flipper_length_mm=150:240", "--fix", "bill_depth_mm=14", "--top", "3", "-o", out],
        capsys,
    )
    assert code in (None, 0), err
    assert said.startswith("Best inputs for the highest probability of Gentoo (30 input sets tried); ")
    assert "Held at: bill_depth_mm = 14." in said and "bill_depth_mm" not in err  # within what training saw
    assert "not causes" in said and len(out.read_text(encoding="utf-8-sig").splitlines()) == 4
    # 150 is below what training saw of flipper_length_mm: a top row that reaches there says so
    record = json.loads((asked_run / rundir.WHATIF / "001-best.json").read_text(encoding="utf-8"))
    assert record["asked"]["free"] == ["flipper_length_mm", "island"] and record["asked"]["trials"] == 30
    assert record["asked"]["said"].startswith("automl-tui optimize ") and "001-best-history.html" in record["files"]
    report = (asked_run / rundir.REPORT).read_text(encoding="utf-8")
    assert "whatif/001-best.csv" in report and "not causes" in report
    code, _, err = cli(["optimize", asked_run, "--free", "island", "--class", "Gentoo", "-o", out], capsys)
    assert code == 2 and "already exists" in err and not (asked_run / rundir.WHATIF / "002-best.json").exists()
    # a held value training never saw is said as whatif --set says it
    asked = ["optimize", asked_run, "--free", "island", "--class", "Gentoo", "--trials", "5"]
    asked += ["--fix", "bill_depth_mm=99"]
    code, said, err = cli(asked, capsys)
    assert code in (None, 0) and "Held at: bill_depth_mm = 99." in said
    assert err.startswith("Careful: ") and "bill_depth_mm" in err


def test_a_grid_of_one_column_gives_a_line_and_of_two_a_heatmap(asked_run, capsys):
    code, said, err = cli(["whatif", asked_run, "--vary", "flipper_length_mm=170:235:5", "--class", "Adelie"], capsys)
    assert code in (None, 0), err
    assert said.startswith("The model's answers for 14 settings of flipper_length_mm;")
    assert err.startswith("Careful: the model has not seen 2 of the values given to flipper_length_mm (170, 235)")
    table = grid_table(asked_run, "001-grid")
    assert list(table["flipper_length_mm"]) == list(range(170, 240, 5))
    adelie = table["probability_Adelie"]
    assert adelie.iloc[0] > 0.5 > adelie.iloc[-1]  # long flippers are not an Adelie's
    record = json.loads((asked_run / rundir.WHATIF / "001-grid.json").read_text(encoding="utf-8"))
    made = set(record["files"]) | set(record["not_made"])
    assert {"001-grid.csv", "001-grid-chart.html", "001-grid-chart.png"} <= made
    code, said, _ = cli(["whatif", asked_run, "--vary", "island=*", "--vary", "bill_length_mm=*"], capsys)
    assert code in (None, 0) and "63 settings of island, bill_length_mm" in said
    assert len(grid_table(asked_run, "002-grid")) == 3 * 21
    report = (asked_run / rundir.REPORT).read_text(encoding="utf-8")
    assert report.index("whatif/001-grid.csv") < report.index("whatif/002-grid.csv")


def test_a_grid_over_a_table_averages_each_rows_curve(bowl):
    run_dir, table_path = bowl
    saved = SavedModel.open(run_dir)
    table, _ = reading.read_table(table_path)
    found = grid.grid(saved, [grid.parse(saved, "temperature=0:10:1")], table=table)
    assert found.rows == grid.MOST_ROWS and found.curves.shape == (grid.MOST_ROWS, 11)
    assert found.table["prediction"].tolist() == pytest.approx(found.curves.mean(axis=0).tolist())
    peak = found.table.loc[found.table["prediction"].idxmax(), "temperature"]
    assert 2 <= peak <= 4  # the bowl's top is at temperature 3, whatever the other columns
    # what is set holds in every row of the table: line B adds 5 to every row's yield
    on_b = grid.grid(saved, [grid.parse(saved, "temperature=0:10:1")], {"line": "B"}, table=table)
    assert (on_b.table["prediction"] > found.table["prediction"]).all()
    two = grid.grid(saved, [grid.parse(saved, "temperature=*"), grid.parse(saved, "pressure=*")], {"line": "B"})
    top = two.table.loc[two.table["prediction"].idxmax()]
    assert abs(top["temperature"] - 3) <= 1 and abs(top["pressure"] - 7) <= 1


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["whatif", "--vary", "island"], "'island' is not COLUMN=SPEC"),
        (["whatif", "--vary", "bill_length_mm=50:30"], "'50:30' is not a range for 'bill_length_mm'"),
        (["whatif", "--vary", "bill_length_mm=0:1000:0.01"], "'bill_length_mm' would take 100001 values"),
        (["whatif", "--vary", "island=*", "--set", "island=Dream"], "'island' is both varied and --set"),
        (["whatif", "--vary", "island=*", "--class", "Emperor"], "'Emperor' is not a class this model predicts"),
        (["optimize", "--free", "island"], "Say which class's probability to search for, e.g. --class Gentoo"),
        (["whatif", "--set", "bill_length_mm=40,5"], "'40,5' is not a number"),  # a decimal comma, not 405
        (["whatif", "--class", "Gentoo", "--rows", "x.csv"], "--rows, --class belong to a grid of conditions"),
        (["whatif", "--vary", "island=*", "--json"], "--json is for one case"),
        (["whatif", "--vary", "island=*", "-o", "/no/such/folder/x.csv"], "The folder /no/such/folder does not"),
        (["optimize", "--free", "islnd", "--class", "Gentoo"], "'islnd' is not an input column of this model"),
        (
            ["optimize", "--free", "bill_length_mm", "--class", "Gentoo", "--constraint", "__import__('os')"],
            "'__import__('os')' is not a condition automl-tui can check",
        ),
        (
            ["optimize", "--free", "bill_length_mm", "--class", "Gentoo", "--constraint", "island < 3"],
            "'island' in 'island < 3' does not hold numbers",
        ),
        (
            ["optimize", "--free", "bill_length_mm", "--class", "Gentoo", "--trials", "20"]
            + ["--constraint", "bill_length_mm + 5 <= 0"],
            "None of the 20 input sets tried met bill_length_mm + 5 <= 0",
        ),
        (["optimize", "--free", "bill_length_mm", "--class", "Gentoo", "--range", "island=x"], "--range names"),
    ],
)
def test_bad_grids_and_searches_are_one_line(asked_run, capsys, args, said):
    code, _, err = cli([args[0], asked_run, *args[1:]], capsys)
    assert code == 2 and err.startswith(said) and len(err.strip().splitlines()) == 1


def grid_table(run_dir: Path, name: str):
    import pandas as pd

    return pd.read_csv(run_dir / rundir.WHATIF / f"{name}.csv", encoding="utf-8-sig")


def test_the_report_says_which_chart_of_a_record_was_not_made_and_why(asked_run):
    from automl_tui_engine.outputs import whatif_record

    assert whatif_record.section(asked_run) == ""  # nothing asked yet: no part in the report
    folder = asked_run / rundir.WHATIF
    folder.mkdir()
    asked = {"said": "automl-tui whatif R --vary a=*", "summary": "probability of x lowest, 0.1, at a = 1."}
    record = {"kind": "grid", "made": "2026-11-29 21:00:00", "asked": asked}
    record |= {"files": ["001-grid.csv"], "not_made": {"001-grid-chart.png": "no browser for the charts"}}
    (folder / "001-grid.json").write_text(json.dumps(record), encoding="utf-8")
    said = whatif_record.section(asked_run)
    assert (
        "grid of conditions: probability of x lowest, 0.1, at a = 1. Asked with `automl-tui whatif R --vary a=*`"
        in said
    )
    assert "(`whatif/001-grid.csv`; `001-grid-chart.png`: no browser for the charts)" in said


def test_a_strict_condition_on_whole_numbers_excludes_the_tie(recorded_run):
    saved = SavedModel.open(recorded_run)
    assert saved.fields["flipper_length_mm"].whole  # training saw whole millimetres: trials try whole numbers
    # the least Gentoo-like flippers above 210: 210 itself would win if a tie counted as met
    found = best.search(
        saved, ["flipper_length_mm"], maximize=False, focus="Gentoo", constraints=["flipper_length_mm > 210"]
    )
    assert (found.table["flipper_length_mm"] > 210).all() and found.met < len(found.history)
