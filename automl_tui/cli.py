"""The `automl-tui` command. Only typer is imported at start-up so `--help` stays instant;
the engine (pandas, scikit-learn) is imported inside the commands that run it."""

from __future__ import annotations

import os
import re
import signal
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from automl_tui_engine import exit_codes
from automl_tui_engine.messages import (
    languages,
    listing,
    suggest,
    t,
)  # light: the catalogue is a TOML file read on first use
from automl_tui_engine.naming import DEFAULT_PRESET, RUNS_FOLDER

from automl_tui.after_decision_cli import evaluate_command, retrain_command
from automl_tui.doctor_cli import doctor_command
from automl_tui.exits import fail, on_run_folder, refuse
from automl_tui.help_words import speak
from automl_tui.records_cli import adopt_command, runs_command
from automl_tui.templates_cli import template_app
from automl_tui.terminal import say
from automl_tui.whatif_cli import optimize_command, whatif_command

if TYPE_CHECKING:
    from automl_tui_engine.config import RunConfig
    from automl_tui_engine.launching import Where

TITLE_CELLS = 46  # `automl-tui plugins` lines up the origins after the titles


@dataclass(frozen=True)
class Invocation:
    """What entry.py knew before the command line was read: its --lang, and when the console script began (epoch
    seconds, before its imports; a run counts its budget from then; None when called in-process, as tests do)."""

    lang: str | None = None
    launched_at: float | None = None


app = typer.Typer(
    add_completion=False,
    rich_markup_mode=None,  # plain help: rich's help formatter alone costs ~0.1 s of start-up
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(template_app, name="template")
app.command("whatif", help=t("cli.help_whatif"))(whatif_command)
app.command("optimize", help=t("cli.help_optimize"))(optimize_command)
app.command("doctor", help=t("cli.help_doctor"))(doctor_command)
app.command("evaluate", help=t("cli.help_evaluate"))(evaluate_command)
app.command("retrain", help=t("cli.help_retrain"))(retrain_command)


@app.command("run", help=t("cli.help_run"))
def run_command(
    context: typer.Context,
    data: Annotated[Path | None, typer.Argument(help=t("cli.help_data"), show_default=False)] = None,
    preset: Annotated[str | None, typer.Option(help=t("cli.help_preset"), show_default=False)] = None,
    target: Annotated[str | None, typer.Option(help=t("cli.help_target"))] = None,
    task: Annotated[str | None, typer.Option(help=t("cli.help_task"))] = None,
    priority: Annotated[str | None, typer.Option(help=t("cli.help_priority"))] = None,
    metric: Annotated[str | None, typer.Option(help=t("cli.help_metric"))] = None,
    time_budget: Annotated[float | None, typer.Option("--time-budget", help=t("cli.help_time_budget"))] = None,
    out: Annotated[Path | None, typer.Option(help=t("cli.help_out"))] = None,
    seed: Annotated[int | None, typer.Option(help=t("cli.help_seed"))] = None,
    max_trials: Annotated[int | None, typer.Option("--max-trials", help=t("cli.help_max_trials"), min=0)] = None,
    split: Annotated[
        str | None, typer.Option("--split", metavar="random|time[:COLUMN]", help=t("cli.help_split"))
    ] = None,
    clearml: Annotated[bool, typer.Option("--clearml", help=t("cli.help_clearml"))] = False,
    remote: Annotated[str | None, typer.Option("--remote", metavar="QUEUE", help=t("cli.help_remote"))] = None,
    clone: Annotated[str | None, typer.Option("--clone", metavar="TASK_ID|TEMPLATE", help=t("cli.help_clone"))] = None,
    pipeline: Annotated[bool, typer.Option("--pipeline", help=t("cli.help_pipeline"))] = False,
    allow_plugin: Annotated[
        list[str] | None, typer.Option("--allow-plugin", metavar="MODULE", help=t("cli.help_allow_plugin"))
    ] = None,
    encoding: Annotated[str | None, typer.Option("--encoding", help=t("cli.help_encoding"))] = None,
) -> None:
    if data is None and clone is None and sys.stdin.isatty() and sys.stdout.isatty():
        # The wizard decides the rest; it writes escape codes whatever the output is, so only a person at a
        # terminal gets it.
        from automl_tui.app import run_wizard

        run_wizard(out or RUNS_FOLDER)
        raise typer.Exit(exit_codes.OK)
    from automl_tui_engine.errors import UserError
    from automl_tui_engine.extension import plugins

    plugins.trust(allow_plugin or [])
    overrides = {
        "data": data,
        "target": target,
        "task": task,
        "priority": priority,
        "primary_metric": metric,
        "time_budget_s": time_budget,
        "out": out,
        "seed": seed,
        "max_trials": max_trials,
        "split": split,
        "encoding": encoding,
        "lang": context.obj.lang,  # --lang, taken before the command line was read (entry.py)
        "clearml": {"enabled": True} if clearml else None,
    }
    try:
        config, where = _config_and_place(clone, preset, overrides, remote or "", pipeline)
    except UserError as exc:
        raise refuse(exc) from None
    raise typer.Exit(_launched(config, where, context.obj.launched_at))


def _config_and_place(
    clone: str | None, preset: str | None, overrides: dict[str, Any], queue: str, pipeline: bool
) -> tuple[RunConfig, Where]:
    """The run's settings and where it runs, from the command line: here, or left to a queue (--remote), or a
    pipeline on it; a --clone, or a preset that re-runs a template, re-runs a ClearML run (the engine's launching
    says how each is done)."""
    from automl_tui_engine import config as config_mod
    from automl_tui_engine.errors import UserError
    from automl_tui_engine.launching import Where, rerun_config

    Where.check(queue, pipeline, cloned=bool(clone))
    where = Where(queue, pipeline=pipeline, follow=pipeline)  # a pipeline's controller runs here, to its end
    if clone:
        config, source = rerun_config(clone, preset, overrides, queue)
        return config, replace(where, source=source)
    preset = preset or DEFAULT_PRESET
    settings = config_mod.read_preset(preset)[1].get("clearml", {})
    if queue or overrides["clearml"] or settings.get("enabled") or settings.get("execution_mode") == "clone":
        # said within seconds, before the engine's imports: the run would check it too, only later
        from automl_tui_engine.clearml_tracking import sdk

        sdk.check_server()
    config = config_mod.build(preset, overrides)
    if config.clearml.execution_mode == "clone":  # the preset re-runs a template: by clone, with the flags
        config, source = rerun_config(config.clearml.template or "", preset, overrides, queue)
        return config, replace(where, source=source)
    if config.data is None:  # a re-run's table is its source's; any other run needs one
        raise UserError("cli.no_data")
    return config, where


def _launched(config: RunConfig, where: Where, launched_at: float | None) -> int:
    """The run launched where it was asked, shown as the command line shows it; the exit code."""
    from automl_tui_engine.errors import UserError
    from automl_tui_engine.launching import launch

    from automl_tui.headless import pipeline_headless, run_headless

    handle = launch(config, where, since=launched_at)
    if where.pipeline:
        return pipeline_headless(handle)
    if not where.queue:
        return run_headless(handle)
    try:
        enqueued = handle.result()
    except UserError as exc:
        raise refuse(exc) from None
    say(t("remote.enqueued", run_id=enqueued.run_id, queue=enqueued.queue, task_id=enqueued.task_id))
    if enqueued.link:
        say(t("remote.link", link=enqueued.link))
    return exit_codes.OK


@app.command("watch", help=t("cli.help_watch"))
def watch_command(
    run_id: Annotated[str, typer.Argument(help=t("cli.help_watch_run_id"))],
    poll: Annotated[float, typer.Option("--poll", help=t("cli.help_poll"), min=0.1)] = 2.0,
    out: Annotated[Path, typer.Option("--out", help=t("cli.help_watch_out"))] = RUNS_FOLDER,
) -> None:
    from automl_tui.headless import watch_headless

    raise typer.Exit(watch_headless(run_id, poll, out))


@app.command("presets", help=t("cli.help_presets"))
def presets_command() -> None:
    from automl_tui_engine import config as config_mod

    for name in sorted(config_mod.builtin_presets(), key=lambda n: config_mod.preview(n).time_budget_s):
        preset = config_mod.preview(name)
        say(
            t(
                "cli.preset_line",
                name=name,
                budget=f"{preset.time_budget_s:g}",
                folds=preset.cv_folds,
                models=listing(preset.models),
            )
        )
        say(f"    {config_mod.describe(preset)}\n")


@app.command("report", help=t("cli.help_report"))
def report_command(
    run_dir: Annotated[Path, typer.Argument(help=t("cli.help_run_dir"))],
) -> None:
    from automl_tui_engine.messages import language
    from automl_tui_engine.outputs import report

    # asked for by its reader: in their language (a report rewritten by other commands keeps the run's)
    say(str(on_run_folder(lambda: report.write(run_dir, language()), run_dir)))


@app.command("track", help=t("cli.help_track"))
def track_command(
    run_dir: Annotated[Path, typer.Argument(help=t("cli.help_run_dir"))],
) -> None:
    from automl_tui_engine.clearml.record_later import record_run

    link = on_run_folder(lambda: record_run(run_dir), run_dir)
    say(t("track.done", path=run_dir / "report.md"))
    if link:
        say(t("cli.summary_link", link=link))


app.command("adopt", help=t("cli.help_adopt"))(adopt_command)
app.command("runs", help=t("cli.help_runs"))(runs_command)


@app.command("predict", help=t("cli.help_predict"))
def predict_command(
    run_dir: Annotated[Path, typer.Argument(help=t("cli.help_run_dir"))],
    data: Annotated[Path | None, typer.Argument(help=t("cli.help_predict_data"), show_default=False)] = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help=t("cli.help_predict_output"))] = None,
    card: Annotated[bool, typer.Option("--card", help=t("cli.help_card"))] = False,
    raw_csv: Annotated[bool, typer.Option("--raw-csv", help=t("cli.help_raw_csv"))] = False,
    trust: Annotated[bool, typer.Option("--trust", help=t("cli.help_trust"))] = False,
    encoding: Annotated[str | None, typer.Option("--encoding", help=t("cli.help_predict_encoding"))] = None,
    output_encoding: Annotated[
        str | None, typer.Option("--output-encoding", help=t("cli.help_output_encoding"))
    ] = None,
    use: Annotated[str | None, typer.Option("--use", help=t("cli.help_use"), show_default=False)] = None,
    headers: Annotated[
        str | None, typer.Option("--headers", metavar="en|ja", help=t("cli.help_headers"), show_default=False)
    ] = None,
) -> None:
    from automl_tui_engine.outputs import rundir

    if card:
        path = run_dir / rundir.MODEL_CARD
        if not path.is_file():
            raise fail(t("cli.no_card", run_dir=run_dir), exit_codes.BAD_INPUT)
        say(path.read_text(encoding="utf-8"))
    if data is None:
        if card:
            return
        raise fail(t("cli.predict_no_data"), exit_codes.BAD_INPUT)
    from automl_tui.headless import predict_with_progress

    if headers is not None and headers not in languages():
        raise fail(t("cli.headers_unknown", value=headers, known=listing(languages())), exit_codes.BAD_INPUT)
    options = {"raw_csv": raw_csv, "trust": trust, "encoding": encoding, "out_encoding": output_encoding}
    options |= {"use": use, "headers": headers}
    summary = on_run_folder(lambda: predict_with_progress(run_dir, data, output, **options), run_dir)
    for note in summary.notes:
        say(t("cli.note", note=note), err=True)
    from automl_tui_engine.adopted_models import answered_by

    say(answered_by(summary.answered_by))
    say(t("predict.done", rows=summary.rows, path=summary.out_path, seconds=summary.seconds))
    if summary.check is not None:
        from automl_tui_engine.outputs.predictions_check import terminal_lines

        for line in terminal_lines(summary.check, summary.check_path):
            say(line)
    if summary.told.line():
        say(summary.told.line(), err=bool(summary.told.not_told))


@app.command("plugins", help=t("cli.help_plugins"))
def plugins_command() -> None:
    from automl_tui_engine.extension import plugins
    from automl_tui_engine.extension.registry import metrics, models, steps
    from rich.cells import cell_len

    plugins.load_entry_points()
    for heading, kind, registry in (
        (t("plugins.heading_models"), "model", models.REGISTRY),
        (t("plugins.heading_metrics"), "metric", metrics.REGISTRY),
        (t("plugins.heading_steps"), "step", steps.REGISTRY),
    ):
        say(heading)
        for spec in registry.all():
            # padded by screen cells: a Japanese title's characters take two each
            title = spec.title + " " * max(TITLE_CELLS - cell_len(spec.title), 0)
            say(t("plugins.line", name=spec.name, title=title, origin=plugins.origin(kind, spec.name)))
        if not registry.all():
            say(f"  {t('plugins.none')}")
    say(t("plugins.heading_plugins"))
    for record in plugins.records():
        if record.error:
            say(
                t(
                    "plugins.plugin_failed",
                    name=record.name,
                    source=record.source,
                    target=record.target,
                    error=record.error,
                )
            )
        else:
            say(
                t(
                    "plugins.plugin_ok",
                    name=record.name,
                    source=record.source,
                    target=record.target,
                    added=listing(record.added) or t("plugins.none"),
                )
            )
    if not plugins.records():
        say(f"  {t('plugins.none')}")


def command_list() -> list[tuple[str, str]]:
    """Every command but run, as typed after `automl-tui`, with its help's first clause (to a sentence's end or a
    colon, brackets left out): read from the app, so a command added is listed without a word written by hand."""
    found = [(info.name, info.help) for info in app.registered_commands if info.name != "run"]
    for group in app.registered_groups:
        found += [(f"{group.name} {info.name}", info.help) for info in group.typer_instance.registered_commands]
    unbracketed = [(name, re.sub(r" ?[(（][^)）]*[)）]", "", help or "")) for name, help in found]
    return [(name, re.split(r"[.:] |[：。]", help, maxsplit=1)[0].rstrip(".")) for name, help in unbracketed]


def _list_the_other_commands() -> None:
    """`automl-tui --help` is run's help (how to run on a table, what a person asking wants first): its epilog
    lists the other commands."""
    commands = command_list()
    width = max(len(name) for name, _ in commands)
    lines = "\n".join(f"  automl-tui {name:<{width}}  {summary}" for name, summary in commands)
    (run,) = (info for info in app.registered_commands if info.name == "run")
    run.epilog = t("cli.help_run_epilog", commands=lines)


_list_the_other_commands()
speak(app, template_app)


def _mistyped_command(word: str, commands: set[str]) -> bool:
    """A first word that is no command, no option and no file, and close to a command (`prdict`): a table's name
    has a file behind it or an extension, so the word was meant as a command."""
    if word in commands or word.startswith("-") or Path(word).suffix or Path(word).exists():
        return False
    return bool(suggest(word, sorted(commands)))


def main(argv: list[str] | None = None, lang: str | None = None, launched_at: float | None = None) -> None:
    """The command line; `lang` is the --lang entry.py took from it, `launched_at` when the console script began."""
    args = list(sys.argv[1:] if argv is None else argv)
    commands = {command.name for command in app.registered_commands} | {g.name for g in app.registered_groups}
    if args and _mistyped_command(args[0], commands):
        say(t("cli.unknown_command", word=args[0], hint=suggest(args[0], sorted(commands))), err=True)
        sys.exit(exit_codes.BAD_INPUT)
    if not args or args[0] not in commands:
        # `automl-tui DATA.csv ...` means `automl-tui run DATA.csv ...`; so does `automl-tui --help`
        # (_list_the_other_commands)
        args.insert(0, "run")
    terminated: list[int] = []

    def stop_as_on_ctrl_c(signum: int, frame: object) -> None:
        terminated.append(signum)
        raise KeyboardInterrupt  # the same path as Ctrl+C: what finished is kept and reported

    signal.signal(signal.SIGTERM, stop_as_on_ctrl_c)

    def without_waiting_for_stuck_calls(code: int) -> int:  # the engine's, imported only when a command has ended
        from automl_tui_engine.tracking import without_waiting_for_stuck_calls as ending

        return ending(code)

    try:
        app(args=args, prog_name="automl-tui", standalone_mode=True, obj=Invocation(lang, launched_at))
    except SystemExit as exc:
        if terminated and exc.code == exit_codes.INTERRUPTED:
            sys.exit(without_waiting_for_stuck_calls(exit_codes.TERMINATED))
        if isinstance(exc.code, int):
            without_waiting_for_stuck_calls(exc.code)
        raise
    except KeyboardInterrupt:
        sys.exit(without_waiting_for_stuck_calls(exit_codes.TERMINATED if terminated else exit_codes.INTERRUPTED))
    except Exception as exc:  # a bug, not bad input: one line, the traceback only on request
        if os.environ.get("AUTOML_TUI_DEBUG"):
            raise
        say(t("cli.internal_error", error=f"{type(exc).__name__}: {exc}"), err=True)
        sys.exit(exit_codes.ERROR)
