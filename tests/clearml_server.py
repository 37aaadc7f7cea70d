"""A small wire-compatible ClearML server for tests (DESIGN.md §6): stdlib HTTP on 127.0.0.1, everything in memory.

No real clearml-server can run on these machines (it needs MongoDB and Elasticsearch), so the online paths are
tested against this: the real SDK and the real clearml-agent talk to it as they would to a server. It implements
the calls they make, answers the rest with an empty result, and records every call so tests can see what was asked.
"""

from __future__ import annotations

import base64
import email.parser
import email.policy
import json
import sys
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

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


class ClearMLTestServer:
    def __init__(self, access_key: str = "test-access-key", secret_key: str = "test-secret-key") -> None:
        self.access_key, self.secret_key = access_key, secret_key
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.unknown: list[str] = []  # endpoints asked for that this server does not serve (answered empty)
        self.lock = threading.RLock()
        self._http: ThreadingHTTPServer | None = None
        self.tasks: dict[str, dict[str, Any]] = {}
        self.projects: dict[str, dict[str, Any]] = {}
        self.queues: dict[str, dict[str, Any]] = {}
        self.events: dict[str, list[dict[str, Any]]] = {}
        self.files: dict[str, bytes] = {}
        # each endpoint `service.action` is the method `service__action`
        self.handlers: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            name.replace("__", "."): getattr(self, name) for name in dir(self) if "__" in name.strip("_")
        }
        self.queue("default")

    # ---- life cycle ----

    def start(self) -> ClearMLTestServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # quiet: the calls are recorded instead
                pass

            def do_GET(self) -> None:
                server._handle(self)

            do_POST = do_GET

        class Server(ThreadingHTTPServer):
            def handle_error(self, request: Any, client_address: Any) -> None:
                if not isinstance(sys.exc_info()[1], ConnectionError):  # a client that hung up: nothing to say
                    super().handle_error(request, client_address)

        self._http = Server(("127.0.0.1", 0), Handler)
        self._http.daemon_threads = True
        threading.Thread(target=self._http.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._http is not None:
            self._http.shutdown()
            self._http.server_close()

    @property
    def url(self) -> str:
        assert self._http is not None
        return f"http://127.0.0.1:{self._http.server_address[1]}"

    def env(self) -> dict[str, str]:
        """The variables that point the SDK (and an agent) at this server."""
        return {
            "CLEARML_API_HOST": self.url,
            "CLEARML_WEB_HOST": self.url,
            "CLEARML_FILES_HOST": f"{self.url}/{FILES_PREFIX.rstrip('/')}",
            "CLEARML_API_ACCESS_KEY": self.access_key,
            "CLEARML_API_SECRET_KEY": self.secret_key,
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

    def tasks__add_or_update_artifacts(self, body: dict[str, Any]) -> dict[str, Any]:
        task = self.task(body["task"])
        kept = {(a["key"], a.get("mode", "output")): a for a in task["execution"]["artifacts"]}
        for artifact in body.get("artifacts", []):
            kept[(artifact["key"], artifact.get("mode", "output"))] = artifact
        task["execution"]["artifacts"] = list(kept.values())
        return {"updated": len(body.get("artifacts", []))}

    def tasks__delete_artifacts(self, body: dict[str, Any]) -> dict[str, Any]:
        task = self.task(body["task"])
        gone = {a["key"] for a in body.get("artifacts", [])}
        task["execution"]["artifacts"] = [a for a in task["execution"]["artifacts"] if a["key"] not in gone]
        return {"deleted": len(gone)}

    def tasks__edit_hyper_params(self, body: dict[str, Any]) -> dict[str, Any]:
        task = self.task(body["task"])
        if body.get("replace_hyperparams") == "all":
            task["hyperparams"] = {}
        for item in body.get("hyperparams", []):
            task["hyperparams"].setdefault(item["section"], {})[item["name"]] = item
        return {"updated": 1}

    def tasks__get_hyper_params(self, body: dict[str, Any]) -> dict[str, Any]:
        params = []
        for task_id in body.get("tasks", []):
            items = [item for section in self.task(task_id)["hyperparams"].values() for item in section.values()]
            params.append({"task": task_id, "hyperparams": items})
        return {"params": params}

    def tasks__delete_hyper_params(self, body: dict[str, Any]) -> dict[str, Any]:
        task = self.task(body["task"])
        for item in body.get("hyperparams", []):
            section = task["hyperparams"].get(item["section"], {})
            if "name" in item:
                section.pop(item["name"], None)
            else:
                task["hyperparams"].pop(item["section"], None)
        return {"deleted": 1}

    def tasks__edit_configuration(self, body: dict[str, Any]) -> dict[str, Any]:
        task = self.task(body["task"])
        if body.get("replace_configuration"):
            task["configuration"] = {}
        for item in body.get("configuration", []):
            task["configuration"][item["name"]] = item
        return {"updated": 1}

    def tasks__get_configurations(self, body: dict[str, Any]) -> dict[str, Any]:
        found = []
        for task_id in body.get("tasks", []):
            items = list(self.task(task_id)["configuration"].values())
            if body.get("names"):
                items = [item for item in items if item["name"] in body["names"]]
            found.append({"task": task_id, "configuration": items})
        return {"configurations": found}

    def tasks__get_configuration_names(self, body: dict[str, Any]) -> dict[str, Any]:
        return {
            "configurations": [
                {"task": task_id, "names": list(self.task(task_id)["configuration"])}
                for task_id in body.get("tasks", [])
            ]
        }

    def tasks__add_tags(self, body: dict[str, Any]) -> dict[str, Any]:
        for task_id in _as_list(body.get("ids") or body.get("task")):
            tags = self.task(task_id)["tags"]
            tags.extend(tag for tag in body.get("tags", []) if tag not in tags)
        return {"updated": 1}

    def tasks__set_requirements(self, body: dict[str, Any]) -> dict[str, Any]:
        self.task(body["task"]).setdefault("script", {})["requirements"] = body.get("requirements", {})
        return {"updated": 1}

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
        return {}

    workers__unregister = workers__status_report = workers__register

    def workers__get_all(self, body: dict[str, Any]) -> dict[str, Any]:
        return {"workers": []}

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

    # ---- the wire ----

    def _claims(self) -> dict[str, Any]:
        return {
            "api_version": API_VERSION,
            "server_version": SERVER_VERSION,
            "exp": int(time.time()) + 3600,
            "identity": {"company": "test", "user": "tester", "role": "user"},
        }

    def _authorized(self, request: BaseHTTPRequestHandler, endpoint: str) -> bool:
        header = request.headers.get("Authorization", "")
        if endpoint == "auth.login":
            expected = base64.b64encode(f"{self.access_key}:{self.secret_key}".encode()).decode()
            return header == f"Basic {expected}"
        return header.startswith("Bearer ")

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        path = request.path.split("?", 1)[0].strip("/")
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length) if length else b""
        if f"{path}/".startswith(FILES_PREFIX):
            self._files(request, urllib.parse.unquote(f"{path}/".removeprefix(FILES_PREFIX)).strip("/"), raw)
            return
        version, _, endpoint = path.rpartition("/")
        try:
            if endpoint == "events.add_batch":  # newline-delimited JSON, one event per line
                body = {"events": [json.loads(line) for line in raw.decode().splitlines() if line.strip()]}
            else:
                try:
                    body = json.loads(raw) if raw.strip() else {}
                except ValueError:
                    self.unknown.append(f"{request.command} {request.path}: {raw[:200]!r}")
                    raise ApiError(400, 0, "the body is not JSON") from None
            with self.lock:
                self.calls.append((endpoint, body))
                if not self._authorized(request, endpoint):
                    raise ApiError(401, 20, "Unauthorized (invalid credentials)")
                handler = self.handlers.get(endpoint)
                if handler is None:
                    self.unknown.append(endpoint)
                    raise ApiError(400, 0, f"endpoint {endpoint} is not served by the test server")
                data, code, subcode, message = handler(body), 200, 0, "OK"
        except (KeyError, TypeError) as exc:  # a request this server does not understand: said, not hung up on
            self.unknown.append(f"{endpoint}: {type(exc).__name__}: {exc}")
            data, code, subcode, message = {}, 500, 0, f"test server: {type(exc).__name__}: {exc}"
        except ApiError as exc:
            data, code, subcode, message = {}, exc.code, exc.subcode, exc.message
        meta = {
            "id": uuid.uuid4().hex,
            "trx": uuid.uuid4().hex,
            "endpoint": {
                "name": endpoint,
                "requested_version": version.removeprefix("v") or API_VERSION,
                "actual_version": API_VERSION,
            },
            "result_code": code,
            "result_subcode": subcode,
            "result_msg": message,
            "error_stack": None,
        }
        self._reply(request, code, json.dumps({"meta": meta, "data": data}).encode(), "application/json")

    def _files(self, request: BaseHTTPRequestHandler, path: str, raw: bytes) -> None:
        """The files host: a multipart POST stores each part under its field name (the object's path); GET reads."""
        if request.command == "POST":
            header = f"Content-Type: {request.headers.get('Content-Type')}\r\n\r\n".encode()
            message = email.parser.BytesParser(policy=email.policy.default).parsebytes(header + raw)
            with self.lock:
                for part in message.iter_parts():
                    name = part.get_param("name", header="content-disposition")
                    self.files[f"{path}/{name}".strip("/")] = part.get_payload(decode=True)
            self._reply(request, 200, b"{}", "application/json")
            return
        content = self.files.get(path)
        if content is None:
            self._reply(request, 404, b"not found", "text/plain")
        else:
            self._reply(request, 200, content, "application/octet-stream")

    @staticmethod
    def _reply(request: BaseHTTPRequestHandler, code: int, payload: bytes, content_type: str) -> None:
        request.send_response(code)
        request.send_header("Content-Type", content_type)
        request.send_header("Content-Length", str(len(payload)))
        request.end_headers()
        request.wfile.write(payload)
