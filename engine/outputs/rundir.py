"""The run folder: every file a run leaves, written so that a crash at any moment leaves readable files."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from typing import Any

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
DECISION = "decision.md"  # what was adopted for which use (adoption.py), short enough to paste into minutes
WHATIF = "whatif"  # what was asked of the model after the run: grids and best inputs (outputs/whatif_record.py)
CLEARML = "clearml.json"  # a tracked run's reporting task: its id and the web link the run is shared by
EXPECTED = (LEADERBOARD, RESULTS, MODEL, CONFIG, RUN_JSON, EVENTS, DATA_PROFILE)
# the run's CSVs are opened by people in Excel, which reads UTF-8 only after a BOM (without one, a Japanese
# Windows reads them as cp932: mojibake); pandas and csv readers given utf-8-sig read them either way
CSV_ENCODING = "utf-8-sig"


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
    """Write to a temporary file then rename, so readers never see half a file."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)  # left only when writing failed (a full disk): never a half file


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

    def record_predictions(self, path: Path, rows: int, source: Path) -> None:
        """Note a predictions file made with this run's model (predictions_written reads these)."""
        line = {"path": str(Path(path).resolve()), "rows": rows, "source": str(Path(source).resolve())}
        with open(self / PREDICTIONS_LOG, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(line) + "\n")

    def append_event(self, event: dict[str, Any]) -> None:
        with open(self / EVENTS, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(event, default=str) + "\n")

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

    def append_result(self, row: dict[str, Any], columns: list[str]) -> None:
        path = self / RESULTS
        new = not path.exists()
        with open(path, "a", encoding=CSV_ENCODING, newline="") as handle:  # the BOM only at the file's start
            writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
            if new:
                writer.writeheader()
            writer.writerow(row)

    def write_csv(self, name: str, rows: list[dict[str, Any]], columns: list[str]) -> None:
        tmp = self / f".{name}.tmp"
        try:
            with open(tmp, "w", encoding=CSV_ENCODING, newline="") as handle:
                writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
                writer.writeheader()
                writer.writerows(rows)
            os.replace(tmp, self / name)
        finally:
            tmp.unlink(missing_ok=True)

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


def read_events(path: Path) -> list[dict[str, Any]]:
    """The events of an events.jsonl file (a run folder's, or a copy of one); [] when there is none."""
    if not path.exists():
        return []
    events = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            continue  # a line cut short by a crash: the rest is still good
        if isinstance(event, dict) and isinstance(event.get("kind"), str):
            events.append(event)
    return events


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
