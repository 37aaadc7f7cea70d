"""`automl-tui evaluate RUN_DIR LABELLED.csv`: the model in use scored on rows whose outcomes arrived (issue 38)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from automl_tui_engine.messages import t

from automl_tui.exits import on_run_folder
from automl_tui.terminal import say


def evaluate_command(
    run_dir: Annotated[Path, typer.Argument(help=t("cli.help_run_dir"))],
    data: Annotated[Path, typer.Argument(help=t("cli.help_evaluate_data"))],
    use: Annotated[str | None, typer.Option("--use", help=t("cli.help_use"), show_default=False)] = None,
    trust: Annotated[bool, typer.Option("--trust", help=t("cli.help_trust"))] = False,
    encoding: Annotated[str | None, typer.Option("--encoding", help=t("cli.help_predict_encoding"))] = None,
) -> None:
    from automl_tui_engine.evaluation import evaluate_file
    from automl_tui_engine.outputs import rundir
    from automl_tui_engine.outputs.since_decision import terminal_lines

    evaluation, not_drawn = on_run_folder(lambda: evaluate_file(run_dir, data, use, trust, encoding), run_dir)
    for reason in sorted(set(not_drawn.values())):
        say(t("cli.note", note=reason), err=True)
    for line in terminal_lines(evaluation.to_json(), run_dir, data):
        say(line)
    say(t("evaluation.recorded", path=run_dir / rundir.EVALUATIONS))
