"""automl-tui against FLAML and AutoGluon at equal time, on the same splits of public datasets.

Every dataset ships inside a PyPI package (scikit-learn, statsmodels, and the bundled penguins CSV): nothing
is downloaded at run time. For each dataset automl-tui runs first (the real command, per preset); its
test_predictions.csv names the test rows of its split, and the peers get exactly the other rows to train on
and those rows to be scored on, with the same metric (automl-tui's primary metric for the data).
Peers run in their own environment (`--peers-python`), made by:

    python3 -m venv .bench-peers && .bench-peers/bin/pip install -r bench/peers-requirements.txt

Columns: test score; engine s (automl-tui's own elapsed_s: load, search, refit, explain, charts and report)
or the peer's fit seconds; predict ms per 1,000 test rows (median of 5, after a warm-up, same code for all);
model bytes (model.joblib; FLAML pickled; AutoGluon's predictor folder); ratios of automl-tui's figures to
each peer's (score: difference); the model recommended, how many candidates the budget stopped unfinished, how
many failed, how many PNG charts the run made, and why the search ended (budget, patience, max_trials, exhausted).

`--priorities balanced accuracy` runs automl-tui once per priority (`accuracy` is the peers' objective: the best
score, whatever it costs). `--hog` keeps one core busy (`python -c "while 1: pass"`) for the whole bench, automl-tui
and peers alike: a laptop doing other work.

Usage: python bench/vs_peers.py --peers-python .bench-peers/bin/python [--presets fast balanced] [--budget 30]
       [--priorities balanced accuracy] [--hog] [--only fair randhie]
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

ROOT = Path(__file__).resolve().parent.parent


def datasets(folder: Path) -> list[tuple[str, Path, str]]:
    import statsmodels.api as sm
    from sklearn import datasets as sk

    frames = {
        "breast_cancer": (sk.load_breast_cancer(as_frame=True).frame, "target"),
        "wine": (sk.load_wine(as_frame=True).frame, "target"),
        "digits": (sk.load_digits(as_frame=True).frame, "target"),
        "diabetes": (sk.load_diabetes(as_frame=True).frame, "target"),
    }
    fair = sm.datasets.fair.load_pandas().data
    fair["had_affair"] = (fair.pop("affairs") > 0).map({True: "yes", False: "no"})
    frames["fair"] = (fair, "had_affair")
    frames["randhie"] = (sm.datasets.randhie.load_pandas().data, "mdvis")
    out = []
    for name, (frame, target) in frames.items():
        path = folder / f"{name}.csv"
        frame.to_csv(path, index=False)
        out.append((name, path, target))
    out.insert(2, ("penguins", ROOT / "examples" / "penguins.csv", "species"))
    return out


def our_predict_ms(run_dir: Path, test) -> float:
    """Timed with the very function that times the peers."""
    import joblib
    from peer_fit import predict_ms_per_1k

    return predict_ms_per_1k(joblib.load(run_dir / "model.joblib").predict, test)


def failed(run_dir: Path) -> int:
    import csv

    with open(run_dir / "results_summary.csv", encoding="utf-8-sig") as rows:
        return sum(row["status"] == "failed" for row in csv.DictReader(rows))


def run_ours(script: str, path: Path, target: str, preset: str, priority: str, out: Path) -> dict:
    start = time.perf_counter()
    subprocess.run(
        [script, str(path), "--preset", preset, "--priority", priority, "--target", target, "--out", str(out)],
        check=True,
        capture_output=True,
    )
    wall = time.perf_counter() - start
    (run_dir,) = out.iterdir()
    info = json.loads((run_dir / "run.json").read_text())
    return {"run_dir": run_dir, "info": info, "wall_s": wall}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--peers-python", required=True)
    parser.add_argument("--presets", nargs="+", default=["fast", "balanced"])
    parser.add_argument("--budget", type=float, default=30.0, help="the peers' time budget, seconds")
    parser.add_argument("--priorities", nargs="+", default=["balanced"])
    parser.add_argument("--hog", action="store_true", help="keep one core busy for the whole bench")
    parser.add_argument("--only", nargs="*", help="dataset names to run (default: all)")
    args = parser.parse_args()
    hog = subprocess.Popen([sys.executable, "-c", "while 1: pass"]) if args.hog else None
    try:
        compare(args)
    finally:
        if hog is not None:
            hog.kill()


def compare(args: argparse.Namespace) -> None:
    import pandas as pd

    script = shutil.which("automl-tui") or sys.exit("automl-tui is not installed in this environment")
    header = (
        f"{'dataset':<14}{'rows':>6} {'metric':<18}{'system':<21}{'score':>8}{'secs':>7}{'ms/1k':>9}{'MB':>9}"
        f"  {'vs FLAML (Δscore, ×ms, ×size)':<32}{'vs AutoGluon':<28}model"
    )
    lines = [header]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for name, path, target in datasets(tmp):
            if args.only and name not in args.only:
                continue
            frame = pd.read_csv(path)
            results, reference = {}, None
            for preset, priority in [(p, q) for p in args.presets for q in args.priorities]:
                ours = run_ours(script, path, target, preset, priority, tmp / "runs" / f"{name}-{preset}-{priority}")
                info = ours["info"]
                metric, task = info["primary_metric"], info["task"]
                positions = pd.read_csv(ours["run_dir"] / "test_predictions.csv")["row"].to_numpy() - 1
                test = frame.iloc[positions]
                results[f"automl-tui {preset}/{priority[:3]}"] = {
                    "score": info["test_metrics"][metric],
                    "wall_s": info["elapsed_s"],
                    "predict_ms_per_1k": our_predict_ms(ours["run_dir"], test.drop(columns=[target])),
                    "bytes": (ours["run_dir"] / "model.joblib").stat().st_size,
                    # models the budget stopped before they finished (issue 17: none on a busy machine), and
                    # candidates that failed (a search space invalid for the table: none)
                    "model": f"{info['recommended']}, {info['search']['stopped_budget']} stopped,"
                    f" {failed(ours['run_dir'])} failed, {len(list(ours['run_dir'].glob('plots/*.png')))} PNG,"
                    f" search ended by {info['search']['stop']}",
                }
                reference = reference or (metric, task, positions)
            metric, task, positions = reference
            train_path, test_path = tmp / f"{name}-train.csv", tmp / f"{name}-test.csv"
            frame.drop(index=frame.index[positions]).to_csv(train_path, index=False)
            frame.iloc[positions].to_csv(test_path, index=False)
            for tool in ("flaml", "autogluon"):
                done = subprocess.run(
                    [
                        args.peers_python,
                        str(Path(__file__).with_name("peer_fit.py")),
                        tool,
                        str(train_path),
                        str(test_path),
                        target,
                        task,
                        metric,
                        str(args.budget),
                        str(tmp / f"{name}-{tool}"),
                    ],
                    capture_output=True,
                    text=True,
                )
                if done.returncode != 0:
                    print(f"{name} {tool} failed:\n{done.stderr[-2000:]}", file=sys.stderr)
                    continue
                results[f"{tool} {args.budget:g}s"] = json.loads(done.stdout.strip().splitlines()[-1])
            for system, r in results.items():
                versus = []
                for tool in ("flaml", "autogluon"):
                    peer = next((v for k, v in results.items() if k.startswith(tool)), None)
                    if peer is None or not system.startswith("automl-tui"):
                        versus.append("")
                        continue
                    versus.append(
                        f"{r['score'] - peer['score']:+.4f} ×{r['predict_ms_per_1k'] / peer['predict_ms_per_1k']:.2f}"
                        f" ×{r['bytes'] / peer['bytes']:.3f}"
                    )
                lines.append(
                    f"{name:<14}{len(frame):>6} {metric:<18}{system:<21}{r['score']:>8.4f}{r['wall_s']:>7.1f}"
                    f"{r['predict_ms_per_1k']:>9.2f}{r['bytes'] / 1e6:>9.3f}  {versus[0]:<32}{versus[1]:<28}"
                    f"{r['model']}"
                )
            print("\n".join(lines[-len(results) :]), flush=True)
    print("\n" + "\n".join(lines))


if __name__ == "__main__":
    main()
