"""A small wire-compatible ClearML server for tests (DESIGN.md §6): stdlib HTTP on 127.0.0.1, everything in memory.

No real clearml-server can run on these machines (it needs MongoDB and Elasticsearch), so the online paths are
tested against this: the real SDK and the real clearml-agent talk to it as they would to a server. It implements
the calls they make (clearml_backend.py), records every call, and refuses any other call with an error that it
also records (`unknown`), so a test can assert that nothing was asked that it does not serve.
"""

from __future__ import annotations

import base64
import email.parser
import email.policy
import json
import os
import sys
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from automl_tui_engine.clearml_tracking.sdk import CONNECT_TIMEOUT_S
from clearml_backend import API_VERSION, FILES_PREFIX, ApiError, ClearMLBackend

SLOW_S = CONNECT_TIMEOUT_S + 3  # a "slow" fault: longer than our connect check, shorter than the SDK's read timeout


class ClearMLTestServer(ClearMLBackend):
    def __init__(self, access_key: str = "test-access-key", secret_key: str = "test-secret-key") -> None:
        super().__init__(access_key, secret_key)
        self._http: ThreadingHTTPServer | None = None
        # faults a test sets, by endpoint ("files.upload" for the files host's uploads): "5xx" answers 500, "drop"
        # closes the connection without an answer, "slow" answers after SLOW_S, "omit" answers without its data,
        # "refuse" (uploads) answers 403
        self.faults: dict[str, str] = {}

    # ---- life cycle ----

    def start(self, port: int = 0) -> ClearMLTestServer:
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

        self._http = Server(("127.0.0.1", port), Handler)
        self._http.daemon_threads = True
        threading.Thread(target=self._http.serve_forever, daemon=True).start()
        return self

    def restart(self) -> ClearMLTestServer:
        """Back after an outage (stop): the same address, everything it held kept, as a real server restarts."""
        assert self._http is not None
        return self.start(self._http.server_address[1])

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

    # ---- the wire ----
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
        fault = self.faults.get(endpoint)
        if fault == "drop":
            request.close_connection = True
            return
        if fault == "slow":
            time.sleep(SLOW_S)
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
                if fault == "5xx":
                    raise ApiError(500, 0, "test server: a fault set by the test")
                data, code, subcode, message = handler(body), 200, 0, "OK"
                if fault == "omit":
                    data = {}
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
        if request.command == "POST" and self.faults.get("files.upload") == "refuse":
            self._reply(request, 403, b"uploads refused by the test", "text/plain")
            return
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
        # one request a connection, as the real API server answers: the SDK forks its reporting process with
        # the connections it holds, and a kept-alive socket read by both processes loses answers (a step hung)
        request.send_header("Connection", "close")
        request.end_headers()
        request.wfile.write(payload)


def sdk_in_this_process(env: dict[str, str], monkeypatch) -> None:
    """Point this process's SDK at a test's server. The SDK keeps, once per process, its session and its list of
    file servers, from the server it first talked to (a later request to a stopped one retries for ever, and an
    upload goes to the new server's API instead of its files): each test that uses it here starts afresh."""
    from clearml.backend_interface.base import InterfaceBase
    from clearml.storage.helper import _HttpDriver

    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(InterfaceBase, "_default_session", None)
    monkeypatch.setattr(_HttpDriver, "_file_server_hosts", None)


def environment(server: ClearMLTestServer, home: Any) -> dict[str, str]:
    """This environment pointed at `server`, with a home of its own (no clearml.conf of the user)."""
    home.mkdir(exist_ok=True)
    clean = {key: value for key, value in os.environ.items() if not key.startswith(("CLEARML_", "TRAINS_"))}
    return {**clean, **server.env(), "HOME": str(home)}


def wait_for_call(process: Any, done: Any, allowance_s: float = 120) -> None:
    """Until `done()` says the command (`process`) has reached the point the test needs; it must not end before,
    nor take more than `allowance_s` (a hang fails here)."""
    deadline = time.monotonic() + allowance_s
    while not done():
        assert process.poll() is None, process.communicate()
        if time.monotonic() > deadline:  # what it said so far tells where it waits
            process.kill()
            said = process.communicate()
            raise AssertionError(f"the command never reached that point; it printed: {said!r:.4000}")
        time.sleep(0.2)
