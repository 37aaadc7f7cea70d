"""The user's configuration folder for automl-tui (XDG_CONFIG_HOME/automl-tui, else ~/.config/automl-tui): what the
user decided once and every later run honours (trusted plugins, the key that signs their models)."""

from __future__ import annotations

import os
from pathlib import Path


def folder() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "automl-tui"


def remembered(name: str) -> str:
    """A choice the user made before (`remember`), "" when there is none or it cannot be read."""
    try:
        return (folder() / f"{name}.txt").read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return ""


def remember(name: str, value: str) -> None:
    """Keep a choice for next time; a folder that cannot be written only means it is asked again."""
    try:
        folder().mkdir(parents=True, exist_ok=True)
        (folder() / f"{name}.txt").write_text(value + "\n", encoding="utf-8")
    except OSError:
        pass
