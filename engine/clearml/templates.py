"""Template tasks: a run's settings and its table kept in ClearML under a name (DESIGN.md §0: "representative
settings per dataset/purpose are kept as template tasks; re-runs clone them"). A template is made like a run task,
left unqueued; `--clone` re-runs it (on a queue or here), and a preset can name it (`[clearml] execution_mode =
"clone"`, `template = NAME`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from automl_tui_engine.errors import UserError
from automl_tui_engine.naming import TEMPLATE, slug, tag_value, task_name, template_tags


@dataclass(frozen=True)
class Template:
    name: str
    dataset_key: str
    task_id: str


def save(config: Any, name: str) -> tuple[Template, str]:
    """The template `name`: `config` and its table (uploaded), as a task tagged `template`; and its web page."""
    from automl_tui_engine.clearml import remote, sdk

    sdk.connect()
    if not slug(name).strip("-_"):
        raise UserError("template.bad_name", name=name)
    task, _ = remote.create_run_task(config, name=lambda key: task_name(TEMPLATE, slug(name), key))
    key = tag_value(task.get_tags(), "dataset")  # the key the task was filed under, as a run task says it
    task.set_tags(template_tags(name, key))
    return Template(name=slug(name), dataset_key=key, task_id=task.id), sdk.web_link(task)


def saved() -> list[Template]:
    """Every template on the server, newest first."""
    from automl_tui_engine.clearml import sdk

    Task = sdk.connect()
    with sdk.quiet():
        tasks = Task.get_tasks(tags=[TEMPLATE])
    newest_first = sorted(tasks, key=lambda task: task.data.created, reverse=True)
    return [
        Template(tag_value(t.get_tags(), TEMPLATE), tag_value(t.get_tags(), "dataset"), t.id)
        for t in newest_first
        if tag_value(t.get_tags(), TEMPLATE)
    ]


def task_of(name: str) -> str:
    """The task id of the newest template called `name`; a UserError naming the templates there are."""
    templates = saved()
    for template in templates:
        if template.name == slug(name):
            return template.task_id
    from automl_tui_engine.messages import listing, suggest

    names = [template.name for template in templates]
    raise UserError("template.unknown", name=name, hint=suggest(name, names), known=listing(names) or "—")
