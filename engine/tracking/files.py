"""The local tracker: every event appended to the run folder's events.jsonl as it happens."""

from __future__ import annotations

from pathlib import Path

from engine import events as ev
from engine.rundir import RunFolder
from engine.tracking import Tracker


class FileTracker(Tracker):
    def __init__(self) -> None:
        self.folder: RunFolder | None = None

    def event(self, event: ev.Event) -> None:
        if isinstance(event, ev.RunStarted):  # the first event: its run folder exists from here on
            self.folder = RunFolder(Path(event.run_dir))
        if self.folder is not None:
            self.folder.append_event(event.to_dict())
