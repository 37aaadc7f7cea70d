"""Run the engine in a child process, so Cancel works even in the middle of a model's training.

`run_in_subprocess` has the signature of `engine.run`: the wizard can be given either. Cancel sends
SIGINT to the child, which takes the engine's own Ctrl+C path: the model in training is recorded as
cancelled, what finished is kept, and the report is written.
"""

from __future__ import annotations

import os
import queue as queue_module
import signal
from collections.abc import Callable
from typing import Any

from engine.errors import UserError

POLL_S = 0.05


def _child(config: Any, queue: Any) -> None:
    import engine

    signal.signal(signal.SIGINT, signal.default_int_handler)  # Cancel arrives as SIGINT
    try:
        result = engine.run(config, on_event=lambda event: queue.put(("event", event)))
    except UserError as exc:
        queue.put(("user_error", (exc.message_key, exc.values)))
    except KeyboardInterrupt:
        queue.put(("interrupted", None))  # cancelled before the run folder existed
    except Exception as exc:
        queue.put(("error", f"{type(exc).__name__}: {exc}"))
    else:
        queue.put(("result", result))


def run_in_subprocess(config: Any, on_event: Callable[[Any], None] | None = None, cancel: Any = None) -> Any:
    """engine.run in a spawned process; events are passed to `on_event` in this process as they arrive."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")  # never fork a process that runs a UI's threads
    queue = context.Queue()
    child = context.Process(target=_child, args=(config, queue), daemon=True)
    child.start()
    interrupted = False
    try:
        while True:
            if cancel is not None and cancel.is_set() and not interrupted:
                os.kill(child.pid, signal.SIGINT)
                interrupted = True
            try:
                kind, payload = queue.get(timeout=POLL_S)
            except queue_module.Empty:
                if not child.is_alive() and queue.empty():
                    raise RuntimeError(f"the engine process ended unexpectedly (exit code {child.exitcode})") from None
                continue
            if kind == "event":
                if on_event is not None:
                    on_event(payload)
            elif kind == "result":
                return payload
            elif kind == "user_error":
                key, values = payload
                raise UserError(key, **values)
            elif kind == "interrupted":
                raise KeyboardInterrupt
            else:
                raise RuntimeError(payload)
    finally:
        child.join(timeout=5)
        if child.is_alive():
            child.kill()
