"""Following a run from the ClearML server: the same event stream as a local run, rebuilt from the lines the
ClearML tracker wrote to its phase tasks' logs, so the same views (live leaderboard, Decision Summary) show it."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from automl_tui_engine import events as ev
from automl_tui_engine.clearml_tracking import sdk
from automl_tui_engine.clearml_tracking.tracker import EVENT_PREFIX
from automl_tui_engine.errors import ServerGone, UserError
from automl_tui_engine.naming import PIPELINE_PHASE, RUN_PHASE, tag_value

PHASE_ORDER = ("preprocessing", "training", "reporting")
LOG_LINES = 10_000  # a run logs a few lines per candidate: this is every line of any run
GIVEN_UP = ("failed", "stopped")
ENDED = ("completed", "closed", "published")
# how long a run whose remote task has ended may take to show its last event in the logs (the log is sent before
# the task ends, so this is only a server's delay): then its run folder is the record to read
LOG_GRACE_S = 20.0


@dataclass
class Followed:
    status: str  # finished | cancelled | no_candidate (the run's own) | failed | stopped (its remote task's)
    # | log_unreadable (its remote task ended, but its logs hold no end of the run)
    message: str = ""
    reporting_link: str = ""
    folder_task: str = ""  # the task whose artifact is the run folder (a run on an agent or a pipeline); "" if none
    events_seen: int = 0  # how many of the run's events were passed on


def events_in(lines: list[str]) -> list[ev.Event]:
    found = []
    for message in lines:
        for line in message.splitlines():
            if line.startswith(EVENT_PREFIX):
                found.append(ev.from_dict(json.loads(line.removeprefix(EVENT_PREFIX))))
    return found


def follow(
    run_id: str,
    on_event: Callable[[ev.Event], None],
    poll_s: float = 2.0,
    cancel: Any = None,
    on_waiting: Callable[[str], None] | None = None,
) -> Followed:
    """Poll the server until the run finishes (or its remote task fails), passing on each new event once; a server
    that stops answering is a ServerGone (the run goes on where it runs: it can be followed again)."""
    Task = sdk.connect()
    gone = ServerGone("watch.server_gone", run_id=run_id)
    return sdk.while_answering(lambda: _polls(Task, run_id, on_event, poll_s, cancel, on_waiting), gone)


def _polls(
    Task: Any,  # noqa: N803 - the SDK's Task class
    run_id: str,
    on_event: Callable[[ev.Event], None],
    poll_s: float,
    cancel: Any,
    on_waiting: Callable[[str], None] | None,
) -> Followed:
    seen: dict[str, int] = {}
    ended_at: float | None = None
    while True:
        tasks = Task.get_tasks(tags=[f"run:{run_id}"])
        if not tasks:
            raise UserError("watch.unknown_run", run_id=run_id)
        # the phases' tasks: the candidates' own tasks carry the training phase's tag too, and hold no events
        by_phase = {
            tag_value(task.get_tags(), "phase"): task for task in tasks if not tag_value(task.get_tags(), "model")
        }
        for phase in PHASE_ORDER:
            task = by_phase.get(phase)
            if task is None:
                break  # the phases follow each other: nothing later exists yet
            events = events_in(list(task.get_reported_console_output(number_of_reports=LOG_LINES)))
            for event in events[seen.get(task.id, 0) :]:
                on_event(event)
                if isinstance(event, ev.RunFinished):
                    return Followed(
                        status=event.status,
                        reporting_link=sdk.web_link(by_phase.get("reporting")),
                        folder_task=folder_task(by_phase),
                        events_seen=sum(seen.values()) + 1,
                    )
                seen[task.id] = seen.get(task.id, 0) + 1
        # what drives the run elsewhere: the run task on an agent, or a pipeline's controller
        for remote in filter(None, (by_phase.get(RUN_PHASE), by_phase.get(PIPELINE_PHASE))):
            remote.reload()
            status = str(remote.get_status())
            if status in GIVEN_UP:
                return Followed(status=status, message=str(remote.data.status_message or remote.data.status_reason))
            if on_waiting is not None and status == "queued":
                on_waiting(status)
            if status in ENDED:
                ended_at = ended_at or time.monotonic()
                if time.monotonic() - ended_at > LOG_GRACE_S:
                    return Followed(
                        status="log_unreadable", folder_task=folder_task(by_phase), events_seen=sum(seen.values())
                    )
        if cancel is not None and cancel.is_set():
            return Followed(status="cancelled")
        time.sleep(poll_s)


def folder_task(by_phase: dict[str, Any]) -> str:
    """The task that uploads the run folder: the run task on an agent, or a pipeline's reporting step; "" for a run
    tracked from the machine it ran on (its folder is there)."""
    if PIPELINE_PHASE in by_phase:  # a pipeline has a run task too: it holds the table, not the folder
        return str(by_phase["reporting"].id) if "reporting" in by_phase else ""
    return str(by_phase[RUN_PHASE].id) if RUN_PHASE in by_phase else ""
