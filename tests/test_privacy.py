import pandas as pd
import pytest
from automl_tui_engine.core.privacy import mask, preview_rows
from automl_tui_engine.table import data


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


def test_columns_of_personal_data_are_left_out_of_the_inputs_unless_named(tmp_path):
    """A column of customers' names (36 names repeated: a category the model would target-encode, its names and
    counts kept in input_ranges.json), one of e-mail addresses and one of phone numbers are left out by default, with
    the reason; a product's name is not a person's; personal_columns uses a column all the same (issue 35.9)."""
    import automl_tui_engine as engine
    from automl_tui_engine.core.privacy import holds_personal_data
    from conftest import quick_config

    names = [f"山田{i}郎" for i in range(36)]
    frame = pd.DataFrame(
        {
            "氏名": [names[i % 36] for i in range(240)],
            "contact": [f"user{i}@example.com" for i in range(240)],
            "携帯": [f"090-{1000 + i:04d}-{2000 + i:04d}" for i in range(240)],
            "商品名": [["りんご", "みかん", "ぶどう"][i % 3] for i in range(240)],
            "amount": [float(i % 17) for i in range(240)],
            "label": ["yes" if (i % 17) > 8 else "no" for i in range(240)],
        }
    )
    assert holds_personal_data("contact", frame["contact"]) and not holds_personal_data("商品名", frame["商品名"])
    found = data.from_frame(frame, {"path": "t.csv", "name": "t.csv"}, target="label")
    kinds = {p.name: p.kind for p in found.profiles}
    assert kinds == {
        "氏名": "personal",
        "contact": "personal",
        "携帯": "personal",
        "商品名": "categorical",
        "amount": "numeric",
    }
    kept = data.from_frame(frame, {"path": "t.csv", "name": "t.csv"}, target="label", personal_columns=("氏名",))
    assert {p.name: p.kind for p in kept.profiles}["氏名"] == "categorical"

    table = tmp_path / "customers.csv"
    frame.to_csv(table, index=False)
    run_dir = engine.run(quick_config(table, tmp_path / "runs", target="label", models=["linear"])).run_dir
    seen = (tmp_path / "runs" / run_dir.rsplit("/", 1)[-1] / "input_ranges.json").read_text(encoding="utf-8")
    assert "山田" not in seen and "example.com" not in seen
    report = (tmp_path / "runs" / run_dir.rsplit("/", 1)[-1] / "report.md").read_text(encoding="utf-8")
    assert report.count("left out: it holds personal data") == 3
