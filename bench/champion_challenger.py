"""Does `automl-tui retrain` say "replace" when the outcome's rule changed, and "keep" when it did not?

Per seed: a table of six numeric inputs whose yes/no outcome follows a rule (a weighted sum above zero, 10% of the
labels flipped at random). A run learns 1,500 rows of it (the champion). Then new rows arrive, 1,000 of them:
- unchanged: the same rule;
- changed: the rule changed halfway through the whole period, when the new rows began (two inputs' weights
  swapped and one sign flipped).
The tables have no date column: a date among the inputs lets a model learn the calendar, and a challenger trained on
later rows is then really better on the latest ones even when the rule did not change (measured: seeds 8 and 9 of a
first version, +0.03 and +0.11 on 20,000 rows). Without one, the fresh rows are a random fifth of the new rows, and
"unchanged" means what it says. tests/test_retraining.py covers the latest rows by date.
`retraining.plan` + the run + `retraining.compare`, as the command runs them, with the `fast` preset's models and a
`--max-trials` search (the same work on any machine). Prints each seed's verdict, gain and noise, and the counts.

Usage: python bench/champion_challenger.py [--seeds 10] [--max-trials 2]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

WEIGHTS = np.array([1.5, -1.0, 0.8, 0.0, 0.5, -0.3])
CHANGED = np.array([-1.0, 1.5, -0.8, 0.0, 0.5, -0.3])  # the first two swapped, the third's sign flipped


def table(rows: int, weights: np.ndarray, seed: int, changed_from: int | None = None) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(rows, len(weights)))
    rule = np.tile(weights, (rows, 1))
    if changed_from is not None:
        rule[changed_from:] = CHANGED
    y = (np.sum(X * rule, axis=1) > 0).astype(int)
    y = np.where(rng.random(rows) < 0.1, 1 - y, y)
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(len(weights))])
    frame["outcome"] = np.where(y == 1, "yes", "no")
    return frame


def one(seed: int, changed: bool, folder: Path, max_trials: int) -> dict:
    import automl_tui_engine as engine
    from automl_tui_engine import config as config_mod
    from automl_tui_engine import retraining

    old = folder / f"old_{seed}.csv"
    table(1500, WEIGHTS, seed).to_csv(old, index=False)
    values = {"data": old, "out": folder / "runs", "target": "outcome", "max_trials": max_trials}
    champion = Path(engine.run(config_mod.build("fast", values)).run_dir)
    new = folder / f"new_{seed}_{'changed' if changed else 'same'}.csv"
    table(1000, WEIGHTS, seed + 1000, changed_from=0 if changed else None).to_csv(new, index=False)
    plan = retraining.plan(champion, new)
    challenger = Path(engine.run(plan.config).run_dir)
    compared = retraining.compare(plan, challenger).comparison
    return {
        "seed": seed,
        "rule": "changed" if changed else "unchanged",
        "verdict": compared.verdict,
        "champion": round(compared.champion_score, 3),
        "challenger": round(compared.challenger_score, 3),
        "gain": round(compared.gain, 3),
        "2 se": round(2 * compared.se, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--max-trials", type=int, default=2)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="champion-"))
    rows = [one(seed, changed, folder, args.max_trials) for changed in (True, False) for seed in range(args.seeds)]
    frame = pd.DataFrame(rows)
    print(frame.to_string(index=False))
    print()
    for rule, expected in (("changed", "replace"), ("unchanged", "keep")):
        part = frame[frame["rule"] == rule]
        print(f"{rule}: '{expected}' in {int((part['verdict'] == expected).sum())} of {len(part)} seeds")


if __name__ == "__main__":
    main()
