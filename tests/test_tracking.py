"""Trackers see every event in order and are closed once; a tracker that breaks stops, the run does not."""

from __future__ import annotations

import json

import pytest
from automl_tui_engine import events as ev
from automl_tui_engine import runner, tracking
from automl_tui_engine.tracking import FileTracker
from conftest import quick_config


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


@pytest.mark.slow
def test_every_tracker_sees_the_stream_and_a_broken_one_costs_only_itself(tmp_path, penguins_csv, monkeypatch):
    healthy, broken = Recording(), Recording(fail_on="candidate_finished")
    monkeypatch.setattr(runner, "_trackers", lambda config: [FileTracker(), healthy, broken])
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
    from automl_tui_engine.clearml_tracking.task_items import considered
    from automl_tui_engine.decision import Decision

    decision = Decision(
        recommended="linear",
        priority="balanced",
        why=(),
        best_model="hist_gb #3",
        within_tolerance=["hist_gb #3", "linear"],
        top_accuracy=["hist_gb #3", "hist_gb #1"],
        top_speed=["linear", "knn"],
        top_size=["linear", "extra_trees"],
        pareto=["hist_gb #3", "linear"],
    )
    assert considered(decision) == {"hist_gb #3", "hist_gb #1", "linear", "knn", "extra_trees"}
    assert considered(None) == set()


class _FakeTask:
    """What `follow` reads of a ClearML task: its name, tags, status and console log."""

    def __init__(self, name: str, tags: list[str], events: list[ev.Event] = ()) -> None:
        from automl_tui_engine.clearml_tracking.tracker import event_line

        self.id = self.name = name
        self.tags = tags
        self.log = [event_line(e.to_dict(), []) for e in events]

    def get_tags(self):
        return self.tags

    def get_reported_console_output(self, number_of_reports):
        return self.log


def test_following_a_run_reads_the_training_phase_even_beside_the_candidates_tasks(monkeypatch):
    """The candidates' own tasks carry the training phase's tag too: the phase's events are still found."""
    from automl_tui_engine.clearml import follow
    from automl_tui_engine.clearml_tracking import sdk

    run = ["run:r1", "dataset:d"]
    started = ev.RunStarted(
        run_id="r1",
        dataset_key="d",
        run_dir="/x",
        task="binary",
        target="y",
        primary_metric="accuracy",
        budget_s=30,
        candidates=["linear"],
    )
    row = {"model": "linear", "accuracy_mean": 0.9, "accuracy_std": 0.0}
    finished = ev.RunFinished(
        status="finished", recommended="linear", reason="", test_metrics={}, report_path="", elapsed_s=1.0
    )
    tasks = [
        _FakeTask("preprocessing · r1", [*run, "phase:preprocessing"], [started]),
        _FakeTask(
            "training · r1",
            [*run, "phase:training"],
            [ev.PhaseChanged(phase="training"), ev.CandidateFinished(row=row)],
        ),
        _FakeTask("linear · r1", [*run, "phase:training", "model:linear"]),  # made last, listed last
        _FakeTask("reporting · r1", [*run, "phase:reporting"], [finished]),
    ]

    class FakeTaskAPI:
        @staticmethod
        def get_tasks(tags):
            return tasks

    monkeypatch.setattr(sdk, "connect", lambda: FakeTaskAPI)
    monkeypatch.setattr(sdk, "web_link", lambda task: "")
    seen = []
    followed = follow.follow("r1", lambda event: seen.append(event.kind), poll_s=0)
    assert followed.status == "finished"
    assert seen == ["run_started", "phase_changed", "candidate_finished", "run_finished"]


class Blocking(tracking.Tracker):
    """A tracker whose calls never end (a server that answers, but drops every connection the SDK retries) until
    `release` is set; with `beats`, its close says it is getting somewhere every step while it takes long."""

    def __init__(self, beats: int = 0) -> None:
        import threading

        self.release, self.beats, self.steps = threading.Event(), beats, 0

    def event(self, event: ev.Event) -> None:
        self.release.wait()

    def close(self) -> None:
        import threading

        for _ in range(self.beats):
            threading.Event().wait(0.1)
            self.steps += 1
            self.heartbeat()


def test_a_call_that_makes_no_progress_while_the_server_answers_is_abandoned_as_stuck(monkeypatch):
    monkeypatch.setattr(tracking, "_STUCK_CALLS", [])  # this process's later commands must not end at once
    stuck = Blocking()
    abandoned: list[bool] = []
    background = tracking.BackgroundTracker(
        stuck, answers=lambda: True, on_abandon=lambda: abandoned.append(True), check_after_s=0.0, stuck_after_s=0.3
    )
    background.event(ev.RunWarning(message="first"))
    with pytest.raises(tracking.TrackerAbandoned) as raised:
        background.close()  # waits for the stuck call: it is given up, not waited for
    assert raised.value.stuck and abandoned == [True] and tracking.stuck_calls() == ["Blocking"]
    stuck.release.set()


def test_a_long_close_that_keeps_making_progress_is_waited_for():
    slow = Blocking(beats=8)  # 0.8 s in all, never 0.3 s without a step
    slow.release.set()
    background = tracking.BackgroundTracker(slow, answers=lambda: True, check_after_s=0.0, stuck_after_s=0.3)
    background.close()
    assert slow.steps == 8
