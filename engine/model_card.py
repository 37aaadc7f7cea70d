"""model_card.md: a short card for whoever uses the model (what it is for, what it learned from, how good it
is, its limits), built from the same run folder view as the report."""

from __future__ import annotations

from typing import Any

from engine.messages import t


def render_card(run: Any) -> str:
    """The card for a `report.RunReport`."""
    from engine.report import metric_title

    p, d = run.profile, run.decision
    lines = [f"# {t('card.title', target=p.get('target', '?'), run_id=run.run_id)}"]
    if d is None:
        return "\n\n".join([*lines, t("report.no_decision")]) + "\n"
    test = run.info.get("test_metrics") or {}
    refit = run.info.get("refit", {})
    task = t(f"tui.task_{run.task}") if run.task in ("binary", "multiclass", "regression") else run.task
    lines += [
        f"## {t('card.h_use')}",
        t("card.use", model=d.recommended, target=p.get("target"), task=task, priority=run.priority),
        f"## {t('card.h_data')}",
        t(
            "card.data",
            rows=p.get("rows"),
            columns=p.get("columns"),
            name=p.get("source", {}).get("name"),
            dataset_key=run.dataset_key,
            train=refit.get("train_rows", "?"),
            test=refit.get("test_rows", "?"),
        ),
        f"## {t('card.h_performance')}",
        "\n".join(f"- {metric_title(m)}: {v:.4f}" for m, v in test.items()) or t("report.not_measured"),
        f"## {t('card.h_limits')}",
        "\n".join(
            f"- {line}"
            for line in [
                t("card.limit_shift"),
                t("card.limit_association"),
                *run.warnings(),
            ]
        ),
    ]
    return "\n\n".join(lines) + "\n"
