"""Adopting a model of a run for a named use ("online scoring", "monthly batch"): the record of the decision people
took, written to the run folder (run.json, decision.md short enough to paste into minutes or a ticket) and rebuilt
into report.md; and the runs of a folder with what was adopted and how long the decision took."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from automl_tui_engine.errors import UserError, one_line
from automl_tui_engine.formatting import human_bytes, metric_text
from automl_tui_engine.messages import listing, suggest, t
from automl_tui_engine.outputs import decision_record, rundir

RECORDED = "recorded"  # Adopted.in_clearml when the server has the decision too


@dataclass(frozen=True)
class Adopted:
    record: dict[str, Any]  # as run.json keeps it
    in_clearml: str  # "" for a run not tracked on a server, RECORDED, else why ClearML could not be told


def adopt(run_dir: Path, model: str, use: str, note: str = "") -> Adopted:
    """Record that `model` (a finished candidate of the run) is adopted for `use`; a later adoption for the same use
    replaces the earlier one (and says so). Rewrites decision.md and report.md, and tells ClearML when the run is
    tracked there; the record on disk stands whatever the server says."""
    from automl_tui_engine.outputs import report

    summary = report.RunReport(Path(run_dir))
    finished = [str(row["model"]) for row in summary.rows]
    if model not in finished:
        raise UserError("adopt.unknown_model", model=model, hint=suggest(model, finished), known=listing(finished))
    use, note = " ".join(use.split()), " ".join(note.split())
    if not use:
        raise UserError("adopt.no_use")
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
    }
    info = {**summary.info, decision_record.ADOPTIONS: [*(a for a in earlier if a["use"] != use), record]}
    summary.folder.write_json(rundir.RUN_JSON, info)
    report.write(run_dir)
    decision = decision_md(report.RunReport(Path(run_dir)))
    rundir.write_atomic(Path(run_dir) / rundir.DECISION, decision)
    return Adopted(record, _tell_clearml(Path(run_dir), model, decision))


def _tell_clearml(run_dir: Path, model: str, decision: str) -> str:
    if not rundir.RunFolder(run_dir).shared_link():  # not tracked, or tracked offline: no server to tell
        return ""
    from automl_tui_engine.clearml.tracker import record_adoption

    try:
        record_adoption(run_dir, model, decision)
    except UserError as exc:
        return str(exc)
    except Exception as exc:  # the server or the network: the decision is on disk, the CLI says what failed
        return one_line(exc)
    return RECORDED


def decision_md(run: Any) -> str:
    """decision.md: the run, each adoption with the model's figures, and where to read more."""
    lines = [f"# {t('adopt.title', run_id=run.run_id, dataset_key=run.dataset_key)}", ""]
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
    if any(a["model"] != run.decision.recommended for a in decision_record.adoptions(run.info)):
        # adopting records a decision; it does not retrain: the folder's model is still the recommended one
        lines += ["", t("adopt.not_saved", recommended=run.decision.recommended)]
    lines += ["", t("adopt.more", report=rundir.REPORT)]  # beside it, in the same folder
    if run.shared_link:
        lines.append(t("report.shared_link", link=run.shared_link))
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class RunOverview:
    """One run of a folder as `automl-tui runs` and the wizard's past runs list it (`info`: its run.json)."""

    folder: Path
    info: dict[str, Any]

    @property
    def run_id(self) -> str:
        return str(self.info.get("run_id") or self.folder.name)

    @property
    def dataset_key(self) -> str:
        return str(self.info.get("dataset_key", "?"))

    @property
    def status(self) -> str:
        return str(self.info.get("status", "?"))

    @property
    def recommended(self) -> str:
        return str(self.info.get("recommended") or "—")

    @property
    def adopted(self) -> list[dict[str, Any]]:
        return decision_record.adoptions(self.info)

    def adopted_words(self) -> str:
        """'random_forest #2 (online scoring); linear (monthly batch)', or — when nothing was adopted."""
        return "; ".join(f"{a['model']} ({a['use']})" for a in self.adopted) or "—"

    @property
    def time_to_decision_s(self) -> float | None:
        """From the run's start to its first adoption: how long the team took to decide."""
        times = [a["after_s"] for a in self.adopted if a.get("after_s") is not None]
        return min(times) if times else None


def runs_overview(out: Path) -> list[RunOverview]:
    """Every run folder under `out`, newest first (run ids sort by start time), with what was adopted from it."""
    found = []
    for path in sorted((p for p in Path(out).glob("*") if (p / rundir.RUN_JSON).is_file()), reverse=True):
        try:
            found.append(RunOverview(path, rundir.RunFolder(path).read_json(rundir.RUN_JSON)))
        except UserError:
            continue  # a damaged run.json: that folder says nothing it can be listed by
    return found
