"""Template tasks against the test server: saved from a table and a preset, listed, re-run by clone on an agent
with overrides, and from a preset that names the template (`[clearml] execution_mode = "clone"`)."""

from __future__ import annotations

import re

import pytest
from clearml_server import ClearMLTestServer
from conftest import PENGUINS, write_preset
from test_clearml_remote import AGENT, agent_execute, cli, environment

pytestmark = pytest.mark.slow  # agents and a server: the full tier (see conftest)

pytest.importorskip("clearml")


def test_a_template_is_saved_listed_and_rerun_by_clone_on_an_agent_and_from_a_preset(tmp_path):
    if AGENT is None:
        pytest.skip("clearml-agent is installed by the test extra")
    server = ClearMLTestServer().start()
    try:
        env = environment(server, tmp_path / "home")
        quick = write_preset(tmp_path / "quick.toml")
        saved = cli(env, "template", "save", "weekly-penguins", PENGUINS, "--preset", quick, "--target", "species")
        assert saved.returncode == 0, saved.stderr
        task_id = re.search(r"\(task (\w+)\)", saved.stdout).group(1)
        template = server.tasks[task_id]
        assert template["status"] == "created" and {"template", "template:weekly-penguins"} <= set(template["tags"])
        assert template["name"].startswith("template · weekly-penguins · penguins-")
        listed = cli(env, "template", "list")
        assert listed.returncode == 0 and listed.stdout.startswith("weekly-penguins  ·  penguins-")
        assert f"task {task_id}" in listed.stdout

        # re-run by clone on an agent, with an override; the template itself stays as it was
        cloned = cli(env, "--clone", task_id, "--priority", "speed", "--remote", "default")
        assert cloned.returncode == 0, cloned.stderr
        run_id = re.search(r"Run (\S+) is queued on 'default'", cloned.stdout).group(1)
        (clone,) = [t for t in server.tasks.values() if f"run:{run_id}" in t["tags"] and "phase:run" in t["tags"]]
        assert (
            clone["parent"] == task_id and 'priority = "speed"' in clone["configuration"]["automl-tui config"]["value"]
        )
        agent = agent_execute(env, clone["id"])
        log, _ = agent.communicate(timeout=300)
        assert agent.returncode == 0, log[-3000:]
        assert server.tasks[clone["id"]]["status"] == "completed" and template["status"] == "created"

        # a preset that names the template re-runs it here, by clone, with the preset's settings over it
        rerun = {"execution_mode": "clone", "template": "weekly-penguins"}
        by_name = write_preset(tmp_path / "rerun.toml", priority="accuracy", clearml=rerun)
        here = cli(env, "--preset", by_name, "--max-trials", "0", "--out", tmp_path / "runs")
        assert here.returncode == 0, here.stderr
        (folder,) = [p for p in (tmp_path / "runs").iterdir() if p.name != "clone-tables"]
        config = (folder / "config.toml").read_text()
        assert 'priority = "accuracy"' in config and 'target = "species"' in config
        assert 'execution_mode = "clone"' not in config  # the run it made is a run, not another order to clone
        typo = write_preset(tmp_path / "typo.toml", clearml={**rerun, "template": "weekly-penguin"})
        unknown = cli(env, "--preset", typo)
        assert unknown.returncode == 2 and "no template 'weekly-penguin' (did you mean 'weekly-penguins'?)" in (
            unknown.stderr
        )
        assert server.unknown == []
    finally:
        server.stop()
