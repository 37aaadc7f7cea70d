"""Other people's files: tables, presets and run folders someone shared. Nothing in them runs unasked, and nothing
they say comes out live: no markup in report.md or model_card.md, no formula in a CSV, no escape sequence on the
terminal. The corpus below is the hostile text; add to it when a new trick turns up."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest
from conftest import PENGUINS
from test_end_to_end import cli

HOSTILE = {
    "html": "<img src=x onerror=alert(1)>",
    "script": "<script>alert(1)</script>",
    "image": "![x](http://evil.example/x.png)",
    "link": "[click](http://evil.example)",
    "formula": '=HYPERLINK("http://evil.example/?n=0","r0")',
    "plus": "+cmd|' /C calc'!A0",
    "at": "@SUM(1+1)*cmd",
    "title_escape": "\x1b]0;pwned\x07",
    "clear_screen": "\x1b[2J",
    "email": "alice.owner@example.com",
    "emphasis": "**loud** _and_ `code`",
    "pipe": "a | b",
}
TERMINAL_LIVE = ["\x1b", "\x07"]
MARKER_PLUGIN = """
import os
from pathlib import Path

Path(os.environ["AUTOML_TUI_TEST_MARKER"]).write_text("imported")

def register():
    pass
"""


@pytest.fixture
def marker(tmp_path, monkeypatch):
    """A plugin module that leaves a file behind when anything imports it."""
    folder = tmp_path / "plugin_code"
    folder.mkdir()
    (folder / "marker_plugin.py").write_text(MARKER_PLUGIN)
    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.setenv("PYTHONPATH", str(folder))
    path = tmp_path / "imported.txt"
    monkeypatch.setenv("AUTOML_TUI_TEST_MARKER", str(path))
    yield path
    sys.modules.pop("marker_plugin", None)


def linear_only(folder: Path, **values) -> Path:
    """A run of one cheap model, for tests about what surrounds the models (names, files, the disk)."""
    from conftest import write_preset

    return write_preset(folder / "linear_only.toml", models=["linear"], **values)


def hostile_preset(folder: Path, **extra) -> Path:
    (folder / "presets").mkdir(parents=True, exist_ok=True)
    path = folder / "presets" / "quick.toml"
    lines = ["time_budget_s = 20", 'models = ["linear"]', 'plugins = ["marker_plugin"]']
    lines += [f"{key} = {value}" for key, value in extra.items()]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.slow
async def test_the_wizard_lists_a_shared_preset_without_running_its_plugin(tmp_path, marker, monkeypatch):
    from test_wizard import SIZE, dataset_ready, on_step, until
    from textual.widgets import OptionList
    from wizard_support import no_clearml

    from automl_tui.app import AutomlApp
    from automl_tui.screens.choice import PresetScreen
    from automl_tui.screens.trust import TrustScreen

    project = tmp_path / "shared"
    project.mkdir()
    (project / "penguins.csv").write_bytes(PENGUINS.read_bytes())
    hostile_preset(project)
    monkeypatch.chdir(project)
    app = AutomlApp(start_dir=project, out=project / "runs", clearml_queues=no_clearml)
    async with app.run_test(size=SIZE) as pilot:
        await dataset_ready(pilot, app)  # the dataset screen estimates each preset's time
        await pilot.press("enter")
        await until(pilot, on_step(app, PresetScreen))
        options = app.screen.query_one("#choices", OptionList)
        assert "presets/quick.toml" in [option.id for option in options.options]  # listed, described
        while options.highlighted_option.id != "presets/quick.toml":
            await pilot.press("up")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, TrustScreen))
        assert "marker_plugin" in str(app.screen.query_one("#trust-body").render())
        await pilot.press("enter")  # the default answer: Back
        await until(pilot, lambda: isinstance(app.screen, PresetScreen))
    assert not marker.exists() and "marker_plugin" not in sys.modules


def test_a_preset_with_a_typo_is_refused_before_its_plugin_is_imported(tmp_path, marker):
    from automl_tui_engine import config
    from automl_tui_engine.errors import UserError

    preset = hostile_preset(tmp_path, time_budgett_s=5)
    with pytest.raises(UserError, match="Unknown setting 'time_budgett_s'"):
        config.build(str(preset))
    assert not marker.exists()


@pytest.mark.slow
def test_a_plugin_named_in_a_file_runs_only_once_trusted(tmp_path, marker, capsys):
    preset = hostile_preset(tmp_path)
    code, _, err = cli([PENGUINS, "--preset", preset, "--out", tmp_path / "runs"], capsys)
    assert code == 2 and "--allow-plugin marker_plugin" in err
    assert not marker.exists() and not (tmp_path / "runs").exists()


@pytest.mark.slow
def test_reading_a_shared_run_folder_imports_nothing(tmp_path, marker, capsys):
    """A run folder whose config names a plugin (and a plugin metric): `report` renders from what it recorded."""
    import automl_tui_engine as engine
    from conftest import quick_config

    run_dir = Path(engine.run(quick_config(PENGUINS, tmp_path / "runs", target="species")).run_dir)
    config = (run_dir / "config.toml").read_text()
    assert "plugins = []" in config
    (run_dir / "config.toml").write_text(config.replace("plugins = []", 'plugins = ["marker_plugin"]'))
    code, out, _ = cli(["report", run_dir], capsys)
    assert code == 0 and out.strip().endswith("report.md")
    assert not marker.exists() and "marker_plugin" not in sys.modules


@pytest.mark.slow
def test_hostile_names_come_out_as_text_everywhere(tmp_path, capsys):
    """Column names, class labels and the file name carry the corpus through a whole run, `predict` included."""
    frame = pd.read_csv(PENGUINS).dropna()
    renames = dict(zip(["island", "bill_length_mm", "bill_depth_mm", "sex"], HOSTILE.values(), strict=False))
    frame = frame.rename(columns=renames)
    labels = [HOSTILE["formula"], HOSTILE["html"], HOSTILE["title_escape"] + "Gentoo"]
    frame["species"] = frame["species"].map(dict(zip(["Adelie", "Chinstrap", "Gentoo"], labels, strict=True)))
    table = tmp_path / f"{HOSTILE['email']}.csv"
    frame.to_csv(table, index=False)
    code, out, err = cli(
        [table, "--target", "species", "--preset", linear_only(tmp_path, explain=True), "--out", tmp_path / "runs"],
        capsys,
    )
    assert code == 0, err
    assert "\x1b" not in out + err and "\x07" not in out + err
    (run_dir,) = (tmp_path / "runs").iterdir()
    for name in ("report.md", "model_card.md"):
        text = (run_dir / name).read_text(encoding="utf-8")
        assert not live_markup(text), name
        assert "example.com" not in text and not [c for c in TERMINAL_LIVE if c in text]
    code, out, err = cli(["predict", run_dir, table, "-o", tmp_path / "predicted.csv"], capsys)
    assert code == 0, err
    assert "\x1b" not in out + err
    for written in (tmp_path / "predicted.csv", run_dir / "test_predictions.csv"):
        cells = pd.read_csv(written, dtype=str, keep_default_na=False)
        texts = [*cells.columns, *cells.to_numpy().ravel()]
        # (an empty cell, a row with every input inside what training saw, starts with nothing)
        assert not [cell for cell in texts if cell and (cell[0] in "=+@" or (cell[0] == "-" and not _number(cell)))]
        assert any(cell.startswith("'=HYPERLINK") for cell in texts)  # kept, as text
    # what-if tables print the class labels as column names; runs prints run.json's words
    for command in (
        ["whatif", run_dir, "--vary", "flipper_length_mm=170:230:20"],
        ["optimize", run_dir, "--free", "flipper_length_mm", "--trials", "3", "--class", labels[2]],
    ):
        code, out, err = cli(command, capsys)
        assert code == 0, err
        assert "\x1b" not in out + err and "\x07" not in out + err, command[0]
    import json

    info = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    swallowing = "\x1b]0;no bell ever comes"  # an OSC opener without its BEL eats the rest of the output
    adoption = {"model": "linear", "use": HOSTILE["clear_screen"] + "use", "at": 1.0, "after_s": 2.0}
    info.update(run_id=swallowing, dataset_key=HOSTILE["title_escape"], adoptions=[adoption])
    (run_dir / "run.json").write_text(json.dumps(info), encoding="utf-8")
    code, out, err = cli(["runs", "--out", tmp_path / "runs"], capsys)
    assert code == 0 and "\x1b" not in out + err and "\\x1b]0;no bell ever comes" in out, out + err


def live_markup(markdown: str) -> list[str]:
    """The tags a Markdown viewer that allows HTML would make of `markdown` beyond what the report means to show:
    images other than its own charts, links out of the run folder, scripts and other raw HTML."""
    import re

    from markdown_it import MarkdownIt

    html = MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown)
    tags = re.findall(r"<(img|a|script|iframe|svg|object)\b[^>]*>", html)
    own = re.findall(r'<(?:img|a) (?:src|href)="plots/[\w.-]+"', html)
    return tags[len(own) :] if len(tags) != len(own) else []


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@pytest.mark.slow
def test_raw_csv_keeps_cells_as_predicted(tmp_path, capsys):
    frame = pd.read_csv(PENGUINS).dropna()
    frame["species"] = frame["species"].replace("Gentoo", HOSTILE["formula"])
    table = tmp_path / "penguins.csv"
    frame.to_csv(table, index=False)
    preset = linear_only(tmp_path)
    code, _, err = cli([table, "--target", "species", "--preset", preset, "--out", tmp_path / "runs"], capsys)
    assert code == 0, err
    (run_dir,) = (tmp_path / "runs").iterdir()
    code, _, err = cli(["predict", run_dir, table, "-o", tmp_path / "raw.csv", "--raw-csv"], capsys)
    assert code == 0, err
    assert HOSTILE["formula"] in set(pd.read_csv(tmp_path / "raw.csv")["prediction"])


def test_markdown_and_terminal_text_helpers_leave_nothing_live():
    from automl_tui_engine.formatting import md_safe, without_controls

    for text in HOSTILE.values():
        assert not live_markup(md_safe(text)) and "\x1b" not in without_controls(text)
    assert live_markup(HOSTILE["image"]) and live_markup(HOSTILE["script"])  # the check can fail
    assert md_safe("bill_length_mm") == "bill_length_mm"  # words stay readable in the raw file
    assert textwrap.dedent(md_safe("**x**")) == "\\*\\*x\\*\\*"


# ---- every failure path: a documented exit code and one sentence, never a traceback ----


@pytest.mark.parametrize(
    ("make", "said"),
    [
        (lambda p: __import__("os").mkfifo(p), "is a device, pipe or socket"),
        (lambda p: p.symlink_to(p), "a link that leads back to itself"),
        (lambda p: p.symlink_to(p.parent / "gone.csv"), "a link to a file that does not exist"),
    ],
)
def test_what_is_not_a_file_is_named_for_what_it_is(tmp_path, capsys, make, said):
    path = tmp_path / "table.csv"
    make(path)
    code, _, err = cli([path, "--out", tmp_path / "runs"], capsys)
    assert code == 2 and said in err


def test_a_device_is_not_read_forever(tmp_path, capsys):
    code, _, err = cli(["/dev/zero", "--out", tmp_path / "runs"], capsys)
    assert code == 2 and "is a device, pipe or socket" in err


def test_a_table_that_changes_while_it_is_read_is_refused(tmp_path, monkeypatch):
    from automl_tui_engine.errors import UserError
    from automl_tui_engine.table import reading

    table = tmp_path / "growing.csv"
    table.write_bytes(PENGUINS.read_bytes())
    real = reading.iter_table

    def read_while_someone_writes(path, how, chunk_rows=None):
        frames = real(path, how, chunk_rows)
        with open(path, "a") as handle:
            handle.write("Adelie,Dream,40.0,18.0,190,3900,male,2009\n")
        yield from frames

    monkeypatch.setattr(reading, "iter_table", read_while_someone_writes)
    with pytest.raises(UserError, match="changed while it was read"):
        reading.read_table(table)


@pytest.mark.parametrize(
    "setting",
    ["seed = 9223372036854775807", "time_budget_s = 1e308", "max_trials = 9223372036854775807", "plugins = 5"],
)
def test_absurd_settings_are_refused_with_the_key(tmp_path, capsys, setting):
    preset = tmp_path / "absurd.toml"
    preset.write_text(setting + "\n")
    code, _, err = cli([PENGUINS, "--preset", preset, "--out", tmp_path / "runs"], capsys)
    assert code == 2 and f"'{setting.split()[0]}'" in err and "internal error" not in err


@pytest.mark.slow
def test_a_full_disk_stops_the_run_with_one_line_and_no_half_files(tmp_path, capsys, monkeypatch):
    import errno
    import os

    from automl_tui_engine.outputs import rundir

    real_replace = os.replace
    writes = []

    def full_after_a_while(source, destination):
        writes.append(destination)
        if len(writes) > 6:  # the run folder exists and the first models are on disk
            raise OSError(errno.ENOSPC, "No space left on device", str(destination))
        return real_replace(source, destination)

    monkeypatch.setattr(rundir.os, "replace", full_after_a_while)
    code, _, err = cli([PENGUINS, "--target", "species", "--max-trials", "0", "--out", tmp_path / "runs"], capsys)
    assert code == 3 and "No space left on device" in err and "internal error" not in err
    assert not list((tmp_path / "runs").rglob(".*.tmp"))
    monkeypatch.undo()  # space again: the report of what was written says what is missing, and why
    (folder,) = (tmp_path / "runs").iterdir()
    code, _, err = cli(["report", folder], capsys)
    assert code == 0, err
    report = (folder / "report.md").read_text()
    assert "did not finish" in report and "| `model.joblib` | the run stopped before writing it" in report


@pytest.mark.slow
def test_a_run_folder_removed_mid_run_stops_it_with_one_line(tmp_path, capsys, monkeypatch):
    import shutil

    from automl_tui import headless

    real_view = headless.HeadlessView.__call__

    def remove_after_the_first_model(view, event):
        real_view(view, event)
        if event.kind == "candidate_finished" and view.started is not None:
            shutil.rmtree(view.started.run_dir, ignore_errors=True)

    monkeypatch.setattr(headless.HeadlessView, "__call__", remove_after_the_first_model)
    code, _, err = cli([PENGUINS, "--target", "species", "--max-trials", "0", "--out", tmp_path / "runs"], capsys)
    assert code == 3 and "The run stopped: it could not write to" in err and "internal error" not in err


# ---- a shared folder's Python files never run ----

SHADOWED_MODULES = ["json", "numpy", "pandas", "sklearn", "joblib", "automl_tui_engine", "automl_tui"]


@pytest.mark.slow
def test_the_wizard_s_engine_process_imports_nothing_from_the_opened_folder(tmp_path, monkeypatch):
    """The wizard runs the engine as a child process in the folder it was opened in: modules named like the
    standard library, the product's dependencies and the product itself lie there and none is imported."""
    from automl_tui_engine.child_run import run_in_child
    from conftest import quick_config

    shared = tmp_path / "shared"
    shared.mkdir()
    for name in SHADOWED_MODULES:
        trace = tmp_path / f"imported-{name}"
        (shared / f"{name}.py").write_text(f"open({str(trace)!r}, 'w').close()\nraise ImportError('shadowed')\n")
    table = shared / "penguins.csv"
    table.write_bytes(Path(PENGUINS).read_bytes())
    monkeypatch.chdir(shared)
    result = run_in_child(quick_config(table, shared / "runs", models=["linear"]))
    assert not sorted(path.name for path in tmp_path.glob("imported-*"))
    assert result.recommended


# ---- the wizard shows a shared table's and run folder's text as typed ----

WIZARD_MARKUP = {
    "closing_tag": "[/]",
    "bold": "[b]B[/b]",
    "link": "[link=https://evil.example/]CLICKME[/link]",
    "hidden": "[on red]ZZ[/]",
    "bidi": "\u202eevil",
    "escape": "\x1b]0;pwned\x07T",
}


def table_of_markup(folder: Path) -> Path:
    """The penguins with markup in column names, category values and class labels."""
    frame = pd.read_csv(PENGUINS).dropna()
    frame["island"] = frame["island"].map(
        {"Biscoe": WIZARD_MARKUP["closing_tag"], "Dream": WIZARD_MARKUP["hidden"], "Torgersen": WIZARD_MARKUP["escape"]}
    )
    frame["year"] = frame["year"].astype(str) + WIZARD_MARKUP["bidi"]
    labels = {"Adelie": WIZARD_MARKUP["bold"], "Chinstrap": WIZARD_MARKUP["closing_tag"], "Gentoo": "Gentoo"}
    frame["species"] = frame["species"].map(labels)
    # the link names an early column: the preview shows the first columns whole at any width
    frame = frame.rename(columns={"island": WIZARD_MARKUP["link"], "sex": WIZARD_MARKUP["hidden"]})
    path = folder / "shared.csv"
    frame[[*frame.columns.drop("species"), "species"]].to_csv(path, index=False)
    return path


@pytest.mark.slow
async def test_the_wizard_shows_markup_from_a_table_and_a_run_folder_as_typed(tmp_path, monkeypatch):
    """Every screen from the table to the Decision Summary, Use this model, Predict and Past runs (one of whose
    run_ids is markup): no crash, and the text on screen is the text in the files."""
    import json
    import shutil

    from test_wizard import choose_option, dataset_ready, on_step, until
    from wizard_support import no_clearml, screen_lines, summary_shown

    from automl_tui.app import AutomlApp
    from automl_tui.screens.choice import PresetScreen, PriorityScreen, WhereScreen
    from automl_tui.screens.confirm import ConfirmScreen
    from automl_tui.screens.predict import PredictScreen
    from automl_tui.screens.recent import RecentRunsScreen
    from automl_tui.screens.use import UseScreen

    folder = tmp_path / "shared"
    (folder / "presets").mkdir(parents=True)
    table = table_of_markup(folder)
    linear_only(folder / "presets", explain=True)  # one model: the screens are under test, not the search
    monkeypatch.chdir(folder)
    seen: list[str] = []

    def look() -> None:
        seen.extend(screen_lines(app))

    app = AutomlApp(start_dir=folder, out=Path("runs"), clearml_queues=no_clearml)
    async with app.run_test(size=(160, 40)) as pilot:
        await dataset_ready(pilot, app)
        # the preview is drawn a frame after the check's result is there (a busy machine saw a blank screen)
        await until(pilot, lambda: WIZARD_MARKUP["link"] in " ".join(screen_lines(app)))
        look()
        await pilot.press("enter")
        await until(pilot, on_step(app, PresetScreen))
        await choose_option(pilot, "presets/linear_only.toml")
        for step in (PriorityScreen, WhereScreen, ConfirmScreen):
            await until(pilot, on_step(app, step))
            look()
            await pilot.press("enter")
        await until(pilot, lambda: summary_shown(app), 300)
        look()
        await pilot.press("w")
        await until(pilot, lambda: isinstance(app.screen, UseScreen) and "Prediction" in " ".join(screen_lines(app)))
        look()
        await pilot.press("escape")
        await until(pilot, lambda: summary_shown(app))
        await pilot.press("p")
        await until(pilot, lambda: isinstance(app.screen, PredictScreen))
        app.screen.start(table)
        await until(pilot, lambda: "predictions" in " ".join(screen_lines(app)).lower())
        look()
        await pilot.press("escape")
        (run_dir,) = (folder / "runs").iterdir()
        renamed = Path(shutil.copytree(run_dir, folder / "runs" / "zz-renamed"))
        record = json.loads((renamed / "run.json").read_text(encoding="utf-8"))
        record["run_id"] = WIZARD_MARKUP["closing_tag"]
        (renamed / "run.json").write_text(json.dumps(record), encoding="utf-8")
        await until(pilot, lambda: summary_shown(app))
        await pilot.press("h")
        await until(pilot, lambda: isinstance(app.screen, RecentRunsScreen))
        look()
        assert any(line.strip().startswith(WIZARD_MARKUP["closing_tag"]) for line in screen_lines(app))
        await pilot.press("enter")  # the newest run first: the one whose run_id is markup
        await until(pilot, lambda: summary_shown(app))
        await until(pilot, lambda: WIZARD_MARKUP["closing_tag"] in screen_lines(app)[0])
    shown = "\n".join(seen)
    for name in ("closing_tag", "bold", "link", "hidden"):
        assert WIZARD_MARKUP[name] in shown, name
    assert "\\x1b]0;pwned\\x07T" in shown and "\x1b" not in shown and "\u202e" not in shown  # written out


@pytest.mark.slow
async def test_the_wizard_explains_a_table_with_a_10_kb_column_name(tmp_path, monkeypatch):
    from test_wizard import SIZE, dataset_ready, until
    from wizard_support import no_clearml, screen_lines

    from automl_tui.app import AutomlApp

    frame = pd.read_csv(PENGUINS).head(40).rename(columns={"island": "[b]" + "n" * 10_000})
    frame.to_csv(tmp_path / "long_names.csv", index=False)
    monkeypatch.chdir(tmp_path)
    app = AutomlApp(start_dir=tmp_path, out=Path("runs"), clearml_queues=no_clearml)
    async with app.run_test(size=SIZE) as pilot:
        screen = await dataset_ready(pilot, app)
        assert "column name of 10003 characters" in screen.inspection.error
        # on screen once it is drawn (the check's result is there a frame before the screen shows it)
        await until(pilot, lambda: "column name of 10003" in " ".join(screen_lines(app)))


def test_the_wizard_s_text_widgets_all_show_text_as_typed():
    """Textual's own Static, Label, DataTable, OptionList, Select, SelectionList and RichLog read a str as markup:
    every screen uses widgets.plain's instead (which also break Japanese lines by its rules)."""
    import ast

    plain_only = {"Static", "Label", "DataTable", "OptionList", "Select", "SelectionList", "RichLog"}
    wizard = Path(__file__).resolve().parent.parent / "automl_tui"
    found = []
    for path in wizard.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("textual.widgets"):
                found += [f"{path.name}: {a.name}" for a in node.names if a.name in plain_only]
    assert found == [], "import these from automl_tui.widgets.plain"


# ---- a model is loaded without asking only when this user's key signed it ----


class _OpensAFileWhenUnpickled:
    def __init__(self, trace: Path) -> None:
        self.trace = trace

    def __reduce__(self):
        return (open, (str(self.trace), "w"))


@pytest.mark.parametrize("signature", [None, "0" * 64, "copied from another run"])
def test_a_run_json_that_vouches_for_a_foreign_model_does_not_get_it_loaded(penguin_run, tmp_path, capsys, signature):
    """The folder's writer replaced the model and wrote its hash, this user and machine, and a signature (made up,
    or this user's genuine one of another model) into run.json: predict, whatif and optimize still ask first."""
    import json
    import pickle

    from automl_tui_engine.outputs import rundir
    from conftest import copy_of

    folder = copy_of(penguin_run, tmp_path)
    info = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    genuine = info["model_signature"]
    trace = tmp_path / "unpickled"
    (folder / "model.joblib").write_bytes(pickle.dumps(_OpensAFileWhenUnpickled(trace)))
    forged = genuine if signature == "copied from another run" else signature
    info.update(model_sha256=rundir.sha256_of(folder / "model.joblib"), made_by=rundir.here(), model_signature=forged)
    (folder / "run.json").write_text(json.dumps(info), encoding="utf-8")
    for args in (
        ["predict", folder, PENGUINS, "-o", tmp_path / "p.csv"],
        ["whatif", folder, "--set", "island=Dream"],
        ["optimize", folder, "--free", "flipper_length_mm", "--trials", "3"],
    ):
        code, _, err = cli(args, capsys)
        assert code == 2 and "--trust" in err, err
        assert not trace.exists(), args[0]
    code, _, err = cli(["predict", folder, PENGUINS, "-o", tmp_path / "p.csv", "--trust"], capsys)
    assert trace.exists()  # the check above could fail: trusted, the file's code runs


# ---- commands at once on one run folder keep every record; writes never follow a link out ----


@pytest.mark.slow
def test_eight_adopts_and_eight_whatifs_at_once_keep_sixteen_records(penguin_run, tmp_path):
    import json
    import os
    import subprocess

    from conftest import copy_of

    folder = copy_of(penguin_run, tmp_path)
    models = [row["model"] for row in pd.read_csv(folder / "leaderboard.csv").to_dict("records")]
    environment = {**os.environ, "BROWSER_PATH": str(tmp_path / "no-browser")}  # charts as pages only: quicker
    commands = [["adopt", folder, models[i % len(models)], "--use", f"use {i}"] for i in range(8)]
    commands += [["whatif", folder, "--vary", f"flipper_length_mm=170:230:{5 + i}"] for i in range(8)]
    started = [
        subprocess.Popen(
            [sys.executable, "-m", "automl_tui", *map(str, command)], env=environment, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True,
        )
        for command in commands
    ]  # fmt: skip
    for process in started:
        _, err = process.communicate(timeout=600)
        assert process.returncode == 0, err
    adoptions = json.loads((folder / "run.json").read_text(encoding="utf-8"))["adoptions"]
    assert sorted(a["use"] for a in adoptions) == [f"use {i}" for i in range(8)]
    decision = (folder / "decision.md").read_text(encoding="utf-8")
    assert all(f"use {i}" in decision for i in range(8))
    records = sorted(path.name for path in (folder / "whatif").glob("*.json"))
    assert records == [f"{n:03d}-grid.json" for n in range(1, 9)]
    report = (folder / "report.md").read_text(encoding="utf-8")
    assert all(f"whatif/{n:03d}-grid.csv" in report for n in range(1, 9)) and "use 7" in report


def test_run_folder_writes_never_follow_a_link_out(penguin_run, tmp_path, capsys):
    """A shared run folder whose predictions.jsonl or whatif/ is a link: predict and whatif refuse in one line
    and the file or folder the link points to is untouched."""
    from conftest import copy_of

    folder = copy_of(penguin_run, tmp_path)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    (folder / "predictions.jsonl").unlink(missing_ok=True)
    (folder / "predictions.jsonl").symlink_to(victim)
    code, _, err = cli(["predict", folder, PENGUINS, "-o", tmp_path / "p.csv"], capsys)
    assert code == 2 and "is a link" in err and len(err.strip().splitlines()) == 1, err
    assert victim.read_text() == "precious\n"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (folder / "whatif").symlink_to(elsewhere, target_is_directory=True)
    code, _, err = cli(["whatif", folder, "--vary", "flipper_length_mm=170:230:10"], capsys)
    assert code == 2 and "is a link" in err, err
    assert list(elsewhere.iterdir()) == []


@pytest.mark.slow  # adopt, whatif and report through the CLI: five seconds
def test_what_people_type_and_run_json_says_is_never_live_in_decision_md_or_the_report(penguin_run, tmp_path, capsys):
    """--use, --note, the adopter, the target, the table's name, run_id and dataset_key, and a what-if record's
    command (a column name with backticks) are written as typed: no tag, image or link comes alive."""
    import json

    from conftest import copy_of

    folder = copy_of(penguin_run, tmp_path)
    info = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    info.update(run_id=HOSTILE["html"], dataset_key=HOSTILE["image"], target=HOSTILE["script"])
    info["config"]["data"] = f"/shared/{HOSTILE['link']}.csv"
    (folder / "run.json").write_text(json.dumps(info), encoding="utf-8")
    model = pd.read_csv(folder / "leaderboard.csv")["model"][0]
    code, _, err = cli(["adopt", folder, model, "--use", HOSTILE["script"], "--note", HOSTILE["image"]], capsys)
    assert code == 0, err
    info = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    info["adoptions"][0]["by"] = "[x](javascript:alert(1))"
    (folder / "run.json").write_text(json.dumps(info), encoding="utf-8")
    code, _, err = cli(["whatif", folder, "--vary", "flipper_length_mm=170:230:30"], capsys)
    assert code == 0, err
    (record,) = (folder / "whatif").glob("*.json")
    asked = json.loads(record.read_text(encoding="utf-8"))
    asked["asked"]["said"] = "automl-tui whatif --vary `x`<img src=x onerror=alert(1)>`=1:2:1"
    record.write_text(json.dumps(asked), encoding="utf-8")
    code, _, err = cli(["report", folder], capsys)
    assert code == 0, err
    for name in ("decision.md", "report.md", "model_card.md"):
        text = (folder / name).read_text(encoding="utf-8")
        assert not live_markup(text) and "javascript:" not in live_text(text), name


def live_text(markdown: str) -> str:
    """The HTML a Markdown viewer makes of `markdown`, for links that are live (href=...)."""
    from markdown_it import MarkdownIt

    return " ".join(__import__("re").findall(r'href="[^"]*"', MarkdownIt("commonmark").render(markdown)))


def test_runs_lists_every_readable_run_when_one_run_json_is_of_the_wrong_shape(penguin_run, tmp_path, capsys):
    import json

    runs = tmp_path / "runs"
    runs.mkdir()
    good, odd = copy_of_into(penguin_run, runs / "a-good"), copy_of_into(penguin_run, runs / "b-odd")
    info = json.loads((odd / "run.json").read_text(encoding="utf-8"))
    info["adoptions"] = [{"model": "linear", "use": "x", "at": "yesterday", "after_s": "soon"}, 5]
    (odd / "run.json").write_text(json.dumps(info), encoding="utf-8")
    code, out, err = cli(["runs", "--out", runs], capsys)
    assert code == 0 and "internal error" not in err, err
    assert out.count(json.loads((good / "run.json").read_text())["run_id"]) == 2  # both folders hold that run id
    code, out, err = cli(["runs", "--out", tmp_path / "no-such-folder"], capsys)
    assert code == 2 and "is not a folder" in err, out + err


def copy_of_into(run_dir: Path, destination: Path) -> Path:
    import shutil

    return Path(shutil.copytree(run_dir, destination))


# ---- every remaining failure is one line with its exit code, and blames the right thing ----


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["optimize", "{run}", "--free", "flipper_length_mm", "--class", "Adelie", "--constraint",
          "-" * 50_000 + "1 <= 2"], "write each rule as its own --constraint"),
        (["optimize", "{run}", "--free", "flipper_length_mm", "--class", "Adelie", "--constraint",
          "flipper_length_mm <= " + "9" * 401], "write each rule as its own --constraint"),
        (["optimize", "{run}", "--free", "flipper_length_mm", "--class", "Adelie", "--constraint",
          "flipper_length_mm <= " + "9" * 200], "is not a condition"),
        (["optimize", "{run}", "--free", "flipper_length_mm", "--class", "Adelie", "--constraint",
          " + ".join(["flipper_length_mm"] * 8_000) + " <= 1"], "write each rule as its own --constraint"),
        (["whatif", "{run}", "--vary", "flipper_length_mm=0:1e308:1e-308"], "values"),
        (["whatif", "{run}", "--vary", "flipper_length_mm=-1e308:1e308"], "is not a range"),
        (["whatif", "{run}", "--vary", "flipper_length_mm=nan:5"], "is not a range"),
        (["optimize", "{run}", "--free", "flipper_length_mm", "--class", "Adelie", "--range",
          "flipper_length_mm=-1e308:1e308"], "is not a range"),
        (["optimize", "{run}", "--free", "flipper_length_mm", "--class", "Adelie", "--seed", str(2**40)], "--seed"),
        (["whatif", "{tmp}/no-such-run", "--set", "island=Dream"], "is not an automl-tui run folder"),
        (["whatif", "{tmp}/loop", "--vary", "flipper_length_mm=170:230:10"], "is not an automl-tui run folder"),
        (["predict", "{run}", "{tmp}/fake.parquet", "-o", "{tmp}/p.csv"], "fake.parquet"),
        ([PENGUINS, "--time-budget", "1e-9", "--out", "{tmp}/runs"], "--time-budget 1e-09: it must be at least 1"),
        ([PENGUINS, "--seed", "-1", "--out", "{tmp}/runs"], "--seed -1: it must be at least 0."),
    ],
)  # fmt: skip
def test_bad_values_are_one_line_that_names_the_real_cause(penguin_run, tmp_path, capsys, args, said):
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    (tmp_path / "fake.parquet").write_text("not parquet\n")
    words = [str(a).format(run=penguin_run, tmp=tmp_path) for a in args]
    code, out, err = cli(words, capsys)
    assert code == 2, out + err
    assert said in err and "internal error" not in err and "cannot read" not in err, err
    assert len(err.strip().splitlines()) <= 4  # typer's usage lines for a flag it refuses; else one line


def test_a_read_only_or_full_place_is_one_line_and_exit_3(penguin_run, tmp_path, capsys, monkeypatch):
    """predict -o onto a read-only file system (where even removing a draft that is not there fails), report and
    whatif -o onto a full disk: one line, exit 3, no half file."""
    import errno
    from pathlib import Path as RealPath

    from automl_tui_engine.outputs import rundir
    from conftest import copy_of

    folder = copy_of(penguin_run, tmp_path)
    real_open, real_unlink = open, RealPath.unlink
    read_only = tmp_path / "read-only"
    read_only.mkdir()

    def refuse_there(path, *args, **kwargs):
        if str(path).startswith(str(read_only)):
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        return real_open(path, *args, **kwargs)

    def unlink(path, missing_ok=False):
        if str(path).startswith(str(read_only)):
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        return real_unlink(path, missing_ok=missing_ok)

    monkeypatch.setattr("builtins.open", refuse_there)
    monkeypatch.setattr(RealPath, "unlink", unlink)
    code, _, err = cli(["predict", folder, PENGUINS, "-o", read_only / "p.csv"], capsys)
    assert code in (2, 3) and "Read-only file system" in err and len(err.strip().splitlines()) == 1, err
    monkeypatch.undo()

    real_replace = rundir.os.replace

    def full(source, destination):
        raise OSError(errno.ENOSPC, "No space left on device", str(destination))

    monkeypatch.setattr(rundir.os, "replace", full)
    code, _, err = cli(["report", folder], capsys)
    assert code == 3 and "No space left on device" in err and len(err.strip().splitlines()) == 1, err
    monkeypatch.setattr(rundir.os, "replace", real_replace)
    monkeypatch.setattr("automl_tui.whatif_cli.os.replace", full)
    code, _, err = cli(["whatif", folder, "--vary", "flipper_length_mm=170:230:30", "-o", tmp_path / "g.csv"], capsys)
    assert code == 3 and "No space left on device" in err, err
    assert not (tmp_path / "g.csv").exists() and not list(tmp_path.glob(".g.csv.*"))
    assert not [p for p in folder.rglob(".*.tmp")]


def test_predict_refuses_a_table_that_changes_while_it_is_read(penguin_run, tmp_path, monkeypatch):
    from automl_tui_engine import predict
    from automl_tui_engine.errors import UserError
    from automl_tui_engine.table import reading

    table = tmp_path / "growing.csv"
    table.write_bytes(Path(PENGUINS).read_bytes())
    real_iter = reading.iter_table

    def read_while_someone_writes(path, how, chunk_rows=None):
        for number, frame in enumerate(real_iter(path, how, chunk_rows)):
            if number == 0:
                with open(path, "a") as handle:
                    handle.write("Adelie,Dream,40.0,18.0,190,3900,male,2009\n")
            yield frame

    monkeypatch.setattr(reading, "iter_table", read_while_someone_writes)
    with pytest.raises(UserError, match="changed while it was read"):
        predict.predict_file(penguin_run, table, tmp_path / "p.csv", chunk_rows=100)
    assert not (tmp_path / "p.csv").exists()


def test_a_carriage_return_in_a_cell_keeps_every_csv_readable(tmp_path):
    """A label `Adelie\\r=1+1` is quoted in every CSV automl-tui writes: read back, it is one cell, never a row
    that starts with a formula."""
    import io

    from automl_tui_engine.formatting import spreadsheet_safe
    from automl_tui_engine.outputs import rundir
    from automl_tui_engine.predict import _write

    frame = pd.DataFrame({"prediction": ["Adelie\r=1+1", "Gentoo"], "score": [0.5, 0.25]})
    rundir.write_frame(spreadsheet_safe(frame), tmp_path / "run.csv")
    handle = io.StringIO()
    _write(spreadsheet_safe(frame), handle, {"sep": ",", "decimal": "."}, True, 1, tmp_path / "p.csv")
    (tmp_path / "p.csv").write_text(handle.getvalue(), newline="")
    rundir.RunFolder(tmp_path).write_csv("rows.csv", frame.to_dict("records"), list(frame.columns))
    for name in ("run.csv", "p.csv", "rows.csv"):
        back = pd.read_csv(tmp_path / name, dtype=str, encoding="utf-8-sig")
        assert back["prediction"].tolist()[0].replace("\r\n", "\r") in ("Adelie\r=1+1", "Adelie\n=1+1"), name
        assert len(back) == 2, name


@pytest.mark.parametrize("where", ["name", "cell"])
def test_a_huge_name_or_cell_is_refused_in_one_line(tmp_path, capsys, where):
    frame = pd.read_csv(PENGUINS).head(40)
    if where == "name":
        frame = frame.rename(columns={"island": "i" * 5_000})
    else:
        frame.loc[3, "island"] = "x" * 300_000
    table = tmp_path / "huge.csv"
    frame.to_csv(table, index=False)
    code, _, err = cli([table, "--target", "species", "--out", tmp_path / "runs"], capsys)
    assert code == 2 and len(err.strip().splitlines()) == 1 and "internal error" not in err, err
    assert ("column name of 5000 characters" if where == "name" else "a cell of 300000 characters") in err


@pytest.mark.slow
def test_a_disk_that_fills_after_the_model_keeps_the_model_usable_and_leaves_no_half_file(
    tmp_path, capsys, monkeypatch
):
    """The disk fills when the charts' plotly.min.js is written, after model.joblib: the run stops with exit 3,
    leaves no half or empty file, records the model's hash and signature (predict later loads the user's own model
    without asking), and `report` then names what is missing instead of calling the folder complete."""
    import errno
    import json

    from automl_tui_engine.outputs import rundir

    real_replace = rundir.os.replace
    full = []

    def full_at_plotly_js(source, destination):
        if str(destination).endswith("plotly.min.js") or full:  # and it stays full
            full.append(destination)
            raise OSError(errno.ENOSPC, "No space left on device", str(destination))
        return real_replace(source, destination)

    preset = linear_only(tmp_path, charts="html")
    monkeypatch.setattr(rundir.os, "replace", full_at_plotly_js)
    code, _, err = cli([PENGUINS, "--target", "species", "--preset", preset, "--out", tmp_path / "runs"], capsys)
    assert code == 3 and "No space left on device" in err and "internal error" not in err, err
    monkeypatch.undo()
    (folder,) = (tmp_path / "runs").iterdir()
    assert not list(folder.rglob(".*.tmp"))
    assert not [path for path in folder.rglob("*") if path.is_file() and not path.stat().st_size]
    assert not (folder / "plots" / "plotly.min.js").exists()
    info = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    assert info["model_sha256"] == rundir.sha256_of(folder / "model.joblib") and info["model_signature"]
    code, _, err = cli(["predict", folder, PENGUINS, "-o", tmp_path / "p.csv"], capsys)
    assert code == 0, err
    (folder / "test_predictions.csv").write_bytes(b"")  # as an older version left it on a full disk
    code, _, err = cli(["report", folder], capsys)
    assert code == 0, err
    report = (folder / "report.md").read_text(encoding="utf-8")
    assert "| `test_predictions.csv` | the file is there but empty" in report
    assert "`plots" in report.split("Debug: Missing artifacts")[-1]


@pytest.mark.slow
def test_a_test_score_from_a_handful_of_rows_says_so_in_every_face(tmp_path, capsys):
    small = tmp_path / "small.csv"
    pd.read_csv(PENGUINS).dropna().groupby("species").head(20).to_csv(small, index=False)  # 60 rows, 12 to test
    preset = linear_only(tmp_path)
    code, out, err = cli([small, "--target", "species", "--preset", preset, "--out", tmp_path / "runs"], capsys)
    assert code == 0, err
    said = "The test score comes from only 12 rows"
    assert said in out
    (folder,) = (tmp_path / "runs").iterdir()
    assert said in (folder / "report.md").read_text(encoding="utf-8")
