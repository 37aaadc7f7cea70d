"""Whole headless runs through the real command line, on real data."""

import json
import subprocess
import sys

import joblib
import pandas as pd
import pytest
from automl_tui_engine.outputs import png_browser
from conftest import PENGUINS, write_preset

from automl_tui.cli import main

pytestmark = pytest.mark.slow  # real runs of the engine or the wizard: the full tier (see conftest)

REPORT_SECTIONS = [
    "## 1. Decision Summary",
    "## 2. TopK",
    "### By score (",
    "### By speed",
    "### By size",
    "## 3. Alternatives",
    "## 4. Data",
    "## 5. Recommended model details",
    "## 6. Reproduce",
    "## 7. Debug: Missing artifacts",
]
RUN_JSON_KEYS = {
    "run_id",
    "dataset_key",
    "task",
    "target",
    "primary_metric",
    "priority",
    "recommended",
    "test_metrics",
    "budget_s",
    "elapsed_s",
    "n_candidates",
    "seed",
    "versions",
}


def info_explainer(model: str) -> str:
    return {"linear": "linear", "knn": "kernel"}.get(model, "tree")


def cli(args, capsys):
    """Run `automl-tui ARGS` in this process: (exit code, stdout, stderr)."""
    with pytest.raises(SystemExit) as finished:
        main([str(a) for a in args])
    captured = capsys.readouterr()
    return finished.value.code, captured.out, captured.err


def only_run_folder(out_dir):
    (folder,) = [p for p in out_dir.iterdir() if p.is_dir()]
    return folder


def assert_sections_in_order(report):
    positions = [report.index(section) for section in REPORT_SECTIONS]
    assert positions == sorted(positions)


def test_classification_run_through_the_installed_command(tmp_path, penguins_csv):
    preset = write_preset(
        tmp_path / "quick.toml", models=["linear", "hist_gb", "random_forest"], explain=True, charts="html+png"
    )
    out = tmp_path / "runs"
    done = subprocess.run(
        [sys.executable, "-m", "automl_tui", penguins_csv, "--preset", preset, "--target", "species", "--out", out],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    # piped: one plain line per finished model, then the Decision Summary, on stdout
    lines = done.stdout.splitlines()
    assert sum(line.split()[0] in ("linear", "hist_gb", "random_forest") for line in lines if line) == 3
    assert "Decision Summary" in lines and any(line.startswith("Recommended: ") for line in lines)
    assert "predicting 'species'" in done.stderr
    assert "Estimate: about" in done.stderr and "MB of memory for the table" in done.stderr

    folder = only_run_folder(out)
    for name in (
        "report.md",
        "leaderboard.csv",
        "results_summary.csv",
        "model.joblib",
        "config.toml",
        "run.json",
        "events.jsonl",
        "data_profile.json",
    ):
        assert (folder / name).is_file(), name
    info = json.loads((folder / "run.json").read_text())
    assert set(info) >= RUN_JSON_KEYS
    assert info["run_id"] == folder.name and info["task"] == "multiclass" and info["target"] == "species"
    assert info["primary_metric"] == "balanced_accuracy"  # Chinstrap (68) is under half of Adelie (152)
    assert info["n_candidates"] == 3 and info["status"] == "finished"
    assert info["test_metrics"]["balanced_accuracy"] > 0.9
    # the command's start-up (its imports) counts in the budget the user gave: elapsed from the process's start
    started = info["started"]
    assert info["elapsed_s"] > started["budget"] - started["process"] > 0

    leaderboard = pd.read_csv(folder / "leaderboard.csv")
    assert list(leaderboard.columns[:4]) == ["rank", "model", "balanced_accuracy_mean", "balanced_accuracy_std"]
    for column in (
        "fit_s",
        "predict_ms_per_1k",
        "predict_ms_single_row",
        "size_bytes",
        "rank_speed",
        "rank_size",
        "pareto",
        "roc_auc_mean",
        "log_loss_mean",
    ):
        assert column in leaderboard.columns
    assert list(leaderboard["rank"]) == [1, 2, 3]
    assert leaderboard["balanced_accuracy_mean"].is_monotonic_decreasing

    report = (folder / "report.md").read_text()
    assert_sections_in_order(report)
    assert info["run_id"] in report.splitlines()[0] and info["dataset_key"] in report.splitlines()[0]
    assert f"`{info['recommended']}`" in report.split("## 2.")[0]

    model = joblib.load(folder / "model.joblib")
    raw = pd.read_csv(penguins_csv)
    predictions = model.predict(raw.drop(columns="species"))
    assert (predictions == raw["species"]).mean() > 0.9  # raw rows in, including ones with missing values

    # explanations and charts, embedded next to the numbers they illustrate
    details = report.split("## 5.")[1].split("## 6.")[0]
    assert "### What drives the prediction" in details and "not causes" in details
    if png_browser.browser_path():  # .ci/run installs Chromium; without it the PNGs are listed as missing
        for chart in ("shap_summary", "permutation_importance", "confusion_matrix"):
            assert "![" in details and f"(plots/{chart}.png)" in details
            assert (folder / "plots" / f"{chart}.png").stat().st_size > 10_000
        assert "(plots/tradeoff_latency.png)" in report.split("## 2.")[0]
        assert "None: every expected artifact is present." in report.split("## 7.")[1]
    explanation = json.loads((folder / "explanation.json").read_text())
    assert explanation["explainer"] == info_explainer(info["recommended"])
    assert set(explanation["permutation_importance"]) <= set(raw.columns) - {"species"}

    kinds = [json.loads(line)["kind"] for line in (folder / "events.jsonl").read_text().splitlines()]
    assert kinds[0] == "run_started" and kinds[-1] == "run_finished"
    assert kinds.count("candidate_finished") == 3


@pytest.mark.slow
def test_a_command_execd_by_a_wrapper_counts_its_budget_from_its_own_start(tmp_path, penguins_csv):
    """`exec` keeps the process's start time: after a wrapper's 12 s of other work (an install, say) a 6 s budget
    and its 5 s grace counted from /proc's start were spent before the run began: every model skipped (exit 3)."""
    preset = write_preset(tmp_path / "quick.toml", time_budget_s=6, max_trials=None)  # a clock that runs out
    command = [sys.executable, "-m", "automl_tui", str(penguins_csv), "--preset", str(preset), "--out", "runs"]
    done = subprocess.run(
        ["sh", "-c", 'sleep 12 && exec "$@"', "wrapper", *command],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    info = json.loads((only_run_folder(tmp_path / "runs") / "run.json").read_text())
    assert info["status"] == "finished" and info["recommended"]


def test_regression_run(tmp_path, diabetes_csv, capsys):
    preset = write_preset(tmp_path / "quick.toml", models=["linear", "lightgbm", "knn"], explain=True, charts="html")
    code, out, err = cli(
        [
            diabetes_csv,
            "--preset",
            preset,
            "--target",
            "target",
            "--out",
            tmp_path / "runs",
            "--priority",
            "accuracy",
            "--seed",
            "3",
        ],
        capsys,
    )
    assert code == 0, err
    folder = only_run_folder(tmp_path / "runs")
    info = json.loads((folder / "run.json").read_text())
    assert info["task"] == "regression" and info["primary_metric"] == "r2" and info["seed"] == 3
    assert set(info["test_metrics"]) == {"r2", "rmse", "mae"}
    leaderboard = pd.read_csv(folder / "leaderboard.csv")
    best = leaderboard.loc[leaderboard["r2_mean"].idxmax(), "model"]
    assert info["recommended"] == best  # accuracy priority: the best cross-validated R²
    report = (folder / "report.md").read_text()
    assert_sections_in_order(report)
    assert "| count |" in report  # the target's distribution in the Data section
    # charts as HTML only (charts = "html"): linked, not embedded, and no PNG is expected
    assert "[Predicted against actual on the test rows](plots/predicted_vs_actual.html)" in report
    assert not list((folder / "plots").glob("*.png"))
    assert "None: every expected artifact is present." in report.split("## 7.")[1]
    model = joblib.load(folder / "model.joblib")
    raw = pd.read_csv(diabetes_csv)
    assert model.predict(raw.drop(columns="target").head(5)).shape == (5,)
    assert "--priority accuracy" in report and "--seed 3" in report  # Reproduce repeats the command


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["missing.csv"], "File not found"),
        (["{penguins}", "--target", "specis"], "did you mean 'species'"),
        (["{penguins}", "--preset", "fsat"], "did you mean 'fast'"),
        (["{penguins}", "--priority", "cheapest"], "priority"),
        (["{penguins}", "--metric", "r2", "--target", "species"], "does not apply"),
        ([], "Give a table"),
    ],
)
def test_bad_input_is_one_line_with_exit_2(tmp_path, penguins_csv, capsys, args, expected):
    args = [a.replace("{penguins}", str(penguins_csv)) for a in args] + ["--out", tmp_path / "runs"]
    code, out, err = cli(args, capsys)
    assert code == 2
    assert expected in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not (tmp_path / "runs").exists()  # nothing half-made is left behind


def test_a_failing_model_is_recorded_and_the_run_goes_on(tmp_path, breast_cancer_csv, capsys, extra_models):
    preset = write_preset(tmp_path / "p.toml", models=["broken", "linear"])
    code, out, err = cli([breast_cancer_csv, "--preset", preset, "--out", tmp_path / "runs"], capsys)
    assert code == 0, err
    assert "broken" in err and "this model always fails" in err
    folder = only_run_folder(tmp_path / "runs")
    results = pd.read_csv(folder / "results_summary.csv")
    assert dict(zip(results["model"], results["status"], strict=True)) == {"broken": "failed", "linear": "ok"}
    report = (folder / "report.md").read_text()
    assert "Models that did not finish" in report and "this model always fails" in report
    assert json.loads((folder / "run.json").read_text())["recommended"] == "linear"


def test_no_model_finishing_exits_3_and_still_reports(tmp_path, breast_cancer_csv, capsys, extra_models):
    preset = write_preset(tmp_path / "p.toml", models=["broken"])
    code, out, err = cli([breast_cancer_csv, "--preset", preset, "--out", tmp_path / "runs"], capsys)
    assert code == 3
    folder = only_run_folder(tmp_path / "runs")
    report = (folder / "report.md").read_text()
    assert report.index("## 1. Decision Summary") < report.index("## 7. Debug: Missing artifacts")
    assert "No model finished" in report and "`model.joblib` | no model finished" in report


def test_a_tiny_budget_still_trains_one_model_and_skips_the_rest(tmp_path, breast_cancer_csv, capsys):
    preset = write_preset(
        tmp_path / "p.toml", models=["linear", "hist_gb", "random_forest"], time_budget_s=1, max_trials=None
    )
    code, out, err = cli([breast_cancer_csv, "--preset", preset, "--out", tmp_path / "runs"], capsys)
    assert code == 0
    results = pd.read_csv(only_run_folder(tmp_path / "runs") / "results_summary.csv")
    assert sorted(results["status"]) == ["ok", "skipped", "skipped"]
    assert results.loc[results["status"] == "skipped", "reason"].str.contains("of the 1 s budget").all()


def test_presets_command_lists_each_preset_in_plain_words(capsys):
    code, out, err = cli(["presets"], capsys)
    assert code == 0
    assert out.index("fast:") < out.index("balanced:") < out.index("best:")
    assert "30 s" in out and "cross-validation" in out


def test_a_runs_config_toml_repeats_it_exactly(tmp_path, breast_cancer_csv, capsys):
    preset = write_preset(tmp_path / "p.toml", models=["linear", "hist_gb"], cv_folds=4)
    code, _, err = cli([breast_cancer_csv, "--preset", preset, "--out", tmp_path / "runs", "--seed", 7], capsys)
    assert code == 0, err
    first = only_run_folder(tmp_path / "runs")
    code, _, err = cli(["--preset", first / "config.toml"], capsys)  # no DATA: the config names it
    assert code == 0, err
    second = next(p for p in (tmp_path / "runs").iterdir() if p != first)
    columns = ["model", "accuracy_mean", "accuracy_std", "roc_auc_mean", "log_loss_mean"]
    before, after = (pd.read_csv(f / "leaderboard.csv")[columns] for f in (first, second))
    pd.testing.assert_frame_equal(before, after)
    assert json.loads((second / "run.json").read_text())["seed"] == 7
    assert f"automl-tui --preset {first / 'config.toml'}" in (first / "report.md").read_text()


def test_library_warnings_go_to_the_report_not_raw_stderr(tmp_path, breast_cancer_csv, capsys, extra_models):
    preset = write_preset(tmp_path / "p.toml", models=["noisy", "linear"])
    code, out, err = cli([breast_cancer_csv, "--preset", preset, "--out", tmp_path / "runs"], capsys)
    assert code == 0
    assert "UserWarning" not in err and err.count("this model complains while training") == 1
    report = (only_run_folder(tmp_path / "runs") / "report.md").read_text()
    assert "- noisy: this model complains while training" in report.split("### Warnings")[1]


def test_an_internal_error_is_one_line_with_exit_1(tmp_path, penguins_csv, capsys, monkeypatch):
    import automl_tui.headless

    def bug(handle):
        raise RuntimeError("something the code did not expect")

    monkeypatch.setattr(automl_tui.headless, "run_headless", bug)
    code, out, err = cli([penguins_csv, "--out", tmp_path / "runs"], capsys)
    assert code == 1 and "Traceback" not in err and "─" not in err
    assert err.strip() == (
        "automl-tui: internal error: RuntimeError: something the code did not expect "
        "(set AUTOML_TUI_DEBUG=1 for details)"
    )


def test_no_arguments_without_a_terminal_never_opens_the_wizard(capsys):
    from automl_tui.entry import main as entry_main

    with pytest.raises(SystemExit) as finished:
        entry_main([])  # under pytest, stdin and stdout are not a terminal
    assert finished.value.code == 2 and "Give a table" in capsys.readouterr().err


def test_no_browser_means_html_charts_and_a_missing_artifacts_entry(tmp_path, breast_cancer_csv, capsys, monkeypatch):
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-such-chrome"))
    preset = write_preset(tmp_path / "p.toml", models=["linear"], charts="html+png")
    code, out, err = cli([breast_cancer_csv, "--preset", preset, "--out", tmp_path / "runs"], capsys)
    assert code == 0  # the run finishes normally
    folder = only_run_folder(tmp_path / "runs")
    assert (folder / "plots" / "roc_curve.html").is_file()
    # said once, with what to install; not once per chart
    (said,) = [line for line in err.splitlines() if "PNG" in line]
    assert "PNG charts: this machine has no Chrome or Chromium" in said and "apt-get install chromium" in said
    # each chart's row in the report: one short sentence of ours
    missing = (folder / "report.md").read_text().split("## 7. Debug: Missing artifacts")[1]
    rows = [line for line in missing.splitlines() if ".png`" in line]
    assert len(rows) > 1 and "`plots/roc_curve.png` | this machine has no Chrome or Chromium" in missing
    assert all("apt-get install chromium" in row and "kaleido" not in row.lower() for row in rows)


def test_large_tables_are_searched_on_a_sample_and_refit_on_all_rows(tmp_path, breast_cancer_csv, capsys):
    preset = write_preset(tmp_path / "p.toml", models=["linear", "hist_gb"], search_rows=150)
    code, out, err = cli([breast_cancer_csv, "--preset", preset, "--out", tmp_path / "runs"], capsys)
    assert code == 0, err
    assert "compared on a stratified sample of 150 of the 455 training rows" in err
    info = json.loads((only_run_folder(tmp_path / "runs") / "run.json").read_text())
    assert info["refit"]["train_rows"] == 455 and info["refit"]["test_rows"] == 114
    # said where the reader looks first, with the real figures; the test rows as counted, not as asked
    report = (only_run_folder(tmp_path / "runs") / "report.md").read_text()
    summary = report.split("## 2.")[0]
    assert "- **Rows used**: The models were compared on a sample of 150 of the 455 training rows." in summary
    assert "Test rows: 114 rows chosen at random (20% of the table)" in report


def test_test_rows_capped_by_test_rows_max_are_counted_as_they_were(tmp_path, breast_cancer_csv, capsys):
    """A large table keeps at most test_rows_max rows for testing: the report says how many, not "20%"."""
    preset = write_preset(tmp_path / "p.toml", models=["linear"], test_rows_max=50)
    code, _, err = cli([breast_cancer_csv, "--preset", preset, "--out", tmp_path / "runs"], capsys)
    assert code == 0, err
    report = (only_run_folder(tmp_path / "runs") / "report.md").read_text()
    assert "Test rows: 50 rows chosen at random (9% of the table)" in report
    assert "Rows used" not in report.split("## 2.")[0]  # every training row compared and trained on


def test_a_table_too_big_for_memory_is_refused_before_reading(tmp_path, breast_cancer_csv, capsys, monkeypatch):
    from automl_tui_engine.table import reading

    monkeypatch.setattr(reading, "available_memory", lambda: 100_000)  # 100 KB free
    code, out, err = cli([breast_cancer_csv, "--out", tmp_path / "runs"], capsys)
    assert code == 2 and "GB of memory once read" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("where", [["--pipeline"], ["--pipeline", "--clone", "0" * 32, "--remote", "default"]])
def test_a_pipeline_without_a_queue_or_of_a_clone_is_refused_before_anything_starts(where, tmp_path, capsys):
    """launching.Where holds the rule for every face: a pipeline's steps need a queue, and a clone is one task."""
    data = [] if "--clone" in where else [PENGUINS]
    code, out, err = cli([*data, *where, "--out", tmp_path / "runs"], capsys)
    assert code == 2 and "--pipeline puts a run's steps on a ClearML queue" in err and "Traceback" not in err
    assert not (tmp_path / "runs").exists()
