"""JSON sources against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import threading

import pytest

from assistant.sources import JsonSource, SourceContext, SourceError, parse_source, read_source

from .conftest import Server

NPS = {"data": {"nps": 41, "history": [30, "35.5"], "a/b": {"~x": 7}, "flag": True}}


def read(server: Server, path: str, pointer: str, env: dict | None = None, **extra: object):
    spec = parse_source({"json": server.base + path, "pointer": pointer, **extra})
    return read_source(spec, SourceContext(env=env or {}))


@pytest.mark.parametrize(
    ("pointer", "expected"),
    [("/data/nps", 41.0), ("/data/history/0", 30.0), ("/data/history/1", 35.5),
     ("/data/a~1b/~0x", 7.0)],
)  # fmt: skip
def test_pointer(http: Server, pointer: str, expected: float) -> None:
    http.json("/api/nps", NPS)
    reading = read(http, "/api/nps", pointer)
    assert reading.value == expected
    assert reading.source == "sync:json"
    assert reading.provenance == f"{http.base}/api/nps {pointer}"


def test_a_whole_answer_that_is_a_number(http: Server) -> None:
    http.json("/count", 12)
    assert read(http, "/count", "").value == 12.0


def test_placeholders_fill_the_url_and_headers_for_the_request_only(http: Server) -> None:
    http.json("/api/nps", NPS)
    url = "http://127.0.0.1:${NPS_PORT}/api/nps"
    port = http.base.rsplit(":", 1)[1]
    spec = parse_source({"json": url, "pointer": "/data/nps",
                         "headers": {"Authorization": "Bearer ${NPS_TOKEN}"}})  # fmt: skip
    reading = read_source(spec, SourceContext(env={"NPS_PORT": port, "NPS_TOKEN": "tok-s3cret"}))
    assert reading.value == 41.0
    assert http.received[-1][1]["Authorization"] == "Bearer tok-s3cret"
    assert "tok-s3cret" not in reading.provenance and "${NPS_PORT}" in reading.provenance
    assert isinstance(spec, JsonSource)
    assert spec.headers == {"Authorization": "Bearer ${NPS_TOKEN}"}  # the spec is unchanged


def test_an_error_never_shows_the_expanded_secret(http: Server) -> None:
    # A server that echoes the token back in its status line.
    http.json("/api/nps", {}, status=401, reason="token tok-s3cret-42 refused")
    spec = parse_source({"json": http.base + "/api/nps", "pointer": "/data/nps",
                         "headers": {"X-Api-Key": "${NPS_TOKEN}"}})  # fmt: skip
    with pytest.raises(SourceError) as caught:
        read_source(spec, SourceContext(env={"NPS_TOKEN": "tok-s3cret-42"}))
    assert str(caught.value) == f"{http.base}/api/nps: HTTP 401 token ${{NPS_TOKEN}} refused"


def test_a_redirect_to_another_origin_drops_the_token(http: Server, other_http: Server) -> None:
    other_http.json("/nps", {"nps": 44})
    http.routes["/api/nps"] = lambda _h: (302, {"Location": other_http.base + "/nps"}, b"")
    http.routes["/same"] = lambda _h: (302, {"Location": "/api/final"}, b"")
    http.json("/api/final", {"nps": 45})
    env = {"NPS_TOKEN": "tok-s3cret"}
    headers = {"Authorization": "Bearer ${NPS_TOKEN}", "X-Api-Key": "${NPS_TOKEN}"}
    assert read(http, "/api/nps", "/nps", env, headers=headers).value == 44.0
    sent = other_http.received[-1][1]
    assert "Authorization" not in sent and "X-Api-Key" not in sent
    assert read(http, "/same", "/nps", env, headers=headers).value == 45.0
    assert http.received[-1][1]["X-Api-Key"] == "tok-s3cret"  # same origin: kept


@pytest.mark.parametrize(
    ("route", "pointer", "message"),
    [
        ("/api/nps", "/data/csat", "no 'csat' in the object at '/data' (keys: nps, history, a/b, flag)"),
        ("/api/nps", "/data/history/2", "'2' is not an index of the list at '/data/history' (2 items)"),
        ("/api/nps", "/data/nps/x", "'/data/nps' is '41', not an object or list"),
        ("/api/nps", "/data/flag", "the value at '/data/flag' is not a number: true (a boolean)"),
        ("/api/nps", "/data", "the value at '/data' is not a number: an object"),
        ("/missing", "/x", "HTTP 404"),
        ("/text", "/x", "the answer is not JSON"),
    ],
)  # fmt: skip
def test_failures(http: Server, route: str, pointer: str, message: str) -> None:
    http.json("/api/nps", NPS)
    http.routes["/text"] = lambda _h: (200, {"Content-Type": "text/html"}, b"<html>oops</html>")
    with pytest.raises(SourceError) as caught:
        read(http, route, pointer)
    assert message in str(caught.value)


def test_a_server_that_does_not_answer_times_out(http: Server) -> None:
    release = threading.Event()

    def hang(_handler: object) -> tuple[int, dict[str, str], bytes]:
        release.wait(10)
        return 200, {}, b"1"

    http.routes["/slow"] = hang
    try:
        with pytest.raises(SourceError, match=r"/slow: timed out after 0.3 s"):
            read(http, "/slow", "", timeout=0.3)
    finally:
        release.set()


def test_nothing_listening(http: Server) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound, never listening: connections are refused
        spec = parse_source({"json": f"http://127.0.0.1:{port}/x"})
        with pytest.raises(SourceError, match=r"cannot connect \(.*refused"):
            read_source(spec, SourceContext(env={}))
