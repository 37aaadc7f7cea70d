"""`automl-tui retrain`: the run's settings again on new rows; the new pick against the model in use on the same fresh
rows, "replace" only beyond the noise of those rows (issue 38, item 3)."""

import json
from pathlib import Path

import automl_tui_engine as engine
import numpy as np
import pandas as pd
import pytest
from automl_tui_engine.evaluation import FEW_ROWS
from conftest import copy_of, penguins_with_id, quick_config
from test_evaluation import cli  # the command as typed, --lang included


def rule_table(rows: int, weights: list[float], seed: int, start: str) -> pd.DataFrame:
    """Numeric inputs, a yes/no outcome from a weighted sum (5% of labels flipped), a date per row."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(rows, len(weights)))
    y = (X @ np.array(weights) > 0) ^ (rng.random(rows) < 0.05)
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(len(weights))])
    frame.insert(0, "day", pd.date_range(start, periods=rows, freq="h").strftime("%Y-%m-%d %H:%M"))
    frame["outcome"] = np.where(y, "yes", "no")
    return frame


@pytest.mark.slow
def test_a_changed_rule_is_replaced_and_the_new_run_names_the_model_in_use(tmp_path, capsys):
    rule, changed = [2.0, -1.0, 0.5], [-2.0, 1.0, 0.5]
    rule_table(800, rule, 1, "2026-01-01").to_csv(tmp_path / "old.csv", index=False)
    config = quick_config(tmp_path / "old.csv", tmp_path / "runs", target="outcome", split="time:day")
    champion = Path(engine.run(config).run_dir)
    rule_table(500, changed, 2, "2026-03-01").to_csv(tmp_path / "new.csv", index=False)

    code, out, err = cli(["retrain", champion, tmp_path / "new.csv"], capsys)
    assert code == 0, err
    assert "Replace: the new pick is better beyond the noise of these rows." in out
    (challenger,) = [
        p for p in (tmp_path / "runs").iterdir() if p.is_dir() and p != champion and "retrain" not in p.name
    ]
    record = json.loads((challenger / "run.json").read_text())["champion"]
    assert record["verdict"] == "replace" and record["champion_run"] == str(champion)
    assert record["gain"] > 2 * record["se"] and record["rows"] == 100  # the latest fifth of the new rows
    fresh = pd.read_csv(record["fresh"])
    assert list(fresh["day"]) == list(pd.read_csv(tmp_path / "new.csv")["day"].iloc[-100:])
    assert "Against the model in use" in (challenger / "report.md").read_text(encoding="utf-8")
    # the champion's own report says a retrain was weighed against it, and the verdict
    since = (champion / "report.md").read_text(encoding="utf-8").split("### Since the decision")[1]
    assert f"retrained as run {challenger.name}" in since and "Replace: the new pick is better" in since
    assert "Careful:" not in since  # the new rows are not the champion's own


def test_bad_inputs_are_one_line_exit_2_and_nothing_runs(penguin_run, tmp_path, capsys):
    run_dir = copy_of(penguin_run, tmp_path / "runs")
    frame = penguins_with_id()
    frame.drop(columns="species").to_csv(tmp_path / "no_target.csv", index=False)
    frame.head(40).to_csv(tmp_path / "few.csv", index=False)
    frame.to_csv(tmp_path / "new.csv", index=False)
    # the training table gone (a copy of the run, its settings pointing at a file that is not there)
    settings = run_dir / "config.toml"
    data = json.loads((run_dir / "run.json").read_text())["config"]["data"]
    settings.write_text(
        settings.read_text(encoding="utf-8").replace(data, str(tmp_path / "gone.csv")), encoding="utf-8"
    )
    for table, extra, words in (
        ("no_target.csv", [], "has no column 'species'"),
        ("few.csv", [], f"needs at least {5 * FEW_ROWS}"),  # a fifth of them fresh, FEW_ROWS at least
        ("new.csv", ["--append"], "which is not there any more"),
    ):
        code, out, err = cli(["retrain", run_dir, tmp_path / table, *extra], capsys)
        assert code == 2 and words in err and "Traceback" not in err, (table, err)
    assert not [p for p in (tmp_path / "runs").iterdir() if p.name.startswith("retrain-")]
