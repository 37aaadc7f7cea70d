"""One peer AutoML fit (FLAML or AutoGluon) on a train/test pair, run inside the peers' own environment.

Called by bench/vs_peers.py; prints one JSON line: test score, wall seconds of the fit, predict ms per 1,000
rows (median of 5, the same way the bench times automl-tui's model), and model bytes (pickle for FLAML, the
predictor's folder on disk for AutoGluon).

Usage: python peer_fit.py TOOL TRAIN.csv TEST.csv TARGET TASK METRIC BUDGET_S WORKDIR
"""

from __future__ import annotations

import json
import pickle
import statistics
import sys
import time
from pathlib import Path

import pandas as pd
from sklearn import metrics as skm

SCORES = {
    "accuracy": skm.accuracy_score,
    "balanced_accuracy": skm.balanced_accuracy_score,
    "r2": skm.r2_score,
}


def folder_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def predict_ms_per_1k(predict, X: pd.DataFrame) -> float:
    rows = X.sample(n=1000, replace=len(X) < 1000, random_state=0)
    predict(rows)  # warm-up, as for automl-tui
    samples = []
    for _ in range(5):
        start = time.perf_counter()
        predict(rows)
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def balanced_accuracy_loss(X_val, y_val, estimator, *args, **kwargs):
    score = skm.balanced_accuracy_score(y_val, estimator.predict(X_val))
    return 1 - score, {"balanced_accuracy": score}


def fit_flaml(train, target, task, metric, budget, workdir):
    from flaml import AutoML

    automl = AutoML()
    flaml_task = "regression" if task == "regression" else "classification"
    # balanced accuracy is not built in: the same sklearn function, in FLAML's custom-metric form
    flaml_metric = balanced_accuracy_loss if metric == "balanced_accuracy" else metric
    automl.fit(
        X_train=train.drop(columns=[target]),
        y_train=train[target],
        task=flaml_task,
        metric=flaml_metric,
        time_budget=budget,
        seed=0,
        verbose=0,
        log_file_name=str(workdir / "flaml.log"),
    )
    return automl.predict, len(pickle.dumps(automl, protocol=pickle.HIGHEST_PROTOCOL)), automl.best_estimator


def fit_autogluon(train, target, task, metric, budget, workdir):
    from autogluon.tabular import TabularPredictor

    problem = {"binary": "binary", "multiclass": "multiclass", "regression": "regression"}[task]
    path = workdir / "autogluon"
    predictor = TabularPredictor(label=target, problem_type=problem, eval_metric=metric, path=str(path), verbosity=0)
    predictor.fit(train, time_limit=budget, presets="medium_quality")
    return predictor.predict, folder_bytes(path), predictor.model_best


def main() -> None:
    tool, train_path, test_path, target, task, metric, budget, workdir = sys.argv[1:9]
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    train, test = pd.read_csv(train_path), pd.read_csv(test_path)
    fit = {"flaml": fit_flaml, "autogluon": fit_autogluon}[tool]
    start = time.perf_counter()
    predict, size, best = fit(train, target, task, metric, float(budget), workdir)
    wall = time.perf_counter() - start
    X_test = test.drop(columns=[target])
    score = SCORES[metric](test[target], predict(X_test))
    result = {
        "score": float(score),
        "wall_s": wall,
        "predict_ms_per_1k": predict_ms_per_1k(predict, X_test),
        "bytes": size,
        "model": str(best),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
