"""Real engines for the source tests: a PostgreSQL cluster, and HTTP servers on 127.0.0.1."""

from __future__ import annotations

import json
import os
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from . import pg_server


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """``OKR_TEST_PG_URL`` (``.ci/run`` starts one), else a throwaway cluster of our own."""
    url = os.environ.get("OKR_TEST_PG_URL")
    if url:
        yield url
        return
    root = Path(tempfile.mkdtemp(prefix="okr-pg-"))
    try:
        url = pg_server.start(root)
    except pg_server.CannotStart as exc:
        pg_server.stop(root)
        pytest.skip(f"no PostgreSQL for the sql source tests: {exc}; set OKR_TEST_PG_URL")
    yield url
    pg_server.stop(root)


Reply = tuple[int, dict[str, str], bytes]


@dataclass
class Server:
    """A local HTTP server whose routes are set by the test; it records what it received."""

    routes: dict[str, Callable[[BaseHTTPRequestHandler], Reply]] = field(default_factory=dict)
    received: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    active: int = 0
    peak: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    base: str = ""

    def json(self, path: str, data: object, status: int = 200, reason: str | None = None) -> None:
        body = json.dumps(data).encode()
        headers = {"Content-Type": "application/json"}
        if reason:
            headers["X-Reason"] = reason  # the status line's reason phrase
        self.routes[path] = lambda _h: (status, dict(headers), body)


def _handler(server: Server) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            with server.lock:
                server.received.append((self.path, dict(self.headers.items())))
                server.active += 1
                server.peak = max(server.peak, server.active)
            try:
                route = server.routes.get(self.path.split("?")[0])
                status, headers, body = route(self) if route else (404, {}, b"{}")
                self.send_response(status, headers.pop("X-Reason", None))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test)
            finally:
                with server.lock:
                    server.active -= 1

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    return Handler


def _serve(host: str) -> Iterator[Server]:
    server = Server()
    httpd = ThreadingHTTPServer((host, 0), _handler(server))
    httpd.daemon_threads = True
    server.base = f"http://{host}:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def http() -> Iterator[Server]:
    yield from _serve("127.0.0.1")


@pytest.fixture
def other_http() -> Iterator[Server]:
    """A second server: another origin (another port) for redirects."""
    yield from _serve("127.0.0.1")
