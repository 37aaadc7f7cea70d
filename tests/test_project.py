"""The README's two fresh-machine commands stay true: CI runs the test one verbatim."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def readme_commands() -> list[str]:
    head = ROOT.joinpath("README.md").read_text(encoding="utf-8").split("\n## ")[0]
    blocks = head.split("```")[1::2]
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip().startswith("python3")]


def test_readme_starts_with_run_and_test_commands():
    run, test = readme_commands()[:2]
    assert "automl-tui --preset fast examples/penguins.csv" in run
    assert "pytest" in test


def test_ci_runs_the_readme_test_command_verbatim():
    test = readme_commands()[1]
    assert test in ROOT.joinpath(".ci", "run").read_text(encoding="utf-8").splitlines()


def test_the_sample_named_in_the_readme_is_shipped():
    run = readme_commands()[0]
    sample = next(word for word in run.split() if word.endswith(".csv"))
    assert (ROOT / sample).is_file()


def test_presets_ship_inside_the_package():
    project = tomllib.loads(ROOT.joinpath("pyproject.toml").read_text(encoding="utf-8"))
    assert "*.toml" in project["tool"]["setuptools"]["package-data"]["automl_tui_presets"]
    assert {p.stem for p in ROOT.glob("presets/*.toml")} >= {"fast", "balanced", "best"}
