"""Errors a user can fix. The CLI prints their one-line message and exits 2, never a traceback."""

from __future__ import annotations

from engine.messages import t


class UserError(Exception):
    """Bad input or usage, worded from the message catalogue."""

    def __init__(self, message_key: str, /, **values: object) -> None:
        self.message_key = message_key
        self.values = values
        super().__init__(t(message_key, **values))
