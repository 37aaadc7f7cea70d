"""The tables the product's first users bring (tests/data/business_tables.py: a cp932 churn table with 15% leaving,
a sales table with money in yen and shares in percent, a European Excel export), through the real engine: the
report a business reader gets says whether the model is any good, in the table's own units."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from automl_tui_engine.formatting import score_text, spread_text
from automl_tui_engine.runner import run
from conftest import quick_config

sys.path.insert(0, str(Path(__file__).parent / "data"))
import business_tables  # noqa: E402


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    return business_tables.make(tmp_path_factory.mktemp("business"))


def only_run(out):
    (folder,) = out.iterdir()
    return folder, (folder / "report.md").read_text(encoding="utf-8")


def test_figures_are_written_in_the_targets_unit():
    assert score_text(153362.3393, bounded=False, unit="¥") == "¥153,362"
    assert score_text(-12.5, bounded=False, unit="$") == "-$12.5"
    assert score_text(3.25, bounded=False, unit="%") == "3.25%"
    assert score_text(1234.5, bounded=False, unit="kg") == "1,234 kg"
    assert score_text(0.98765) == "0.988"
    assert score_text(float("nan")) == "—"


def test_a_score_and_its_spread_are_written_to_the_same_decimals():
    from automl_tui_engine.extension.registry.metrics import MetricFacts

    error = MetricFacts("log_loss", "log loss", greater_is_better=False, bounded=False)
    assert spread_text(0.09136, 0.004698, error) == "0.0914 ± 0.0047"  # not 0.09136 ± 0.004698
    assert spread_text(12.0, 0.31, MetricFacts("mape", "MAPE", False, False, "%")) == "12.00% ± 0.31%"
    assert spread_text(153362.3, 1838.2, MetricFacts("rmse", "RMSE", False, False, "¥")) == "¥153,362 ± ¥1,838"
    assert spread_text(0.9134, 0.0141, MetricFacts("accuracy", "accuracy", True, True)) == "0.913 ± 0.014"


@pytest.mark.slow  # a real run of the engine: the full tier (see conftest)
def test_a_cp932_churn_table_gets_a_verdict_a_baseline_and_what_it_finds_per_class(tmp_path, tables):
    run(quick_config(tables["churn.csv"], tmp_path / "runs", target="解約"))
    folder, report = only_run(tmp_path / "runs")
    assert "encoding cp932" in report
    first_screen = report.split("## 2.")[0]
    assert "- **Is it any good?** Clearly better than guessing: balanced accuracy" in first_screen
    assert "for always answering 'いいえ'" in first_screen
    assert "| いいえ | 71 |" in first_screen and "| はい | 13 |" in first_screen  # the per-class table
    assert "| — | guessing (baseline) | 0.500 ± 0.000 | — | — |" in report
    # plain words before TopK, where most terms first appear, and the kinds of the models the tables name
    words = first_screen.split("### Plain words")[1]
    assert "- **balanced accuracy**: how often the model is right within each class" in words
    assert "- **Pareto**: models that no other model beats" in words and "- **TopK**:" in words
    assert "- Model kinds: `" in words


@pytest.mark.slow  # a real run of the engine: the full tier (see conftest)
def test_a_sales_table_in_yen_reports_its_errors_in_yen(tmp_path, tables):
    run(quick_config(tables["sales.csv"], tmp_path / "runs", target="売上"))
    folder, report = only_run(tmp_path / "runs")
    record = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    assert record["target_unit"] == "¥" and record["metric_facts"]["rmse"]["unit"] == "¥"
    assert "for always predicting the average (¥1" in report
    rmse = next(line for line in report.splitlines() if line.startswith("| RMSE |"))
    cv, test = rmse.split("|")[2:4]
    assert cv.strip().startswith("¥") and " ± ¥" in cv and test.strip().startswith("¥")
    assert record["test_metrics"]["rmse"] > 1000 and "," in test  # thousands separated, no decimals
    assert "'値引率' holds numbers written as text" in report  # 12% read as the number 12


@pytest.mark.slow  # a real run of the engine: the full tier (see conftest)
def test_an_excel_export_with_semicolons_and_decimal_commas_can_be_tested_on_its_latest_rows(tmp_path, tables):
    run(quick_config(tables["excel_export.csv"], tmp_path / "runs", target="cultivar", split="time"))
    folder, report = only_run(tmp_path / "runs")
    profile = json.loads((folder / "data_profile.json").read_text(encoding="utf-8"))
    kinds = {c["name"]: c["kind"] for c in profile["profiles"]}
    assert kinds["alcohol"] == "numeric" and kinds["order_date"] == "datetime"
    assert "delimiter ';'" in report
    assert "Test rows: the latest by order_date (2025-" in report
