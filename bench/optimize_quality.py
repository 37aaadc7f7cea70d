"""How close `automl-tui optimize` (optuna's seeded TPE over the freed columns) gets to inputs whose best is known
by construction, against a random search of the same number of trials in the same run (the peer).

Usage: python bench/optimize_quality.py [--trials 100 200] [--seeds 3]
Tables (made here): a yield over two numbers and a category whose top is known (temperature 3, pressure 7, line B:
55), unconstrained and under `temperature + pressure <= 8` (top 53 at 2, 6); one run per model kind on each. The gap
is (true best − true yield at the inputs found) / true best, in %, the true yield computed from the formula, not the
model; the median and the worst over seeds are shown, with the seconds per search.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import automl_tui_engine as engine
from automl_tui_engine import config
from automl_tui_engine.whatif import best
from automl_tui_engine.whatif.case import SavedModel

KINDS = ("hist_gb", "random_forest", "extra_trees", "knn")
FREE = ["temperature", "pressure", "line"]
CASES = (("free", [], 55.0), ("a + b <= 8", ["temperature + pressure <= 8"], 53.0))


def true_yield(temperature: float, pressure: float, line: str) -> float:
    return 50 - (temperature - 3) ** 2 - (pressure - 7) ** 2 + (5 if line == "B" else 0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, nargs="+", default=[100, 200])
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    import numpy as np
    import optuna
    import pandas as pd

    print(f"{'model':<14}{'case':<12}{'trials':>7}{'TPE gap % (med/worst)':>24}{'random gap %':>16}{'TPE s':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        rng = np.random.default_rng(0)
        frame = pd.DataFrame({"temperature": rng.uniform(0, 10, 1500), "pressure": rng.uniform(0, 10, 1500)})
        frame["line"] = rng.choice(["A", "B", "C"], 1500)
        frame["yield"] = [true_yield(*row) for row in frame.itertuples(index=False)]
        table = Path(tmp) / "bowl.csv"
        frame.to_csv(table, index=False)
        for kind in KINDS:
            values = {"data": table, "target": "yield", "out": Path(tmp) / "runs", "models": [kind]}
            values.update(max_trials=0, explain=False, charts="none", ensemble=False)
            saved = SavedModel.open(Path(engine.run(config.build("fast", values)).run_dir))
            for case, rules, top in CASES:
                for trials in args.trials:
                    gaps = {"tpe": [], "random": []}
                    seconds = []
                    for seed in range(args.seeds):
                        start = time.perf_counter()
                        found = best.search(saved, FREE, constraints=rules, trials=trials, seed=seed)
                        seconds.append(time.perf_counter() - start)
                        gaps["tpe"].append(_gap(found.table.iloc[0], top))
                        # the peer: the same search with optuna's random sampler in place of TPE
                        original = optuna.samplers.TPESampler
                        optuna.samplers.TPESampler = lambda seed: optuna.samplers.RandomSampler(seed=seed)
                        try:
                            peer = best.search(saved, FREE, constraints=rules, trials=trials, seed=seed)
                        finally:
                            optuna.samplers.TPESampler = original
                        gaps["random"].append(_gap(peer.table.iloc[0], top))
                    tpe = f"{statistics.median(gaps['tpe']):.2f} / {max(gaps['tpe']):.2f}"
                    rand = f"{statistics.median(gaps['random']):.2f} / {max(gaps['random']):.2f}"
                    print(f"{kind:<14}{case:<12}{trials:>7}{tpe:>24}{rand:>16}{statistics.median(seconds):>8.2f}")


def _gap(row, top: float) -> float:
    return (top - true_yield(row["temperature"], row["pressure"], row["line"])) / top * 100


if __name__ == "__main__":
    main()
