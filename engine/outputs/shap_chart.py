"""The SHAP summary chart: one row per column the model leans on, one dot per explained row, a column of numbers
coloured from its low values to its high ones, a column of categories coloured by category with each category's
average effect in the legend (SHAP's own chart leaves categories grey)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from automl_tui_engine.formatting import without_controls
from automl_tui_engine.messages import t
from automl_tui_engine.outputs.chart_style import HEIGHT, OTHER_COLOR, layout

if TYPE_CHECKING:  # numpy, pandas and plotly load with the chart, not with the module
    import numpy as np
    import pandas as pd
    import plotly.graph_objects as go
    from automl_tui_engine.outputs.explain import Explanation

# a category's colour: Dark2, neither red nor blue (the numbers' low-to-high scale), its grey last; a column with
# more categories than colours shows its most frequent ones, the rest in that grey together ("N other values")
CATEGORY_COLORS = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666")
NUMBERS_SHARE = 0.9  # a column this much of whose values read as numbers is coloured by value, else by category
# the categories' legend, right of the dots under the value scale: the chart grows taller when it needs more room,
# and past MOST_LEGEND_LINES (column names and categories) each column names fewer categories, 3 at least
MOST_LEGEND_LINES = 24
LEGEND_LINE_PX, LEGEND_GAP_PX = 19, 4  # a line at font size 10; between two columns' groups
SCALE_PX = 150  # the value scale at the top right, with its title and the gap under it
SHAP_MARGINS = {"l": 170, "t": 80, "b": 60}  # room for column names on the left, the title's two lines on top


def shap_summary(explanation: Explanation) -> go.Figure:
    """Beeswarm-style: one row per column, one dot per explained row, coloured by the column's value from low to
    high, or, for categories (which have no low and high: SHAP's own chart leaves them grey), by category, each
    named in the legend with its average effect, so the chart says which category pushes which way."""
    import numpy as np
    import pandas as pd
    import plotly.graph_objects as go

    shap_values, rows = explanation.values, explanation.rows
    assert shap_values is not None and rows is not None  # drawn for an explanation with SHAP values only (build)
    order = list(explanation.mean_abs())[:15][::-1]
    numbers = {column: pd.to_numeric(rows[column], errors="coerce").astype(float) for column in order}  # True/False too
    by_value = [c for c in order if numbers[c].notna().sum() >= NUMBERS_SHARE * rows[c].notna().sum()]
    by_category = len(order) - len(by_value)
    # in each column's share of the legend: its name, and its categories, the last one perhaps the rest together
    places = max(3, min(len(CATEGORY_COLORS), MOST_LEGEND_LINES // max(by_category, 1) - 1))
    # with categories, the value scale keeps to the top right and their legend goes under it
    bar = {"lenmode": "pixels", "len": SCALE_PX - 40, "y": 1, "yanchor": "top"} if by_category else {}
    rng = np.random.default_rng(0)
    fig = go.Figure()
    for position, column in enumerate(order):
        values = shap_values[:, explanation.columns.index(column)]
        heights = position + rng.uniform(-0.25, 0.25, len(values))
        hover = np.array([f"{column} = {v}" for v in rows[column]], dtype=object)
        if column in by_value:
            scale = bar if column == by_value[-1] else None  # one colour bar for them all
            fig.add_trace(_dots_by_value(values, heights, numbers[column], hover, scale))
        else:
            # the legend lists the columns as the chart does, from the top: the top row ranks first
            first = (len(order) - position) * len(CATEGORY_COLORS)
            fig.add_traces(_dots_by_category(column, values, heights, rows[column], hover, places, first))
    fig.update_yaxes(tickvals=list(range(len(order))), ticktext=[without_controls(c) for c in order])
    fig.add_vline(x=0, line_color=OTHER_COLOR)
    fig = layout(fig, _shap_title(explanation.class_explained), t("plots.shap_axis"), "")
    fig.update_layout(margin=SHAP_MARGINS).update_yaxes(ticksuffix="  ")
    if by_category:
        lines = by_category + sum(trace.showlegend is not False for trace in fig.data)  # names and categories
        above = SCALE_PX if by_value else 0
        plot_px = max(
            HEIGHT - SHAP_MARGINS["t"] - SHAP_MARGINS["b"], above + lines * LEGEND_LINE_PX + by_category * LEGEND_GAP_PX
        )
        legend = {
            "x": 1.02,
            "y": 1 - above / plot_px,
            "yanchor": "top",
            "font": {"size": 10},
            "tracegroupgap": LEGEND_GAP_PX,
        }
        fig.update_layout(legend=legend, height=plot_px + SHAP_MARGINS["t"] + SHAP_MARGINS["b"])
    return fig


def _dots_by_value(
    values: np.ndarray, heights: np.ndarray, numbers: pd.Series, hover: np.ndarray, scale: dict[str, Any] | None
) -> Any:
    """A column's dots coloured from its lowest value (blue) to its highest (red); with the colour bar placed as
    `scale` says, unless None."""
    import numpy as np
    import plotly.graph_objects as go

    span = numbers.max() - numbers.min()
    colour = (
        ((numbers - numbers.min()) / span).fillna(0.5).to_numpy()
        if span and span == span
        else np.full(len(numbers), 0.5)
    )
    return go.Scatter(
        x=values,
        y=heights,
        mode="markers",
        showlegend=False,
        marker={
            "color": colour,
            "colorscale": "RdBu_r",
            "cmin": 0,
            "cmax": 1,
            "size": 6,
            "opacity": 0.7,
            "showscale": scale is not None,
            "colorbar": {
                "title": t("plots.feature_value"),
                "tickvals": [0, 1],
                "ticktext": [t("plots.low"), t("plots.high")],
                **(scale or {}),
            },
        },
        text=hover,
        hoverinfo="text+x",
    )


def _dots_by_category(
    column: str,
    values: np.ndarray,
    heights: np.ndarray,
    labels: pd.Series,
    hover: np.ndarray,
    places: int,
    first: int,
) -> list[Any]:
    """A column's dots, one trace per category in its own colour, in the legend under the column's name with the
    category's average effect (+ pushes to the right), from the one that pushes right most to the one that pushes
    left most, ranked in the legend from `first`. A column with more than `places` categories names its most
    frequent ones; the rest share the grey, as "N other values"."""
    import numpy as np
    import pandas as pd
    import plotly.graph_objects as go
    from automl_tui_engine.formatting import with_minus_sign

    no_value = t("plots.no_value")
    shown = labels.astype("string").fillna(no_value).map(without_controls).to_numpy(dtype=object)
    frequent = list(pd.Series(shown).value_counts().index)
    others = ""
    if len(frequent) > places:
        named = frequent[: places - 1]
        others = t("plots.other_values", count=len(frequent) - len(named))
        shown[~np.isin(shown, named)] = others
        frequent = [*named, others]
    effects = {label: float(values[shown == label].mean()) for label in frequent}
    ranked = sorted(frequent, key=lambda label: (label == others, -effects[label]))
    traces = []
    for rank, label in enumerate(ranked, start=first):
        chosen = shown == label
        effect = effects[label]
        effect_text = f"{effect:+.2g}" if abs(effect) < 100 else f"{effect:+,.0f}"
        traces.append(
            go.Scatter(
                x=values[chosen],
                y=heights[chosen],
                mode="markers",
                name=f"{label} ({with_minus_sign(effect_text)})",
                legendgroup=column,
                legendrank=rank,
                legendgrouptitle={"text": t("plots.category_effects", column=without_controls(column))},
                marker={
                    "color": CATEGORY_COLORS[-1] if label == others else CATEGORY_COLORS[frequent.index(label)],
                    "size": 6,
                    "opacity": 0.8,
                },
                text=hover[chosen],
                hoverinfo="text+x",
            )
        )
    return traces


def _shap_title(class_explained: str | None) -> str:
    """What "to the right" means: a higher prediction, the named class more likely, or each row's predicted class
    more likely (a multiclass model's rows are each explained for the class it predicts for them)."""
    if class_explained is None:
        sub = t("plots.shap_summary_sub")
    elif class_explained == "predicted":
        sub = t("plots.shap_summary_sub_multiclass")
    else:
        sub = t("plots.shap_summary_sub_binary", cls=without_controls(class_explained))
    return f"{t('plots.shap_summary_title')}<br><sup>{sub}</sup>"
