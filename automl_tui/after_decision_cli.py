"""Life after the decision (issue 38): `automl-tui evaluate RUN_DIR LABELLED.csv` scores the model in use on rows
whose outcomes arrived; `automl-tui retrain RUN_DIR NEW.csv [--append]` runs the run's settings again on new rows and
says whether the new recommendation should replace the model in use."""

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

    evaluated = on_run_folder(lambda: evaluate_file(run_dir, data, use, trust, encoding), run_dir)
    for reason in sorted(set(evaluated.not_drawn.values())):
        say(t("cli.note", note=reason), err=True)
    for line in terminal_lines(evaluated.evaluation.to_json(), run_dir, data):
        say(line)
    say(t("evaluation.recorded", path=run_dir / rundir.EVALUATIONS))
    if evaluated.told.line():
        say(evaluated.told.line(), err=bool(evaluated.told.not_told))


def retrain_command(
    run_dir: Annotated[Path, typer.Argument(help=t("cli.help_run_dir"))],
    data: Annotated[Path, typer.Argument(help=t("cli.help_retrain_data"))],
    append: Annotated[bool, typer.Option("--append", help=t("cli.help_retrain_append"))] = False,
    remote: Annotated[str | None, typer.Option("--remote", metavar="QUEUE", help=t("cli.help_retrain_remote"))] = None,
) -> None:
    from automl_tui_engine import retraining
    from automl_tui_engine.launching import launch
    from automl_tui_engine.outputs.run_record import RunRecord
    from automl_tui_engine.outputs.since_decision import champion_lines

    from automl_tui.headless import run_headless

    plan = on_run_folder(lambda: retraining.plan(run_dir, data, append), run_dir)
    say(t("retrain.planned", run_dir=run_dir, fresh=plan.fresh, learn=plan.config.data))

    def compared(result: object) -> None:
        challenger = Path(result.run_dir)
        compared = on_run_folder(lambda: retraining.compare(plan, challenger), challenger)
        metric = RunRecord.load(challenger).metric
        assert metric is not None  # the run recommended a model: it ranked by a metric
        for line in champion_lines(compared.comparison.to_json(), metric):
            say(line)
        if compared.told.line():
            say(compared.told.line(), err=bool(compared.told.not_told))

    where = on_run_folder(lambda: retraining.where(plan, remote or ""), run_dir)
    raise typer.Exit(run_headless(launch(plan.config, where), then=compared))
