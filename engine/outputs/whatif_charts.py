"""Charts of what was asked of the model: a line (or bars, for categories) while one column varies, with each table
row's own curve behind the average; a heatmap for two columns; the history of a search for the best inputs."""

from __future__ import annotations

from typing import Any

from automl_tui_engine.formatting import without_controls
from automl_tui_engine.messages import t
from automl_tui_engine.naming import PROBABILITY
from automl_tui_engine.outputs.chart_style import FRONT_COLOR, OTHER_COLOR, RECOMMENDED_COLOR, layout

MOST_CURVES = 100  # individual curves drawn behind the average: more is a grey blur


def answer_title(shown: str, target: str) -> str:
    """What the chart's answer axis is: a class's probability, or the predicted target."""
    if shown.startswith(PROBABILITY):
        return t("plots.whatif_probability", label=without_controls(shown.removeprefix(PROBABILITY)))
    return t("plots.predicted_value", target=without_controls(target))


def grid_chart(
    table: Any,
    columns: list[str],
    shown: str,
    target: str,
    curves: Any = None,
    seen: tuple | None = None,
    rows: int = 0,
) -> Any:
    """`curves`: each table row's answers, drawn behind the average; `seen`: the range training saw of the one varied
    number, marked; `rows`: how many table rows the answers average (0: the typical row)."""
    import plotly.graph_objects as go

    answer = answer_title(shown, target)
    names = [without_controls(c) for c in columns]
    # a probability is drawn on its whole scale, 0 to 1: an axis from 0.4 to 0.9 makes a small change look steep
    probability = {"range": [0, 1]} if shown.startswith(PROBABILITY) else {}
    if len(columns) == 2:
        pivot = table.pivot_table(index=columns[1], columns=columns[0], values=shown, sort=False)
        fig = go.Figure(
            go.Heatmap(
                z=pivot.to_numpy(),
                x=_axis(list(pivot.columns)),
                y=_axis(list(pivot.index)),
                colorscale="Viridis",
                colorbar={"title": {"text": answer}},
                zmin=0 if probability else None,
                zmax=1 if probability else None,
            )
        )
        key = "plots.whatif_heatmap_title_rows" if rows else "plots.whatif_heatmap_title"
        return layout(fig, t(key, answer=answer), names[0], names[1])
    x = table[columns[0]].tolist()
    numeric = _numbers(x)
    traces = []
    if curves is not None:
        for curve in curves[:MOST_CURVES]:
            traces.append(
                go.Scatter(
                    x=x, y=curve, mode="lines", line={"color": OTHER_COLOR, "width": 1}, opacity=0.35, showlegend=False
                )
            )
    y = table[shown].tolist()
    if numeric:
        traces.append(go.Scatter(x=x, y=y, mode="lines+markers", line={"color": FRONT_COLOR, "width": 3}, name=answer))
    elif curves is not None:  # the average over categories as dots: a bar would hide the rows' lines
        marker = {"color": FRONT_COLOR, "size": 14}
        traces.append(go.Scatter(x=[str(v) for v in x], y=y, mode="markers", marker=marker, name=answer))
    else:
        traces.append(go.Bar(x=[str(v) for v in x], y=y, marker_color=FRONT_COLOR, name=answer))
    fig = go.Figure(traces)
    if numeric and seen and seen[0] is not None:  # beyond these lines the model answers about what it never saw
        for edge in seen:
            fig.add_vline(x=edge, line_dash="dot", line_color=OTHER_COLOR)
        fig.add_annotation(
            x=seen[0],
            y=1,
            yref="paper",
            text=t("plots.whatif_seen", low=f"{seen[0]:g}", high=f"{seen[1]:g}"),
            showarrow=False,
            xanchor="left",
        )
    fig.update_yaxes(**probability)
    key = "plots.whatif_line_title_rows" if rows else "plots.whatif_line_title"
    return layout(fig, t(key, answer=answer, column=names[0]), names[0], answer)


def _numbers(values: list[Any]) -> bool:
    return all(isinstance(v, int | float) for v in values)


def _axis(values: list[Any]) -> list[Any]:
    """Numbers stay numbers (plotly spaces and labels them); anything else is a label."""
    return values if _numbers(values) else [str(v) for v in values]


def history_chart(values: list[float], best: list[float], goal_title: str) -> Any:
    """Each trial's answer, and the best found so far."""
    import plotly.graph_objects as go

    trials = list(range(1, len(values) + 1))
    line = {"color": RECOMMENDED_COLOR, "width": 3}
    fig = go.Figure(
        [
            go.Scatter(x=trials, y=values, mode="markers", marker={"color": OTHER_COLOR}, name=t("plots.whatif_trial")),
            go.Scatter(x=trials, y=best, mode="lines", line=line, name=t("plots.whatif_best")),
        ]
    )
    return layout(fig, t("plots.whatif_history_title", goal=goal_title), t("plots.whatif_trial_axis"), goal_title)
