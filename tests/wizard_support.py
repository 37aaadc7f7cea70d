"""Helpers for driving the wizard in tests: a project folder, a replayed engine, a fake clock."""

from __future__ import annotations

import json
import os
import shutil
import threading
from pathlib import Path

from conftest import PENGUINS, write_preset

from engine import events as ev
from engine.runner import RunResult

RECORDED = Path(__file__).parent / "data" / "recorded_run"


def make_project(root: Path) -> Path:
    """A folder as a user would have it: a table, a broken file, a table with a constant column, a preset."""
    project = root / "project"
    project.mkdir()
    shutil.copy(PENGUINS, project / "penguins.csv")
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
    os.utime(project / "penguins.csv")  # the newest table is the one the wizard starts on
    return project


def no_clearml() -> list[str]:
    """The queue lister of a machine where ClearML is not set up (the real one would import the SDK here)."""
    from engine.errors import UserError

    raise UserError("clearml.not_configured")


def two_queues() -> list[str]:
    return ["default", "gpu"]


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class ReplayRunner:
    """Plays back a recorded run folder as if the engine were running it; can pause after N finished models."""

    def __init__(self, pause_after: int | None = None) -> None:
        self.pause_after = pause_after
        self.paused = threading.Event()
        self.resume = threading.Event()

    def __call__(self, config, on_event=None, cancel=None) -> RunResult:
        (recorded,) = RECORDED.iterdir()
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
