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
        f"## {t('card.h_training')}",
        "\n".join(f"- {fact}" for fact in training_facts(run)) or t("report.not_measured"),
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


def training_facts(run: Any) -> list[str]:
    """How the saved model was trained (rows, threshold, ensemble members, how the search went), for the report's
    model details and the card, from a `report.RunReport`."""
    refit, facts = run.info.get("refit") or {}, []
    if refit.get("how"):
        facts.append(t(f"report.refit_{refit['how']}", rows=refit.get("train_rows", "?")))
    if refit.get("threshold"):
        tuned = refit["threshold"]
        facts.append(
            t(
                "report.threshold",
                value=tuned["value"],
                metric=run.metric.title,
                before=tuned["score_default"],
                after=tuned["score_tuned"],
            )
        )
    members = (refit.get("candidate") or {}).get("members")
    if members:
        listed = ", ".join(f"`{name}` × {weight}" for name, weight in members.items())
        facts.append(t("report.ensemble_members", members=listed))
    searched = run.info.get("search")
    if searched:
        ensemble = 1 if searched.get("ensemble") else 0
        tried = sum(1 for r in run.attempted if r.get("status") != "skipped")
        facts.append(
            t(
                "report.search",
                tried=tried,
                defaults=tried - searched["tuned"] - ensemble,
                tuned=searched["tuned"],
                pruned=searched["pruned"],
                ensemble=t("report.search_ensemble") if ensemble else "",
                stop=t(
                    f"report.stop_{searched['stop']}",
                    patience=run.config.get("patience", "?"),
                    max_trials=run.config.get("max_trials", "?"),
                ),
            )
        )
    return facts
