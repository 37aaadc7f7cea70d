"""A run in a child process (launching.Where.child_process), so Cancel works even in the middle of a model's
training.

The child is `python -m automl_tui_engine.child_run` with the config as JSON on stdin; it streams events back as
JSON lines on a pipe of its own (its stdout and stderr stay free for libraries' chatter, which goes to a log file).
Cancel sends SIGINT: the engine's own Ctrl+C path records the model in training as cancelled, keeps what finished
and writes the report. A ClearML pipeline's controller runs in the child the same way (the SDK hooks the process's
output streams, which the wizard's screen owns), and Ctrl+C stops its steps.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from automl_tui_engine import events as ev
from automl_tui_engine.child_python import python_command
from automl_tui_engine.errors import UserError

if TYPE_CHECKING:
    from automl_tui_engine.clearml.remote import RemoteResult
    from automl_tui_engine.config import RunConfig
    from automl_tui_engine.runner import RunResult

POLL_S = 0.05


def run_in_child(
    config: RunConfig, on_event: Callable[[ev.Event], None] | None = None, cancel: Any = None, pipeline_queue: str = ""
) -> RunResult | RemoteResult:
    """engine.run in a child process, or the run as a pipeline on `pipeline_queue`; events reach `on_event` here
    as they happen."""
    from automl_tui_engine.outputs.run_record import RunRecord
    from automl_tui_engine.runner import RunResult

    read_fd, write_fd = os.pipe()
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8") as log:
        child = subprocess.Popen(
            python_command(__name__, str(write_fd), pipeline_queue),
            stdin=subprocess.PIPE,
            stdout=log,
            stderr=log,
            pass_fds=(write_fd,),
            text=True,
        )
        os.close(write_fd)
        assert child.stdin is not None  # stdin=PIPE
        child.stdin.write(config.model_dump_json())
        child.stdin.close()
        stop_watch = threading.Event()
        if cancel is not None:
            threading.Thread(target=_forward_cancel, args=(child, cancel, stop_watch), daemon=True).start()
        outcome: tuple[str, Any] | None = None
        try:
            with os.fdopen(read_fd, encoding="utf-8") as messages:
                for line in messages:
                    kind, payload = json.loads(line)
                    if kind == "event" and on_event is not None:
                        on_event(ev.from_dict(payload))
                    elif kind != "event":
                        outcome = (kind, payload)
        finally:
            stop_watch.set()
            child.wait()
        if outcome is None:
            log.seek(0)
            tail = log.read().strip().splitlines()[-1:] or [f"exit code {child.returncode}"]
            raise RuntimeError(f"the engine process ended unexpectedly: {tail[0]}")
    kind, payload = outcome
    if kind == "user_error":
        raise UserError(payload["key"], **payload["values"])
    if kind == "interrupted":
        raise KeyboardInterrupt
    if kind == "error":
        raise RuntimeError(payload)
    if kind == "pipeline_result":
        from automl_tui_engine.clearml.remote import RemoteResult

        return RemoteResult(**payload)
    return RunResult(**payload, decision=RunRecord.load(Path(payload["run_dir"])).decision)


def _forward_cancel(child: subprocess.Popen, cancel: Any, stop: threading.Event) -> None:
    while not stop.wait(POLL_S):
        if cancel.is_set():
            child.send_signal(signal.SIGINT)
            return


def _cancelled_once(signum: int, frame: object) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    raise KeyboardInterrupt


def _child(write_fd: int, pipeline_queue: str) -> None:
    import automl_tui_engine as engine
    from automl_tui_engine import config as config_mod
    from automl_tui_engine.extension import plugins
    from automl_tui_engine.outputs import rundir

    # Cancel arrives as SIGINT, and the terminal's hang-up (the wizard's terminal closed, or the wizard, leading its
    # session, quit) is a Cancel too: the run stops, keeping what finished, and writes its report rather than dying
    # half-recorded. Once: a quitting wizard sends both, and a second interrupt would cut the report's writing short
    signal.signal(signal.SIGINT, _cancelled_once)
    signal.signal(signal.SIGHUP, _cancelled_once)
    out = os.fdopen(write_fd, "w", encoding="utf-8", buffering=1)
    heard = [True]  # False once the parent is gone (the wizard quit): the run then finishes its record unheard
    with contextlib.suppress(OSError), out:

        def send(kind: str, payload: Any) -> None:
            if not heard[0]:
                return
            try:
                out.write(json.dumps([kind, payload], default=str) + "\n")
            except OSError:  # a broken pipe: nobody listens, and the run folder still gets its report
                heard[0] = False

        try:
            values = json.loads(sys.stdin.read())
            plugins.load_all(values.get("plugins"))  # before validation: plugin models must be known
            config = config_mod.RunConfig.model_validate(values)
            if pipeline_queue:
                from automl_tui_engine.clearml.pipeline import run_pipeline

                run_dir = run_pipeline(config, pipeline_queue, lambda event: send("event", event.to_dict()))
                status = rundir.RunFolder(run_dir).read_json(rundir.RUN_JSON).get("status", "finished")
                send("pipeline_result", {"run_id": run_dir.name, "run_dir": str(run_dir), "status": status})
                return
            result = engine.run(config, on_event=lambda event: send("event", event.to_dict()))
        except UserError as exc:
            send("user_error", {"key": exc.message_key, "values": {k: str(v) for k, v in exc.values.items()}})
        except KeyboardInterrupt:
            send("interrupted", None)  # cancelled before the run folder existed
        except Exception as exc:
            send("error", f"{type(exc).__name__}: {exc}")
        else:
            fields = {k: v for k, v in vars(result).items() if k != "decision"}
            send("result", fields)
    from automl_tui_engine.tracking import without_waiting_for_stuck_calls

    without_waiting_for_stuck_calls(0)  # the outcome is sent: a dead tracking server must not keep this process


if __name__ == "__main__":
    _child(int(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else "")
