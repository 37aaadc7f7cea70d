"""The report's "Since the decision": every scoring of the model in use on rows whose outcomes arrived
(evaluations.jsonl, written by evaluation.py), against the cross-validated and test scores, in a table, a chart and
a sentence on the latest."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from automl_tui_engine.formatting import md_safe, metric_text, table
from automl_tui_engine.messages import listing, sentences, t
from automl_tui_engine.outputs import rundir
from automl_tui_engine.verdict import FEW_TEST_ROWS

if TYPE_CHECKING:
    import plotly.graph_objects as go
    from automl_tui_engine.extension.registry.metrics import RankingMetric

CHART = "since_decision"  # plots/since_decision.html and .png


def recorded(folder: rundir.RunFolder, metric: str | None = None) -> list[dict[str, Any]]:
    """The run's evaluations, oldest first (those scored by `metric` when given); a line that is not one (a hand
    edit, a cut line) is left out."""
    return [
        line
        for line in folder.read_lines(rundir.EVALUATIONS)
        if isinstance(line.get("scores"), dict)
        and (metric is None or (line.get("metric") == metric and metric in line["scores"]))
    ]


def latest_check(folder: rundir.RunFolder) -> dict[str, Any] | None:
    """The latest input check of a predictions file made with the run's model (predictions.jsonl): when, the
    columns that moved, how many were checked; None when no file was checked."""
    checks = [line for line in folder.read_lines(rundir.PREDICTIONS_LOG) if isinstance(line.get("check"), dict)]
    if not checks:
        return None
    check = checks[-1]["check"]
    return {
        "when": str(checks[-1].get("when") or ""),  # a line from before checks kept their time has none
        "moved": [str(name) for name in check.get("moved") or []],
        "columns": check.get("columns"),
    }


def latest(folder: rundir.RunFolder, info: dict[str, Any]) -> dict[str, Any]:
    """The model in use since the decision, in brief (`info`: the run's run.json): the latest input check of a
    predictions file ("checked") and the latest scoring on rows with known outcomes ("evaluated"), each absent when
    none was made. What `runs` lists and the reporting task's properties carry (runs --clearml reads it from there,
    with the metric's facts to write the score as the run does)."""
    found: dict[str, Any] = {}
    checked = latest_check(folder)
    if checked:
        found["checked"] = checked
    evaluations = recorded(folder)
    if evaluations:
        last = evaluations[-1]
        facts = (info.get("metric_facts") or {}).get(last["metric"])
        found["evaluated"] = {
            "when": str(last.get("when") or ""),
            "metric": last["metric"],
            "score": last["scores"].get(last["metric"]),
            "fallen": bool(last.get("fallen")),
            "rows": last.get("rows"),
            "too_few": bool(last.get("too_few")),
            **({"metric_facts": facts} if facts else {}),
        }
    return found


def latest_words(evaluation: dict[str, Any], metric: RankingMetric) -> str:
    """Whether the latest scoring holds up against the cross-validated score, or has fallen, in figures; on too
    few rows, that it cannot tell."""
    if evaluation.get("too_few"):
        return t("evaluation.too_few", rows=f"{evaluation['rows']:,}", needed=FEW_TEST_ROWS)
    if evaluation.get("cv") is None:
        return ""
    figures = {
        "metric": metric.title,
        "score": metric_text(evaluation["scores"][metric.name], metric),
        "cv": metric_text(evaluation["cv"], metric),
        "spread": metric_text(evaluation["spread"], metric),
        "rows": f"{evaluation['rows']:,}",
    }
    return t("evaluation.fallen" if evaluation["fallen"] else "evaluation.holds", **figures)


def known_words(evaluation: dict[str, Any]) -> str:
    """That some of the scored rows are rows the model was made from ("" when none are, or it is not known)."""
    if not evaluation.get("known_rows"):
        return ""
    return t("evaluation.known_rows", known=f"{evaluation['known_rows']:,}", rows=f"{evaluation['rows']:,}")


def level_words(evaluation: dict[str, Any], metric: RankingMetric) -> str:
    """How the model did against guessing on those rows ("" when the run recorded no guess)."""
    guess = evaluation["guess_scores"].get(metric.name)
    if not evaluation.get("level") or guess is None:
        return ""
    score = metric_text(evaluation["scores"][metric.name], metric)
    return t(f"evaluation.{evaluation['level']}", metric=metric.title, score=score, guess=metric_text(guess, metric))


def section(folder: rundir.RunFolder, metric: RankingMetric, figure: str) -> str:
    """The Markdown subsection: the latest input check, every scoring (a table, the latest in words, `figure`: the
    chart as the report shows it) and every retrain weighed against the model; "" when none was made."""
    found = recorded(folder, metric.name)
    checked = latest_check(folder)
    retrains = [line for line in folder.read_lines(rundir.RETRAINS) if line.get("metric") == metric.name]
    if not (found or checked or retrains):
        return ""
    parts = [f"### {t('evaluation.h_since')}"]
    if checked:
        moved = listing(md_safe(name) for name in checked["moved"]) if checked["moved"] else ""
        when = checked["when"][:16].replace("T", " ") or "?"
        key = "evaluation.checked_moved" if moved else "evaluation.checked_as_trained"
        parts.append(t(key, when=when, columns=moved, count=checked["columns"]))
    if found:
        parts += [t("evaluation.since_intro", count=len(found)), _scorings(found, metric)]
        latest = found[-1]
        parts += [sentences(latest_words(latest, metric), level_words(latest, metric), known_words(latest)), figure]
    for retrain in retrains:
        when = str(retrain.get("when", ""))[:16].replace("T", " ")
        said = t("evaluation.retrained", when=when, run=md_safe(retrain.get("challenger_run", "?")))
        parts.append(sentences(said, *champion_lines(retrain, metric)))
    return "\n\n".join(part for part in parts if part)


def _scorings(found: list[dict[str, Any]], metric: RankingMetric) -> str:
    def judged(e: dict[str, Any]) -> str:
        if e.get("too_few"):
            return "—"
        return t("evaluation.col_fallen_yes") if e["fallen"] else t("evaluation.col_fallen_no")

    rows = [
        [
            e["when"][:16].replace("T", " "),
            md_safe(e["source"].rsplit("/", 1)[-1]),
            f"`{e['model']}`",
            f"{e['rows']:,}",
            f"{metric_text(e['scores'][metric.name], metric)} ± {metric_text(e['se'], metric)}",
            judged(e),
        ]
        for e in found
    ]
    headers = [
        t("evaluation.col_when"),
        t("evaluation.col_file"),
        t("report.col_model"),
        t("report.col_rows"),
        metric.title,
        t("evaluation.col_fallen"),
    ]
    return table(headers, rows)


def champion_lines(champion: dict[str, Any], metric: RankingMetric) -> list[str]:
    """A retrain's verdict in words (retraining.Comparison, kept in the challenger's run.json): the two models' scores
    on the same fresh rows, the gain and its noise, and replace or keep."""
    figures = {
        "metric": metric.title,
        "rows": f"{champion['rows']:,}",
        "champion": champion["champion_model"],
        "champion_run": Path(champion["champion_run"]).name,
        "champion_score": metric_text(champion["champion_score"], metric),
        "challenger": champion["challenger_model"],
        "challenger_score": metric_text(champion["challenger_score"], metric),
        "gain": f"{champion['gain']:+.3g}",
        "noise": f"{2 * champion['se']:.2g}",
    }
    lines = [t("retrain.compared", **figures), t(f"retrain.{champion['verdict']}", **figures)]
    if champion.get("champion_known_rows"):  # the champion's advantage on rows it learned from
        lines.append(t("retrain.champion_known", known=f"{champion['champion_known_rows']:,}", **figures))
    return lines


def champion_section(info: dict[str, Any], metric: RankingMetric) -> str:
    """The challenger's report: what it was compared with and the verdict; "" for a run that is no retrain."""
    champion = info.get("champion")
    if not isinstance(champion, dict) or champion.get("metric") != metric.name:
        return ""
    return f"### {t('retrain.h_champion')}\n\n" + "\n\n".join(champion_lines(champion, metric))


def terminal_lines(evaluation: dict[str, Any], run_dir: Path, source: Path) -> list[str]:
    """One evaluation in words for the terminal and the wizard: what was scored, the score against the run's, the
    verdict against guessing, whether it holds, and each class found."""
    from automl_tui_engine.extension.registry.metrics import MetricFacts

    info = rundir.RunFolder(run_dir).read_json(rundir.RUN_JSON)
    metric = MetricFacts.recorded(info.get("metric_facts", {}), evaluation["metric"])
    assert metric is not None  # evaluation.py scored it by the run's own metric
    shown = {"cv": evaluation.get("cv"), "test": evaluation.get("test")}
    lines = [t("evaluation.scored", model=evaluation["model"], rows=f"{evaluation['rows']:,}", path=source)]
    if evaluation["left_out"]:
        lines.append(t("evaluation.left_out", rows=f"{evaluation['left_out']:,}"))
    lines.append(
        t(
            "evaluation.score_line",
            metric=metric.title,
            score=metric_text(evaluation["scores"][metric.name], metric),
            se=metric_text(evaluation["se"], metric),
            **{key: "—" if value is None else metric_text(value, metric) for key, value in shown.items()},
        )
    )
    lines += [line for line in (level_words(evaluation, metric), latest_words(evaluation, metric)) if line]
    lines += [known_words(evaluation)] if evaluation.get("known_rows") else []
    for found in evaluation.get("per_class") or []:
        share = f"{found['found'] / found['rows']:.0%}" if found["rows"] else "—"
        lines.append(
            t("evaluation.class_line", label=found["class"], found=found["found"], rows=found["rows"], share=share)
        )
    return lines


def chart(found: list[dict[str, Any]], metric: RankingMetric) -> go.Figure:
    """Each scoring with its spread (two standard errors), the cross-validated score with the band within which a
    scoring holds, and the test score."""
    import plotly.graph_objects as go
    from automl_tui_engine.outputs.chart_style import ALERT_COLOR, FRONT_COLOR, OTHER_COLOR, layout

    # one place per scoring, in order (two in the same minute stay apart): its number and when
    when = [f"{number}. {e['when'][:16].replace('T', ' ')}" for number, e in enumerate(found, start=1)]
    fig = go.Figure(
        go.Scatter(
            x=when,
            y=[e["scores"][metric.name] for e in found],
            error_y={"type": "data", "array": [2 * e["se"] for e in found]},
            mode="markers+lines",
            marker={"size": 10, "color": [ALERT_COLOR if e["fallen"] else FRONT_COLOR for e in found]},
            name=t("evaluation.chart_scored"),
        )
    )
    latest = found[-1]
    if latest.get("cv") is not None:
        low, high = latest["cv"] - latest["spread"], latest["cv"] + latest["spread"]
        fig.add_hrect(y0=low, y1=high, fillcolor=OTHER_COLOR, opacity=0.2, line_width=0)
        cv_line = {"line_dash": "dash", "line_color": OTHER_COLOR, "annotation_text": t("evaluation.chart_cv")}
        fig.add_hline(y=latest["cv"], **cv_line)
    if latest.get("test") is not None:
        test_line = {"line_dash": "dot", "line_color": FRONT_COLOR, "annotation_text": t("evaluation.chart_test")}
        fig.add_hline(y=latest["test"], annotation_position="bottom right", **test_line)
    fig.update_xaxes(type="category")
    return layout(fig, t("evaluation.chart_title", metric=metric.title), t("evaluation.col_when"), metric.title)


def draw(folder: rundir.RunFolder, metric: RankingMetric, charts: str) -> dict[str, str]:
    """plots/since_decision.html (and .png) from every evaluation so far, as the run's `charts` setting says
    (RunConfig.charts: none, html, or html+png); {file: why} for a PNG not drawn."""
    from automl_tui_engine.outputs import plots

    found = recorded(folder, metric.name)
    if not found or charts == "none":
        return {}
    return plots.export({CHART: chart(found, metric)}, folder / rundir.PLOTS, png=charts == "html+png")
