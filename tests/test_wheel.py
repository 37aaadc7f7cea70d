"""A normal install holds the whole product: the wheel built from this checkout has every folder of Python files
under automl_tui/, engine/ and presets/ (an editable install, which CI's tests run in, would hide a missing one)."""

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# each source folder of the product and the name it is imported by
INSTALLED_AS = {"automl_tui": "automl_tui", "engine": "automl_tui_engine", "presets": "automl_tui_presets"}


def test_the_wheel_holds_every_package_folder(tmp_path):
    source = tmp_path / "source"
    # a copy, so the build's own folders (build/, *.egg-info) stay out of the checkout
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(".git", ".venv", "runs", "tests", "bench", "__pycache__", "build", "*.egg-info"),
    )
    # without build isolation: the test venv's setuptools builds it, no package index needed
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", tmp_path, source],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("automl_tui-*.whl")
    in_wheel = {Path(name).parent.as_posix() for name in zipfile.ZipFile(wheel).namelist()}
    expected = {
        Path(INSTALLED_AS[folder.relative_to(ROOT).parts[0]], *folder.relative_to(ROOT).parts[1:]).as_posix()
        for top in INSTALLED_AS
        for folder in {path.parent for path in (ROOT / top).rglob("*.py")}
    }
    assert expected and not expected - in_wheel, f"missing from the wheel: {sorted(expected - in_wheel)}"
    # the data files the product reads at run time
    names = set(zipfile.ZipFile(wheel).namelist())
    for data in ("automl_tui_presets/fast.toml", "automl_tui_engine/locales/ja.toml", "automl_tui/app.tcss"):
        assert data in names
