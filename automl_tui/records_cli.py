"""`automl-tui adopt` and `automl-tui runs`: the decision record, what people adopted from which run for which use,
and the runs of a folder (or of the ClearML server) with what became of them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from automl_tui_engine import exit_codes
from automl_tui_engine.messages import t
from automl_tui_engine.naming import RUNS_FOLDER

from automl_tui.exits import fail, on_run_folder, refuse
from automl_tui.terminal import print_table, say


def adopt_command(
    run_dir: Annotated[Path, typer.Argument(help=t("cli.help_run_dir"))],
    model: Annotated[str, typer.Argument(help=t("cli.help_adopt_model"))],
    use: Annotated[str, typer.Option("--use", help=t("cli.help_adopt_use"))] = "",
    note: Annotated[str, typer.Option("--note", help=t("cli.help_adopt_note"))] = "",
    refit: Annotated[bool, typer.Option("--refit", help=t("cli.help_adopt_refit"))] = False,
) -> None:
    from automl_tui_engine import adoption, naming
    from automl_tui_engine.outputs import rundir

    trained = on_run_folder(lambda: _trained(run_dir, model, use), run_dir) if refit else None
    adopted = on_run_folder(lambda: adoption.adopt(run_dir, model, use, note, trained), run_dir)
    decision = run_dir / rundir.DECISION
    say(t("adopt.done", model=adopted.record["model"], use=adopted.record["use"], path=decision))
    say(decision.read_text(encoding="utf-8"))
    if adopted.in_clearml == adoption.RECORDED:
        say(t("adopt.in_clearml", tag=naming.adopted_tag(adopted.record["model"])))
    elif adopted.in_clearml:
        say(t("adopt.not_in_clearml", reason=adopted.in_clearml), err=True)


def _trained(run_dir: Path, model: str, use: str) -> dict | None:
    """`adopt --refit`: the model trained for keeps (refit_adopted.py); None for the recommended model, which
    model.joblib already is."""
    from automl_tui_engine import refit_adopted

    if not refit_adopted.needs_refit(run_dir, model, use):
        say(t("adopt.refit_recommended", model=model))
        return None
    say(t("adopt.refitting", model=model))
    return refit_adopted.refit(run_dir, model)


# since the decision: the latest input check and the latest scoring (a run folder's records, or its reporting task's
# properties)
LOCAL_RUNS_COLUMNS = (
    "run",
    "dataset",
    "status",
    "recommended",
    "adopted",
    "time_to_decision",
    "inputs",
    "since_decision",
)
SERVER_RUNS_COLUMNS = (*LOCAL_RUNS_COLUMNS, "tagged")  # runs --clearml: how many of each run's tasks its tags find


def runs_command(
    out: Annotated[Path, typer.Option("--out", help=t("cli.help_out"), show_default=False)] = RUNS_FOLDER,
    on_server: Annotated[bool, typer.Option("--clearml", help=t("cli.help_runs_clearml"))] = False,
) -> None:
    from automl_tui_engine.errors import UserError
    from automl_tui_engine.events import run_status_word
    from automl_tui_engine.formatting import without_controls
    from automl_tui_engine.outputs.decision_record import duration_words, runs_overview
    from rich.table import Table

    if on_server:
        from automl_tui_engine.clearml_tracking import run_properties

        try:
            runs = run_properties.runs_on_server()
        except UserError as exc:
            raise refuse(exc) from None
    elif not out.is_dir():
        raise fail(t("adopt.runs_no_folder", out=out), exit_codes.BAD_INPUT)
    else:
        runs = runs_overview(out)
    if not runs:
        say(t("adopt.runs_none_clearml") if on_server else t("adopt.runs_none", out=out))
        return
    table = Table(box=None)
    columns = SERVER_RUNS_COLUMNS if on_server else LOCAL_RUNS_COLUMNS
    for column in columns:  # a run id and a dataset key are looked up as written: never cut
        table.add_column(t(f"cli.col_{column}"), no_wrap=column in ("run", "dataset"))
    for run in runs:
        took = run.time_to_decision_s
        cells = [
            run.run_id,
            run.dataset_key,
            run_status_word(run.status),
            run.recommended,
            run.adopted_words(),
            duration_words(took) if took is not None else "—",
            run.inputs_words(),
            run.since_decision_words(),
            *([run.tagged_words()] if on_server else []),
        ]
        table.add_row(*(without_controls(str(cell or "")) for cell in cells))  # a shared run.json says these
    print_table(table)
