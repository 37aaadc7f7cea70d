"""report.md's last section, Debug: Missing artifacts: every file a run should have left and did not (or that was
damaged since), and what ClearML did not get, each with why. Never silent: a run that lost something says so."""

from __future__ import annotations

from typing import Any

from automl_tui_engine import events as ev
from automl_tui_engine.formatting import md_safe, table
from automl_tui_engine.messages import t
from automl_tui_engine.outputs import rundir


def expected(report: Any) -> list[str]:
    """Every file a complete run with these settings leaves (rundir.ARTIFACTS; a cancelled run is measured against
    it too: what it did not make is listed, not left unsaid)."""
    decided = report.decision is not None
    wanted_charts = report.config.get("charts", "html+png")
    expected_when = {
        "always": True,
        "tested": decided and (report.folder / rundir.MODEL).exists(),
        "explained": decided and report.config.get("explain", True),
        "charts": decided and wanted_charts != "none",
    }
    drawn, names = report.info.get("charts"), []
    for artifact in rundir.ARTIFACTS:
        if not expected_when[artifact.expected]:
            continue
        charts = artifact.expected == "charts"
        names += _chart_files(artifact.name, drawn, wanted_charts) if charts else [artifact.name]
    return names


def _chart_files(folder: str, charts: list[str] | None, wanted: str) -> list[str]:
    """The chart files the run said it drew (the folder itself when it said none)."""
    if not charts:
        return [folder]
    pages = [f"{folder}/{chart}.html" for chart in charts]
    return pages + [f"{folder}/{chart}.png" for chart in charts] if wanted == "html+png" else pages


def missing_artifacts(report: Any) -> list[tuple[str, str]]:
    """(artifact, reason) for everything that should exist and does not: what was recorded, then what the
    run folder lacks."""
    known = report.info.get("missing", {})
    written = set(report.info.get("written", ()))
    found = [(name, reason) for name, reason in known.items() if not (report.folder / name).exists()]
    # what ClearML did not get: tracking that stopped (unless the run was recorded whole later), artifacts the
    # server refused
    tracked = report.folder.read_json(rundir.CLEARML)
    if not tracked.get(rundir.RECORDED_LATER):
        found += [(t("missing.clearml"), message) for message in report.warnings(topic=ev.TRACKING)]
    refused = tracked.get(rundir.NOT_RECORDED) or {}
    found += [(f"{t('missing.clearml')} · {name}", md_safe(reason)) for name, reason in refused.items()]
    for name in expected(report):
        if name in known and not (report.folder / name).exists():
            continue
        if (report.folder / name).exists():
            damage = damaged(report, name)
            if damage:
                found.append((name, damage))
            continue
        if name == rundir.LEADERBOARD and report.rows:
            reason = t("missing.leaderboard_fallback", file=rundir.RESULTS)
        elif name in written:
            reason = t("missing.removed")
        elif report.status == "running":
            reason = t("missing.interrupted")
        elif report.status == "cancelled":
            reason = t("missing.cancelled")
        else:
            reason = t("missing.unknown")
        found.append((name, reason))
    return found


def damaged(report: Any, name: str) -> str | None:
    """Why a file the run wrote cannot be what it should be (a full disk cut it short, someone changed it), or
    None: a name on disk is not yet an artifact."""
    path = report.folder / name
    if path.is_file() and path.stat().st_size == 0:
        return t("missing.empty")
    if path.is_dir() and not any(path.glob("*.html")):
        return t("missing.empty_folder")
    recorded = report.info.get("model_sha256")
    if name == rundir.MODEL and recorded and rundir.sha256_of(path) != recorded:
        return t("missing.model_changed")
    return None


def missing_section(report: Any) -> str:
    rows = [[f"`{name}`", reason] for name, reason in missing_artifacts(report)]
    table_text = table([t("report.col_artifact"), t("report.col_reason")], rows) if rows else t("missing.none")
    return "\n\n".join([f"## 7. {t('report.h_missing')}", table_text])
