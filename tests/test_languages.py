"""Japanese is a first-class language: its catalogue has every message of the English one with the same
placeholders and none left in English; the language is chosen by --lang, a preset, AUTOML_TUI_LANG or the system's
locale; a run's report in Japanese has the English one's sections and numbers."""

import codecs
import re
import string
import subprocess
import sys
from pathlib import Path

import pytest
from automl_tui_engine import messages
from automl_tui_engine.messages import _catalogue, t

ROOT = Path(__file__).resolve().parent.parent
# messages that are the same words in every language: acronyms and names a Japanese reader writes so too, and
# the language switch, which names the other language in its own words
WORDS_IN_EVERY_LANGUAGE = {
    "metrics.roc_auc",
    "metrics.rmse",
    "metrics.mae",
    "glossary.topk_term",
    "glossary.shap_term",
    "tui.key_language",
    "doctor.clearml",  # a product's name
    "words.kind_id",
    "words.treatment_tfidf",
}
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff00-\uffef]")
# what stays as written in any language: `code`, 'quoted names', {placeholders}, commands and options, file names
NOT_WORDS = re.compile(r"`[^`]*`|'[^']*'|\{[^}]*\}|automl-tui( [-\w./]+)*|--[\w-]+( \w+)?|[\w-]+\.(md|csv|json|toml)")


def placeholders(text: str) -> set[str]:
    return {f"{name}:{spec}" for _, name, spec, _ in string.Formatter().parse(text) if name is not None}


def test_every_catalogue_has_every_key_and_the_same_placeholders():
    english = _catalogue("en")
    assert len(english) > 500
    for language in messages.languages():
        other = _catalogue(language)
        assert not sorted(set(english) - set(other)), f"{language} lacks these"
        assert not sorted(set(other) - set(english)), f"{language} has keys English does not"
        differing = [key for key in english if placeholders(english[key]) != placeholders(other[key])]
        assert not differing, f"{language}: other placeholders than English"


def test_no_japanese_message_is_left_in_english():
    untranslated = [
        key
        for key, text in _catalogue("ja").items()
        if key not in WORDS_IN_EVERY_LANGUAGE
        and not JAPANESE.search(text)
        and re.search(r"[A-Za-z]{2,}", NOT_WORDS.sub("", text))
    ]
    assert not untranslated


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({"LANG": "ja_JP.UTF-8"}, "ja"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "ja_JP.UTF-8", "LC_ALL": "C.UTF-8"}, "en"),  # LC_ALL first, as POSIX has it
        ({"LC_MESSAGES": "ja_JP.eucJP", "LANG": "en_US.UTF-8"}, "ja"),
        ({"LANG": "fr_FR.UTF-8"}, "en"),  # no French catalogue
        ({"LANG": "ja_JP.UTF-8", "AUTOML_TUI_LANG": "en"}, "en"),
        ({}, "en"),
    ],
)
def test_the_language_comes_from_the_variable_then_the_system_locale(monkeypatch, environment, expected):
    for variable in (messages.LANG_VARIABLE, *messages.LOCALE_VARIABLES):
        monkeypatch.delenv(variable, raising=False)
    for variable, value in environment.items():
        monkeypatch.setenv(variable, value)
    assert messages.language() == expected


def test_lang_on_the_command_line_speaks_japanese_and_a_language_without_words_is_one_line():
    command = [sys.executable, "-m", "automl_tui", "--lang", "ja", "--help"]
    shown = subprocess.run(command, capture_output=True, text=True, check=False)
    assert shown.returncode == 0 and JAPANESE.search(shown.stdout)
    assert _catalogue("ja")["cli.help_run"].split()[0] in shown.stdout
    refused = subprocess.run([*command[:3], "--lang=xx", "--help"], capture_output=True, text=True, check=False)
    assert refused.returncode == 2 and len(refused.stderr.strip().splitlines()) == 1
    assert "xx" in refused.stderr and "en, ja" in refused.stderr


def test_choose_language_reaches_the_processes_started_after(monkeypatch):
    monkeypatch.setenv(messages.LANG_VARIABLE, "en")
    messages.choose_language("ja")
    child = subprocess.run(
        [sys.executable, "-c", "from automl_tui_engine.messages import language; print(language())"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert child.stdout.strip() == "ja" and t("alt.fastest") == _catalogue("ja")["alt.fastest"]
    with pytest.raises(ValueError, match="en、ja"):  # said in Japanese, chosen just above
        messages.choose_language("xx")


SAMPLE_JA = ROOT / "examples" / "penguins_ja.csv"
# Japanese runs words and numbers together: only a Latin letter, digit or point beside a number is part of it
NUMBER = re.compile(r"(?<![0-9A-Za-z_.])\d+\.\d+(?![0-9A-Za-z_.])")


def sections_and_numbers(report: str) -> tuple[list[str], list[str]]:
    """The report's numbered sections, in order, and every decimal number it states, sorted; the glossary's
    made-up examples are not the run's numbers."""
    glossary_headings = {f"### {_catalogue(language)['glossary.h_words']}" for language in messages.languages()}
    stated, in_glossary = [], False
    for line in report.splitlines():
        if line.startswith("#"):
            in_glossary = line.strip() in glossary_headings
        if not in_glossary:
            stated.append(line)
    return re.findall(r"^## (\d+)\.", report, re.MULTILINE), sorted(NUMBER.findall("\n".join(stated)))


@pytest.mark.slow
def test_a_japanese_run_writes_a_japanese_report_with_the_english_ones_sections_and_numbers(tmp_path, monkeypatch):
    import automl_tui_engine as engine
    from conftest import quick_config

    monkeypatch.setenv(messages.LANG_VARIABLE, "en")  # the run chooses Japanese; this test's end restores English
    result = engine.run(quick_config(SAMPLE_JA, tmp_path / "runs", target="種", lang="ja", explain=True, charts="html"))
    run_dir = tmp_path / "runs" / result.run_id
    japanese = (run_dir / "report.md").read_text(encoding="utf-8")
    assert messages.language() == "ja"
    assert _catalogue("ja")["report.h_decision"] in japanese and "Decision Summary" not in japanese
    assert "種" in japanese and "アデリーペンギン" in japanese  # the table's own words, as written
    assert "dataset:penguins_ja-" in japanese or "penguins_ja-" in japanese  # the report says the key
    # Excel reads UTF-8 only after a byte order mark: without one a Japanese Windows shows the classes as mojibake
    for name in ("leaderboard.csv", "results_summary.csv", "test_predictions.csv"):
        assert (run_dir / name).read_bytes().startswith(codecs.BOM_UTF8), name
    assert "アデリーペンギン" in (run_dir / "test_predictions.csv").read_text(encoding="utf-8-sig")

    rebuilt = subprocess.run(
        [sys.executable, "-m", "automl_tui", "report", str(run_dir), "--lang", "en"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert rebuilt.returncode == 0, rebuilt.stderr
    english = (run_dir / "report.md").read_text(encoding="utf-8")
    assert "Decision Summary" in english and _catalogue("ja")["metrics.balanced_accuracy"] not in english
    assert sections_and_numbers(japanese) == sections_and_numbers(english)
    assert len(sections_and_numbers(english)[1]) > 20  # the comparison has something to compare


def test_a_japanese_file_name_is_kept_in_the_dataset_key(tmp_path):
    from automl_tui_engine.naming import dataset_key

    table = tmp_path / "顧客データ.csv"
    table.write_bytes("年齢,解約\n30,あり\n".encode("cp932"))
    key = dataset_key(table)
    assert re.fullmatch(r"顧客データ-[0-9a-f]{8}", key)
    (tmp_path / "ｶｽﾀﾏｰ　一覧.csv").write_bytes(table.read_bytes())  # half-width kana, a full-width space
    assert dataset_key(tmp_path / "ｶｽﾀﾏｰ　一覧.csv").startswith("カスタマー-一覧-")


def test_japanese_puts_nothing_between_sentences_and_an_empty_text_is_not_english(monkeypatch):
    monkeypatch.setenv(messages.LANG_VARIABLE, "ja")
    assert messages.sentences("一つ目です。", "二つ目です。") == "一つ目です。二つ目です。"
    assert messages.listing(["a", "b"]) == "a、b"
    monkeypatch.setenv(messages.LANG_VARIABLE, "en")
    assert messages.sentences("One.", "Two.") == "One. Two."
