"""`automl-tui whatif RUN_DIR --set COLUMN=VALUE …`: the model's answer for one case, the typical row of the
training table with some columns changed (engine/whatif.py)."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from automl_tui_engine.messages import listing, t

from automl_tui.exits import fail, on_run_folder


def whatif_command(
    run_dir: Annotated[Path, typer.Argument(help=t("cli.help_run_dir"))],
    settings: Annotated[
        list[str] | None, typer.Option("--set", metavar="COLUMN=VALUE", help=t("cli.help_whatif_set"))
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help=t("cli.help_json"))] = False,
    trust: Annotated[bool, typer.Option("--trust", help=t("cli.help_trust"))] = False,
) -> None:
    from automl_tui_engine import exit_codes, whatif

    changes = {}
    for text in settings or []:
        column, equals, value = text.partition("=")
        if not equals or not column.strip():
            raise fail(t("whatif.bad_set", text=text), exit_codes.BAD_INPUT)
        changes[column.strip()] = value.strip()
    answer = on_run_folder(lambda: whatif.ask(run_dir, changes, trust), run_dir)
    if as_json:
        said = {**asdict(answer), "note": t("whatif.honesty")}
        typer.echo(json.dumps(said, ensure_ascii=False, default=str))
        return
    if not changes:  # no question yet: what can be asked
        typer.echo(t("whatif.fields"))
        for field in whatif.form(run_dir):
            typer.echo("  " + field_line(field))
    typer.echo(t("whatif.prediction", prediction=answer.prediction))
    if answer.probabilities:
        shares = " · ".join(f"{label} {share:.2f}" for label, share in answer.probabilities.items())
        typer.echo(t("whatif.probabilities", shares=shares))
    moves = listing(f"{column} {value:+.3f}" for column, value in answer.pushes.items())
    if answer.pushes:
        typer.echo(
            t("whatif.pushes_toward", toward=answer.explained, items=moves)
            if answer.explained
            else t("whatif.pushes_value", items=moves)
        )
    elif answer.why_not:
        typer.echo(t("whatif.no_pushes", reason=answer.why_not))
    changed = listing(f"{column} = {value}" for column, value in changes.items())
    typer.echo(t("whatif.asked", changed=changed) if changes else t("whatif.asked_typical"))
    for sentence in answer.unseen:
        typer.echo(t("whatif.careful", sentence=sentence), err=True)
    typer.echo(t("whatif.honesty"))


def field_line(field) -> str:
    """A field as one line: its typical value and what training saw of it."""
    if field.low is not None:
        return t("whatif.field_range", name=field.name, typical=field.typical, low=field.low, high=field.high)
    if field.categories and len(field.categories) <= 12:
        return t("whatif.field_choices", name=field.name, typical=field.typical, choices=listing(field.categories))
    return t("whatif.field_plain", name=field.name, typical=field.typical)
