"""The command's exit codes, one owner (README: "Exit codes")."""

OK = 0
ERROR = 1  # a bug: one line, the traceback with AUTOML_TUI_DEBUG=1
BAD_INPUT = 2  # a table, preset, run folder or flag that cannot be used, said in one line
NOT_FINISHED = 3  # no model finished, the disk filled up, the run folder or its table on ClearML went away
INTERRUPTED = 130  # Ctrl+C: what finished is kept and reported
TERMINATED = 143  # SIGTERM (timeout, docker stop, a CI cancel): as Ctrl+C


def of_run(status: str) -> int:
    """The exit code for a run that ended with `status` (events.RUN_STATUSES)."""
    return {"finished": OK, "cancelled": INTERRUPTED}.get(status, NOT_FINISHED)
