"""Step 1: choose the table and the column to predict, see what automl-tui will make of it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from automl_tui_engine import glossary
from automl_tui_engine.core.privacy import mask
from automl_tui_engine.inspection import Inspection, inspect_table
from automl_tui_engine.messages import t
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, DirectoryTree, Input

from automl_tui.screens.base import StepScreen
from automl_tui.state import LISTED_SUFFIXES, NEXT, RECENT, SWITCH_LANGUAGE, available_presets, made_here, shown_path
from automl_tui.widgets.plain import DataTable, Select, Static


class TableTree(DirectoryTree):
    """Folders and tables only: the files automl-tui can read, less those it wrote itself (`made_here`)."""

    def __init__(self, path: Path, made_here: set[Path], **kwargs: Any) -> None:
        super().__init__(path, **kwargs)
        self.made_here = made_here

    def filter_paths(self, paths):
        return [
            p
            for p in paths
            if not p.name.startswith(".")
            and (p.is_dir() or (p.suffix.lower() in LISTED_SUFFIXES and p.resolve() not in self.made_here))
        ]


class DatasetScreen(StepScreen):
    step = "dataset"
    BINDINGS = [
        *StepScreen.BINDINGS,
        Binding("ctrl+n", "next", t("tui.key_next")),
        Binding("ctrl+r", "recent", t("tui.key_recent")),
        Binding("ctrl+t", "templates", t("tui.key_templates")),  # shown once the server lists templates
        # every label is made when its screen class is, so a new language takes a new start of the wizard
        Binding("ctrl+l", "switch_language", t("tui.key_language")),
    ]

    def __init__(self, state) -> None:
        super().__init__(state)
        self.frame = None
        self.source: dict = {}
        self.inspection: Inspection | None = None
        self.requested: tuple[Path, str | None] | None = None
        self.templates: list[Any] = []  # the ClearML server's templates, when ClearML is set up
        self.template = state.template  # the template whose table is loaded (state.TemplateRerun), if any

    def compose(self) -> ComposeResult:
        yield from self.compose_title()
        with Horizontal(id="dataset-body"):
            yield TableTree(self.state.start_dir, made_here(self.state.out), id="tree")
            with VerticalScroll(id="dataset-detail"):
                shown = shown_path(self.state.data) if self.state.data else ""
                yield Input(value=shown, placeholder=t("tui.path_placeholder"), id="path")
                yield Static("", id="summary")
                yield Static("", id="template-note", classes="hidden")
                yield Select([], prompt=t("tui.target_prompt"), id="target", allow_blank=True)
                # shown only for a table with dates: test on random rows, or on the latest ones
                with Vertical(id="split-box", classes="hidden"):
                    yield Static(t("tui.split_prompt"), classes="subtitle")
                    random = [(t("tui.split_random"), "random")]
                    yield Select(random, value="random", id="split", allow_blank=False)
                yield Static("", id="problem", classes="error")
                yield Static(t("tui.preview_title"), classes="subtitle")
                yield DataTable(id="preview", show_cursor=False, zebra_stripes=True)
                yield Static(t("tui.columns_title"), classes="subtitle")
                yield DataTable(id="columns", show_cursor=False)
        with Horizontal(classes="buttons"):
            # shown once the server lists templates: ClearML set up, and a template saved there
            yield Button("", id="template", classes="hidden")
            yield Button(t("tui.button_next"), id="next", variant="primary", disabled=True)
        yield from self.compose_footer()

    def on_mount(self) -> None:
        self.query_one("#tree", TableTree).focus()
        if self.state.data is not None:
            # after the first paint: reading imports pandas, which would hold up the screen's appearance
            self.call_after_refresh(self.load, self.state.data, self.state.target)
        self.find_templates()

    @work(thread=True, exclusive=True, group="templates")
    def find_templates(self) -> None:
        try:
            found = self.app.clearml_templates()
        except Exception:  # the server cannot list them now: a table is still the way in (where-to-run says why)
            return
        self.app.call_from_thread(self.offer_templates, found)

    def offer_templates(self, found: list[Any]) -> None:
        self.templates = found
        button = self.query_one("#template", Button)
        button.label = t("tui.button_template", count=len(found))
        button.set_class(not found, "hidden")
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return bool(self.templates) if action == "templates" else True

    @on(Button.Pressed, "#template")
    def template_pressed(self) -> None:
        self.action_templates()

    def action_templates(self) -> None:
        from automl_tui.screens.template import TemplateScreen

        def chosen(template: Any) -> None:
            if template is not None:
                self.query_one("#summary", Static).update(t("tui.template_fetching", name=template.name))
                self.fetch_template(template)

        self.app.push_screen(TemplateScreen(self.templates), chosen)

    @work(thread=True, exclusive=True, group="template")
    def fetch_template(self, template: Any) -> None:
        """The template's table, downloaded beside the runs, then read like any table with the template's target."""
        from automl_tui_engine.clearml import remote
        from automl_tui_engine.errors import UserError

        from automl_tui.state import TemplateRerun

        try:
            source = remote.clone_source(template.task_id)
            table = source.table_in(self.state.out)
        except UserError as exc:
            self.app.call_from_thread(self.query_one("#problem", Static).update, str(exc))
            return
        self.app.call_from_thread(self.template_fetched, TemplateRerun(template.name, source), table)

    def template_fetched(self, template: Any, table: Path) -> None:
        self.template = template
        self.query_one("#path", Input).value = shown_path(table)
        self.load(table, template.source.values.get("target"))

    @on(DirectoryTree.FileSelected)
    def file_chosen(self, event: DirectoryTree.FileSelected) -> None:
        self.template = None  # a table of one's own: a new run with a preset, not a template's re-run
        self.query_one("#path", Input).value = shown_path(event.path)
        self.load(event.path, None)

    @on(Input.Submitted, "#path")
    def path_typed(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.template = None
            self.load(Path(event.value.strip()).expanduser(), None)

    @on(Select.Changed, "#target")
    def target_chosen(self, event: Select.Changed) -> None:
        chosen = event.value if isinstance(event.value, str) else None
        if self.inspection and chosen and chosen != self.inspection.target and self.frame is not None:
            self.load(self.inspection.path, chosen, reuse_frame=True)

    @on(Button.Pressed, "#next")
    def next_pressed(self) -> None:
        self.action_next()

    def action_next(self) -> None:
        found = self.inspection
        if found is None or found.error:
            return
        self.state.data, self.state.target = found.path, found.target
        self.state.detected_task, self.state.rows, self.state.estimates = found.task, found.rows, found.estimates
        chosen = self.query_one("#split", Select).value
        self.state.split = chosen if isinstance(chosen, str) and found.date_columns else "random"
        self.state.template = self.template
        if self.template is not None:  # the template's settings: shown on the Confirm step
            settings = self.template.config()
            self.state.preset, self.state.priority = settings.preset, settings.priority
            self.state.split = settings.split
        self.dismiss(NEXT)

    def action_recent(self) -> None:
        self.dismiss(RECENT)

    def action_switch_language(self) -> None:
        from automl_tui_engine.messages import choose_language, next_language

        choose_language(next_language())
        self.app.exit(SWITCH_LANGUAGE)

    def load(self, path: Path, target: str | None, reuse_frame: bool = False) -> None:
        self.requested = (path, target)
        self.query_one("#next", Button).disabled = True
        self.query_one("#summary", Static).update(t("tui.reading", name=path.name))
        self.query_one("#problem", Static).update("")
        self.inspect_in_background(path, target, reuse_frame)

    @work(thread=True, exclusive=True, group="inspect")
    def inspect_in_background(self, path: Path, target: str | None, reuse_frame: bool) -> None:
        from automl_tui_engine.errors import UserError
        from automl_tui_engine.table.reading import read_table

        if path.resolve() in made_here(self.state.out):
            self.frame = None
            refused = Inspection(path=path, error=t("tui.made_here", name=path.name))
            self.app.call_from_thread(self.show, refused, (path, target))
            return
        if not reuse_frame:
            try:
                self.frame, source = read_table(path)
            except UserError as exc:
                self.frame = None
                self.app.call_from_thread(self.show, Inspection(path=path, error=exc.in_the_wizard()), (path, target))
                return
            self.source = {"path": str(path), "name": path.name, **source}
        presets = available_presets(self.state.start_dir)
        found = inspect_table(path, self.frame, self.source, target, presets)
        self.app.call_from_thread(self.show, found, (path, target))

    def show(self, found: Inspection, requested: tuple[Path, str | None]) -> None:
        if requested != self.requested:
            return  # an older read finished after a newer choice: the newer one will show
        self.inspection = found
        summary = self.query_one("#summary", Static)
        problem = self.query_one("#problem", Static)
        if found.task:
            summary.update(
                t(
                    "tui.summary",
                    name=found.path.name,
                    rows=found.rows,
                    columns=len(found.columns),
                    target=found.target,
                    task=t(f"tui.task_{found.task}"),
                    balance=found.balance,
                )
                + (f"\n{t('tui.target_guessed', why=found.target_reason)}" if found.target_reason else "")
            )
        else:  # it could not be checked: the problem below says why
            summary.update(found.path.name)
        note = ""
        if self.template is not None:
            settings = self.template.config()
            priority = glossary.priority_word(settings.priority)
            note = t("tui.template_chosen", name=self.template.name, preset=settings.preset, priority=priority)
        self.query_one("#template-note", Static).update(note)
        self.query_one("#template-note").set_class(not note, "hidden")
        problem.update("\n".join([*(found.error and [found.error] or []), *found.warnings]))
        problem.set_class(bool(found.error), "error")
        select = self.query_one("#target", Select)
        with self.prevent(Select.Changed):
            select.set_options([(name, name) for name in found.columns])
            if found.target in found.columns:
                select.value = found.target
        self.show_split_choice(found.date_columns)
        # the target first: a table of many columns shows its first ones, and the target is the one to check
        order = sorted(range(len(found.columns)), key=lambda i: found.columns[i] != found.target)
        preview = [[row[i] for i in order] for row in found.preview]
        for table_id, headers, rows in (
            ("#preview", [mask(found.columns[i]) for i in order], preview),  # a screenshot shares nothing
            ("#columns", [t("report.col_column"), t("report.col_kind"), t("tui.col_what_happens")], found.column_rows),
        ):
            table = self.query_one(table_id, DataTable)
            table.clear(columns=True)
            table.add_columns(*headers)
            table.add_rows(rows)
        next_button = self.query_one("#next", Button)
        next_button.disabled = found.error is not None
        if not next_button.disabled:
            next_button.focus()  # a good table is chosen: Enter goes on

    def show_split_choice(self, dates: list[str]) -> None:
        """Random test rows, or the latest by a date column (for a model that will predict the future)."""
        split = self.query_one("#split", Select)
        self.query_one("#split-box").set_class(not dates, "hidden")
        if not dates:
            return
        options = [(t("tui.split_random"), "random")]
        options += [(t("tui.split_time", column=name), f"time:{name}") for name in dates]
        keep = self.state.split if self.state.split in {value for _, value in options} else "random"
        with self.prevent(Select.Changed):
            split.set_options(options)
            split.value = keep
