"""Use this model (`w` on the Decision Summary): ask the run's model about one case, over a grid of conditions, or
for the best inputs, with the same engine code as `automl-tui whatif` and `automl-tui optimize`. The model is loaded
once; every answer is worked out off the screen's thread, so typing stays responsive."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from automl_tui_engine.messages import listing, t
from automl_tui_engine.whatif.best import FREED_KINDS, SEED, TRIALS
from automl_tui_engine.whatif.case import short
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Input, TabbedContent, TabPane

from automl_tui.state import shown_path
from automl_tui.whatif_cli import answer_text, best_head, best_said, grid_said, table_cells
from automl_tui.widgets.keys_footer import KeysFooter
from automl_tui.widgets.plain import DataTable, Label, Select, SelectionList, Static

MOST_CHOICES = 30  # a category with more values is typed, with the frequent ones as its placeholder
EDIT_PAUSE_S = 0.15  # a pause in typing this long asks the model


class UseScreen(Screen[None]):
    BINDINGS = [Binding("escape", "app.pop_screen", t("tui.key_back"))]

    def __init__(self, run_dir: Path) -> None:
        super().__init__()
        from automl_tui_engine.whatif.case import form

        self.run_dir = Path(run_dir)
        self.fields = {field.name: field for field in form(self.run_dir)}
        self.saved: Any = None  # the SavedModel, once the worker has loaded it
        self.pending: Any = None  # the timer that asks once an edit pauses

    def compose(self) -> ComposeResult:
        from automl_tui_engine.outputs.whatif_record import leaning

        yield Static(t("tui.use_title", run_id=self.run_dir.name), classes="title")
        columns = leaning(self.run_dir)
        leans = t("whatif.leans_on", columns=listing(columns)) if columns else ""
        yield Static(" ".join([t("whatif.honesty"), leans]).strip(), classes="help", id="honesty")
        with TabbedContent(id="use-tabs"):
            with TabPane(t("tui.use_tab_case"), id="tab-case"):
                yield Static(t("tui.use_case_help"), classes="help")
                with Horizontal(id="case-body"):
                    with VerticalScroll(id="case-form"):
                        yield Input(placeholder=t("tui.use_row_placeholder"), id="case-row", type="integer")
                        for field in self.fields.values():
                            with Horizontal(classes="field-row"):
                                yield Label(self.field_label(field), classes="field-name")
                                yield self.field_widget(field)
                    yield Static(t("tui.use_loading"), id="case-answer")
            with TabPane(t("tui.use_tab_grid"), id="tab-grid"), VerticalScroll():
                yield Static(t("tui.use_grid_help"), classes="help")
                with Horizontal(classes="use-row"):
                    yield Select(self.column_choices(), prompt=t("tui.use_column"), id="grid-column")
                    yield Input(value="*", placeholder=t("tui.use_spec_placeholder"), id="grid-spec")
                    yield Button(t("tui.use_ask"), id="grid-ask", variant="primary")
                yield Static("", id="grid-result")
                yield DataTable(id="grid-table", zebra_stripes=True)
            with TabPane(t("tui.use_tab_best"), id="tab-best"), VerticalScroll():
                yield Static(t("tui.use_best_help", trials=TRIALS), classes="help")
                with Horizontal(classes="use-row"):
                    with Vertical(classes="use-column"):
                        yield Label(t("tui.use_free"))
                        freeable = [(f.name, f.name) for f in self.fields.values() if f.kind in FREED_KINDS]
                        yield SelectionList(*freeable, id="best-free")
                    with Vertical(classes="use-column"):
                        yield Select(self.goal_choices(), value="maximize", allow_blank=False, id="best-goal")
                        yield Select([], prompt=t("tui.use_class"), id="best-class")
                        yield Input(placeholder=t("tui.use_constraint_placeholder"), id="best-constraint")
                        yield Button(t("tui.use_search"), id="best-search", variant="primary")
                yield Static("", id="best-result")
                yield DataTable(id="best-table", zebra_stripes=True)
        yield KeysFooter()

    def field_label(self, field: Any) -> str:
        """The column's name, and the range training saw of a number or a date."""
        if field.low is None:
            return field.name
        return f"{field.name}\n" + t("tui.use_range", low=short(field.low), high=short(field.high))

    def field_widget(self, field: Any) -> Any:
        """A choice of the categories training saw, or a box for a number, a date or text."""
        name = f"field-{_safe_id(field.name)}"
        if field.kind == "categorical" and 0 < len(field.categories) <= MOST_CHOICES:
            choices = [(value, value) for value in field.categories]
            return Select(choices, value=field.typical, allow_blank=False, id=name, classes="field", compact=True)
        hint = listing(field.categories[:5]) if field.categories else ""
        return Input(value=short(field.typical), placeholder=hint, id=name, classes="field", compact=True)

    def column_choices(self) -> list[tuple[str, str]]:
        return [(name, name) for name in self.fields]

    def goal_choices(self) -> list[tuple[str, str]]:
        return [(t("tui.use_maximize"), "maximize"), (t("tui.use_minimize"), "minimize")]

    def on_mount(self) -> None:
        self.open_model()

    @work(thread=True, exclusive=True, group="open")
    def open_model(self, trust: bool = False) -> None:
        from automl_tui_engine.errors import UserError
        from automl_tui_engine.whatif.case import SavedModel

        try:
            saved = SavedModel.open(self.run_dir, trust)
        except UserError as exc:  # an unreadable model, or one not made here: said where the answer would be
            if exc.message_key == "predict.untrusted_model":
                self.app.call_from_thread(self.ask_trust, str(exc))
            else:
                self.app.call_from_thread(self.show, "#case-answer", str(exc), True)
            return
        self.app.call_from_thread(self.model_ready, saved)

    def ask_trust(self, doubt: str) -> None:
        """The model file may not be this user's: loading it runs its code, so they are asked first (as predict
        asks)."""
        from automl_tui.screens.trust import TrustScreen

        def answered(trusted: bool | None) -> None:
            if trusted:
                self.open_model(trust=True)
            else:
                self.show("#case-answer", doubt, True)

        self.app.push_screen(TrustScreen(t("tui.trust_model_title"), doubt), answered)

    def model_ready(self, saved: Any) -> None:
        self.saved = saved
        fields = self.query(".field")
        if fields:  # a keyboard user types into the form at once; Tab goes on down the fields
            fields.first().focus()
        classes = self.query_one("#best-class", Select)
        classes.set_options([(label, label) for label in saved.classes])
        classes.display = bool(saved.classes)
        if saved.classes:
            classes.value = saved.classes[-1]
        self.ask_case()

    def changes(self) -> dict[str, str]:
        """The form's fields that differ from the typical row, as typed."""
        found = {}
        for field in self.fields.values():
            widget = self.query_one(f"#field-{_safe_id(field.name)}")
            value = str(widget.value if widget.value is not Select.BLANK else "").strip()
            if value and value != short(field.typical):
                found[field.name] = value
        return found

    @on(Input.Changed, ".field")
    @on(Select.Changed, ".field")
    def field_changed(self) -> None:
        """The answer once typing pauses: SHAP for every keystroke would compete with the typing itself."""
        if self.saved is not None:
            if self.pending is not None:
                self.pending.stop()
            self.pending = self.set_timer(EDIT_PAUSE_S, self.ask_case)

    def ask_case(self) -> None:
        self.answer_case(self.changes())

    @work(thread=True, exclusive=True, group="case")
    def answer_case(self, changes: dict[str, str]) -> None:
        from automl_tui_engine.adopted_models import answered_by
        from automl_tui_engine.errors import UserError

        try:
            answer = self.saved.answer(changes)
        except UserError as exc:
            self.app.call_from_thread(self.show, "#case-answer", str(exc), True)
            return
        said, careful = answer_text(answer, changes)
        text = Text(said + "\n" + answered_by(self.saved.answered_by))  # the adopted model for its use, or not
        for line in careful:  # what training never saw stands out
            text.append("\n" + line, style="bold yellow")
        self.app.call_from_thread(self.show, "#case-answer", text, False)

    @on(Input.Submitted, "#case-row")
    def row_asked(self, event: Input.Submitted) -> None:
        if self.saved is not None and event.value.strip():
            self.load_row(int(event.value))

    @work(thread=True, exclusive=True, group="case")
    def load_row(self, number: int) -> None:
        """The form filled with a row of the table the model learned from; the answer follows the fields."""
        from automl_tui_engine.errors import UserError

        try:
            values = self.saved.table_row(number)
        except UserError as exc:
            self.app.call_from_thread(self.show, "#case-answer", str(exc), True)
            return
        self.app.call_from_thread(self.fill_form, values)

    def fill_form(self, values: dict[str, str]) -> None:
        for field in self.fields.values():
            widget = self.query_one(f"#field-{_safe_id(field.name)}")
            value = values.get(field.name, short(field.typical))  # a missing value: the typical one
            if isinstance(widget, Select) and value not in field.categories:
                continue  # a choice list holds what training saw; a new category is typed on the CLI
            widget.value = value
        self.ask_case()

    @on(Button.Pressed, "#grid-ask")
    @on(Input.Submitted, "#grid-spec")
    def grid_asked(self) -> None:
        column = self.query_one("#grid-column", Select).value
        if self.saved is None or column is Select.BLANK:
            self.show("#grid-result", t("tui.use_pick_column"), True)
            return
        spec = self.query_one("#grid-spec", Input).value.strip() or "*"
        self.show("#grid-result", t("tui.use_working"), False)
        held = {name: value for name, value in self.changes().items() if name != column}  # the form's value of it aside
        self.answer_grid(f"{column}={spec}", held)

    @work(thread=True, exclusive=True, group="grid")
    def answer_grid(self, varied: str, changes: dict[str, str]) -> None:
        from automl_tui_engine.errors import UserError
        from automl_tui_engine.whatif import grid, records

        said = grid_said(self.run_dir, [varied], changes, None, None, None)
        try:
            found = grid.grid(self.saved, [grid.parse(self.saved, varied)], changes)
            kept = records.keep_grid(self.saved, found, said)
        except UserError as exc:
            self.app.call_from_thread(self.refused, "#grid-table", "#grid-result", str(exc))
            return
        careful = [t("whatif.careful", sentence=sentence) for sentence in found.unseen]
        text = "\n".join(filter(None, [t("tui.use_saved", path=shown_path(kept.path)), kept.told.line(), *careful]))
        self.app.call_from_thread(self.fill, "#grid-table", found.table[found.shown_columns], "#grid-result", text)

    @on(Button.Pressed, "#best-search")
    def best_asked(self) -> None:
        free = self.query_one("#best-free", SelectionList).selected
        if self.saved is None or not free:
            self.show("#best-result", t("tui.use_pick_free"), True)
            return
        goal = self.query_one("#best-goal", Select).value
        focus = self.query_one("#best-class", Select).value if self.saved.classes else None
        rule = self.query_one("#best-constraint", Input).value.strip()
        fixed = {column: value for column, value in self.changes().items() if column not in free}
        self.show("#best-result", t("tui.use_searching", trials=TRIALS), False)
        self.search_best(list(free), goal == "maximize", focus, fixed, [rule] if rule else [])

    @work(thread=True, exclusive=True, group="best")
    def search_best(self, free: list[str], maximize: bool, focus: Any, fixed: dict[str, str], rules: list[str]) -> None:
        from automl_tui_engine.errors import UserError
        from automl_tui_engine.whatif import best, records

        said = best_said(self.run_dir, free, maximize, focus, {}, fixed, rules, TRIALS, SEED)
        try:
            found = best.search(self.saved, free, maximize, focus, None, fixed, rules, TRIALS, seed=SEED)
            kept = records.keep_best(self.saved, found, said)
        except UserError as exc:
            self.app.call_from_thread(self.refused, "#best-table", "#best-result", str(exc))
            return
        head = best_head(found, None)
        careful = [t("whatif.careful", sentence=s) for s in [*found.unseen, *found.table["careful"]] if s]
        text = "\n".join(
            filter(None, [head, t("tui.use_saved", path=shown_path(kept.path)), kept.told.line(), *careful])
        )
        self.app.call_from_thread(self.fill, "#best-table", found.table.drop(columns="careful"), "#best-result", text)

    def fill(self, table_id: str, frame: Any, result_id: str, text: str) -> None:
        table = self.query_one(table_id, DataTable)
        table.clear(columns=True)
        headers, rows = table_cells(frame)
        sides = [side for _, side in headers]
        table.add_columns(*[Text(name, justify=side) for (name, _), side in zip(headers, sides, strict=True)])
        for row in rows:
            table.add_row(*[Text(cell, justify=side) for cell, side in zip(row, sides, strict=True)])
        self.show(result_id, text, False)
        self.query_one(result_id).scroll_visible()  # below a long list of columns on a small terminal

    def refused(self, table_id: str, result_id: str, text: str) -> None:
        """The one line of what was wrong, and no table of an earlier question under it."""
        self.query_one(table_id, DataTable).clear(columns=True)
        self.show(result_id, text, True)

    def show(self, selector: str, text: str | Text, failed: bool) -> None:
        shown = self.query_one(selector, Static)
        shown.update(text)
        shown.set_class(failed, "error")


def _safe_id(name: str) -> str:
    """A widget id from a column name (Japanese, spaces, symbols): its position-free hex spelling."""
    return name.encode("utf-8").hex()
