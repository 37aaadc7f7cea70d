"""The Textual wizard: dataset → preset → priority → where to run → confirm → live run → Decision Summary.

The wizard only decides a RunConfig and where it runs; the engine's `launching.launch` runs it there, as it does
for the headless command (here, in a child process, so Cancel can stop a model mid-training).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from automl_tui_engine.messages import t
from automl_tui_engine.naming import RUNS_FOLDER
from textual import work
from textual.app import App
from textual.binding import Binding

from automl_tui.screens.dataset import DatasetScreen
from automl_tui.state import BACK, NEW_RUN, RECENT, SWITCH_LANGUAGE, WizardState, default_table

if TYPE_CHECKING:
    from automl_tui_engine.config import RunConfig
    from automl_tui_engine.launching import RunHandle, Where


class AutomlApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "automl-tui"
    ENABLE_COMMAND_PALETTE = False  # nothing of the wizard's is there, and Textual's own words are English only
    BINDINGS = [Binding("ctrl+q", "quit", t("tui.key_quit"), priority=True)]

    def notify(self, message: str, *, markup: bool = True, **kwargs: Any) -> None:
        """Notifications quote tables and run folders: shown as typed, whatever a caller asked (see widgets.plain)."""
        from automl_tui_engine.formatting import without_controls

        super().notify(without_controls(message), markup=False, **kwargs)

    def __init__(
        self,
        start_dir: Path | None = None,
        out: Path = RUNS_FOLDER,
        launch: Callable[[RunConfig, Where], RunHandle] | None = None,
        clock: Callable[[], float] = time.monotonic,
        clearml_queues: Callable[[], dict[str, int]] | None = None,
        clearml_templates: Callable[[], list[Any]] | None = None,
    ) -> None:
        """`launch` starts the run where the wizard was told (launching.launch); `clearml_queues` gives the server's
        queues with how many agents serve each, `clearml_templates` its templates. Tests give their own."""
        super().__init__()
        start = (start_dir or Path.cwd()).resolve()
        self.state = WizardState(start_dir=start, out=out, data=default_table(start, out))
        if launch is None:
            from automl_tui_engine.launching import launch
        self.launch, self.clock = launch, clock
        self.clearml_queues = clearml_queues or _server_queues
        self.clearml_templates = clearml_templates or _server_templates

    def on_mount(self) -> None:
        import asyncio

        # the thread workers (a table read and checked, a server asked, a run followed) never hold quitting up
        asyncio.get_running_loop().set_default_executor(AbandonedOnQuit())
        self.wizard()

    @work(exclusive=True, group="wizard")
    async def wizard(self) -> None:
        # only the first screen is imported at start-up: the others load while it is on show
        from automl_tui.screens.choice import PresetScreen, PriorityScreen, WhereScreen
        from automl_tui.screens.confirm import ConfirmScreen
        from automl_tui.screens.run import RunScreen

        steps = (DatasetScreen, PresetScreen, PriorityScreen, WhereScreen, ConfirmScreen)
        step = 0
        while True:
            answer = await self.push_screen_wait(steps[step](self.state))
            # a template brings its own preset and priority: from the table straight to where it runs, and back
            skipped = (PresetScreen, PriorityScreen) if self.state.template else ()
            if answer == BACK:
                step = max(step - 1, 0)
                while steps[step] in skipped:
                    step -= 1
            elif answer == RECENT:
                await self.show_recent()
            elif step < len(steps) - 1:
                step += 1
                while steps[step] in skipped:
                    step += 1
            else:
                handle = self.launch(self.state.config(), self.state.place())
                run_dir = await self.push_screen_wait(RunScreen(handle, self.clock))
                if run_dir is not None and await self.show_decision(Path(run_dir)) == NEW_RUN:
                    step = 0

    async def show_decision(self, run_dir: Path) -> str:
        """The Decision Summary; from it, the recent runs can be browsed until a new run is asked for."""
        from automl_tui_engine.errors import DAMAGED_FOLDER, UserError, one_line

        from automl_tui.screens.decision import DecisionScreen
        from automl_tui.screens.recent import RecentRunsScreen

        while True:
            try:
                screen = DecisionScreen(run_dir)
            except UserError as exc:  # a damaged run folder among the past runs: said, and the wizard goes on
                self.notify(str(exc), severity="error", timeout=15)
                return RECENT
            except DAMAGED_FOLDER as exc:
                self.notify(t("report.unreadable_folder", path=run_dir, reason=one_line(exc)), severity="error")
                return RECENT
            action = await self.push_screen_wait(screen)
            if action != RECENT:
                return action
            chosen = await self.push_screen_wait(RecentRunsScreen(self.state.out))
            run_dir = chosen or run_dir

    async def show_recent(self) -> None:
        from automl_tui.screens.recent import RecentRunsScreen

        chosen = await self.push_screen_wait(RecentRunsScreen(self.state.out))
        if chosen is not None:
            await self.show_decision(chosen)


class AbandonedOnQuit(ThreadPoolExecutor):
    """Thread workers that quitting never waits for: each in a daemon thread of its own, and no shutdown wait.

    Textual runs a thread worker in its event loop's default executor, whose shutdown (when the loop closes) and
    the interpreter's exit both wait for every thread to end: a table of a million rows still being read held
    Ctrl+Q up for 14 s. What such a thread was doing is a screen's work in progress, nothing kept depends on it
    (run folder files are written whole or not at all, rundir.write_atomic), and a run's own child process is
    stopped by its screen on quit."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()

        def run() -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                future.set_result(fn(*args, **kwargs))
            except BaseException as exc:  # handed to whoever awaits the future, as the pool would
                future.set_exception(exc)

        threading.Thread(target=run, daemon=True).start()
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Nothing to wait for: the threads are daemons, gone with the process."""


def run_wizard(out: Path = RUNS_FOLDER) -> None:
    """The wizard; asked to speak another language (its first screen's ctrl+l, which chose it), it starts again as a
    new process: every label is made when its screen's module is imported."""
    if AutomlApp(out=out).run() == SWITCH_LANGUAGE:
        from automl_tui_engine.child_python import python_command

        command = python_command("automl_tui", "run", "--out", str(out))
        os.execv(command[0], command)


def _server_queues() -> dict[str, int]:
    from automl_tui_engine.clearml import remote

    return remote.queue_agents()


def _server_templates() -> list[Any]:
    """The server's templates; none when ClearML is not set up here (no server is asked then)."""
    from automl_tui_engine.clearml import templates
    from automl_tui_engine.clearml_tracking import sdk

    if sdk.offline() or not all(sdk.server()):
        return []
    return templates.saved()
