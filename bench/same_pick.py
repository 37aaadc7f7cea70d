"""Does the same command give the same recommendation? Runs one command `--repeats` times on the bundled sample
and on public tables that ship with scikit-learn (the `fast` preset, its time budget, the same seed), and prints
each run's pick and whether they agree. A time budget lets the search differ a little between runs; the pick
should not change on timing noise.

Usage: python bench/same_pick.py [--repeats 3] [--priority balanced] [--command automl-tui]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def tables(folder: Path) -> list[tuple[str, Path, str]]:
    from sklearn import datasets as sk

    found = [("penguins", ROOT / "examples" / "penguins.csv", "species")]
    for name, loader in (
        ("breast_cancer", sk.load_breast_cancer),
        ("wine", sk.load_wine),
        ("diabetes", sk.load_diabetes),
    ):
        path = folder / f"{name}.csv"
        loader(as_frame=True).frame.to_csv(path, index=False)
        found.append((name, path, "target"))
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--priority", default="balanced")
    parser.add_argument("--command", default=shutil.which("automl-tui"))
    args = parser.parse_args()
    if not args.command:
        sys.exit("automl-tui is not installed in this environment")
    print("| table | picks | the same |\n|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for name, path, target in tables(Path(tmp)):
            picks = []
            for repeat in range(args.repeats):
                out = Path(tmp) / "runs" / f"{name}-{repeat}"
                command = [args.command, str(path), "--target", target, "--priority", args.priority, "--out", str(out)]
                subprocess.run(command, check=True, capture_output=True)
                (run_dir,) = out.iterdir()
                picks.append(json.loads((run_dir / "run.json").read_text())["recommended"])
            print(f"| {name} | {', '.join(picks)} | {'yes' if len(set(picks)) == 1 else 'no'} |")


if __name__ == "__main__":
    main()
