"""Errors a user can fix. The CLI prints their one-line message and exits 2, never a traceback."""

from __future__ import annotations

import traceback

from automl_tui_engine.messages import t


class UserError(Exception):
    """Bad input or usage, worded from the message catalogue."""

    def __init__(self, message_key: str, /, **values: object) -> None:
        self.message_key = message_key
        self.values = values
        super().__init__(t(message_key, **values))


def one_line(exc: BaseException) -> str:
    """An unexpected error as one line for the report: its type, first line, and the function it came from."""
    text = str(exc).strip().splitlines()
    where = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
    origin = f" ({where[0].name})" if where else ""
    return f"{type(exc).__name__}: {text[0] if text else ''}{origin}"[:300]


# what reading a run folder whose files were edited or damaged raises beyond the checks of their format (a key
# missing, a value of the wrong type): said as "this folder cannot be read", never as an internal error
DAMAGED_FOLDER = (KeyError, TypeError, ValueError, AttributeError, IndexError)
