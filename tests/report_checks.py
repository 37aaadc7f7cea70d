"""What every report.md the test suite makes must get right: its sentences agree with the files beside it.

conftest.py runs `problems` on each report.md a test leaves (in its temporary folders, also those written by a
child process or a pipeline step) and fails the test on any problem.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

from automl_tui_engine.messages import t

SEARCH = re.compile(
    r"The search tried (\d+) candidates: (\d+) model kinds with their default settings, "
    r"then (\d+) tuned ones \((\d+) stopped early as clearly behind\)(, then an ensemble of the best)?\."
)
ONLY_MODEL = re.compile(r"`?(\S+?)`? is the only model that finished")
CITED_FILE = re.compile(r"\]\(((?:plots/)?[\w.-]+\.(?:png|html|md|csv|joblib))\)")
ENDED_AT = re.compile(r"(?:search ended|It stopped) at ([\d.]+) s of the ([\d.]+) s budget")
NEEDED = re.compile(r"needed about ([\d.]+) s and ([\d.]+) s could be given")


def _rows(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def problems(run_dir: Path) -> list[str]:
    report = (run_dir / "report.md").read_text(encoding="utf-8")
    try:
        results = _rows(run_dir / "results_summary.csv")
        info = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    except (ValueError, csv.Error):
        return []  # a run folder a test damaged on purpose: its report is that test's business
    if not isinstance(info, dict):
        return []
    found = []

    search = SEARCH.search(report)
    if search:
        tried = [r for r in results if r["status"] != "skipped"]
        counted = (
            len(tried),
            sum(r["stage"] == "default" for r in tried),
            sum(r["stage"] == "tuned" for r in tried),
            sum(r["status"] == "pruned" for r in tried),
        )
        said = tuple(int(n) for n in search.groups()[:4])
        if said != counted:
            found.append(
                f"search sentence says {said}, results_summary.csv has {counted} (tried, defaults, tuned, pruned)"
            )
        if bool(search.group(5)) != any(r["stage"] == "ensemble" for r in tried):
            found.append("search sentence and results_summary.csv disagree on the ensemble")

    finished = [r for r in results if r["status"] == "ok"]
    if ONLY_MODEL.search(report) and len(finished) != 1:
        found.append(f"says 'the only model that finished' but {len(finished)} finished")

    debug = report.split("\n## 7. ", 1)[-1]
    for line in debug.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| `") and (len(cells) < 2 or not cells[1] or cells[1] == t("missing.unknown")):
            found.append(f"Debug row without a recorded reason: {line}")

    details = report.split("## 5.", 1)[-1].split("## 6.", 1)[0]
    if "saved as model.joblib" in details and not (run_dir / "model.joblib").exists():
        found.append("details cite model.joblib, which is missing")
    for cited in CITED_FILE.findall(report):
        if not (run_dir / cited).exists():
            found.append(f"the report links {cited}, which is missing")

    elapsed = info.get("elapsed_s")
    for at, _budget in ENDED_AT.findall(report):
        if elapsed is not None and float(at) > elapsed + 0.05:
            found.append(f"says the search ended at {at} s, but the run took {elapsed} s")
    for needed, given in NEEDED.findall(report):
        if float(needed) <= float(given):
            found.append(f"says a candidate needed {needed} s and {given} s could be given: that is no reason to stop")
    return found


def check_new_reports(root: Path, seen: dict[Path, float]) -> list[str]:
    """Problems of every report.md under `root` that is new or changed since `seen` (updated here)."""
    found = []
    for path in root.rglob("report.md"):
        if not (path.parent / "run.json").exists():
            continue  # a copy of a report (a ClearML artifact), not a run folder's
        try:
            stamp = path.stat().st_mtime_ns
        except FileNotFoundError:
            continue
        if seen.get(path) == stamp:
            continue
        seen[path] = stamp
        found += [f"{path.parent}: {problem}" for problem in problems(path.parent)]
    return found
