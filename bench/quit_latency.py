"""Ctrl+Q while the wizard's first step is still reading and checking a table of a million rows: the time from
`tmux send-keys C-q` until the program has ended (tmux's pane is dead), idle and with two busy-loop processes on
the two cores. Before the thread workers were left to end with the process (automl_tui/app.py, AbandonedOnQuit),
quitting waited for the read and the check (14 s on a busy machine, issue 39).

Usage: python bench/quit_latency.py [--repeats 5] [--rows 1000000]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from busy_loops import MACHINES, machine

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from tmux_session import TmuxSession  # noqa: E402


def quit_seconds(script: str, folder: Path) -> float:
    with TmuxSession([script], cwd=folder) as term:
        term.wait_for("Reading big.csv", timeout=60, poll=0.005)  # the first step reads the table
        start = time.perf_counter()
        term.keys("C-q")
        while not term.ended():
            time.sleep(0.005)
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    script = shutil.which("automl-tui") or sys.exit("automl-tui is not installed in this environment")
    import numpy as np
    import pandas as pd

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        rng = np.random.default_rng(0)
        frame = pd.DataFrame(rng.normal(size=(args.rows, 8)), columns=[f"x{i}" for i in range(8)])
        frame["target"] = rng.integers(0, 2, args.rows)
        frame.to_csv(folder / "big.csv", index=False)
        print(f"{args.rows:,} rows, {(folder / 'big.csv').stat().st_size / 1e6:.0f} MB; Ctrl+Q → ended, seconds")
        print("| machine | median s | max s |\n|---|---|---|")
        for name in MACHINES:
            with machine(name):
                took = [quit_seconds(script, folder) for _ in range(args.repeats)]
            print(f"| {name} | {statistics.median(took):.2f} | {max(took):.2f} |")


if __name__ == "__main__":
    main()
