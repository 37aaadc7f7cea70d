"""Each chart is drawn from the right data, and a missing browser costs PNGs, never the run."""

import shutil

import numpy as np
import pandas as pd
import pytest
from automl_tui_engine import decision
from automl_tui_engine.extension.registry import metrics
from automl_tui_engine.outputs import plots

ACCURACY = metrics.get("accuracy")
ROWS = [
    {"model": m, "accuracy_mean": s, "accuracy_std": 0.01, "predict_ms_per_1k": ms, "size_bytes": b}
    for m, s, ms, b in [
        ("forest", 0.92, 60.0, 3e6),
        ("boost", 0.915, 20.0, 4e5),
        ("linear", 0.912, 5.0, 4e3),
        ("knn", 0.88, 30.0, 5e4),
    ]
]


def test_tradeoff_chart_marks_the_leaderboards_pareto_front_and_pick():
    chosen = decision.decide(ROWS, ACCURACY, "balanced", 0.01, 5)
    fig = plots.tradeoff(ROWS, ACCURACY, chosen.pareto, chosen.recommended, "latency")
    front, *markers = fig.data
    on_front = sorted((r for r in ROWS if r["model"] in chosen.pareto), key=lambda r: r["predict_ms_per_1k"])
    assert list(front.x) == [r["predict_ms_per_1k"] for r in on_front]
    assert list(front.y) == [r["accuracy_mean"] for r in on_front]
    by_name = {m.name: m for m in markers}
    assert set(by_name) == {r["model"] for r in ROWS}
    for row in ROWS:
        assert by_name[row["model"]].y[0] == row["accuracy_mean"]
    assert by_name[chosen.recommended].marker.symbol == "star"
    assert by_name["knn"].marker.color == plots.OTHER_COLOR  # dominated: not on the front
    assert fig.layout.xaxis.type == "log"


def test_confusion_matrix_counts_the_test_rows():
    y_true = pd.Series(["a", "a", "b", "b", "b", "c"])
    y_pred = np.array(["a", "b", "b", "b", "c", "c"])
    fig = plots.confusion(y_true, y_pred, ["a", "b", "c"])
    assert np.array(fig.data[0].z).tolist() == [[1, 1, 0], [0, 2, 1], [0, 0, 1]]


def test_leaderboard_chart_has_every_model_with_its_spread():
    fig = plots.leaderboard(ROWS, ACCURACY)
    assert list(fig.data[0].x) == ["forest", "boost", "linear", "knn"]
    assert list(fig.data[0].error_y.array) == [0.01] * 4


def test_without_a_browser_html_is_written_and_each_png_is_reported(tmp_path, monkeypatch):
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-such-chrome"))
    figures = {"leaderboard": plots.leaderboard(ROWS, ACCURACY), "knn_only": plots.leaderboard(ROWS[3:], ACCURACY)}
    missing = plots.export(figures, tmp_path / "plots")
    assert (tmp_path / "plots" / "leaderboard.html").is_file() and (tmp_path / "plots" / "plotly.min.js").is_file()
    assert set(missing) == {"plots/leaderboard.png", "plots/knn_only.png"}
    assert all("apt-get install chromium" in reason for reason in missing.values())
    assert not list((tmp_path / "plots").glob("*.png"))


@pytest.mark.skipif(shutil.which("chromium") is None, reason="no Chromium (.ci/run installs it)")
@pytest.mark.slow
def test_pngs_are_exported_in_one_batch(tmp_path):
    figures = {name: plots.leaderboard(ROWS[:i], ACCURACY) for i, name in enumerate(("one", "two", "three"), 2)}
    assert plots.export(figures, tmp_path) == {}
    for name in figures:
        assert (tmp_path / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
