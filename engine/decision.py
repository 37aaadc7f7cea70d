"""From leaderboard rows to a recommendation a non-expert can defend.

The rule, per priority (tolerance from `decision.tolerance`, default 1 point):
- accuracy: the best cross-validated score (equal scores go to the smaller model, then to the one found first; the
  same forest with more trees is taken when it is within the tolerance too);
- speed:    among models within the tolerance of the best score, the fastest to predict;
- size:     among models within the tolerance of the best score, the smallest on disk;
- balanced: among models within the tolerance of the best score, the lowest predict time × size.
"Within the tolerance" is absolute for scores between 0 and 1 and relative for errors (RMSE, log loss).

Ties within noise: predict times within LATENCY_TIE of each other are the same (the same fitted model, timed again,
moves that much: bench/latency_noise.py), so speed and balanced keep, of the models as fast as the leader on their
measure, the smallest, then the more accurate; sizes within SIZE_TIE are the same size; equal scores go to the
smaller model. The same run then gives the same pick whatever the machine was doing while it timed the models.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from automl_tui_engine.extension.registry import models
from automl_tui_engine.extension.registry.metrics import RankingMetric
from automl_tui_engine.formatting import human_bytes, metric_text
from automl_tui_engine.messages import Said, said_text, sentences

# the axes a recommendation weighs, each with its TopK list
AXES = ("accuracy", "speed", "size")
LATENCY = "predict_ms_per_1k"
SIZE = "size_bytes"
# predict times within this factor of each other are tied: one fitted model timed 15 times moved by up to 2.6×
LATENCY_TIE = 3.0
# sizes within 5% of each other are the same size: a few bytes of a pickled setting are no reason to choose
SIZE_TIE = 1.05


VERSION = 1  # of the saved decision (rundir.RECOMMENDATION): a reader refuses one it does not know
LISTS = ("within_tolerance", "top_accuracy", "top_speed", "top_size", "pareto")  # Decision's lists of model names


@dataclass(frozen=True)
class Alternative:
    """A model worth knowing beside the pick: why it is listed, and what it gives up or gains against the pick."""

    label: Said
    model: str
    tradeoff: tuple[Said, ...]

    @property
    def label_text(self) -> str:
        return self.label.text()

    @property
    def tradeoff_text(self) -> str:
        return said_text(self.tradeoff)


@dataclass(frozen=True)
class Decision:
    """What a run recommends and why, decided once when its search ends and saved in its folder. The sentences are
    kept as data (message keys and figures), so every face shows them in its reader's language."""

    recommended: str
    priority: str
    why: tuple[Said, ...]
    best_model: str
    within_tolerance: list[str]
    top_accuracy: list[str]
    top_speed: list[str]
    top_size: list[str]
    pareto: list[str]
    alternatives: list[Alternative] = field(default_factory=list)

    @property
    def reason(self) -> str:
        return sentences(*(said.text() for said in self.why))

    def to_json(self) -> dict[str, Any]:
        return {
            "version": VERSION,
            "recommended": self.recommended,
            "priority": self.priority,
            "best_model": self.best_model,
            **{name: getattr(self, name) for name in LISTS},
            "why": [said.to_json() for said in self.why],
            "alternatives": [
                {"label": a.label.to_json(), "model": a.model, "tradeoff": [part.to_json() for part in a.tradeoff]}
                for a in self.alternatives
            ],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Decision:
        if data.get("version") != VERSION:
            raise ValueError(f"a saved decision of version {data.get('version')!r}; this version reads {VERSION}")
        return cls(
            recommended=data["recommended"],
            priority=data["priority"],
            why=tuple(Said.from_json(said) for said in data["why"]),
            best_model=data["best_model"],
            **{name: list(data[name]) for name in LISTS},
            alternatives=[
                Alternative(Said.from_json(a["label"]), a["model"], tuple(Said.from_json(p) for p in a["tradeoff"]))
                for a in data["alternatives"]
            ],
        )


def score(row: dict[str, Any], metric: RankingMetric) -> float:
    return float(row[f"{metric.name}_mean"])


def directed(value: float, metric: Any) -> float:
    """A score with higher always better, whatever the metric's direction."""
    return value if metric.greater_is_better else -value


def goodness(row: dict[str, Any], metric: RankingMetric) -> float:
    """A leaderboard row's score with higher always better."""
    return directed(score(row, metric), metric)


def _by_accuracy(rows: list[dict[str, Any]], metric: RankingMetric) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda r: (-goodness(r, metric), r[SIZE], r[LATENCY]))


def _dominates(a: dict[str, Any], b: dict[str, Any], metric: RankingMetric) -> bool:
    no_worse = goodness(a, metric) >= goodness(b, metric) and a[LATENCY] <= b[LATENCY] and a[SIZE] <= b[SIZE]
    better = goodness(a, metric) > goodness(b, metric) or a[LATENCY] < b[LATENCY] or a[SIZE] < b[SIZE]
    return no_worse and better


def pareto_front(rows: list[dict[str, Any]], metric: RankingMetric) -> list[str]:
    """Models no other model beats on score, latency and size at once, most accurate first."""
    front = [r for r in rows if not any(_dominates(o, r, metric) for o in rows if o is not r)]
    return [r["model"] for r in _by_accuracy(front, metric)]


def annotate(rows: list[dict[str, Any]], metric: RankingMetric) -> list[dict[str, Any]]:
    """Rows sorted by accuracy with rank per axis and a pareto flag: the leaderboard.csv content."""
    ranked = [dict(r) for r in _by_accuracy(rows, metric)]
    front = set(pareto_front(ranked, metric))
    by_speed = sorted(ranked, key=lambda r: r[LATENCY])
    by_size = sorted(ranked, key=lambda r: r[SIZE])
    for position, row in enumerate(ranked, start=1):
        row["rank"] = row["rank_accuracy"] = position
        row["rank_speed"] = by_speed.index(row) + 1
        row["rank_size"] = by_size.index(row) + 1
        row["pareto"] = row["model"] in front
    return ranked


def within_tolerance(rows: list[dict[str, Any]], metric: RankingMetric, tolerance: float) -> list[dict[str, Any]]:
    best = score(_by_accuracy(rows, metric)[0], metric)

    def gap(row: dict[str, Any]) -> float:
        difference = best - score(row, metric) if metric.greater_is_better else score(row, metric) - best
        return difference if metric.bounded else difference / max(abs(best), 1e-12)

    return [r for r in rows if gap(r) <= tolerance + 1e-12]


def compare(row: dict[str, Any], reference: dict[str, Any], metric: RankingMetric) -> tuple[Said, ...]:
    """Plain words for what `row` gives up or gains against `reference`: score, speed, size (a list)."""
    parts = [_score_gap(row, reference, metric)]
    for key, faster, slower, noise in (
        (LATENCY, "compare.faster", "compare.slower", LATENCY_TIE),
        (SIZE, "compare.smaller", "compare.larger", SIZE_TIE),
    ):
        ratio = reference[key] / max(row[key], 1e-12)
        if ratio >= noise:
            parts.append(Said(faster, {"ratio": _ratio(ratio)}))
        elif ratio <= 1 / noise:
            parts.append(Said(slower, {"ratio": _ratio(1 / ratio)}))
        elif key == LATENCY:
            parts.append(Said("compare.same_speed"))
    return tuple(parts)


def _ratio(value: float) -> str:
    return f"{value:.1f}" if value < 10 else f"{value:.0f}"


def _score_gap(row: dict[str, Any], reference: dict[str, Any], metric: RankingMetric) -> Said:
    difference = goodness(row, metric) - goodness(reference, metric)
    if metric.bounded:
        amount = f"{abs(difference) * 100:.1f}"
        key = "compare.points_better" if difference > 0 else "compare.points_worse"
    else:
        amount = f"{abs(difference) / max(abs(score(reference, metric)), 1e-12) * 100:.1f}"
        key = "compare.percent_better" if difference > 0 else "compare.percent_worse"
    if float(amount) == 0:
        return Said("compare.same_score", {"metric": _title(metric)})
    return Said(key, {"amount": amount, "metric": _title(metric)})


def _title(metric: RankingMetric) -> Said:
    """The metric's words in the reader's language (a built-in's from the catalogue, else as the run named it)."""
    return Said(f"metrics.{metric.name}", fallback=metric.title)


def decide(rows: list[dict[str, Any]], metric: RankingMetric, priority: str, tolerance: float, top_k: int) -> Decision:
    if not rows:
        raise ValueError("no finished candidate to decide between")
    ranked = _by_accuracy(rows, metric)
    best = ranked[0]
    close, leader, chosen = _picked(rows, metric, priority, tolerance)
    facts = {
        "model": chosen["model"],
        "metric": _title(metric),
        "score": metric_text(score(chosen, metric), metric),
        "n": len(rows),
        "tolerance": _tolerance_words(metric, tolerance),
        "best_model": best["model"],
        "best_score": metric_text(score(best, metric), metric),
        "n_close": len(close),
    }
    tradeoff = {**facts, "tradeoff": compare(chosen, best, metric)}
    if len(rows) == 1:
        said = [Said("reason.only", facts)]
    elif chosen is best:
        said = [Said("reason.best", facts)]
        if len(close) == 1:
            said.append(Said("reason.none_close", facts))
        elif priority != "accuracy" and chosen is leader:
            said.append(Said(f"reason.also_{priority}", facts))
    elif chosen is leader:
        said = [Said(f"reason.{priority}", tradeoff)]
    else:
        said = [Said("reason.close", tradeoff)]
    if chosen is not leader:
        said.extend(_why_not_the_leader(chosen, leader, priority, metric))
    front = pareto_front(rows, metric)
    return Decision(
        recommended=chosen["model"],
        priority=priority,
        why=tuple(said),
        best_model=best["model"],
        within_tolerance=[r["model"] for r in close],
        top_accuracy=[r["model"] for r in ranked[:top_k]],
        top_speed=[r["model"] for r in sorted(rows, key=lambda r: r[LATENCY])[:top_k]],
        top_size=[r["model"] for r in sorted(rows, key=lambda r: r[SIZE])[:top_k]],
        pareto=front,
        alternatives=_alternatives(rows, chosen, best, front, metric),
    )


def pick(rows: list[dict[str, Any]], metric: RankingMetric, priority: str, tolerance: float) -> dict[str, Any]:
    """The row `decide` recommends, without its words and lists: what the search asks after every candidate."""
    return _picked(rows, metric, priority, tolerance)[2]


def _picked(rows, metric, priority, tolerance) -> tuple[list[dict[str, Any]], dict[str, Any], dict[str, Any]]:
    """(the models within tolerance of the best score, the priority's leader among them, the pick)."""
    close = within_tolerance(rows, metric, tolerance)
    # equal keys go to the model found first (min keeps the first of equals), never to a time: the same candidates
    # give the same pick
    leader = min(close, key=lambda r: (*MEASURES[priority](r, metric), r[SIZE]))
    return close, leader, _within_noise_of(leader, close, priority, metric)


# What each priority minimises among the models within tolerance of the best score (the leader is the lowest).
MEASURES = {
    "accuracy": lambda r, metric: (-goodness(r, metric),),
    "speed": lambda r, metric: (r[LATENCY],),
    "size": lambda r, metric: (r[SIZE],),
    "balanced": lambda r, metric: (r[LATENCY] * r[SIZE],),
}


def _within_noise_of(leader: dict[str, Any], close: list[dict[str, Any]], priority: str, metric: Any) -> dict[str, Any]:
    """The pick: the leader, unless a model the measurement cannot tell from it on what the priority weighs is
    smaller (speed, balanced: predict times within LATENCY_TIE of the leader's) or more accurate (sizes within
    SIZE_TIE of the smallest of those). So no model within tolerance is faster than the pick by more than
    LATENCY_TIE (speed), smaller by more than SIZE_TIE (size), or lower on time × size by more than both (balanced)."""
    if priority == "accuracy":
        return _with_most_parts(leader, close)
    tied = close if priority == "size" else [r for r in close if _same_speed(r, leader)]
    smallest = min(r[SIZE] for r in tied)
    same_size = [r for r in tied if r[SIZE] <= smallest * SIZE_TIE]
    return min(same_size, key=lambda r: (-goodness(r, metric), r[SIZE]))  # equals: the first found, as _picked


def _parts(row: dict[str, Any]) -> tuple[str, int] | None:
    """(its settings but the number of parts, that number) for a model made of averaged parts (a forest's trees,
    ModelSpec.size_param), from the leaderboard row's params; None for any other model."""
    described = json.loads(row.get("params") or "{}")
    try:
        size_param = models.get(described.get("family", "")).size_param
    except ValueError:  # an ensemble, or a kind no plugin registers here
        return None
    params = dict(described.get("params") or {})
    count = params.pop(size_param, None) if size_param else None
    if not isinstance(count, int):
        return None
    return json.dumps([described["family"], params, described.get("target")], sort_keys=True, default=str), count


def _with_most_parts(leader: dict[str, Any], close: list[dict[str, Any]]) -> dict[str, Any]:
    """The accuracy pick: the leader, or the same forest with more trees when that one is within tolerance too. More
    trees of one forest are never less accurate in expectation; between them the folds' scores differ by the luck
    of the draw (on Boston, 50 trees scored 0.897 in cross-validation and 200 trees 0.893; on the test rows 0.709
    and 0.728)."""
    mine = _parts(leader)
    if mine is None:
        return leader
    siblings = [(found[1], row) for row in close if (found := _parts(row)) is not None and found[0] == mine[0]]
    return max(siblings, key=lambda sibling: sibling[0])[1]


def _same_speed(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Predict times within timing noise of each other (LATENCY_TIE)."""
    return max(a[LATENCY], b[LATENCY]) <= min(a[LATENCY], b[LATENCY]) * LATENCY_TIE


def _why_not_the_leader(
    chosen: dict[str, Any], leader: dict[str, Any], priority: str, metric: RankingMetric
) -> list[Said]:
    """The sentences for a pick that is not the leader on the priority's own measure: both named, with their
    figures, and the band that ties them."""
    facts = {
        "model": chosen["model"],
        "leader": leader["model"],
        "model_ms": f"{chosen[LATENCY]:.2f}",
        "leader_ms": f"{leader[LATENCY]:.2f}",
        "model_size": human_bytes(chosen[SIZE]),
        "leader_size": human_bytes(leader[SIZE]),
        "model_score": metric_text(score(chosen, metric), metric),
        "leader_score": metric_text(score(leader, metric), metric),
        "ratio": f"{LATENCY_TIE:g}",
        "size_band": f"{SIZE_TIE - 1:.0%}",
    }
    if priority == "accuracy":  # the same forest with more trees (_with_most_parts): both have parts
        model_parts, leader_parts = _parts(chosen), _parts(leader)
        assert model_parts is not None and leader_parts is not None
        return [Said("reason.more_parts", {**facts, "model_parts": model_parts[1], "leader_parts": leader_parts[1]})]
    if priority == "size":  # the leader is the smallest: the pick is as small within SIZE_TIE, and more accurate
        return [Said("reason.tied_size", facts)]
    if chosen[SIZE] * SIZE_TIE < leader[SIZE]:
        kept = "reason.kept_smaller"
    elif goodness(chosen, metric) > goodness(leader, metric):
        kept = "reason.kept_more_accurate"
    else:  # as small and as accurate: never "smaller" for 4.9 KB against 4.9 KB
        kept = "reason.kept_either"
    return [Said(f"reason.tied_{priority}", facts), Said(kept, facts)]


def _tolerance_words(metric: RankingMetric, tolerance: float) -> Said:
    if metric.bounded:
        points = f"{tolerance * 100:g}"
        key = "reason.tolerance_point" if points == "1" else "reason.tolerance_points"
        return Said(key, {"points": points, "metric": _title(metric)})
    return Said("reason.tolerance_percent", {"percent": f"{tolerance * 100:g}", "metric": _title(metric)})


def _alternatives(
    rows: list[dict[str, Any]],
    chosen: dict[str, Any],
    best: dict[str, Any],
    front: list[str],
    metric: RankingMetric,
) -> list[Alternative]:
    by_name = {r["model"]: r for r in rows}
    fastest = min(rows, key=lambda r: (r[LATENCY], r[SIZE]))
    smallest = min(rows, key=lambda r: (r[SIZE], -goodness(r, metric)))
    picks = [
        ("alt.most_accurate", best),
        # only when it is really faster or smaller than the pick: within timing noise, or the same bytes, it is not
        *([("alt.fastest", fastest)] if chosen[LATENCY] > fastest[LATENCY] * LATENCY_TIE else []),
        *([("alt.smallest", smallest)] if smallest[SIZE] * SIZE_TIE < chosen[SIZE] else []),
        *[("alt.pareto", by_name[name]) for name in front],
    ]
    seen = {chosen["model"]}
    out = []
    for label, row in picks:
        if row["model"] in seen:
            continue
        seen.add(row["model"])
        out.append(Alternative(Said(label), row["model"], compare(row, chosen, metric)))
    return out
