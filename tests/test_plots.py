"""Each chart is drawn from the right data, and a missing browser costs PNGs, never the run."""

import re
import shutil
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from automl_tui_engine import decision
from automl_tui_engine.extension.registry import metrics
from automl_tui_engine.messages import t
from automl_tui_engine.outputs import chart_style, plots, png_browser, run_charts, shap_chart
from automl_tui_engine.tasks import Task

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
JAPANESE_ROWS = [{**row, "model": name} for row, name in zip(ROWS, ["森林", "ブースト", "線形", "近傍"], strict=True)]


def test_tradeoff_chart_marks_the_leaderboards_pareto_front_and_pick():
    chosen = decision.decide(ROWS, ACCURACY, "balanced", 0.01, 5)
    fig = run_charts.tradeoff(ROWS, ACCURACY, chosen.pareto, chosen.recommended, "latency")
    front, *markers, others = fig.data
    on_front = sorted((r for r in ROWS if r["model"] in chosen.pareto), key=lambda r: r["predict_ms_per_1k"])
    assert list(front.x) == [r["predict_ms_per_1k"] for r in on_front]
    assert list(front.y) == [r["accuracy_mean"] for r in on_front]
    # the front and the pick are named in the legend; the rest are one grey entry, named on hover only
    by_name = {m.name.removesuffix(" (recommended)"): m for m in markers}
    assert set(by_name) == {r["model"] for r in on_front} | {chosen.recommended}
    for row in on_front:
        assert by_name[row["model"]].y[0] == row["accuracy_mean"]
    assert by_name[chosen.recommended].marker.symbol == "star"
    assert list(others.text) == ["knn"] and others.marker.color == chart_style.OTHER_COLOR  # dominated
    assert all("text" not in trace.mode for trace in fig.data)  # no name is printed over another
    assert fig.layout.xaxis.type == "log"
    assert list(fig.layout.xaxis.ticktext) == ["5", "10", "20", "50", "100"]  # 20 is written "20", not "2"


def test_confusion_matrix_counts_the_test_rows():
    y_true = pd.Series(["a", "a", "b", "b", "b", "c"])
    y_pred = np.array(["a", "b", "b", "b", "c", "c"])
    fig = plots.confusion(y_true, y_pred, ["a", "b", "c"])
    assert np.array(fig.data[0].z).tolist() == [[1, 1, 0], [0, 2, 1], [0, 0, 1]]


def test_leaderboard_chart_zooms_to_the_models_and_labels_each_score():
    fig = run_charts.leaderboard(ROWS, ACCURACY, recommended="linear", guess=0.5)
    (dots,) = fig.data
    # the best at the top, each named with its score (labels on the dots touched the row above)
    assert list(dots.y) == ["knn  0.880", "linear  0.912", "boost  0.915", "forest  0.920"]
    assert list(dots.error_x.array) == [0.01] * 4 and dots.mode == "markers"
    assert list(dots.marker.symbol) == ["circle", "star", "circle", "circle"]
    low, high = fig.layout.xaxis.range
    assert 0.85 < low < 0.87 and 0.93 < high < 0.95  # not 0 to 1, where every model looks the same
    assert "Guessing scores 0.500, far off this range" in fig.layout.title.text
    # a spread past a perfect score is drawn up to 1 only, and the axis stops there
    perfect = run_charts.leaderboard([{**ROWS[0], "accuracy_mean": 0.986, "accuracy_std": 0.02}], ACCURACY)
    assert list(perfect.data[0].error_x.array) == [pytest.approx(0.014)] and perfect.layout.xaxis.range[1] <= 1.01
    near = run_charts.leaderboard(ROWS, ACCURACY, guess=0.86)
    assert near.layout.shapes[0].x0 == 0.86 and near.layout.xaxis.range[0] < 0.86  # drawn where it is


def test_the_shap_chart_says_which_class_moves_right():
    assert "makes 'はい' more likely" in shap_chart._shap_title("はい")
    assert "explained for the class predicted for it" in shap_chart._shap_title("predicted")
    assert "raises the prediction" in shap_chart._shap_title(None)


def test_the_terminal_chart_keeps_its_height_for_the_models_near_the_top():
    from automl_tui.widgets.pareto_chart import ParetoChart

    rows = [*ROWS, {"model": "broken", "accuracy_mean": 0.31, "predict_ms_per_1k": 900.0}]
    text = str(ParetoChart(rows, ACCURACY, ["forest", "boost", "linear"], "linear").render())
    lines = text.splitlines()
    marked = [i for i, line in enumerate(lines[:10]) if any(mark in line for mark in "★●○")]
    assert len(marked) >= 4  # the four close models spread over the rows, not squashed into the top one
    assert lines[9].lstrip().startswith("≤") and "○5" in lines[9]  # the far-off one is pinned at the bottom
    assert "≥" in lines[11]  # and its slow predict time is pinned at the right edge


def test_without_a_browser_html_is_written_and_each_png_is_reported(tmp_path, monkeypatch):
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-such-chrome"))
    figures = {
        "leaderboard": run_charts.leaderboard(ROWS, ACCURACY),
        "knn_only": run_charts.leaderboard(ROWS[3:], ACCURACY),
    }
    missing = plots.export(figures, tmp_path / "plots")
    assert (tmp_path / "plots" / "leaderboard.html").is_file() and (tmp_path / "plots" / "plotly.min.js").is_file()
    assert set(missing) == {"plots/leaderboard.png", "plots/knn_only.png"}
    # our words, not the library's (whose advice, a download, cannot work without the internet)
    (reason,) = set(missing.values())
    assert "no Chrome or Chromium" in reason and "(Debian/Ubuntu: apt-get install chromium)" in reason
    assert "kaleido" not in reason.lower()
    assert not list((tmp_path / "plots").glob("*.png"))


def test_without_a_browser_or_a_japanese_font_both_are_named_at_once(tmp_path, monkeypatch):
    """Naming only one, the user installs it, runs again, and only then learns of the other."""
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-such-chrome"))
    monkeypatch.setattr(png_browser, "has_japanese_font", lambda: False)
    figures = {"leaderboard": run_charts.leaderboard(JAPANESE_ROWS, ACCURACY)}
    (reason,) = plots.export(figures, tmp_path / "plots").values()
    assert "no Chrome or Chromium and no Japanese font" in reason
    assert "apt-get install chromium fonts-noto-cjk" in reason


@pytest.mark.skipif(shutil.which("chromium") is None, reason="no Chromium (.ci/run installs it)")
@pytest.mark.slow
def test_one_browser_draws_the_pngs_of_several_exports(tmp_path):
    from automl_tui_engine.outputs.png_browser import PngBrowser

    figures = {name: run_charts.leaderboard(ROWS[:i], ACCURACY) for i, name in enumerate(("one", "two", "three"), 2)}
    browser = PngBrowser()  # as a run starts it, before the search
    try:
        for folder in (tmp_path / "first", tmp_path / "second"):
            assert plots.export(figures, folder, browser=browser) == {}
            for name in figures:
                assert (folder / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        # a run whose budget and margin are spent starts no chart that would end past them: each one is listed
        late = plots.export(figures, tmp_path / "late", browser=browser, until=time.monotonic())
        assert set(late) == {f"late/{name}.png" for name in figures} and not list((tmp_path / "late").glob("*.png"))
        assert set(late.values()) == {t("missing.png_time_spent", made=0, charts=3)}
        assert (tmp_path / "late" / "one.html").is_file()
        # a chart that needs more room than the others (the SHAP chart's legend of many categories) gets it
        rows = pd.DataFrame({f"c{i}": [f"v{j}" for j in range(30)] for i in range(6)})
        tall = shap_chart.shap_summary(shap_explanation(rows, dict.fromkeys(rows.columns, lambda v: len(v) / 10)))
        assert plots.export({"tall": tall}, tmp_path / "tall", browser=browser) == {}
        size = (tmp_path / "tall" / "tall.png").read_bytes()[16:24]  # the PNG header's width and height
        assert (int.from_bytes(size[:4]), int.from_bytes(size[4:])) == (chart_style.WIDTH, tall.layout.height)
        assert tall.layout.height > chart_style.HEIGHT
    finally:
        browser.close()
    assert not browser._thread.is_alive()  # closing stops its thread: a finished run leaves nothing running


@pytest.mark.skipif(shutil.which("chromium") is None, reason="no Chromium (.ci/run installs it)")
@pytest.mark.slow
def test_a_browser_that_fails_a_chart_is_started_again_once(tmp_path, monkeypatch):
    """As kaleido does on a busy machine when it asks a page that has not finished loading."""
    import kaleido
    from automl_tui_engine.outputs.png_browser import PngBrowser

    draw, calls = kaleido.Kaleido.write_fig_from_object, []

    async def fails_first(self, *args, **kwargs):
        calls.append(self)
        if len(calls) == 1:
            raise RuntimeError("ReferenceError: kaleido_scopes is not defined")
        return await draw(self, *args, **kwargs)

    monkeypatch.setattr(kaleido.Kaleido, "write_fig_from_object", fails_first)
    figures = {name: run_charts.leaderboard(ROWS[:i], ACCURACY) for i, name in enumerate(("one", "two"), 2)}
    browser = PngBrowser()
    try:
        assert plots.export(figures, tmp_path, browser=browser) == {}
    finally:
        browser.close()
    assert len(calls) == 3 and calls[0] is not calls[1] is calls[2]  # the first chart again, in a new browser


def test_the_terminal_chart_never_runs_two_labels_together():
    from automl_tui.widgets.pareto_chart import ParetoChart

    rows = [{"model": f"linear #{i}", "accuracy_mean": 0.9, "predict_ms_per_1k": 5.0} for i in range(12)]
    text = str(ParetoChart(rows, ACCURACY, [], "linear #0").render())
    labels = re.findall(r"[★●○]\d+", text.split("└")[0])
    assert sorted(labels, key=lambda label: int(label[1:])) == ["★1", *(f"○{n}" for n in range(2, 13))]


@pytest.mark.slow
def test_classes_coded_as_numbers_are_found_by_the_model_charts(tmp_path):
    import automl_tui_engine as engine
    from conftest import quick_config
    from sklearn.datasets import load_breast_cancer

    path = tmp_path / "coded.csv"
    load_breast_cancer(as_frame=True).frame.to_csv(path, index=False)  # target written 0 / 1
    result = engine.run(quick_config(path, tmp_path / "runs", target="target", models=["linear"], charts="html"))
    plots_folder = Path(result.run_dir, "plots")
    assert re.search(r"area 0\.9\d\d", (plots_folder / "roc_curve.html").read_text())
    assert re.search(r"average precision 0\.9\d\d", (plots_folder / "precision_recall.html").read_text())
    # the confusion matrix counts every test row: none is lost to "0" not being 0
    import base64

    cells = re.search(r'"z":\{"dtype":"(\w+)","bdata":"([^"]+)"', (plots_folder / "confusion_matrix.html").read_text())
    counts = np.frombuffer(base64.b64decode(cells.group(2)), dtype=cells.group(1))  # plotly's typed-array encoding
    assert counts.sum() == len(pd.read_csv(Path(result.run_dir, "test_predictions.csv")))


def test_true_false_columns_are_drawn_and_a_chart_that_fails_costs_only_itself(monkeypatch):
    from automl_tui_engine.outputs.explain import Explanation

    rows = pd.DataFrame({"employed": [True, False, True, False], "age": [30, 40, 50, 60]})
    explanation = Explanation(
        columns=["employed", "age"],
        permutation={"employed": (0.1, 0.01), "age": (0.05, 0.01)},
        values=np.array([[0.2, -0.1], [-0.2, 0.1], [0.3, 0.0], [-0.1, 0.2]]),
        rows=rows,
        class_explained="yes",
    )
    chosen = decision.decide(ROWS, ACCURACY, "balanced", 0.01, 5)
    args = (ROWS, ACCURACY, chosen, Task.BINARY, "t", None, None, None, ["no", "yes"], explanation)
    figures, failed = plots.build(*args)
    assert not failed and "shap_summary" in figures  # True/False is 1/0 for the colour scale
    employed = next(trace for trace in figures["shap_summary"].data if "employed" in trace.text[0])
    assert sorted(employed.marker.color) == [0.0, 0.0, 1.0, 1.0]

    def broken(*_):
        raise ValueError("a column of a kind this chart did not expect")

    monkeypatch.setattr(plots, "shap_summary", broken)
    figures, failed = plots.build(*args)
    assert list(failed) == ["shap_summary"] and failed["shap_summary"].startswith("ValueError: a column of a kind")
    assert {"leaderboard", "tradeoff_latency", "shap_importance", "permutation_importance"} <= set(figures)


def shap_explanation(rows: pd.DataFrame, effects: dict[str, object]) -> object:
    """An Explanation of `rows` whose SHAP value for each column is `effects[column]` (a function of the column's
    value), so the chart's average effects are known."""
    from automl_tui_engine.outputs.explain import Explanation

    values = np.column_stack([[effects[c](v) for v in rows[c]] for c in rows.columns]).astype(float)
    return Explanation(columns=list(rows.columns), values=values, rows=rows, class_explained="yes")


def test_the_shap_chart_colours_categories_each_its_own_with_its_average_effect():
    """SHAP's own chart leaves a column of categories grey (it has no low and high) though it may matter most: each
    category gets a colour, and the legend says which one pushes which way, the minus written as the axis writes
    it (−, not -)."""
    rows = pd.DataFrame({"island": ["Biscoe", "Dream", "東京", "Biscoe", None, "Dream"], "mass": [1, 2, 3, 4, 5, 6]})
    pushes = {"Biscoe": 1.5, "Dream": -0.25, "東京": 0.5}
    figure = shap_chart.shap_summary(
        shap_explanation(rows, {"island": lambda v: pushes.get(v, 0.0), "mass": lambda v: (v - 3.5) / 10})
    )
    island = [trace for trace in figure.data if trace.legendgroup == "island"]
    # strongest push to the right first; a missing value is a category of its own
    assert [trace.name for trace in island] == ["Biscoe (+1.5)", "東京 (+0.5)", "no value (+0)", "Dream (\u22120.25)"]
    assert island[0].legendgrouptitle.text == "island: category (average effect)" and len(island[0].x) == 2
    colours = [trace.marker.color for trace in island]
    assert len(set(colours)) == 4 and set(colours) <= set(shap_chart.CATEGORY_COLORS)
    # the numbers keep their low-to-high scale, its one colour bar kept to the top so the legend fits under it
    mass = next(trace for trace in figure.data if trace.showlegend is False)
    assert mass.marker.showscale and mass.marker.colorbar.yanchor == "top"
    assert list(mass.marker.color) == [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert figure.layout.legend.y < 1 and figure.layout.height == chart_style.HEIGHT


def test_a_column_of_many_categories_names_its_frequent_ones_and_many_such_columns_make_the_chart_taller():
    rng = np.random.default_rng(0)
    cities = pd.DataFrame({f"city_{i}": rng.choice([f"town {j}" for j in range(12)], 200) for i in range(6)})
    figure = shap_chart.shap_summary(shap_explanation(cities, dict.fromkeys(cities.columns, lambda v: len(v) / 10)))
    first = [trace for trace in figure.data if trace.legendgroup == "city_0"]
    frequent = cities["city_0"].value_counts().index[:2]
    # six columns share the legend: the two most frequent towns of each by name, the rest together in grey
    assert {trace.name.split(" (")[0] for trace in first} == {*frequent, "10 other values"}
    rest = next(trace for trace in first if trace.name.startswith("10 other values"))
    others = (~cities["city_0"].isin(frequent)).sum()
    assert rest.marker.color == shap_chart.CATEGORY_COLORS[-1] and len(rest.x) == others
    # the legend's 6 names and 18 entries need more room than the usual chart's height: the chart grows
    assert figure.layout.height > chart_style.HEIGHT
    # the legend lists the columns as the chart shows them, from the top
    ranks = {trace.legendgroup: trace.legendrank for trace in figure.data}
    top_down = list(figure.layout.yaxis.ticktext)[::-1]
    assert sorted(ranks, key=ranks.get) == top_down


@pytest.mark.slow
def test_without_a_japanese_font_the_japanese_charts_are_html_only_and_each_png_is_listed(tmp_path, monkeypatch):
    import automl_tui_engine as engine
    from conftest import quick_config

    monkeypatch.setattr(png_browser, "has_japanese_font", lambda: False)
    table = Path(__file__).parent.parent / "examples" / "penguins_ja.csv"
    result = engine.run(quick_config(table, tmp_path / "runs", target="種", models=["linear"], charts="html+png"))
    folder = Path(result.run_dir)
    htmls = {p.stem for p in (folder / "plots").glob("*.html")}
    drawn = {p.stem for p in (folder / "plots").glob("*.png")}
    debug = (folder / "report.md").read_text(encoding="utf-8").split("## 7. ", 1)[1]
    listed = {line.split("`plots/")[1].split(".png`")[0] for line in debug.splitlines() if "empty boxes" in line}
    # the charts that name the Japanese classes are HTML only, each listed; the others (English words, model
    # names) are drawn as usual
    assert "confusion_matrix" in listed and listed | drawn == htmls and not listed & drawn
    assert "no Japanese font to draw PNG charts (Debian/Ubuntu: apt-get install fonts-noto-cjk)" in debug


@pytest.mark.skipif(shutil.which("chromium") is None, reason="no Chromium (.ci/run installs it)")
@pytest.mark.skipif(not png_browser.has_japanese_font(), reason="no Japanese font (.ci/run installs fonts-noto-cjk)")
@pytest.mark.slow
def test_with_a_japanese_font_a_chart_with_japanese_names_is_drawn_as_png(tmp_path):
    """Drawn, not listed as missing; whether its glyphs are letters or boxes takes an eye (issue 18's note)."""
    figure = run_charts.leaderboard(JAPANESE_ROWS, ACCURACY)
    assert plots.with_japanese_text({"leaderboard": figure}) == ["leaderboard"]
    assert plots.export({"leaderboard": figure}, tmp_path) == {}
    assert (tmp_path / "leaderboard.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
