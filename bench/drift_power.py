"""How often `predict`'s input check (engine/table/input_check.py) cries wolf, and how often it sees a real shift.

Each table is read and profiled as a run reads it (data.load), split 80/20 as a run's training and held-out rows,
and what training saw is recorded as a run records it (input_ranges.of). Then, for 100 seeded draws per size:
- from the training rows themselves (the issue's false-alarm test); from the held-out rows (rows training never
  saw, when there are as many as the draw); from the whole table with replacement (new rows from the source
  training was drawn from, at any size): the share of draws in which any column is flagged as moved;
- one numeric column (a different one per draw) shifted by 0.25, 0.5 and 1 standard deviation: the share of draws
  in which that column is flagged;
- one categorical column with 20% of its values replaced by a category never seen: the share of draws in which the
  new category is named (and the column flagged).
No download: scikit-learn's bundled tables and the sample in examples/; more CSVs with --tables FILE:TARGET (the
tables bench/vs_peers.py writes, say: diamonds.csv:price Benefits.csv:ui titanic.csv:survived).

Usage: python bench/drift_power.py [--draws 100] [--sizes 50 200 1000] [--tables a.csv:target ...]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
SHIFTS = (0.25, 0.5, 1.0)


def tables(extra: list[tuple[Path, str]]) -> list[tuple[Path, str]]:
    from same_pick import tables as bundled  # this folder is on the path when a bench script runs

    folder = Path(tempfile.mkdtemp(prefix="drift-"))
    return [(path, target) for _, path, target in bundled(folder)] + extra


def prepared(path: Path, target: str | None) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    from automl_tui_engine.table import data, input_ranges

    dataset = data.load(path, target)
    used = [p for p in dataset.profiles if not p.dropped and p.name != dataset.target]
    X = dataset.X[[p.name for p in used]]
    held_out = X.sample(frac=0.2, random_state=0)
    train = X.drop(index=held_out.index)
    return train, held_out, input_ranges.of(train, used)


def flagged(ranges: dict, rows: pd.DataFrame) -> tuple[set[str], dict[str, dict[str, int]]]:
    from automl_tui_engine.table.input_check import Checker

    checker = Checker(ranges)
    checker.add(rows)
    result = checker.result()
    return {c.name for c in result.moved}, {c.name: c.new_values for c in result.columns}


def draw(frame: pd.DataFrame, size: int, seed: int) -> pd.DataFrame:
    return frame.sample(size, random_state=seed, replace=size > len(frame)).copy()


def measure(path: Path, target: str | None, draws: int, sizes: list[int]) -> list[dict]:
    train, held_out, ranges = prepared(path, target)
    numeric = [n for n, e in ranges.items() if e.get("kind") == "numeric" and "bins" in e]
    categorical = [n for n, e in ranges.items() if e.get("kind") == "categorical" and "categories" in e]
    rows = []
    for size in sizes:
        row: dict = {"table": path.stem, "train rows": len(train), "columns": len(ranges), "draw": size}
        row["false alarm, training rows"] = np.mean(
            [bool(flagged(ranges, draw(train, size, s))[0]) for s in range(draws)]
        )
        row["false alarm, held-out rows"] = (
            np.mean([bool(flagged(ranges, draw(held_out, size, s))[0]) for s in range(draws)])
            if size <= len(held_out)
            else float("nan")
        )
        source = pd.concat([train, held_out])
        row["false alarm, same source"] = np.mean(
            [bool(flagged(ranges, source.sample(size, random_state=s, replace=True))[0]) for s in range(draws)]
        )
        for shift in SHIFTS:
            seen = []
            for seed in range(draws):
                column = numeric[seed % len(numeric)] if numeric else None
                if column is None:
                    break
                rows_drawn = pd.concat([train, held_out]).sample(size, random_state=seed, replace=True)
                rows_drawn[column] = rows_drawn[column] + shift * train[column].std()
                seen.append(column in flagged(ranges, rows_drawn)[0])
            row[f"found {shift:g} sd"] = np.mean(seen) if seen else float("nan")
        named = []
        for seed in range(draws if categorical else 0):
            column = categorical[seed % len(categorical)]
            rows_drawn = pd.concat([train, held_out]).sample(size, random_state=seed, replace=True)
            rows_drawn = rows_drawn.astype({column: object})
            chosen = rows_drawn.sample(frac=0.2, random_state=seed).index
            rows_drawn.loc[chosen, column] = "never-seen-value"
            moved, new_values = flagged(ranges, rows_drawn)
            named.append("never-seen-value" in new_values[column] or not len(chosen))
        row["new category named"] = np.mean(named) if named else float("nan")
        rows.append(row)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--draws", type=int, default=100)
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 200, 1000])
    parser.add_argument("--tables", nargs="*", default=[], metavar="FILE:TARGET")
    args = parser.parse_args()
    extra = [(Path(file), target) for file, _, target in (given.rpartition(":") for given in args.tables)]
    results = []
    for path, target in tables(extra):
        results += measure(path, target, args.draws, args.sizes)
    frame = pd.DataFrame(results)
    pd.set_option("display.width", 200)
    print(frame.to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    print()
    print("worst false alarm (training rows):", f"{frame['false alarm, training rows'].max():.2f}")
    print("worst false alarm (held-out rows):", f"{frame['false alarm, held-out rows'].max():.2f}")
    print("worst false alarm (same source):", f"{frame['false alarm, same source'].max():.2f}")
    print("lowest detection at 1 sd:", f"{frame['found 1 sd'].min():.2f}")


if __name__ == "__main__":
    main()
