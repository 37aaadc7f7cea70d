"""The engine knows no screen, and `automl-tui --help` loads no heavy library (it must start instantly)."""

import json
import subprocess
import sys


def loaded_modules(code: str) -> set[str]:
    script = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    return set(json.loads(out.strip().splitlines()[-1]))


def top_level(modules: set[str]) -> set[str]:
    return {name.split(".")[0] for name in modules}


def test_engine_imports_no_ui_code():
    loaded = top_level(
        loaded_modules(
            "import automl_tui_engine.runner, automl_tui_engine.outputs.report, automl_tui_engine.table.data"
        )
    )
    assert not loaded & {"textual", "rich", "automl_tui"}


def test_help_imports_no_heavy_library():
    code = (
        "import sys, contextlib, io\n"
        "from automl_tui.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n"
        "        main(['--help'])\n"
        "    except SystemExit:\n"
        "        pass"
    )
    loaded = top_level(loaded_modules(code))
    assert "typer" in loaded  # the command really ran
    # `--help` is the run command's help (how to run on a table): typer builds a command's options with pydantic,
    # so that one comes with it; nothing else heavy does
    assert not loaded & {"sklearn", "pandas", "numpy", "textual", "clearml", "shap", "lightgbm"}
