"""The one owner of names: run ids, dataset keys, file-safe slugs and tracking tags."""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from datetime import datetime
from pathlib import Path
from typing import Any

from automl_tui_engine.core.privacy import mask
from automl_tui_engine.messages import t

# letters and digits of every script are kept (a Japanese table keeps its name in its key); separators, spaces,
# quotes and the rest are not
_UNSAFE = re.compile(r"[^\w.-]+")
_HASH_CHUNK = 1 << 20


RUNS_FOLDER = Path("runs")  # where run folders go unless --out (or the wizard's folder) says otherwise
DEFAULT_PRESET = "fast"  # the preset a run uses unless one is named


TUNED_MARK = " #"  # a tuned candidate is named after its kind: "hist_gb #3" is the third tuned hist_gb


def tuned_name(kind: str, number: int) -> str:
    return f"{kind}{TUNED_MARK}{number}"


def kind_of(candidate: str) -> str:
    """The model kind a candidate's name stands for ("hist_gb #3" → "hist_gb")."""
    return candidate.split(TUNED_MARK)[0]


def slug(text: str, max_len: int = 40) -> str:
    """A name safe in file names and tags: no separators, no traversal, never empty. NFKC first: full-width
    letters and digits become their usual forms, half-width kana full-width ones, so one name has one slug."""
    cleaned = _UNSAFE.sub("-", unicodedata.normalize("NFKC", text)).strip("-.")[:max_len].strip("-.")
    return cleaned or "data"


def new_run_id(now: datetime | None = None) -> str:
    """Sortable by start time, unique by a random suffix: `20261126-041200-a1b2c3`."""
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    return f"{stamp}-{secrets.token_hex(3)}"


def dataset_key(path: Path) -> str:
    """Readable stem plus a short content hash: the same bytes always give the same key."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_HASH_CHUNK):
            digest.update(chunk)
    return f"{slug(mask(path.stem))}-{digest.hexdigest()[:8]}"


# the phases of a run as ClearML tasks: the run's own phases (preprocessing, training, reporting), the task an
# agent runs a whole run in, and a pipeline's controller
# the answer columns of every predictions table (predict, test_predictions.csv, what-if)
PREDICTION = "prediction"
PROBABILITY = "probability_"  # + the class: one column per class of a classifier
# the predictions file's column naming a row's inputs outside what training saw (table/input_check.py)
OUTSIDE_TRAINING = "inputs_outside_training"


RANK = "rank"  # the best inputs' order, best first (whatif/best.py)


def probability_column(label: Any) -> str:
    return f"{PROBABILITY}{label}"


def answer_header(column: str) -> str:
    """An answer column's name as a file for people writes it, in the current language ('予測', '確率_否決',
    '順位'; English keeps the names programs read); any other column as it is."""
    words = {PREDICTION: "columns.prediction", OUTSIDE_TRAINING: "columns.outside_training", RANK: "columns.rank"}
    if column in words:
        return t(words[column])
    if column.startswith(PROBABILITY):
        return t("columns.probability", label=column.removeprefix(PROBABILITY))
    return column


RUN_PHASE = "run"
PIPELINE_PHASE = "pipeline"
# what is done with a run's model after it finished, each a task beside the run (clearml_tracking/after_decision.py)
INFERENCE_PHASE = "inference"  # a question asked of it: a grid of conditions, the best inputs
PREDICT_PHASE = "predict"  # a predictions file made, and what its input check found
EVALUATE_PHASE = "evaluate"  # a scoring on rows whose outcomes arrived
RETRAIN_PHASE = "retrain"  # a retrain weighed against the model in use
TEMPLATE = "template"  # the tag of a template task (automl-tui template save), beside template:<name>
SUPERSEDED = "superseded"  # superseded:<run_id>: a task of a run recorded again by `automl-tui track`


def tags(run_id: str, dataset: str, phase: str | None = None) -> list[str]:
    """Tags every task and artifact of a run carries."""
    out = [f"run:{run_id}", f"dataset:{dataset}"]
    if phase:
        out.append(phase_tag(phase))
    return out


def phase_tag(phase: str) -> str:
    """The tag that finds a run's tasks of one phase (`phase:reporting`: every run's one place to read)."""
    return f"phase:{phase}"


def model_tag(model: str) -> str:
    """The tag of a candidate's own task (besides the training phase's tags)."""
    return f"model:{slug(model)}"


def template_tags(name: str, dataset: str) -> list[str]:
    """The tags of a template task: found by `template`, by its name, and by its table."""
    return [TEMPLATE, f"{TEMPLATE}:{slug(name)}", f"dataset:{dataset}"]


ADOPTED = "adopted"


def adopted_tag(model: str) -> str:
    """The tag every task of a run gets when people adopt `model` from it (automl-tui adopt)."""
    return f"{ADOPTED}:{slug(model)}"


def with_adopted(task_tags: list[str], models: list[str]) -> list[str]:
    """`task_tags` with the adopted tags of exactly `models`: a model no use adopts any longer loses its tag."""
    kept = [tag for tag in task_tags if not tag.startswith(f"{ADOPTED}:")]
    return [*kept, *dict.fromkeys(adopted_tag(model) for model in models)]


def tag_value(task_tags: list[str], key: str) -> str:
    """The value of the `key:` tag among `task_tags`; "" when there is none."""
    return next((tag.removeprefix(f"{key}:") for tag in task_tags if tag.startswith(f"{key}:")), "")


def task_name(phase: str, run_id: str, dataset: str) -> str:
    """A ClearML task's name: `<phase> · <run_id> · <dataset_key>` (a candidate's task: `<model> · …`): the run and
    the table readable in any list of tasks, whatever project it was moved to."""
    return f"{phase} · {run_id} · {dataset}"
