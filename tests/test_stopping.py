"""A run stopped part-way (Ctrl+C, SIGTERM, kill -9) keeps every model that finished, says it was interrupted,
and leaves a folder `automl-tui report` can rebuild."""

import json
import subprocess
import sys

import pandas as pd
import pytest
from conftest import sigint_as_at_a_terminal, write_preset
from test_end_to_end import cli, only_run_folder

pytestmark = pytest.mark.slow  # real runs of the engine: the full tier (see conftest)


def test_ctrl_c_during_a_fit_keeps_finished_models_and_exits_130(tmp_path, breast_cancer_csv, capsys, extra_models):
    preset = write_preset(tmp_path / "p.toml", models=["linear", "interrupted", "hist_gb"], explain=True)
    code, out, err = cli([breast_cancer_csv, "--preset", preset, "--out", tmp_path / "runs"], capsys)
    assert code == 130
    folder = only_run_folder(tmp_path / "runs")
    results = pd.read_csv(folder / "results_summary.csv")
    assert dict(zip(results["model"], results["status"], strict=True)) == {
        "linear": "ok",
        "interrupted": "cancelled",
        "hist_gb": "skipped",
    }
    info = json.loads((folder / "run.json").read_text())
    assert info["status"] == "cancelled" and info["recommended"] == "linear"
    assert "This run was cancelled" in (folder / "report.md").read_text()
    assert (folder / "model.joblib").is_file()
    # measured against what a complete run leaves: the explanation it did not make is listed, not left unsaid
    debug = (folder / "report.md").read_text().split("## 7.")[1]
    assert "| `explanation.json` | the run was cancelled before it was made |" in debug


@pytest.mark.parametrize(("stop", "code"), [("SIGINT", 130), ("SIGTERM", 143)])
def test_a_stop_signal_keeps_finished_models_reports_and_exits_128_plus_it(tmp_path, stop, code):
    """Ctrl+C, and SIGTERM (timeout, docker stop, systemd, a CI cancel) the same way."""
    import signal
    import time

    from sklearn.datasets import load_breast_cancer

    frame = load_breast_cancer(as_frame=True).frame
    data = tmp_path / "cancer_x20.csv"
    pd.concat([frame] * 20, ignore_index=True).to_csv(data, index=False)  # slow enough to interrupt
    preset = write_preset(tmp_path / "p.toml", models=["linear", "random_forest", "extra_trees"])
    out = tmp_path / "runs"
    child = subprocess.Popen(
        [sys.executable, "-m", "automl_tui", data, "--preset", preset, "--target", "target", "--out", out],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=sigint_as_at_a_terminal,
    )
    deadline = time.monotonic() + 120
    while True:  # wait for the first finished model, then stop the run
        events = list(out.glob("*/events.jsonl"))
        if events and "candidate_finished" in events[0].read_text():
            break
        assert time.monotonic() < deadline and child.poll() is None, "no model finished before the deadline"
        time.sleep(0.1)
    child.send_signal(getattr(signal, stop))
    stdout, stderr = child.communicate(timeout=60)
    assert child.returncode == code, stderr
    assert "Traceback" not in stderr and "Interrupted" in stderr
    folder = only_run_folder(out)
    results = pd.read_csv(folder / "results_summary.csv")
    assert results.loc[results["model"] == "linear", "status"].item() == "ok"
    assert set(results["status"]) <= {"ok", "cancelled", "skipped"} and len(results) == 3
    report = (folder / "report.md").read_text()
    assert "`linear`" in report.split("## 2.")[0]


def test_kill_9_mid_run_leaves_a_folder_report_can_rebuild(tmp_path, capsys):
    import signal
    import time

    from sklearn.datasets import load_breast_cancer

    frame = load_breast_cancer(as_frame=True).frame
    data = tmp_path / "cancer_x20.csv"
    pd.concat([frame] * 20, ignore_index=True).to_csv(data, index=False)
    preset = write_preset(tmp_path / "p.toml", models=["linear", "hist_gb", "random_forest", "extra_trees"])
    out = tmp_path / "runs"
    child = subprocess.Popen(
        [sys.executable, "-m", "automl_tui", data, "--preset", preset, "--target", "target", "--out", out],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while True:  # two models finished, a third in training: no warning, no clean-up
        events = list(out.glob("*/events.jsonl"))
        if events and events[0].read_text().count("candidate_finished") >= 2:
            break
        assert time.monotonic() < deadline and child.poll() is None, "two models did not finish before the deadline"
        time.sleep(0.05)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    folder = only_run_folder(out)
    assert not (folder / "report.md").exists()
    code, printed, err = cli(["report", folder], capsys)
    assert code in (0, None) and printed.strip().endswith("report.md"), err
    report = (folder / "report.md").read_text()
    assert "did not finish (interrupted or crashed)" in report.split("## 1.")[0]
    finished = pd.read_csv(folder / "results_summary.csv")
    finished = finished.loc[finished["status"] == "ok", "model"]
    assert len(finished) >= 2
    for model in finished:
        assert f"`{model}`" in report.split("## 3.")[0]  # every finished model is in the rebuilt TopK
    assert "`model.joblib` | the run stopped before writing it" in report.split("## 7.")[1]
