"""The wizard in a real terminal (tmux): start-up time, and key-press-to-screen latency while models train.

Usage: python bench/wizard_terminal.py [--presses 20]
Start-up: from starting `automl-tui` to the first screen's title on the terminal.
Latency: during a run (scikit-learn's breast-cancer rows repeated 20×, the balanced preset), Down/Up move the
leaderboard's cursor; each figure is the time from `tmux send-keys` until tmux's copy of the screen changes.
It includes tmux's own round trip (capture-pane is polled every 2 ms), so it is an upper bound.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from tmux_session import TmuxSession  # noqa: E402


def changed_after(term: TmuxSession, key: str, timeout: float = 5.0) -> float:
    before = term.screen(escapes=True)
    start = time.perf_counter()
    term.keys(key)
    while time.perf_counter() - start < timeout:
        if term.screen(escapes=True) != before:
            return time.perf_counter() - start
        time.sleep(0.002)
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--presses", type=int, default=20)
    presses = parser.parse_args().presses
    script = shutil.which("automl-tui") or sys.exit("automl-tui is not installed in this environment")
    import pandas as pd
    from sklearn.datasets import load_breast_cancer

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        frame = load_breast_cancer(as_frame=True).frame
        pd.concat([frame] * 20, ignore_index=True).to_csv(folder / "cancer_x20.csv", index=False)
        startups = []
        for _ in range(5):
            with TmuxSession([script], cwd=folder) as term:
                startups.append(term.wait_for("Step 1 of 5", timeout=30, poll=0.005))
        with TmuxSession([script], cwd=folder) as term:
            term.wait_for("usable rows", timeout=60)
            term.keys("Enter")
            term.wait_for("Step 2 of 5")
            term.keys("Down", "Enter")  # balanced: long enough to press keys while it trains
            for title in ("Step 3 of 5", "Step 4 of 5", "Step 5 of 5"):
                term.wait_for(title)
                term.keys("Enter")
            term.wait_for("done", timeout=120)  # the first model finished: the leaderboard has rows
            latencies = []
            for index in range(presses):
                latencies.append(changed_after(term, "Down" if index % 2 == 0 else "Up"))
                time.sleep(0.1)
            training = "training…" in term.screen()
            term.keys("Escape")
    print(f"{'measure':<42}{'median':>9}{'max':>9}{'n':>4}")
    print(
        f"{'start-up to first screen (s)':<42}{statistics.median(startups):>9.3f}{max(startups):>9.3f}"
        f"{len(startups):>4}"
    )
    valid = [x * 1000 for x in latencies if x == x]
    print(
        f"{'key press to screen change, mid-run (ms)':<42}{statistics.median(valid):>9.1f}{max(valid):>9.1f}"
        f"{len(valid):>4}"
    )
    print(f"a model was still training at the last press: {training}")


if __name__ == "__main__":
    main()
