"""Masks personal data patterns in text shown to people (previews, reports)."""

from __future__ import annotations

import re

MASK = "***"
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
# Phone numbers: an optional +country code, then digits in groups; at least 9 digits in all.
_PHONE = re.compile(r"(?<![\w.])\+?\(?\d[\d\s().-]{7,}\d(?![\w.])")
_CARD = re.compile(r"(?<!\d)(?:\d[ -]?){13,19}(?!\d)")


def _mask_if_phone(match: re.Match[str]) -> str:
    digits = sum(ch.isdigit() for ch in match.group())
    return MASK if digits >= 9 else match.group()


def mask(text: str) -> str:
    """`text` with e-mail addresses, card-like digit runs and phone numbers replaced by ***."""
    text = _EMAIL.sub(MASK, text)
    text = _CARD.sub(MASK, text)
    return _PHONE.sub(_mask_if_phone, text)
