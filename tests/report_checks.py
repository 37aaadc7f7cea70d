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
    r"Candidates compared: (\d+) \((\d+) model kinds in their quickest form, (\d+) grown, lighter or tuned"
    r"(, an ensemble of the best)?\)\.(?: Not compared: ([^.]*)\.)?"
)
NOT_COMPARED = re.compile(r"(\d+) (failed|skipped|stopped by|stopped early|cancelled)")
NOT_COMPARED_STATUS = {"failed": "failed", "skipped": "skipped", "stopped by": "stopped", "stopped early": "pruned"}
MODELS_COMPARED = re.compile(r"of the (\d+) models compared|is the only model (compared)")
TIME_LINE = re.compile(r"Where the time went \(([\d.]+) s up to the report, budget [\d.]+ s\): ([^\n]*)\.")
SAVED_SIZE = re.compile(r"size of the saved file: ([\d.]+ [KMG]?B)")
KINDS_COMPARED = re.compile(r"Only (\d+) of the (\d+) model kinds could be compared")
ONLY_MODEL = re.compile(r"`?(\S+?)`? is the only model compared")
CITED_FILE = re.compile(r"\]\(((?:plots/)?[\w.-]+\.(?:png|html|md|csv|joblib))\)")
ENDED_AT = re.compile(r"(?:search ended|It stopped) at ([\d.]+) s of the ([\d.]+) s budget")
NEEDED = re.compile(r"needed about ([\d.]+) s and ([\d.]+) s could be given")


def _rows(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with open(path, encoding="utf-8-sig", newline="") as handle:
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

    finished = [r for r in results if r["status"] == "ok"]
    search = SEARCH.search(report)
    if search:
        counted = tuple(sum(r["stage"] == stage for r in finished) for stage in ("default", "tuned"))
        said = tuple(int(n) for n in search.group(2, 3))
        if int(search.group(1)) != len(finished) or said != counted:
            found.append(f"search sentence says {search.group(0)!r}, results_summary.csv has {len(finished)} {counted}")
        if bool(search.group(4)) != any(r["stage"] == "ensemble" for r in finished):
            found.append("search sentence and results_summary.csv disagree on the ensemble")
        for count, status in NOT_COMPARED.findall(search.group(5) or ""):
            status = NOT_COMPARED_STATUS.get(status, status)
            if int(count) != sum(r["status"] == status for r in results):
                found.append(f"search sentence says {count} {status}, results_summary.csv disagrees")
    for n, only in MODELS_COMPARED.findall(report):
        if (1 if only else int(n)) != len(finished):
            found.append(f"says {n or 1} models compared, results_summary.csv has {len(finished)} finished")
    kinds = list(dict.fromkeys(r["model"].split(" #")[0] for r in results if r.get("stage") != "ensemble"))
    kinds_done = {r["model"].split(" #")[0] for r in finished}
    coverage = KINDS_COMPARED.search(report)
    if coverage and (int(coverage.group(1)), int(coverage.group(2))) != (len(kinds_done & set(kinds)), len(kinds)):
        found.append(f"says {coverage.group(0)!r}, results_summary.csv has {len(kinds_done)} of {len(kinds)}")
    if not coverage and kinds and kinds_done and len(kinds_done & set(kinds)) < len(kinds):
        found.append(
            f"only {len(kinds_done)} of {len(kinds)} model kinds were compared, and the report does not say so"
        )

    if ONLY_MODEL.search(report) and len(finished) != 1:
        found.append(f"says 'the only model compared' but {len(finished)} finished")

    debug = report.split("\n## 7. ", 1)[-1]
    for line in debug.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| `") and (len(cells) < 2 or not cells[1] or cells[1] == t("missing.unknown")):
            found.append(f"Debug row without a recorded reason: {line}")

    timed = TIME_LINE.search(report)
    if timed:  # the parts add up to the whole (each rounded to 0.1 s)
        parts = [float(n) for n in re.findall(r"([\d.]+) s", timed.group(2))]
        if abs(sum(parts) - float(timed.group(1))) > 0.05 * len(parts) + 0.1:
            found.append(f"the time line's parts add up to {sum(parts):.1f} s, not {timed.group(1)} s")

    saved = SAVED_SIZE.search(report)
    model = run_dir / "model.joblib"
    # (a model.joblib written after the report is a test's swapped file: the report is stale, not wrong)
    if saved and model.is_file() and model.stat().st_mtime_ns <= (run_dir / "report.md").stat().st_mtime_ns:
        from automl_tui_engine.formatting import human_bytes

        if saved.group(1) != human_bytes(model.stat().st_size):
            found.append(f"says the saved file is {saved.group(1)}, model.joblib is another size")

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
