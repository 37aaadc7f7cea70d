"""A small wire-compatible ClearML server for tests (DESIGN.md §6): stdlib HTTP on 127.0.0.1, everything in memory.

No real clearml-server can run on these machines (it needs MongoDB and Elasticsearch), so the online paths are
tested against this: the real SDK and the real clearml-agent talk to it as they would to a server. It implements
the calls they make, answers the rest with an empty result, and records every call so tests can see what was asked.
"""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

API_VERSION = "2.31"
SERVER_VERSION = "2.1.0"


class ApiError(Exception):
    def __init__(self, code: int, subcode: int, message: str) -> None:
        super().__init__(message)
        self.code, self.subcode, self.message = code, subcode, message


def _jwt(claims: dict[str, Any]) -> str:
    """An unsigned JWT: the SDK reads the claims (api_version, server_version, exp), it never checks a signature."""

    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXJl"


class ClearMLTestServer:
    def __init__(self, access_key: str = "test-access-key", secret_key: str = "test-secret-key") -> None:
        self.access_key, self.secret_key = access_key, secret_key
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.lock = threading.RLock()
        self._http: ThreadingHTTPServer | None = None
        self.handlers: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "auth.login": lambda body: {"token": _jwt(self._claims())},
        }

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

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
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
            "CLEARML_FILES_HOST": self.url,
            "CLEARML_API_ACCESS_KEY": self.access_key,
            "CLEARML_API_SECRET_KEY": self.secret_key,
        }

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
        version, _, endpoint = path.rpartition("/")
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw.strip() and endpoint != "events.add_batch" else {}
            if endpoint == "events.add_batch":
                body = {"events": [json.loads(line) for line in raw.decode().splitlines() if line.strip()]}
            with self.lock:
                self.calls.append((endpoint, body))
                if not self._authorized(request, endpoint):
                    raise ApiError(401, 20, "Unauthorized (invalid credentials)")
                handler = self.handlers.get(endpoint)
                if handler is None:
                    raise ApiError(400, 0, f"endpoint {endpoint} is not served by the test server")
                data, code, subcode, message = handler(body), 200, 0, "OK"
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
        payload = json.dumps({"meta": meta, "data": data}).encode()
        request.send_response(code)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(payload)))
        request.end_headers()
        request.wfile.write(payload)
