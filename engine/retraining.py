"""Retrain and compare: `automl-tui retrain RUN_DIR NEW.csv [--append]` (issue 38).

The run's own settings are run again on the new table (with `--append`, on the run's training table with the new
rows after it), less fresh test rows kept from the new rows: the latest FRESH_SHARE of them by date when the run
split by time, else a random FRESH_SHARE (the run's seed). The new run's recommendation (the challenger) and the
old run's model in use (the champion) are then scored on those same fresh rows by the old run's ranking metric.
"replace" only when the challenger is better beyond the noise of those rows: its gain over the champion is above
NOISE_SE standard errors of the gain, from the rows drawn again with replacement (both models on the same draws);
else "keep". The new run folder records its champion and the verdict (run.json's "champion"), and its report says
it; `automl-tui adopt` is how a team switches."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from automl_tui_engine import config as config_mod
from automl_tui_engine import evaluation
from automl_tui_engine.adopted_models import answering
from automl_tui_engine.clearml_tracking.after_decision import Told, tell
from automl_tui_engine.decision import directed
from automl_tui_engine.errors import UserError
from automl_tui_engine.messages import t
from automl_tui_engine.naming import RETRAIN_PHASE
from automl_tui_engine.outputs import run_record, rundir

if TYPE_CHECKING:
    import pandas as pd
    from automl_tui_engine.clearml.remote import Source
    from automl_tui_engine.launching import Where

FRESH_SHARE = 0.2
MIN_FRESH_ROWS = evaluation.FEW_ROWS  # fewer and the comparison is a handful of answers: refused, with what to do
NOISE_SE = evaluation.NOISE_SE
REPLACE, KEEP = VERDICTS = ("replace", "keep")  # what a retrain says of the model in use
CHAMPION = "champion"  # run.json's key in the challenger's run: the champion it was compared with, and the verdict


@dataclass(frozen=True)
class Plan:
    """The run again (its settings, on the rows to learn from) and the fresh rows both models are scored on."""

    config: config_mod.RunConfig
    fresh: Path
    champion_run: Path


@dataclass(frozen=True)
class Comparison:
    """The challenger against the champion on the same fresh rows."""

    verdict: str  # one of VERDICTS
    metric: str
    rows: int
    champion_run: str
    champion_model: str
    champion_score: float
    challenger_model: str
    challenger_score: float
    gain: float  # the challenger's score minus the champion's, higher always better
    se: float  # the gain's standard error over the rows drawn again
    fresh: str  # the file of fresh rows
    champion_known_rows: int | None = None  # fresh rows the champion's own table holds: it learned their answers

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Compared:
    """What `compare` did: the comparison, recorded in the challenger's run, and what the champion's ClearML was
    told of it (a tracked champion: a retrain task beside its run)."""

    comparison: Comparison
    told: Told


def plan(run_dir: Path, new_table: Path, append: bool = False) -> Plan:
    """The retrain of `run_dir`'s settings on `new_table` (after the old training table with `append`): the tables
    written beside the runs (`<out>/retrain-<run_id>-<time>/`), the fresh rows apart."""
    import pandas as pd
    from automl_tui_engine import predict
    from automl_tui_engine.table import reading

    run_dir = Path(run_dir)
    record = run_record.RunRecord.load(run_dir)
    expected = predict.schema(run_dir)
    values = dict(record.config)
    new, _ = reading.read_table(Path(new_table))
    if expected.target not in new.columns:
        raise UserError("retrain.no_target", path=new_table, target=expected.target)
    predict.check_columns([str(c) for c in new.columns], expected)
    # the run's time column, as its split found it (data_profile.json), when it tested on the latest rows
    split = record.profile.get("split") or {}
    by_time = split.get("column") if split.get("how") == "time" else None
    fresh_rows = _fresh(new, by_time, int(values.get("seed", 0)))
    if len(fresh_rows) < MIN_FRESH_ROWS:
        raise UserError("retrain.too_few_rows", path=new_table, rows=len(new), needed=_needed())
    learn = new.drop(index=fresh_rows.index)
    if append:
        old_path = Path(str(values.get("data", "")))
        if not old_path.is_file():
            raise UserError("retrain.old_table_gone", path=old_path)
        old, _ = reading.read_table(old_path, values.get("encoding"))
        learn = pd.concat([old, learn], ignore_index=True)
    out = run_dir.parent  # beside the run here (its settings' folder may be an agent's, for a run brought home)
    folder = out / f"retrain-{record.run_id}-{dt.datetime.now():%Y%m%d-%H%M%S}"
    folder.mkdir(parents=True, exist_ok=False)
    learn_path, fresh_path = folder / f"{Path(new_table).stem}_learn.csv", folder / f"{Path(new_table).stem}_fresh.csv"
    rundir.write_frame(learn, learn_path)
    rundir.write_frame(fresh_rows, fresh_path)
    overrides = {"data": learn_path, "out": out, "encoding": None}
    config = config_mod.build_from(values, t("retrain.source", run_dir=run_dir), overrides)
    return Plan(config=config, fresh=fresh_path, champion_run=run_dir)


def where(retrain: Plan, queue: str) -> Where:
    """Where the retrain runs: here, or with `queue` on a ClearML agent, as a clone of the champion's run task when
    it has one (a run made on a queue: the retrain is then its child in ClearML), else as a run task of its own.
    Either carries the new table; a retrain on a queue is followed to its end and brought home to be compared."""
    from automl_tui_engine.launching import Where

    if not queue:
        return Where()
    reporting = rundir.RunFolder(retrain.champion_run).read_json(rundir.CLEARML).get("reporting_task")
    return Where(queue=queue, source=_run_task(str(reporting)) if reporting else None)


def _run_task(reporting_task: str) -> Source | None:
    from automl_tui_engine.clearml import remote

    try:
        return remote.clone_source(reporting_task)
    except UserError:  # a run made here has no run task to clone: the retrain gets one of its own
        return None


def compare(retrain: Plan, challenger_run: Path) -> Compared:
    """The challenger (the new run's recommended model) against the champion (the old run's model in use) on the
    fresh rows; recorded in the challenger's run.json and report, and beside a tracked champion in ClearML."""
    import numpy as np
    from automl_tui_engine.outputs import report
    from automl_tui_engine.outputs.since_decision import champion_lines

    champion = evaluation.scored(retrain.champion_run, answering(retrain.champion_run), retrain.fresh)
    challenger = evaluation.scored(Path(challenger_run), answering(Path(challenger_run)), retrain.fresh)
    both = champion.keep & challenger.keep  # rows whose outcome both models learned
    if not both.any():
        raise UserError("evaluation.no_outcomes", path=retrain.fresh, target=champion.target)
    metric = champion.metrics[0]  # the decision's metric: the one the champion was chosen by
    truth = champion.truth_of(both)
    ours, theirs = challenger.replay_of(both), champion.replay_of(both)
    ours_score, theirs_score = (metric.value(r.task, r, None, truth) for r in (ours, theirs))
    gain = directed(ours_score, metric) - directed(theirs_score, metric)
    rng = np.random.default_rng(0)
    draws = (rng.integers(0, len(truth), len(truth)) for _ in range(evaluation.RESAMPLES))
    gains = [g for rows in draws if (g := evaluation.paired_gain(ours, theirs, truth, rows, metric)) is not None]
    se = float(np.std(gains)) if len(gains) > 1 else math.inf
    comparison = Comparison(
        verdict=REPLACE if gain > 0 and gain > NOISE_SE * se else KEEP,
        metric=metric.name,
        rows=len(truth),
        champion_run=str(retrain.champion_run),
        champion_model=champion.model,
        champion_score=theirs_score,
        challenger_model=challenger.model,
        challenger_score=ours_score,
        gain=gain,
        se=se,
        fresh=str(retrain.fresh),
        champion_known_rows=champion.known_count(both),
    )
    run_record.amend(Path(challenger_run), **{CHAMPION: comparison.to_json()})
    report.write(Path(challenger_run))
    try:  # the champion's own record too: its report says a retrain was weighed, and what came of it
        line = {"when": rundir.local_now(), "challenger_run": Path(challenger_run).name, **comparison.to_json()}
        rundir.RunFolder(retrain.champion_run).append_line(rundir.RETRAINS, line)
        report.write(retrain.champion_run)
    except OSError:  # a champion's folder shared read-only: the challenger's run keeps the comparison
        pass
    said = champion_lines(comparison.to_json(), metric)
    challenger_link = rundir.RunFolder(Path(challenger_run)).shared_link()
    if challenger_link:  # the challenger was tracked too: its run is one click away
        said.append(t("retrain.challenger_link", link=challenger_link))
    found = {**comparison.to_json(), "challenger_run": Path(challenger_run).name, "challenger_link": challenger_link}
    told = tell(retrain.champion_run, RETRAIN_PHASE, "\n".join(said), {"comparison": found})
    return Compared(comparison, told)


def _fresh(new: pd.DataFrame, time_column: str | None, seed: int) -> pd.DataFrame:
    """The fresh test rows: the latest share by the run's time column, else a random share (the run's seed)."""
    from automl_tui_engine.table.data import timestamps

    count = max(int(round(len(new) * FRESH_SHARE)), 1)
    if time_column is not None and time_column in new.columns:
        order = timestamps(new[time_column], utc=True).sort_values(kind="stable", na_position="first")
        return new.loc[order.index[-count:]]
    return new.sample(count, random_state=seed)


def _needed() -> int:
    return math.ceil(MIN_FRESH_ROWS / FRESH_SHARE)
