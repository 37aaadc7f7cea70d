"""Predict with a run's model on new rows, checked against the table it was trained on.

The new table is read in chunks (so a million rows fit in memory), each chunk checked and coerced the way
training data was, and the predictions (plus class probabilities) are written next to the ID column when the
training table had one. Loading model.joblib runs code from it: only the run folder the user names is loaded.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from automl_tui_engine.adopted_models import Answering, answering
from automl_tui_engine.clearml_tracking.after_decision import Told, tell
from automl_tui_engine.errors import UserError, one_line
from automl_tui_engine.formatting import spreadsheet_safe
from automl_tui_engine.messages import language, listing, speaking, t
from automl_tui_engine.naming import OUTSIDE_TRAINING, PREDICT_PHASE, PREDICTION, answer_header, probability_column
from automl_tui_engine.outputs import predictions_check, rundir
from automl_tui_engine.table.input_check import Checker, InputCheck
from automl_tui_engine.tasks import Task

if TYPE_CHECKING:  # pandas and scikit-learn load with the model, not with the module
    import pandas as pd
    from automl_tui_engine.search.evaluate import Replay
    from sklearn.base import BaseEstimator

CHUNK_ROWS = 100_000


@dataclass(frozen=True)
class Schema:
    """What the model expects, from the run's data_profile.json."""

    used: list[str]  # columns the model reads
    numeric: list[str]
    id_column: str | None
    target: str
    task: Task


@dataclass
class PredictionSummary:
    out_path: Path
    rows: int
    seconds: float
    notes: list[str] = field(default_factory=list)
    answered_by: Answering | None = None
    check: InputCheck | None = None  # the new rows against what training saw (None: a run from before the check)
    check_path: Path | None = None  # NEW_predictions_check.md, when it could be written
    told: Told = Told()  # a tracked run: the predict task in ClearML, or why the server could not be told


def prediction_frame(pipeline: BaseEstimator, X: pd.DataFrame, task: Task) -> pd.DataFrame:
    """`prediction`, and `probability_<class>` per class for classification, one row per row of X."""
    from automl_tui_engine.search.evaluate import Replay

    return frame_of(Replay.of(pipeline, X, task))


def frame_of(replay: Replay) -> pd.DataFrame:
    """The prediction columns from predictions already made (an evaluate.Replay)."""
    import pandas as pd

    frame = pd.DataFrame({PREDICTION: replay.predictions})
    if replay.proba is not None:
        assert replay.classes_ is not None  # a model that gives probabilities has its classes
        for position, label in enumerate(replay.classes_):
            frame[probability_column(label)] = replay.proba[:, position]
    return frame


def schema(run_dir: Path) -> Schema:
    if not Path(run_dir).is_dir():
        raise UserError("report.not_a_run", path=run_dir)
    profile = rundir.RunFolder(Path(run_dir)).read_json(rundir.DATA_PROFILE)
    if not profile:
        raise UserError("predict.no_profile", run_dir=run_dir)
    columns = profile["profiles"]
    return Schema(
        used=[c["name"] for c in columns if c["kind"] not in ("id", "constant", "empty")],
        numeric=[c["name"] for c in columns if c["kind"] == "numeric"],
        id_column=next((c["name"] for c in columns if c["kind"] == "id"), None),
        target=profile["target"],
        task=Task(profile["task"]),
    )


def load_model(run_dir: Path, trust: bool = False, use: str | None = None) -> Any:
    """The run's model that answers for `use` (adopted_models.answering)."""
    return load_answering(run_dir, answering(run_dir, use), trust)


def load_answering(run_dir: Path, answer: Answering, trust: bool = False) -> Any:
    """A saved model of the run. Unpickling runs code that is inside the file: without `trust` it is loaded only
    when the run was made by this user on this machine (or brought home by their run) and the file is the one it
    saved."""
    import joblib

    path = answer.path
    if not path.is_file():
        raise UserError("predict.no_model", run_dir=run_dir)
    if not trust:
        doubt = provenance_doubt(run_dir, answer)
        if doubt:
            raise UserError("predict.untrusted_model", path=path, doubt=doubt)
    try:
        model = joblib.load(path)
    except Exception as exc:  # a damaged or foreign file: unpickling raises many kinds
        raise UserError("predict.model_unreadable", path=path, reason=one_line(exc)) from None
    if not hasattr(model, "predict"):
        raise UserError("predict.model_unreadable", path=path, reason=type(model).__name__)
    # threads for the cores free now: on a busy machine, threads waiting for each other made what-if's search 2.3×
    # slower with one core taken
    from automl_tui_engine.core import threads
    from automl_tui_engine.extension.registry import models

    models.use_threads(model, threads.use_free_cores())
    return model


def provenance_doubt(run_dir: Path, answer: Answering) -> str | None:
    """Why a saved model of the run may not be one this user saved; None when this user's signature of it holds.
    run.json's words on who made it only choose the words of the doubt: its writer may have changed them."""
    from automl_tui_engine import model_signature

    info = rundir.RunFolder(Path(run_dir)).read_json(rundir.RUN_JSON)
    if model_signature.made_by_this_user(answer.path, answer.signature):
        return None
    made_by = info.get("made_by")
    if not isinstance(made_by, dict) or not answer.signature:
        return t("predict.doubt_unknown")
    if made_by != rundir.here():
        return t("predict.doubt_elsewhere", user=made_by.get("user", "?"), host=made_by.get("host", "?"))
    return t("predict.doubt_changed")


def _seen_categories(pipeline: BaseEstimator) -> dict[str, set[str]]:
    """Training categories of the one-hot encoded columns, to count values the model never saw."""
    from automl_tui_engine.table.preprocess import preprocessor

    transformer = preprocessor(pipeline)
    if "one_hot" not in transformer.named_transformers_:
        return {}
    columns = next(cols for name, _, cols in transformer.transformers_ if name == "one_hot")
    encoder = transformer.named_transformers_["one_hot"].steps[-1][1]
    return {column: set(map(str, categories)) for column, categories in zip(columns, encoder.categories_, strict=True)}


def _count_rows(path: Path, how: dict[str, Any]) -> int | None:
    if how["format"] == "parquet":
        import pyarrow.parquet as pq

        try:
            return pq.ParquetFile(path).metadata.num_rows
        except Exception as exc:  # pyarrow raises many kinds for a file that is no Parquet: the table's fault
            raise UserError("data.not_a_table", path=path, reason=one_line(exc)) from None
    with open(path, "rb") as handle:
        lines = sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
    return max(lines - 1, 0)  # the header line (a quoted newline inside a cell makes this an estimate)


def predict_file(
    run_dir: Path,
    data_path: Path,
    out_path: Path | None = None,
    chunk_rows: int = CHUNK_ROWS,
    on_progress: Callable[[int, int | None], None] | None = None,
    raw_csv: bool = False,
    trust: bool = False,
    encoding: str | None = None,
    out_encoding: str | None = None,
    use: str | None = None,
    headers: str | None = None,
) -> PredictionSummary:
    """Predictions for every row of `data_path`, written to `out_path` (default: beside it); text that a spreadsheet
    would run as a formula is neutralised unless `raw_csv` (formatting.spreadsheet_safe). The table is read in
    `encoding` when given, else the one detected; the predictions are written in `out_encoding` when given, else in
    the table's, byte-order mark included, with its delimiter and decimal mark: a cp932 table from Excel gets cp932
    predictions Excel opens as they are. The model is the one adopted for `use` (adopted_models.answering). The answer
    columns are named in the language `headers` (default: the user's; "en" keeps the names programs read)."""
    from automl_tui_engine.table import reading

    started = time.perf_counter()
    run_dir, data_path = Path(run_dir), Path(data_path)
    expected = schema(run_dir)
    answer = answering(run_dir, use)
    pipeline = load_answering(run_dir, answer, trust)
    how = reading.sniff(data_path, encoding)
    out_encoding = reading.known_encoding(out_encoding) if out_encoding else how.get("encoding", "utf-8")
    # and with the table's delimiter and decimal mark: Excel reads UTF-16 text by tabs, and a ';' table comes from
    # where ',' is the decimal mark
    written_as = {"sep": how.get("delimiter", ","), "decimal": how.get("decimal", ".")}
    # beside the table, under the first name not taken: a table predicted again keeps its earlier predictions
    out_path = out_path or rundir.unused_name(data_path.with_name(f"{data_path.stem}_predictions.csv"))
    if out_path.exists():
        raise UserError("predict.output_exists", path=out_path)
    before = reading.file_signature(data_path)
    total = _count_rows(data_path, how)
    seen = _seen_categories(pipeline)
    ranges = rundir.RunFolder(run_dir).read_json(rundir.INPUT_RANGES)
    checker = Checker(ranges) if ranges else None
    not_numbers: dict[str, int] = {}
    unseen: dict[str, int] = {}
    notes: list[str] = [answer.note] if answer.note else []
    done = 0
    tmp = rundir.draft_of(out_path)
    try:
        # one handle for every chunk: a byte-order mark is written once, at the start
        with open(tmp, "w", encoding=out_encoding, newline="") as written:
            for chunk in reading.iter_table(data_path, how, chunk_rows):
                if done == 0:
                    notes += check_columns(list(chunk.columns), expected)
                if chunk.empty:  # a header and no rows: said below, not a model's complaint about 0 samples
                    continue
                frame = _predictions_of(chunk, pipeline, expected, seen, not_numbers, unseen, raw_csv, checker)
                with speaking(headers or language()):
                    frame = frame.rename(columns=answer_header)
                _write(frame, written, written_as, header=done == 0, first_row=done + 1, path=out_path)
                done += len(chunk)
                if on_progress is not None:
                    on_progress(done, total)
            if done == 0:
                raise UserError("data.header_only", path=data_path)
        if reading.file_signature(data_path) != before:  # rows of two versions of the table: no predictions file
            raise UserError("predict.table_changed", path=data_path)
        tmp.replace(out_path)  # a half-written file never takes the output's name
    except OSError as exc:  # reading errors are UserErrors already: this is the output's place
        raise UserError("predict.cannot_write", path=out_path, reason=exc.strerror or exc) from None
    finally:
        rundir.discard(tmp)
    check = checker.result() if checker is not None else None
    check_path = None
    if check is None:
        notes.append(t("predict.note_no_check", run_dir=run_dir))
    else:
        try:
            check_path, not_drawn = predictions_check.write(check, out_path, run_dir.name)
            notes += [t("predict.note_chart_not_drawn", reason=reason) for reason in set(not_drawn.values())]
        except OSError as exc:  # the predictions are written: the check is said on the terminal all the same
            notes.append(t("predict.note_check_not_written", reason=exc.strerror or exc))
    summary = predictions_check.summary(check) if check is not None else None
    try:
        rundir.RunFolder(run_dir).record_predictions(out_path, done, data_path, summary)
    except OSError as exc:  # a run folder shared read-only: the predictions are written all the same
        notes.append(t("predict.note_not_recorded", run_dir=run_dir, reason=exc.strerror or exc))
    told = Told()
    if check is not None and summary is not None:
        said = f"{predictions_check.headline(check)}\n{predictions_check.rows_line(check)}"
        found = {**summary, "rows": done, "source": data_path.name, "predictions": out_path.name}
        shown = (check_path, check_path.with_suffix(".png")) if check_path is not None else ()
        files = tuple(path for path in shown if path.is_file())
        told = tell(run_dir, PREDICT_PHASE, said, {"check": found}, files)
    notes += [t("predict.note_not_numbers", column=c, count=n) for c, n in not_numbers.items()]
    notes += [t("predict.note_unseen", column=c, count=n) for c, n in unseen.items()]
    return PredictionSummary(
        out_path=out_path,
        rows=done,
        seconds=time.perf_counter() - started,
        notes=notes,
        answered_by=answer,
        check=check,
        check_path=check_path,
        told=told,
    )


def _predictions_of(
    chunk: pd.DataFrame,
    pipeline: BaseEstimator,
    expected: Schema,
    seen: dict[str, set[str]],
    not_numbers: dict[str, int],
    unseen: dict[str, int],
    raw_csv: bool,
    checker: Checker | None,
) -> pd.DataFrame:
    """The prediction columns (and the ID) for a chunk of rows; values read as in training, and the numbers that
    did not read and the categories never seen counted into `not_numbers` and `unseen`; with a `checker`, the rows
    counted against what training saw and, per row, the inputs outside it named (naming.OUTSIDE_TRAINING)."""
    rows = model_rows(chunk, expected, not_numbers)
    for column, categories in seen.items():
        values = rows[column].dropna().astype(str)
        count = int((~values.isin(categories)).sum())
        if count:
            unseen[column] = unseen.get(column, 0) + count
    frame = prediction_frame(pipeline, rows, expected.task)
    if checker is not None:
        frame[OUTSIDE_TRAINING] = checker.add(rows).to_numpy()
    if expected.id_column and expected.id_column in chunk.columns:
        frame.insert(0, expected.id_column, chunk[expected.id_column].to_numpy())
    return frame if raw_csv else spreadsheet_safe(frame)


def model_rows(chunk: pd.DataFrame, expected: Schema, not_numbers: dict[str, int]) -> pd.DataFrame:
    """The columns the model reads, values read as in training (numbers stored as text are read as numbers); the
    values that did not read as numbers counted into `not_numbers`."""
    import pandas as pd
    from automl_tui_engine.table import human_numbers

    rows = chunk[expected.used].copy()
    for column in expected.numeric:
        as_numbers = (
            rows[column] if pd.api.types.is_numeric_dtype(rows[column]) else human_numbers.parse_numbers(rows[column])
        )
        failed = int((as_numbers.isna() & rows[column].notna()).sum())
        if failed:
            not_numbers[column] = not_numbers.get(column, 0) + failed
        rows[column] = as_numbers
    return rows


def _write(
    frame: pd.DataFrame, handle: TextIO, written_as: dict[str, str], header: bool, first_row: int, path: Path
) -> None:
    """`frame` as CSV on `handle`; a UserError naming the first column name or row whose text the file's encoding
    cannot hold (never replaced by '?')."""
    import io

    text = io.StringIO()
    frame.to_csv(
        text,
        header=header,
        index=False,
        lineterminator=rundir.CSV_LINE_END,
        sep=written_as["sep"],
        decimal=written_as["decimal"],
    )
    try:
        handle.write(text.getvalue())
    except UnicodeEncodeError:
        encoding = handle.encoding
        for column in frame.columns if header else []:
            if not _holds(encoding, str(column)):
                raise UserError("predict.cannot_encode_header", path=path, column=column, encoding=encoding) from None
        for row, values in enumerate(frame.astype(str).itertuples(index=False), start=first_row):
            for column, value in zip(frame.columns, values, strict=True):
                if not _holds(encoding, value):
                    raise UserError(
                        "predict.cannot_encode", path=path, row=row, column=column, encoding=encoding
                    ) from None
        raise


def _holds(encoding: str, text: str) -> bool:
    try:
        text.encode(encoding)
        return True
    except UnicodeEncodeError:
        return False


def check_columns(columns: list[str], expected: Schema) -> list[str]:
    """Notes on a new table's columns against the model's; a UserError naming the columns the model needs and
    lacks."""
    from automl_tui_engine.messages import suggest

    missing = [c for c in expected.used if c not in columns]
    if missing:
        hints = "".join(suggest(c, columns) for c in missing[:1])
        raise UserError("predict.missing_columns", columns=listing(missing), hint=hints)
    notes = []
    if expected.target in columns:
        notes.append(t("predict.note_target_ignored", column=expected.target))
    extra = [c for c in columns if c not in expected.used and c not in (expected.target, expected.id_column)]
    if extra:
        notes.append(t("predict.note_extra", columns=listing(extra)))
    return notes
