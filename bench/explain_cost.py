"""What explanations and charts add to a fast-preset run: the same run with them on and off, in one process.

Usage: python bench/explain_cost.py
Data: scikit-learn's breast-cancer table (569 rows, binary) and diabetes (442 rows, regression).
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

import automl_tui_engine as engine
from automl_tui_engine import config


def main() -> None:
    from sklearn import datasets as sk

    print(f"{'dataset':<15}{'setting':<28}{'run s':>8}{'explain s':>11}{'charts s':>10}  recommended")
    with tempfile.TemporaryDirectory() as tmp:
        for name, loader in (("breast_cancer", sk.load_breast_cancer), ("diabetes", sk.load_diabetes)):
            path = Path(tmp) / f"{name}.csv"
            loader(as_frame=True).frame.to_csv(path, index=False)
            for label, values in (
                ("explain off, charts off", {"explain": False, "charts": "none"}),
                ("explain on, charts html+png", {"explain": True, "charts": "html+png"}),
            ):
                run_config = config.build(
                    "fast", {"data": path, "target": "target", "out": Path(tmp) / "runs", **values}
                )
                start = time.perf_counter()
                result = engine.run(run_config)
                wall = time.perf_counter() - start
                timings = json.loads((Path(result.run_dir) / "run.json").read_text()).get("timings", {})
                print(
                    f"{name:<15}{label:<28}{wall:>8.1f}{timings.get('explain_s', 0):>11.2f}"
                    f"{timings.get('charts_s', 0):>10.2f}  {result.recommended}"
                )


if __name__ == "__main__":
    main()
