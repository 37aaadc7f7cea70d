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
    created: str = ""  # when it was saved, "2026-11-29 18:03" (server time)


@dataclass(frozen=True)
class Saved:
    template: Template
    link: str  # its page in the web app
    replaced: list[str]  # the task ids of earlier templates of the same name, no longer listed


def save(config: Any, name: str) -> Saved:
    """The template `name`: `config` and its table (uploaded, once they pass the checks a run makes before it fits),
    as a task tagged `template`. An earlier template of the same name stays a task, no longer a template."""
    import unicodedata

    from automl_tui_engine.clearml import remote
    from automl_tui_engine.clearml_tracking import sdk
    from automl_tui_engine.preparing import prepare

    if slug(name) != unicodedata.normalize("NFKC", name):  # a name is used as typed, or refused
        raise UserError("template.bad_name", name=name)
    name = slug(name)
    sdk.connect()
    prepare(config)  # a table or target no run could use is said now, not when someone re-runs it
    earlier = [template.task_id for template in saved() if template.name == name]
    task, _ = remote.create_run_task(config, name=lambda key: task_name(TEMPLATE, name, key))
    key = tag_value(task.get_tags(), "dataset")  # the key the task was filed under, as a run task says it
    task.set_tags(template_tags(name, key))
    _retire(earlier)
    return Saved(Template(name=name, dataset_key=key, task_id=task.id), sdk.web_link(task), earlier)


def _retire(task_ids: list[str]) -> None:
    """Templates replaced by a newer one of the same name: their tasks stay (runs cloned from them point there),
    without the tags that list them."""
    from automl_tui_engine.clearml_tracking import sdk
    from clearml import Task

    with sdk.quiet():
        for task_id in task_ids:
            task = Task.get_task(task_id=task_id)
            task.set_tags([tag for tag in task.get_tags() if tag.split(":")[0] != TEMPLATE])


def saved() -> list[Template]:
    """Every template on the server, newest first."""
    from automl_tui_engine.clearml_tracking import sdk

    Task = sdk.connect()
    with sdk.quiet():
        tasks = Task.get_tasks(tags=[TEMPLATE])
    newest_first = sorted(tasks, key=lambda task: task.data.created, reverse=True)
    return [
        Template(tag_value(t.get_tags(), TEMPLATE), tag_value(t.get_tags(), "dataset"), t.id, _when(t.data.created))
        for t in newest_first
        if tag_value(t.get_tags(), TEMPLATE)
    ]


def _when(created: Any) -> str:
    return created.strftime("%Y-%m-%d %H:%M") if hasattr(created, "strftime") else str(created or "")[:16]


def task_of(name: str) -> str:
    """The task id of the newest template called `name`; a UserError naming the templates there are."""
    templates = saved()
    for template in templates:
        if template.name == slug(name):
            return template.task_id
    from automl_tui_engine.messages import listing, suggest

    names = [template.name for template in templates]
    raise UserError("template.unknown", name=name, hint=suggest(name, names), known=listing(names) or "—")
