"""Which saved model answers predict, whatif and optimize: the one adopted for a use (trained for keeps by
`adopt --refit`: refit_adopted.py), else the latest adoption's, else the run's recommended model."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from automl_tui_engine.errors import UserError
from automl_tui_engine.messages import listing, suggest, t
from automl_tui_engine.outputs import decision_record, rundir


@dataclass(frozen=True)
class Answering:
    """The saved model that answers, and why it is that one."""

    path: Path
    model: str  # the candidate's name on the leaderboard
    signature: str | None  # this user's signature of the file, as recorded when it was saved
    use: str = ""  # the adoption it answers for; "" for the run's recommended model
    note: str = ""  # a word for the user when the choice is not the one they may expect


def answering(run_dir: Path, use: str | None = None) -> Answering:
    """The model for `use` (an adoption's), else for the latest adoption, else the recommended one. An adoption
    named with --use that was not trained (adopt without --refit) is an error that says how; the latest one,
    when not named, lets the recommended model answer and says so."""
    info = rundir.RunFolder(Path(run_dir)).read_json(rundir.RUN_JSON)
    recommended = Answering(
        Path(run_dir) / rundir.MODEL, str(info.get("recommended") or ""), info.get("model_signature")
    )
    adopted = decision_record.adoptions(info)
    if use is not None:
        chosen = next((a for a in adopted if a["use"] == " ".join(use.split())), None)
        if chosen is None:
            uses = [a["use"] for a in adopted]
            raise UserError("adopt.unknown_use", use=use, hint=suggest(use, uses), known=listing(uses) or "—")
    elif adopted:
        chosen = max(adopted, key=lambda a: a["at"])
    else:
        return recommended
    if chosen["model"] == recommended.model:
        return Answering(recommended.path, recommended.model, recommended.signature, chosen["use"])
    saved = chosen.get(FILE)
    if isinstance(saved, str) and saved:
        return Answering(Path(run_dir) / saved, chosen["model"], chosen.get(SIGNATURE), chosen["use"])
    if use is not None:
        raise UserError("adopt.not_refit", model=chosen["model"], use=chosen["use"], run_dir=run_dir)
    note = t("adopt.answers_recommended", model=chosen["model"], use=chosen["use"], recommended=recommended.model)
    return Answering(recommended.path, recommended.model, recommended.signature, note=note)


# what an adoption record keeps of its trained model (run.json's adoptions), beside adoption.py's fields
FILE, SHA256, SIGNATURE, TEST_METRICS, TRAIN_ROWS = "file", "sha256", "signature", "test_metrics", "train_rows"


def answered_by(answer: Answering) -> str:
    """Which model answered, in words, for every face."""
    if answer.use:
        return t("adopt.answered_by_use", model=answer.model, use=answer.use)
    return t("adopt.answered_by", model=answer.model)
