"""The run's charts, drawn from every finished candidate: each model's score (leaderboard), and score against
predict time or size (tradeoff), the Pareto front and the recommended model marked."""

from __future__ import annotations

from typing import Any

from automl_tui_engine.formatting import metric_text, without_controls
from automl_tui_engine.messages import t
from automl_tui_engine.outputs.chart_style import FRONT_COLOR, OTHER_COLOR, RECOMMENDED_COLOR, layout

FRONT_SYMBOLS = ("circle", "diamond", "square", "triangle-up", "triangle-down", "cross", "x", "pentagon")
MAX_ROWS = 15  # the leaderboard chart shows the best ones (rows stay readable at HEIGHT); leaderboard.csv has all


def leaderboard(rows: list[dict], metric: Any, recommended: str | None = None, guess: float | None = None) -> Any:
    """Every model's cross-validated score as a dot with its spread, best at the top, on an axis zoomed to the
    models' range (bars from 0 made every model look the same), each name followed by its score; guessing is a
    dashed line when it falls near that range, else said in the subtitle."""
    import plotly.graph_objects as go

    m = metric.name
    ordered = sorted(rows, key=lambda r: r[f"{m}_mean"], reverse=not metric.greater_is_better)[-MAX_ROWS:]
    means, spreads = [r[f"{m}_mean"] for r in ordered], [r.get(f"{m}_std") or 0.0 for r in ordered]
    low = min(v - s for v, s in zip(means, spreads, strict=True))
    high = max(v + s for v, s in zip(means, spreads, strict=True))
    if metric.bounded and metric.greater_is_better:
        high = min(high, 1.0)
    pad = (high - low) * 0.15 or abs(high) * 0.05 or 0.01
    # a score cannot pass a perfect 1: its spread is drawn up to there, not beyond
    room = [
        max(1.0 - v, 0.0) if metric.bounded and metric.greater_is_better else s
        for v, s in zip(means, spreads, strict=True)
    ]
    fig = go.Figure(
        go.Scatter(
            x=means,
            # the score beside the name: labels on the dots touched the row above once rows were close
            y=[
                f"{without_controls(r['model'])}  {metric_text(v, metric)}" for r, v in zip(ordered, means, strict=True)
            ],
            mode="markers",
            error_x={
                "type": "data",
                "symmetric": False,
                "array": [min(s, up) for s, up in zip(spreads, room, strict=True)],
                "arrayminus": spreads,
                "color": OTHER_COLOR,
            },
            marker={
                "size": [14 if r["model"] == recommended else 9 for r in ordered],
                "symbol": ["star" if r["model"] == recommended else "circle" for r in ordered],
                "color": [RECOMMENDED_COLOR if r["model"] == recommended else FRONT_COLOR for r in ordered],
            },
            showlegend=False,
        )
    )
    notes = [t("plots.zoomed")]
    if len(rows) > len(ordered):
        notes.append(t("plots.best_of", shown=len(ordered), n=len(rows)))
    if guess is not None:
        if low - 2 * pad <= guess <= high + 2 * pad:
            fig.add_vline(x=guess, line_dash="dash", line_color=OTHER_COLOR, annotation_text=t("plots.guess_line"))
            low, high = min(low, guess), max(high, guess)
        else:
            notes.append(t("plots.guess_off_range", score=metric_text(guess, metric)))
    fig.update_xaxes(range=[low - pad, high + pad])
    title = f"{t('plots.leaderboard_title', metric=metric.title)}<br><sup>{'<br>'.join(notes)}</sup>"
    fig = layout(fig, title, t("plots.cv_score", metric=metric.title), "")
    fig.update_layout(margin={"l": 170, "t": 60 + 20 * len(notes)})
    return fig.update_yaxes(ticksuffix="  ")


def tradeoff(rows: list[dict], metric: Any, pareto: list[str], recommended: str, axis: str) -> Any:
    """Score against predict latency (axis='latency') or size (axis='size'); Pareto front joined, pick starred."""
    import plotly.graph_objects as go

    key = "predict_ms_per_1k" if axis == "latency" else "size_bytes"
    scale = 1.0 if axis == "latency" else 1 / 1024
    fig = go.Figure()
    front = sorted((r for r in rows if r["model"] in pareto), key=lambda r: r[key])
    fig.add_trace(
        go.Scatter(
            x=[r[key] * scale for r in front],
            y=[r[f"{metric.name}_mean"] for r in front],
            mode="lines",
            line={"color": FRONT_COLOR, "dash": "dot"},
            name=t("plots.pareto_front"),
        )
    )
    # names go in the legend, never on the plot: tuned models sit close together and their names printed over
    # each other; the front and the pick are named there (each its own symbol), the rest are one grey entry
    named = [*front, *(r for r in rows if r["model"] == recommended and r["model"] not in pareto)]
    others = [r for r in rows if r not in named]
    for position, r in enumerate(named):
        chosen = r["model"] == recommended
        fig.add_trace(
            go.Scatter(
                x=[r[key] * scale],
                y=[r[f"{metric.name}_mean"]],
                mode="markers",
                name=without_controls(r["model"]) + (f" ({t('plots.recommended')})" if chosen else ""),
                marker={
                    "size": 18 if chosen else 12,
                    "symbol": "star" if chosen else FRONT_SYMBOLS[position % len(FRONT_SYMBOLS)],
                    "color": RECOMMENDED_COLOR if chosen else FRONT_COLOR,
                },
            )
        )
    if others:
        fig.add_trace(
            go.Scatter(
                x=[r[key] * scale for r in others],
                y=[r[f"{metric.name}_mean"] for r in others],
                mode="markers",
                text=[without_controls(r["model"]) for r in others],
                hoverinfo="text+x+y",
                name=t("plots.other_models", n=len(others)),
                marker={"size": 9, "color": OTHER_COLOR},
            )
        )
    values = [r[key] * scale for r in rows]
    fig.update_xaxes(type="log", **_log_ticks(min(values), max(values)))
    title = t(f"plots.tradeoff_{axis}_title", metric=metric.title, model=recommended)
    return layout(fig, title, t(f"plots.tradeoff_{axis}_axis"), t("plots.cv_score", metric=metric.title))


def _log_ticks(low: float, high: float) -> dict[str, Any]:
    """Ticks at 1, 2 and 5 of each power of ten over [low, high], written in full ("20", "5k"): plotly's own log
    ticks wrote 20 and 30 as "2" and "3"."""
    import math

    ticks = [
        m * 10.0**power
        for power in range(math.floor(math.log10(max(low, 1e-9))), math.ceil(math.log10(max(high, 1e-9))) + 1)
        for m in (1, 2, 5)
    ]
    shown = [v for v in ticks if low / 2 <= v <= high * 2]
    return {"tickvals": shown, "ticktext": [_short_number(v) for v in shown]}


def _short_number(value: float) -> str:
    for size, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if value >= size:
            return f"{value / size:g}{suffix}"
    return f"{value:g}"
