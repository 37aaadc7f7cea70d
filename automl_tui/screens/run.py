"""The run: a live leaderboard, time against the budget, the phase, warnings, and Cancel."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from automl_tui_engine import events as ev
from automl_tui_engine import glossary
from automl_tui_engine.extension.registry import metrics
from automl_tui_engine.messages import t
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import ProgressBar

from automl_tui.widgets.keys_footer import KeysFooter
from automl_tui.widgets.leaderboard import Leaderboard
from automl_tui.widgets.plain import RichLog, Static, wrapped

if TYPE_CHECKING:
    from automl_tui_engine.clearml.remote import RemoteResult
    from automl_tui_engine.launching import RunHandle
    from automl_tui_engine.runner import RunResult


class EngineEvent(Message):
    """An engine event, carried from the worker thread to the screen."""

    def __init__(self, event: ev.Event) -> None:
        super().__init__()
        self.event = event


class RunEnded(Message):
    """The run's end: what it finished with (a run followed to its end: its folder is here), or why it did not."""

    def __init__(self, result: RunResult | RemoteResult | None = None, error: str | None = None) -> None:
        super().__init__()
        self.result, self.error = result, error


class RunScreen(Screen[str | None]):
    """Dismisses with the run folder when the run ends, or None when it could not start."""

    BINDINGS = [Binding("escape", "cancel", t("tui.key_cancel"))]

    def __init__(self, handle: RunHandle, clock: Callable[[], float]) -> None:
        super().__init__()
        self.handle, self.config, self.clock = handle, handle.config, clock
        self.started_at: float | None = None
        self.error: str | None = None

    def compose(self) -> ComposeResult:
        yield Static(t("tui.run_title", data=self.config.data.name, preset=self.config.preset), classes="title")
        yield Static(t("tui.run_preparing"), id="phase")
        yield ProgressBar(total=self.config.time_budget_s, show_eta=False, id="budget")
        yield Leaderboard(id="leaderboard")
        yield RichLog(id="log", wrap=True, max_lines=200)
        yield KeysFooter()

    def on_mount(self) -> None:
        self.set_interval(0.25, self.tick)
        self.run_engine()

    @work(thread=True, exclusive=True, group="engine")
    def run_engine(self) -> None:
        from automl_tui_engine.errors import UserError

        try:
            result = self.handle.result(on_event=lambda e: self.post_message(EngineEvent(e)))
        except UserError as exc:
            self.post_message(RunEnded(error=str(exc)))
        except KeyboardInterrupt:
            self.post_message(RunEnded(error=t("tui.cancelled_before_start")))
        except Exception as exc:  # shown to the user; the wizard stays usable
            self.post_message(RunEnded(error=t("cli.internal_error", error=f"{type(exc).__name__}: {exc}")))
        else:
            self.post_message(RunEnded(result=result))

    def tick(self) -> None:
        if self.started_at is not None:
            elapsed = self.clock() - self.started_at
            self.query_one("#budget", ProgressBar).update(progress=min(elapsed, self.config.time_budget_s))

    def on_engine_event(self, message: EngineEvent) -> None:
        event = message.event
        board = self.query_one(Leaderboard)
        log = self.query_one("#log", RichLog)
        if isinstance(event, ev.RunStarted):
            self.started_at = self.clock()
            board.set_metric(
                event.primary_metric,
                metrics.title(event.primary_metric, event.metric_title),
                not event.greater_is_better,
                event.metric_bounded,
                event.metric_unit,
            )
            # on hover: what the score column and its ± mean, in plain words
            words = [k for k in (event.primary_metric, "cross_validation", "spread") if k in glossary.TERMS]
            board.tooltip = wrapped("\n".join(glossary.line(key, markdown=False) for key in words))
            for model in event.candidates:
                board.upsert(model, status=ev.status_word("waiting"))
            if event.baseline and event.primary_metric in event.baseline:
                board.guess(event.baseline[event.primary_metric])
            log.write(
                t("tui.run_started", target=event.target, task=glossary.task_word(event.task), run_dir=event.run_dir)
            )
        elif isinstance(event, ev.PhaseChanged) and not self.handle.cancelled:
            self.query_one("#phase", Static).update(t(f"tui.phase_{event.phase}"))
        elif isinstance(event, ev.CandidateStarted):
            board.upsert(event.model, status=ev.status_word("training"))
        elif isinstance(event, ev.CandidateFinished):
            board.finished(event.row)
        elif isinstance(event, ev.CandidateFailed):
            board.upsert(event.model, status=ev.status_word(event.status))
            if event.status in ("failed", "stopped"):  # pruned and skipped ones are routine: their row says so
                words = ev.status_word(event.status)
                log.write(t("cli.candidate_not_finished", model=event.model, status=words, reason=event.reason))
        elif isinstance(event, ev.RunWarning):
            log.write(t("cli.warning", message=event.message))
        elif isinstance(event, ev.ArtifactMissing):
            log.write(t("cli.artifact_missing", name=event.name, reason=event.reason))
        elif isinstance(event, ev.StepChanged):  # a pipeline's (its families' candidates arrive as steps end)
            log.write(t("pipeline.step", step=event.step, status=event.status))

    def on_run_ended(self, message: RunEnded) -> None:
        if message.result is not None:
            self.dismiss(message.result.run_dir)
        else:
            self.error = message.error
            self.query_one("#phase", Static).update(t("tui.run_failed", error=message.error))
            self.query_one("#phase", Static).add_class("error")

    def on_unmount(self) -> None:
        # the wizard quit (or the screen closed) with the run going: it is cancelled, never left running unseen
        self.handle.cancel()

    def action_cancel(self) -> None:
        if self.error is not None:  # nothing is running: Escape goes back to the wizard
            self.dismiss(None)
            return
        self.handle.cancel()
        self.query_one("#phase", Static).update(t("tui.cancelling"))
