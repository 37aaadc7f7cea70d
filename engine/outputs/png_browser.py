"""The headless browser that draws a run's PNG charts (kaleido's Chrome): one per run, started when the search
starts so that its start (1.5 s on a 2-core machine, bench/png_export.py) overlaps the search instead of following
it; then each chart takes about 0.33 s.

The browser runs on an event loop of its own thread. Charts are sent one at a time and every wait has a timeout, so
a browser that dies or hangs costs the PNGs not yet drawn, never the run.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

CHART_TIMEOUT_S = 30.0  # one chart that takes longer than this is not coming
CLOSE_TIMEOUT_S = 10.0
# What drawing PNGs needs beyond the Python packages: the Debian/Ubuntu package that brings it, and its words
BROWSER = ("chromium", "png.lacks_browser")
JAPANESE_FONT = ("fonts-noto-cjk", "png.lacks_japanese_font")


def browser_path() -> str | None:
    """The Chrome or Chromium kaleido would start (its own search: BROWSER_PATH, PATH, the usual places, its own
    download), or None when there is none: then no PNG can be drawn, and nothing need be started to learn it."""
    from choreographer.browsers.chromium import Chromium

    path = Chromium.find_browser(skip_local=False)
    return str(path) if path and Path(path).is_file() else None


@cache
def has_japanese_font() -> bool:
    """Whether the browser that draws the PNGs can find a font with Japanese glyphs (fontconfig's list); where
    there is no fontconfig to ask (macOS, Windows: their system fonts have them), assumed so."""
    import shutil
    import subprocess

    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return True
    try:
        found = subprocess.run([fc_list, ":lang=ja", "family"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return True
    return bool(found.stdout.strip())


def lacking(japanese: bool) -> list[tuple[str, str]]:
    """What this machine lacks to draw PNGs (BROWSER, JAPANESE_FONT): the font only for charts with Japanese."""
    missing = [] if browser_path() else [BROWSER]
    return missing + ([JAPANESE_FONT] if japanese and not has_japanese_font() else [])


def install_command(needs: Iterable[tuple[str, str]]) -> str:
    """The one command that installs all of `needs` (Debian/Ubuntu)."""
    return "apt-get install " + " ".join(package for package, _ in needs)


def lacking_words(needs: list[tuple[str, str]]) -> str:
    """Why PNGs cannot be drawn here, naming all of `needs` and the one command that installs them."""
    from automl_tui_engine.messages import t

    command = install_command(needs)
    if len(needs) == 1:
        return t("png.lacking", lacking=t(needs[0][1]), command=command)
    (_, first), (_, second) = needs
    return t("png.lacking_both", first=t(first), second=t(second), command=command)


class PngBrowser:
    def __init__(self) -> None:
        import asyncio
        import threading

        # imported here, not first in the browser's thread: two threads importing kaleido's packages at once can
        # deadlock (choreographer's, while the caller looks for a browser)
        import kaleido  # noqa: F401

        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="png-browser", daemon=True)
        self._thread.start()
        self._kaleido: Any = None
        self._opened = asyncio.run_coroutine_threadsafe(self._open(), self._loop)

    async def _open(self) -> None:
        import logging

        import kaleido

        # its browser channel logs a traceback for a message split across two reads (a busy machine), which it then
        # ignores: not the user's to read on their terminal; a PNG that was not made is said by write() all the same
        logging.getLogger("choreographer").setLevel(logging.CRITICAL)

        # kaleido's page fetches MathJax from a CDN unless told not to: the charts use no TeX, and a run uses no
        # network except a ClearML server the user set up (without this, one chart in six waited 5 s for it here)
        self._kaleido = kaleido.Kaleido(mathjax=False)  # raises here when there is no Chrome/Chromium: said by write()
        await self._kaleido.open()

    def ready(self) -> None:
        """Wait for the browser to have started; raises what stopped it (no Chrome/Chromium, most often)."""
        self._opened.result(CHART_TIMEOUT_S)

    def write(
        self, figures: dict[str, Any], folder: Path, width: int, height: int, until: float | None = None
    ) -> list[str]:
        """Write `<name>.png` in `folder` for each figure, in order, none started when the slowest so far would end
        past `until` (time.monotonic(); None: all); returns the names not started for that reason. Raises what
        stopped the browser or a chart. Each is drawn at the size its layout sets, else `width` × `height`."""
        import asyncio
        import time

        self.ready()
        slowest, names = 0.0, list(figures)
        for position, (name, fig) in enumerate(figures.items()):
            if until is not None and time.monotonic() + slowest > until:
                return names[position:]
            start = time.monotonic()
            # a chart that needs more room than most says so in its layout (the SHAP chart with many categories)
            size = {"width": fig.layout.width or width, "height": fig.layout.height or height}
            spec = {"fig": fig.to_dict(), "path": folder / f"{name}.png", "opts": size}
            try:
                self._draw(spec)
            except TimeoutError:  # a chart that takes this long is not coming: not worth a new browser
                raise
            except Exception:
                # on a busy machine kaleido can ask a page that has not finished loading ("kaleido_scopes is not
                # defined", seen with both cores taken): one fresh browser, then the chart once more
                asyncio.run_coroutine_threadsafe(self._reopen(), self._loop).result(CHART_TIMEOUT_S)
                self._draw(spec)
            slowest = max(slowest, time.monotonic() - start)
        return []

    def _draw(self, spec: dict[str, Any]) -> None:
        import asyncio

        drawn = asyncio.run_coroutine_threadsafe(
            self._kaleido.write_fig_from_object(spec, cancel_on_error=True), self._loop
        )
        try:
            drawn.result(CHART_TIMEOUT_S)
        except BaseException:  # a timeout, or the run's own time limit: the chart is not waited for
            drawn.cancel()
            raise

    async def _reopen(self) -> None:
        import contextlib

        with contextlib.suppress(Exception):  # the browser being replaced may be past closing
            await self._kaleido.close()
        await self._open()

    def close(self) -> None:
        """Stop the browser and its thread; safe to call when it never started."""
        import asyncio

        try:
            self._opened.result(CLOSE_TIMEOUT_S)
            asyncio.run_coroutine_threadsafe(self._kaleido.close(), self._loop).result(CLOSE_TIMEOUT_S)
        except Exception:
            pass  # never started, or will not close: it dies with the process, and nothing of the run needs it
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(CLOSE_TIMEOUT_S)
        if not self._thread.is_alive():
            # closed here, not by the garbage collector: its "unclosed event loop" warning would land inside
            # whatever runs then, a later model's fit, and be reported as that model's warning
            self._loop.close()
