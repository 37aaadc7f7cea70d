"""The wizard's text widgets, showing every string as typed. Textual reads a `str` as markup in most widgets, so a
table cell `[/]` ended the wizard with a MarkupError and `[link=…]` made a live link; what the wizard shows comes
from tables, run folders and servers it does not own, and its own messages use no markup. Screens import these
widgets instead of textual's (tests/test_hostile_inputs.py checks that no other module does).

The ones that show prose (Static, Label, OptionList, RichLog) also break its lines by line_breaking's rules, in
English and Japanese: Textual's own wrapping cuts Japanese anywhere, and it has no hook for other rules."""

from __future__ import annotations

from typing import Any

from automl_tui_engine.formatting import without_controls
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.text import Text
from textual import widgets
from textual.content import Content
from textual.geometry import Offset
from textual.selection import Selection
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, RulesMap, Visual
from textual.widgets.option_list import Option

from automl_tui.line_breaking import line_spans


def plain(value: Any) -> Any:
    """`value` as a widget shows it: a `str` becomes text with no markup and no terminal controls; text already
    styled by the wizard (a rich Text) stays as it is."""
    return Text(without_controls(value)) if isinstance(value, str) else value


class WrappedText(Visual):
    """Text whose lines break where line_breaking says, at whatever width it is drawn: a Visual for Textual's widgets
    (it hands Textual the text already broken into lines that fit) and a rich renderable for the RichLog."""

    def __init__(self, content: Content) -> None:
        self.content = content
        self._shown: tuple[int, list[tuple[int, int, int]], Content] | None = None  # the last width asked for

    def __str__(self) -> str:
        return str(self.content)

    def _shown_at(self, width: int) -> tuple[list[tuple[int, int, int]], Content]:
        """The lines shown `width` cells wide, each as (line of the text, start, end), and the text broken into them."""
        if self._shown is None or self._shown[0] != width:
            text_lines = self.content.split(allow_blank=True)
            spans = [(y, *span) for y, line in enumerate(text_lines) for span in line_spans(line.plain, width)]
            broken = Content("\n").join(text_lines[y][start:end] for y, start, end in spans)
            self._shown = (width, spans, broken)
        return self._shown[1], self._shown[2]

    def _drawn(self, rules: RulesMap, width: int) -> tuple[list[tuple[int, int, int]] | None, Content]:
        """What Textual draws `width` cells wide: the text broken into lines that fit (Textual then leaves them as they
        are) with where they are in the text, or the text as it is (no lines) where the widget does not wrap."""
        if rules.get("text_wrap", "wrap") == "nowrap":
            return None, self.content
        return self._shown_at(width - 2 * rules.get("line_pad", 0))

    def render_strips(self, width: int, height: int | None, style: Style, options: RenderOptions) -> list[Strip]:
        return self._drawn(options.rules, width)[1].render_strips(width, height, style, options)

    def get_height(self, rules: RulesMap, width: int) -> int:
        return self._drawn(rules, width)[1].get_height(rules, width)

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return self.content.get_optimal_width(rules, container_width)

    def get_minimal_width(self, rules: RulesMap) -> int:
        return self.content.get_minimal_width(rules)

    def selected_text(self, selection: Selection, rules: RulesMap, width: int) -> str:
        """The text under a selection made on the lines shown `width` cells wide, as it is in the text: a line broken
        at a space has its space again, a Japanese one is one line again."""
        spans, _ = self._drawn(rules, width)

        def in_text(offset: Offset | None) -> Offset | None:
            if offset is None or spans is None:
                return offset
            y, start, end = spans[min(offset.y, len(spans) - 1)]
            return Offset(start + min(offset.x, end - start), y)

        return Selection(in_text(selection.start), in_text(selection.end)).extract(str(self.content))

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self._shown_at(options.max_width)[1]

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(self.get_minimal_width({}), self.get_optimal_width({}, options.max_width))


def wrapped(value: Any) -> Any:
    """`value` as `plain` makes it, its lines broken by line_breaking's rules; a rule between options (None) stays."""
    shown = plain(value)
    return WrappedText(Content.from_rich_text(shown)) if isinstance(shown, Text) else shown


def _wrapped_option(option: Any) -> Any:
    """An option (the screens make Option objects, for their ids) with its prompt wrapped."""
    return Option(wrapped(option.prompt), option.id, option.disabled) if isinstance(option, Option) else wrapped(option)


def _choices(options: Any) -> list[Any]:
    """(prompt, value, …) choices with plain prompts; a ready-made option object stays as it is."""
    return [(plain(option[0]), *option[1:]) if isinstance(option, tuple) else option for option in options]


class Static(widgets.Static):
    def __init__(self, content: Any = "", **kwargs: Any) -> None:
        super().__init__(wrapped(content), markup=False, **kwargs)

    def update(self, content: Any = "", *, layout: bool = True) -> None:
        super().update(wrapped(content), layout=layout)

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        # Textual copies a selection out of its own Content only
        if isinstance(self.visual, WrappedText):
            return self.visual.selected_text(selection, self.styles, self.size.width), "\n"
        return super().get_selection(selection)


class Label(Static, widgets.Label):
    """Textual's Label (as wide as its text) showing text as the Static above does."""


class DataTable(widgets.DataTable):
    def add_column(self, label: Any, **kwargs: Any) -> Any:
        return super().add_column(plain(label), **kwargs)

    def add_row(self, *cells: Any, **kwargs: Any) -> Any:
        return super().add_row(*map(plain, cells), **kwargs)

    def update_cell(self, row_key: Any, column_key: Any, value: Any, **kwargs: Any) -> None:
        super().update_cell(row_key, column_key, plain(value), **kwargs)


class OptionList(widgets.OptionList):
    def __init__(self, *options: Any, **kwargs: Any) -> None:
        super().__init__(*options, markup=False, **kwargs)

    def add_options(self, new_options: Any) -> Any:  # every way in: the constructor, add_option, set_options
        return super().add_options(map(_wrapped_option, new_options))


class RichLog(widgets.RichLog):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(markup=False, **kwargs)

    def write(self, content: Any, *args: Any, **kwargs: Any) -> Any:
        return super().write(wrapped(content), *args, **kwargs)


class Select(widgets.Select):
    def __init__(self, options: Any, **kwargs: Any) -> None:
        super().__init__(_choices(options), **kwargs)

    def set_options(self, options: Any) -> Any:
        return super().set_options(_choices(options))


class SelectionList(widgets.SelectionList):
    def __init__(self, *selections: Any, **kwargs: Any) -> None:
        super().__init__(*_choices(selections), **kwargs)

    def add_options(self, items: Any) -> Any:
        return super().add_options(_choices(items))
