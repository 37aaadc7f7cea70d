"""report.md, rebuilt from the files in a run folder (so a crashed or interrupted run still reports).

Order (README and docs/ARCHITECTURE.md): Decision Summary, TopK, Alternatives, Data, Recommended model details,
Reproduce, Debug: Missing artifacts."""

from __future__ import annotations

import shlex
from functools import cached_property
from pathlib import Path
from typing import Any

from automl_tui_engine import config as config_mod
from automl_tui_engine import glossary
from automl_tui_engine.core.privacy import mask
from automl_tui_engine.errors import UserError
from automl_tui_engine.events import status_word
from automl_tui_engine.extension.registry.metrics import MetricFacts
from automl_tui_engine.formatting import (
    human_bytes,
    md_code,
    md_code_block,
    md_safe,
    metric_text,
    spread_text,
    table,
)
from automl_tui_engine.messages import language, languages, listing, md_item, speaking, t
from automl_tui_engine.outputs import (
    decision_record,
    plots,
    quality,
    rundir,
    since_decision,
    time_line,
    whatif_record,
)
from automl_tui_engine.outputs.data_section import data_section
from automl_tui_engine.outputs.drivers_section import drivers_section
from automl_tui_engine.outputs.missing_section import missing_artifacts, missing_section
from automl_tui_engine.outputs.run_record import RunRecord
from automl_tui_engine.outputs.search_counts import SearchCounts
from automl_tui_engine.tasks import Task
from automl_tui_engine.verdict import Verdict, of_record


def write(run_dir: Path, lang: str | None = None) -> Path:
    """model_card.md, then report.md (which lists the card among the artifacts), from the run folder; in `lang`,
    else in the language the run spoke (run.json), so that a colleague's evaluate or adopt in another language
    leaves a shared report in its own."""
    if not Path(run_dir).is_dir():
        raise UserError("report.not_a_run", path=run_dir)
    from automl_tui_engine.outputs.model_card import render_card

    folder = rundir.RunFolder(Path(run_dir))
    recorded = folder.read_json(rundir.RUN_JSON).get("lang")
    spoken = lang or (recorded if recorded in languages() else language())
    with folder.changing(), speaking(spoken):  # made from what the folder holds now, not half a change
        summary = RunReport.load(Path(run_dir))
        rundir.write_atomic(Path(run_dir) / rundir.MODEL_CARD, render_card(summary))
        path = Path(run_dir) / rundir.REPORT
        rundir.write_atomic(path, summary.render())
    return path


ERROR_IN_UNITS = "rmse"  # the error a regression's Decision Summary quotes in the target's units


class RunReport(RunRecord):
    """A run folder's record as the report and the wizard's Decision Summary read it: rendering only, it never
    decides (the decision is the one the run saved, run_record.RunRecord.decision)."""

    @cached_property
    def by_model(self) -> dict[str, dict[str, Any]]:
        return {r["model"]: r for r in self.rows}

    @cached_property
    def verdict(self) -> Verdict | None:
        return of_record(self.info, self.by_model.get(self.decision.recommended) if self.decision else None)

    @cached_property
    def coverage(self) -> str:
        """ "" when every model kind was compared."""
        return SearchCounts.of(self.attempted).coverage()

    @property
    def metric_titles(self) -> dict[str, str]:
        return {name: MetricFacts.title_in(self.info, name) for name in self.info.get("metrics", [])}

    @property
    def shared_link(self) -> str:
        return self.folder.shared_link()

    @property
    def offline_sessions(self) -> list[str]:
        return self.folder.offline_sessions()

    @property
    def adopted(self) -> list[dict[str, Any]]:
        """What people decided to use it for (adoption.py)."""
        return decision_record.adoptions(self.info)

    @property
    def ranked_by(self) -> MetricFacts:
        """The metric the run ranked by, for the sections that quote it: they are written only when there is a
        decision, which needs it."""
        assert self.metric is not None
        return self.metric

    def score_cell(self, row: dict[str, Any]) -> str:
        m = self.ranked_by.name
        return spread_text(row[f"{m}_mean"], row.get(f"{m}_std"), self.ranked_by)

    def metric_facts(self, name: str) -> Any:
        """A metric's facts as the run recorded them (title, bounded, unit); a bare name when it has none."""
        return MetricFacts.recorded(self.info.get("metric_facts", {}), name) or MetricFacts(name, name, True, True)

    def render(self) -> str:
        rest = [
            self.topk(),
            self.alternatives(),
            data_section(self),
            self.details(),
            self.reproduce(),
            missing_section(self),
        ]
        summary = self.decision_summary()
        sections = [
            f"# {t('report.title', run_id=md_safe(self.run_id), dataset_key=md_safe(self.dataset_key))}",
            t("report.shared_link", link=self.shared_link) if self.shared_link else "",
            self.recommended_task_line(),
            t("report.offline_sessions", folder=md_code(rundir.sessions_folder(self.offline_sessions)))
            if self.offline_sessions
            else "",
            self.status_note(),
            "\n\n".join(part for part in [summary, self.plain_words("\n".join([summary, *rest]))] if part),
            *rest,
        ]
        return "\n\n".join(s for s in sections if s) + "\n"

    def typical_error(self, test: dict[str, float]) -> str:
        """For a regression ranked by a share (R²): the typical error in the target's own terms, what a business
        reader weighs ("RMSE ¥59,247"); empty otherwise."""
        if self.task is not Task.REGRESSION or self.ranked_by.name == ERROR_IN_UNITS or ERROR_IN_UNITS not in test:
            return ""
        facts = self.metric_facts(ERROR_IN_UNITS)
        return t("report.typical_error", metric=facts.title, value=metric_text(test[ERROR_IN_UNITS], facts))

    def plain_words(self, text: str) -> str:
        """The end of the Decision Summary: a line of plain words for each term the report uses, before most of
        them first appear (TopK, Alternatives, details), and the model kinds the tables name."""
        if self.decision is None:
            return ""
        lines = [glossary.line(key) for key in glossary.found_in(text)]
        shown = [*self.decision.top_accuracy, *self.decision.top_speed, *self.decision.top_size]
        lines.append(glossary.kinds_line([self.decision.recommended, *shown, *(r["model"] for r in self.rows)]))
        return f"### {t('glossary.h_words')}\n\n" + "\n".join(f"- {line}" for line in lines)

    def recommended_task_line(self) -> str:
        """Where the recommended model's own task is in ClearML (its page, or its id offline)."""
        task_id, link = self.folder.recommended_task()
        if not task_id or self.decision is None:
            return ""
        return t("report.recommended_task", model=md_code(self.decision.recommended), link=link or md_code(task_id))

    def status_note(self) -> str:
        if self.status == "finished":
            return ""
        return f"> {t(f'report.status_{self.status}')}"

    def decision_summary(self) -> str:
        out = [f"## 1. {t('report.h_decision')}"]
        if self.decision is None:
            out.append(t("report.no_decision"))
            return "\n\n".join(out)
        d = self.decision
        test = self.info.get("test_metrics") or {}
        refit = self.info.get("refit", {})
        lines = [
            *([md_item(t("report.compared"), self.coverage)] if self.coverage else []),
            *quality.verdict_lines(self),
            md_item(t("report.recommended"), f"`{d.recommended}` — {glossary.kind_words(d.recommended)}"),
            md_item(
                t("report.priority"), f"{glossary.priority_word(self.priority)} — {t(f'priority.{self.priority}')}"
            ),
            md_item(t("report.why"), d.reason),
        ]
        if self.ranked_by.name in test:
            score = metric_text(test[self.ranked_by.name], self.ranked_by)
            rows = t("report.test_rows", rows=refit.get("test_rows", "?"))
            lines.append(
                md_item(t("report.test_score"), f"{self.ranked_by.title} = {score}{rows}{self.typical_error(test)}")
            )
        else:
            lines.append(md_item(t("report.test_score"), t("report.not_measured")))
        used = quality.rows_used(self)
        if used:
            lines.append(md_item(t("report.rows_used"), used))
        cut = refit.get("threshold")
        if cut and cut.get("positive") is not None:
            lines.append(md_item(t("report.cutoff"), self.cutoff_words(cut)))
        lines += [md_item(t("report.adopted"), decision_record.line(a)) for a in self.adopted]
        out.append("\n".join(lines))
        out.append(quality.per_class_table(self))
        out.append(self.figure("tradeoff_latency"))
        out.append(since_decision.section(self.folder, self.ranked_by, self.figure(since_decision.CHART)))
        out.append(since_decision.champion_section(self.info, self.ranked_by))
        return "\n\n".join(part for part in out if part)

    def cutoff_words(self, cut: dict[str, Any]) -> str:
        """The decision threshold in words, told of the "yes" answer when the classes are a yes/no pair (the
        model's positive class is the second in sort order: なし of あり/なし)."""
        from automl_tui_engine.table.data import yes_answer

        positive, value = cut["positive"], cut["value"]
        classes = [c["class"] for c in self.info.get("per_class") or []]
        yes = yes_answer(classes)
        if yes is not None and str(yes) != str(positive):
            positive, value = yes, 1 - value
        return t("report.cutoff_line", positive=positive, percent=f"{value:.0%}")

    def _shorttable(self, names: list[str], with_guess: bool = False) -> str:
        rows: list[list[Any]] = [
            [i, f"`{name}`", self.score_cell(r), f"{r['predict_ms_per_1k']:.2f}", human_bytes(r["size_bytes"])]
            for i, name in enumerate(names, start=1)
            for r in [self.by_model[name]]
        ]
        guess = quality.guess_row(self) if with_guess else None
        if guess:
            rows.append(guess)
        headers = ["#", t("report.col_model"), self.ranked_by.title, t("report.col_latency"), t("report.col_size")]
        return table(headers, rows)

    def topk(self) -> str:
        if self.decision is None:
            return ""
        d = self.decision
        return "\n\n".join(
            part
            for part in [
                f"## 2. {t('report.h_topk')}",
                f"### {t('report.by_accuracy', metric=self.ranked_by.title)}",
                self._shorttable(d.top_accuracy, with_guess=True),
                f"### {t('report.by_speed')}",
                self._shorttable(d.top_speed),
                f"### {t('report.by_size')}",
                self._shorttable(d.top_size),
                self.figure("tradeoff_size"),
                self.figure("leaderboard"),
            ]
            if part
        )

    def alternatives(self) -> str:
        out = [f"## 3. {t('report.h_alternatives')}"]
        if self.decision is not None:
            d = self.decision
            if d.alternatives:
                rows = [[a.label_text, f"`{a.model}`", a.tradeoff_text] for a in d.alternatives]
                out.append(table([t("report.col_what"), t("report.col_model"), t("report.col_vs_recommended")], rows))
            else:
                out.append(self.no_alternatives())
            out.append(t("report.pareto", models=listing(f"`{m}`" for m in d.pareto)))
        not_finished = SearchCounts.of(self.attempted).not_compared_alike()
        if not_finished:
            out.append(f"### {t('report.h_not_finished')}")
            out.append(
                table(
                    [t("report.col_model"), t("report.col_status"), t("report.col_reason")],
                    [
                        [listing(f"`{name}`" for name in names), status_word(status), md_safe(reason)]
                        for names, status, reason in not_finished
                    ],
                )
            )
        return "\n\n".join(out)

    def no_alternatives(self) -> str:
        """Why the Alternatives list is empty: one model finished, or the recommended one leads on every axis."""
        assert self.decision is not None
        if len(self.rows) == 1:
            return t("report.no_alternatives", model=self.decision.recommended)
        return t("report.no_alternatives_dominant", model=self.decision.recommended, n=len(self.rows))

    def details(self) -> str:
        from automl_tui_engine.outputs.model_card import training_facts

        out = [f"## 5. {t('report.h_details')}"]
        if self.decision is None:
            out.append(t("report.no_decision"))
            return "\n\n".join(out)
        row = self.by_model[self.decision.recommended]
        metric_names = self.info.get("metrics") or [self.ranked_by.name]
        test = self.info.get("test_metrics") or {}
        out.append(
            table(
                [t("report.col_metric"), t("report.col_cv"), t("report.col_test")],
                [
                    [
                        facts.title,
                        spread_text(row[f"{m}_mean"], row.get(f"{m}_std"), facts)
                        if row.get(f"{m}_mean") is not None
                        else "—",
                        metric_text(test[m], facts) if m in test else "—",
                    ]
                    for m in metric_names
                    if f"{m}_mean" in row
                    for facts in [self.metric_facts(m)]
                ],
            )
        )
        facts = [
            t("report.fit_time", seconds=f"{row['fit_s']:.3g}"),
            t("report.latency", batch=f"{row['predict_ms_per_1k']:.2f}", single=f"{row['predict_ms_single_row']:.2f}"),
            # the leaderboard's size is a fold's model, measured in the search; the saved one learnt from every row
            t("report.size_saved", saved=human_bytes(saved.stat().st_size), size=human_bytes(row["size_bytes"]))
            if (saved := self.folder / rundir.MODEL).is_file()
            else t("report.size", size=human_bytes(row["size_bytes"])),
            t("report.model_file", file=rundir.MODEL)
            if (self.folder / rundir.MODEL).exists()
            else t("report.model_file_missing", file=rundir.MODEL),
            *training_facts(self),
            time_line.sentence(self.info, self.events),
        ]
        out.append("\n".join(f"- {fact}" for fact in facts if fact))
        out.append(drivers_section(self))
        out += [self.figure(name) for name in plots.MODEL_CHARTS] + [whatif_record.section(self.folder.path)]
        out = [part for part in out if part]
        params = self.info.get("refit", {}).get("params")
        if params:
            out.append(f"### {t('report.h_params')}")
            out.append(
                table([t("report.col_param"), t("report.col_value")], [[k, v] for k, v in sorted(params.items())])
            )
        return "\n\n".join(out)

    def reproduce(self) -> str:
        out = [f"## 6. {t('report.h_reproduce')}"]
        if self.config:
            exact = shlex.join(["automl-tui", "--preset", str(self.folder / rundir.CONFIG)])
            exactly = self.config.get("max_trials") is not None  # a budget-free search repeats itself
            words = t("report.reproduce_exact") if exactly else t("report.reproduce_budget")
            out.append(words + "\n\n" + md_code_block(exact))
        typed = self.info.get("config")
        if typed:
            # the table's path is the user's (it may hold a name or an address): masked; config.toml keeps it whole
            shown = {**typed, "data": mask(str(typed["data"]))} if typed.get("data") else typed
            out.append(t("report.reproduce_typed") + "\n\n" + md_code_block(config_mod.command_line(shown)))
        out.append(
            t("report.reproduce_config", file=rundir.CONFIG, seed=self.info.get("seed", self.config.get("seed", "?")))
        )
        versions = self.info.get("versions", {})
        if versions:
            out.append(", ".join(f"{k} {v}" for k, v in versions.items()))
        return "\n\n".join(out)

    def warnings(self, topic: str | None = None) -> list[str]:
        """The run's warnings (those about `topic` only, when given: events.WARNING_TOPICS), as Markdown: they
        quote column names, class labels and values from the table (md_safe)."""
        return [
            md_safe(e["message"])
            for e in self.events
            if e.get("kind") == "warning" and topic in (None, e.get("topic", "data"))
        ]

    def missing_artifacts(self) -> list[tuple[str, str]]:
        """(artifact, reason) for everything that should exist and does not (missing_section.py)."""
        return missing_artifacts(self)

    def figure(self, name: str) -> str:
        """The chart as an image when its PNG exists, as a link when only the HTML does, else nothing."""
        caption = t(f"report.fig_{name}")
        page = f"{rundir.PLOTS}/{name}.html"
        if (self.folder / rundir.PLOTS / f"{name}.png").exists():
            return f"![{caption}]({rundir.PLOTS}/{name}.png)\n\n[{t('report.interactive')}]({page})"
        if (self.folder / page).exists():
            return f"[{caption}]({page})"
        return ""
