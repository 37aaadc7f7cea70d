"""How much a model's measured predict time moves between measurements of the same fitted model: the noise
margin within which two models' latencies are treated as tied (decision.LATENCY_TIE).

Each measurement times `repeats` predictions of 1,000 rows (evaluate.latency_samples) and sums them up as the
median or as the fastest (what evaluate.predict_latency records). Prints, per model and per way of summing up, the
spread of `--times` measurements as max/min, idle and with one core kept busy.

Usage: python bench/latency_noise.py [--times 15] [--repeats 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def spreads(times: int, repeats: int) -> dict[tuple[str, str], tuple[float, float, float]]:
    from automl_tui_engine.extension.registry import models
    from automl_tui_engine.search import evaluate
    from automl_tui_engine.table import data, preprocess

    dataset = data.load(ROOT / "examples" / "penguins.csv", "species")
    plans = preprocess.plan(dataset.profiles)
    found = {}
    for name in ("linear", "hist_gb", "random_forest", "knn"):
        pipeline = preprocess.pipeline(plans, models.get(name), dataset.task, 0)
        pipeline.fit(dataset.X, dataset.y)
        runs = [evaluate.latency_samples(pipeline, dataset.X, repeats, seed)[0] for seed in range(times)]
        for summary, of in (("median", statistics.median), ("fastest", min)):
            measured = [of(samples) for samples in runs]
            found[name, summary] = (min(measured), statistics.median(measured), max(measured))
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--times", type=int, default=15)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print("| machine | model | summed up as | min ms/1k | median | max | max / min |\n|---|---|---|---|---|---|---|")
    for busy in (False, True):
        hog = subprocess.Popen([sys.executable, "-c", "while 1: pass"]) if busy else None
        try:
            for (name, summary), (low, mid, high) in spreads(args.times, args.repeats).items():
                machine = "one core busy" if busy else "idle"
                print(f"| {machine} | {name} | {summary} | {low:.2f} | {mid:.2f} | {high:.2f} | {high / low:.2f} |")
        finally:
            if hog:
                hog.kill()


if __name__ == "__main__":
    main()
