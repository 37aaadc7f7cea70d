"""Charts of the run and of the recommended model (plotly), saved as interactive HTML and static PNG.

PNGs are drawn by the run's one browser (png_browser.py). Without a Chrome/Chromium (or, for Japanese text, a
Japanese font) the HTML files are still written and each missing PNG is reported with what to install; the run
never fails for a chart.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from automl_tui_engine.formatting import without_controls
from automl_tui_engine.messages import t
from automl_tui_engine.outputs.chart_style import FRONT_COLOR, HEIGHT, OTHER_COLOR, WIDTH, layout
from automl_tui_engine.outputs.run_charts import leaderboard, tradeoff
from automl_tui_engine.outputs.shap_chart import shap_summary
from automl_tui_engine.tasks import Task

if TYPE_CHECKING:  # numpy, pandas and plotly load with the charts, not with the module
    import numpy as np
    import pandas as pd
    import plotly.graph_objects as go
    from automl_tui_engine.decision import Decision
    from automl_tui_engine.extension.registry.metrics import RankingMetric
    from automl_tui_engine.outputs.explain import Explanation
    from automl_tui_engine.outputs.png_browser import PngBrowser

TRADEOFF_AXES = ("latency", "size")
# every chart a run can draw, by file stem: the run's (every candidate), then the recommended model's
RUN_CHARTS = ("tradeoff_latency", "tradeoff_size", "leaderboard")
MODEL_CHARTS = (
    "shap_summary",
    "shap_importance",
    "permutation_importance",
    "confusion_matrix",
    "roc_curve",
    "precision_recall",
    "predicted_vs_actual",
    "residuals",
)


def confusion(y_true: pd.Series, y_pred: np.ndarray, classes: list[str]) -> go.Figure:
    import plotly.graph_objects as go
    from sklearn.metrics import confusion_matrix

    matrix = confusion_matrix(y_true, y_pred, labels=classes)
    shown = [without_controls(c) for c in classes]
    fig = go.Figure(
        go.Heatmap(z=matrix, x=shown, y=shown, colorscale="Blues", text=matrix, texttemplate="%{text}", showscale=False)
    )
    fig.update_yaxes(autorange="reversed")
    return layout(fig, t("plots.confusion_title"), t("plots.predicted"), t("plots.actual"))


def roc(y_true: pd.Series, positive_proba: np.ndarray, positive: str) -> go.Figure:
    import plotly.graph_objects as go
    from sklearn.metrics import roc_auc_score, roc_curve

    fpr, tpr, _ = roc_curve(y_true == positive, positive_proba)
    auc = roc_auc_score(y_true == positive, positive_proba)
    fig = go.Figure(
        [
            go.Scatter(x=fpr, y=tpr, mode="lines", name=t("plots.model"), line={"color": FRONT_COLOR}),
            go.Scatter(
                x=[0, 1], y=[0, 1], mode="lines", name=t("plots.guessing"), line={"dash": "dot", "color": OTHER_COLOR}
            ),
        ]
    )
    return layout(
        fig, t("plots.roc_title", auc=f"{auc:.3f}", cls=positive), t("plots.fpr"), t("plots.tpr", cls=positive)
    )


def precision_recall(y_true: pd.Series, positive_proba: np.ndarray, positive: str) -> go.Figure:
    import plotly.graph_objects as go
    from sklearn.metrics import average_precision_score, precision_recall_curve

    precision, recall, _ = precision_recall_curve(y_true == positive, positive_proba)
    average = average_precision_score(y_true == positive, positive_proba)
    base_rate = float((y_true == positive).mean())
    fig = go.Figure(
        [
            go.Scatter(x=recall, y=precision, mode="lines", name=t("plots.model"), line={"color": FRONT_COLOR}),
            go.Scatter(
                x=[0, 1],
                y=[base_rate, base_rate],
                mode="lines",
                name=t("plots.guessing"),
                line={"dash": "dot", "color": OTHER_COLOR},
            ),
        ]
    )
    title = t("plots.pr_title", ap=f"{average:.3f}", cls=positive)
    return layout(fig, title, t("plots.recall"), t("plots.precision"))


def _sample_points(y_true: pd.Series, y_pred: np.ndarray, limit: int = 5000) -> tuple[np.ndarray, np.ndarray]:
    """At most `limit` points: a scatter of a million dots says no more and a PNG of it takes minutes."""
    import numpy as np

    actual, predicted = np.asarray(y_true), np.asarray(y_pred)
    if len(actual) <= limit:
        return actual, predicted
    keep = np.random.default_rng(0).choice(len(actual), size=limit, replace=False)
    return actual[keep], predicted[keep]


def predicted_vs_actual(y_true: pd.Series, y_pred: np.ndarray, target: str) -> go.Figure:
    import plotly.graph_objects as go

    actual, predicted = _sample_points(y_true, y_pred)
    low, high = float(min(actual.min(), predicted.min())), float(max(actual.max(), predicted.max()))
    fig = go.Figure(
        [
            go.Scatter(
                x=actual,
                y=predicted,
                mode="markers",
                marker={"color": FRONT_COLOR, "opacity": 0.6},
                name=t("plots.rows"),
            ),
            go.Scatter(
                x=[low, high],
                y=[low, high],
                mode="lines",
                line={"dash": "dot", "color": OTHER_COLOR},
                name=t("plots.perfect"),
            ),
        ]
    )
    return layout(
        fig,
        t("plots.pred_actual_title", target=target),
        t("plots.actual_value", target=target),
        t("plots.predicted_value", target=target),
    )


def residuals(y_true: pd.Series, y_pred: np.ndarray, target: str) -> go.Figure:
    import plotly.graph_objects as go

    actual, predicted = _sample_points(y_true, y_pred)
    fig = go.Figure(
        [
            go.Scatter(
                x=predicted, y=actual - predicted, mode="markers", marker={"color": FRONT_COLOR, "opacity": 0.6}
            ),
        ]
    )
    fig.add_hline(y=0, line_dash="dot", line_color=OTHER_COLOR)
    return layout(
        fig, t("plots.residuals_title"), t("plots.predicted_value", target=target), t("plots.residual", target=target)
    )


def importance_bar(values: dict[str, float], errors: dict[str, float] | None, title: str, axis: str) -> Any:
    import plotly.graph_objects as go

    top = list(values.items())[:20][::-1]  # largest at the top of a horizontal bar chart
    fig = go.Figure(
        go.Bar(
            x=[v for _, v in top],
            y=[without_controls(k) for k, _ in top],
            orientation="h",
            marker_color=FRONT_COLOR,
            error_x={"type": "data", "array": [errors[k] for k, _ in top]} if errors else None,
        )
    )
    fig = layout(fig, title, axis, "")
    return fig.update_layout(margin={"l": 170}).update_yaxes(ticksuffix="  ")  # room for column names


def build(
    rows: list[dict[str, Any]],
    metric: RankingMetric,
    decision: Decision,
    task: Task,
    target: str,
    y_test: pd.Series,
    y_pred: np.ndarray | None,
    proba: np.ndarray | None,
    classes: list[str],
    explanation: Explanation | None,
    guess: float | None = None,
) -> tuple[dict[str, go.Figure], dict[str, str]]:
    """Every chart this run can draw, by file stem, and those that could not be drawn with the error in one line:
    a chart that fails (a column of a type it did not expect) costs that chart, never the others (a table with
    True/False columns lost all nine). `guess` is what guessing scores (the leaderboard's line)."""
    from automl_tui_engine.errors import one_line

    makers = {
        "leaderboard": lambda: leaderboard(rows, metric, decision.recommended, guess),
        "tradeoff_latency": lambda: tradeoff(rows, metric, decision.pareto, decision.recommended, "latency"),
        "tradeoff_size": lambda: tradeoff(rows, metric, decision.pareto, decision.recommended, "size"),
    }
    if y_pred is not None:
        if task is Task.REGRESSION:
            makers["predicted_vs_actual"] = lambda: predicted_vs_actual(y_test, y_pred, target)
            makers["residuals"] = lambda: residuals(y_test, y_pred, target)
        else:
            makers["confusion_matrix"] = lambda: confusion(y_test, y_pred, classes)
            if task is Task.BINARY and proba is not None:
                makers["roc_curve"] = lambda: roc(y_test, proba[:, 1], classes[1])
                makers["precision_recall"] = lambda: precision_recall(y_test, proba[:, 1], classes[1])
    if explanation is not None:
        if explanation.values is not None:
            makers["shap_summary"] = lambda: shap_summary(explanation)
            makers["shap_importance"] = lambda: importance_bar(
                explanation.mean_abs(), None, t("plots.shap_importance_title"), t("plots.shap_importance_axis")
            )
        permutation = explanation.permutation
        makers["permutation_importance"] = lambda: importance_bar(
            {k: m for k, (m, _) in permutation.items()},
            {k: s for k, (_, s) in permutation.items()},
            t("plots.permutation_title"),
            t("plots.permutation_axis", metric=metric.title),
        )
    figures, failed = {}, {}
    for name, make in makers.items():
        try:
            figures[name] = make()
        except Exception as exc:
            failed[name] = one_line(exc)
    return figures, failed


JAPANESE_TEXT = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff66-\uff9f]")  # kana, kanji, half-width kana


def with_japanese_text(figures: dict[str, Any]) -> list[str]:
    """The figures whose titles, labels or hover text hold Japanese."""
    import json

    # plotly's JSON writes non-ASCII as \u escapes: read back and written plainly, the text is itself again
    return [
        name
        for name, fig in figures.items()
        if JAPANESE_TEXT.search(json.dumps(json.loads(fig.to_json()), ensure_ascii=False))
    ]


PLOTLY_JS = "plotly.min.js"  # the name the pages' <script src> gives (include_plotlyjs="directory")


def _plotly_js_beside(folder: Path) -> None:
    """plotly.js written once beside the pages, so they open offline and travel with the folder."""
    from automl_tui_engine.outputs import rundir
    from plotly.offline import get_plotlyjs

    path = folder / PLOTLY_JS
    script = get_plotlyjs()
    if not path.is_file() or path.stat().st_size != len(script.encode("utf-8")):
        rundir.write_atomic(path, script)


def export(
    figures: dict[str, Any],
    folder: Path,
    png: bool = True,
    browser: PngBrowser | None = None,
    plotly_js: str = "directory",
    until: float | None = None,
    html: bool = True,
) -> dict[str, str]:
    """Write `<name>.html` (and `<name>.png`) for each figure; returns {file: reason} for PNGs not written: all of
    them when this machine has no browser to draw them, those with Japanese text when it has no Japanese font, those
    that would have ended past `until` (time.monotonic(): the run's time budget and its margin).
    `browser` is the run's png_browser.PngBrowser, started while the search ran; without one, one is started here.
    `plotly_js`: where the pages find plotly.js (a relative path to one already in the run folder), else written
    beside them. Without `html`, the PNGs alone (a page that shows them beside a user's files)."""
    from automl_tui_engine.outputs import png_browser, rundir

    folder.mkdir(parents=True, exist_ok=True)
    if figures and html and plotly_js == "directory":
        _plotly_js_beside(folder)
    for name, fig in figures.items() if html else ():
        # each page whole or not at all (a full disk left half pages and half a plotly.min.js)
        rundir.write_atomic(folder / f"{name}.html", fig.to_html(include_plotlyjs=plotly_js))
    if not png or not figures:
        return {}
    prefix = f"{folder.name}/"
    japanese = [] if png_browser.has_japanese_font() else with_japanese_text(figures)
    lacking = png_browser.lacking(bool(japanese))
    if png_browser.BROWSER in lacking:  # nothing can be drawn: said with everything to install, nothing started
        reason = png_browser.lacking_words(lacking)
        return {f"{prefix}{name}.png": reason for name in figures}
    not_drawn = {}
    if japanese:  # drawn, their Japanese text would be empty boxes
        reason = t("missing.png_no_japanese_font", why=png_browser.lacking_words(lacking))
        not_drawn = {f"{prefix}{name}.png": reason for name in japanese}
        figures = {name: fig for name, fig in figures.items() if name not in japanese}
        if not figures:
            return not_drawn
    own = browser is None
    browser = browser or png_browser.PngBrowser()
    try:
        late = browser.write(figures, folder, WIDTH, HEIGHT, until)
    except Exception as exc:  # the browser would not start or gave up: the HTML is there
        first_line = next((line for line in str(exc).splitlines() if line.strip()), type(exc).__name__)
        reason = t("missing.png_failed", error=first_line)
        return not_drawn | {f"{prefix}{name}.png": reason for name in figures if not (folder / f"{name}.png").exists()}
    finally:
        if own:
            browser.close()
    if late:
        reason = t("missing.png_time_spent", made=len(figures) - len(late), charts=len(figures))
        not_drawn |= {f"{prefix}{name}.png": reason for name in late}
    # the browser can also give up on one chart without a word: what is not there is said, never assumed
    reason = t("missing.png_not_made")
    absent = [name for name in figures if name not in late and not (folder / f"{name}.png").exists()]
    return not_drawn | {f"{prefix}{name}.png": reason for name in absent}
