"""What the ClearML tasks of a run carry, made alike by a tracked run (tracker.py) and a pipeline's steps
(pipeline_agent.py): the candidates' tasks, the preprocessing task's charts of the table, the reporting task's items,
the link to the recommended model's task; and what the server refused, kept for the report's Debug."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from automl_tui_engine.clearml_tracking import sdk
from automl_tui_engine.messages import t
from automl_tui_engine.outputs import rundir

if TYPE_CHECKING:  # the SDK loads with tracking, not with the module
    import pandas as pd
    from automl_tui_engine.decision import Decision
    from automl_tui_engine.outputs.report import RunReport
    from clearml import Task

REPORT_TITLE, REPORT_SERIES = "00_report", "report_md"
DEBUG_TITLE, MISSING_SERIES = "99_debug", "missing_artifacts"
PREVIEW_TITLE, PREVIEW_SERIES = "01_data", "preview"
DATA_TITLE = "data"  # the preprocessing task's charts of the table


def recommended_model_task(
    summary: RunReport,
    project: str,
    row: dict[str, Any],
    parent: str | None,
    not_recorded: dict[str, str] | None = None,
) -> Task:
    """The recommended model's own task (`row`: its leaderboard row as the search wrote it), made while the run's
    reporting task is still open (so that the report can link it): named and tagged by the naming rules, a child of
    `parent` (the training task or step that made it), with its numbers, charts and model card."""
    from automl_tui_engine.naming import model_tag, tags, task_name
    from clearml import Task

    assert summary.decision is not None  # a run with a recommended model has a decision
    model = summary.decision.recommended
    with sdk.quiet():
        task = Task.create(
            project_name=project,
            task_name=task_name(model, summary.run_id, summary.dataset_key),
            task_type="training",
            add_task_init_call=False,
            detect_repository=False,
        )
    task.set_tags([*tags(summary.run_id, summary.dataset_key, "training"), model_tag(model), "recommended"])
    if parent:
        task.set_parent(parent)
    describe_candidate(task, row, summary.folder.path, not_recorded)
    task.flush(wait_for_uploads=True)
    task.mark_completed(force=True)
    return task


def record_recommended_task(run_dir: Path, reporting: Task | None, task: Task) -> None:
    """The recommended model's own task (the golden path's second stop), linked from the run: its id and web page
    in clearml.json (report.md shows them) and as a user property of the reporting task (a column in the web UI)."""
    link = "" if sdk.offline() else sdk.web_link(task)
    record = {rundir.RECOMMENDED_TASK: task.id, rundir.RECOMMENDED_LINK: link}
    rundir.RunFolder(run_dir).update_json(rundir.CLEARML, record)
    if reporting is not None:
        reporting.set_user_properties(**{rundir.RECOMMENDED_TASK: link or task.id})


def upload(task: Task, name: str, artifact: str | pd.DataFrame, not_recorded: dict[str, str] | None) -> None:
    """One artifact on the task. With `not_recorded` (a tracked run), a refused upload is noted there (the report's
    Debug lists it) and tracking goes on; without, it raises (a pipeline step whose result it is)."""
    try:
        task.upload_artifact(name, artifact_object=artifact, wait_on_upload=True)
    except Exception as exc:
        if not_recorded is None:
            raise
        from automl_tui_engine.errors import one_line

        not_recorded[name] = sdk.refusal(one_line(exc))


def note_not_recorded(run_dir: Path, not_recorded: dict[str, str]) -> None:
    """What the server refused, in clearml.json: the report's Debug lists it (never silent)."""
    rundir.RunFolder(run_dir).update_json(rundir.CLEARML, {rundir.NOT_RECORDED: not_recorded})


def describe_candidate(
    task: Task, row: dict[str, Any], details_from: Path | None, not_recorded: dict[str, str] | None = None
) -> None:
    """A candidate's task: what it is (family, the parameters that differ from its defaults), its leaderboard
    numbers, and for the recommended model (`details_from` its run folder) its charts and model card: the details
    live with the model."""
    described = json.loads(row["params"]) if row.get("params") else {}
    if described:  # {"family": kind, "params": what differs from its defaults} (an ensemble: its members)
        task.connect(_flat({k: v for k, v in described.items() if k != "params"}), name="model")
        if described.get("params"):
            task.connect(_flat(described["params"]), name="params")
    logger = task.get_logger()
    for key, value in row.items():
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            logger.report_single_value(key, float(value))
    if details_from is not None:
        for chart in sorted((details_from / rundir.PLOTS).glob("*.html")):
            logger.report_media("charts", chart.stem, local_path=str(chart), iteration=0)
        card = details_from / rundir.MODEL_CARD
        if card.exists():
            upload(task, "model_card", str(card), not_recorded)


def publish_data_charts(task: Task, profile: dict[str, Any]) -> None:
    """The preprocessing task's view of the table (`profile`: data_profile.json's): missing values per column, the
    column types, and the target's classes (or its statistics, for a number)."""
    from collections import Counter

    logger = task.get_logger()
    columns = profile.get("profiles") or []
    if columns:
        logger.report_histogram(
            DATA_TITLE,
            "missing values per column",
            values=[column["n_missing"] for column in columns],
            iteration=0,
            xlabels=[column["name"] for column in columns],
            xaxis="column",
            yaxis="missing values",
        )
        kinds = Counter(column["kind"] for column in columns)
        logger.report_histogram(
            DATA_TITLE, "column types", values=list(kinds.values()), iteration=0, xlabels=list(kinds), yaxis="columns"
        )
    target = str(profile.get("target", ""))
    if profile.get("class_counts"):
        counts = profile["class_counts"]
        logger.report_histogram(
            DATA_TITLE, f"target: {target}", values=list(counts.values()), iteration=0, xlabels=list(counts)
        )
    elif profile.get("target_stats"):
        import pandas as pd

        stats = pd.DataFrame(
            {"statistic": list(profile["target_stats"]), target: list(profile["target_stats"].values())}
        )
        logger.report_table(DATA_TITLE, f"target: {target}", iteration=0, table_plot=stats)


def publish_reporting(
    task: Task, summary: RunReport, test_metrics: dict[str, float], not_recorded: dict[str, str] | None = None
) -> None:
    """The reporting task, the one place to read: report.md's text and file, the leaderboard as a table and an
    artifact, the missing artifacts with their reasons, the charts, and the test scores beside guessing's
    (`not_recorded`: as `upload`)."""
    import io
    import warnings

    import pandas as pd

    run_dir = summary.folder.path
    logger = task.get_logger()
    report = run_dir / rundir.REPORT
    if report.exists():
        text = io.StringIO(report.read_text(encoding="utf-8"))
        logger.report_media(REPORT_TITLE, REPORT_SERIES, iteration=0, stream=text, file_extension=".md")
        upload(task, "report", str(report), not_recorded)
    missing = summary.missing_artifacts()
    if not report.exists():
        missing.append((rundir.REPORT, t("missing.interrupted")))
    # the SDK's table code calls a pandas API that pandas 3 deprecates: a warning on every run's stderr, not ours
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        if summary.rows:
            frame = pd.DataFrame(summary.rows)
            logger.report_table("leaderboard", "leaderboard", iteration=0, table_plot=frame)
            upload(task, "leaderboard", frame, not_recorded)
        frame = pd.DataFrame(missing, columns=["artifact", "reason"])
        logger.report_table(DEBUG_TITLE, MISSING_SERIES, iteration=0, table_plot=frame)
        preview = summary.profile.get("preview") or {}
        if preview.get("rows"):  # the table's first rows, masked as in report.md
            frame = pd.DataFrame(preview["rows"], columns=preview["columns"])
            logger.report_table(PREVIEW_TITLE, PREVIEW_SERIES, iteration=0, table_plot=frame)
    for chart in sorted((run_dir / rundir.PLOTS).glob("*.html")):
        logger.report_media("charts", chart.stem, local_path=str(chart), iteration=0)
    for name, value in test_metrics.items():
        logger.report_single_value(f"test {name}", float(value))
    guessed = summary.info.get("baseline") or {}
    for name, value in guessed.get("test", {}).items():  # beside the model's: is it better than guessing
        logger.report_single_value(f"guessing test {name}", float(value))
    from automl_tui_engine.clearml_tracking import run_properties

    run_properties.record(task, summary.info, run_dir)


def considered(decision: Decision | None) -> set[str]:
    """The candidates the decision weighed: the TopK by each axis, the Pareto front and the pick. Only these get a
    task of their own (about a second each on a server); every candidate is a row of the leaderboard table."""
    if decision is None:
        return set()
    return {*decision.top_accuracy, *decision.top_speed, *decision.top_size, *decision.pareto, decision.recommended}


def _flat(params: dict[str, Any]) -> dict[str, Any]:
    """Parameters as ClearML shows them: plain values, nested ones as text."""
    return {key: value if isinstance(value, (int, float, str, bool)) else repr(value) for key, value in params.items()}
