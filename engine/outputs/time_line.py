"""Where a run's time went, in the report: start-up, reading and checking the table, search, decision, final fit
and test, explanation, charts, up to the report; measured from run.json's start marks and the phases' events
(the report's own writing is not in it, so a report rebuilt later says the same)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from automl_tui_engine.messages import t

# (the part of the run, the event that starts it): each part lasts until the next mark the run has
MARKS = (
    ("startup", None),  # the process's start (run.json "started"."process")
    ("reading", None),  # the budget's clock (run.json "started"."budget")
    ("search", "run_started"),
    ("decision", "decision"),
    ("refit", "refit"),
    ("explaining", "explaining"),
    ("charts", "charts"),
)
END = "reporting"  # the phase the time line ends at


def asked_at(since: float | None) -> float | None:
    """When the user asked for the run (epoch seconds): the command's start its face gave (`since`), else this
    process's start (a worker process started for the run); None where neither is known."""
    return since if since is not None else _process_started_at()


def _process_started_at() -> float | None:
    """When this process started (epoch seconds), from Linux's /proc; None elsewhere."""
    try:
        ticks = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19])
        boot = next(
            float(line.split()[1]) for line in Path("/proc/stat").read_text().splitlines() if line.startswith("btime")
        )
    except (OSError, ValueError, IndexError, StopIteration):
        return None
    import os

    return boot + ticks / os.sysconf("SC_CLK_TCK")


def sentence(info: dict[str, Any], events: list[dict[str, Any]]) -> str:
    """'Where the time went (25.7 s up to the report, budget 30 s): start-up 1.2 s · reading … 0.1 s · search 19.6 s
    …'; empty for a run folder older than its start marks or one that did not reach its report."""
    started = info.get("started") or {}
    at = {"startup": started.get("process"), "reading": started.get("budget")}
    for event in events:
        key = event.get("phase") if event.get("kind") == "phase_changed" else event.get("kind")
        if key == "run_started":
            at["search"] = event.get("at")
        elif key in dict(MARKS) and key not in at:  # a phase's first start
            at[key] = event.get("at")
    ended = next((e.get("at") for e in events if e.get("kind") == "phase_changed" and e.get("phase") == END), None)
    marks = [(part, at[part]) for part, _ in MARKS if at.get(part) is not None and (ended is None or at[part] < ended)]
    if ended is None or len(marks) < 2:
        return ""
    parts = [
        t("time_line.part", part=t(f"time_line.{part}"), seconds=f"{max(end - begin, 0):.1f}")
        for (part, begin), end in zip(marks, [*(m for _, m in marks[1:]), ended], strict=True)
    ]
    return t(
        "time_line.sentence",
        total=f"{ended - marks[0][1]:.1f}",
        budget=f"{info.get('budget_s', 0):g}",
        parts=" · ".join(parts),
    )
