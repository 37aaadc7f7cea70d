"""Every word users read comes from the catalogues: keys used in the code must exist in each of them, also the keys
the code builds at run time from a value (a status, a phase, a priority), for every value that value can take."""

import re
from pathlib import Path

import pytest
from automl_tui_engine import decision, errors, events, glossary, messages, retraining, verdict
from automl_tui_engine.config import PRIORITIES
from automl_tui_engine.messages import _catalogue, t
from automl_tui_engine.outputs import plots, search_counts, time_line, whatif_record
from automl_tui_engine.search import outcome, refit
from automl_tui_engine.table import data, preprocess
from automl_tui_engine.tasks import Task

from automl_tui.records_cli import LOCAL_RUNS_COLUMNS, SERVER_RUNS_COLUMNS
from automl_tui.screens.base import STEPS
from automl_tui.widgets.leaderboard import COLUMNS

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [*ROOT.glob("engine/**/*.py"), *ROOT.glob("automl_tui/**/*.py")]
LITERAL_KEY = re.compile(r"""(?:\bt|UserError)\(\s*["']([a-z_]+\.[a-z_]+)["']""")
BUILT_KEY = re.compile(r"""\b(?:t|Said)\(\s*f(["'])(.*?)\1""")  # t(f"…") and Said(f"…"): keys built at run time
LANGUAGES = messages.languages()
TASKS = list(Task)

# every key the code builds at run time ({...} stands for the value), with every value it can take, each from the
# value's one definition: a new status, phase or chart there has to have its words in every catalogue
BUILT_KEYS = {
    "wizard_errors.{}": sorted(name for _, name in errors.WIZARD_WORDED),  # each a data.* error worded again
    "status.{}": [*events.CANDIDATE_STATUSES, *events.LIVE_STATUSES],
    "tui.phase_{}": events.PHASES,
    "report.status_{}": [s for s in events.RUN_STATUSES if s != "finished"],
    "cli.col_{}": (*LOCAL_RUNS_COLUMNS, *SERVER_RUNS_COLUMNS),
    "whatif.kind_{}": whatif_record.KINDS,
    "run_status.{}": events.RUN_STATUSES,
    "report.stop_{}": [s for s in outcome.STOPS if s != "budget"],  # budget's two have literal keys
    "report.refit_{}": refit.HOWS,
    "report.fig_{}": [*plots.RUN_CHARTS, *plots.MODEL_CHARTS],
    "plots.tradeoff_{}_title": plots.TRADEOFF_AXES,
    "plots.tradeoff_{}_axis": plots.TRADEOFF_AXES,
    "preprocess.drop_{}": data.DROPPED_KINDS,
    "priority.{}": PRIORITIES,
    "reason.{}": [p for p in PRIORITIES if p != "accuracy"],  # accuracy always picks the best: reason.best
    "reason.also_{}": [p for p in PRIORITIES if p != "accuracy"],
    "reason.tied_{}": ["speed", "balanced"],
    "search_counts.not_{}": search_counts.NOT_COMPARED,
    "time_line.{}": [part for part, _ in time_line.MARKS],  # size has its own sentence (its leader is the smallest)
    "tui.priority_{}_title": PRIORITIES,
    "tui.priority_{}_help": PRIORITIES,
    "tui.task_{}": TASKS,
    "words.task_{}": TASKS,
    "words.priority_{}": PRIORITIES,
    "words.kind_{}": data.COLUMN_KINDS,
    "words.treatment_{}": preprocess.TREATMENTS,
    "tui.{}_title": STEPS,
    "tui.{}_help": STEPS,
    "tui.tab_{}": decision.AXES,
    "tui.lb_{}": list(COLUMNS),
    "verdict.{}": verdict.LEVELS,
    "evaluation.{}": verdict.LEVELS,  # how the model in use did against guessing on rows with outcomes
    "retrain.{}": retraining.VERDICTS,
    "glossary.{}": glossary.TERMS,
    "glossary.{}_term": glossary.OTHER_TERMS,
    "metrics.{}": glossary.METRIC_TERMS,
}


def built_key_patterns() -> set[str]:
    found = set()
    for path in SOURCES:
        for _, template in BUILT_KEY.findall(path.read_text(encoding="utf-8")):
            found.add(re.sub(r"\{[^}]*\}", "{}", template))
    return found


def any_key_literal() -> re.Pattern:
    """Any string literal that reads as a key of a catalogue section ("data.missing_file"), wherever it is written
    (a key chosen in code and passed on later); file names such as "report.md" are not keys."""
    sections = sorted({key.split(".")[0] for key in _catalogue("en")})
    return re.compile(
        rf"""["']((?:{"|".join(sections)})\.(?!(?:md|csv|json|jsonl|toml|html|png|joblib)\b)[a-z_]+)["']"""
    )


def test_every_literal_key_in_the_code_is_in_every_catalogue():
    used = {key for path in SOURCES for key in LITERAL_KEY.findall(path.read_text(encoding="utf-8"))}
    assert len(used) > 50  # the pattern really finds the calls
    used |= {key for path in SOURCES for key in any_key_literal().findall(path.read_text(encoding="utf-8"))}
    for language in LANGUAGES:
        assert not sorted(used - set(_catalogue(language))), language


def test_every_key_built_at_run_time_is_known_here():
    found = built_key_patterns()
    assert len(found) > 10  # the pattern really finds the calls
    assert not sorted(found - set(BUILT_KEYS)), "add the new key and its values' definition to BUILT_KEYS"
    assert not sorted(set(BUILT_KEYS) - found), "a key no longer built: remove it from BUILT_KEYS"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("pattern", sorted(BUILT_KEYS))
def test_keys_built_at_run_time_exist_for_every_value(pattern, language):
    missing = [
        pattern.format(value) for value in BUILT_KEYS[pattern] if pattern.format(value) not in _catalogue(language)
    ]
    assert not missing


def test_a_missing_message_shows_its_key_and_is_logged_never_raises(caplog):
    assert t("status.no_such_status") == "status.no_such_status"
    assert "status.no_such_status" in caplog.text


def test_unknown_language_falls_back_to_english(monkeypatch):
    monkeypatch.setenv("AUTOML_TUI_LANG", "xx")
    assert t("alt.fastest") == "Fastest to predict"


def test_placeholders_are_filled():
    assert t("data.too_few_rows", rows=3, needed=20).startswith("Only 3 usable rows; at least 20")


def test_plain_words_are_found_by_their_own_words_and_each_metric_has_them():
    from automl_tui_engine.extension.registry import metrics

    text = "Clearly better than guessing: balanced accuracy 0.947 ± 0.025 on the test rows; see TopK and SHAP."
    assert glossary.found_in(text) == ["baseline", "balanced_accuracy", "spread", "test_rows", "topk", "shap"]
    assert "accuracy" not in glossary.found_in("balanced accuracy")  # the longer term is not also the shorter
    assert glossary.found_in("By accuracy") == ["accuracy"]
    # every built-in metric a run can rank by has its plain words
    assert {spec.name for spec in metrics._BUILTIN} == set(glossary.METRIC_TERMS)
    assert glossary.kind_words("lightgbm #4") == "gradient-boosted trees (LightGBM)"
    assert glossary.kind_words("my_plugin_model") == "my_plugin_model"
