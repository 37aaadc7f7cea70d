import pandas as pd
import pytest
from automl_tui_engine.table import data
from automl_tui_engine.table.privacy import mask, preview_rows


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
        # Japanese writing: full-width and mixed-width digits and dashes, numbers run into kana and kanji
        ("携帯 ０９０－１２３４－５６７８", "携帯 ***"),
        ("電話：０３（１２３４）５６７８です", "電話：***です"),
        ("電話03-1234-5678まで", "電話***まで"),
        ("０９０ー1234ー5678", "***"),
        ("〒123-4567 東京都千代田区", "*** 東京都千代田区"),
        ("〒１２３－４５６７", "***"),
        ("マイナンバー 1234 5678 9012 です", "マイナンバー *** です"),
        ("個人番号123456789012", "個人番号***"),
        ("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｃｏｍ", "***"),
        ("売上 12,345,678 円", "売上 12,345,678 円"),
        ("型番 A0901234567x", "型番 A0901234567x"),
        # numbers glued to names: file names, column names, identifiers
        ("customer_09012345678.csv", "customer_***.csv"),
        ("list.09012345678.csv", "list.***.csv"),
        ("09012345678.csv", "***.csv"),
        ("tel_03-1234-5678", "tel_***"),
        ("phone０９０１２３４５６７８", "phone***"),
        ("顧客_090-1234-5678_一覧.xlsx", "顧客_***_一覧.xlsx"),
        ("contact.+81-90-1234-5678", "contact.***"),
        # what must stay readable: run ids, timestamps, dates, decimals, short codes
        ("20261205-061532-d86e32", "20261205-061532-d86e32"),
        ("reporting · 20261205-061532-d86e32", "reporting · 20261205-061532-d86e32"),
        ("sales_20240131.csv", "sales_20240131.csv"),
        ("2026-12-05 06:15:32", "2026-12-05 06:15:32"),
        ("score 0.0123456789", "score 0.0123456789"),
        ("col_2023_2024", "col_2023_2024"),
        ("店舗コード 123456", "店舗コード 123456"),
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
    rows = preview_rows(frame, profiles)
    assert rows[0] == ["***", "1234567890.0", "2024-01-02 10:30:00"]


@pytest.mark.slow  # a real run of the engine: the full tier (see conftest)
def test_reports_mask_personal_data_quoted_from_the_table(tmp_path, penguins_csv):
    """Class labels and warnings quote the table: an e-mail address used as a label stays out of report.md and
    model_card.md (a tiny class also puts the label in a warning)."""
    from automl_tui_engine import runner
    from conftest import quick_config

    frame = pd.read_csv(penguins_csv)
    frame["species"] = frame["species"].replace("Chinstrap", "chinstrap.lead@example.org")
    keep = (frame["species"] != "chinstrap.lead@example.org") | (frame.index % 10 == 0)  # a tiny class
    table = tmp_path / "penguins_owners.csv"
    frame[keep].to_csv(table, index=False)
    result = runner.run(quick_config(table, tmp_path / "runs", target="species"))

    assert any("chinstrap.lead@example.org" in w for w in result.warnings)  # the raw warning, before masking
    for name in ("report.md", "model_card.md"):
        text = (tmp_path / "runs" / result.run_id / name).read_text(encoding="utf-8")
        assert "example.org" not in text, name
    report = (tmp_path / "runs" / result.run_id / "report.md").read_text(encoding="utf-8")
    assert "| \\*\\*\\* |" in report  # the class table keeps the row, masked (*** as text, not emphasis)
