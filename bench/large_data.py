"""The fast preset on large tables (30 columns: 25 numbers, 5 categories): wall time and peak memory.

Usage: python bench/large_data.py [--rows 100000 1000000] [--formats csv parquet]
The tables are synthetic (scikit-learn's make_classification, with 5 columns turned into categories), written
as CSV or Parquet; each run is a separate `automl-tui` process timed by GNU time (wall seconds, peak RSS). The
ratio of peak RSS to file size, per format, is what engine/reading.py's memory estimate relies on.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


def make_table(rows: int, path: Path) -> None:
    """The table at `path`, as CSV or Parquet by its suffix."""
    import numpy as np
    import pandas as pd
    from sklearn.datasets import make_classification

    X, y = make_classification(n_samples=rows, n_features=25, n_informative=10, random_state=0)
    frame = pd.DataFrame(X.round(4), columns=[f"x{i}" for i in range(25)])
    rng = np.random.default_rng(0)
    for i in range(5):
        frame[f"category_{i}"] = rng.choice([f"c{j}" for j in range(8 + 4 * i)], size=rows)
    frame["target"] = np.where(y == 1, "yes", "no")
    if path.suffix == ".parquet":
        frame.to_parquet(path, index=False)
    else:
        frame.to_csv(path, index=False)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--formats", nargs="+", choices=["csv", "parquet"], default=["csv"])
    args = parser.parse_args()
    script = shutil.which("automl-tui") or sys.exit("automl-tui is not installed in this environment")
    print(
        f"{'rows':>9}{'format':>8}{'file MB':>9}{'wall s':>8}{'engine s':>10}{'peak MB':>9}{'RSS/file':>9}"
        "  recommended, test score"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for rows, suffix in [(rows, suffix) for rows in args.rows for suffix in args.formats]:
            data = Path(tmp) / f"table_{rows}.{suffix}"
            make_table(rows, data)
            out = Path(tmp) / f"runs_{rows}_{suffix}"
            done = subprocess.run(
                [
                    "/usr/bin/time",
                    "-f",
                    "%e %M",
                    script,
                    str(data),
                    "--preset",
                    "fast",
                    "--target",
                    "target",
                    "--out",
                    str(out),
                ],
                capture_output=True,
                text=True,
            )
            wall, peak_kb = done.stderr.strip().splitlines()[-1].split()
            (run_dir,) = out.iterdir()
            info = json.loads((run_dir / "run.json").read_text())
            metric = info["primary_metric"]
            file_mb, peak_mb = data.stat().st_size / 2**20, int(peak_kb) / 1024
            print(
                f"{rows:>9}{suffix:>8}{file_mb:>9.1f}{float(wall):>8.0f}{info['elapsed_s']:>10.0f}{peak_mb:>9.0f}"
                f"{peak_mb / file_mb:>9.1f}  {info['recommended']}, {metric} {info['test_metrics'][metric]:.4f}"
                f" (budget {info['budget_s']:g} s, exit {done.returncode})"
            )


if __name__ == "__main__":
    main()
