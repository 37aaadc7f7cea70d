"""Score against predict latency, drawn with characters: the Pareto front and the recommended model marked."""

from __future__ import annotations

import math
from typing import Any

from automl_tui_engine.messages import t
from rich.text import Text
from textual.widget import Widget

RECOMMENDED, FRONT, OTHER = "★", "●", "○"


class ParetoChart(Widget):
    """Each model is a marker and a number; the legend under the plot names the numbers."""

    DEFAULT_CSS = "ParetoChart { height: auto; }"

    def __init__(self, rows: list[dict[str, Any]], metric: Any, pareto: list[str], recommended: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.points = [(r["model"], float(r[f"{metric.name}_mean"]), float(r["predict_ms_per_1k"])) for r in rows]
        self.metric, self.pareto, self.recommended = metric, set(pareto), recommended

    def render(self) -> Text:
        width = max(self.size.width - 12, 20)
        height = 10
        scores = [score for _, score, _ in self.points]
        latencies = [math.log10(max(ms, 1e-3)) for _, _, ms in self.points]
        low, high = min(scores), max(scores)
        left, right = min(latencies), max(latencies)
        grid = [[" "] * width for _ in range(height)]
        for number, ((model, score, _), x_log) in enumerate(zip(self.points, latencies, strict=True), start=1):
            x = 0 if right == left else round((x_log - left) / (right - left) * (width - 3))
            y = 0 if high == low else round((high - score) / (high - low) * (height - 1))
            mark = RECOMMENDED if model == self.recommended else FRONT if model in self.pareto else OTHER
            for offset, char in enumerate(f"{mark}{number}"):
                if x + offset < width:
                    grid[y][x + offset] = char
        text = Text()
        for index, line in enumerate(grid):
            label = f"{high:.3f}" if index == 0 else f"{low:.3f}" if index == height - 1 else ""
            text.append(f"{label:>8} │" + "".join(line) + "\n")
        fast, slow = min(ms for *_, ms in self.points), max(ms for *_, ms in self.points)
        text.append(" " * 9 + "└" + "─" * width + "\n")
        text.append(" " * 10 + t("tui.chart_axis", fast=f"{fast:.1f}", slow=f"{slow:.1f}") + "\n")
        legend = "  ".join(f"{n}={model}" for n, (model, *_) in enumerate(self.points, start=1))
        text.append(
            t(
                "tui.chart_legend",
                metric=self.metric.title,
                legend=legend,
                recommended=RECOMMENDED,
                front=FRONT,
                other=OTHER,
            )
        )
        return text
