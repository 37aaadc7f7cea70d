"""What this machine can do for automl-tui, in one place (`automl-tui doctor`): PNG charts (a browser to draw
them, a Japanese font for Japanese text), ClearML (set up or not, the server answering, its queues and the agents
serving each), the cores free now, and the versions of the libraries that shape a run's results. Each finding that
is not fine says what to install or set up.

Quick by design: nothing here imports a heavy library, and ClearML is asked only when it is set up, within a
deadline, so a server that does not answer costs seconds, not minutes."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from automl_tui_engine.messages import listing, t

CLEARML_DEADLINE_S = 8.0  # a server that has not answered by then is said not to answer
# beside the libraries whose versions a run records (run.json): those that tune, explain, draw, track and show it
ALSO_VERSIONED = ("optuna", "shap", "plotly", "kaleido", "clearml", "textual")


@dataclass(frozen=True)
class Finding:
    topic: str  # what was looked at, in words
    works: bool | None  # None: not set up, a choice rather than a fault
    said: str  # what was found and, when it does not work, what to do
    needs: tuple[tuple[str, str], ...] = ()  # what it would take to install (png_browser.BROWSER, JAPANESE_FONT)


@dataclass(frozen=True)
class Examination:
    findings: list[Finding]
    versions: dict[str, str]

    def install_command(self) -> str | None:
        """The one command that installs everything missing, or None when nothing is."""
        from automl_tui_engine.outputs import png_browser

        needs = [need for finding in self.findings for need in finding.needs]
        return png_browser.install_command(needs) if needs else None


def examine() -> Examination:
    from automl_tui_engine.outputs.run_record import VERSIONED_LIBRARIES, library_versions

    versions = library_versions((*VERSIONED_LIBRARIES, *ALSO_VERSIONED))
    return Examination([_png(), _japanese_font(), _clearml(), _cores()], versions)


def _png() -> Finding:
    from automl_tui_engine.outputs import png_browser

    path, needs = png_browser.browser_path(), (png_browser.BROWSER,)
    if path:
        return Finding(t("doctor.png"), True, t("doctor.png_ok", path=path))
    return Finding(t("doctor.png"), False, t("doctor.png_missing", command=png_browser.install_command(needs)), needs)


def _japanese_font() -> Finding:
    from automl_tui_engine.outputs import png_browser

    needs = (png_browser.JAPANESE_FONT,)
    if png_browser.has_japanese_font():
        return Finding(t("doctor.font"), True, t("doctor.font_ok"))
    return Finding(t("doctor.font"), False, t("doctor.font_missing", command=png_browser.install_command(needs)), needs)


def _clearml() -> Finding:
    from automl_tui_engine.clearml_tracking import sdk

    topic = t("doctor.clearml")
    if sdk.offline():
        return Finding(topic, None, t("doctor.clearml_offline"))
    if not sdk.server()[0]:  # no variable and no configuration file names a server (nothing imported to learn it)
        return Finding(topic, None, t("doctor.clearml_not_set_up", command=_beside_us("clearml-init")))
    answer: dict[str, object] = {}
    asking = threading.Thread(target=_ask_server, args=(answer,), daemon=True)  # left behind if it never returns
    asking.start()
    asking.join(CLEARML_DEADLINE_S)
    host = sdk.server()[0]
    if "queues" in answer:
        queues: dict[str, int] = answer["queues"]  # type: ignore[assignment]
        if not queues:
            return Finding(topic, True, t("doctor.clearml_no_queues", host=host))
        served = listing(t("doctor.queue", name=name, agents=agents) for name, agents in queues.items())
        return Finding(topic, True, t("doctor.clearml_ok", host=host, queues=served))
    if "error" in answer:
        return Finding(topic, False, str(answer["error"]))
    return Finding(topic, False, t("doctor.clearml_silent", host=host, seconds=f"{CLEARML_DEADLINE_S:g}"))


def _ask_server(answer: dict[str, object]) -> None:
    """The server's queues and their agents into `answer`, or why not; in a thread of its own (the deadline)."""
    from automl_tui_engine.errors import UserError, one_line

    try:
        from automl_tui_engine.clearml import remote

        answer["queues"] = remote.queue_agents()  # checks the server first, with a short timeout
    except UserError as exc:
        answer["error"] = str(exc)
    except Exception as exc:  # the SDK's own failure: said in one line, never a traceback
        answer["error"] = t("doctor.clearml_failed", error=one_line(exc))


def _cores() -> Finding:
    from automl_tui_engine.core import threads

    cores, free = threads.cores(), threads.free_cores()
    said = t("doctor.cores_all_free", cores=cores) if free >= cores else t("doctor.cores_busy", cores=cores, free=free)
    return Finding(t("doctor.cores"), True, said)


def _beside_us(command: str) -> str:
    """`command` as a person can type it: the one installed beside automl-tui (in its venv, often not on PATH)."""
    import shutil
    import sys
    from pathlib import Path

    beside = Path(sys.executable).parent / command
    return str(beside) if beside.is_file() and shutil.which(command) != str(beside) else command
