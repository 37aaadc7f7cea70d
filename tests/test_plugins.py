"""Plugins: the example package (installed by the README's test command) and modules named in a preset."""

import json
import os
import subprocess
import sys
import textwrap

import pandas as pd
import pytest
from automl_tui_engine import config
from automl_tui_engine.errors import UserError
from conftest import write_preset

pytestmark = pytest.mark.slow  # real runs of the engine or the wizard: the full tier (see conftest)

HOW_TO_INSTALL = "install the example plugin: pip install -e examples/plugins/automl-tui-example"


def run_cli(*args, env=None, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "automl_tui", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=300,
    )


def test_the_installed_example_plugin_is_listed_with_its_origin():
    done = run_cli("plugins")
    assert done.returncode == 0, done.stderr
    lines = {line.split()[0]: line for line in done.stdout.splitlines() if line.startswith("  ")}
    assert "decision_tree" in lines, HOW_TO_INSTALL
    for name in ("decision_tree", "mcc", "pca"):
        assert "plugin 'example' (entry point)" in lines[name]
    assert "built-in" in lines["hist_gb"]
    assert "automl_tui_example:register: added metric:mcc, model:decision_tree, step:pca" in done.stdout


def test_plugin_model_metric_and_step_run_end_to_end(tmp_path, breast_cancer_csv):
    preset = write_preset(
        tmp_path / "p.toml", models=["linear", "decision_tree"], primary_metric="mcc", steps=["pca"], explain=True
    )
    done = run_cli(breast_cancer_csv, "--preset", preset, "--out", tmp_path / "runs")
    assert done.returncode == 0, done.stderr
    (folder,) = (tmp_path / "runs").iterdir()
    leaderboard = pd.read_csv(folder / "leaderboard.csv")
    assert set(leaderboard["model"]) == {"linear", "decision_tree"}
    assert list(leaderboard.columns[2:4]) == ["mcc_mean", "mcc_std"]  # the plugin metric ranks the models
    assert leaderboard["mcc_mean"].between(0.5, 1).all()
    report = (folder / "report.md").read_text()
    assert "Matthews correlation" in report.split("## 2.")[0]
    # PCA sits between the prepared columns and the model: SHAP says why it cannot run, importance remains
    missing = report.split("## 7.")[1]
    assert "`SHAP`" in missing and "preprocessing step from a plugin" in missing
    assert json.loads((folder / "explanation.json").read_text())["permutation_importance"]


def test_a_config_module_plugin_is_used_and_a_broken_one_only_warns(tmp_path, breast_cancer_csv):
    plugins = tmp_path / "my_plugins"
    plugins.mkdir()
    (plugins / "my_plugin.py").write_text(
        textwrap.dedent("""
        from automl_tui_engine.extension.registry import models

        def register():
            models.register(models.ModelSpec(
                name="my_ridge", label="Our ridge", seed_param=None,
                estimators={"classification": "sklearn.linear_model:RidgeClassifier"}, needs_scaling=True))
    """)
    )
    (plugins / "broken_plugin.py").write_text("raise ImportError('this plugin needs a library you do not have')\n")
    preset = write_preset(tmp_path / "p.toml", models=["linear", "my_ridge"], plugins=["my_plugin", "broken_plugin"])
    env = {**os.environ, "PYTHONPATH": str(plugins)}
    done = run_cli(breast_cancer_csv, "--preset", preset, "--out", tmp_path / "runs", env=env)
    # modules named in a file are code: refused until the user trusts them, and nothing is imported or run
    assert done.returncode == 2 and not (tmp_path / "runs").exists()
    assert "--allow-plugin my_plugin --allow-plugin broken_plugin" in done.stderr
    allowed = ["--allow-plugin", "my_plugin", "--allow-plugin", "broken_plugin"]
    done = run_cli(breast_cancer_csv, "--preset", preset, "--out", tmp_path / "runs", *allowed, env=env)
    assert done.returncode == 0, done.stderr
    assert "plugin 'broken_plugin' (broken_plugin) could not be loaded and was left out: ImportError" in done.stderr
    (folder,) = (tmp_path / "runs").iterdir()
    leaderboard = pd.read_csv(folder / "leaderboard.csv").set_index("model")
    # RidgeClassifier gives no probabilities: ranked on accuracy, with no log loss or ROC AUC rather than failing
    assert leaderboard.loc["my_ridge", "accuracy_mean"] > 0.9
    assert pd.isna(leaderboard.loc["my_ridge", "log_loss_mean"]) and pd.isna(
        leaderboard.loc["my_ridge", "roc_auc_mean"]
    )
    assert "plugin 'broken_plugin'" in (folder / "report.md").read_text().split("### Warnings")[1]


def test_unknown_model_names_suggest_plugin_models_too():
    pytest.importorskip("automl_tui_example", reason=HOW_TO_INSTALL)
    with pytest.raises(UserError, match="did you mean 'decision_tree'"):
        config.build("fast", {"models": ["decision_tre"]})
