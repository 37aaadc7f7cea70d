"""model_card.md: a short card for whoever uses the model (what it is for, what it learned from, how good it
is, its limits), built from the same run folder view as the report."""

from __future__ import annotations

from typing import Any

from automl_tui_engine import glossary
from automl_tui_engine.formatting import md_safe, metric_text
from automl_tui_engine.messages import listing, sentences, t
from automl_tui_engine.outputs.quality import trees_of


def render_card(run: Any) -> str:
    """The card for a `report.RunReport`."""
    from automl_tui_engine.outputs import quality

    p, d = run.profile, run.decision
    lines = [f"# {t('card.title', target=md_safe(p.get('target', '?')), run_id=md_safe(run.run_id))}"]
    if d is None:
        return "\n\n".join([*lines, t("report.no_decision")]) + "\n"
    test = run.info.get("test_metrics") or {}
    refit = run.info.get("refit", {})
    test_rows = refit.get("test_rows", "?")
    test_scores = listing(f"{run.metric_facts(m).title} {metric_text(v, run.metric_facts(m))}" for m, v in test.items())
    lines += [
        f"## {t('card.h_use')}",
        t(
            "card.use",
            model=d.recommended,
            target=md_safe(p.get("target")),
            task=glossary.task_word(run.task),
            priority=glossary.priority_word(run.priority),
        ),
        f"## {t('card.h_data')}",
        t(
            "card.data",
            rows=p.get("rows"),
            columns=p.get("columns"),
            name=md_safe(p.get("source", {}).get("name")),
            dataset_key=md_safe(run.dataset_key),
            train=refit.get("train_rows", "?"),
            test=refit.get("test_rows", "?"),
        ),
        f"## {t('card.h_training')}",
        "\n".join(f"- {fact}" for fact in training_facts(run)) or t("report.not_measured"),
        f"## {t('card.h_performance')}",
        "\n".join(
            [
                *quality.verdict_lines(run),  # in cross-validation, as its sentence says
                *([f"- {t('card.performance_test', rows=test_rows, scores=test_scores)}"] if test else []),
            ]
        )
        or t("report.not_measured"),
        f"## {t('card.h_limits')}",
        "\n".join(
            f"- {line}"
            for line in [
                t("card.limit_shift"),
                t("card.limit_association"),
                *run.warnings(topic="data"),  # limits of the data; how the run went is the report's
            ]
        ),
    ]
    return "\n\n".join(lines) + "\n"


def training_facts(run: Any) -> list[str]:
    """How the saved model was trained (rows, threshold, ensemble members, how the search went), for the report's
    model details and the card, from a `report.RunReport`."""
    refit, facts = run.info.get("refit") or {}, []
    if refit.get("how"):
        facts.append(t(f"report.refit_{refit['how']}", rows=refit.get("train_rows", "?"), **trees_of(refit)))
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
        listed = listing(f"`{name}` × {weight}" for name, weight in members.items())
        facts.append(t("report.ensemble_members", members=listed))
    if run.info.get("gap_resamples"):  # fewer when the decision's share of the budget ran out (baseline.DECISION_SHARE)
        facts.append(t("report.gap_resamples", n=run.info["gap_resamples"]))
    used = run.info.get("threads")
    if used:
        facts.append(t("report.threads", used=used["used"], cores=used["cores"]))
    searched = run.info.get("search")
    sentence = searched and search_sentence(run.attempted, searched, run.config)
    if sentence:
        facts.append(sentence)
    return facts


def search_sentence(attempted: list[dict[str, Any]], searched: dict[str, Any], config: dict[str, Any]) -> str:
    """How the search went, counted from results_summary.csv (every candidate's row) and ended as run.json says;
    empty for a run folder older than the rows' `stage`."""
    from automl_tui_engine.core.budget import MIN_START_S
    from automl_tui_engine.outputs.search_counts import SearchCounts

    if not attempted or "stage" not in attempted[0]:
        return ""
    stop = searched["stop"]
    figures = {
        "at": searched.get("stop_at_s"),
        "left": max(searched.get("stop_left_s") or 0.0, 0.0),
        "needed": searched.get("stop_needed_s"),
        "budget": config.get("time_budget_s", 0),
        "minimum": MIN_START_S,
        "patience": config.get("patience", "?"),
        "max_trials": config.get("max_trials", "?"),
    }
    if stop != "budget":
        ended = t(f"report.stop_{stop}", **figures)
    elif figures["at"] is None:  # a run folder older than these figures
        ended = ""
    else:
        ended = t("report.stop_budget" if figures["needed"] is None else "report.stop_budget_needed", **figures)
    said = sentences(SearchCounts.of(attempted).search_sentence(), ended)
    confirmed = searched.get("confirmed") or 0
    if not confirmed:
        return said
    return sentences(said, t("report.search_confirmed", n=confirmed, top=config.get("confirm_top", "?")))
