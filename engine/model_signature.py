"""Which model files this user's own runs made. Loading a model runs code inside it, and a run folder's writer can
change everything in it, run.json included: a hash stored beside the model proves nothing. So each model a run of
this user saves is signed with an HMAC under a secret kept in the user's configuration folder, readable by them
only (Jupyter trusts notebooks the same way); a model whose signature does not verify under this user's key is
asked about, like any colleague's."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from automl_tui_engine import user_config

KEY_FILE = "model-signing.key"


def sign(path: Path) -> str | None:
    """The signature of the file at `path` under this user's key (made on first use); None when there is no key to
    be had (a read-only home folder, a damaged key file): the model is then asked about, and the run goes on."""
    try:
        key = _key()
    except (OSError, ValueError):
        return None
    mac = hmac.new(key, digestmod=hashlib.sha256)
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            mac.update(chunk)
    return mac.hexdigest()


def made_by_this_user(path: Path, signature: object) -> bool:
    """Whether `signature` is this user's signature of the file at `path` as it is now."""
    if not isinstance(signature, str):
        return False
    mine = sign(path)
    return mine is not None and hmac.compare_digest(mine, signature)


def _key() -> bytes:
    path = user_config.folder() / KEY_FILE
    if not path.exists():
        _create(path)
    key = bytes.fromhex(path.read_text(encoding="ascii").strip())
    if len(key) < 32:
        raise ValueError(f"{path} holds no key")
    return key


def _create(path: Path) -> None:
    """A new secret, readable by this user only; written whole under another name, then linked into place, so two
    first runs at once agree on one key (the second link fails and that run reads the first's key)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{KEY_FILE}.{os.getpid()}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(32))
        os.link(draft, path)
    except FileExistsError:
        pass
    finally:
        draft.unlink(missing_ok=True)
