"""Records the run folder the wizard's snapshot tests replay (real engine, penguins, three models).

Usage: python tests/data/make_recorded_run.py   (rewrites tests/data/recorded_run/)
The model file is left out: the screens read only the CSV, JSON and Markdown files.
"""

import shutil
import tempfile
from pathlib import Path

import engine
from engine import config

HERE = Path(__file__).resolve().parent
TARGET = HERE / "recorded_run"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        values = {
            "data": HERE.parent.parent / "examples" / "penguins.csv",
            "target": "species",
            "out": Path(tmp),
            "models": ["linear", "hist_gb", "random_forest"],
            "cv_folds": 3,
            "latency_repeats": 3,
        }
        result = engine.run(config.build("fast", values))
        shutil.rmtree(TARGET, ignore_errors=True)
        shutil.copytree(result.run_dir, TARGET / result.run_id, ignore=shutil.ignore_patterns("model.joblib"))
    print(f"recorded {result.run_id}: {result.recommended}")


if __name__ == "__main__":
    main()
