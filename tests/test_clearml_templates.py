"""Template tasks against the test server: saved from a table and a preset, listed, re-run by clone on an agent
with overrides, and from a preset that names the template (`[clearml] execution_mode = "clone"`)."""

from __future__ import annotations

import re

import pytest
from clearml_server import ClearMLTestServer
from conftest import PENGUINS, write_preset
from test_clearml_remote import AGENT, agent_execute, cli, environment, sdk_in_this_process

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
        assert f"task {task_id}" in listed.stdout and "saved 20" in listed.stdout

        # a name used as typed or refused; a table a run would refuse is refused now, not at the re-run
        bad = cli(env, "template", "save", "weekly penguins", PENGUINS, "--preset", quick)
        assert bad.returncode == 2 and "'weekly penguins' cannot name a template" in bad.stderr
        no_target = cli(env, "template", "save", "t3", PENGUINS, "--preset", quick, "--target", "nope")
        assert no_target.returncode == 2 and "Column 'nope' is not in the table" in no_target.stderr
        # saved again under the same name: the newer one is the template, the older stays a task
        again = cli(env, "template", "save", "weekly-penguins", PENGUINS, "--preset", quick, "--target", "species")
        assert again.returncode == 0 and f"replaces the earlier template 'weekly-penguins' (task {task_id})" in (
            again.stdout
        )
        assert not {"template", "template:weekly-penguins"} & set(server.tasks[task_id]["tags"])
        assert len(cli(env, "template", "list").stdout.splitlines()) == 1
        # --clone takes the template's name as a preset's `template =` does: the newest of that name
        newest = re.search(r"\(task (\w+)\)", again.stdout).group(1)
        named = cli(env, "--clone", "weekly-penguins", "--remote", "default")
        assert named.returncode == 0, named.stderr
        named_run = re.search(r"Run (\S+) is queued on 'default'", named.stdout).group(1)
        (queued,) = [t for t in server.tasks.values() if f"run:{named_run}" in t["tags"] and "phase:run" in t["tags"]]
        assert queued["parent"] == newest
        misnamed = cli(env, "--clone", "weekly-penguin", "--remote", "default")
        assert misnamed.returncode == 2 and "(did you mean 'weekly-penguins'?)" in misnamed.stderr

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


async def test_the_wizard_reruns_a_template_by_clone_on_a_queue(tmp_path, monkeypatch):
    """ClearML set up and a template saved: the first step offers it; its table comes from the server, its settings
    are the run's (no preset or priority step), the queue gets a clone of it (no pipeline: a clone is one task), and
    the Decision Summary is that run's."""
    if AGENT is None:
        pytest.skip("clearml-agent is installed by the test extra")
    from test_wizard import SIZE, choose_option, on_step, text_of, until
    from textual.widgets import OptionList
    from wizard_support import make_project, summary_shown

    from automl_tui.app import AutomlApp
    from automl_tui.screens.choice import WhereScreen
    from automl_tui.screens.confirm import ConfirmScreen
    from automl_tui.screens.dataset import DatasetScreen
    from automl_tui.screens.template import TemplateScreen

    server = ClearMLTestServer().start()
    agent = None
    try:
        env = environment(server, tmp_path / "home")
        quick = write_preset(tmp_path / "quick.toml", priority="size")
        saved = cli(env, "template", "save", "weekly-penguins", PENGUINS, "--preset", quick, "--target", "species")
        assert saved.returncode == 0, saved.stderr
        template_id = re.search(r"\(task (\w+)\)", saved.stdout).group(1)
        sdk_in_this_process(env, monkeypatch)
        project = make_project(tmp_path)
        monkeypatch.chdir(project)
        app = AutomlApp(start_dir=project, out=project / "runs")
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: isinstance(app.screen, DatasetScreen) and app.screen.templates)
            assert str(app.screen.query_one("#template").label) == "Re-run a template (1)"
            await pilot.press("ctrl+t")
            await until(pilot, lambda: isinstance(app.screen, TemplateScreen))
            await pilot.press("enter")
            await until(pilot, lambda: isinstance(app.screen, DatasetScreen) and app.screen.inspection is not None)
            await until(pilot, lambda: "weekly-penguins" in text_of(app.screen, "#template-note"))
            assert app.screen.inspection.target == "species" and app.screen.inspection.path.name == PENGUINS.name
            await pilot.press("ctrl+n")
            await until(pilot, on_step(app, WhereScreen))  # the template's preset and priority: no step for them
            ids = [option.id for option in app.screen.query_one("#choices", OptionList).options]
            assert "queue:default" in ids and not any(str(i).startswith("pipeline:") for i in ids)
            await choose_option(pilot, "queue:default")
            await until(pilot, on_step(app, ConfirmScreen))
            command = str(app.screen.query_one("#command").render())
            assert f"automl-tui --clone {template_id}" in command and "--remote default" in command
            assert "weekly-penguins" in str(app.screen.query_one("#choices-summary").render())
            before = set(server.tasks)
            await pilot.press("enter")

            def queued():
                return next((t for i, t in server.tasks.items() if i not in before and t["status"] == "queued"), None)

            await until(pilot, lambda: queued() is not None, timeout=60)
            clone = queued()
            assert clone["parent"] == template_id  # a clone of the template, its lineage kept in ClearML
            agent = agent_execute(env, clone["id"])
            await until(pilot, lambda: summary_shown(app), timeout=240)
            await until(pilot, lambda: app.screen.query("#headline"))
            assert "Recommended: " in text_of(app.screen, "#headline")
        (run_dir,) = [p for p in (project / "runs").iterdir() if p.name != "clone-tables"]
        assert 'priority = "size"' in (run_dir / "config.toml").read_text(encoding="utf-8")
        assert server.unknown == []
    finally:
        if agent is not None:
            agent.communicate(timeout=120)
            agent.kill()
        server.stop()
