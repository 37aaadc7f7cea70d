"""What people asked the model after the run (a grid of conditions, a search for the best inputs), kept in the run
folder's whatif/ the moment it is answered: the table, its charts, and a JSON of the inputs that made it, listed in
report.md's details with the one line that these are the model's answers, not causes."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from automl_tui_engine.formatting import md_code, md_safe, spreadsheet_safe
from automl_tui_engine.messages import listing, sentences, t
from automl_tui_engine.naming import answer_header
from automl_tui_engine.outputs import rundir

LEANING = 3  # columns named as those the model leans on most
GRID, BEST = "grid", "best"  # what a record holds: a grid of conditions, the best inputs a search found
KINDS = (GRID, BEST)


def save(run_dir: Path, kind: str, table: Any, asked: dict[str, Any], figures: dict[str, Any]) -> Path:
    """whatif/NNN-<kind>.csv (the answers), .json (what was asked, when, which files), and a chart per figure
    (.html, .png); returns the CSV's path. NNN counts up past every file there (links too), so no record replaces
    another and none is written through a link planted under its name. The caller holds the folder's lock."""
    from automl_tui_engine.outputs.plots import PLOTLY_JS, export

    folder = rundir.RunFolder(Path(run_dir)).subfolder(rundir.WHATIF)
    number = 1 + max((int(p.name[:3]) for p in folder.glob("[0-9][0-9][0-9]-*")), default=0)
    stem = f"{number:03d}-{kind}"
    csv_path = folder / f"{stem}.csv"
    rundir.write_frame(spreadsheet_safe(table.rename(columns=answer_header)), csv_path)  # for people: their words
    named = {f"{stem}-{name}": fig for name, fig in figures.items()}
    # the run's charts brought plotly.js (4.8 MB) already: the pages use that copy rather than one of their own
    shared = Path(run_dir) / rundir.PLOTS / PLOTLY_JS
    not_made = export(named, folder, plotly_js=f"../{rundir.PLOTS}/{PLOTLY_JS}" if shared.is_file() else "directory")
    files = [csv_path.name] + [f"{name}.{ext}" for name in named for ext in ("html", "png")]
    record = {
        "kind": kind,
        "made": time.strftime("%Y-%m-%d %H:%M:%S"),
        "asked": asked,
        "files": [name for name in files if (folder / name).exists()],
        "not_made": {Path(name).name: reason for name, reason in not_made.items()},
    }
    rundir.write_atomic(folder / f"{stem}.json", json.dumps(record, ensure_ascii=False, indent=2, default=str))
    return csv_path


def records(run_dir: Path) -> list[dict[str, Any]]:
    """Every record of the run, oldest first, each with its `name` (NNN-kind)."""
    folder = Path(run_dir) / rundir.WHATIF
    found = []
    for path in sorted(folder.glob("[0-9][0-9][0-9]-*.json")):
        try:
            found.append({**json.loads(path.read_text(encoding="utf-8")), "name": path.stem})
        except (OSError, ValueError):
            continue  # a record being written, or damaged: the CSV beside it still holds the answers
    return found


def leaning(run_dir: Path) -> list[str]:
    """The columns the model leans on most (SHAP, else permutation importance, from explanation.json)."""
    explanation = rundir.RunFolder(Path(run_dir)).read_json(rundir.EXPLANATION)
    return list(explanation.get("mean_abs_shap") or explanation.get("permutation_importance") or {})[:LEANING]


def section(run_dir: Path) -> str:
    """report.md's part on what was asked of the model since the run; "" when nothing was."""
    found = records(run_dir)
    if not found:
        return ""
    lines = [f"### {t('report.h_whatif')}", t("whatif.honesty")]
    columns = leaning(run_dir)
    if columns:
        lines.append(t("whatif.leans_on", columns=listing(md_safe(c) for c in columns)))
    items = []
    for record in found:
        asked = record.get("asked", {})
        files = ", ".join(f"`{rundir.WHATIF}/{name}`" for name in record.get("files", []))
        kind = t(f"whatif.kind_{record['kind']}")
        # a chart that could not be made is said, with why (never silent)
        not_made = "".join(f"; `{name}`: {md_safe(why)}" for name, why in record.get("not_made", {}).items())
        summary = md_safe(asked.get("summary", ""))
        command = md_code(asked.get("said", ""))
        said = sentences(summary, t("whatif.asked_with", command=command))
        items.append(f"- {record['made']} · {kind}: {said} ({files}{not_made})")
    lines.append("\n".join(items))
    return "\n\n".join(lines)
