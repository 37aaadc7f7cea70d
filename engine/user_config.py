"""The user's configuration folder for automl-tui (XDG_CONFIG_HOME/automl-tui, else ~/.config/automl-tui): what the
user decided once and every later run honours (trusted plugins, the key that signs their models)."""

from __future__ import annotations

import os
from pathlib import Path


def folder() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "automl-tui"
