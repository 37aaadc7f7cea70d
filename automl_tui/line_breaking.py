"""Where a line of text breaks when the wizard shows it some cells wide, in English and in Japanese.

English breaks at spaces, as Textual does. Japanese has no spaces between words, and Textual (rich's divide_line)
then breaks it anywhere: a line could start with 、 or a small っ, and an identifier inside the sentence
(CLEARML_API_ACCESS_KEY, a run folder's path) was cut in two. Here Japanese follows the basics of JIS X 4051 (kinsoku
shori): no line starts with closing punctuation or a small kana, none ends with an opening bracket; it breaks
between phrases (BudouX's, the segmenter browsers use for `word-break: auto-phrase`) rather than inside a word; and a
run of narrow characters (a word, a number, a path, a name) is never cut unless it is longer than the line.
"""

from __future__ import annotations

from bisect import bisect_right
from functools import lru_cache
from itertools import accumulate

from rich.cells import get_character_cell_size

# JIS X 4051 / JLREQ: closing brackets and quotes, commas and full stops, middle dots and colons, ? and !, the
# prolonged sound and iteration marks, small kana, hyphens and leaders, units written after a number
NO_LINE_START = frozenset(
    "）」』】〕〉》］｝〙〗〟’”"
    "、。，．・：；·"
    "？！‼⁇⁈⁉"
    "ーヽヾゝゞ々〻"
    "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ"
    "‐〜゠–…‥"
    "％‰℃°′″"
)
NO_LINE_END = frozenset("（「『【〔〈《［｛〘〖〝‘“")
# ASCII punctuation keeps to the Japanese it touches, as in (333行): after a space it is English's, which may start
# a line with it (.csv)
ASCII_CLOSING, ASCII_OPENING = frozenset(")]},;:!?%"), frozenset("([{")


@lru_cache(maxsize=1)
def _phrase_parser():
    import budoux  # its model loads once, and only for text with wide characters

    return budoux.load_default_japanese_parser()


@lru_cache(maxsize=1024)  # the same text is broken at each width a layout tries
def _phrase_starts(text: str) -> frozenset[int]:
    """Where BudouX's phrases of `text` start, past any space they start with (Japanese reads best broken between
    them)."""
    starts, at = set(), 0
    for phrase in _phrase_parser().parse(text):
        at += len(phrase)
        starts.add(at + len(text[at:]) - len(text[at:].lstrip()))
    return frozenset(starts)


@lru_cache(maxsize=4096)  # a widget asks again on every layout and every frame
def line_spans(text: str, width: int) -> tuple[tuple[int, int], ...]:
    """The lines of `text` (one line, no newline) shown `width` terminal cells wide, as (start, end) slices: a line
    broken at spaces ends before them; the last line keeps what it ends with, as Textual's own wrapping does."""
    size = len(text)
    sizes = [get_character_cell_size(char) for char in text]
    cells, wide = [0, *accumulate(sizes)], [cell == 2 for cell in sizes]
    ends = [0] * (size + 1)  # ends[i]: where text[:i] ends without its trailing spaces
    for i, char in enumerate(text, 1):
        ends[i] = ends[i - 1] if char.isspace() else i

    phrases = _phrase_starts(text) if any(wide) else frozenset()
    # where a line may start, and where it had better start: a space between English words or a Japanese phrase
    any_breaks, phrase_breaks = [], []
    for i in range(1, size):
        char, before = text[i], text[ends[i] - 1] if ends[i] else ""
        if char.isspace() or not before or char in NO_LINE_START or before in NO_LINE_END:
            continue
        between_narrow = not (wide[ends[i] - 1] or wide[i])
        after_space = ends[i] < i
        if not after_space and (between_narrow or char in ASCII_CLOSING or before in ASCII_OPENING):
            continue  # inside a run of narrow characters (a word, a number, a path, a name) or a bracket's
        any_breaks.append(i)
        # a space in Japanese only sets a word apart (ClearML が): it breaks where English words meet, or BudouX says
        if (after_space and between_narrow) or i in phrases:
            phrase_breaks.append(i)

    def fits(start: int, stop: int) -> bool:
        return cells[ends[stop]] - cells[start] <= width

    def furthest(breaks: list[int], start: int) -> int | None:
        """The furthest of `breaks` that ends a line starting at `start` within the width."""
        found = None
        for i in breaks[bisect_right(breaks, start) :]:
            if not fits(start, i):
                break
            found = i
        return found

    lines: list[tuple[int, int]] = []
    start = 0
    while not fits(start, size):
        stop = furthest(phrase_breaks, start)
        after = bisect_right(phrase_breaks, stop or size)
        following = phrase_breaks[after] if after < len(phrase_breaks) else size
        if stop is None or cells[ends[following]] - cells[stop] > width:
            # the phrase at the line's start, or the one after it, is longer than a line: it breaks between
            # characters anyway, so here rather than on a line of its own
            stop = furthest(any_breaks, start) or stop
        if stop is None:  # one word longer than the line: cut where the line is full, as Textual folds it
            stop = start + 1
            while stop < size and cells[stop + 1] - cells[start] <= width:
                stop += 1
        lines.append((start, ends[stop]))
        start = stop
    lines.append((start, size))
    return tuple(lines)
