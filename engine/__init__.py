"""The automl-tui engine: knows no screen. `engine.run(config, on_event, cancel)` is the one entry point."""

from __future__ import annotations

from typing import Any


def run(config: Any, on_event: Any = None, cancel: Any = None, run_id: str | None = None) -> Any:
    # imported here so `import engine` stays cheap for the CLI's --help
    from engine.runner import run as _run

    return _run(config, on_event, cancel, run_id)
