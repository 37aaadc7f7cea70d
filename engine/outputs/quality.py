"""Is the recommended model any good, as the report and the wizard show it: the verdict against guessing
(verdict.py), the guess's row beside the models, and per class of the test rows how many the model finds."""

from __future__ import annotations

from typing import Any

from automl_tui_engine.formatting import md_safe, spread_text, table
from automl_tui_engine.messages import md_item, sentences, t


def verdict_lines(report: Any) -> list[str]:
    """The Decision Summary's first lines (Markdown list items); none for a run without a baseline."""
    if report.verdict is None:
        return []
    sentences = report.verdict.sentences(report.metric_titles)
    # the guess and the class it names come from the table: plain text in Markdown
    head, *test = [md_safe(sentence) for sentence in sentences]
    return [md_item(t("report.verdict"), head), *[f"  - {line}" for line in test]]


def guess_row(report: Any) -> list[str] | None:
    """The guess as a leaderboard row (#, name, score, latency, size), for the tables that rank the models."""
    baseline = report.info.get("baseline")
    name = report.metric.name if report.metric else None
    if not baseline or name not in baseline.get("cv_mean", {}):
        return None
    score = spread_text(baseline["cv_mean"][name], baseline["cv_std"].get(name), report.metric)
    return ["—", t("verdict.row"), score, "—", "—"]


def per_class_line(report: Any) -> str:
    """The per-class table in one line, for a screen: each class, how many of its test rows the model finds."""
    found = report.info.get("per_class")
    if not found:
        return ""
    shares = " · ".join(
        t(
            "report.per_class_item",
            cls=c["class"],
            found=c["found"],
            rows=c["rows"],
            share=f"{c['found'] / c['rows']:.0%}",
        )
        for c in found
        if c["rows"]
    )
    return t("report.per_class_line", shares=shares)


def per_class_table(report: Any) -> str:
    """Per class of the test rows: how many there are, how many the model finds, and that share."""
    found = report.info.get("per_class")
    if not found:
        return ""
    rows = [
        [md_safe(c["class"]), c["rows"], c["found"], f"{c['found'] / c['rows']:.0%}" if c["rows"] else "—"]
        for c in found
    ]
    headers = [t("report.col_class"), t("report.col_rows"), t("report.col_found"), t("report.col_found_share")]
    return t("report.per_class") + "\n\n" + table(headers, rows)


def rows_used(report: Any) -> str:
    """On a table large for the time budget: the sample the models were compared on and the rows the saved model
    was trained on, with the real figures; empty when both were every training row."""
    search, refit = report.info.get("search") or {}, report.info.get("refit") or {}
    total = search.get("train_rows")
    if not total:
        return ""
    said = []
    if search.get("rows", total) < total:
        said.append(t("report.rows_compared", rows=f"{search['rows']:,}", total=f"{total:,}"))
    if refit.get("how") == "sample" and refit.get("train_rows", total) < total:
        said.append(t("report.rows_trained", rows=f"{refit['train_rows']:,}", total=f"{total:,}"))
    if refit.get("how") == "fewer_parts":
        said.append(t("report.trees_trained", total=f"{total:,}", **trees_of(refit)))
    return sentences(*said)


def trees_of(refit: dict[str, Any]) -> dict[str, Any]:
    """A forest refit with fewer trees (run.json's refit.how "fewer_parts"): the trees it has and those it was
    compared with, as the messages name them."""
    return {"parts": refit.get("parts", "?"), "planned": refit.get("parts_planned", "?")}
