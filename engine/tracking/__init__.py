"""Trackers: where a run's events go besides the caller. Every run has the file tracker (events.jsonl in the run
folder); with `clearml.enabled` the ClearML tracker mirrors the run as tasks on a ClearML server (or offline).

A tracker sees every event in order and is closed exactly once, also when the run fails half-way, so what it
holds is flushed whatever happens.
"""

from __future__ import annotations

from typing import Any

from engine import events as ev


class Tracker:
    def event(self, event: ev.Event) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """Called once when the run ends, finished or not."""


def for_config(config: Any) -> list[Tracker]:
    from engine.tracking.files import FileTracker

    trackers: list[Tracker] = [FileTracker()]
    if config.clearml.enabled:
        from engine.tracking.clearml_tracker import ClearMLTracker

        trackers.append(ClearMLTracker(config.clearml.project))
    return trackers
