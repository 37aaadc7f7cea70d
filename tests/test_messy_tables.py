"""Every table of the messy corpus (tests/data/messy_tables.py) through the headless command line: each one
either runs, with what was done said in the report, or is refused with one line that says what to do."""

import atexit
import shutil
import sys
import tempfile
from pathlib import Path

import pytest
from conftest import write_preset

from automl_tui.cli import main

sys.path.insert(0, str(Path(__file__).parent / "data"))
import messy_tables  # noqa: E402

CORPUS = Path(tempfile.mkdtemp(prefix="messy-"))
atexit.register(shutil.rmtree, CORPUS, ignore_errors=True)
CASES = messy_tables.make(CORPUS)


def test_the_corpus_is_large_enough_and_covers_both_outcomes():
    assert len(CASES) >= 30
    assert {case.exit_code for case in CASES} == {0, 2}


@pytest.mark.parametrize(
    "case",
    # a table that runs is a real run of the engine: the full tier; a refusal, said before any work, is quick
    [pytest.param(case, marks=[pytest.mark.slow] if case.exit_code == 0 else []) for case in CASES],
    ids=[case.file for case in CASES],
)
def test_messy_table(case, tmp_path, capsys):
    preset = write_preset(tmp_path / "quick.toml", models=["linear"])
    args = [CORPUS / case.file, "--preset", preset, "--out", tmp_path / "runs"]
    if case.target:
        args += ["--target", case.target]
    with pytest.raises(SystemExit) as finished:
        main([str(a) for a in args])
    captured = capsys.readouterr()
    assert finished.value.code == case.exit_code, captured.err
    assert "Traceback" not in captured.err + captured.out
    if case.exit_code == 0:
        (run_dir,) = (tmp_path / "runs").iterdir()
        report = (run_dir / "report.md").read_text(encoding="utf-8")
        assert case.expect in report
    else:
        assert len(captured.err.strip().splitlines()) == 1 and case.expect in captured.err
        assert not (tmp_path / "runs").exists()
