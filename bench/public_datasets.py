"""The `fast` preset, end to end through the real command, on public datasets that ship with scikit-learn.

Prints one table: rows, task, wall seconds of the whole command, the engine's own elapsed time, the
recommended model and its held-out test score. No download: the data sets are inside scikit-learn.

Usage: python bench/public_datasets.py [--preset fast] [--priority balanced]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def datasets(folder: Path) -> list[tuple[str, Path, str]]:
    from sklearn import datasets as sk

    out = []
    for name, loader in (
        ("breast_cancer", sk.load_breast_cancer),
        ("wine", sk.load_wine),
        ("diabetes", sk.load_diabetes),
    ):
        frame = loader(as_frame=True).frame
        path = folder / f"{name}.csv"
        frame.to_csv(path, index=False)
        out.append((name, path, "target"))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--preset", default="fast")
    parser.add_argument("--priority", default="balanced")
    args = parser.parse_args()
    script = shutil.which("automl-tui") or sys.exit("automl-tui is not installed in this environment")
    header = (
        f"{'dataset':<15}{'rows':>6} {'task':<11}{'wall s':>8}{'engine s':>10}  {'recommended':<14}{'test score':>22}"
    )
    lines = [header]
    with tempfile.TemporaryDirectory() as tmp:
        for name, path, target in datasets(Path(tmp)):
            out = Path(tmp) / "runs" / name
            start = time.perf_counter()
            subprocess.run(
                [
                    script,
                    str(path),
                    "--preset",
                    args.preset,
                    "--priority",
                    args.priority,
                    "--target",
                    target,
                    "--out",
                    str(out),
                ],
                check=True,
                capture_output=True,
            )
            wall = time.perf_counter() - start
            (run_dir,) = out.iterdir()
            info = json.loads((run_dir / "run.json").read_text())
            metric = info["primary_metric"]
            rows = sum(1 for _ in path.open()) - 1
            score = f"{metric} {info['test_metrics'][metric]:.4f}"
            lines.append(
                f"{name:<15}{rows:>6} {info['task']:<11}{wall:>8.1f}{info['elapsed_s']:>10.1f}  "
                f"{info['recommended']:<14}{score:>22}"
            )
    print("\n".join(lines))


if __name__ == "__main__":
    main()
