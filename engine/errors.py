"""Errors a user can fix. The CLI prints their one-line message and exits with their code (2 for bad input), never
a traceback."""

from __future__ import annotations

import traceback

from automl_tui_engine import exit_codes
from automl_tui_engine.messages import t


class UserError(Exception):
    """Bad input or usage, worded from the message catalogue."""

    exit_code = exit_codes.BAD_INPUT

    def __init__(self, message_key: str, /, **values: object) -> None:
        self.message_key = message_key
        self.values = values
        super().__init__(t(message_key, **values))


class SourceGone(UserError):
    """Something a run needs from the ClearML server is no longer there (its table's file, the task that holds it):
    the input was right when it was given, so the run did not finish rather than being refused."""

    exit_code = exit_codes.NOT_FINISHED


class ServerGone(UserError):
    """The ClearML server stopped answering in the middle of a command that needs it (following a run, recording
    one): nothing here was wrong, and nothing done is lost; the command did not finish."""

    exit_code = exit_codes.NOT_FINISHED


def one_line(exc: BaseException) -> str:
    """An unexpected error as one line for the report: its type, first line, and the function it came from."""
    text = str(exc).strip().splitlines()
    where = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
    origin = f" ({where[0].name})" if where else ""
    return f"{type(exc).__name__}: {text[0] if text else ''}{origin}"[:300]


# what reading a run folder whose files were edited or damaged raises beyond the checks of their format (a key
# missing, a value of the wrong type): said as "this folder cannot be read", never as an internal error
DAMAGED_FOLDER = (KeyError, TypeError, ValueError, AttributeError, IndexError)
