"""Adopting a model of a run for a named use ("online scoring", "monthly batch"): the record of the decision people
took, written to the run folder (run.json, decision.md short enough to paste into minutes or a ticket) and rebuilt
into report.md, and told to ClearML for a tracked run."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from automl_tui_engine.adopted_models import FILE, TEST_METRICS, TRAIN_ROWS
from automl_tui_engine.errors import UserError, one_line
from automl_tui_engine.formatting import human_bytes, metric_text
from automl_tui_engine.messages import listing, suggest, t
from automl_tui_engine.outputs import decision_record, run_record, rundir

RECORDED = "recorded"  # Adopted.in_clearml when the server has the decision too


@dataclass(frozen=True)
class Adopted:
    record: dict[str, Any]  # as run.json keeps it
    in_clearml: str  # "" for a run not tracked on a server, RECORDED, else why ClearML could not be told


def adopt(run_dir: Path, model: str, use: str, note: str = "", trained: dict[str, Any] | None = None) -> Adopted:
    """Record that `model` (a finished candidate of the run) is adopted for `use`, with what `adopt --refit` saved of
    it (`trained`: refit_adopted.refit); a later adoption for the same use replaces the earlier one (and says so).
    Rewrites decision.md and report.md, and tells ClearML when the run is tracked there; the record on disk stands
    whatever the server says. Adoptions at once take turns (the folder's lock), so none is lost."""
    with rundir.RunFolder(Path(run_dir)).changing():
        record, decision = _record(Path(run_dir), model, use, note, trained or {})
    return Adopted(record, _tell_clearml(Path(run_dir), decision))


def adoptable(summary: Any, model: str, use: str) -> None:
    """Raises, in words, when `model` cannot be adopted from the run (`summary`: report.RunReport) for `use`."""
    finished = [str(row["model"]) for row in summary.rows]
    if model not in finished:
        from automl_tui_engine.events import status_word

        tried = next((row for row in summary.attempted if row.get("model") == model), None)
        if tried is not None:  # pruned, stopped or failed: it has no model to adopt
            status = status_word(str(tried.get("status")))
            raise UserError("adopt.not_finished", model=model, status=status, recommended=summary.decision.recommended)
        raise UserError("adopt.unknown_model", model=model, hint=suggest(model, finished), known=listing(finished))
    if not use.strip():
        raise UserError("adopt.no_use")


def _record(run_dir: Path, model: str, use: str, note: str, trained: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The adoption written to run.json, and decision.md and report.md rewritten; returns it and decision.md."""
    from automl_tui_engine.outputs import report

    summary = report.RunReport.load(run_dir)
    adoptable(summary, model, use)
    use, note = " ".join(use.split()), " ".join(note.split())
    started = next((e.get("at") for e in summary.events if e.get("kind") == "run_started"), None)
    now = time.time()
    who = rundir.here()
    earlier = decision_record.adoptions(summary.info)
    replaced = next((a["model"] for a in earlier if a["use"] == use and a["model"] != model), None)
    record = {
        "model": model,
        "use": use,
        "note": note,
        "at": round(now, 3),
        "by": f"{who['user']}@{who['host']}",
        "after_s": round(now - started, 1) if started else None,
        "replaces": replaced,
        **trained,
    }
    run_record.amend(run_dir, **{decision_record.ADOPTIONS: [*(a for a in earlier if a["use"] != use), record]})
    report.write(run_dir)
    decision = decision_md(report.RunReport.load(run_dir))
    rundir.write_atomic(run_dir / rundir.DECISION, decision)
    return record, decision


def _trained_words(adoption: dict[str, Any], run: Any) -> str:
    """What `adopt --refit` made of the model: where it is saved, on how many rows, its score on the test rows."""
    tested = adoption.get(TEST_METRICS) or {}
    score = metric_text(tested[run.metric.name], run.metric) if run.metric and run.metric.name in tested else "?"
    metric = run.metric.title if run.metric else "?"
    saved = run.folder / adoption[FILE]
    size = human_bytes(saved.stat().st_size) if saved.is_file() else "?"
    facts = {"file": adoption[FILE], "size": size, "rows": adoption.get(TRAIN_ROWS, "?"), "metric": metric}
    return t("adopt.trained", **facts, score=score)


def _tell_clearml(run_dir: Path, decision: str) -> str:
    if not rundir.RunFolder(run_dir).shared_link():  # not tracked, or tracked offline: no server to tell
        return ""
    from automl_tui_engine.clearml_tracking.tracker import record_adoption

    try:
        record_adoption(run_dir, decision)
    except UserError as exc:
        return str(exc)
    except Exception as exc:  # the server or the network: the decision is on disk, the CLI says what failed
        return one_line(exc)
    return RECORDED


def decision_md(run: Any) -> str:
    """decision.md: the run, each adoption with the model's figures, and where to read more."""
    from automl_tui_engine.formatting import md_safe
    from automl_tui_engine.glossary import task_word
    from automl_tui_engine.tasks import Task

    lines = [f"# {t('adopt.title', run_id=md_safe(run.run_id), dataset_key=md_safe(run.dataset_key))}", ""]
    info = run.info
    if info.get("target"):  # what the model answers, for a reader who has not seen the report
        table = md_safe(Path(str((info.get("config") or {}).get("data") or "?")).name)
        target = md_safe(info["target"])
        lines += [t("adopt.predicts", target=target, task=task_word(Task(info["task"])), table=table), ""]
    for adoption in decision_record.adoptions(run.info):
        lines.append(f"- {decision_record.line(adoption)}")
        row = run.by_model.get(adoption["model"])
        if row is not None and run.metric is not None:
            m = run.metric
            lines.append(
                "  "
                + t(
                    "adopt.figures",
                    metric=m.title,
                    score=metric_text(row[f"{m.name}_mean"], m),
                    latency=f"{row['predict_ms_per_1k']:.2f}",
                    size=human_bytes(row["size_bytes"]),
                )
            )
        if adoption.get(FILE):
            lines.append("  " + _trained_words(adoption, run))
    untrained = [a for a in decision_record.adoptions(run.info) if a["model"] != run.decision.recommended]
    if any(not a.get(FILE) for a in untrained):
        # adopting records a decision; only --refit trains the model: predict answers with the recommended one
        lines += ["", t("adopt.not_saved", recommended=run.decision.recommended)]
    lines += ["", t("adopt.more", report=rundir.REPORT)]  # beside it, in the same folder
    if run.shared_link:
        lines.append(t("report.shared_link", link=run.shared_link))
    return "\n".join(lines) + "\n"
