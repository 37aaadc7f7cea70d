"""`automl-tui predict` on a large table: throughput and peak memory, against the same model on 10,000 rows.

Usage: python bench/predict_throughput.py [--rows 1000000]
A model is trained (fast preset, the linear and hist_gb models) on the penguins sample; the big table is the
sample's rows repeated to --rows. Each prediction is a separate `automl-tui predict` process, timed by GNU time
(wall seconds and peak RSS of that process, imports included).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def predict(script: str, run_dir: Path, data: Path, out: Path) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB) of one `automl-tui predict` process, measured by GNU time."""
    done = subprocess.run(
        ["/usr/bin/time", "-f", "%e %M", script, "predict", str(run_dir), str(data), "-o", str(out)],
        check=True,
        capture_output=True,
        text=True,
    )
    seconds, peak_kb = done.stderr.strip().splitlines()[-1].split()
    return float(seconds), int(peak_kb) / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    rows = parser.parse_args().rows
    script = shutil.which("automl-tui") or sys.exit("automl-tui is not installed in this environment")
    import pandas as pd

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        preset = folder / "p.toml"
        preset.write_text(
            'models = ["linear", "hist_gb"]\ncv_folds = 3\nexplain = false\ncharts = "none"\npriority = "accuracy"\n'
        )
        subprocess.run(
            [
                script,
                str(ROOT / "examples" / "penguins.csv"),
                "--preset",
                str(preset),
                "--target",
                "species",
                "--out",
                str(folder / "runs"),
            ],
            check=True,
            capture_output=True,
        )
        (run_dir,) = (folder / "runs").iterdir()
        sample = pd.read_csv(ROOT / "examples" / "penguins.csv").drop(columns="species")
        print(f"{'rows':>10}{'seconds':>10}{'rows/s':>12}{'peak RSS MB':>13}")
        for n in (10_000, rows):
            data = folder / f"rows_{n}.csv"
            pd.concat([sample] * (n // len(sample) + 1), ignore_index=True).head(n).to_csv(data, index=False)
            seconds, peak_mb = predict(script, run_dir, data, folder / f"out_{n}.csv")
            print(f"{n:>10}{seconds:>10.1f}{n / seconds:>12,.0f}{peak_mb:>13.0f}")
        import json

        print("model:", json.loads((run_dir / "run.json").read_text())["recommended"])


if __name__ == "__main__":
    main()
