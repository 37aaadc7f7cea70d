"""Wall time of `automl-tui --help` against a bare Python start, median of repeated runs.

Usage: python bench/cli_startup.py [--repeats 15]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time


def median_wall(command: list[str], repeats: int) -> float:
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=15)
    repeats = parser.parse_args().repeats
    script = shutil.which("automl-tui") or sys.exit("automl-tui is not installed in this environment")
    rows = [
        ("python -c pass", median_wall([sys.executable, "-c", "pass"], repeats)),
        ("automl-tui --help", median_wall([script, "--help"], repeats)),
        ("automl-tui presets", median_wall([script, "presets"], repeats)),
    ]
    base = rows[0][1]
    print(f"{'command':<22}{'median s':>10}{'× python':>10}")
    for name, seconds in rows:
        print(f"{name:<22}{seconds:>10.3f}{seconds / base:>10.1f}")


if __name__ == "__main__":
    main()
