"""The ClearML SDK, set up for automl-tui: quick to fail, quick to close, and never aimed at a server the user did
not configure. The settings were measured against clearml 2.1 (README, "Sharing runs with ClearML")."""

from __future__ import annotations

import base64
import contextlib
import functools
import io
import json
import logging
import os
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from automl_tui_engine.errors import UserError

T = TypeVar("T")
# An unreachable server must be reported within a few seconds: one short try, then a clear message. A server that
# answers is given 5 s: a busy laptop, a VPN or a server that is itself busy can take 2–3 s for a login.
CONNECT_TIMEOUT_S = 5.0
_SDK_OVERRIDES = {
    # Task.close() waits ~11 s for a reporting subprocess otherwise (minutes without network)
    "sdk": {"development": {"report_use_subprocess": False}},
    # the SDK retries a missing server 240 times by default; we check reachability ourselves first
    "api": {"http": {"retries": {"total": 1, "connect": 1, "read": 1, "backoff_factor": 0.5}}},
}
_SECRET_SETTINGS = ("api.credentials.access_key", "api.credentials.secret_key")
_SECRET_VARIABLES = ("CLEARML_API_ACCESS_KEY", "CLEARML_API_SECRET_KEY", "CLEARML_AUTH_TOKEN")


def offline() -> bool:
    return os.environ.get("CLEARML_OFFLINE_MODE", "").lower() in ("1", "true", "yes", "on")


def prepare() -> None:
    """Apply automl-tui's SDK settings (before any task exists) and keep the SDK's info lines off the terminal."""
    from clearml.config import ConfigWrapper

    ConfigWrapper.set_overrides(_SDK_OVERRIDES)
    loggers_at(logging.WARNING)
    _filter_direct_writes()


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """The SDK prints its own progress lines ("ClearML Task: created new task id=…") to stdout, where automl-tui
    writes its results: they are dropped; what matters is in the tasks and the run folder."""
    with contextlib.redirect_stdout(io.StringIO()):
        yield


@contextlib.contextmanager
def our_words() -> Iterator[None]:
    """Around a call whose failure automl-tui says in one line of its own (a task id the server does not have): the
    SDK's error lines about it are left out."""
    previous = logging.root.manager.disable
    logging.disable(logging.ERROR)
    try:
        yield
    finally:
        logging.disable(previous)


def setting(key: str) -> str:
    from clearml.config import ConfigWrapper

    return str(ConfigWrapper.get(key, "") or "")


def config_file() -> Path | None:
    """The configuration file the SDK would read, found as it finds it (clearml/backend_config/defs.py): the file a
    CLEARML_CONFIG_FILE (or its old name TRAINS_CONFIG_FILE) variable names, else ~/clearml.conf or ~/trains.conf."""
    named = os.environ.get("CLEARML_CONFIG_FILE") or os.environ.get("TRAINS_CONFIG_FILE")
    places = [named] if named else ["~/trains.conf", "~/clearml.conf"]
    return next((path for place in places if (path := Path(os.path.expandvars(place)).expanduser()).is_file()), None)


def server() -> tuple[str, str, str]:
    """(API address, access key, secret key) as the SDK will use them: CLEARML_* variables win over clearml.conf."""
    # the variables first: reading clearml.conf means importing the SDK (1-2 s), only done when there is one
    read_file = config_file() is not None
    found = []
    for variable, key in (
        ("CLEARML_API_HOST", "api.api_server"),
        ("CLEARML_API_ACCESS_KEY", "api.credentials.access_key"),
        ("CLEARML_API_SECRET_KEY", "api.credentials.secret_key"),
    ):
        found.append(os.environ.get(variable) or (setting(key) if read_file else ""))
    host, access, secret = found
    return host.rstrip("/"), access, secret


@functools.cache  # once per process when it passes (a failure is raised, so never remembered)
def check_server() -> None:
    """Refuse early, in one line, when the configured server cannot be used: not set up, unreachable, or the
    credentials are refused. Offline mode needs no server."""
    if offline():
        return
    host, access, secret = server()
    if not host:
        raise UserError("clearml.not_configured")
    if not (access and secret):
        raise UserError("clearml.no_credentials", host=host)
    try:
        _log_in(host, access, secret)
    except urllib.error.HTTPError as exc:
        if exc.code in (400, 401, 403):
            raise UserError("clearml.bad_credentials", host=host) from None
        raise UserError("clearml.server_error", host=host, status=exc.code) from None
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise UserError("clearml.unreachable", host=host, reason=str(reason)) from None


def _log_in(host: str, access: str, secret: str) -> None:
    """One short request of our own to the server (no SDK: its calls retry for ever); raises what went wrong."""
    token = base64.b64encode(f"{access}:{secret}".encode()).decode()
    request = urllib.request.Request(
        f"{host}/auth.login", data=b"{}", headers={"Authorization": f"Basic {token}"}, method="POST"
    )
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=CONNECT_TIMEOUT_S) as response:
        json.load(response)


def server_answers() -> bool:
    """Whether the server answers now, within CONNECT_TIMEOUT_S (offline mode has none to wait for): any answer
    counts, an error status too."""
    if offline():
        return True
    try:
        _log_in(*server())
    except urllib.error.HTTPError:
        return True  # it answered
    except (urllib.error.URLError, TimeoutError, OSError, ValueError):
        return False
    return True


def wait_for_server(seconds: float, every_s: float = 5.0) -> bool:
    """Whether the server answers within `seconds` (looked at every `every_s`)."""
    import time

    deadline = time.monotonic() + seconds
    while not server_answers():
        if time.monotonic() > deadline:
            return False
        time.sleep(every_s)
    return True


def give_up() -> None:
    """The server stopped answering and tracking is abandoned: the SDK's threads still retry it, each in a loop
    without end or pause (a refused connection fails at once) that took half a core from the run and printed a line
    each time. Their next request sleeps instead, and they say nothing more; the process ends without them
    (tracking.stuck_calls)."""
    import time

    from clearml.backend_api.session.session import Session

    _SERVER_GONE.append(True)
    loggers_at(logging.CRITICAL + 1)

    def parked(*args: Any, **kwargs: Any) -> None:
        time.sleep(24 * 3600)

    Session.send = parked  # type: ignore[method-assign]


# set once server_answers() found the server gone: the SDK's own lines about it are dropped
_SERVER_GONE: list[bool] = []

CHECK_EVERY_S = 3.0  # how often a long command looks whether the server still answers


def while_answering(call: Callable[[], T], gone: Exception, check_every_s: float = CHECK_EVERY_S) -> T:
    """`call()`, on a thread of its own, while the server answers: the SDK retries a server that went away for
    ever, in the calling thread. When the server stops answering, the SDK is given up (give_up) and `gone` is
    raised; the call is left running, and the process ends without waiting for it (tracking.stuck_calls)."""
    import threading

    from automl_tui_engine.tracking import left_stuck

    outcome: dict[str, Any] = {}
    ended = threading.Event()

    def work() -> None:
        try:
            outcome["value"] = call()
        except BaseException as exc:  # passed on to the caller, whatever it is
            outcome["error"] = exc
        finally:
            ended.set()

    threading.Thread(target=work, name="clearml call", daemon=True).start()
    try:
        while not ended.wait(check_every_s):
            if not server_answers():
                give_up()
                left_stuck("clearml call")
                raise gone
    except KeyboardInterrupt:
        left_stuck("clearml call")  # Ctrl+C: the caller stops what it started; nothing waits for this thread
        raise
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def _filter_direct_writes() -> None:
    """The SDK's log service writes its retries straight to stderr, past logging ("Retrying, failed logging task
    to backend", every 2 s for as long as the process lives): its INFO lines are dropped, and every line once the
    server is known to be gone (the run said so in one line). Found in clearml 2.1's TaskHandler._log_stderr; a
    version without it keeps its own lines."""
    try:
        from clearml.backend_interface.task.log import TaskHandler
    except ImportError:
        return
    original = TaskHandler.__dict__.get("_log_stderr")
    if not isinstance(original, staticmethod) or getattr(original.__func__, "filtered", False):
        return

    def filtered(msg: str, level: int = logging.INFO) -> None:
        if level >= logging.WARNING and not _SERVER_GONE and _shown(msg):
            original.__func__(msg, level)

    filtered.filtered = True  # type: ignore[attr-defined]
    TaskHandler._log_stderr = staticmethod(filtered)


def loggers_at(level: int) -> None:
    """The SDK's loggers (and urllib3's, under them) set to `level`, their retries never shown: the SDK gives some
    loggers levels and handlers of their own when a task starts, and retries a server that went away with a line
    each time, hundreds a minute (the run says in one line when tracking stopped)."""
    for name in [*logging.root.manager.loggerDict, "clearml", "urllib3"]:
        if name.startswith(("clearml", "urllib3")):
            found = logging.getLogger(name)
            found.setLevel(level)
            for handler in found.handlers:
                if _no_retries not in handler.filters:
                    handler.addFilter(_no_retries)
    # a task's close takes the SDK's handlers away while its uploads still run: their lines reach Python's
    # last-resort handler (stderr), which gets the same filter
    if logging.lastResort is not None and _no_retries not in logging.lastResort.filters:
        logging.lastResort.addFilter(_no_retries)


def _no_retries(record: logging.LogRecord) -> bool:
    return _shown(record.msg % record.args if record.args else str(record.msg))


# the SDK's lines about retries and about what the server refused, one per request: kept from the terminal; the
# refusals are counted (refusals()), and the run says them once and its report lists them
_UNSHOWN = ("Retrying", "Exception encountered while uploading", "Not uploading", "Failed uploading to")
_REFUSED_UPLOAD = "Failed uploading object"
_REFUSED = (_REFUSED_UPLOAD, "Action failed", "failed logging task to backend")
_REFUSALS: list[str] = []


def _shown(message: str) -> bool:
    if message.startswith(_REFUSED):
        _REFUSALS.append(message)
    return not message.startswith((*_UNSHOWN, *_REFUSED))


def refusals() -> tuple[list[str], list[str]]:
    """What the server refused since the last call, sent in the background: (uploads: charts and the report's text,
    requests: log lines and metrics)."""
    found = list(_REFUSALS)
    _REFUSALS.clear()
    uploads = [line for line in found if line.startswith(_REFUSED_UPLOAD)]
    return uploads, [line for line in found if not line.startswith(_REFUSED_UPLOAD)]


def refusal(text: str) -> str:
    """Why a server refused an upload, short: its HTTP status and words, without the object's long path."""
    import re

    uploaded = re.search(r"\((\d{3})\): (.*?)(?: \(upload\w*\)?)?\)?$", text)  # the files server's words
    if uploaded:
        return f"HTTP {uploaded.group(1)}: {uploaded.group(2)}"
    called = re.search(r"<(\d{3})/\d+: ([\w.]+)/v[\d.]+ \((.*?)\)>", text)  # the API server's answer
    return f"HTTP {called.group(1)}: {called.group(2)}: {called.group(3)}" if called else text[:200]


def secrets() -> list[str]:
    """Every credential value the SDK could use, to strip from text that leaves the process."""
    found = [os.environ.get(name, "") for name in _SECRET_VARIABLES]
    with contextlib.suppress(Exception):  # clearml's config unreadable: the variables are all there is
        found += [setting(key) for key in _SECRET_SETTINGS]
    return [value for value in found if len(value) >= 4]


def redact(text: str, known: list[str] | None = None) -> str:
    for value in known if known is not None else secrets():
        text = text.replace(value, "***")
    return text


def connect() -> Any:
    """The SDK's Task class, once a server (not offline mode) is known to be there: for what only a server can
    do (queues, remote runs, following a run)."""
    if offline():
        raise UserError("remote.offline")
    check_server()  # first: a server that cannot be used is said before seconds go on importing the SDK
    prepare()
    from clearml import Task

    return Task


def web_link(task: Any) -> str:
    """The task's page in the web app; a nicety (the run_id finds the run too), so never an error."""
    try:
        return str(task.get_output_log_web_page()) if task is not None else ""
    except Exception:
        return ""
