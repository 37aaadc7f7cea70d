"""Plain words for the terms the report and the wizard use: each term's one-line meaning (catalogue
`glossary.<key>`), found in a text by the term's own words. Metrics are named by the [metrics] catalogue and
model kinds by [models] (one owner for each name); the other terms' words are `glossary.<key>_term`."""

from __future__ import annotations

import re

from automl_tui_engine.messages import listing, t, t_or
from automl_tui_engine.naming import kind_of
from automl_tui_engine.tasks import Task

METRIC_TERMS = ("accuracy", "balanced_accuracy", "f1_macro", "roc_auc", "log_loss", "r2", "rmse", "mae")
OTHER_TERMS = (
    "cross_validation",
    "spread",
    "test_rows",
    "baseline",
    "threshold",
    "pareto",
    "topk",
    "point",
    "shap",
    "permutation",
    "ensemble",
)
TERMS = (*METRIC_TERMS, *OTHER_TERMS)


def term(key: str) -> str:
    return t(f"metrics.{key}") if key in METRIC_TERMS else t(f"glossary.{key}_term")


def line(key: str, markdown: bool = True) -> str:
    """'**balanced accuracy**: how often the model is right within each class, …' (a screen's: no markup)."""
    return t("glossary.line" if markdown else "glossary.line_plain", term=term(key), means=t(f"glossary.{key}"))


def found_in(text: str) -> list[str]:
    """The terms `text` uses, in the order they first appear. Longer terms are matched first and taken out, so
    "balanced accuracy" does not also count as "accuracy"."""
    lowered = text.lower()
    first: dict[str, int] = {}
    for key in sorted(TERMS, key=lambda k: -len(term(k))):
        # a term stands alone between non-letters; Japanese runs its words together, so only a Latin letter or
        # digit beside it makes it part of another word ("当て推量より" uses 当て推量)
        pattern = re.compile(rf"(?<![a-z0-9_]){re.escape(term(key).lower())}s?(?![a-z0-9_])")  # "points": "point"
        matches = list(pattern.finditer(lowered))
        if matches:
            first[key] = matches[0].start()
            lowered = pattern.sub(lambda m: " " * len(m.group()), lowered)
    return sorted(first, key=first.__getitem__)


def kind_words(model: str) -> str:
    """A model kind in plain words beside its technical name: 'gradient-boosted trees (LightGBM)'; a plugin's
    kind without catalogue words keeps its name."""
    kind = kind_of(model)
    return t_or(f"models.{kind}", kind)


def kinds_line(models: list[str], markdown: bool = True) -> str:
    """'Model kinds: hist_gb = gradient-boosted trees (scikit-learn), …' for the kinds among `models`."""
    quote = "`" if markdown else ""
    kinds = dict.fromkeys(kind_of(m) for m in models)
    return t("glossary.kinds", kinds=listing(f"{quote}{k}{quote} = {kind_words(k)}" for k in kinds))


def task_word(task: Task) -> str:
    """A task as people read it in the current language ("multiclass" in English, 多クラス分類 in Japanese)."""
    return t(f"words.task_{task}")


def priority_word(priority: str) -> str:
    """A priority as people read it in the current language ("balanced" in English: the value --priority takes)."""
    return t(f"words.priority_{priority}")


def kind_word(kind: str) -> str:
    """A column kind (table.data.COLUMN_KINDS) as people read it in the current language."""
    return t(f"words.kind_{kind}")


def treatment_word(treatment: str) -> str:
    """A column treatment (table.preprocess.TREATMENTS) as people read it in the current language."""
    return t(f"words.treatment_{treatment}")
