"""Shared fixtures: small real datasets (scikit-learn's bundled ones and the shipped penguins CSV)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from report_checks import check_new_reports

ROOT = Path(__file__).resolve().parent.parent
PENGUINS = ROOT / "examples" / "penguins.csv"
PENGUINS_JA = ROOT / "examples" / "penguins_ja.csv"
# The tests read English words: a developer's Japanese locale (LANG=ja_JP.UTF-8) must not change them. Set before
# any test module imports the wizard, whose screens make their key labels when imported; a test session of another
# language (the Japanese wizard snapshots run in one of their own) is asked for with AUTOML_TUI_TEST_LANG.
TEST_LANGUAGE = os.environ.get("AUTOML_TUI_TEST_LANG", "en")
os.environ["AUTOML_TUI_LANG"] = TEST_LANGUAGE
_REPORTS_CHECKED: dict[Path, int] = {}


def pytest_xdist_auto_num_workers(config):
    """How many processes `-n auto` (pyproject's addopts) shares the test files out to: the cores free now, as a
    run sizes its threads (core/threads.py), so that on a busy machine they do not fight over one core; and one
    more when slow tests run, which spend much of their time waiting on agents, terminals and time budgets (the
    whole suite took 14.8 min with 2 workers and 10.9 min with 3 on 2 idle cores)."""
    from automl_tui_engine.core import threads

    quick_only = config.option.markexpr == "quick"
    return threads.free_cores() + (0 if quick_only else 1)


def pytest_collection_modifyitems(items):
    """Two tiers: `pytest -m quick` while editing (engine units, config, decision, report, CLI errors: under a
    minute), and the whole suite, which CI runs. A test is quick unless it is marked slow (real runs of a preset,
    subprocesses, agents, servers, terminals)."""
    for item in items:
        if not item.get_closest_marker("slow"):
            item.add_marker(pytest.mark.quick)


def session_folder(tmp_path_factory) -> Path:
    """The test session's own temporary folder, shared by its xdist workers (each has a folder of its own in it)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(autouse=True, scope="session")
def user_configuration_of_its_own(tmp_path_factory):
    """The plugins a test trusts, and the key that signs the models, are kept in a configuration folder of the test
    session's, never the user's (child processes inherit it, and the language); one for all workers, so a run one
    worker made is this user's for the others too."""
    folder = session_folder(tmp_path_factory) / "config"
    folder.mkdir(exist_ok=True)
    os.environ["XDG_CONFIG_HOME"] = str(folder)


@pytest.fixture(autouse=True)
def environment_of_the_session():
    """A command run in this process sets PYTHONSAFEPATH for its children (child_python.py): taken back after each
    test, so tests that start Python themselves see the session's environment."""
    yield
    os.environ.pop("PYTHONSAFEPATH", None)


@pytest.fixture(autouse=True)
def every_report_agrees_with_its_run_folder(tmp_path_factory):
    """After each test, each report.md it made (here, in a child process or on an agent) is checked against the
    files beside it (report_checks.py)."""
    yield
    found = check_new_reports(tmp_path_factory.getbasetemp(), _REPORTS_CHECKED)
    assert not found, "\n".join(found)


@pytest.fixture(scope="session")
def recorded_run(tmp_path_factory) -> Path:
    """A run folder the wizard tests replay, made by the current engine once per test session."""
    from wizard_support import record_run

    return record_run(tmp_path_factory.mktemp("recorded"))


def penguins_with_id():
    """The bundled penguins with an ID column first (penguin_id, from 1001): predictions keep it beside them."""
    import pandas as pd

    frame = pd.read_csv(PENGUINS)
    frame.insert(0, "penguin_id", range(1001, 1001 + len(frame)))
    return frame


@pytest.fixture(scope="session")
def penguin_run(tmp_path_factory) -> Path:
    """One real run, made once per test session, for the quick tests that read or use a finished run folder:
    penguins_with_id, predicting species, with quick_config's two default models. A test that damages the folder
    works on a copy (copy_of)."""
    import automl_tui_engine as engine
    from filelock import FileLock

    folder = session_folder(tmp_path_factory) / "penguin_run"
    with FileLock(f"{folder}.lock"):  # one worker makes it, the others wait and use it
        made = folder / "run_dir.txt"
        if not made.exists():
            folder.mkdir()
            penguins_with_id().to_csv(folder / "penguins_with_id.csv", index=False)
            config = quick_config(folder / "penguins_with_id.csv", folder / "runs", target="species")
            made.write_text(engine.run(config).run_dir, encoding="utf-8")
    return Path(made.read_text(encoding="utf-8"))


def copy_of(run_dir: Path, tmp_path: Path) -> Path:
    """A run folder of a test's own, to damage as it likes."""
    import shutil

    return Path(shutil.copytree(run_dir, tmp_path / run_dir.name))


@pytest.fixture
def penguins_csv() -> Path:
    return PENGUINS


@pytest.fixture
def cancer():
    """scikit-learn's breast-cancer data as (X, y), y readable: for tests of the search's parts."""
    from sklearn.datasets import load_breast_cancer

    frame = load_breast_cancer(as_frame=True).frame
    return frame.drop(columns=["target"]), frame["target"].map({0: "malignant", 1: "benign"})


@pytest.fixture
def breast_cancer_csv(tmp_path: Path) -> Path:
    """scikit-learn's breast-cancer data (binary, 569 rows), with a readable target."""
    from sklearn.datasets import load_breast_cancer

    frame = load_breast_cancer(as_frame=True).frame
    frame["target"] = frame["target"].map({0: "malignant", 1: "benign"})
    path = tmp_path / "breast_cancer.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.fixture
def diabetes_csv(tmp_path: Path) -> Path:
    """scikit-learn's diabetes data (regression, 442 rows)."""
    from sklearn.datasets import load_diabetes

    path = tmp_path / "diabetes.csv"
    load_diabetes(as_frame=True, scaled=False).frame.to_csv(path, index=False)
    return path


def quick_config(data: Path, out: Path, **overrides):
    """A small, fast run: two cheap models with their defaults (no tuning), 3 folds, a single latency repeat."""
    from automl_tui_engine import config

    values = {
        "data": data,
        "out": out,
        "cv_folds": 3,
        "latency_repeats": 1,
        "models": ["linear", "hist_gb"],
        "max_trials": 0,
        "explain": False,
        "charts": "none",
    }
    values.update(overrides)
    return config.build("fast", values)


@pytest.fixture
def extra_models(monkeypatch):
    """Register test-only models for one test; the registry is restored afterwards."""
    from automl_tui_engine.extension.registry import models

    monkeypatch.setattr(models, "REGISTRY", models.REGISTRY.copy())
    models.register(
        models.ModelSpec(
            name="broken",
            label="always fails",
            seed_param=None,
            fit_cost=0.1,
            estimators={
                "classification": "broken_estimator:BrokenClassifier",
                "regression": "broken_estimator:BrokenRegressor",
            },
        )
    )
    models.register(
        models.ModelSpec(
            name="interrupted",
            label="Ctrl+C while training",
            seed_param=None,
            fit_cost=5,
            estimators={"classification": "broken_estimator:InterruptedClassifier"},
        )
    )
    models.register(
        models.ModelSpec(
            name="slow",
            label="trains for ten minutes",
            seed_param=None,
            fit_cost=0.1,  # claims to be cheap: the budget must hold even when a cost hint is wrong
            estimators={"classification": "broken_estimator:SlowClassifier"},
        )
    )
    models.register(
        models.ModelSpec(
            name="noisy",
            label="warns while training",
            seed_param=None,
            estimators={"classification": "broken_estimator:NoisyClassifier"},
        )
    )
    return models


def write_preset(path: Path, **values) -> Path:
    """A preset file of our own: also exercises --preset FILE.toml."""
    import tomli_w

    base = {
        "cv_folds": 3,
        "latency_repeats": 1,
        "time_budget_s": 120,
        "models": ["linear", "hist_gb"],
        "max_trials": 0,
        "explain": False,
        "charts": "none",
    }  # explanations and charts have tests of their own
    settings = {key: value for key, value in {**base, **values}.items() if value is not None}  # None: leave out
    path.write_text(tomli_w.dumps(settings), encoding="utf-8")
    return path


def sigint_as_at_a_terminal() -> None:
    """preexec_fn of a child a test stops with SIGINT: a shell running the tests in the background (CI under nohup,
    say) starts them with SIGINT ignored, and the child would inherit that and never stop."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)
