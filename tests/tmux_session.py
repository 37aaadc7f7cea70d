"""The real app in a real terminal: tmux runs it, send-keys types, capture-pane reads the screen."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path


class TmuxSession:
    def __init__(self, command: list[str], cwd: Path, width: int = 100, height: int = 30) -> None:
        if shutil.which("tmux") is None:
            raise RuntimeError("tmux is not installed (apt-get install tmux)")
        self.name = f"automl-tui-{uuid.uuid4().hex[:8]}"
        # a tmux server of its own (no config file): one already running would start the program with that server's
        # environment and options, not this test's
        self.socket = Path(tempfile.gettempdir()) / self.name
        self.tmux = ["tmux", "-S", str(self.socket), "-f", "/dev/null"]
        self.started = time.perf_counter()
        subprocess.run(
            [
                *self.tmux,
                "new-session",
                "-d",
                "-s",
                self.name,
                "-x",
                str(width),
                "-y",
                str(height),
                "-c",
                str(cwd),
                *command,
                # a program that ends keeps its pane, so what it printed last can be shown
                ";",
                "set-option",
                "-g",
                "remain-on-exit",
                "on",
            ],
            check=True,
        )
        # a detached session may keep tmux's default size: ask for the one we want
        subprocess.run(
            [*self.tmux, "resize-window", "-t", self.name, "-x", str(width), "-y", str(height)], capture_output=True
        )

    def screen(self, escapes: bool = False) -> str:
        """The visible text; with `escapes`, colours too (so a moved highlight counts as a change)."""
        flags = ["-p", "-e"] if escapes else ["-p"]
        done = subprocess.run([*self.tmux, "capture-pane", *flags, "-t", self.name], capture_output=True, text=True)
        return done.stdout

    def words(self) -> str:
        """The screen's text with line breaks and runs of spaces folded: for text that may wrap."""
        return " ".join(self.screen().split())

    def keys(self, *keys: str) -> None:
        subprocess.run([*self.tmux, "send-keys", "-t", self.name, *keys], check=True)

    def wait_for(self, text: str, timeout: float = 60.0, poll: float = 0.02, never: str | None = None) -> float:
        """Seconds until `text` is on the screen; raises with the screen when it never shows, or as soon as
        `never` shows (a traceback, say)."""
        start = time.perf_counter()
        while time.perf_counter() - start < timeout:
            screen = self.screen()
            if never is not None and never in screen:
                raise AssertionError(f"{never!r} appeared while waiting for {text!r}:\n{screen}")
            if text in screen:
                return time.perf_counter() - start
            if self.ended():
                raise AssertionError(f"the program ended while waiting for {text!r}; its screen:\n{self.screen()}")
            time.sleep(poll)
        raise AssertionError(f"{text!r} did not appear within {timeout} s; the screen shows:\n{self.screen()}")

    def ended(self) -> bool:
        shown = [*self.tmux, "display-message", "-p", "-t", self.name, "#{pane_dead}"]
        return subprocess.run(shown, capture_output=True, text=True).stdout.strip() == "1"

    def pid(self) -> int:
        """The process the session runs (its pane's)."""
        shown = [*self.tmux, "display-message", "-p", "-t", self.name, "#{pane_pid}"]
        return int(subprocess.run(shown, capture_output=True, text=True, check=True).stdout.strip())

    def wait_until_ended(self, timeout: float) -> None:
        """Returns once the program has ended; raises with its screen when it has not within `timeout` s (a program
        that hangs: this is no measure of how fast it ends)."""
        deadline = time.perf_counter() + timeout
        while not self.ended():
            if time.perf_counter() > deadline:
                raise AssertionError(f"the program did not end within {timeout} s; its screen:\n{self.screen()}")
            time.sleep(0.02)

    def close(self) -> None:
        subprocess.run([*self.tmux, "kill-server"], capture_output=True)
        self.socket.unlink(missing_ok=True)

    def __enter__(self) -> TmuxSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
