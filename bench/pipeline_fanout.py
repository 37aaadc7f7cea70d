"""What sharing a run between agents costs and gives: the same run here, on one agent (`--remote`), and as a
pipeline (`--remote --pipeline`: preprocessing, one training step per family, reporting) with one and with two
agents, against the wire-compatible test server (tests/clearml_server.py, on this machine: no network latency).

Usage: python bench/pipeline_fanout.py [--models linear hist_gb random_forest extra_trees] [--max-trials 0]
Needs the test extra (clearml-agent). Each row is one `automl-tui` command on the bundled penguins table (fast
preset, `--max-trials N`: the same candidates every time); wall seconds run from the command's start until its run
folder exists here (for `--remote`, until the agent uploaded it). Agents run on this machine and share its cores,
so the gain from a second agent is bounded by the core count: on a 2-core machine two agents each get one.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from clearml_server import ClearMLTestServer  # noqa: E402  (the test server: tests/ is not a package)
from conftest import write_preset  # noqa: E402
from test_clearml_remote import agent_daemon, environment, quick_agent_config  # noqa: E402

PENGUINS = ROOT / "examples" / "penguins.csv"


def command(env: dict[str, str], preset: Path, out: Path, *flags: str) -> subprocess.CompletedProcess:
    args = [sys.executable, "-m", "automl_tui", PENGUINS, "--target", "species", "--preset", preset, "--out", out]
    return subprocess.run([*map(str, args), *flags], capture_output=True, text=True, env=env, check=True)


def remote_wall(server: ClearMLTestServer, env: dict[str, str], preset: Path, out: Path) -> float:
    """Enqueue, then wait for the agent's run task to finish (its run folder is uploaded before it does)."""
    start = time.perf_counter()
    enqueued = command(env, preset, out, "--remote", "default")
    run_id = re.search(r"Run (\S+) is queued", enqueued.stdout).group(1)
    while time.perf_counter() - start < 900:
        # named "run · <run_id> · <dataset_key>" (naming.task_name)
        tasks = [t for t in server.tasks.values() if t["name"].startswith(f"run · {run_id}")]
        if tasks and tasks[0]["status"] in ("completed", "failed", "stopped"):
            return time.perf_counter() - start
        time.sleep(0.2)
    raise TimeoutError(f"run {run_id} did not finish on the agent in 900 s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", nargs="+", default=["linear", "hist_gb", "random_forest", "extra_trees"])
    parser.add_argument("--max-trials", type=int, default=0)
    args = parser.parse_args()
    print(f"models: {', '.join(args.models)}; max trials {args.max_trials}")
    print(f"{'how':<28}{'agents':>7}{'wall s':>8}{'ratio':>7}  recommended")
    here_s = None
    pipeline = ["--remote", "default", "--pipeline"]
    for how, flags, agents in (
        ("here", [], 0),
        ("--remote", ["--remote", "default"], 1),
        ("--remote --pipeline", pipeline, 1),
        ("--remote --pipeline", pipeline, 2),
    ):
        server = ClearMLTestServer().start()
        with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
            work = Path(tmp)
            env = environment(server, work / "home")
            quick_agent_config(work / "home")  # agents set up as the README advises
            preset = write_preset(work / "bench.toml", models=args.models, max_trials=args.max_trials)
            for number in range(agents):
                stack.enter_context(agent_daemon(env, work / f"agent-{number}.log", worker=f"bench-{number}"))
            out = work / "runs"
            if flags == ["--remote", "default"]:
                wall, recommended = remote_wall(server, env, preset, out), "(on the agent)"
            else:
                start = time.perf_counter()
                command(env, preset, out, *flags)
                wall = time.perf_counter() - start
                (run_dir,) = out.iterdir()
                recommended = json.loads((run_dir / "run.json").read_text())["recommended"]
        server.stop()
        here_s = here_s or wall
        print(f"{how:<28}{agents:>7}{wall:>8.1f}{wall / here_s:>7.2f}  {recommended}")


if __name__ == "__main__":
    main()
