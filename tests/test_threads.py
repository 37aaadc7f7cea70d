"""Threads never outnumber the free cores: the count comes from one place (core/threads.py) and reaches every
library that starts threads (bench/threads.py measures what it saves)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from automl_tui_engine.core import threads
from automl_tui_engine.extension.registry import models
from automl_tui_engine.tasks import Task

pytestmark = pytest.mark.slow  # what is free depends on what else the machine is doing: the full tier (see conftest)


def test_the_free_cores_are_at_least_one_and_at_most_this_process_may_use():
    assert 1 <= threads.free_cores(0.05) <= threads.cores()


@pytest.mark.skipif(threads.cores() < 2, reason="needs two cores: one to keep busy, one to measure on")
def test_a_core_kept_busy_by_other_work_is_not_counted_free():
    hog = subprocess.Popen([sys.executable, "-c", "while 1: pass"])
    try:
        # the hog is running once it has used CPU time (its own counters say so): no fixed sleep
        ticks = 0
        while ticks == 0:
            with open(f"/proc/{hog.pid}/stat", encoding="ascii") as stat:
                ticks = int(stat.read().rsplit(")", 1)[1].split()[11])
        assert threads.free_cores(0.5) <= threads.cores() - 1
    finally:
        hog.kill()
        hog.wait()


def test_the_count_reaches_libraries_loaded_later_and_estimators_built_later(monkeypatch):
    for name in (*threads.THREAD_VARIABLES, "OMP_NUM_THREADS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MKL_NUM_THREADS", "3")  # the user's own setting stays theirs
    monkeypatch.setattr(threads, "_settled", [])
    threads.settle(1)
    assert os.environ["OMP_NUM_THREADS"] == "1" and os.environ["MKL_NUM_THREADS"] == "3"
    assert threads.count() == 1
    if models.get("lightgbm").is_installed():
        assert models.get("lightgbm").build(Task.BINARY, 0).get_params()["n_jobs"] == 1  # its default is every core
    assert models.get("lightgbm").build(Task.BINARY, 0, {"n_jobs": 2}).get_params()["n_jobs"] == 2


def test_a_run_records_how_many_threads_it_used(tmp_path, penguins_csv):
    import json

    from automl_tui_engine.runner import run
    from conftest import quick_config

    run(quick_config(penguins_csv, tmp_path / "runs", target="species", models=["linear"]))
    (folder,) = (tmp_path / "runs").iterdir()
    record = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    assert 1 <= record["threads"]["used"] <= record["threads"]["cores"] == threads.cores()
    report = (folder / "report.md").read_text(encoding="utf-8")
    assert f"fits used {record['threads']['used']} thread(s): as many as" in report
