"""Reading a table file: format, encoding, delimiter and decimal mark sniffed; read whole or in chunks; a
UserError when it is missing, not a table, or too big for the free memory."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from automl_tui_engine.errors import UserError
from automl_tui_engine.messages import t

if TYPE_CHECKING:  # pandas loads when a table is read, not with the module
    import pandas as pd

SAMPLE_BYTES = 64 * 1024
DELIMITERS = (",", ";", "\t", "|")
TEXT_FORMATS = {".csv", ".txt", ".tsv", ".tab", ".dat", ""}
# besides UTF-8/16 and ISO-2022-JP, what Japanese and Western offices' spreadsheets and systems write
LEGACY_ENCODINGS = ("cp932", "euc_jp", "cp1252")
BYTE_ORDER_MARKS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
_DECIMAL_COMMA = re.compile(r"(?<![\d,.])\d+,\d+(?![\d,.])")
_DECIMAL_POINT = re.compile(r"(?<![\d,.])\d+\.\d+(?![\d,.])")
# A run needs about this many times the file size in memory: measured for the same 1M-row table (bench/README.md),
# 5.5× as CSV and 20× as Parquet (compressed); the factors keep about twice that. A run that would take more than
# MEMORY_SHARE of the memory left is refused before it starts.
MEMORY_FACTOR_TEXT, MEMORY_FACTOR_PARQUET, MEMORY_SHARE = 10, 40, 0.5
# sizes no table people model holds: a column name is a few words, a text cell at most a long comment (a 40 MB cell
# took 5.5 GB before failing: every copy and encoding of the column repeats it)
NAME_CHARS, CELL_CHARS = 1_000, 100_000


def detect_encoding(sample: bytes) -> str | None:
    """The encoding of a table's first bytes, or None when none of the encodings read here reads them as text.

    A byte-order mark decides (Excel's "Unicode text" export is UTF-16 with one); ISO-2022-JP announces itself by
    its escapes; text that is valid UTF-8 is UTF-8. Otherwise, among the LEGACY_ENCODINGS that decode every
    byte, the one whose text charset-normalizer finds least garbled: Latin text with accents is often valid
    Shift_JIS too, but reads as nonsense in it. Left to choose freely, the detector reads a Shift_JIS table as
    Korean (cp949), and its default garble limit rejects real Japanese tables of numbers and short words.
    """
    for mark, encoding in BYTE_ORDER_MARKS:
        if sample.startswith(mark):
            return encoding
    # a sample may end in the middle of a multi-byte character: judge it up to its last newline
    cut = sample[: sample.rfind(b"\n") + 1] or sample
    if b"\x1b$" in cut and _decodes(cut, "iso2022_jp"):
        return "iso2022_jp"
    if _decodes(cut, "utf-8"):
        return "utf-8"
    decodable = [encoding for encoding in LEGACY_ENCODINGS if _decodes(cut, encoding)]
    if len(decodable) < 2:
        return decodable[0] if decodable else None
    from charset_normalizer import from_bytes

    best = from_bytes(cut, cp_isolation=decodable, threshold=1.0).best()
    return best.encoding if best is not None else None


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
        return True
    except UnicodeDecodeError:
        return False


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


def sniff(path: Path, encoding: str | None = None) -> dict[str, Any]:
    """How to read `path` (format, encoding, delimiter), or a UserError for a file that is missing or not a table.
    `encoding` (the user's --encoding) is taken as given instead of detected."""
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
    if encoding is None:
        if b"\x00" in sample and not sample.startswith(tuple(mark for mark, _ in BYTE_ORDER_MARKS)):
            raise UserError("data.not_a_table", path=path, reason=t("data.binary_content"))
        encoding = detect_encoding(sample)
        if encoding is None:
            raise UserError("data.unknown_encoding", path=path)
    else:
        encoding = known_encoding(encoding)
    text = _decoded_sample(sample, encoding)
    delimiter = "\t" if suffix in (".tsv", ".tab") else detect_delimiter(text)
    # European spreadsheets: ';' between fields and ',' before decimals ("3,75")
    decimal = (
        ","
        if delimiter in (";", "\t") and len(_DECIMAL_COMMA.findall(text)) > len(_DECIMAL_POINT.findall(text))
        else "."
    )
    return {"format": "csv", "encoding": encoding, "delimiter": delimiter, "decimal": decimal}


def known_encoding(name: str) -> str:
    """`name` as Python's codec calls it, or a UserError that says how to name one."""
    import codecs

    try:
        return codecs.lookup(name).name
    except LookupError:
        raise UserError("data.bad_encoding", encoding=name) from None


def _decoded_sample(sample: bytes, encoding: str) -> str:
    # UTF-16 is two bytes a character: an odd cut would lose the last one, not matter
    cut = sample[: len(sample) - len(sample) % 2] if encoding.startswith("utf-16") else sample
    return cut.decode(encoding, "replace")


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


def iter_table(path: Path, how: dict[str, Any], chunk_rows: int | None = None) -> Iterator[pd.DataFrame]:
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
        for frame in [frames] if isinstance(frames, pd.DataFrame) else frames:  # a reader of chunks otherwise
            frame.columns = [str(name).strip() for name in frame.columns]
            _check_sizes(frame, path)
            yield frame
    except pd.errors.EmptyDataError:
        raise UserError("data.empty_file", path=path) from None
    except UnicodeDecodeError as exc:  # the sample fitted the encoding, a later row does not
        raise UserError("data.decode_failed", path=path, encoding=how["encoding"], reason=exc.reason) from None
    except (pd.errors.ParserError, ValueError, OSError) as exc:
        raise UserError("data.not_a_table", path=path, reason=parser_reason(str(exc))) from None
    except Exception as exc:  # pyarrow raises many types for a broken Parquet file
        if how["format"] != "parquet":
            raise
        raise UserError("data.not_a_table", path=path, reason=str(exc).splitlines()[0]) from None


def _check_sizes(frame: pd.DataFrame, path: Path) -> None:
    """A UserError for a column name or a text cell beyond any sane size (NAME_CHARS, CELL_CHARS)."""
    for name in frame.columns:
        if len(name) > NAME_CHARS:
            raise UserError("data.name_too_long", path=path, name=f"{name[:40]}…", length=len(name), most=NAME_CHARS)
    for name in frame.select_dtypes(include=["object", "string"]).columns:
        try:
            longest = frame[name].str.len().max()
        except AttributeError:  # no text in the column (objects of other kinds)
            continue
        if longest > CELL_CHARS:
            raise UserError("data.cell_too_long", path=path, column=name[:40], length=int(longest), most=CELL_CHARS)


# pandas' tokenizer says where a CSV breaks in its own English: the two breaks people make, in their words
_WRONG_FIELD_COUNT = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
_OPEN_QUOTE = re.compile(r"EOF inside string starting at row (\d+)")


def parser_reason(message: str) -> str:
    """Why pandas could not read a table, in the user's language where it is one of the common breaks (a row
    with more values than the header, a quote never closed), else pandas' own last line."""
    if found := _WRONG_FIELD_COUNT.search(message):
        expected, line, saw = found.groups()
        return t("data.wrong_field_count", line=line, expected=expected, saw=saw)
    if found := _OPEN_QUOTE.search(message):
        return t("data.open_quote", line=int(found.group(1)) + 1)  # pandas counts lines from 0 here
    return message.strip().splitlines()[-1]


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


def read_table(path: Path, encoding: str | None = None) -> tuple[Any, dict[str, Any]]:
    """(DataFrame, how it was read) or a UserError for a file that is missing, not a table, or too big;
    `encoding` overrides the detected one."""
    how = sniff(path, encoding)
    needed, available = memory_estimate(path, how), available_memory()
    if available is not None and needed > MEMORY_SHARE * available:
        raise UserError("data.too_big", path=path, needed=f"{needed / 2**30:.1f}", available=f"{available / 2**30:.1f}")
    before = file_signature(path)
    frame = next(iter_table(path, how))
    if file_signature(path) != before:  # written to (or cut short) while it was read: what was read is no table
        raise UserError("data.changed_while_read", path=path)
    return frame, how


def file_signature(path: Path) -> tuple[int, int]:
    """Size and modification time: a file that changed while it was read has another."""
    status = path.stat()
    return status.st_size, status.st_mtime_ns
