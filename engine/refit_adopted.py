"""`adopt --refit`: an adopted alternative of a run trained for keeps as the run trained its recommended model
(every training row of the same split, the same preprocessing, settings and decision threshold), tested on the
same held-out rows and saved beside model.joblib (models/<name>.joblib, signed by this user), so predict, whatif
and optimize can use it (adopted_models.answering)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from automl_tui_engine.adopted_models import FILE, SHA256, SIGNATURE, TEST_METRICS, TRAIN_ROWS
from automl_tui_engine.errors import UserError
from automl_tui_engine.naming import slug
from automl_tui_engine.outputs import rundir


def needs_refit(run_dir: Path, model: str, use: str) -> bool:
    """Whether adopting `model` for `use` with --refit trains anything: raises, in words, when it cannot be adopted
    at all; False for the run's recommended model, which model.joblib already is."""
    from automl_tui_engine import adoption
    from automl_tui_engine.outputs import report

    summary = report.RunReport.load(Path(run_dir))
    adoption.adoptable(summary, model, use)
    return model != summary.info.get("recommended")


def refit(run_dir: Path, model: str) -> dict[str, Any]:
    """`model` (a finished candidate of the run) trained on the run's training rows and tested on its test rows,
    saved in the run folder; returns what its adoption record keeps of it. The run's table must still be where
    the run read it, unchanged."""
    from automl_tui_engine.config import build_from
    from automl_tui_engine.extension.registry import steps
    from automl_tui_engine.naming import dataset_key
    from automl_tui_engine.outputs import report
    from automl_tui_engine.preparing import prepare
    from automl_tui_engine.search import evaluate, threshold

    run_dir = Path(run_dir)
    summary = report.RunReport.load(run_dir)
    config_path = run_dir / rundir.CONFIG
    config = build_from(tomllib.loads(config_path.read_text(encoding="utf-8")), str(config_path))
    prepared = prepare(config)
    if dataset_key(config.table()) != summary.dataset_key:  # another table under the run's file name
        raise UserError("adopt.table_changed", path=config.data, key=summary.dataset_key)
    row = summary.by_model[model]
    candidate = _candidate(model, {r["model"]: r for r in summary.attempted}, prepared.specs)
    cut = row.get("threshold")  # the decision threshold it was ranked at, when not 0.5
    folds, task = prepared.folds, prepared.dataset.task
    plugin_steps = tuple(steps.get(name) for name in config.steps)
    pipeline = threshold.apply(
        candidate.pipeline(prepared.plans, task, config.seed, plugin_steps),
        float(cut) if cut not in (None, "") else None,
    )
    pipeline.fit(folds.X_train, folds.y_train)
    tested = evaluate.Replay.of(pipeline, folds.X_test, task)
    scores = evaluate.replay_scores(tested, folds.y_test, task, prepared.task_metrics)
    relative = f"{rundir.ADOPTED_MODELS}/{slug(model)}.joblib"
    (run_dir / rundir.ADOPTED_MODELS).mkdir(exist_ok=True)
    sha, signature = rundir.save_model(pipeline, run_dir / relative)
    return {FILE: relative, SHA256: sha, SIGNATURE: signature, TEST_METRICS: scores, TRAIN_ROWS: len(folds.y_train)}


def _candidate(name: str, rows: dict[str, dict[str, Any]], specs: list[Any]) -> Any:
    """A candidate built again from what results_summary.csv keeps of it (search.Candidate.describe())."""
    import json

    from automl_tui_engine.search.candidates import Candidate
    from automl_tui_engine.table.preprocess import AS_IS

    described = json.loads(rows[name].get("params") or "{}")
    if "members" in described:
        members = tuple((_candidate(member, rows, specs), weight) for member, weight in described["members"].items())
        return Candidate(name=name, spec=None, members=members)
    by_name = {spec.name: spec for spec in specs}
    if described.get("family") not in by_name:
        raise UserError("adopt.kind_unavailable", model=name, kind=described.get("family", "?"))
    spec, params = by_name[described["family"]], described.get("params") or {}
    return Candidate(name=name, spec=spec, params=params, target=described.get("target", AS_IS))
