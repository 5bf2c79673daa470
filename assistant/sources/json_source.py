"""A KR's number from a JSON API: HTTP GET, then an RFC 6901 pointer into the answer.

``${VAR}`` in the URL and the headers is filled from the environment for the request
only. A redirect to another origin is followed without the source's headers (a token
for one server is never sent to another), and only to http(s).
"""

from __future__ import annotations

import json
import re
import socket
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from assistant import __version__
from assistant.domain.source_spec import JsonSource, SourceSpec
from assistant.sources.expand import Expansion
from assistant.sources.reading import (
    SourceContext,
    SourceError,
    SourceReading,
    as_number,
    describe,
)

MAX_BODY = 10 * 1024 * 1024
_INDEX = re.compile(r"0|[1-9][0-9]{0,8}")


def read_json(spec: SourceSpec, context: SourceContext) -> SourceReading:
    assert isinstance(spec, JsonSource)
    expand = Expansion("json", context.env)
    shown = spec.location
    url = expand(spec.location, "json URL")
    if urllib.parse.urlsplit(url).scheme.lower() not in ("http", "https"):
        raise SourceError("json", f"{shown}: not an http:// or https:// URL")
    headers = {"Accept": "application/json", "User-Agent": f"okr-coach/{__version__}"}
    for name, written in (spec.headers or {}).items():
        headers[name] = expand(written, f"header {name}")
    request = urllib.request.Request(url, headers=headers, method="GET")
    opener = urllib.request.build_opener(_SameOriginHeaders(set(spec.headers or ())))
    timeout = context.timeout_for(spec)
    try:
        with opener.open(request, timeout=timeout) as response:
            body = response.read(MAX_BODY + 1)
    except urllib.error.HTTPError as exc:
        raise expand.error(f"{shown}: HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError | socket.timeout):
            raise SourceError("json", f"{shown}: timed out after {timeout:g} s") from None
        raise expand.error(f"{shown}: cannot connect ({exc.reason})") from None
    except TimeoutError:
        raise SourceError("json", f"{shown}: timed out after {timeout:g} s") from None
    except (OSError, ValueError) as exc:
        raise expand.error(f"{shown}: request failed ({exc})") from None
    if len(body) > MAX_BODY:
        raise SourceError("json", f"{shown}: the answer is larger than {MAX_BODY // 2**20} MB")
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        raise SourceError("json", f"{shown}: the answer is not JSON") from None
    found = resolve(document, spec.pointer, shown)
    value = as_number(found, "json", f"{shown}: the value at '{spec.pointer or '/'}'")
    return SourceReading("json", value, f"{shown} {spec.pointer or '/'}".strip(), spec.unit)


def resolve(document: Any, pointer: str, shown: str = "") -> Any:
    """The value ``pointer`` (RFC 6901) names in ``document``; ``SourceError`` when it names
    nothing, saying how far it got."""
    here = ""
    for raw in pointer.split("/")[1:] if pointer else ():
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(document, dict):
            if token not in document:
                keys = ", ".join(list(document)[:8]) or "none"
                raise SourceError(
                    "json", f"{shown}: no '{token}' in the object at '{here or '/'}' (keys: {keys})"
                )
            document = document[token]
        elif isinstance(document, list):
            if not _INDEX.fullmatch(token) or int(token) >= len(document):
                raise SourceError(
                    "json",
                    f"{shown}: '{token}' is not an index of the list at '{here or '/'}' "
                    f"({len(document)} items)",
                )
            document = document[int(token)]
        else:
            raise SourceError(
                "json", f"{shown}: '{here or '/'}' is {describe(document)}, not an object or list"
            )
        here += "/" + raw
    return document


class _SameOriginHeaders(urllib.request.HTTPRedirectHandler):
    """Follows redirects to http(s) only, dropping the source's own headers (tokens) when
    the redirect leaves the origin they were written for."""

    def __init__(self, names: set[str]) -> None:
        super().__init__()
        self.names = {name.lower() for name in names}

    def redirect_request(
        self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any, newurl: str
    ) -> urllib.request.Request | None:
        target = urllib.parse.urlsplit(newurl)
        if target.scheme.lower() not in ("http", "https"):
            raise urllib.error.HTTPError(newurl, code, "redirect to a non-http URL", headers, fp)
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None and _origin(req.full_url) != _origin(newurl):
            for name in list(new.headers):
                if name.lower() in self.names or name.lower() in ("authorization", "cookie"):
                    del new.headers[name]
        return new


def _origin(url: str) -> tuple[str, str]:
    parts = urllib.parse.urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()
