"""The wizard's text widgets, showing every string as typed. Textual reads a `str` as markup in most widgets, so a
table cell `[/]` ended the wizard with a MarkupError and `[link=…]` made a live link; what the wizard shows comes
from tables, run folders and servers it does not own, and its own messages use no markup. Screens import these
widgets instead of textual's (tests/test_hostile_inputs.py checks that no other module does)."""

from __future__ import annotations

from typing import Any

from automl_tui_engine.formatting import without_controls
from rich.text import Text
from textual import widgets


def plain(value: Any) -> Any:
    """`value` as a widget shows it: a `str` becomes text with no markup and no terminal controls; text already
    styled by the wizard (a rich Text) stays as it is."""
    return Text(without_controls(value)) if isinstance(value, str) else value


def _choices(options: Any) -> list[Any]:
    """(prompt, value, …) choices with plain prompts; a ready-made option object stays as it is."""
    return [(plain(option[0]), *option[1:]) if isinstance(option, tuple) else option for option in options]


class Static(widgets.Static):
    def __init__(self, content: Any = "", **kwargs: Any) -> None:
        super().__init__(plain(content), markup=False, **kwargs)

    def update(self, content: Any = "", *, layout: bool = True) -> None:
        super().update(plain(content), layout=layout)


class Label(widgets.Label):
    def __init__(self, content: Any = "", **kwargs: Any) -> None:
        super().__init__(plain(content), markup=False, **kwargs)


class DataTable(widgets.DataTable):
    def add_column(self, label: Any, **kwargs: Any) -> Any:
        return super().add_column(plain(label), **kwargs)

    def add_row(self, *cells: Any, **kwargs: Any) -> Any:
        return super().add_row(*map(plain, cells), **kwargs)

    def update_cell(self, row_key: Any, column_key: Any, value: Any, **kwargs: Any) -> None:
        super().update_cell(row_key, column_key, plain(value), **kwargs)


class OptionList(widgets.OptionList):
    def __init__(self, *options: Any, **kwargs: Any) -> None:
        super().__init__(*map(plain, options), markup=False, **kwargs)


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
