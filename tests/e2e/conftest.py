"""A real llama.cpp ``llama-server`` for the end-to-end tests (``pytest -m e2e``).

The server is found, in this order: ``OKR_E2E_BASE_URL`` (already running, e.g.
started by ``python scripts/llama_server.py e2e``), else the binary and model cached
by ``python scripts/llama_server.py setup``, started here on a free 127.0.0.1 port for
the session. With neither, every e2e test skips and says how to get one.

These tests are skipped in the default run (they take minutes on a CPU): they run with
``-m e2e`` or when ``OKR_E2E_BASE_URL`` is set (``OKR_E2E=1 ./.ci/run`` does both).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator

import pytest

from .llama import load_script

SKIP_REASON = (
    "no llama-server: run `python scripts/llama_server.py setup` once (builds llama.cpp's "
    "llama-server, ~10 min on 2 cores) or set OKR_E2E_BASE_URL to a running server"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def llama_url() -> Iterator[str]:
    """The OpenAI-compatible base URL of a real llama-server (``…/v1``)."""
    given = os.environ.get("OKR_E2E_BASE_URL")
    if given:
        yield given.rstrip("/")
        return
    script = load_script()
    cache = script.cache_dir()
    if not (script.server_binary(cache).exists() and script.model_file(cache).exists()):
        pytest.skip(SKIP_REASON)
    proc, url = script.start(_free_port(), jobs=1)
    try:
        yield url
    finally:
        script.stop(proc)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    wanted = "e2e" in (config.getoption("-m") or "") or bool(os.environ.get("OKR_E2E_BASE_URL"))
    if wanted:
        return
    skip = pytest.mark.skip(reason="end-to-end against a real server: run `pytest -m e2e`")
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(skip)
