"""Trackers see every event in order and are closed once; a tracker that breaks stops, the run does not."""

from __future__ import annotations

import json

from conftest import quick_config

from engine import events as ev
from engine import runner, tracking
from engine.tracking.files import FileTracker


class Recording(tracking.Tracker):
    def __init__(self, fail_on: str | None = None) -> None:
        self.kinds: list[str] = []
        self.closed = 0
        self.fail_on = fail_on

    def event(self, event: ev.Event) -> None:
        if event.kind == self.fail_on:
            raise ConnectionError("server went away")
        self.kinds.append(event.kind)

    def close(self) -> None:
        self.closed += 1


def test_every_tracker_sees_the_stream_and_a_broken_one_costs_only_itself(tmp_path, penguins_csv, monkeypatch):
    healthy, broken = Recording(), Recording(fail_on="candidate_finished")
    monkeypatch.setattr(tracking, "for_config", lambda config: [FileTracker(), healthy, broken])
    result = runner.run(quick_config(penguins_csv, tmp_path, target="species"))

    assert result.status == "finished" and len(result.leaderboard) == 2
    written = [
        json.loads(line)["kind"] for line in (tmp_path / result.run_id / "events.jsonl").read_text().splitlines()
    ]
    assert healthy.kinds == written and healthy.closed == 1
    assert broken.kinds == written[: written.index("candidate_finished")] and broken.closed == 0
    assert any("tracking stopped (Recording: ConnectionError: server went away" in w for w in result.warnings)
    assert "tracking stopped" in (tmp_path / result.run_id / "report.md").read_text(encoding="utf-8")


def test_only_the_candidates_the_decision_weighed_get_a_task_of_their_own():
    from engine.decision import Decision
    from engine.tracking.clearml_tracker import considered

    decision = Decision(
        recommended="linear",
        priority="balanced",
        reason="",
        best_model="hist_gb #3",
        within_tolerance=["hist_gb #3", "linear"],
        top_accuracy=["hist_gb #3", "hist_gb #1"],
        top_speed=["linear", "knn"],
        top_size=["linear", "extra_trees"],
        pareto=["hist_gb #3", "linear"],
    )
    assert considered(decision) == {"hist_gb #3", "hist_gb #1", "linear", "knn", "extra_trees"}
    assert considered(None) == set()
