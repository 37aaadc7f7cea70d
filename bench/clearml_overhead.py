"""What recording a run in ClearML costs: the same run without tracking, with the SDK offline, and online against
the wire-compatible test server (tests/clearml_server.py, on this machine: no network latency, so a real server
adds its round trips on top).

Usage: python bench/clearml_overhead.py [--repeats 2] [--max-trials 0]
Each run is a separate `automl-tui` process on the bundled penguins table (fast preset with --max-trials N, so
every run trains the same candidates: the defaults, then N tuned ones); wall seconds are the whole command, engine
seconds are run.json's elapsed_s (the run up to its report), tasks is the number of ClearML tasks made.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from clearml_server import ClearMLTestServer  # noqa: E402  (the test server: tests/ is not a package)


def run_once(mode: str, server: ClearMLTestServer, work: Path, trials: int) -> tuple[float, float, int, int]:
    home, out = work / "home", work / "runs"
    home.mkdir(parents=True)
    env = {key: value for key, value in os.environ.items() if not key.startswith("CLEARML_")}
    env["HOME"] = str(home)
    flags = []
    if mode == "offline":
        env["CLEARML_OFFLINE_MODE"] = "1"
        flags = ["--clearml"]
    elif mode == "online":
        env.update(server.env())
        flags = ["--clearml"]
    before = len(server.tasks)
    start = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "automl_tui",
            ROOT / "examples" / "penguins.csv",
            "--target",
            "species",
            "--max-trials",
            "0",
            "--out",
            out,
            *flags,
        ],
        check=True,
        capture_output=True,
        env=env,
    )
    wall = time.perf_counter() - start
    (run_dir,) = out.iterdir()
    info = json.loads((run_dir / "run.json").read_text())
    offline_tasks = list((home / ".clearml" / "cache" / "offline").glob("offline-*/"))
    tasks = len(server.tasks) - before if mode == "online" else len(offline_tasks)
    return wall, info["elapsed_s"], info["n_candidates"], tasks


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--max-trials", type=int, default=0)
    args = parser.parse_args()
    repeats = args.repeats
    server = ClearMLTestServer().start()
    print(f"{'tracking':<10}{'wall s':>8}{'engine s':>10}{'models':>8}{'tasks':>7}  (median of {repeats})")
    try:
        for mode in ("none", "offline", "online"):
            results = []
            for _ in range(repeats):
                with tempfile.TemporaryDirectory() as tmp:
                    results.append(run_once(mode, server, Path(tmp), args.max_trials))
            walls, engines, models, tasks = zip(*results, strict=True)
            print(
                f"{mode:<10}{statistics.median(walls):>8.1f}{statistics.median(engines):>10.1f}"
                f"{max(models):>8}{max(tasks):>7}"
            )
    finally:
        server.stop()


if __name__ == "__main__":
    main()
