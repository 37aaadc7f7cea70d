import pandas as pd
import pytest

from engine import data
from engine.privacy import mask


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mail taro.yamada+work@example.co.jp today", "mail *** today"),
        ("call 03-1234-5678", "call ***"),
        ("tel: +81 90 1234 5678", "tel: ***"),
        ("(555) 123-4567", "***"),
        ("card 4111 1111 1111 1111", "card ***"),
        ("order 12345", "order 12345"),
        ("Adelie", "Adelie"),
        ("version 1.2.3", "version 1.2.3"),
    ],
)
def test_mask(text, expected):
    assert mask(text) == expected


def test_preview_masks_text_columns_but_not_numbers_or_dates():
    frame = pd.DataFrame(
        {
            "email": ["a@b.com", "c@d.org"],
            "amount": [1234567890.0, 2.5],
            "when": ["2024-01-02 10:30:00", "2024-02-03 11:00:00"],
        }
    )
    profiles = [data.profile_column(c, frame[c]) for c in frame.columns]
    rows = data.preview_rows(frame, profiles)
    assert rows[0] == ["***", "1234567890.0", "2024-01-02 10:30:00"]
