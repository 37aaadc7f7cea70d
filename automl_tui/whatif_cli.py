"""Using the model to decide (engine/whatif/): `automl-tui whatif RUN_DIR --set COLUMN=VALUE …` (one case),
`… --vary COLUMN=SPEC` (a grid of conditions), and `automl-tui optimize RUN_DIR --free …` (the best inputs)."""

from __future__ import annotations

import json
import os
import shlex
import shutil
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from automl_tui_engine.adopted_models import answered_by
from automl_tui_engine.messages import listing, t
from automl_tui_engine.whatif import best as best_defaults  # light: its heavy imports are inside its functions

from automl_tui.exits import cannot_write, fail, on_run_folder
from automl_tui.terminal import print_table, say

MOST_LINES = 30  # rows of a grid or search printed; the file holds every one
Side = Literal["left", "right"]  # where a printed column's cells line up


def whatif_command(
    run_dir: Annotated[Path, typer.Argument(help=t("cli.help_run_dir"))],
    settings: Annotated[
        list[str] | None, typer.Option("--set", metavar="COLUMN=VALUE", help=t("cli.help_whatif_set"))
    ] = None,
    varied: Annotated[
        list[str] | None, typer.Option("--vary", metavar="COLUMN=SPEC", help=t("cli.help_whatif_vary"))
    ] = None,
    row: Annotated[int | None, typer.Option("--row", min=1, help=t("cli.help_whatif_row"))] = None,
    rows: Annotated[Path | None, typer.Option("--rows", help=t("cli.help_whatif_rows"))] = None,
    focus: Annotated[str | None, typer.Option("--class", help=t("cli.help_whatif_class"))] = None,
    out: Annotated[Path | None, typer.Option("-o", "--out", help=t("cli.help_whatif_out"))] = None,
    as_json: Annotated[bool, typer.Option("--json", help=t("cli.help_json"))] = False,
    trust: Annotated[bool, typer.Option("--trust", help=t("cli.help_trust"))] = False,
    use: Annotated[str | None, typer.Option("--use", help=t("cli.help_use"), show_default=False)] = None,
) -> None:
    from automl_tui_engine import exit_codes
    from automl_tui_engine.whatif import case

    changes = pairs(settings, "--set")
    _not_there(out)
    if not varied:  # options of a grid, given for one case: said, not silently dropped
        given = [name for name, value in (("--rows", rows), ("--class", focus), ("-o", out)) if value]
        if given:
            raise fail(t("whatif.needs_vary", options=listing(given)), exit_codes.BAD_INPUT)
    elif as_json:
        raise fail(t("whatif.json_one_case"), exit_codes.BAD_INPUT)
    if varied:
        asked = grid_said(run_dir, varied, changes, row, rows, focus)
        on_run_folder(lambda: _grid(run_dir, varied, changes, row, rows, focus, out, trust, use, asked), run_dir)
        return

    def ask() -> Any:
        saved = case.SavedModel.open(run_dir, trust, use)
        return saved, saved.answer({**(saved.table_row(row) if row else {}), **changes})

    saved, answer = on_run_folder(ask, run_dir)
    if as_json:
        said = {**asdict(answer), "model": saved.answered_by.model, "note": t("whatif.honesty")}
        say(json.dumps(said, ensure_ascii=False, default=str))
        return
    if not changes and not row:  # no question yet: what can be asked
        say(t("whatif.fields"))
        for field in case.form(run_dir):
            say("  " + field_line(field))
    said, careful = answer_text(answer, changes, row)
    say(said)
    say(answered_by(saved.answered_by))
    for line in careful:
        say(line, err=True)
    say(t("whatif.honesty"))


def optimize_command(
    run_dir: Annotated[Path, typer.Argument(help=t("cli.help_run_dir"))],
    free: Annotated[str, typer.Option("--free", metavar="COLUMN,COLUMN", help=t("cli.help_optimize_free"))],
    maximize: Annotated[bool, typer.Option("--maximize/--minimize", help=t("cli.help_optimize_goal"))] = True,
    focus: Annotated[str | None, typer.Option("--class", help=t("cli.help_optimize_class"))] = None,
    ranges: Annotated[
        list[str] | None, typer.Option("--range", metavar="COLUMN=LOW:HIGH", help=t("cli.help_optimize_range"))
    ] = None,
    fixed: Annotated[
        list[str] | None, typer.Option("--fix", metavar="COLUMN=VALUE", help=t("cli.help_optimize_fix"))
    ] = None,
    constraints: Annotated[
        list[str] | None, typer.Option("--constraint", metavar="'A + B <= 100'", help=t("cli.help_optimize_rule"))
    ] = None,
    trials: Annotated[int, typer.Option("--trials", min=1, help=t("cli.help_optimize_trials"))] = best_defaults.TRIALS,
    time_limit: Annotated[float | None, typer.Option("--time", help=t("cli.help_optimize_time"))] = None,
    top: Annotated[int, typer.Option("--top", min=1, help=t("cli.help_optimize_top"))] = best_defaults.TOP,
    seed: Annotated[
        int, typer.Option("--seed", min=0, max=2**32 - 1, help=t("cli.help_optimize_seed"))  # what numpy accepts
    ] = best_defaults.SEED,
    row: Annotated[int | None, typer.Option("--row", min=1, help=t("cli.help_optimize_row"))] = None,
    out: Annotated[Path | None, typer.Option("-o", "--out", help=t("cli.help_whatif_out"))] = None,
    trust: Annotated[bool, typer.Option("--trust", help=t("cli.help_trust"))] = False,
    use: Annotated[str | None, typer.Option("--use", help=t("cli.help_use"), show_default=False)] = None,
) -> None:
    from automl_tui_engine.whatif import best as best_mod
    from automl_tui_engine.whatif import records
    from automl_tui_engine.whatif.case import SavedModel

    _not_there(out)
    freed = [name.strip() for name in free.split(",") if name.strip()]
    changes, limits = pairs(fixed, "--fix"), pairs(ranges, "--range")
    said = best_said(run_dir, freed, maximize, focus, limits, changes, constraints or [], trials, seed, time_limit, row)

    def search() -> tuple[Any, Any, Any]:
        saved = SavedModel.open(run_dir, trust, use)
        held = {**_start(saved, row, freed), **changes}
        found = best_mod.search(saved, freed, maximize, focus, limits, held, constraints, trials, time_limit, seed, top)
        return saved, found, records.keep_best(saved, found, said)

    saved, found, kept = on_run_folder(search, run_dir)
    say(best_head(found, row))
    if changes:  # the columns held while the others were searched, as --set says them for one case
        say(t("whatif.held", changed=listing(f"{column} = {value}" for column, value in changes.items())))
    say(answered_by(saved.answered_by))
    for sentence in found.unseen:
        say(t("whatif.careful", sentence=sentence), err=True)
    _print_table(found.table.drop(columns="careful"))
    for sentence in (s for s in found.table["careful"] if s):
        say(t("whatif.careful", sentence=sentence), err=True)
    _saved(kept, out, ("history",))


def answer_text(answer: Any, changes: dict[str, str], row: int | None = None) -> tuple[str, list[str]]:
    """One case's answer as the CLI and the wizard show it: prediction, probabilities, what moves it, what was asked;
    and a "Careful:" line per value training never saw."""
    from automl_tui_engine.formatting import with_minus_sign
    from automl_tui_engine.whatif.case import short

    lines = [t("whatif.prediction", prediction=short(answer.prediction))]
    if answer.probabilities:
        lines.append(
            t("whatif.probabilities", shares=" · ".join(f"{k} {v:.2f}" for k, v in answer.probabilities.items()))
        )
    if answer.cutoff:  # why 0.62 for one class can still answer the other
        label, value = answer.cutoff
        lines.append(t("whatif.cutoff", label=short(label), percent=f"{value:.0%}"))
    # the minus as the sentence's "+ up, − down" writes it
    moves = listing(f"{column} {with_minus_sign(f'{value:+.3f}')}" for column, value in answer.pushes.items())
    if answer.pushes:
        toward = answer.explained
        lines.append(
            t("whatif.pushes_toward", toward=toward, items=moves) if toward else t("whatif.pushes_value", items=moves)
        )
    elif answer.why_not:
        lines.append(t("whatif.no_pushes", reason=answer.why_not))
    changed = listing(f"{column} = {value}" for column, value in changes.items())
    if row:
        changed = t("whatif.asked_row_changed", changed=changed) if changes else ""
        lines.append(t("whatif.asked_row", row=row, changed=changed))
    else:
        lines.append(t("whatif.asked", changed=changed) if changes else t("whatif.asked_typical"))
    return "\n".join(lines), [t("whatif.careful", sentence=sentence) for sentence in answer.unseen]


def _grid(run_dir, varied, changes, row, rows, focus, out, trust, use, said) -> None:
    from automl_tui_engine.table.reading import read_table
    from automl_tui_engine.whatif import grid as grid_mod
    from automl_tui_engine.whatif import records
    from automl_tui_engine.whatif.case import SavedModel

    saved = SavedModel.open(run_dir, trust, use)
    table = read_table(rows)[0] if rows else None
    parsed = [grid_mod.parse(saved, text) for text in varied]
    changes = {**_start(saved, row, [v.column for v in parsed]), **changes}
    found = grid_mod.grid(saved, parsed, changes, table, focus)
    kept = records.keep_grid(saved, found, said)
    columns = listing(v.column for v in found.varied)
    key = "whatif.grid_head_rows" if found.rows else "whatif.grid_head"
    say(t(key, columns=columns, count=len(found.table), rows=found.rows, rest=rest_of_row(row)))
    _print_table(found.table[found.shown_columns])
    say(answered_by(saved.answered_by))
    for sentence in found.unseen:
        say(t("whatif.careful", sentence=sentence), err=True)
    _saved(kept, out, ("chart",))


def _saved(kept: Any, out: Path | None, charts: tuple[str, ...]) -> None:
    """Where the record went (ClearML too, for a tracked run; and a copy, with -o), then the honesty line."""
    path = kept.path
    shown = [path.name] + [f"{path.stem}-{name}.html" for name in charts]
    say(t("whatif.saved", folder=path.parent, files=listing(shown)))
    told = kept.told.line()
    if told:
        say(told, err=bool(kept.told.not_told))
    if out is not None:
        from automl_tui_engine import exit_codes
        from automl_tui_engine.outputs import rundir

        draft = rundir.draft_of(out)
        try:  # whole or not at all: the record in the run folder stays either way
            shutil.copyfile(path, draft)
            os.replace(draft, out)
        except OSError as exc:
            raise fail(cannot_write(out.parent, exc), exit_codes.NOT_FINISHED) from None
        finally:
            rundir.discard(draft)
        say(t("whatif.copied", path=out))
    say(t("whatif.honesty"))


def _print_table(table: Any) -> None:
    """The first MOST_LINES rows of a grid or a search, aligned by screen cells (Japanese names and values take two
    each)."""
    from rich.table import Table

    printed = Table(box=None, pad_edge=False)
    headers, rows = table_cells(table.head(MOST_LINES))
    for name, side in headers:  # on a narrow terminal a long header or value folds onto more lines, never cut
        printed.add_column(name, justify=side, overflow="fold")
    for cells in rows:
        printed.add_row(*cells)
    print_table(printed)
    if len(table) > MOST_LINES:
        say(t("whatif.more_rows", count=len(table) - MOST_LINES))


def table_cells(table: Any) -> tuple[list[tuple[str, Side]], list[list[str]]]:
    """A grid's or a search's table as the CLI and the wizard show it: each header with the side its column is
    aligned on (numbers on the right, so they line up on their last digit), and the rows as text, each column's
    numbers with one precision (formatting.column_texts); the answer columns named in the user's words (as the
    record's CSV names them); control characters written out."""
    import pandas as pd
    from automl_tui_engine.formatting import column_texts, without_controls
    from automl_tui_engine.naming import answer_header

    headers: list[tuple[str, Side]] = []
    columns = []
    for name in table.columns:
        values = table[name]
        number = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
        headers.append((without_controls(answer_header(str(name))), "right" if number else "left"))
        columns.append([without_controls(text) for text in column_texts(values)])
    return headers, [list(row) for row in zip(*columns, strict=True)]


def rest_of_row(row: int | None) -> str:
    """What the columns not varied or freed hold: the typical row's values, or the chosen row's."""
    return t("whatif.rest_row", row=row) if row else t("whatif.rest_typical")


def _start(saved: Any, row: int | None, moved: list[str]) -> dict[str, str]:
    """The chosen row's values, but for the columns the grid varies or the search frees; {} without --row."""
    return {k: v for k, v in saved.table_row(row).items() if k not in moved} if row else {}


def _not_there(out: Path | None) -> None:
    """-o names a file that exists: refused before any work, as predict does."""
    from automl_tui_engine import exit_codes

    if out is not None and out.exists():
        raise fail(t("whatif.output_exists", path=out), exit_codes.BAD_INPUT)
    if out is not None and not out.parent.is_dir():
        raise fail(t("whatif.output_folder_missing", folder=out.parent), exit_codes.BAD_INPUT)


def pairs(texts: list[str] | None, option: str) -> dict[str, str]:
    """COLUMN=VALUE options as {column: value}; one that is not is a one-line refusal."""
    from automl_tui_engine import exit_codes

    found = {}
    for text in texts or []:
        column, equals, value = text.partition("=")
        if not equals or not column.strip():
            raise fail(t("whatif.bad_pair", text=text, option=option), exit_codes.BAD_INPUT)
        found[column.strip()] = value.strip()
    return found


def grid_said(
    run_dir: Path, varied: list[str], settings: dict[str, str], row: int | None, rows: Path | None, focus: str | None
) -> str:
    """The command that asks this grid again (kept with its record; the wizard's too)."""
    said = ["automl-tui", "whatif", str(run_dir), *_repeated("--vary", varied), *_assigned("--set", settings)]
    said += [*(["--row", str(row)] if row else []), *(["--rows", str(rows)] if rows else [])]
    return shlex.join(said + (["--class", focus] if focus else []))


def best_said(
    run_dir: Path,
    free: list[str],
    maximize: bool,
    focus: str | None,
    ranges: dict[str, str],
    fixed: dict[str, str],
    constraints: list[str],
    trials: int,
    seed: int,
    time_limit: float | None = None,
    row: int | None = None,
) -> str:
    """The command that repeats this search (kept with its record; the wizard's too)."""
    said = ["automl-tui", "optimize", str(run_dir), "--free", ",".join(free)]
    said += ["--maximize" if maximize else "--minimize", *(["--class", focus] if focus else [])]
    said += [*_assigned("--range", ranges), *_assigned("--fix", fixed)]
    said += [*_repeated("--constraint", constraints), "--trials", str(trials), "--seed", str(seed)]
    said += ["--time", f"{time_limit:g}"] if time_limit else []
    return shlex.join(said + (["--row", str(row)] if row else []))


def best_head(found: Any, row: int | None) -> str:
    """The line above a search's best inputs: what was looked for, how many tries met the conditions."""
    goal = t("whatif.goal_max" if found.asked["goal"] == "maximize" else "whatif.goal_min", answer=found.goal_title)
    if not found.asked.get("constraints"):  # nothing to meet: how many were tried is all there is to say
        return t("whatif.best_head_free", goal=goal, trials=len(found.history), rest=rest_of_row(row))
    return t("whatif.best_head", goal=goal, trials=len(found.history), met=found.met, rest=rest_of_row(row))


def _repeated(option: str, values: list[str] | None) -> list[str]:
    return [part for value in values or [] for part in (option, value)]


def _assigned(option: str, values: dict[str, str]) -> list[str]:
    return _repeated(option, [f"{column}={value}" for column, value in values.items()])


def field_line(field) -> str:
    """A field as one line: its typical value and what training saw of it."""
    from automl_tui_engine.whatif.case import short

    if field.low is not None:
        typical, low, high = short(field.typical), short(field.low), short(field.high)
        return t("whatif.field_range", name=field.name, typical=typical, low=low, high=high)
    if field.categories and len(field.categories) <= 12:
        return t("whatif.field_choices", name=field.name, typical=field.typical, choices=listing(field.categories))
    return t("whatif.field_plain", name=field.name, typical=field.typical)
