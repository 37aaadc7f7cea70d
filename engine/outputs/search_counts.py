"""What a run's search compared, counted once from results_summary.csv's rows, each word with one meaning:
compared (finished and scored: the leaderboard's rows), tuned (compared with tuned settings), and not compared:
stopped (by the time budget), pruned (stopped early as clearly behind), failed, skipped (never started),
cancelled. The report, the headless summary, the wizard and ClearML say these counts and no others."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from automl_tui_engine.events import CANDIDATE_STATUSES, status_word
from automl_tui_engine.messages import listing, sentences, t
from automl_tui_engine.naming import kind_of

COMPARED = "ok"
NOT_COMPARED = tuple(status for status in CANDIDATE_STATUSES if status != COMPARED)
FIRST_CLAUSE = re.compile(r"[:;：；]")  # a reason's main clause ends here; the rest explains it


@dataclass(frozen=True)
class SearchCounts:
    rows: tuple[dict[str, Any], ...]  # results_summary.csv's, in the order the candidates ended

    @classmethod
    def of(cls, rows: list[dict[str, Any]]) -> SearchCounts:
        return cls(tuple(r for r in rows if r.get("model")))

    def with_status(self, status: str, stage: str | None = None) -> list[dict[str, Any]]:
        return [r for r in self.rows if r.get("status") == status and stage in (None, r.get("stage"))]

    @property
    def compared(self) -> int:
        return len(self.with_status(COMPARED))

    @property
    def kinds(self) -> list[str]:
        """Every model kind the run set out to compare, in order (an ensemble is not a kind of its own)."""
        return list(dict.fromkeys(kind_of(r["model"]) for r in self.rows if r.get("stage") != "ensemble"))

    @property
    def kinds_compared(self) -> list[str]:
        return [kind for kind in self.kinds if any(kind_of(r["model"]) == kind for r in self.with_status(COMPARED))]

    def search_sentence(self) -> str:
        """The search's counts: compared (default settings, tuned, an ensemble), then each way of not being
        compared that happened."""
        tuned = len(self.with_status(COMPARED, "tuned"))
        compared = t(
            "search_counts.compared" if tuned else "search_counts.compared_untuned",  # never "0 tuned"
            compared=self.compared,
            defaults=len(self.with_status(COMPARED, "default")),
            tuned=tuned,
            ensemble=t("search_counts.ensemble") if self.with_status(COMPARED, "ensemble") else "",
        )
        missed = [
            t(f"search_counts.not_{status}", count=len(self.with_status(status)))
            for status in NOT_COMPARED
            if self.with_status(status)
        ]
        return sentences(compared, t("search_counts.not_compared", which=listing(missed)) if missed else "")

    def coverage(self) -> str:
        """The first line of a Decision Summary whose search compared only some of the run's model kinds: how
        many, which, and why the rest were not; empty when every kind was compared."""
        kinds, done = self.kinds, self.kinds_compared
        if not done or len(done) == len(kinds):
            return ""
        groups: dict[str, list[str]] = {}
        for kind in kinds:
            if kind not in done:
                last = [r for r in self.rows if kind_of(r["model"]) == kind][-1]
                groups.setdefault(self._why(last), []).append(kind)
        missed = listing(t("search_counts.kinds_why", kinds=listing(names), why=why) for why, names in groups.items())
        return t(
            "search_counts.coverage",
            compared=len(done),
            total=len(kinds),
            kinds=listing(done),
            missed=missed,
        )

    def not_compared_alike(self) -> list[tuple[list[str], str, str]]:
        """The candidates not compared, tuned ones that ended alike (the same status, the same main clause of
        their reason: a dozen settings "not started" for time) as one group: (their names, status, the first's
        reason, saying so when there are several)."""
        groups: dict[tuple[str, ...], tuple[list[str], dict[str, Any]]] = {}
        for row in self.rows:
            if row.get("status") == COMPARED:
                continue
            key = (row["status"], self._why(row)) if row.get("stage") == "tuned" else (row["model"],)
            groups.setdefault(key, ([], row))[0].append(row["model"])
        said = []
        for names, first in groups.values():
            reason = str(first.get("reason") or "")
            if len(names) > 1:
                reason = t("report.not_finished_alike", reason=reason, count=len(names))
            said.append((names, str(first["status"]), reason))
        return said

    @staticmethod
    def _why(row: dict[str, Any]) -> str:
        reason = FIRST_CLAUSE.split(str(row.get("reason") or ""), maxsplit=1)[0].strip()
        status = status_word(str(row.get("status")))
        return t("search_counts.status_because", status=status, reason=reason) if reason else status
