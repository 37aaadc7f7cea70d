"""The input check of a predictions file in words (table/input_check.py): a few lines for the terminal, and
NEW_predictions_check.md beside NEW_predictions.csv, with a chart of how far each column moved, for a reader who
must decide whether the answers can be used."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from automl_tui_engine.formatting import md_code, md_safe, score_text, table
from automl_tui_engine.messages import listing, t
from automl_tui_engine.naming import OUTSIDE_TRAINING
from automl_tui_engine.outputs import rundir
from automl_tui_engine.table.input_check import ColumnCheck, InputCheck

if TYPE_CHECKING:
    import plotly.graph_objects as go

SHARE_WORTH_SAYING = 0.05  # a category's or missing values' share that changed by less is not written about


def path_beside(predictions: Path) -> Path:
    """NEW_predictions_check.md for NEW_predictions.csv."""
    return predictions.with_name(f"{predictions.stem}_check.md")


def headline(check: InputCheck) -> str:
    """One line: which columns moved, or that none did."""
    moved = check.moved
    if not moved:
        return t("check.none_moved", columns=len(check.columns))
    names = listing(c.name for c in moved)
    return t("check.moved", moved=len(moved), columns=len(check.columns), names=names)


def rows_line(check: InputCheck) -> str:
    """One line: how many rows have an input outside what training saw."""
    if not check.rows_outside:
        return t("check.no_row_outside")
    return t(
        "check.rows_outside",
        share=_percent(check.rows_outside / max(check.rows, 1)),
        rows=f"{check.rows_outside:,}",
        total=f"{check.rows:,}",
    )


def changes(column: ColumnCheck) -> list[str]:
    """What changed in one column, in plain words, largest first."""
    said = []
    share = _percent
    if column.below:
        said.append(t("check.below", share=share(column.below / column.rows), low=_number(column.low)))
    if column.above:
        said.append(t("check.above", share=share(column.above / column.rows), high=_number(column.high)))
    if column.mean_before is not None and column.mean_now is not None and column.moved:
        said.append(t("check.average", before=_number(column.mean_before), now=_number(column.mean_now)))
    if column.new_values:
        named = listing(
            t("check.value_rows", value=value, rows=f"{rows:,}") for value, rows in column.new_values.items()
        )
        said.append(t("check.new_values", values=named))
    moved_most = sorted(column.shares.items(), key=lambda item: -abs(item[1][1] - item[1][0]))[:2]
    for value, (before, now) in moved_most:
        if abs(now - before) >= SHARE_WORTH_SAYING:
            said.append(t("check.share", value=value, before=share(before), now=share(now)))
    if abs(column.missing_now - column.missing_before) >= SHARE_WORTH_SAYING:
        said.append(t("check.missing", before=share(column.missing_before), now=share(column.missing_now)))
    return said


def terminal_lines(check: InputCheck, written: Path | None) -> list[str]:
    lines = [headline(check), rows_line(check)]
    lines += [
        t("check.column_line", column=c.name, changes=_joined(changes(c)) or t("check.no_words")) for c in check.moved
    ]
    if written is not None:
        lines.append(t("check.see", path=written))
    return lines


def markdown(check: InputCheck, predictions: Path, run_id: str, chart: str | None) -> str:
    rows = [
        [
            md_safe(c.name),
            md_safe(_joined(changes(c))) or "—",
            f"{c.psi:.2f}",
            t("check.yes") if c.moved else t("check.no"),
        ]
        for c in sorted(check.columns, key=lambda c: -c.psi)
    ]
    parts = [
        f"# {t('check.title', file=md_safe(predictions.name))}",
        t("check.about", run_id=md_code(run_id), rows=f"{check.rows:,}", column=md_code(OUTSIDE_TRAINING)),
        f"- **{headline(check)}**\n- {rows_line(check)}",
        table([t("check.col_column"), t("check.col_changed"), t("check.col_psi"), t("check.col_moved")], rows),
        f"![{t('check.chart_title')}]({chart})" if chart else "",
        f"### {t('check.h_how')}",
        t("check.how", psi=f"{check.psi_moved:g}", alpha=f"{check.alpha:g}", columns=len(check.columns)),
    ]
    return "\n\n".join(part for part in parts if part) + "\n"


def chart(check: InputCheck) -> go.Figure:
    """How far each column moved (PSI), the line past which a shift counts as large, moved columns marked."""
    import plotly.graph_objects as go
    from automl_tui_engine.outputs.chart_style import ALERT_COLOR, OTHER_COLOR, layout

    ordered = sorted(check.columns, key=lambda c: c.psi)
    fig = go.Figure(
        go.Bar(
            x=[c.psi for c in ordered],
            y=[c.name for c in ordered],
            orientation="h",
            marker_color=[ALERT_COLOR if c.moved else OTHER_COLOR for c in ordered],
        )
    )
    line = {"line_dash": "dash", "line_color": OTHER_COLOR, "annotation_position": "bottom right"}
    fig.add_vline(x=check.psi_moved, annotation_text=t("check.chart_line"), **line)
    return layout(fig, t("check.chart_title"), t("check.col_psi"), "")


def write(check: InputCheck, predictions: Path, run_id: str) -> tuple[Path, dict[str, str]]:
    """NEW_predictions_check.md (and its chart's PNG) beside `predictions`; with the PNGs not drawn and why."""
    from automl_tui_engine.outputs import plots

    md = path_beside(predictions)
    name = md.stem
    # drawn when a column moved (which, and how far, is then worth a picture): a browser's start costs about 2 s,
    # and most predictions files are like training's
    png = None
    not_drawn: dict[str, str] = {}
    if check.moved:
        # the PNG alone beside the user's files: no page, and no copy of plotly.js among them
        not_drawn = plots.export({name: chart(check)}, md.parent, html=False)
        png = f"{name}.png" if (md.parent / f"{name}.png").exists() else None
    rundir.write_atomic(md, markdown(check, predictions, run_id, png))
    return md, not_drawn


def summary(check: InputCheck) -> dict[str, Any]:
    """What predictions.jsonl keeps of a check: when inputs moved, the run's record says so (runs, ClearML)."""
    return {
        "columns": len(check.columns),
        "moved": [c.name for c in check.moved],
        "rows_outside": check.rows_outside,
        "psi": {c.name: round(c.psi, 4) for c in check.columns},
    }


def _joined(changes: list[str]) -> str:
    """A column's changes one after another (each may hold a list of its own: not joined as a list)."""
    return t("check.separator").join(changes)


def _percent(share: float) -> str:
    return f"{share:.0%}" if share >= 0.01 or share == 0 else "<1%"


def _number(value: float | None) -> str:
    return "—" if value is None else score_text(value, bounded=False)
