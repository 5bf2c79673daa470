"""A local, fault-injecting, OpenAI-compatible server for tests and benchmarks.

Stdlib only (``http.server`` in a thread): ``/v1/chat/completions`` plus the Files and
Batch endpoints that ``okr batch`` uses. Every request is recorded with the *item key*
(a hash of the first user message, which is what identifies one OKR set even across
re-asks) so tests can assert how many requests each item cost.

Faults are chosen per item and per attempt: ``plan={"MARKER": ["429", "500", "ok"]}``
applies to items whose first user message contains ``MARKER``; attempt n gets the
n-th entry (then ``ok``). ``fail_rate`` adds random transient 500s (seeded).

Fault names: ``ok``, ``429`` (with Retry-After), ``500``, ``400-format`` (response_format
unsupported), ``timeout`` (answers after ``hang`` seconds), ``malformed`` (content that is
not JSON), ``invalid`` (JSON that fails the schema), ``badbody`` (HTTP body not JSON),
``length`` (finish_reason=length), ``refusal``, ``401-echo`` (a 401 whose body echoes the
API key it was sent), ``echo-key`` (a valid answer whose findings repeat the API key it was
sent), ``refusal-echo`` (a refusal that does).

``hold``: while it is an unset ``threading.Event``, chat requests are received (and
counted in flight) but not answered, so tests can count what a client sends at once.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

KR_LINE_RE = re.compile(r"^\s*-?\s*(O\d+\.KR\d+|O\d+):\s+(.+?)\s*$", re.MULTILINE)


def item_key(body: dict[str, Any]) -> str:
    """Identify the item: the first user message (re-asks only append messages)."""
    for message in body.get("messages", []):
        if message.get("role") == "user":
            return hashlib.sha256(str(message.get("content")).encode()).hexdigest()[:16]
    return "-"


def first_user_text(body: dict[str, Any]) -> str:
    for message in body.get("messages", []):
        if message.get("role") == "user":
            return str(message.get("content"))
    return ""


def default_answer(body: dict[str, Any]) -> dict[str, Any]:
    """A plausible, well-grounded answer: one finding on the first KR, quoting it."""
    targets = KR_LINE_RE.findall(first_user_text(body))
    krs = [(t, text) for t, text in targets if ".KR" in t]
    if not krs:
        return {"findings": []}
    target, text = krs[0]
    quote = " ".join(text.split()[:3])
    return {
        "findings": [
            {
                "target": target,
                "code": "LLM-NO-DATA-SOURCE",
                "dimension": "measurability",
                "severity": "info",
                "evidence": quote,
                "message": "Where will this number come from?",
                "question": f"Who reports '{quote}' and from which system?",
                "suggestion": "Name the dashboard or report.",
                "rewrite": None,
            }
        ]
    }


@dataclass
class Recorded:
    path: str
    method: str
    key: str
    body: dict[str, Any] | None
    headers: dict[str, str]
    fault: str
    at: float


@dataclass
class FakeOpenAI:
    """Start with ``with FakeOpenAI(...) as server:``; use ``server.base_url``."""

    delay: float = 0.0
    answer: Callable[[dict[str, Any]], dict[str, Any] | str] = default_answer
    plan: dict[str, list[str]] = field(default_factory=dict)
    fail_rate: float = 0.0
    seed: int = 0
    hang: float = 5.0
    retry_after: str = "0"
    retry_after_500: str = ""
    json_schema: bool = True
    json_object: bool = True
    stream_gap: float = 0.0  # seconds of silence between streamed chunks
    streams_closed: int = 0  # streams the client hung up on (a cancelled ask)
    format_status: int = 400  # how an unsupported response_format is refused (400/422/500)
    usage: tuple[int, int] = (900, 250)
    cached_tokens: int = 0  # of the prompt tokens, reported as cached by the provider
    port: int = 0
    requests: list[Recorded] = field(default_factory=list)
    max_in_flight: int = 0
    hold: threading.Event | None = None

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._attempts: Counter[str] = Counter()
        self._rng = random.Random(self.seed)
        self._stop = threading.Event()
        self._files: dict[str, bytes] = {}
        self._batches: dict[str, dict[str, Any]] = {}
        self._server: ThreadingHTTPServer | None = None
        self._in_flight = 0

    # --- lifecycle -------------------------------------------------------------------
    def start(self) -> FakeOpenAI:
        fake = self

        class Handler(_Handler):
            server_ref = fake

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 256

        self._server = Server(("127.0.0.1", self.port), Handler)
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start() the server first"
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    # --- queries for tests -----------------------------------------------------------
    def chat_requests(self) -> list[Recorded]:
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    @property
    def in_flight(self) -> int:
        """Chat requests received and not answered yet (their handler is still working)."""
        with self._lock:
            return self._in_flight

    def per_item(self) -> Counter[str]:
        return Counter(r.key for r in self.chat_requests())

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self._attempts.clear()
            self.max_in_flight = 0

    # --- behaviour -------------------------------------------------------------------
    def _choose_fault(self, body: dict[str, Any], key: str) -> str:
        with self._lock:
            attempt = self._attempts[key]
            self._attempts[key] += 1
            text = first_user_text(body)
            for marker, faults in self.plan.items():
                if marker in text and attempt < len(faults):
                    return faults[attempt]
            if self.fail_rate and self._rng.random() < self.fail_rate:
                return "500"
        return "ok"

    def completion(self, body: dict[str, Any], fault: str, key: str = "") -> dict[str, Any]:
        """The chat-completion body for ``fault`` (``ok`` and the content faults);
        ``key`` is the API key the request carried (the echoing faults repeat it)."""
        answer = self.answer(body)
        if fault == "echo-key" and isinstance(answer, dict):
            for finding in answer.get("findings", []):
                for name in ("message", "question", "suggestion"):
                    finding[name] = f"{finding.get(name) or ''} Your key is {key}."
        content: str | None = answer if isinstance(answer, str) else json.dumps(answer)
        finish, refusal = "stop", None
        if fault == "malformed":
            content = '{"findings": [ {"target": "O1.KR1", '
        elif fault == "invalid":
            content = json.dumps({"findings": [{"target": "O1.KR1", "severity": "huge"}]})
        elif fault == "length":
            content, finish = (content or "")[: len(content or "") // 2], "length"
        elif fault == "refusal":
            content, refusal = None, "I can't help with that."
        elif fault == "refusal-echo":
            content, refusal = None, f"I won't, and I will not repeat {key} either."
        prompt_tokens, completion_tokens = self.usage
        return {
            "id": f"chatcmpl-{hashlib.sha1(json.dumps(body).encode()).hexdigest()[:12]}",
            "object": "chat.completion",
            "created": 1_700_000_000,
            "model": body.get("model", "fake"),
            "choices": [
                {
                    "index": 0,
                    "finish_reason": finish,
                    "message": {"role": "assistant", "content": content, "refusal": refusal},
                }
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
                "prompt_tokens_details": {"cached_tokens": self.cached_tokens},
            },
        }

    def run_batch(self, batch_id: str) -> None:
        """Complete a batch at once: every line answered as a fault-free request would be."""
        batch = self._batches[batch_id]
        lines = self._files[batch["input_file_id"]].decode().splitlines()
        out, errors = [], []
        for line in lines:
            request = json.loads(line)
            body = request["body"]
            text = first_user_text(body)
            if any(marker in text for marker in self.plan):
                errors.append(
                    {
                        "id": f"batch_req_{len(errors)}",
                        "custom_id": request["custom_id"],
                        "response": None,
                        "error": {"code": "server_error", "message": "injected failure"},
                    }
                )
                continue
            out.append(
                {
                    "id": f"batch_req_{len(out)}",
                    "custom_id": request["custom_id"],
                    "response": {"status_code": 200, "body": self.completion(body, "ok")},
                    "error": None,
                }
            )
        output_id = f"file-out-{batch_id}"
        self._files[output_id] = "".join(json.dumps(x) + "\n" for x in out).encode()
        batch.update(
            status="completed",
            output_file_id=output_id,
            request_counts={"total": len(lines), "completed": len(out), "failed": len(errors)},
        )
        if errors:
            error_id = f"file-err-{batch_id}"
            self._files[error_id] = "".join(json.dumps(x) + "\n" for x in errors).encode()
            batch["error_file_id"] = error_id


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_ref: FakeOpenAI

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
        return

    def _send(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _record(self, body: dict[str, Any] | None, fault: str, key: str = "-") -> None:
        fake = self.server_ref
        with fake._lock:
            fake.requests.append(
                Recorded(
                    self.path,
                    self.command,
                    key,
                    body,
                    {k.lower(): v for k, v in self.headers.items()},
                    fault,
                    time.monotonic(),
                )
            )

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        fake = self.server_ref
        if self.path == "/_stats":  # for benchmarks running the server in another process
            per_item = fake.per_item()
            self._send(
                200,
                {
                    "chat_requests": sum(per_item.values()),
                    "items": len(per_item),
                    "max_per_item": max(per_item.values(), default=0),
                    "max_in_flight": fake.max_in_flight,
                    "arrivals": [r.at for r in fake.chat_requests()],
                },
            )
            return
        self._record(None, "ok")
        match = re.fullmatch(r"/v1/batches/([\w-]+)", self.path)
        if match and match.group(1) in fake._batches:
            self._send(200, fake._batches[match.group(1)])
            return
        match = re.fullmatch(r"/v1/files/([\w-]+)/content", self.path)
        if match and match.group(1) in fake._files:
            self._send(200, fake._files[match.group(1)])
            return
        self._send(404, {"error": {"message": f"no such thing: {self.path}", "type": "invalid"}})

    def do_POST(self) -> None:  # noqa: N802 - stdlib name
        fake = self.server_ref
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path == "/v1/files":
            self._upload(raw)
            return
        if self.path == "/v1/batches":
            self._create_batch(json.loads(raw))
            return
        if self.path != "/v1/chat/completions":
            self._record(None, "404")
            self._send(404, {"error": {"message": "not found", "type": "invalid_request_error"}})
            return
        body = json.loads(raw)
        key = item_key(body)
        fault = fake._choose_fault(body, key)
        fmt = (body.get("response_format") or {}).get("type")
        if (fmt == "json_schema" and not fake.json_schema) or (
            fmt == "json_object" and not fake.json_object
        ):
            fault = "400-format"
        self._record(body, fault, key)
        with fake._lock:
            fake._in_flight += 1
            fake.max_in_flight = max(fake.max_in_flight, fake._in_flight)
        try:
            self._answer_chat(body, fault, fmt)
        finally:
            with fake._lock:
                fake._in_flight -= 1

    def _answer_chat(self, body: dict[str, Any], fault: str, fmt: str | None) -> None:
        fake = self.server_ref
        while fake.hold is not None and not fake.hold.wait(0.02):
            if fake._stop.is_set():
                return
        if fake.delay:
            fake._stop.wait(fake.delay)
        key = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
        if fault == "429":
            self._send(
                429,
                {"error": {"message": "Rate limit reached", "type": "rate_limit_exceeded"}},
                {"Retry-After": fake.retry_after},
            )
        elif fault == "500":
            self._send(
                500,
                {"error": {"message": "The server had an error", "type": "server"}},
                {"Retry-After": fake.retry_after_500} if fake.retry_after_500 else None,
            )
        elif fault == "400-format" and fake.format_status == 500:
            # llama-cpp-python's server: a pydantic error as an internal server error
            self._send(
                500,
                {
                    "error": {
                        "message": "1 validation error for CreateChatCompletionRequest\n"
                        "response_format.type\n  Input should be 'text' or 'json_object'",
                        "type": "internal_server_error",
                    }
                },
            )
        elif fault == "400-format":
            self._send(
                fake.format_status,
                {
                    "error": {
                        "message": f"response_format type '{fmt}' is not supported by this server",
                        "type": "invalid_request_error",
                        "param": "response_format",
                    }
                },
            )
        elif fault == "401-echo":  # a server (or proxy) that echoes the key it was sent
            self._send(
                401,
                {
                    "error": {
                        "message": f"Incorrect API key provided: {key}. Header: Bearer {key}",
                        "type": "invalid_request_error",
                        "code": "invalid_api_key",
                    }
                },
            )
        elif fault == "timeout":
            fake._stop.wait(fake.hang)
            self._send(200, fake.completion(body, "ok"))
        elif fault == "badbody":
            self._send(200, b"<html>upstream proxy error</html>")
        elif body.get("stream"):
            self._stream(fake.completion(body, fault, key), body)
        else:
            self._send(200, fake.completion(body, fault, key))

    def _stream(self, completion: dict[str, Any], body: dict[str, Any]) -> None:
        """The completion as server-sent events (``stream: true``), content in pieces,
        usage in a last chunk when ``stream_options.include_usage`` asks for it."""
        fake = self.server_ref
        choice = completion["choices"][0]
        content = choice["message"]["content"] or ""
        pieces = [content[i : i + 64] for i in range(0, len(content), 64)] or [""]
        base = {k: completion[k] for k in ("id", "created", "model")}
        base["object"] = "chat.completion.chunk"
        events = [
            {
                **base,
                "choices": [
                    {
                        "index": 0,
                        "delta": {"role": "assistant", "content": piece},
                        "finish_reason": None,
                    }
                ],
            }  # fmt: skip
            for piece in pieces
        ]
        if choice["message"].get("refusal"):
            events.append({**base, "choices": [{"index": 0, "delta": {
                "refusal": choice["message"]["refusal"]}, "finish_reason": None}]})  # fmt: skip
        events.append(
            {
                **base,
                "choices": [{"index": 0, "delta": {}, "finish_reason": choice["finish_reason"]}],
            }
        )
        if (body.get("stream_options") or {}).get("include_usage"):
            events.append({**base, "choices": [], "usage": completion["usage"]})
        self.close_connection = True  # the body ends when the connection closes
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Connection", "close")
            self.end_headers()
            for event in events:
                self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
                self.wfile.flush()
                if fake.stream_gap and fake._stop.wait(fake.stream_gap):
                    return
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            fake.streams_closed += 1

    def _upload(self, raw: bytes) -> None:
        fake = self.server_ref
        message = BytesParser(policy=HTTP).parsebytes(
            f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode() + raw
        )
        content, filename, purpose = b"", "upload.jsonl", "batch"
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if name == "file":
                content = part.get_payload(decode=True) or b""
                filename = part.get_filename() or filename
            elif name == "purpose":
                purpose = (part.get_payload(decode=True) or b"").decode()
        file_id = f"file-{len(fake._files) + 1}"
        fake._files[file_id] = content
        self._record(None, "ok")
        self._send(
            200,
            {
                "id": file_id,
                "object": "file",
                "bytes": len(content),
                "created_at": 1_700_000_000,
                "filename": filename,
                "purpose": purpose,
                "status": "processed",
            },
        )

    def _create_batch(self, body: dict[str, Any]) -> None:
        fake = self.server_ref
        batch_id = f"batch_{len(fake._batches) + 1}"
        fake._batches[batch_id] = {
            "id": batch_id,
            "object": "batch",
            "endpoint": body["endpoint"],
            "input_file_id": body["input_file_id"],
            "completion_window": body["completion_window"],
            "status": "validating",
            "created_at": 1_700_000_000,
            "request_counts": {"total": 0, "completed": 0, "failed": 0},
        }
        self._record(body, "ok")
        self._send(200, dict(fake._batches[batch_id]))
        fake.run_batch(batch_id)
