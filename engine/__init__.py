"""The automl-tui engine: knows no screen. `engine.run(config, on_event, cancel)` is the one entry point."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from automl_tui_engine.config import RunConfig
    from automl_tui_engine.events import Event
    from automl_tui_engine.runner import RunResult


def run(
    config: RunConfig,
    on_event: Callable[[Event], None] | None = None,
    cancel: Any = None,
    run_id: str | None = None,
    since: float | None = None,
) -> RunResult:
    """A whole run (runner.run): `cancel` is anything with is_set(), a threading.Event say."""
    # imported here so `import engine` stays cheap for the CLI's --help
    from automl_tui_engine.runner import run as _run

    return _run(config, on_event, cancel, run_id, since)
