"""Where the wizard breaks lines (automl_tui.line_breaking, issue 39 item 5): English at spaces, exactly where Textual
broke it; Japanese by its rules (JIS X 4051's kinsoku: no line starts with closing punctuation or a small kana, none
ends with an opening bracket), between phrases, and never inside a word, a number, a path or a name unless that is
longer than the line."""

from __future__ import annotations

import re
from itertools import pairwise

import pytest
from automl_tui_engine.messages import _catalogue
from rich._wrap import divide_line  # Textual's own wrapping (textual.content calls it): English must not change
from rich.cells import cell_len

from automl_tui.line_breaking import line_spans

# the lists: what no line may start with, and what no line may end with
CLOSING = set("、。，．）」』】〕〉》・：；？！ーぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ")
OPENING = set("（「『【〔〈《")
# a word, a number, a path, an environment variable, an option: never cut unless longer than the line
NAME = re.compile(r"[A-Za-z0-9_./:@#%+=\-{}]+")  # {placeholders} too: in the catalogue they stand for names
WIDTHS = [30, 40, 52, 60, 76, 98]  # the wizard draws text 40 cells wide and wider; names run to 27 cells


def lines(text: str, width: int) -> list[str]:
    return [text[start:end] for start, end in line_spans(text, width)]


def textual_lines(text: str, width: int) -> list[str]:
    """The lines Textual made of `text` before."""
    return [text[start:end] for start, end in pairwise([0, *divide_line(text, width), len(text)])]


def breaks_badly(text: str, width: int) -> list[str]:
    """What is wrong with `text` broken `width` cells wide, line by line (nothing when it breaks well)."""
    spans = line_spans(text, width)
    wrong = [f"{text[a:b]!r} is wider than {width}" for a, b in spans if cell_len(text[a:b].rstrip()) > width]
    for (start, end), (following, _) in pairwise(spans):
        line, gap, shown = text[start:end], text[end:following], f"{text[start:end]}|{text[following:][:8]}"
        if gap.strip():
            wrong.append(f"{shown} drops {gap!r}")
        name = next((m.group() for m in NAME.finditer(text) if m.start() < end and following < m.end()), "")
        if name and cell_len(name) <= width:
            wrong.append(f"{shown} cuts {name!r}")
        # a name and its closing punctuation wider than a line together: the punctuation goes down, the name stays
        name_first = re.fullmatch(NAME.pattern + r"\W*", line) and cell_len(line + text[following]) > width
        if (text[following] in CLOSING and not name_first) or line[-1:] in OPENING:
            wrong.append(f"{shown} breaks a rule")
    return wrong


# ---- the examples, as Textual showed them ----


def test_no_line_starts_with_a_comma_or_a_full_stop():
    text = "時間をかけるほど結果は信頼できますが、精度が上がるとは限りません。矢印キーで選び、Enter で決定します。"
    assert textual_lines(text, 18)[2].startswith("、")  # 「…信頼できますが／、精度が…」
    for width in range(8, 60):
        assert breaks_badly(text, width) == [], width


def test_a_word_stays_with_the_particle_after_it():
    clearml = "ClearML が設定されていません。"
    assert textual_lines(clearml, 20)[0] == "ClearML "  # 「ClearML／が設定されていません」
    assert lines(clearml, 20) == ["ClearML が", "設定されていません。"]
    linear = "linear は、試した6個のモデルの中で、予測時間×サイズが最も小さいモデルです。"
    assert lines(linear, 40)[0].startswith("linear は、")  # not 「linear／は、試した…」


@pytest.mark.parametrize(
    "text",
    [
        "ClearML を使うには CLEARML_API_ACCESS_KEY と CLEARML_API_SECRET_KEY を設定してください。",
        "ClearMLを使うにはCLEARML_API_ACCESS_KEYとCLEARML_API_SECRET_KEYを設定してください。",
        "プリセットの一覧は automl-tui presets で見られます。",
        "ファイルの保存先：runs/20261126-050047-a387d6",
    ],
)
def test_a_name_is_never_cut(text):
    for width in range(8, 80):
        assert breaks_badly(text, width) == [], width
    assert lines(text, 24)[-1] != ""


def test_a_name_longer_than_the_line_is_cut_where_the_line_is_full():
    assert lines("設定：CLEARML_API_ACCESS_KEY", 10) == ["設定：", "CLEARML_AP", "I_ACCESS_K", "EY"]


def test_an_opening_bracket_goes_down_with_what_it_opens():
    text = "推奨モデル：linear（優先項目：バランス）"
    for width in range(8, 40):
        assert not any(line.endswith("（") for line in lines(text, width)), width


def test_small_kana_and_the_long_vowel_mark_stay_with_the_kana_before_them():
    text = "エージェントがキューのジョブを処理します。チューニングを含めて最大30秒"
    for width in range(8, 40):
        assert breaks_badly(text, width) == [], width


# ---- every message of both catalogues, at the widths the wizard draws them ----


@pytest.mark.parametrize("width", WIDTHS)
def test_english_breaks_where_textual_broke_it(width):
    """...but for a line Textual started with a separator or an ellipsis (`· saved {created}`, `…)`)."""
    for key, text in _catalogue("en").items():
        for line in text.split("\n"):
            if cell_len(line) != len(line):  # an English line naming Japanese words (予測): broken by their rules
                continue
            textual = divide_line(line, width)
            ours = [start for start, _ in line_spans(line, width)[1:]]
            if any(line[start] in "·…" for start in textual):
                assert not any(line[start] in "·…" for start in ours), (key, width)
            else:
                assert ours == textual, (key, width)


@pytest.mark.parametrize("width", WIDTHS)
def test_every_japanese_message_breaks_well(width):
    wrong = {
        key: problems
        for key, text in _catalogue("ja").items()
        for line in text.split("\n")
        if (problems := breaks_badly(line, width))
    }
    assert wrong == {}


# ---- in the wizard's widgets ----


async def test_a_static_breaks_again_when_its_width_changes():
    from textual.app import App
    from textual.geometry import Region

    from automl_tui.widgets.plain import Static

    text = "ClearML が設定されていません。CLEARML_API_ACCESS_KEY と CLEARML_API_SECRET_KEY を設定してください。"

    def drawn(static: Static) -> list[str]:
        return [strip.text.rstrip() for strip in static.render_lines(Region(0, 0, *static.size))]

    async with App().run_test(size=(40, 10)) as pilot:
        static = Static(text)
        await pilot.app.mount(static)
        await pilot.pause()
        assert drawn(static) == lines(text, 40)
        await pilot.resize_terminal(24, 10)
        await pilot.pause()
        assert drawn(static) == lines(text, 24) != lines(text, 40)


def test_a_selection_copies_the_text_as_written():
    from textual.content import Content
    from textual.geometry import Offset
    from textual.selection import Selection

    from automl_tui.widgets.plain import WrappedText

    english = WrappedText(Content("the model is ready"))  # shown 10 wide: "the model" / "is ready"
    assert english.selected_text(Selection(Offset(4, 0), Offset(2, 1)), {}, 10) == "model is"
    japanese = WrappedText(Content("結果は信頼できますが、精度が上がるとは限りません。"))
    assert lines(str(japanese), 24)[:2] == ["結果は信頼できますが、", "精度が上がるとは"]
    assert japanese.selected_text(Selection(Offset(5, 0), Offset(4, 1)), {}, 24) == "できますが、精度が上"
    assert japanese.selected_text(Selection(None, None), {}, 24) == str(japanese)
