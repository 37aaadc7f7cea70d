"""Reading a table file: format, encoding, delimiter and decimal mark sniffed; read whole or in chunks; a
UserError when it is missing, not a table, or too big for the free memory."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from automl_tui_engine.errors import UserError
from automl_tui_engine.messages import t

SAMPLE_BYTES = 64 * 1024
DELIMITERS = (",", ";", "\t", "|")
TEXT_FORMATS = {".csv", ".txt", ".tsv", ".tab", ".dat", ""}
_KANA = re.compile(r"[\u3040-\u30ff\uff66-\uff9f]")
_C1_CONTROLS = re.compile(r"[\x80-\x9f]")
_DECIMAL_COMMA = re.compile(r"(?<![\d,.])\d+,\d+(?![\d,.])")
_DECIMAL_POINT = re.compile(r"(?<![\d,.])\d+\.\d+(?![\d,.])")
# A run needs about this many times the file size in memory: measured for the same 1M-row table (bench/README.md),
# 5.5× as CSV and 20× as Parquet (compressed); the factors keep about twice that. A run that would take more than
# MEMORY_SHARE of the memory left is refused before it starts.
MEMORY_FACTOR_TEXT, MEMORY_FACTOR_PARQUET, MEMORY_SHARE = 10, 40, 0.5


def detect_encoding(sample: bytes) -> str:
    """UTF-8 (with or without BOM), then Shift_JIS/cp932 when it looks Japanese, then cp1252/latin-1.

    cp932 accepts many latin-1 byte pairs too, so it is chosen only when the text has kana or when
    the bytes would be C1 control characters in latin-1 (which real Western text almost never has).
    """
    if sample.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    # a sample may end in the middle of a multi-byte character: judge it up to its last newline
    cut = sample[: sample.rfind(b"\n") + 1] or sample
    for encoding in ("utf-8", "cp932"):
        try:
            text = cut.decode(encoding)
        except UnicodeDecodeError:
            continue
        if encoding == "utf-8" or _KANA.search(text) or _C1_CONTROLS.search(cut.decode("latin-1")):
            return encoding
    try:
        cut.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def detect_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the same number (>1) of fields, most fields first."""
    lines = [line for line in text.splitlines()[:30] if line.strip()]
    if len(lines) > 1 and not text.endswith("\n"):
        lines = lines[:-1]  # the sample may cut the last line short
    best, best_fields = ",", 1
    for delimiter in DELIMITERS:
        counts = [len(row) for row in csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter)]
        if counts and min(counts) == max(counts) and counts[0] > best_fields:
            best, best_fields = delimiter, counts[0]
    return best


def sniff(path: Path) -> dict[str, Any]:
    """How to read `path` (format, encoding, delimiter), or a UserError for a file that is missing or not a table."""
    problem = file_problem(path)
    if problem:
        raise UserError(problem, path=path)
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return {"format": "parquet"}
    if suffix not in TEXT_FORMATS:
        raise UserError("data.unsupported_format", path=path, suffix=suffix)
    with open(path, "rb") as handle:
        sample = handle.read(SAMPLE_BYTES)
    if not sample.strip():
        raise UserError("data.empty_file", path=path)
    if b"\x00" in sample:
        raise UserError("data.not_a_table", path=path, reason=t("data.binary_content"))
    encoding = detect_encoding(sample)
    text = sample.decode(encoding, "replace")
    delimiter = "\t" if suffix in (".tsv", ".tab") else detect_delimiter(text)
    # European spreadsheets: ';' between fields and ',' before decimals ("3,75")
    decimal = (
        ","
        if delimiter in (";", "\t") and len(_DECIMAL_COMMA.findall(text)) > len(_DECIMAL_POINT.findall(text))
        else "."
    )
    return {"format": "csv", "encoding": encoding, "delimiter": delimiter, "decimal": decimal}


def file_problem(path: Path) -> str | None:
    """None for a regular file, else the message key that says why it cannot be read as one: missing, a folder, a
    link to nothing or to itself, or a device, pipe or socket (reading one may never end)."""
    import errno
    import stat

    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return "data.broken_link" if path.is_symlink() else "data.missing_file"
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "data.link_loop"
        raise UserError("data.unreadable", path=path, reason=exc.strerror) from None
    if stat.S_ISDIR(mode):
        return "data.not_a_file"
    return None if stat.S_ISREG(mode) else "data.special_file"


def iter_table(path: Path, how: dict[str, Any], chunk_rows: int | None = None) -> Iterator[Any]:
    """The table as DataFrames of at most `chunk_rows` rows (one frame when None); read errors are UserErrors."""
    import pandas as pd

    try:
        if how["format"] == "parquet":
            if chunk_rows is None:
                yield pd.read_parquet(path)
                return
            import pyarrow.parquet as pq

            for batch in pq.ParquetFile(path).iter_batches(batch_size=chunk_rows):
                yield batch.to_pandas()
            return
        frames = pd.read_csv(
            path,
            sep=how["delimiter"],
            encoding=how["encoding"],
            decimal=how.get("decimal", "."),
            low_memory=False,
            chunksize=chunk_rows,
        )
        for frame in [frames] if chunk_rows is None else frames:
            frame.columns = [str(name).strip() for name in frame.columns]
            yield frame
    except pd.errors.EmptyDataError:
        raise UserError("data.empty_file", path=path) from None
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError, OSError) as exc:
        raise UserError("data.not_a_table", path=path, reason=str(exc).strip().splitlines()[-1]) from None
    except Exception as exc:  # pyarrow raises many types for a broken Parquet file
        if how["format"] != "parquet":
            raise
        raise UserError("data.not_a_table", path=path, reason=str(exc).splitlines()[0]) from None


def available_memory() -> int | None:
    """Bytes the system can still give (MemAvailable), or None where it cannot be known."""
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def memory_estimate(path: Path, how: dict[str, Any]) -> int:
    """Bytes a table will take once read: text tables expand a few times, Parquet (compressed) more."""
    return path.stat().st_size * (MEMORY_FACTOR_PARQUET if how["format"] == "parquet" else MEMORY_FACTOR_TEXT)


def read_table(path: Path) -> tuple[Any, dict[str, Any]]:
    """(DataFrame, how it was read) or a UserError for a file that is missing, not a table, or too big."""
    how = sniff(path)
    needed, available = memory_estimate(path, how), available_memory()
    if available is not None and needed > MEMORY_SHARE * available:
        raise UserError("data.too_big", path=path, needed=f"{needed / 2**30:.1f}", available=f"{available / 2**30:.1f}")
    before = _signature(path)
    frame = next(iter_table(path, how))
    if _signature(path) != before:  # written to (or cut short) while it was read: what was read is no table
        raise UserError("data.changed_while_read", path=path)
    return frame, how


def _signature(path: Path) -> tuple[int, int]:
    status = path.stat()
    return status.st_size, status.st_mtime_ns
