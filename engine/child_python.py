"""How the product starts Python in a child process. A user may open the wizard in a colleague's shared folder;
`python -m` would put that folder first on the child's sys.path, ahead of the standard library, so a `json.py`
lying beside a table would run. `-P` (PYTHONSAFEPATH) keeps the working folder off sys.path."""

from __future__ import annotations

import os
import sys

SAFE_PATH_VARIABLE = "PYTHONSAFEPATH"


def python_command(module: str, *args: str) -> list[str]:
    """The command line that runs `module` as `python -m` with this interpreter, never importing from the working
    folder."""
    return [sys.executable, "-P", "-m", module, *args]


def keep_working_folder_off_path() -> None:
    """Children that libraries start (joblib's workers run `python -m` too) inherit the same rule."""
    os.environ[SAFE_PATH_VARIABLE] = "1"
