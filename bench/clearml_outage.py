"""What a ClearML server that goes away costs a tracked run: the server (tests/clearml_server.py) is stopped once a
model has finished, and the run is timed to its exit, with and without a SIGTERM sent during the outage; an untracked
run of the same table and budget is the peer.

A second table times the commands that wait on the server: `watch` following a queued run (no agent takes it), with
and without a SIGTERM in the outage, and a `--pipeline` run whose controller (here) waits for its first step.

Usage: python bench/clearml_outage.py [--repeats 2] [--budget 20]
Columns: seconds from the run's start to its exit, seconds from the server's stop (or the SIGTERM) to the exit, the
exit code, and how many lines the run wrote on stderr.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from clearml_server import ClearMLTestServer  # noqa: E402  (the test server: tests/ is not a package)


def run_once(mode: str, budget: int, work: Path) -> tuple[float, float, int, int]:
    server = ClearMLTestServer().start()
    env = {key: value for key, value in os.environ.items() if not key.startswith("CLEARML_")}
    env["HOME"] = str(work / "home")
    (work / "home").mkdir(parents=True)
    flags = [] if mode == "untracked" else ["--clearml"]
    env.update(server.env() if flags else {})
    command = [sys.executable, "-m", "automl_tui", str(ROOT / "examples" / "penguins.csv"), "--target", "species"]
    command += ["--preset", "fast", "--time-budget", str(budget), "--out", str(work / "runs"), *flags]
    began = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    while not any('"candidate_finished"' in p.read_text() for p in (work / "runs").glob("*/events.jsonl")):
        if process.poll() is not None or time.monotonic() - began > 300:
            raise SystemExit(f"{mode}: the run ended or stalled before a model finished")
        time.sleep(0.2)
    if mode != "untracked":
        server.stop()  # what a server restart looks like to the run
    if mode == "sigterm":
        time.sleep(1)
        process.send_signal(signal.SIGTERM)
    cut = time.monotonic()
    _, err = process.communicate(timeout=600)
    ended = time.monotonic()
    server.stop()
    return ended - began, ended - cut, process.returncode, len(err.splitlines())


def waiting_once(mode: str, work: Path) -> tuple[float, float, int, int]:
    """`watch` (mode "watch", "watch sigterm") or a pipeline's controller ("pipeline") through an outage."""
    server = ClearMLTestServer().start()
    env = {key: value for key, value in os.environ.items() if not key.startswith("CLEARML_")}
    (work / "home").mkdir(parents=True)
    env.update(server.env(), HOME=str(work / "home"))
    table = [str(ROOT / "examples" / "penguins.csv"), "--target", "species", "--preset", "fast"]
    cli = [sys.executable, "-m", "automl_tui"]
    began = time.monotonic()
    if mode == "pipeline":
        command = [*cli, *table, "--remote", "default", "--pipeline", "--out", str(work / "runs")]
        started = lambda: any(t["name"].startswith("preprocessing · ") for t in server.tasks.values())  # noqa: E731
    else:
        queued = subprocess.run([*cli, *table, "--remote", "default"], capture_output=True, text=True, env=env)
        run_id = queued.stdout.split("Run ", 1)[1].split()[0]
        command = [*cli, "watch", run_id, "--poll", "0.5"]
        calls = len(server.calls)
        started = lambda: len(server.calls) > calls + 5  # noqa: E731
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    while not started():
        if process.poll() is not None or time.monotonic() - began > 300:
            raise SystemExit(f"{mode}: the command ended or stalled before it waited on the server")
        time.sleep(0.2)
    server.stop()
    if mode == "watch sigterm":
        process.send_signal(signal.SIGTERM)
    cut = time.monotonic()
    _, err = process.communicate(timeout=600)
    ended = time.monotonic()
    return ended - began, ended - cut, process.returncode, len(err.splitlines())


def table_of(modes: tuple[str, ...], once, repeats: int) -> None:
    print("| mode | start to exit (s) | stop/SIGTERM to exit (s) | exit code | stderr lines |")
    print("|---|---|---|---|---|")
    for mode in modes:
        found = []
        for _ in range(repeats):
            with tempfile.TemporaryDirectory() as work:
                found.append(once(mode, Path(work)))
        total = statistics.median(f[0] for f in found)
        after = statistics.median(f[1] for f in found)
        codes = sorted({f[2] for f in found})
        lines = max(f[3] for f in found)
        print(f"| {mode} | {total:.1f} | {after:.1f} | {codes} | {lines} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--budget", type=int, default=20)
    args = parser.parse_args()
    print(f"budget {args.budget} s, median of {args.repeats}")
    table_of(("untracked", "server stops", "sigterm"), lambda m, w: run_once(m, args.budget, w), args.repeats)
    print()
    table_of(("watch", "watch sigterm", "pipeline"), waiting_once, args.repeats)


if __name__ == "__main__":
    main()
