"""The report's Data section, from a run folder's data profile."""

from __future__ import annotations

from typing import Any

from automl_tui_engine import glossary
from automl_tui_engine.formatting import md_safe, score_text, table
from automl_tui_engine.messages import t
from automl_tui_engine.tasks import Task


def data_section(report: Any) -> str:
    """Section 4: the table as read, its target, the classes or the target's spread, each column and what was
    done with it, and the warnings about the data."""
    p = report.profile
    out = [f"## 4. {t('report.h_data')}"]
    if not p:
        out.append(t("report.no_profile"))
        return "\n\n".join(out)
    source = p.get("source", {})
    facts = [
        t("report.data_rows", rows=p["rows"], columns=p["columns"], name=md_safe(source.get("name", "?"))),
        t("report.data_read", encoding=source.get("encoding", "-"), delimiter=repr(source.get("delimiter", "-"))),
        t("report.data_target", target=md_safe(p["target"]), task=glossary.task_word(Task(p["task"]))),
    ]
    if p.get("target_reason"):
        facts.append(t("report.data_target_guessed", why=md_safe(p["target_reason"])))
    tested = (report.info.get("refit") or {}).get("test_rows")
    facts.append(split_sentence(p, f"{tested / p['rows']:.0%}" if tested and p.get("rows") else "?", tested))
    out.append("\n".join(f"- {f}" for f in facts))
    if "class_counts" in p:
        total = sum(p["class_counts"].values())
        out.append(
            table(
                [t("report.col_class"), t("report.col_rows"), t("report.col_share")],
                [[md_safe(k), v, f"{v / total:.1%}"] for k, v in p["class_counts"].items()],
            )
        )
    elif "target_stats" in p:
        unit = p.get("target_unit", "")
        stats = p["target_stats"].items()
        rows = [[k, f"{v:,.0f}" if k == "count" else score_text(v, bounded=False, unit=unit)] for k, v in stats]
        out.append(table([t("report.col_stat"), md_safe(p["target"])], rows))
    from automl_tui_engine.table.data import ColumnProfile
    from automl_tui_engine.table.preprocess import plan

    plans = {c.column: c for c in plan([ColumnProfile(**c) for c in p["profiles"]])}
    out.append(f"### {t('report.h_columns')}")
    out.append(
        table(
            [
                t("report.col_column"),
                t("report.col_kind"),
                t("report.col_missing"),
                t("report.col_unique"),
                t("report.col_treatment"),
                t("report.col_reason"),
            ],
            [
                [
                    md_safe(c["name"]),
                    glossary.kind_word(c["kind"]),
                    c["n_missing"],
                    c["n_unique"],
                    glossary.treatment_word(plans[c["name"]].treatment),
                    plans[c["name"]].reason,
                ]
                for c in p["profiles"]
            ],
        )
    )
    preview = p.get("preview") or {}
    if preview.get("rows"):
        out.append(f"### {t('report.h_preview', rows=len(preview['rows']))}")
        out.append(
            table([md_safe(name) for name in preview["columns"]], [list(map(md_safe, r)) for r in preview["rows"]])
        )
    if report.warnings():
        out.append(f"### {t('report.h_warnings')}")
        out.append("\n".join(f"- {w}" for w in report.warnings()))
    return "\n\n".join(out)


def split_sentence(profile: dict[str, Any], share: str, rows: int | None) -> str:
    """Which rows tested the model (`rows` of them, `share` of the table), and why those: the latest ones by a date
    column, or random ones (and then, when the table has dates, how to test on the latest instead)."""
    split = profile.get("split") or {"how": "random"}
    if split["how"] == "time":
        return t("report.split_time", **{**split, "column": md_safe(split["column"])})
    dates = [c["name"] for c in profile.get("profiles", []) if c.get("kind") == "datetime"]
    if dates:
        return t(
            "report.split_random_dates",
            share=share,
            rows=f"{rows:,}" if rows else "?",
            columns=", ".join(md_safe(d) for d in dates),
            first=md_safe(dates[0]),
        )
    return t("report.split_random", share=share, rows=f"{rows:,}" if rows else "?")
