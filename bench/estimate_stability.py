"""How much the wizard's time estimates move between two looks at the same table: the dataset step measures the
linear model's costs on the user's rows and scales the presets' models from them (engine/search/planning.py). Each
table is inspected `--looks` times, as the dataset step does it, with each cost timed by the wall clock once (how
it was), by the wall clock three times keeping the fastest, and by the process's CPU time three times keeping the
fastest (how it is), each with the fits on one thread as the dataset step now times them, idle and with two
busy-loop processes on the two cores. The figure is max / min of the `balanced` preset's estimate over the looks
(1.00: always the same).

Usage: python bench/estimate_stability.py [--looks 10]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
from busy_loops import MACHINES, machine

ROOT = Path(__file__).resolve().parent.parent


def spread(frame: pd.DataFrame, looks: int, timings: int, clock: str) -> float:
    import time

    from automl_tui_engine import config, inspection
    from automl_tui_engine.inspection import inspect_table
    from automl_tui_engine.search import planning

    planning.BASELINE_TIMINGS = timings
    inspection.time = type("Clock", (), {"process_time": staticmethod(getattr(time, clock))})  # the clock it reads
    presets = {"balanced": config.build("balanced", {"data": ROOT / "examples" / "penguins.csv"})}
    source = {"path": "table.csv", "name": "table.csv"}
    estimates = [
        inspect_table(Path("table.csv"), frame, source, None, presets).estimates["balanced"] for _ in range(looks)
    ]
    return max(estimates) / min(estimates)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--looks", type=int, default=10)
    looks = parser.parse_args().looks
    from sklearn.datasets import load_breast_cancer

    tables = {
        "penguins (344 rows)": pd.read_csv(ROOT / "examples" / "penguins.csv"),
        "breast cancer ×10 (5,690 rows)": pd.concat([load_breast_cancer(as_frame=True).frame] * 10, ignore_index=True),
    }
    print("| table | machine | wall, once (before) | wall, fastest of 3 | CPU, fastest of 3 (now) |")
    print("|---|---|---|---|---|")
    for busy in MACHINES:
        with machine(busy):
            for name, frame in tables.items():
                once, fastest = spread(frame, looks, 1, "perf_counter"), spread(frame, looks, 3, "perf_counter")
                cpu = spread(frame, looks, 3, "process_time")
                print(f"| {name} | {busy} | {once:.2f} | {fastest:.2f} | {cpu:.2f} |")


if __name__ == "__main__":
    main()
