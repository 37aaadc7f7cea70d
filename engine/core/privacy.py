"""Masks personal data patterns in text shown to people (previews, reports), in Western and Japanese writing:
full-width digits (a regex digit matches them) and the dashes and brackets Japanese text puts between them."""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pandas loads with the table, not with the module
    import pandas as pd

MASK = "***"
_EMAIL = re.compile(r"[\w.+-]+[@＠][\w-]+([.．][\w-]+)+")
_DASHES = "\\-－ー‐−–"  # hyphen-minus, full-width hyphen-minus, prolonged sound mark, hyphen, minus, en dash
# A number as a tokenizer sees it: an optional +country code and bracket, then digits in groups (spaces, dashes,
# brackets between). Names glue numbers to words (customer_09012345678.csv, tel_03-1234-5678,
# phone０９０１２３４５６７８), so letters, `_` and `.` beside it do not make it something else...
_NUMBER = re.compile(rf"[+＋]?[(（]?\d(?:[\d\s()（）{_DASHES}]*\d)?")
_LATIN = re.compile(r"[A-Za-zＡ-Ｚａ-ｚ]")
# ...but letters on both sides do (a product code: A0901234567x), and so does a date at its start: run ids and
# timestamps (20261205-061532, 2026-12-05 06:15) stay readable
_DATE_START = re.compile(r"(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])")
LONGEST_HARMLESS = 8  # digits: phone numbers have 9 or more (with the area code), card and individual numbers more
# a Japanese postal code is marked by 〒: seven digits alone are too often something else
_POSTAL = re.compile(rf"〒\s*\d{{3}}[{_DASHES}]?\d{{4}}")


def _mask_number(match: re.Match[str]) -> str:
    """*** for a phone, card or individual number: 9 digits or more, not a code inside a word, a decimal's
    fraction, or a date and time."""
    text, whole = match.group(), match.string
    start, end = match.span()
    before, after = whole[start - 1 : start] if start else "", whole[end : end + 1]
    if _LATIN.fullmatch(before or "-") and _LATIN.fullmatch(after or "-"):
        return text
    if before == "." and whole[start - 2 : start - 1].isdigit():
        return text
    digits = unicodedata.normalize("NFKC", "".join(ch for ch in text if ch.isdigit()))
    if len(digits) <= LONGEST_HARMLESS or _DATE_START.match(digits):
        return text
    return MASK


def mask(text: str) -> str:
    """`text` with e-mail addresses, phone, card and individual numbers and postal codes replaced by ***."""
    text = _EMAIL.sub(MASK, text)
    text = _POSTAL.sub(MASK, text)
    return _NUMBER.sub(_mask_number, text)


def preview_rows(frame: pd.DataFrame, profiles: list[Any], rows: int = 8) -> list[list[str]]:
    """The first rows as text for a preview, with personal data (e-mails, phone numbers, cards) masked."""
    text_kinds = {p.name: p.kind not in ("numeric", "datetime") for p in profiles}
    head = frame.head(rows)
    return [
        [
            "" if value is None or value != value else mask(str(value)) if text_kinds.get(str(name)) else str(value)
            for name, value in zip(head.columns, values, strict=True)
        ]
        for values in head.itertuples(index=False)
    ]


# Column names that say the column holds personal data: a person's name, e-mail address, phone number or address.
# "name" alone is not among them (a product's or a shop's name is no person's); 名 alone neither (商品名, 店舗名).
_PERSONAL_NAME = re.compile(
    r"(^|[_\s.-])(full|first|last|given|family|middle|sur|customer|client|person|contact|user|member|patient|"
    r"employee|applicant)[_\s.-]?name($|[_\s.-])|^surname$|e-?mail|phone|telephone|^tel($|[_\s.-])|mobile|^fax$|"
    r"(^|[_\s.-])(street|postal|home|mailing)?[_\s.-]?address($|[_\s.-])|"
    r"氏名|名前|フリガナ|ふりがな|顧客名|会員名|担当者名|社員名|従業員名|患者名|申込者名|契約者名|"
    r"電話|携帯|メール|住所|郵便番号",
    re.IGNORECASE,
)
PERSONAL_SHARE = 0.5  # a column is personal data when at least this share of its values are e-mails or phone numbers


def holds_personal_data(name: str, values: pd.Series) -> bool:
    """Whether a column holds personal data a model should not learn from by default: its name says so (names,
    e-mail addresses, phone numbers, addresses), or most of its text values are e-mail addresses or phone numbers."""
    if _PERSONAL_NAME.search(unicodedata.normalize("NFKC", str(name))):
        return True
    texts = values.dropna().head(1000)  # a sample decides (judging every value took 0.36 s of a 30 s budget)
    texts = texts[texts.map(lambda v: isinstance(v, str))]  # numbers are no e-mails
    if texts.empty:
        return False
    masked = texts.map(lambda v: mask(v).strip() == MASK)
    return bool(masked.mean() >= PERSONAL_SHARE)
