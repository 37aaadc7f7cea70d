"""The catalogues read as written by one careful person (issue 39, item 6): in Japanese, one colon style (full
width after Japanese words; the half-width colon only inside syntax such as `下限:上限` or `phase:predict`), no
ASCII punctuation inside Japanese sentences, one word per term; in both, the same placeholders for each key."""

from __future__ import annotations

import re
import tomllib
from importlib import resources

import pytest

JAPANESE = r"[\u3040-\u30ff\u4e00-\u9fff）」』】]"
# (what is wrong, the pattern that finds it) in the Japanese catalogue
JAPANESE_STYLE = [
    ("a half-width colon and space after Japanese words: write ：", re.compile(JAPANESE + r": ")),
    ("a half-width comma after Japanese words: write 、", re.compile(JAPANESE + r",(?!\d)")),
    ("a half-width bracket after Japanese words: write （", re.compile(JAPANESE + r"\((?![^)]*\))")),
    ("a half-width ? or ! after Japanese words: write ？ or ！", re.compile(JAPANESE + r"[?!]")),
    ("フォルダ: the term is フォルダー", re.compile(r"フォルダ(?!ー)")),
    ("並べ替え重要度: the term is 順列重要度", re.compile(r"並べ替え重要度")),
    ("ms/千行 or ミリ秒/千行: the unit is ミリ秒/1,000行", re.compile(r"(?:ms|ミリ秒)/千行")),
    ("決定後: the decision is 判断 (判断サマリー)", re.compile(r"決定後")),
    ("いま: the word is 現在", re.compile(r"いま[\d{]")),
    ("nested full-width brackets", re.compile(r"（[^（）]*（")),
]


def catalogue(language: str) -> dict[str, str]:
    texts: dict[str, str] = {}

    def walk(section: dict, prefix: str) -> None:
        for key, value in section.items():
            if isinstance(value, dict):
                walk(value, f"{prefix}{key}.")
            elif isinstance(value, str):
                texts[f"{prefix}{key}"] = value

    walk(
        tomllib.loads(resources.files("automl_tui_engine.locales").joinpath(f"{language}.toml").read_text("utf-8")), ""
    )
    return texts


@pytest.mark.parametrize(("wrong", "pattern"), JAPANESE_STYLE, ids=[w.split(":")[0] for w, _ in JAPANESE_STYLE])
def test_japanese_is_written_in_one_style(wrong, pattern):
    found = {key: text for key, text in catalogue("ja").items() if pattern.search(text)}
    assert not found, f"{wrong}: {found}"


def test_each_key_has_the_same_placeholders_in_both_languages():
    english, japanese = catalogue("en"), catalogue("ja")
    names = re.compile(r"\{(\w+)")
    differ = {
        key: (sorted(set(names.findall(english[key]))), sorted(set(names.findall(text))))
        for key, text in japanese.items()
        if key in english and set(names.findall(english[key])) != set(names.findall(text))
    }
    assert not differ
