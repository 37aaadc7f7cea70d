"""Trackers: where a run's events go besides the caller. Every run has the file tracker (events.jsonl in the run
folder); with `clearml.enabled` the ClearML tracker (clearml_tracking/tracker.py) mirrors the run as tasks on a
ClearML server (or offline). The runner chooses them.

A tracker sees every event in order and is closed exactly once, also when the run fails half-way, so what it
holds is flushed whatever happens.
"""

from __future__ import annotations

import queue
import threading
import time
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

    def heartbeat(self) -> None:  # noqa: B027 - a long call says it is still getting somewhere (BackgroundTracker)
        """Called by the tracker itself between the steps of a long call (closing: one task after another)."""


class FileTracker(Tracker):
    """Every event appended to the run folder's events.jsonl as it happens."""

    def __init__(self) -> None:
        self.folder: RunFolder | None = None

    def event(self, event: ev.Event) -> None:
        if isinstance(event, ev.RunStarted):  # the first event: its run folder exists from here on
            self.folder = RunFolder(Path(event.run_dir))
        if self.folder is not None:
            self.folder.append_event(event.to_dict())


class TrackerAbandoned(Exception):
    """A tracker's server stopped answering (`stuck`: it answers, but a call to it never ends): the run goes on
    without it."""

    def __init__(self, name: str, stuck: bool = False) -> None:
        super().__init__(name)
        self.stuck = stuck


class NotAllRecorded(Exception):
    """A tracker's server refused some of what it was sent (the run folder's clearml.json lists what): raised by its
    close, once everything else is recorded."""

    def __init__(self, items: list[str]) -> None:
        super().__init__(", ".join(items))
        self.items = items


_STUCK_CALLS: list[str] = []  # trackers abandoned with a call still running (the process must not wait for them)


def left_stuck(name: str) -> None:
    """A call to a server was given up while it still runs: the process must end without waiting for it."""
    _STUCK_CALLS.append(name)


def stuck_calls() -> list[str]:
    """The trackers abandoned in the middle of a call: a face ends its process without waiting for them (a server
    library's exit hooks would retry the dead server for ever)."""
    return list(_STUCK_CALLS)


def without_waiting_for_stuck_calls(code: int) -> int:
    """`code`, or the process ended with it at once when a call to a server that stopped answering was left running
    (the server library's exit hooks would retry that server for ever). Everything a run made is on disk by then;
    the output streams are flushed first."""
    if _STUCK_CALLS:
        import os
        import sys

        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code


STUCK_AFTER_S = 30.0  # a call to a server that answers, without a step of progress for this long, is stuck


class BackgroundTracker(Tracker):
    """A tracker that talks to a server, on a thread of its own: the run never waits for the server. While a call
    has taken more than `check_after_s` (or at all, once the run is closing), `answers()` asks the server directly
    (a short request of our own); when it does not answer, the tracker is abandoned (`on_abandon`: quiet the stuck
    calls) and the next event or the close raises TrackerAbandoned, once. A server that answers slowly (a large
    upload) is waited for, up to `stuck_after_s` without a step of progress (a server that answers our check but
    drops the tracker's connections has its calls retried for ever)."""

    def __init__(
        self,
        inner: Tracker,
        answers: Callable[[], bool],
        on_abandon: Callable[[], None] = lambda: None,
        check_after_s: float = 3.0,
        stuck_after_s: float = STUCK_AFTER_S,
    ) -> None:
        self.inner, self.answers, self.on_abandon, self.check_after_s = inner, answers, on_abandon, check_after_s
        self.stuck_after_s = stuck_after_s
        inner.heartbeat = self._progressed  # type: ignore[method-assign]
        self.calls: queue.Queue[Callable[[], None] | None] = queue.Queue()
        self.busy_since: float | None = None
        self.failure: Exception | None = None
        self.abandoned = threading.Event()
        self.done = threading.Event()
        self.closing = False
        self.name = type(inner).__name__
        threading.Thread(target=self._work, name=f"{self.name} calls", daemon=True).start()
        threading.Thread(target=self._watch, name=f"{self.name} watch", daemon=True).start()

    def event(self, event: ev.Event) -> None:
        self._raise_once()
        self.calls.put(lambda: self.inner.event(event))

    def flush(self) -> None:
        """Wait until every event given so far has been passed on (or the tracker is abandoned: raised)."""
        passed = threading.Event()
        self.calls.put(passed.set)
        while not passed.wait(0.05):
            self._raise_once()

    def close(self) -> None:
        self._raise_once()
        self.closing = True  # the run is over: the server is asked at once whether it answers, not after a while
        self.calls.put(self.inner.close)
        self.calls.put(None)
        while not self.done.wait(0.05):
            self._raise_once()
        self._raise_once()

    def _raise_once(self) -> None:
        if self.failure is not None:
            failure, self.failure = self.failure, None
            self.done.set()
            raise failure

    def _work(self) -> None:
        while (call := self.calls.get()) is not None and not self.abandoned.is_set():
            self.busy_since = time.monotonic()
            try:
                call()
            except Exception as exc:  # the inner tracker failed: said by the run, which drops this tracker
                if self.answers():
                    self.failure = exc
                else:  # the server went away (the SDK's own error says so in its words): abandoned, as when stuck
                    self._abandon(stuck=False)
                return
            finally:
                self.busy_since = None
        self.done.set()

    def _abandon(self, stuck: bool) -> None:
        self.abandoned.set()
        left_stuck(self.name)  # the SDK's threads may still retry the server: the process does not wait for them
        self.on_abandon()
        self.failure = TrackerAbandoned(self.name, stuck=stuck)

    def _progressed(self) -> None:
        if self.busy_since is not None:
            self.busy_since = time.monotonic()

    def _watch(self) -> None:
        while not self.done.is_set():
            started, patience = self.busy_since, 0.0 if self.closing else self.check_after_s
            if started is not None and time.monotonic() - started > patience:
                stuck = time.monotonic() - started > self.stuck_after_s
                if stuck or not self.answers():
                    self._abandon(stuck)
                    return
                self.done.wait(min(1.0, self.stuck_after_s))  # it answers: a slow call (an upload), asked again soon
            self.done.wait(0.2)


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
