"""The decision people took on a run: which model is adopted for which use, as run.json keeps it ("adoptions", one
per use, the latest) and as the report, decision.md and the runs list say it (RunOverview: a run as listed, with what
was adopted from it and how long the decision took). Written by `automl_tui_engine.adoption`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from automl_tui_engine.errors import UserError
from automl_tui_engine.extension.registry.metrics import MetricFacts
from automl_tui_engine.formatting import metric_text
from automl_tui_engine.messages import listing, t
from automl_tui_engine.outputs import rundir, since_decision

ADOPTIONS = "adoptions"  # run.json's key: [{model, use, note, at, by, after_s, replaces}]


def adoptions(info: dict[str, Any]) -> list[dict[str, Any]]:
    """The run's adoptions, in the order they were made (run.json `info`); [] for a run nobody decided on yet. A
    record of the wrong shape (a hand-edited or damaged run.json) is left out rather than stopping every list."""
    found = info.get(ADOPTIONS)
    return [a for a in found if _well_formed(a)] if isinstance(found, list) else []


def _well_formed(adoption: Any) -> bool:
    def number(value: Any) -> bool:
        return isinstance(value, int | float) and not isinstance(value, bool)

    return (
        isinstance(adoption, dict)
        and all(isinstance(adoption.get(key), str) and adoption[key] for key in ("model", "use"))
        and number(adoption.get("at"))
        and (adoption.get("after_s") is None or number(adoption["after_s"]))
        and all(isinstance(adoption.get(key) or "", str) for key in ("note", "by", "replaces"))
    )


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
    """One adoption in a sentence: use, model, when and by whom, how long after the run started, the note. In
    Markdown every part typed by a person is shown as typed (md_safe), the models as code."""
    from automl_tui_engine.formatting import md_code, md_safe

    def text(value: Any) -> str:
        return md_safe(value) if markdown else str(value)

    def model(name: Any) -> str:
        return md_code(name) if markdown else str(name)

    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(adoption["at"]))
    after = adoption.get("after_s")
    said = t(
        "adopt.line",
        use=text(adoption["use"]),
        model=model(adoption["model"]),
        when=when,
        by=text(adoption.get("by", "?")),
        after=duration_words(after) if after is not None else "?",
    )
    if adoption.get("replaces"):
        said += t("adopt.replaces", model=model(adoption["replaces"]))
    return f"{said} — {text(adoption['note'])}" if adoption.get("note") else said


TAGGED = "tagged"  # [tasks with all three tags, tasks of the run] (runs --clearml)
SINCE_DECISION = "since_decision"  # since_decision.latest, as a reporting task's properties carry it


@dataclass(frozen=True)
class RunOverview:
    """One run as `automl-tui runs` and the wizard's past runs list it (`info`: its run.json, or what its reporting
    task in ClearML says of it; `folder`: None for a run listed from the server)."""

    folder: Path | None
    info: dict[str, Any]

    @property
    def run_id(self) -> str:
        return str(self.info.get("run_id") or getattr(self.folder, "name", "?"))

    @property
    def dataset_key(self) -> str:
        return str(self.info.get("dataset_key", "?"))

    @property
    def status(self) -> str:
        return str(self.info.get("status", "?"))

    @property
    def recommended(self) -> str:
        return str(self.info.get("recommended") or "—")

    @property
    def adopted(self) -> list[dict[str, Any]]:
        return adoptions(self.info)

    def tagged_words(self) -> str:
        """'7/7': of the run's tasks in ClearML, how many carry its run, dataset and phase tags; — when not known."""
        counted = self.info.get(TAGGED)
        return f"{counted[0]}/{counted[1]}" if counted else "—"

    def adopted_words(self) -> str:
        """'random_forest #2 (online scoring); linear (monthly batch)', or — when nothing was adopted."""
        return "; ".join(f"{a['model']} ({a['use']})" for a in self.adopted) or "—"

    @cached_property
    def since_decision(self) -> dict[str, Any]:
        """since_decision.latest: from the run folder, else (a run listed from the server) as its reporting task's
        properties carry it."""
        if self.folder is not None:
            return since_decision.latest(rundir.RunFolder(self.folder), self.info)
        found = self.info.get(SINCE_DECISION)
        return found if isinstance(found, dict) else {}

    def checked_when(self) -> str:
        """'2026-12-06 14:31': when a predictions file's inputs were last checked; "" when never."""
        checked = self.since_decision.get("checked") or {}
        return str(checked.get("when") or "")[:16].replace("T", " ")

    def moved_words(self) -> str:
        """The columns the latest check found moved, 'none', or "" when never checked."""
        checked = self.since_decision.get("checked")
        if not checked:
            return ""
        return listing(checked["moved"]) if checked["moved"] else t("cli.inputs_none_moved")

    def inputs_words(self) -> str:
        """The latest input check: 'moved: price, region (2026-12-06)', 'as in training (…)'; — never checked."""
        checked = self.since_decision.get("checked")
        if not checked:
            return "—"
        day = self.checked_when()[:10] or "?"
        if checked["moved"]:
            return t("cli.inputs_moved", columns=self.moved_words(), day=day)
        return t("cli.inputs_as_trained", day=day)

    def since_decision_words(self) -> str:
        """The latest scoring of the model in use on rows with known outcomes (evaluations.jsonl): '0.994 holds
        (2026-12-06)', '0.253 fallen (…)'; — for a run never evaluated."""
        evaluated = self.since_decision.get("evaluated")
        if not evaluated or evaluated.get("score") is None:
            return "—"
        facts = evaluated.get("metric_facts")
        metric = MetricFacts.recorded({evaluated["metric"]: facts} if facts else {}, evaluated["metric"])
        if metric is None:
            return "—"
        score, day = metric_text(evaluated["score"], metric), evaluated["when"][:10] or "?"
        if evaluated.get("too_few"):
            return t("cli.since_too_few", score=score, rows=evaluated.get("rows", "?"), day=day)
        return t("cli.since_fallen" if evaluated["fallen"] else "cli.since_holds", score=score, day=day)

    @property
    def time_to_decision_s(self) -> float | None:
        """From the run's start to its first adoption: how long the team took to decide."""
        times = [a["after_s"] for a in self.adopted if a.get("after_s") is not None]
        return min(times) if times else None


def runs_overview(out: Path) -> list[RunOverview]:
    """Every run folder under `out`, newest first (run ids sort by start time), with what was adopted from it."""
    found = []
    for path in sorted((p for p in Path(out).glob("*") if (p / rundir.RUN_JSON).is_file()), reverse=True):
        try:
            found.append(RunOverview(path, rundir.RunFolder(path).read_json(rundir.RUN_JSON)))
        except UserError:
            continue  # a damaged run.json: that folder says nothing it can be listed by
    return found
