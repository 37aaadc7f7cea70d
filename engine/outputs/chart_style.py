"""What every chart shares: its size, its colours and its layout."""

from __future__ import annotations

from typing import Any

WIDTH, HEIGHT = 900, 520
RECOMMENDED_COLOR, FRONT_COLOR, OTHER_COLOR = "#d62728", "#1f77b4", "#9aa5b1"
ALERT_COLOR = "#d62728"  # what a reader must look at (an input that moved)


def layout(fig: Any, title: str, x: str, y: str) -> Any:
    fig.update_layout(
        title=title,
        xaxis_title=x,
        yaxis_title=y,
        template="plotly_white",
        width=WIDTH,
        height=HEIGHT,
        margin={"l": 70, "r": 30, "t": 60, "b": 60},
    )
    return fig
