"""Score against predict latency, drawn with characters: the Pareto front and the recommended model marked."""

from __future__ import annotations

import math
from typing import Any

from automl_tui_engine.formatting import score_text
from automl_tui_engine.messages import t
from rich.text import Text
from textual.widget import Widget

from automl_tui.widgets.plain import WrappedText, wrapped

RECOMMENDED, FRONT, OTHER = "★", "●", "○"


class ParetoChart(Widget):
    """Each model is a marker and a number; the legend under the plot names the numbers."""

    DEFAULT_CSS = "ParetoChart { height: auto; }"

    def __init__(self, rows: list[dict[str, Any]], metric: Any, pareto: list[str], recommended: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.points = [(r["model"], float(r[f"{metric.name}_mean"]), float(r["predict_ms_per_1k"])) for r in rows]
        self.metric, self.pareto, self.recommended = metric, set(pareto), recommended

    def render(self) -> WrappedText:
        width = max(self.size.width - 12, 20)
        height = 10
        sign = 1 if self.metric.greater_is_better else -1
        goodness = [sign * score for _, score, _ in self.points]
        latencies = [math.log10(max(ms, 1e-3)) for _, _, ms in self.points]
        # one far-off model must not squash the rest into a row: beyond the usual spread it is pinned to the edge
        worst, best = _fenced(goodness)
        slow_kept, fastest = _fenced([-x for x in latencies])  # faster is better
        left, right = -fastest, -slow_kept
        grid = [[" "] * width for _ in range(height)]
        for number, ((model, _, _), good, x_log) in enumerate(zip(self.points, goodness, latencies, strict=True), 1):
            x = 0 if right == left else round((min(max(x_log, left), right) - left) / (right - left) * (width - 3))
            y = 0 if best == worst else round((best - max(good, worst)) / (best - worst) * (height - 1))
            mark = RECOMMENDED if model == self.recommended else FRONT if model in self.pareto else OTHER
            _place(grid, y, x, f"{mark}{number}")
        pinned = min(goodness) < worst
        text = Text()
        for index, line in enumerate(grid):
            label = ""
            if index == 0:
                label = score_text(sign * best, self.metric.bounded, getattr(self.metric, "unit", ""))
            elif index == height - 1:
                bottom = score_text(sign * worst, self.metric.bounded, getattr(self.metric, "unit", ""))
                label = ("≤" if sign > 0 else "≥") + bottom if pinned else bottom
            text.append(f"{label:>8} │" + "".join(line) + "\n")
        fast, slow = 10**left, 10**right
        text.append(" " * 9 + "└" + "─" * width + "\n")
        slow_text = ("≥" if max(latencies) > right else "") + f"{slow:.1f}"
        text.append(" " * 10 + t("tui.chart_axis", fast=f"{fast:.1f}", slow=slow_text) + "\n")
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
        return wrapped(text)  # the legend's words and names break as all the wizard's prose does


def _place(grid: list[list[str]], y: int, x: int, label: str) -> None:
    """`label` at (y, x), or at the nearest free place to its right, then on the rows next to it, with a blank
    between labels: close models ran together ("○1○139") and no one could tell which number was which."""
    width = len(grid[0])
    for row in sorted(range(len(grid)), key=lambda r: abs(r - y)):
        for start in range(x, width - len(label) + 1):
            cells = range(max(start - 1, 0), min(start + len(label) + 1, width))
            if all(grid[row][c] == " " for c in cells):
                grid[row][start : start + len(label)] = list(label)
                return
    grid[y][x : x + len(label)] = list(label)[: width - x]  # no room anywhere: drawn over, as before


def _fenced(values: list[float]) -> tuple[float, float]:
    """(low, high) of `values` with a far-low outlier left out: the low end is at most 1.5 interquartile ranges
    below the lower quartile (Tukey's fence), so the rest keep the chart's height. Higher is better."""
    ordered = sorted(values)
    if len(ordered) < 4:
        return ordered[0], ordered[-1]
    q1, q3 = ordered[len(ordered) // 4], ordered[(3 * len(ordered)) // 4]
    fence = q1 - 1.5 * (q3 - q1)
    return max(ordered[0], min(fence, q1)), ordered[-1]
