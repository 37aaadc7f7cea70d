"""report.md's "What drives the answers" part of the details: explanation.json (outputs/explain.py) in words and a
table, for the business reader."""

from __future__ import annotations

from typing import Any

from automl_tui_engine.formatting import md_safe, score_text, spread_text, table
from automl_tui_engine.messages import sentences, t
from automl_tui_engine.outputs import explain, rundir
from automl_tui_engine.tasks import Task


def drivers_section(report: Any) -> str:
    """What drives the recommended model's answers (explanation.json): the sentences, the SHAP and permutation
    importance of the top columns, and on how many rows they were measured."""
    explanation = report.folder.read_json(rundir.EXPLANATION)
    said = explanation.get("drivers")
    if not said:
        return ""
    # the sentences quote the table's columns already made safe (explain.drivers): they carry Markdown of ours
    lines = [f"### {t('report.h_drivers')}", sentences(*said, t("report.drivers_hedge"))]
    shap = explanation.get("mean_abs_shap") or {}
    permutation = explanation.get("permutation_importance") or {}
    columns = list(shap or permutation)[:10]
    regression = report.task is Task.REGRESSION
    if columns:
        cells = [
            [
                md_safe(c),
                # a regression's SHAP values are in the target's own terms; a classifier's are log-odds
                score_text(shap[c], bounded=False, unit=report.info.get("target_unit", "") if regression else "")
                if c in shap
                else "—",
                spread_text(permutation[c]["mean"], permutation[c]["std"], report.ranked_by)
                if c in permutation
                else "—",
            ]
            for c in columns
        ]
        lines.append(table([t("report.col_column"), t("report.col_shap"), t("report.col_permutation")], cells))
    rows = explanation.get("rows")
    if rows:  # a slow model is explained on fewer rows (explain.py): the reader sees how many
        key = "report.drivers_rows_for_time" if rows.get("fewer_for_time") else "report.drivers_rows"
        repeats = rows.get("permutation_repeats", explain.PERMUTATION_REPEATS)  # (runs made before it was kept)
        lines.append(t(key, shap=rows["shap"], permutation=rows["permutation"], repeats=repeats))
    return "\n\n".join(lines)
