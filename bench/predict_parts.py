"""Where a saved model's predict time goes, per model kind: the column handling (the fitted ColumnTransformer)
against the estimator itself, for 1,000 rows and for one row (the fastest of 7 calls after a warm-up, ms).

Each kind is trained with its defaults on the bundled penguins table (species; numbers and two text columns),
through the real engine, so the pipeline is the one model.joblib holds.

Usage: python bench/predict_parts.py [--models linear hist_gb ...]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KINDS = ["linear", "knn", "hist_gb", "lightgbm", "random_forest", "extra_trees"]


def fastest_ms(call, rows, repeats: int = 7) -> float:
    call(rows)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call(rows)
        times.append((time.perf_counter() - start) * 1000)
    return min(times)


def parts(pipeline, batch, one) -> list[float]:
    """ms: whole pipeline and its column handling on 1,000 rows, the estimator on their columns, then one row."""
    columns, estimator = pipeline.named_steps["preprocess"], pipeline.steps[-1][1]
    return [
        fastest_ms(pipeline.predict, batch),
        fastest_ms(columns.transform, batch),
        fastest_ms(estimator.predict, columns.transform(batch)),
        fastest_ms(pipeline.predict, one),
        fastest_ms(columns.transform, one),
    ]


def main() -> None:
    import automl_tui_engine as engine
    import joblib
    import pandas as pd
    from automl_tui_engine import config

    parser = argparse.ArgumentParser()
    parser.add_argument("--models", nargs="+", default=KINDS)
    args = parser.parse_args()
    table = ROOT / "examples" / "penguins.csv"
    batch = pd.read_csv(table).drop(columns=["species"]).sample(1000, replace=True, random_state=0)
    one = batch.iloc[[0]]
    print(f"{'model':<15}{'1k rows':>9}{'columns':>9}{'model':>8}{'1 row':>8}{'columns':>9}   (ms)")
    with tempfile.TemporaryDirectory() as tmp:
        for kind in args.models:
            settings = {"data": table, "target": "species", "out": Path(tmp), "models": [kind], "max_trials": 0}
            result = engine.run(config.build("fast", {**settings, "explain": False, "charts": "none"}))
            timings = parts(joblib.load(Path(result.run_dir) / "model.joblib"), batch, one)
            print(f"{kind:<15}" + "".join(f"{ms:>{w}.2f}" for ms, w in zip(timings, (9, 9, 8, 8, 9), strict=True)))


if __name__ == "__main__":
    main()
