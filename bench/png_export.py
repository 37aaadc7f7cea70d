"""PNG export of a run's charts: plotly's batch call (a browser started for the call, the charts sent together)
against the run's own browser (outputs/png_browser.py: started ahead, while the search runs, charts sent one at a
time). Nine charts like a binary run's: three bar/dot charts and six scatter plots of 5,000 points.

Usage: python bench/png_export.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path


def figures() -> dict:
    import numpy as np
    import plotly.graph_objects as go

    rng = np.random.default_rng(0)
    out = {}
    for i in range(3):
        out[f"bars{i}"] = go.Figure(go.Bar(x=rng.random(15), y=[f"model {j}" for j in range(15)], orientation="h"))
    for i in range(6):
        points = rng.normal(size=(5000, 2))
        out[f"scatter{i}"] = go.Figure(go.Scatter(x=points[:, 0], y=points[:, 1], mode="markers"))
    return out


def main() -> None:
    import plotly.io as pio
    from automl_tui_engine.outputs.chart_style import HEIGHT, WIDTH
    from automl_tui_engine.outputs.png_browser import PngBrowser

    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    charts = figures()
    batch, start, drawn = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for _ in range(args.repeats):
            began = time.perf_counter()
            pio.write_images(list(charts.values()), [folder / f"{n}.png" for n in charts], width=WIDTH, height=HEIGHT)
            batch.append(time.perf_counter() - began)

            began = time.perf_counter()
            browser = PngBrowser()
            browser.ready()  # the start the search hides, timed on its own here
            start.append(time.perf_counter() - began)
            began = time.perf_counter()
            browser.write(charts, folder, WIDTH, HEIGHT)
            drawn.append(time.perf_counter() - began)
            browser.close()
    med = statistics.median
    print(f"{len(charts)} charts, median of {args.repeats} (s):")
    print(f"  plotly batch (browser start included)   {med(batch):6.2f}")
    print(f"  run's browser: start (during the search) {med(start):6.2f}")
    print(f"  run's browser: the charts, one at a time {med(drawn):6.2f}   ×{med(batch) / med(drawn):.1f} faster")


if __name__ == "__main__":
    main()
