"""What the search hands on (training.py makes it; refit, the run record and a pipeline's reporting step read it):
the finished candidates, the out-of-fold predictions kept for the best, and how and why the search ended."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from automl_tui_engine.search import evaluate, threshold
from automl_tui_engine.search.candidates import Candidate

# why a search ended, the shortest search first: Ctrl+C, the time ran short, no gain for `patience` trials,
# `max_trials` tried, every candidate tried
STOPS = ("cancelled", "budget", "patience", "max_trials", "exhausted")
# the figures kept when the time ran short (SearchResult's fields, and the search summary's keys in run.json)
STOP_FIGURES = ("stop_at_s", "stop_left_s", "stop_needed_s")


@dataclass(frozen=True)
class SearchResult:
    """What the search found: each finished candidate (how to build it again), the out-of-fold predictions kept
    for the best ones, and how the search went."""

    candidates: dict[str, Candidate] = field(default_factory=dict)
    evaluations: dict[str, evaluate.Evaluation] = field(default_factory=dict)
    thresholds: dict[str, threshold.Threshold] = field(default_factory=dict)  # the candidates ranked at their own
    stop: str = "exhausted"  # one of STOPS
    tuned: int = 0
    pruned: int = 0
    stopped: int = 0
    confirmed: int = 0  # candidates cross-validated again on a second set of folds (RunConfig.confirm_top)
    ensemble: str | None = None
    # when the time ran short: seconds into the run, search seconds that were left, and what the next one needed
    stop_at_s: float | None = None
    stop_left_s: float | None = None
    stop_needed_s: float | None = None

    def summary(self) -> dict[str, Any]:
        """run.json's "search"."""
        return {
            "stop": self.stop,
            "tuned": self.tuned,
            "confirmed": self.confirmed,
            "pruned": self.pruned,
            "stopped_budget": self.stopped,
            "ensemble": self.ensemble,
            **{name: getattr(self, name) for name in STOP_FIGURES},
        }

    def save(self, path: Path) -> None:
        """What a pipeline's training step hands the reporting step (runner.search_alone): the candidates without
        the optuna trials that proposed them (a study does not travel)."""
        import joblib

        travelling = {name: replace(candidate, trial=None) for name, candidate in self.candidates.items()}
        joblib.dump(replace(self, candidates=travelling), path)

    @staticmethod
    def load(path: Path) -> SearchResult:
        import joblib

        found = joblib.load(path)
        if not isinstance(found, SearchResult):
            raise TypeError(f"{path.name} holds no search")
        return found

    @classmethod
    def merged(cls, searches: list[SearchResult]) -> SearchResult:
        """The families' searches as one: what each found, their counts added up, and what cut the search
        shortest."""
        if not searches:
            return cls()
        shortest = min(searches, key=lambda s: STOPS.index(s.stop))
        return cls(
            candidates={name: c for s in searches for name, c in s.candidates.items()},
            evaluations={name: e for s in searches for name, e in s.evaluations.items()},
            thresholds={name: th for s in searches for name, th in s.thresholds.items()},
            stop=shortest.stop,
            tuned=sum(s.tuned for s in searches),
            pruned=sum(s.pruned for s in searches),
            stopped=sum(s.stopped for s in searches),
            confirmed=sum(s.confirmed for s in searches),
            **{name: getattr(shortest, name) for name in STOP_FIGURES},
        )
