"""The packages are found, never listed: every folder of Python files under automl_tui/ and engine/ is in the
wheel by construction (tests/test_wheel.py holds it). Everything else about the project is in pyproject.toml."""

from setuptools import find_packages, setup

# engine/ is installed as automl_tui_engine and presets/ as automl_tui_presets: names no folder of a user's
# called "engine" or "presets" can shadow
ENGINE, PRESETS = "automl_tui_engine", "automl_tui_presets"

setup(
    packages=[
        *find_packages(include=["automl_tui", "automl_tui.*"]),
        ENGINE,
        *(f"{ENGINE}.{package}" for package in find_packages("engine")),
        PRESETS,
    ],
    package_dir={ENGINE: "engine", PRESETS: "presets"},
)
