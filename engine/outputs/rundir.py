"""The run folder: every file a run leaves, written so that a crash at any moment leaves readable files."""

from __future__ import annotations

import csv
import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal

from automl_tui_engine.errors import UserError

REPORT = "report.md"
LEADERBOARD = "leaderboard.csv"
RESULTS = "results_summary.csv"
MODEL = "model.joblib"
CONFIG = "config.toml"
RUN_JSON = "run.json"
EVENTS = "events.jsonl"
DATA_PROFILE = "data_profile.json"
INPUT_RANGES = "input_ranges.json"  # what training saw of each input column (table/input_ranges.py): for what-if
PLOTS = "plots"
EXPLANATION = "explanation.json"
TEST_PREDICTIONS = "test_predictions.csv"
MODEL_CARD = "model_card.md"
PREDICTIONS_LOG = "predictions.jsonl"  # every predictions file made with the run's model: never a training table
EVALUATIONS = "evaluations.jsonl"  # every scoring of the model in use on rows with known outcomes (evaluation.py)
RETRAINS = "retrains.jsonl"  # every retrain weighed against the run's model in use (retraining.py), its verdict
RECOMMENDATION = "recommendation.json"  # the run's decision, saved when taken (decision.Decision): faces read it
DECISION = "decision.md"  # what was adopted for which use (adoption.py), short enough to paste into minutes
ADOPTED_MODELS = "models"  # adopted alternatives trained for keeps (adopt --refit): models/<name>.joblib
WHATIF = "whatif"  # what was asked of the model after the run: grids and best inputs (outputs/whatif_record.py)
SEARCH = "search.joblib"  # a pipeline family's search (SearchResult.save), which the reporting step finishes
CLEARML = "clearml.json"  # a tracked run's reporting task: its id and the web link the run is shared by
RECOMMENDED_TASK, RECOMMENDED_LINK = "recommended_task", "recommended_link"  # clearml.json: the model's own task
RECORDED_LATER = "recorded_later"  # clearml.json: recorded whole by `automl-tui track` (earlier gaps closed)
NOT_RECORDED = "not_recorded"  # clearml.json: artifacts the ClearML server refused, with why
OFFLINE_SESSIONS = "offline_sessions"  # clearml.json: what offline mode stored, to import on a server
# the run's CSVs are opened by people in Excel, which reads UTF-8 only after a BOM (without one, a Japanese
# Windows reads them as cp932: mojibake); pandas and csv readers given utf-8-sig read them either way
CSV_ENCODING = "utf-8-sig"
# RFC 4180's line end: with it a carriage return inside a cell is quoted (after a bare \n it was written as it is,
# and every reader split the row there)
CSV_LINE_END = "\r\n"
LOCK = ".lock"  # held while a command changes the folder's shared records (RunFolder.changing)
LOCK_WAIT_S = 120  # a command waits this long for another to finish changing the folder, then says so


@dataclass(frozen=True)
class Artifact:
    """A file (or folder) a run leaves, declared once: when a complete run has it (report's Debug: Missing
    artifacts). A pipeline's run makes them all in its reporting step, as a run on one machine does."""

    name: str
    # always; "tested": the pick was trained for keeps; "explained": and explain is on; "charts": and charts are on
    expected: Literal["always", "tested", "explained", "charts"] = "always"


ARTIFACTS = (
    Artifact(LEADERBOARD),
    Artifact(RESULTS),
    Artifact(MODEL),
    Artifact(CONFIG),
    Artifact(RUN_JSON),
    Artifact(EVENTS),
    Artifact(DATA_PROFILE),
    Artifact(INPUT_RANGES),
    Artifact(RECOMMENDATION),
    Artifact(MODEL_CARD),
    Artifact(TEST_PREDICTIONS, "tested"),
    Artifact(EXPLANATION, "explained"),
    Artifact(PLOTS, "charts"),
)


def here() -> dict[str, str]:
    """Who and where: what a run folder records of the person and machine that made it (provenance)."""
    import getpass
    import socket

    return {"user": getpass.getuser(), "host": socket.gethostname()}


def sha256_of(path: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def predictions_written(out: Path) -> set[Path]:
    """Every predictions file the runs in `out` wrote (resolved paths): files the product made, never offered as a
    table to learn from."""
    written = set()
    for log in Path(out).glob(f"*/{PREDICTIONS_LOG}"):
        for line in log.read_text(encoding="utf-8").splitlines():
            try:
                written.add(Path(json.loads(line)["path"]))
            except (json.JSONDecodeError, KeyError, TypeError):
                continue  # a line cut short by a crash: the others still count
    return written


def write_atomic(path: Path, text: str) -> None:
    """Write to a temporary file then rename, so readers never see half a file (and a link of that name is
    replaced, never followed)."""
    draft = draft_of(path)
    try:
        # created new (never through a link), with the permissions the user's umask gives any file of theirs
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(draft, path)
    finally:
        discard(draft)


def write_frame(frame: Any, path: Path) -> None:
    """A DataFrame as a run-folder CSV (Excel's encoding and line ends), whole or not at all."""
    draft = draft_of(path)
    try:
        frame.to_csv(draft, index=False, encoding=CSV_ENCODING, lineterminator=CSV_LINE_END)
        os.replace(draft, path)
    finally:
        discard(draft)


def draft_of(path: Path) -> Path:
    """A temporary name beside `path`, this writer's own: two commands writing one file never share a draft."""
    import secrets

    return path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")


def discard(draft: Path) -> None:
    """Remove a draft left by a write that failed (a full disk): never a half file. On a read-only file system even
    removing a file that is not there fails: the error that stopped the write is the one to report."""
    with suppress(OSError):
        draft.unlink(missing_ok=True)


_HELD: dict[str, int] = {}  # run folders this process holds the lock of, with how deep (changing() nests)
_IN_PROCESS: dict[str, threading.RLock] = {}  # threads of one process (the wizard's workers) take turns too
_IN_PROCESS_GUARD = threading.Lock()


class RunFolder:
    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def create(cls, out: Path, run_id: str) -> RunFolder:
        path = out / run_id
        try:
            path.mkdir(parents=True, exist_ok=False)  # never overwrite an earlier run
        except FileExistsError:
            raise UserError("run.folder_exists", path=path) from None
        except OSError as exc:
            raise UserError("run.folder_unwritable", path=path, reason=exc.strerror) from None
        return cls(path)

    def __truediv__(self, name: str) -> Path:
        return self.path / name

    def files(self) -> list[str]:
        """Every file in the folder, as paths relative to it (what a finished run wrote)."""
        return sorted(
            str(p.relative_to(self.path)) for p in self.path.rglob("*") if p.is_file() and not p.name.startswith(".")
        )

    @contextmanager
    def changing(self) -> Iterator[None]:
        """Held while a command reads, changes and writes back the folder's shared records (run.json's adoptions,
        decision.md, what-if numbering, the report): commands at once take turns instead of losing each other's
        records. A lock file with a bounded wait; nested use in one process holds it once."""
        key = str(self.path.resolve())
        with _IN_PROCESS_GUARD:
            turn = _IN_PROCESS.setdefault(key, threading.RLock())
        with turn:
            if _HELD.get(key):
                _HELD[key] += 1
                try:
                    yield
                finally:
                    _HELD[key] -= 1
                return
            descriptor = self._lock()
            _HELD[key] = 1
            try:
                yield
            finally:
                _HELD[key] = 0
                os.close(descriptor)

    def _lock(self) -> int:
        import fcntl

        try:
            descriptor = os.open(self / LOCK, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
        except OSError as exc:
            raise UserError("run.folder_not_writable", path=self.path, reason=exc.strerror) from None
        deadline = time.monotonic() + LOCK_WAIT_S
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return descriptor
            except BlockingIOError:
                if time.monotonic() > deadline:
                    os.close(descriptor)
                    raise UserError("run.folder_busy", path=self.path, seconds=LOCK_WAIT_S) from None
                time.sleep(0.05)

    def subfolder(self, name: str) -> Path:
        """The folder `name` inside the run folder, made when missing; refused when it is a link (writes never go
        where a link leads)."""
        path = self / name
        if path.is_symlink():
            raise UserError("run.link_out", path=path)
        path.mkdir(exist_ok=True)
        return path

    def appending(self, name: str, encoding: str = "utf-8") -> IO[str]:
        """The file `name` opened to append to, never through a link."""
        try:
            descriptor = os.open(self / name, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW, 0o644)
        except OSError:
            if (self / name).is_symlink():
                raise UserError("run.link_out", path=self / name) from None
            raise
        return os.fdopen(descriptor, "a", encoding=encoding, newline="")

    def record_predictions(self, path: Path, rows: int, source: Path, check: dict[str, Any] | None = None) -> None:
        """Note a predictions file made with this run's model (predictions_written reads these), with what its input
        check found (outputs/predictions_check.summary), and when (ISO time with this machine's offset)."""
        line = {
            "path": str(Path(path).resolve()),
            "rows": rows,
            "source": str(Path(source).resolve()),
            "when": local_now(),
        }
        if check is not None:
            line["check"] = check
        self.append_line(PREDICTIONS_LOG, line)

    def append_event(self, event: dict[str, Any]) -> None:
        self.append_line(EVENTS, event)

    def append_line(self, name: str, value: dict[str, Any]) -> None:
        """`value` as one more line of the .jsonl file `name`: one write of one line, so appends made at once by
        several commands never interleave."""
        with self.appending(name) as handle:
            handle.write(json.dumps(value, default=str, ensure_ascii=False) + "\n")

    def update_json(self, name: str, changes: dict[str, Any], dropped: tuple[str, ...] = ()) -> None:
        """The file's object with `changes` over it and the `dropped` keys left out, written back as one change
        (several writers keep each other's keys: clearml.json's link, sessions, refusals)."""
        with self.changing():
            kept = {key: value for key, value in self.read_json(name).items() if key not in dropped}
            self.write_json(name, {**kept, **changes})

    def write_json(self, name: str, data: dict[str, Any]) -> None:
        # Japanese names as they are, not as \u escapes: these files are read by people too
        write_atomic(self / name, json.dumps(data, indent=2, default=str, ensure_ascii=False) + "\n")

    def read_json(self, name: str) -> dict[str, Any]:
        """The file's object, {} when it is not there; a UserError when it is there but no JSON object."""
        path = self / name
        if not path.exists():
            return {}
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise UserError("report.corrupt_file", path=path, reason=str(exc)) from None
        if not isinstance(data, dict):
            raise UserError("report.corrupt_file", path=path, reason=type(data).__name__)
        return data

    def shared_link(self) -> str:
        """The web page of the run's reporting task in ClearML (the one link to share), "" for a run not tracked."""
        return str(self.read_json(CLEARML).get("reporting_link") or "")

    def recommended_task(self) -> tuple[str, str]:
        """(id, web page) of the recommended model's own task in ClearML; ("", "") when it has none."""
        record = self.read_json(CLEARML)
        return str(record.get(RECOMMENDED_TASK) or ""), str(record.get(RECOMMENDED_LINK) or "")

    def offline_sessions(self) -> list[str]:
        """The ClearML offline sessions a run tracked in offline mode left (zip files to import on a server)."""
        return [str(path) for path in self.read_json(CLEARML).get(OFFLINE_SESSIONS) or []]

    def append_result(self, row: dict[str, Any], columns: list[str]) -> None:
        path = self / RESULTS
        new = not path.exists()
        with self.appending(RESULTS, CSV_ENCODING) as handle:  # the BOM only at the file's start
            writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore", lineterminator=CSV_LINE_END)
            if new:
                writer.writeheader()
            writer.writerow(row)

    def write_csv(self, name: str, rows: list[dict[str, Any]], columns: list[str]) -> None:
        draft = draft_of(self / name)
        try:
            with open(draft, "x", encoding=CSV_ENCODING, newline="") as handle:
                writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore", lineterminator=CSV_LINE_END)
                writer.writeheader()
                writer.writerows(rows)
            os.replace(draft, self / name)
        finally:
            discard(draft)

    def read_csv(self, name: str) -> list[dict[str, Any]]:
        path = self / name
        if not path.exists():
            return []
        try:
            with open(path, encoding=CSV_ENCODING, newline="") as handle:
                return [{key: _number(value) for key, value in row.items()} for row in csv.DictReader(handle)]
        except (csv.Error, UnicodeDecodeError) as exc:
            raise UserError("report.corrupt_file", path=path, reason=str(exc)) from None

    def read_events(self) -> list[dict[str, Any]]:
        return read_events(self / EVENTS)

    def read_lines(self, name: str) -> list[dict[str, Any]]:
        """The objects of a .jsonl file of the folder, oldest first; [] when there is none."""
        return _json_lines(self / name)


def unused_name(path: Path) -> Path:
    """`path`, or the first of `name-2.ext`, `name-3.ext`, … that no file has: something written never replaces
    what is there."""
    number = 1
    found = path
    while found.exists() or found.is_symlink():
        number += 1
        found = path.with_name(f"{path.stem}-{number}{path.suffix}")
    return found


def local_now() -> str:
    """Now, as the run folder's records write it: ISO time to the second, with this machine's offset."""
    import datetime as dt

    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def sessions_folder(sessions: list[str]) -> str:
    """Where ClearML's offline mode stored a run's sessions (the SDK keeps them all in one folder)."""
    return str(Path(sessions[0]).parent) if sessions else ""


def read_events(path: Path) -> list[dict[str, Any]]:
    """The events of an events.jsonl file (a run folder's, or a copy of one); [] when there is none."""
    return [event for event in _json_lines(path) if isinstance(event.get("kind"), str)]


def _json_lines(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    found = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            value = json.loads(line)
        except json.JSONDecodeError:
            continue  # a line cut short by a crash: the rest is still good
        if isinstance(value, dict):
            found.append(value)
    return found


def _number(value: str | None) -> Any:
    """CSV cells back to numbers and booleans where they are; text stays text."""
    if value is None or value == "":
        return None
    if value in ("True", "False"):
        return value == "True"
    try:
        return int(value)
    except ValueError:
        pass
    try:
        return float(value)
    except ValueError:
        return value


def save_model(pipeline: Any, path: Path) -> tuple[str, str | None]:
    """A model file (model.joblib, or an adopted model's), written whole or not at all; returns its sha256 and this
    user's signature (the run records both)."""
    import joblib
    from automl_tui_engine import model_signature

    draft = draft_of(path)
    try:
        joblib.dump(pipeline, draft)
        digest, signature = sha256_of(draft), model_signature.sign(draft)
        os.replace(draft, path)
    finally:
        discard(draft)
    return digest, signature
