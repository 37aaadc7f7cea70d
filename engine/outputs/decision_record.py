"""The decision people took on a run: which model is adopted for which use, as run.json keeps it ("adoptions", one
per use, the latest) and as the report, decision.md and the runs list say it. Written by `automl_tui_engine.adoption`.
"""

from __future__ import annotations

import time
from typing import Any

from automl_tui_engine.messages import t

ADOPTIONS = "adoptions"  # run.json's key: [{model, use, note, at, by, after_s, replaces}]


def adoptions(info: dict[str, Any]) -> list[dict[str, Any]]:
    """The run's adoptions, in the order they were made (run.json `info`); [] for a run nobody decided on yet."""
    return [a for a in info.get(ADOPTIONS) or [] if isinstance(a, dict) and a.get("model") and a.get("use")]


def duration_words(seconds: float) -> str:
    """'40 min', '3 h 10 min', '2 days': how long a decision took, as people say it."""
    minutes = max(round(seconds / 60), 1)
    if minutes < 60:
        return t("words.minutes", n=minutes)
    if minutes < 48 * 60:
        hours, rest = divmod(minutes, 60)
        return t("words.hours_minutes", h=hours, m=rest) if rest else t("words.hours", n=hours)
    return t("words.days", n=round(minutes / (24 * 60)))


def line(adoption: dict[str, Any], markdown: bool = True) -> str:
    """One adoption in a sentence: use, model, when and by whom, how long after the run started, the note."""
    quote = "`" if markdown else ""
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(adoption["at"]))
    after = adoption.get("after_s")
    said = t(
        "adopt.line",
        use=adoption["use"],
        model=f"{quote}{adoption['model']}{quote}",
        when=when,
        by=adoption.get("by", "?"),
        after=duration_words(after) if after is not None else "?",
    )
    if adoption.get("replaces"):
        said += t("adopt.replaces", model=f"{quote}{adoption['replaces']}{quote}")
    return f"{said} — {adoption['note']}" if adoption.get("note") else said
