"""What one busy core costs each default model's fit: library default threads against automl-tui's thread policy
(core/threads.py: as many threads as free cores, OpenMP waiting passively).

Each measurement is a fresh process (thread libraries read their settings when they load) that fits the model's
default pipeline on a 4,000 × 30 table `--repeats` times and keeps the fastest. Prints, per model, the fit time
idle and with one core kept busy by another process, and their ratio, for both ways.

Usage: python bench/threads.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

MODELS = ("linear", "hist_gb", "random_forest", "extra_trees", "knn", "lightgbm")

CHILD = """
import json, sys, time
policy, repeats = sys.argv[1] == "policy", int(sys.argv[2])
if policy:
    from automl_tui_engine.core import threads
    count = threads.free_cores()
    threads.settle(count)
import pandas as pd
from sklearn.datasets import make_classification
from automl_tui_engine.extension.registry import models
from automl_tui_engine.table import data, preprocess
X, y = make_classification(n_samples=4000, n_features=30, n_informative=12, random_state=0)
frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(30)]).assign(target=y)
dataset = data.from_frame(frame, {"path": "bench", "name": "bench"}, "target")
plans = preprocess.plan(dataset.profiles)
found = {"threads": count if policy else None}
for name in sys.argv[3:]:
    pipeline = preprocess.pipeline(plans, models.get(name), dataset.task, 0)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        if policy:
            with threads.limited(count):
                pipeline.fit(dataset.X, dataset.y)
        else:
            pipeline.fit(dataset.X, dataset.y)
        times.append(time.perf_counter() - start)
    found[name] = min(times)
print(json.dumps(found))
"""


def measure(policy: bool, repeats: int) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, "policy" if policy else "defaults", str(repeats), *MODELS],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    results = {}
    for busy in (False, True):
        hog = subprocess.Popen([sys.executable, "-c", "while 1: pass"]) if busy else None
        try:
            for policy in (False, True):
                results[busy, policy] = measure(policy, args.repeats)
        finally:
            if hog:
                hog.kill()
    print("| model | threads | idle fit s | one core busy fit s | busy / idle |\n|---|---|---|---|---|")
    for policy in (False, True):
        way = (
            "library defaults"
            if not policy
            else "automl-tui (free cores: {} idle, {} busy)".format(
                results[False, True]["threads"], results[True, True]["threads"]
            )
        )
        for name in MODELS:
            idle, busy = results[False, policy][name], results[True, policy][name]
            print(f"| {name} | {way} | {idle:.3f} | {busy:.3f} | {busy / idle:.1f}× |")


if __name__ == "__main__":
    main()
