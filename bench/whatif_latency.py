"""How long one what-if answer takes (the model's prediction and SHAP for that row), per model kind, against the
prediction alone in the same process: issue 20 asks for an answer within 100 ms on the bundled sample.

Usage: python bench/whatif_latency.py [--repeats 20]
Data: examples/penguins.csv (333 usable rows, three classes) and scikit-learn's diabetes table (442 rows,
regression). One run per kind (its defaults, no tuning); each timing is the median of --repeats answers from the model
loaded once (as the wizard's form asks it); the first (loading the model, imports) reported apart.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import automl_tui_engine as engine
from automl_tui_engine import config
from automl_tui_engine.whatif.case import SavedModel

KINDS = ("linear", "hist_gb", "random_forest", "extra_trees", "knn")
PENGUINS = Path(__file__).resolve().parent.parent / "examples" / "penguins.csv"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=20)
    repeats = parser.parse_args().repeats
    from sklearn import datasets as sk

    print(f"{'table':<10}{'model':<15}{'first ms':>10}{'answer ms':>11}{'predict ms':>12}{'ratio':>7}  pushes")
    with tempfile.TemporaryDirectory() as tmp:
        diabetes = Path(tmp) / "diabetes.csv"
        sk.load_diabetes(as_frame=True).frame.to_csv(diabetes, index=False)
        tables = ((PENGUINS, "species", {"island": "Dream"}), (diabetes, "target", {"bmi": "0.05"}))
        for table, target, change in tables:
            for kind in KINDS:
                values = {"data": table, "target": target, "out": Path(tmp) / "runs", "models": [kind]}
                values.update(max_trials=0, explain=False, charts="none", ensemble=False)
                run_dir = Path(engine.run(config.build("fast", values)).run_dir)
                start = time.perf_counter()
                saved = SavedModel.open(run_dir)  # once, as the wizard's form does; then every edit is an answer
                answer = saved.answer(change)
                first = time.perf_counter() - start
                answers = []
                for _ in range(repeats):
                    start = time.perf_counter()
                    saved.answer(change)
                    answers.append(time.perf_counter() - start)
                frame = saved.frame([saved.typical])
                predicts = []
                for _ in range(repeats):
                    start = time.perf_counter()
                    saved.predictions(frame)
                    predicts.append(time.perf_counter() - start)
                answer_ms, predict_ms = statistics.median(answers) * 1000, statistics.median(predicts) * 1000
                pushes = "yes" if answer.pushes else f"no ({answer.why_not[:40]})"
                print(
                    f"{table.stem:<10}{kind:<15}{first * 1000:>10.0f}{answer_ms:>11.1f}{predict_ms:>12.2f}"
                    f"{answer_ms / predict_ms:>7.0f}  {pushes}"
                )


if __name__ == "__main__":
    main()
