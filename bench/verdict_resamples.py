"""How many resamples the verdict's standard error needs (search/baseline.gap_se): the spread of the standard error
itself over seeds, and the time, for RESAMPLES and a fraction of it, on the same out-of-fold predictions.

The verdict calls a model no better than guessing when its gain is under two standard errors; the standard error
is estimated by resampling the training rows. Fewer resamples make it faster and noisier: this prints, per table,
the standard error's median and its spread over seeds (max/min) for each number of resamples, and the seconds one
estimate takes.

Usage: python bench/verdict_resamples.py [--seeds 10] [--resamples 200 100 50]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def tables(folder: Path) -> dict[str, tuple[Path, str]]:
    """Public tables of both kinds, small and mid-sized, with a strong and a weak signal."""
    import numpy as np
    import pandas as pd
    from sklearn.datasets import fetch_california_housing, load_breast_cancer, load_diabetes, load_wine

    found = {"penguins": (ROOT / "examples" / "penguins.csv", "species")}
    for name, loader in (("breast_cancer", load_breast_cancer), ("wine", load_wine), ("diabetes", load_diabetes)):
        path = folder / f"{name}.csv"
        loader(as_frame=True).frame.to_csv(path, index=False)
        found[name] = (path, "target")
    try:  # in scikit-learn's data home when fetched once; the bench needs no network without it
        housing = fetch_california_housing(as_frame=True, download_if_missing=False).frame.sample(5000, random_state=0)
        housing.to_csv(folder / "housing.csv", index=False)
        found["housing_5000"] = (folder / "housing.csv", "MedHouseVal")
    except OSError:
        pass
    rng = np.random.default_rng(0)  # a weak signal: where the verdict's line is drawn
    weak = pd.DataFrame({f"x{i}": rng.normal(size=600) for i in range(5)})
    weak["target"] = np.where(weak["x0"] * 0.3 + rng.normal(size=600) > 0, "yes", "no")
    weak.to_csv(folder / "weak.csv", index=False)
    found["weak_signal"] = (folder / "weak.csv", "target")
    return found


def captured_inputs(path: Path, target: str, out: Path) -> tuple:
    """The arguments a quick run hands to gap_se (the recommended model's out-of-fold predictions, its folds)."""
    import automl_tui_engine as engine
    from automl_tui_engine import config
    from automl_tui_engine.search import baseline

    seen = []
    original = baseline.gap_se
    baseline.gap_se = lambda *args: seen.append(args) or original(*args)
    try:
        values = {"data": path, "target": target, "out": out, "models": ["linear", "hist_gb"], "max_trials": 0}
        engine.run(config.build("fast", {**values, "cv_folds": 3, "explain": False, "charts": "none"}))
    finally:
        baseline.gap_se = original
    return seen[0]


def main() -> None:
    from automl_tui_engine.search import baseline

    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--resamples", type=int, nargs="+", default=[baseline.RESAMPLES, 100, 50])
    options = parser.parse_args()
    print("| table | resamples | standard error (median) | max / min over seeds | s per estimate |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        for name, (path, target) in tables(Path(folder)).items():
            model, search, task, metric, _ = captured_inputs(path, target, Path(folder) / "runs")
            for resamples in options.resamples:
                baseline.RESAMPLES = resamples
                errors, took = [], []
                for seed in range(options.seeds):
                    start = time.perf_counter()
                    errors.append(baseline.gap_se(model, search, task, metric, seed)[0])
                    took.append(time.perf_counter() - start)
                spread = max(errors) / min(errors)
                print(
                    f"| {name} | {resamples} | {statistics.median(errors):.4f} | {spread:.2f} | "
                    f"{statistics.median(took):.2f} |"
                )


if __name__ == "__main__":
    main()
