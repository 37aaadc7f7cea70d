"""Every word users read comes from the catalogue: keys used in the code must exist there."""

import re
from pathlib import Path

import pytest

from engine.messages import _catalogue, t

ROOT = Path(__file__).resolve().parent.parent
LITERAL_KEY = re.compile(r"""(?:\bt|UserError)\(\s*["']([a-z_]+\.[a-z_]+)["']""")
DYNAMIC_KEYS = {
    "preprocess.drop_": ["id", "constant", "empty"],
    "reason.also_": ["speed", "size", "balanced"],
    "reason.": ["speed", "size", "balanced"],
    "run.skipped_": ["task", "dependency"],
    "priority.": ["accuracy", "speed", "size", "balanced"],
    "report.status_": ["running", "cancelled", "no_candidate"],
}


def test_every_literal_key_in_the_code_is_in_the_catalogue():
    sources = [*ROOT.glob("engine/**/*.py"), *ROOT.glob("automl_tui/**/*.py")]
    used = {key for path in sources for key in LITERAL_KEY.findall(path.read_text(encoding="utf-8"))}
    assert len(used) > 50  # the pattern really finds the calls
    missing = sorted(used - set(_catalogue("en")))
    assert not missing


@pytest.mark.parametrize("prefix", DYNAMIC_KEYS)
def test_keys_built_at_run_time_exist(prefix):
    for suffix in DYNAMIC_KEYS[prefix]:
        assert f"{prefix}{suffix}" in _catalogue("en")


def test_unknown_language_falls_back_to_english(monkeypatch):
    monkeypatch.setenv("AUTOML_TUI_LANG", "xx")
    assert t("alt.fastest") == "Fastest to predict"


def test_placeholders_are_filled():
    assert t("data.too_few_rows", rows=3, needed=20).startswith("Only 3 usable rows; at least 20")
