"""The in-memory state and the endpoints of the test ClearML server (tests/clearml_server.py speaks the wire).

Each endpoint `service.action` is the method `service__action(body) -> data`; tasks, projects, queues, events and
files are plain dicts, so tests read what the SDK and the agent left there directly.
"""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from clearml_task_details import TaskDetails

API_VERSION = "2.31"
SERVER_VERSION = "2.1.0"
FILES_PREFIX = "files/"


class ApiError(Exception):
    def __init__(self, code: int, subcode: int, message: str) -> None:
        super().__init__(message)
        self.code, self.subcode, self.message = code, subcode, message


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.000+00:00", time.gmtime())


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _name_matches(name: str, pattern: Any) -> bool:
    """The SDK asks for names as anchored regular expressions (`^name$`)."""
    import re

    return any(re.search(str(p), name) for p in _as_list(pattern))


def _jwt(claims: dict[str, Any]) -> str:
    """An unsigned JWT: the SDK reads the claims (api_version, server_version, exp), it never checks a signature."""

    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXJl"


class ClearMLBackend(TaskDetails):
    def __init__(self, access_key: str, secret_key: str) -> None:
        self.access_key, self.secret_key = access_key, secret_key
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.unknown: list[str] = []  # endpoints asked for that this server does not serve (answered empty)
        self.lock = threading.RLock()
        self.tasks: dict[str, dict[str, Any]] = {}
        self.projects: dict[str, dict[str, Any]] = {}
        self.queues: dict[str, dict[str, Any]] = {}
        self.events: dict[str, list[dict[str, Any]]] = {}
        self.files: dict[str, bytes] = {}
        self.workers: dict[str, dict[str, Any]] = {}  # agents registered, with the queues they serve
        # each endpoint `service.action` is the method `service__action`
        self.handlers: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            name.replace("__", "."): getattr(self, name) for name in dir(self) if "__" in name.strip("_")
        }
        self.queue("default")

    def _claims(self) -> dict[str, Any]:
        return {
            "api_version": API_VERSION,
            "server_version": SERVER_VERSION,
            "exp": int(time.time()) + 3600,
            "identity": {"company": "test", "user": "tester", "role": "user"},
        }

    # ---- state helpers ----

    def queue(self, name: str) -> dict[str, Any]:
        found = next((q for q in self.queues.values() if q["name"] == name), None)
        if found is None:
            found = {"id": uuid.uuid4().hex, "name": name, "entries": [], "tags": [], "system_tags": []}
            if name == "default":
                found["system_tags"] = ["default"]
            self.queues[found["id"]] = found
        return found

    def task(self, task_id: str) -> dict[str, Any]:
        if task_id not in self.tasks:
            raise ApiError(400, 101, f"Invalid task id: {task_id}")
        return self.tasks[task_id]

    def log_lines(self, task_id: str) -> list[str]:
        return [event["msg"] for event in self.events.get(task_id, []) if event.get("type") == "log"]

    def _new_task(self, fields: dict[str, Any]) -> dict[str, Any]:
        now = _now()
        task = {
            "id": uuid.uuid4().hex,
            "status": "created",
            "tags": [],
            "system_tags": [],
            "comment": "",
            "parent": None,
            "output": {},
            "script": {},
            "hyperparams": {},
            "configuration": {},
            "runtime": {},
            "models": {"input": [], "output": []},
            "container": {},
            "last_iteration": 0,
            "last_metrics": {},
            "user": "tester",
            "company": "test",
            "created": now,
            "last_update": now,
            "status_changed": now,
            **fields,
        }
        task.setdefault("execution", {})
        task["execution"].setdefault("artifacts", [])
        task["execution"].setdefault("parameters", {})
        self.tasks[task["id"]] = task
        return task

    # ---- endpoints ----

    def auth__login(self, body: dict[str, Any]) -> dict[str, Any]:
        return {"token": _jwt(self._claims())}

    def debug__ping(self, body: dict[str, Any]) -> dict[str, Any]:
        return {"msg": "ClearML test server"}

    def server__info(self, body: dict[str, Any]) -> dict[str, Any]:
        return {"version": SERVER_VERSION, "api_version": API_VERSION}

    def users__get_current_user(self, body: dict[str, Any]) -> dict[str, Any]:
        return {"user": {"id": "tester", "name": "tester", "company": {"id": "test"}}, "getting_started": {}}

    def projects__get_all(self, body: dict[str, Any]) -> dict[str, Any]:
        found = list(self.projects.values())
        if body.get("name"):
            pattern = body["name"].strip("^$").replace("\\", "")
            found = [p for p in found if p["name"] == pattern]
        if body.get("id"):
            found = [p for p in found if p["id"] in _as_list(body["id"])]
        return {"projects": found}

    projects__get_all_ex = projects__get_all

    def projects__get_by_id(self, body: dict[str, Any]) -> dict[str, Any]:
        if body["project"] not in self.projects:
            raise ApiError(400, 401, f"Invalid project id: {body['project']}")
        return {"project": self.projects[body["project"]]}

    def projects__update(self, body: dict[str, Any]) -> dict[str, Any]:
        project = self.projects[body["project"]]
        project.update({key: value for key, value in body.items() if key != "project"})
        return {"updated": 1, "fields": {}}

    def projects__create(self, body: dict[str, Any]) -> dict[str, Any]:
        project = {"id": uuid.uuid4().hex, "name": body["name"], "system_tags": body.get("system_tags", [])}
        self.projects[project["id"]] = project
        return {"id": project["id"]}

    def tasks__create(self, body: dict[str, Any]) -> dict[str, Any]:
        return {"id": self._new_task(body)["id"]}

    def tasks__get_by_id(self, body: dict[str, Any]) -> dict[str, Any]:
        return {"task": self.task(body["task"])}

    def tasks__get_all(self, body: dict[str, Any]) -> dict[str, Any]:
        found = list(self.tasks.values())
        filters = {
            "id": lambda t, v: t["id"] in _as_list(v),
            "project": lambda t, v: t.get("project") in _as_list(v),
            "status": lambda t, v: t["status"] in _as_list(v),
            "parent": lambda t, v: t.get("parent") in _as_list(v),
            "name": lambda t, v: _name_matches(t.get("name", ""), v),
            "tags": lambda t, v: all(tag in t["tags"] for tag in _as_list(v) if not tag.startswith("-")),
            "system_tags": lambda t, v: all(
                (tag[1:] not in t["system_tags"]) if tag.startswith("-") else (tag in t["system_tags"])
                for tag in _as_list(v)
            ),
        }
        for key, keep in filters.items():
            if body.get(key) not in (None, [], ""):
                found = [t for t in found if keep(t, body[key])]
        found.sort(key=lambda t: t["created"], reverse=any("-" in o for o in _as_list(body.get("order_by") or [])))
        return {"tasks": found}

    tasks__get_all_ex = tasks__get_all

    def _edit(self, body: dict[str, Any]) -> dict[str, Any]:
        task = self.task(body["task"])
        for key, value in body.items():
            if key in ("task", "force"):
                continue
            if isinstance(value, dict) and isinstance(task.get(key), dict):
                task[key] = {**task[key], **value}
            else:
                task[key] = value
        task["last_update"] = _now()
        return {"updated": 1, "fields": {}}

    tasks__edit = tasks__update = _edit

    def tasks__edit_hyper_params(self, body: dict[str, Any]) -> dict[str, Any]:
        """As the real server: user properties change in any status; other sections only on a draft (or forced)."""
        task = self.task(body["task"])
        items = body.get("hyperparams") or []
        others = any(str(item.get("section", "")).lower() != "properties" for item in items)
        if others and task["status"] != "created" and not body.get("force"):
            raise ApiError(400, 110, f"Invalid task status: expected=created, status={task['status']}")
        for item in items:
            section = str(item["section"]).lower() if str(item["section"]).lower() == "properties" else item["section"]
            task["hyperparams"].setdefault(section, {})[item["name"]] = {**item, "section": section}
        task["last_update"] = _now()
        return {"updated": 1}

    def tasks__update_batch(self, body: dict[str, Any]) -> dict[str, Any]:
        for item in body.get("items", []):
            self._edit(item)
        return {"updated": len(body.get("items", []))}

    def _status(self, status: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
        def change(body: dict[str, Any]) -> dict[str, Any]:
            task = self.task(body["task"])
            task.update(status=status, status_changed=_now(), status_reason=body.get("status_reason", ""))
            task["status_message"] = body.get("status_message", "")
            if status == "in_progress":
                task["started"] = _now()
            return {"updated": 1, "fields": {"status": status}}

        return change

    def tasks__started(self, body: dict[str, Any]) -> dict[str, Any]:
        return self._status("in_progress")(body)

    def tasks__stopped(self, body: dict[str, Any]) -> dict[str, Any]:
        return self._status("stopped")(body)

    def tasks__completed(self, body: dict[str, Any]) -> dict[str, Any]:
        return self._status("completed")(body)

    def tasks__failed(self, body: dict[str, Any]) -> dict[str, Any]:
        return self._status("failed")(body)

    def tasks__close(self, body: dict[str, Any]) -> dict[str, Any]:
        return self._status("closed")(body)

    def tasks__reset(self, body: dict[str, Any]) -> dict[str, Any]:
        self._dequeue(self.task(body["task"]))
        return self._status("created")(body)

    def tasks__ping(self, body: dict[str, Any]) -> dict[str, Any]:
        return {}

    def tasks__enqueue(self, body: dict[str, Any]) -> dict[str, Any]:
        task = self.task(body["task"])
        queue = self.queues.get(body.get("queue") or "") or self.queue(body.get("queue_name") or "default")
        queue["entries"].append({"task": task["id"], "added": _now()})
        task["execution"]["queue"] = queue["id"]
        self._status("queued")(body)
        return {"queued": 1, "updated": 1, "fields": {"status": "queued"}}

    def _dequeue(self, task: dict[str, Any]) -> None:
        for queue in self.queues.values():
            queue["entries"] = [e for e in queue["entries"] if e["task"] != task["id"]]

    def tasks__dequeue(self, body: dict[str, Any]) -> dict[str, Any]:
        self._dequeue(self.task(body["task"]))
        return self._status("created")(body)

    def tasks__clone(self, body: dict[str, Any]) -> dict[str, Any]:
        source = self.task(body["task"])
        copied = json.loads(json.dumps(source))
        for key in ("id", "status", "started", "status_reason", "status_message", "last_metrics", "output"):
            copied.pop(key, None)
        copied["execution"]["artifacts"] = [
            a for a in copied["execution"].get("artifacts", []) if a.get("mode", "output") == "input"
        ]
        copied.update(
            name=body.get("new_task_name") or source["name"], parent=body.get("new_task_parent") or source["id"]
        )
        for key in ("comment", "tags", "system_tags", "project"):
            if body.get(f"new_task_{key}") is not None:
                copied[key] = body[f"new_task_{key}"]
        for key in ("hyperparams", "configuration", "execution", "script", "container"):
            if body.get(f"new_task_{key}") is not None:
                copied[key] = body[f"new_task_{key}"]
        return {"id": self._new_task(copied)["id"]}

    def queues__get_all(self, body: dict[str, Any]) -> dict[str, Any]:
        found = list(self.queues.values())
        if body.get("name"):
            found = [q for q in found if _name_matches(q["name"], body["name"])]
        if body.get("id"):
            found = [q for q in found if q["id"] in _as_list(body["id"])]
        return {"queues": found}

    queues__get_all_ex = queues__get_all

    def queues__get_by_id(self, body: dict[str, Any]) -> dict[str, Any]:
        if body["queue"] not in self.queues:
            raise ApiError(400, 701, f"Invalid queue id: {body['queue']}")
        return {"queue": self.queues[body["queue"]]}

    def queues__get_default(self, body: dict[str, Any]) -> dict[str, Any]:
        queue = self.queue("default")
        return {"id": queue["id"], "name": queue["name"]}

    def queues__create(self, body: dict[str, Any]) -> dict[str, Any]:
        return {"id": self.queue(body["name"])["id"]}

    def queues__add_task(self, body: dict[str, Any]) -> dict[str, Any]:
        self.queues[body["queue"]]["entries"].append({"task": body["task"], "added": _now()})
        return {"added": 1}

    def queues__remove_task(self, body: dict[str, Any]) -> dict[str, Any]:
        queue = self.queues[body["queue"]]
        queue["entries"] = [e for e in queue["entries"] if e["task"] != body["task"]]
        return {"removed": 1}

    def queues__get_next_task(self, body: dict[str, Any]) -> dict[str, Any]:
        queue = self.queues.get(body["queue"])
        if not queue or not queue["entries"]:
            return {}
        entry = queue["entries"].pop(0)
        return {"entry": {"task": entry["task"], "added": entry["added"]}}

    def workers__register(self, body: dict[str, Any]) -> dict[str, Any]:
        queues = [self.queues[q] for q in _as_list(body.get("queues")) if q in self.queues]
        self.workers[body["worker"]] = {
            "id": body["worker"],
            "queues": [{"id": q["id"], "name": q["name"]} for q in queues],
        }
        return {}

    def workers__unregister(self, body: dict[str, Any]) -> dict[str, Any]:
        self.workers.pop(body.get("worker", ""), None)
        return {}

    def workers__status_report(self, body: dict[str, Any]) -> dict[str, Any]:
        return {}

    def workers__get_all(self, body: dict[str, Any]) -> dict[str, Any]:
        return {"workers": list(self.workers.values())}

    def workers__get_runtime_properties(self, body: dict[str, Any]) -> dict[str, Any]:
        return {"runtime_properties": []}

    def events__add_batch(self, body: dict[str, Any]) -> dict[str, Any]:
        for event in body["events"]:
            self.events.setdefault(event.get("task", ""), []).append(event)
        return {"added": len(body["events"]), "errors": 0, "errors_info": {}}

    def events__get_task_log(self, body: dict[str, Any]) -> dict[str, Any]:
        """As the real server: the latest `batch_size` lines (navigate_earlier), newest first unless order=asc."""
        logs = sorted(
            (e for e in self.events.get(body["task"], []) if e.get("type") == "log"),
            key=lambda e: e.get("timestamp", 0),
        )
        batch = int(body.get("batch_size") or 500)
        logs = logs[-batch:] if body.get("navigate_earlier", True) else logs[:batch]
        if body.get("order", "desc") == "desc":
            logs.reverse()
        return {"events": logs, "returned": len(logs), "total": len(logs), "scroll_id": None}

    def events__get_task_events(self, body: dict[str, Any]) -> dict[str, Any]:
        found = self.events.get(body["task"], [])
        if body.get("event_type"):
            found = [e for e in found if e.get("type") == body["event_type"]]
        return {"events": found, "returned": len(found), "total": len(found), "scroll_id": None}
