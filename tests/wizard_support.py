"""Helpers for driving the wizard in tests: a project folder, a run recorded by the current engine and replayed,
a fake clock."""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from pathlib import Path

from automl_tui_engine import events as ev
from automl_tui_engine.runner import RunResult
from conftest import PENGUINS, PENGUINS_JA, TEST_LANGUAGE, write_preset

RECORDED_RUN_ID = "20261126-050047-a387d6"
# the table the wizard is walked with, and the column its recorded run predicts: a Japanese session's is Japanese
# (wide characters in the preview and the leaderboard's class names)
TABLE, TABLE_TARGET = {"en": (PENGUINS, "species"), "ja": (PENGUINS_JA, "種")}[TEST_LANGUAGE]


class SteppingTimer:
    """A stand-in for time.perf_counter whose every reading moves on by a seeded random step: a run timed with it
    measures the same fit and predict times on every machine, so the screens that show them can be snapshots."""

    def __init__(self, seed: int = 0) -> None:
        import random

        self.now, self.steps = 0.0, random.Random(seed)

    def perf_counter(self) -> float:
        self.now += self.steps.uniform(0.0005, 0.02)
        return self.now


def timed_run(run_id: str, values: dict) -> Path:
    """A `fast` run with `values` that is the same on every machine: a fixed run id, and timings from a
    SteppingTimer (give a fixed max_trials too). It runs in a process of its own, as every real run does: what
    earlier tests did in this one cannot reach it (which equal strings Python shares changes a model's pickled size
    by some tens of bytes)."""
    import json
    import os
    import subprocess
    import sys

    script = "import sys, json, wizard_support as w; print(w.timed_run_here(sys.argv[1], json.loads(sys.argv[2])))"
    done = subprocess.run(
        [sys.executable, "-c", script, run_id, json.dumps(values, default=str)],
        capture_output=True,
        text=True,
        # where wizard_support is, named: a CLI call in this process sets PYTHONSAFEPATH (child_python.py)
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parent)},
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return Path(done.stdout.strip().splitlines()[-1])


def timed_run_here(run_id: str, values: dict) -> Path:
    """timed_run's run, in this process."""
    import automl_tui_engine as engine
    import pytest
    from automl_tui_engine import config
    from automl_tui_engine.search import evaluate

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(evaluate, "time", SteppingTimer())
        result = engine.run(config.build("fast", values), run_id=run_id)
    return Path(result.run_dir)


def record_run(out: Path) -> Path:
    """A run made now by the current engine (so every status and event it can produce reaches the replayed
    screens), the same on every machine."""
    values = {
        "data": TABLE,
        "target": TABLE_TARGET,
        "out": out,
        "models": ["linear", "hist_gb", "random_forest"],
        "cv_folds": 3,
        "latency_repeats": 3,
        "max_trials": 4,
        "explain": False,
        "charts": "none",
    }
    return timed_run(RECORDED_RUN_ID, values)


def make_project(root: Path) -> Path:
    """A folder as a user would have it: a table, a broken file, a table with a constant column, a preset."""
    project = root / "project"
    project.mkdir()
    shutil.copy(TABLE, project / TABLE.name)
    (project / "broken.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00binary")
    lines = ["temperature,site,label"] + [f"{20 + i % 7 / 2},{'AB'[i % 2]},ok" for i in range(40)]
    (project / "constant.csv").write_text("\n".join(lines) + "\n")
    (project / "presets").mkdir()
    write_preset(
        project / "presets" / "quick.toml",
        models=["linear", "hist_gb"],
        time_budget_s=20,
        description="Two models, for tests.",
    )
    later = time.time() + 2  # the newest table is the one the wizard starts on (tables of one second go by name)
    os.utime(project / TABLE.name, (later, later))
    return project


def no_clearml() -> dict[str, int]:
    """The queue lister of a machine where ClearML is not set up (the real one would import the SDK here)."""
    from automl_tui_engine.errors import UserError

    raise UserError("clearml.not_configured")


def two_queues() -> dict[str, int]:
    """A server's queues and how many agents serve each."""
    return {"default": 2, "gpu": 0}


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def here(runner):
    """A launch (launching.launch's call) that runs `runner`, a stand-in for engine.run, in this process wherever
    the wizard was told to run."""
    from automl_tui_engine.launching import RunHandle

    return lambda config, where: RunHandle(runner, config)


def tapped(seen):
    """launching.launch, with each event shown to `seen` before the wizard gets it."""
    from automl_tui_engine import launching

    def launch(config, where):
        handle = launching.launch(config, where)
        result = handle.result
        handle.result = lambda on_event=None: result(lambda event: (seen(event), on_event(event)))
        return handle

    return launch


class ReplayRunner:
    """Plays back a recorded run folder (`record_run`) as if the engine were running it; can pause after N
    finished models."""

    def __init__(self, recorded: Path, pause_after: int | None = None) -> None:
        self.recorded = recorded
        self.pause_after = pause_after
        self.paused = threading.Event()
        self.resume = threading.Event()

    def __call__(self, config, on_event=None, cancel=None) -> RunResult:
        recorded = self.recorded
        run_dir = Path(config.out) / recorded.name
        shutil.copytree(recorded, run_dir)
        finished = 0
        for line in (recorded / "events.jsonl").read_text().splitlines():
            data = json.loads(line)
            if data["kind"] == "run_started":
                data["run_dir"] = str(run_dir)
            event = ev.from_dict(data)
            if on_event:
                on_event(event)
            if isinstance(event, ev.CandidateFinished):
                finished += 1
                if finished == self.pause_after:
                    self.paused.set()
                    self.resume.wait(timeout=30)
        info = json.loads((run_dir / "run.json").read_text())
        return RunResult(
            run_id=info["run_id"],
            run_dir=str(run_dir),
            status=info["status"],
            recommended=info["recommended"],
            reason="",
            test_metrics=info["test_metrics"],
            leaderboard=[],
            elapsed_s=info["elapsed_s"],
        )


def screen_lines(app) -> list[str]:
    """The app's screen as a person sees it: its text, line by line (from the SVG screenshot, so a cell cut short
    by its column is cut short here too)."""
    import html
    import re

    lines: dict[float, list[tuple[float, str]]] = {}
    svg = app.export_screenshot()
    for x, y, text in re.findall(r'<text class="[^"]*-r\d+" x="([\d.]+)" y="([\d.]+)"[^>]*>([^<]*)</text>', svg):
        lines.setdefault(float(y), []).append((float(x), html.unescape(text).replace("\xa0", " ")))
    return ["".join(text for _, text in sorted(parts)) for _, parts in sorted(lines.items())]


def make_fresh_table(folder: Path, rows: int = 600, seed: int = 7) -> Path:
    """A table no other test uses (customers of a made-up shop), where the answer depends on interactions of the
    columns: deep and shallow models differ, so tuning has something to find and something to prune."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    visits = rng.integers(0, 40, rows)
    basket = rng.gamma(2.0, 30.0, rows).round(2)
    region = rng.choice(["north", "south", "east", "west"], rows)
    member = rng.choice(["yes", "no"], rows, p=[0.3, 0.7])
    signal = (visits > 20) ^ (basket > 60) ^ (region == "east")
    noisy = np.where(rng.random(rows) < 0.1, ~signal, signal)
    frame = pd.DataFrame({"visits": visits, "basket_eur": basket, "region": region, "member": member, "returns": noisy})
    frame["returns"] = frame["returns"].map({True: "comes back", False: "does not"})
    path = folder / "shop_customers.csv"
    frame.to_csv(path, index=False)
    return path


STRESS_PRESET = {
    "description": "Every status a run can record, for sure.",
    "time_budget_s": 30,  # the slow model takes its share first: 20 s left a busy CI machine one tuned candidate
    "cv_folds": 3,
    "latency_repeats": 1,
    "models": ["linear", "stress_tree", "stress_slow", "stress_broken", "stress_regression_only"],
    "plugins": ["stress_plugin"],
    "explain": False,
    "charts": "none",
}


def isolate_stress_plugin(monkeypatch) -> None:
    """The stress plugin registers in this process for one test only, and its module is found by the engine's
    child process too."""
    from automl_tui_engine.extension import plugins
    from automl_tui_engine.extension.registry import models

    monkeypatch.setattr(models, "REGISTRY", models.REGISTRY.copy())
    monkeypatch.setattr(plugins, "_RECORDS", dict(plugins._RECORDS))
    plugins.trust(STRESS_PRESET["plugins"])  # as the user would, once
    tests = str(Path(__file__).parent)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [tests, os.environ.get("PYTHONPATH")])))


def summary_shown(app) -> bool:
    """The Decision Summary is on show with its contents: a screen is current as soon as it is pushed, and its
    widgets are mounted a moment later (a query in between finds nothing)."""
    from automl_tui.screens.decision import DecisionScreen

    return isinstance(app.screen, DecisionScreen) and bool(app.screen.query("#headline"))
