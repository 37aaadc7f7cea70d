"""Trackers: where a run's events go besides the caller. Every run has the file tracker (events.jsonl in the run
folder); with `clearml.enabled` the ClearML tracker (clearml/tracker.py) mirrors the run as tasks on a ClearML server
(or offline). The runner chooses them.

A tracker sees every event in order and is closed exactly once, also when the run fails half-way, so what it
holds is flushed whatever happens.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path

from automl_tui_engine import events as ev
from automl_tui_engine.outputs.rundir import RunFolder


class Tracker(ABC):
    @abstractmethod
    def event(self, event: ev.Event) -> None:
        """Called for every event of the run, in order."""

    def close(self) -> None:  # noqa: B027 - optional: only trackers that hold something to flush override it
        """Called once when the run ends, finished or not."""


class FileTracker(Tracker):
    """Every event appended to the run folder's events.jsonl as it happens."""

    def __init__(self) -> None:
        self.folder: RunFolder | None = None

    def event(self, event: ev.Event) -> None:
        if isinstance(event, ev.RunStarted):  # the first event: its run folder exists from here on
            self.folder = RunFolder(Path(event.run_dir))
        if self.folder is not None:
            self.folder.append_event(event.to_dict())


class Trackers:
    """The run's trackers, fed together; one that fails (a server gone away) is dropped and the failure returned,
    so the run goes on and can say so."""

    def __init__(self, trackers: list[Tracker]) -> None:
        self.active = list(trackers)

    def event(self, event: ev.Event) -> list[tuple[Tracker, Exception]]:
        return self._each(lambda tracker: tracker.event(event))

    def close(self) -> list[tuple[Tracker, Exception]]:
        return self._each(lambda tracker: tracker.close())

    def _each(self, call: Callable[[Tracker], None]) -> list[tuple[Tracker, Exception]]:
        failed = []
        for tracker in list(self.active):
            try:
                call(tracker)
            except Exception as exc:
                self.active.remove(tracker)
                failed.append((tracker, exc))
        return failed
