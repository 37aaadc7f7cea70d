"""Masks personal data patterns in text shown to people (previews, reports), in Western and Japanese writing:
full-width digits (a regex digit matches them) and the dashes and brackets Japanese text puts between them."""

from __future__ import annotations

import re

MASK = "***"
_EMAIL = re.compile(r"[\w.+-]+[@＠][\w-]+([.．][\w-]+)+")
_DASHES = "\\-－ー‐−–"  # hyphen-minus, full-width hyphen-minus, prolonged sound mark, hyphen, minus, en dash
# Phone numbers: an optional +country code, then digits in groups; at least 9 digits in all. Also a 12-digit
# individual number (マイナンバー), written in groups of four or not.
# not inside a longer run of Latin letters and digits; Japanese text runs on without spaces, so a kana or kanji
# beside the number is a boundary ("電話０３…です")
_EDGE = "\\dA-Za-zＡ-Ｚａ-ｚ_."
_PHONE = re.compile(rf"(?<![{_EDGE}])[+＋]?[(（]?\d[\d\s().（）{_DASHES}]{{7,}}\d(?![{_EDGE}])")
_CARD = re.compile(r"(?<!\d)(?:\d[ -]?){13,19}(?!\d)")
# a Japanese postal code is marked by 〒: seven digits alone are too often something else
_POSTAL = re.compile(rf"〒\s*\d{{3}}[{_DASHES}]?\d{{4}}")


def _mask_if_phone(match: re.Match[str]) -> str:
    digits = sum(ch.isdigit() for ch in match.group())
    return MASK if digits >= 9 else match.group()


def mask(text: str) -> str:
    """`text` with e-mail addresses, card-like digit runs, phone and individual numbers and postal codes
    replaced by ***."""
    text = _EMAIL.sub(MASK, text)
    text = _CARD.sub(MASK, text)
    text = _POSTAL.sub(MASK, text)
    return _PHONE.sub(_mask_if_phone, text)
