"""The live leaderboard: one keyed row per model, cells updated in place as events arrive."""

from __future__ import annotations

from typing import Any

from automl_tui_engine.events import status_word
from automl_tui_engine.formatting import human_bytes, score_text
from automl_tui_engine.messages import t

from automl_tui.widgets.plain import DataTable

# key -> width: fixed, because rows arrive empty and fill in as models finish; the model column (None) fits the
# longest name, since tuned candidates ("random_forest #12") are named only when they start. Together they fit an
# 80-column terminal: "balanced_accuracy", "12.34", "1234.56", "199.1 KB", "training…", and their Japanese
# headers ("学習秒", "ミリ秒": per 1,000 rows, as the board's tooltip says)
COLUMNS = {"model": None, "score": 17, "fit": 6, "latency": 7, "size": 9, "status": 9}


class Leaderboard(DataTable):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self.metric = ""
        self.lower_is_better = False
        self.bounded, self.unit = True, ""  # how the metric's figures are written (formatting.score_text)
        self.scores: dict[str, float] = {}  # the finished models'
        self.guessed: dict[str, float] = {}  # the guess's row: ranked with the models, not one of them

    def on_mount(self) -> None:
        for key, width in COLUMNS.items():
            self.add_column(t(f"tui.lb_{key}"), key=key, width=width)

    def set_metric(self, metric: str, title: str, lower_is_better: bool, bounded: bool = True, unit: str = "") -> None:
        """Score the rows by `metric` (its name in the rows), headed by `title` (its words for people)."""
        self.metric, self.lower_is_better, self.bounded, self.unit = metric, lower_is_better, bounded, unit
        self.columns["score"].label = title  # type: ignore[assignment]

    def upsert(self, model: str, **cells: str) -> None:
        """Add the model's row, or change only the cells given."""
        if model not in self.rows:
            self.add_row(model, "", "", "", "", "", key=model)
        for column, value in cells.items():
            self.update_cell(model, column, value)

    def guess(self, score: float) -> None:
        """The guess's row (what always answering the most frequent class, or the mean, scores): the models rank
        around it."""
        label = t("verdict.row")
        self.guessed[label] = score
        self.upsert(label, score=score_text(score, self.bounded, self.unit))
        self.rank()

    def finished(self, row: dict[str, Any]) -> None:
        m = self.metric
        self.scores[row["model"]] = row[f"{m}_mean"]
        with self.app.batch_update():
            self.upsert(
                row["model"],
                score=" ± ".join(score_text(row[f"{m}_{stat}"], self.bounded, self.unit) for stat in ("mean", "std")),
                fit=f"{row['fit_s']:.2f}",
                latency=f"{row['predict_ms_per_1k']:.2f}",
                size=human_bytes(row["size_bytes"]),
                status=status_word("ok"),
            )
            self.rank()

    def rank(self) -> None:
        worst = float("inf") if self.lower_is_better else float("-inf")
        # by the score kept per model (the cells hold formatted text, the model cell its name); unfinished rows go last
        ranked = {**self.guessed, **self.scores}
        self.sort("model", key=lambda model: ranked.get(model.plain, worst), reverse=not self.lower_is_better)
