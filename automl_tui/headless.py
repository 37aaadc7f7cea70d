"""Headless runs: a rich live view on a terminal, one plain line per finished model when piped.

Results (finished models, the Decision Summary) go to stdout; diagnostics (warnings, failures) to stderr.
"""

from __future__ import annotations

import dataclasses
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from automl_tui_engine import events as ev
from automl_tui_engine import exit_codes, glossary
from automl_tui_engine.extension.registry import metrics
from automl_tui_engine.formatting import about_seconds, human_bytes, score_text, spread_text
from automl_tui_engine.launching import RunHandle
from automl_tui_engine.messages import t, t_or
from automl_tui_engine.outputs.rundir import RUN_JSON, RunFolder, sessions_folder
from rich.console import Console, Group
from rich.panel import Panel
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text


class HeadlessView:
    """Turns engine events into terminal output; the same events drive the live table and plain lines."""

    def __init__(self, out: Console, err: Console, live: bool) -> None:
        self.out, self.err, self.live = out, err, live
        self.started: ev.RunStarted | None = None
        self.started_at = time.monotonic()
        self.phase = ""
        self.current = ""
        self.rows: list[dict[str, Any]] = []
        self.finished: ev.RunFinished | None = None

    def __call__(self, event: ev.Event) -> None:
        if isinstance(event, ev.RunStarted):
            self.started, self.started_at = event, time.monotonic()
            self.err.print(
                t(
                    "cli.run_started",
                    run_id=event.run_id,
                    task=glossary.task_word(event.task),
                    target=event.target,
                    metric=metrics.title(event.primary_metric, event.metric_title),
                    budget=event.budget_s,
                    run_dir=event.run_dir,
                )
            )
            if event.estimate_s is not None:
                seconds = about_seconds(event.estimate_s)
                self.err.print(t("cli.run_estimate", seconds=seconds, memory=event.memory_mb))
        elif isinstance(event, ev.PhaseChanged):
            self.phase = event.phase
        elif isinstance(event, ev.CandidateStarted):
            self.current = event.model
        elif isinstance(event, ev.CandidateFinished):
            self.rows.append(event.row)
            if not self.live:
                self.out.print(self.candidate_line(event.row))
        elif isinstance(event, ev.CandidateFailed):
            words = ev.status_word(event.status)
            self.err.print(t("cli.candidate_not_finished", model=event.model, status=words, reason=event.reason))
        elif isinstance(event, ev.RunWarning):
            self.err.print(t("cli.warning", message=event.message))
        elif isinstance(event, ev.ArtifactMissing):
            self.err.print(t("cli.artifact_missing", name=event.name, reason=event.reason))
        elif isinstance(event, ev.RunFinished):
            self.finished = event
        elif isinstance(event, ev.StepChanged):
            self.err.print(t("pipeline.step", step=event.step, status=event.status))

    def _metric(self) -> str:
        return self.started.primary_metric if self.started else ""

    def _score(self, value: float) -> str:
        """A figure of the primary metric as every face writes it (a share, or an error in the target's unit)."""
        started = self.started
        return score_text(value, started.metric_bounded, started.metric_unit) if started else score_text(value)

    def candidate_line(self, row: dict[str, Any]) -> str:
        m, started = self._metric(), self.started
        # the metric in words, its score and spread to the same decimals (as the report writes them)
        facts = metrics.MetricFacts(
            m, metrics.title(m, m), bool(started and started.greater_is_better),
            bounded=started.metric_bounded if started else True, unit=started.metric_unit if started else "",
        )  # fmt: skip
        return t(
            "cli.candidate_line",
            model=row["model"],
            metric=facts.title,
            spread=spread_text(row[f"{m}_mean"], row[f"{m}_std"], facts),
            fit=row["fit_s"],
            latency=row["predict_ms_per_1k"],
            size=human_bytes(row["size_bytes"]),
        )

    def leaderboard(self) -> Table:
        m = self._metric()
        table = Table(box=None, header_style="bold")
        for header in (
            t("report.col_model"),
            t("cli.col_score", metric=m),
            t("cli.col_fit"),
            t("cli.col_latency"),
            t("cli.col_size"),
        ):
            table.add_column(header)
        best_first = self.started is None or self.started.greater_is_better
        guessed = self.started.baseline if self.started else None
        rows = (
            [*self.rows, {"model": t("verdict.row"), f"{m}_mean": guessed[m]}]
            if guessed and m in guessed
            else self.rows
        )
        for row in sorted(rows, key=lambda r: r[f"{m}_mean"], reverse=best_first):
            if "fit_s" not in row:  # the guess: where the models stand against guessing
                table.add_row(row["model"], self._score(row[f"{m}_mean"]), "—", "—", "—", style="dim")
                continue
            table.add_row(
                row["model"],
                f"{self._score(row[f'{m}_mean'])} ± {self._score(row[f'{m}_std'])}",
                f"{row['fit_s']:.2f}",
                f"{row['predict_ms_per_1k']:.2f}",
                human_bytes(row["size_bytes"]),
            )
        return table

    def __rich__(self) -> Group | Text:
        """The live view, re-rendered by rich several times a second so the time bar moves."""
        if self.started is None:
            return Text(t("cli.loading"))
        budget = self.started.budget_s if self.started else 1.0
        elapsed = time.monotonic() - self.started_at
        bar = ProgressBar(total=budget, completed=min(elapsed, budget), width=40)
        status = Text(
            f" {elapsed:5.1f}/{budget:g} s  {t('cli.phase', phase=self.phase)}  "
            + (t("cli.running", model=self.current) if self.phase == "training" else "")
        )
        return Group(bar, status, self.leaderboard())

    def summary(self, report: str, link: str = "", offline_sessions: list[str] | None = None) -> None:
        """The Decision Summary, from the run_finished event (a local run, or one followed from the server), and
        the link to the run's reporting task when it was tracked in ClearML."""
        finished = self.finished
        if finished is None or finished.status == "no_candidate":
            self.err.print(t("cli.no_candidate", path=report))
            return
        if self.live:
            self.out.print(self.leaderboard())  # the live view is transient: keep the final table
        primary = metrics.get(self._metric())
        priority = self.started.priority if self.started else "balanced"
        lines = [
            *([finished.coverage] if finished.coverage else []),
            *finished.verdict,
            t("cli.summary_recommended", model=finished.recommended, priority=glossary.priority_word(priority)),
            t("cli.summary_why", reason=finished.reason),
        ]
        if primary.name in finished.test_metrics:
            lines.append(
                t("cli.summary_test", metric=primary.title, score=self._score(finished.test_metrics[primary.name]))
            )
        lines.append(t("cli.summary_report", path=report))
        if link:
            lines.append(t("cli.summary_link", link=link))
        elif offline_sessions:
            folder = sessions_folder(offline_sessions)
            lines.append(t("cli.summary_offline", count=len(offline_sessions), folder=folder))
        if self.live:
            self.out.print(Panel("\n".join(lines), title=t("cli.summary_title"), expand=False))
        else:
            self.out.print(t("cli.summary_title"))
            for line in lines:
                self.out.print(line)
        if finished.status == "cancelled":
            self.err.print(t("cli.interrupted", path=report))


def run_headless(
    handle: RunHandle,
    out: Console | None = None,
    err: Console | None = None,
    then: Callable[[Any], None] | None = None,
) -> int:
    """A run here (launching.launch) with a terminal view; returns the process exit code. `then` is given the run's
    result after its summary, when the run recommended a model (a retrain's comparison)."""
    from automl_tui_engine.errors import UserError

    # user text (messages, column names) is printed as-is: no markup, no highlighting, and no hard wrapping
    # when piped, so each plain line stays one line for whoever reads it
    out = out or Console(markup=False, highlight=False)
    out.soft_wrap = not out.is_terminal
    err = err or Console(stderr=True, markup=False, highlight=False, soft_wrap=True)
    if out.is_terminal and err.is_terminal:
        err = out  # both show on the same screen: through the live console they print above the live view
    view = HeadlessView(out, err, live=out.is_terminal)
    try:
        if view.live:
            from rich.live import Live

            with Live(view, console=out, refresh_per_second=4, transient=True):
                result = handle.result(on_event=view)
        else:
            result = handle.result(on_event=view)
    except UserError as exc:
        err.print(str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        # Ctrl+C outside a model's training (the engine handles those): what finished is on disk already
        if view.started is not None:
            from automl_tui_engine.outputs import report

            err.print(t("cli.interrupted", path=report.write(Path(view.started.run_dir))))
        return exit_codes.INTERRUPTED
    except OSError as exc:  # the disk is full, or the run folder went away while the run wrote to it
        where = view.started.run_dir if view.started is not None else handle.config.out
        err.print(t("cli.could_not_write", folder=where, reason=exc.strerror or exc, file=exc.filename or "-"))
        return exit_codes.NOT_FINISHED
    folder = RunFolder(Path(result.run_dir))
    view.summary(f"{result.run_dir}/report.md", folder.shared_link(), folder.offline_sessions())
    if then is not None and folder.read_json(RUN_JSON).get("recommended"):  # a run here or one brought home
        then(result)
    return exit_codes.of_run(result.status)


def watch_headless(run_id: str, poll_s: float, out_folder: Path) -> int:
    """Follow a run from the ClearML server with the same view as a local run, then bring its run folder home into
    `out_folder` (a run on an agent, or a pipeline's): adopt, predict, whatif and report then work on it as on a
    local run. Returns the exit code."""
    from automl_tui_engine.clearml.follow import follow
    from automl_tui_engine.clearml.remote import bring_home
    from automl_tui_engine.errors import UserError

    out = Console(markup=False, highlight=False)
    out.soft_wrap = not out.is_terminal
    err = Console(stderr=True, markup=False, highlight=False, soft_wrap=True)
    view = HeadlessView(out, err, live=False)  # events arrive in batches: plain lines read better than a live table
    home = out_folder / run_id
    waiting: list[str] = []

    def on_waiting(status: str) -> None:
        if not waiting:
            err.print(t("watch.waiting", run_id=run_id, status=t_or(f"clearml_status.{status}", status)))
        waiting.append(status)

    def shown_here(event: ev.Event) -> None:
        """The run's folder is the one it will have here, not the agent's temporary one."""
        if isinstance(event, ev.RunStarted) and event.run_dir:
            event = dataclasses.replace(event, run_dir=str(home))
        view(event)

    try:
        followed = follow(run_id, shown_here, poll_s=poll_s, on_waiting=on_waiting)
        if followed.status in ("failed", "stopped"):
            err.print(t("watch.given_up", run_id=run_id, status=followed.status, message=followed.message or "-"))
            return exit_codes.NOT_FINISHED
        came_home = bring_home(followed.folder_task, home) if followed.folder_task else None
    except UserError as exc:
        err.print(str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        return exit_codes.INTERRUPTED
    if came_home is None:
        if followed.status == "log_unreadable":
            err.print(t("watch.log_unreadable", run_id=run_id))
            return exit_codes.NOT_FINISHED
        view.summary(t("watch.reporting_task", run_id=run_id), followed.reporting_link)
        return exit_codes.of_run(followed.status)
    for event in RunFolder(came_home).read_events()[followed.events_seen :]:  # what the logs did not show
        shown_here(ev.from_dict(event))
    view.summary(str(came_home / "report.md"), RunFolder(came_home).shared_link() or followed.reporting_link)
    return exit_codes.of_run(view.finished.status) if view.finished is not None else exit_codes.NOT_FINISHED


def pipeline_headless(handle: RunHandle) -> int:
    """A run launched as a ClearML pipeline (the controller here, the steps on agents): each step's changes as a
    line, each family's candidates as its step ends, then the rest of the run as a local run shows it, read back
    from the run folder that came home."""
    from automl_tui_engine.errors import UserError

    # bound to this process's stdout now: the controller's own progress lines are dropped while it runs (sdk.quiet
    # replaces sys.stdout), the finished models it shows in the meantime are not
    out = Console(file=sys.stdout, markup=False, highlight=False, soft_wrap=True)
    err = Console(stderr=True, markup=False, highlight=False, soft_wrap=True)
    view = HeadlessView(out, err, live=False)  # one line per step change and per candidate, as they come
    try:
        run_dir = Path(handle.result(on_event=view).run_dir)
    except UserError as exc:
        err.print(str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        err.print(t("pipeline.cancelled"))
        return exit_codes.INTERRUPTED
    view.summary(str(run_dir / "report.md"), RunFolder(run_dir).shared_link())
    return exit_codes.of_run(view.finished.status) if view.finished is not None else exit_codes.NOT_FINISHED


def predict_with_progress(run_dir: Path, data: Path, output: Path | None, **options: Any) -> Any:
    """automl_tui_engine.predict with a progress bar when a person watches (stderr is a terminal), silent otherwise;
    `options` are predict_file's (raw_csv, trust, encoding)."""
    from automl_tui_engine.predict import predict_file

    err = Console(stderr=True)
    if not err.is_terminal:
        return predict_file(run_dir, data, output, **options)
    from rich.progress import Progress

    with Progress(console=err, transient=True) as progress:
        task = progress.add_task(t("cli.predicting", name=data.name), total=None)
        return predict_file(
            run_dir,
            data,
            output,
            on_progress=lambda done, total: progress.update(task, completed=done, total=total),
            **options,
        )
