"""The one catalogue of words users read (the command line, the wizard, the report, the model card).

Texts live in `engine/locales/<lang>.toml` so a translation is a new file, not a code change.
The language, first found: `--lang` or a preset's `lang` (both through `choose_language`, which sets
AUTOML_TUI_LANG so the processes a run starts speak it too), AUTOML_TUI_LANG, the system locale
(LC_ALL, LC_MESSAGES, LANG: `ja_JP.UTF-8` is Japanese), else English. A key missing in a translation
falls back to English so a partial translation never breaks a run.
"""

from __future__ import annotations

import difflib
import logging
import os
import threading
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import PurePath

DEFAULT_LANG = "en"


@cache
def _catalogue(lang: str) -> dict[str, str]:
    try:
        text = resources.files("automl_tui_engine.locales").joinpath(f"{lang}.toml").read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    flat: dict[str, str] = {}

    def walk(prefix: str, node: dict) -> None:
        for key, value in node.items():
            name = f"{prefix}.{key}" if prefix else key
            if isinstance(value, dict):
                walk(name, value)
            else:
                flat[name] = value

    walk("", tomllib.loads(text))
    return flat


LANG_VARIABLE = "AUTOML_TUI_LANG"
LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")  # POSIX order: the first one set decides


@cache
def languages() -> tuple[str, ...]:
    """The languages with a catalogue ("en", "ja")."""
    folder = resources.files("automl_tui_engine.locales")
    return tuple(sorted(p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml")))


_SPOKEN = threading.local()  # a language spoken for a while by one thread (speaking), over the process's


@contextmanager
def speaking(lang: str) -> Iterator[None]:
    """Words in `lang` from this thread for a while: a run folder's report is rewritten in the language it was
    written in, whoever's command rewrites it (the wizard's other threads keep their own)."""
    before = getattr(_SPOKEN, "lang", None)
    _SPOKEN.lang = known_language(lang)
    try:
        yield
    finally:
        _SPOKEN.lang = before


def language() -> str:
    spoken = getattr(_SPOKEN, "lang", None)
    if spoken:
        return str(spoken)
    chosen = os.environ.get(LANG_VARIABLE)
    if chosen:
        return chosen
    for variable in LOCALE_VARIABLES:
        value = os.environ.get(variable)
        if value:
            code = value.split(".")[0].split("_")[0].lower()  # "ja_JP.UTF-8" -> "ja"
            return code if code in languages() else DEFAULT_LANG
    return DEFAULT_LANG


def known_language(lang: str) -> str:
    """`lang` when it has a catalogue; else a ValueError that says which ones do."""
    if lang not in languages():
        raise ValueError(t("common.unknown_language", lang=lang, known=listing(languages())))
    return lang


def choose_language(lang: str) -> None:
    """Speak `lang` from now on, here and in every process started from here (a ValueError for one without a
    catalogue)."""
    os.environ[LANG_VARIABLE] = known_language(lang)


def next_language() -> str:
    """The language after the current one, in turn: what the wizard's language key switches to."""
    known = languages()
    return known[(known.index(language()) + 1) % len(known)] if language() in known else known[0]


def _lookup(key: str) -> str | None:
    """`key`'s text in the user's language, else in English; an empty text is a text (Japanese puts nothing
    between sentences)."""
    for lang in (language(), DEFAULT_LANG):
        text = _catalogue(lang).get(key)
        if text is not None:
            return text
    return None


def t(key: str, /, **values: object) -> str:
    """The text for `key` in the user's language, with `{placeholders}` filled in.

    A key missing from every catalogue is logged and shown as itself: a screen never crashes on a word (the
    catalogue tests keep the catalogues complete)."""
    text = _lookup(key)
    if text is None:
        logging.getLogger(__name__).error("message %r is not in the catalogue", key)
        return key
    if not values:
        return text
    # values may quote the table or a file name: no character of theirs may act on a terminal
    from automl_tui_engine.formatting import without_controls

    shown = {k: without_controls(str(v)) if isinstance(v, str | PurePath) else v for k, v in values.items()}
    return text.format(**shown)


def listing(items: Iterable[object]) -> str:
    """Items one after another as the language writes a list ("a, b" in English, "a、b" in Japanese)."""
    return t("common.list_separator").join(str(item) for item in items)


def labelled(label: str, text: str) -> str:
    """'label: text' as the language writes it ('ラベル：text' in Japanese)."""
    return f"{label}{t('common.colon')}{text}"


def md_item(label: str, text: str) -> str:
    """A Markdown list item, its label in bold: '- **Why**: …' ('- **理由**：…'); a question is answered after a
    space ('- **Is it any good?** Clearly…', never '?:')."""
    if label.endswith(("?", "？")):
        return f"- **{label}** {text}"
    return f"- {labelled(f'**{label}**', text)}"


def sentences(*parts: str) -> str:
    """Sentences one after another as the language writes them (a space between, or none in Japanese)."""
    return t("common.sentence_separator").join(part for part in parts if part)


@dataclass(frozen=True)
class Said:
    """Words kept as data: a message key and its values, put into the reader's language when shown. So a run folder
    keeps what a decision said, and a report rebuilt in Japanese says it in Japanese. A value may be a Said itself (a
    phrase inside a sentence) or a tuple of them (a list, joined as the language joins lists). With `fallback` the
    key may be missing from the catalogue (a plugin metric's own title) and the fallback is shown."""

    key: str
    values: Mapping[str, object] = field(default_factory=dict)
    fallback: str | None = None

    def text(self) -> str:
        if self.fallback is not None:
            return t_or(self.key, self.fallback)
        return t(self.key, **{name: _shown(value) for name, value in self.values.items()})

    def to_json(self) -> dict[str, object]:
        return {
            "key": self.key,
            "values": {name: _to_json(value) for name, value in self.values.items()},
            **({"fallback": self.fallback} if self.fallback is not None else {}),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Said:
        values = data.get("values") or {}
        assert isinstance(values, Mapping), data
        fallback = data.get("fallback")
        return cls(
            str(data["key"]),
            {name: _from_json(value) for name, value in values.items()},
            None if fallback is None else str(fallback),
        )


def said_text(said: Said | tuple[Said, ...]) -> str:
    """A Said, or a tuple of them as a list, in the reader's language."""
    return said.text() if isinstance(said, Said) else listing(part.text() for part in said)


def _shown(value: object) -> object:
    return said_text(value) if isinstance(value, Said | tuple) else value


def _to_json(value: object) -> object:
    if isinstance(value, Said):
        return value.to_json()
    return [_to_json(part) for part in value] if isinstance(value, tuple) else value


def _from_json(value: object) -> object:
    if isinstance(value, Mapping):
        return Said.from_json(value)
    return tuple(_from_json(part) for part in value) if isinstance(value, list) else value


def t_or(key: str, fallback: str) -> str:
    """The catalogue's text for `key`, else `fallback` (a plugin's own label, say)."""
    text = _lookup(key)
    return fallback if text is None else text


def suggest(word: str, choices: list[str] | tuple[str, ...]) -> str:
    """' (did you mean X?)' when a close match exists, else ''."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return t("common.did_you_mean", word=close[0]) if close else ""
