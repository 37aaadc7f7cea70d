"""The wizard's footer of keys: compact (a key and its words, one space apart), so that every screen's keys, Quit
last among them, fit an 80-column terminal in both languages (tests/test_wizard_snapshots.py looks at 80×24)."""

from __future__ import annotations

from typing import Any

from textual.widgets import Footer


class KeysFooter(Footer):
    def __init__(self, **kwargs: Any) -> None:
        # no command palette key: the wizard offers none (AutomlApp.ENABLE_COMMAND_PALETTE), and its words are
        # Textual's, in English only
        super().__init__(compact=True, show_command_palette=False, **kwargs)
