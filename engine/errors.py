"""Errors a user can fix. The CLI prints their one-line message and exits with their code (2 for bad input), never
a traceback."""

from __future__ import annotations

import traceback

from automl_tui_engine import exit_codes
from automl_tui_engine.messages import t

# the errors whose command-line advice names a flag, worded again for the wizard's screens ([wizard_errors])
WIZARD_WORDED = {
    ("data", name)
    for name in (
        "no_target_candidate",
        "target_not_found",
        "target_all_missing",
        "target_constant",
        "target_one_class_left",
        "target_too_many_classes",
        "unknown_encoding",
        "decode_failed",
    )
}


class UserError(Exception):
    """Bad input or usage, worded from the message catalogue."""

    exit_code = exit_codes.BAD_INPUT

    def __init__(self, message_key: str, /, **values: object) -> None:
        self.message_key = message_key
        self.values = values
        super().__init__(t(message_key, **values))

    def in_the_wizard(self) -> str:
        """The message as the wizard says it: where the command line's advice names a flag (--target, --encoding),
        the wizard's own words say what to do on its screen (the catalogue's [wizard_errors], by the same name)."""
        section, _, name = self.message_key.partition(".")
        return t(f"wizard_errors.{name}", **self.values) if (section, name) in WIZARD_WORDED else str(self)


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
