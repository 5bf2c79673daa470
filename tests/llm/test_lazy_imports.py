"""``okr --help`` and the rules engine must not pay for importing the OpenAI SDK."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from .conftest import team_yaml

PROBE = """
import sys
from assistant.cli import main
try:
    main(sys.argv[1:], standalone_mode=False)
finally:
    print("OPENAI_LOADED=" + str("openai" in sys.modules), file=sys.stderr)
    # The App holds a Store object (assistant.store.store, light); the database itself,
    # its repositories and migrations are for commands that use stored drafts. pydantic
    # (~75 ms) validates config files, stored drafts and model answers, not a rules run.
    slow = ("textual", "rich", "httpx", "sqlite3", "pydantic", "assistant.store.db",
            "assistant.store.repositories", "assistant.store.migrations",
            "assistant.services.drafts")
    print("SLOW_LOADED=" + ",".join(m for m in slow if m in sys.modules), file=sys.stderr)
"""


def _run(args: list[str], home: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "OKR_HOME": str(home), **env}
    environment.pop("OPENAI_API_KEY", None)
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_help_does_not_import_openai(okr_home: Path) -> None:
    result = _run(["--help"], okr_home)
    assert "critique" in result.stdout
    assert "OPENAI_LOADED=False" in result.stderr


def test_rules_critique_does_not_import_openai(okr_home: Path, tmp_path: Path) -> None:
    path = tmp_path / "team.yaml"
    path.write_text(team_yaml(["A", "B"]), encoding="utf-8")
    for args in (["--engine", "rules"], []):  # explicit, and auto without a key
        result = _run(["critique", str(path), "--format", "json", *args], okr_home)
        assert json.loads(result.stdout)["engine"] == "rules", result.stderr
        assert "OPENAI_LOADED=False" in result.stderr


def test_the_fast_paths_import_nothing_slow(okr_home: Path, tmp_path: Path) -> None:
    """The start-up target (bench/startup_bench.py): ``okr --help`` and a rules critique
    of one file (piped: a terminal gets Rich colours) load no UI, HTTP, database or
    validation (pydantic) module."""
    path = tmp_path / "okrs.yaml"
    path.write_text(team_yaml(["A"]), encoding="utf-8")
    for args in (["--help"], ["critique", str(path)], ["critique", str(path), "--format", "json"]):
        result = _run(args, okr_home)
        assert "SLOW_LOADED=\n" in result.stderr, (args, result.stderr)


def test_fully_cached_llm_critique_does_not_import_openai(okr_home: Path, tmp_path: Path) -> None:
    """The control: a run that needs the SDK does load it (so the probe can fail)."""
    from .fake_server import FakeOpenAI

    path = tmp_path / "team.yaml"
    path.write_text(team_yaml(["A"]), encoding="utf-8")
    args = ["critique", str(path), "--format", "json", "--engine", "llm"]
    with FakeOpenAI() as server:
        env = {"OPENAI_API_KEY": "sk-test-dummy", "OPENAI_BASE_URL": server.base_url}
        first = _run(args, okr_home, **env)
        assert "OPENAI_LOADED=True" in first.stderr, first.stderr
        second = _run(args, okr_home, **env)
    assert json.loads(second.stdout)["usage"]["requests"] == 0
    assert "OPENAI_LOADED=False" in second.stderr


def test_a_config_file_or_a_source_brings_pydantic_back_and_still_works(
    okr_home: Path, tmp_path: Path
) -> None:
    """pydantic is left out only where nothing needs validating: a config file and a KR
    with a ``source:`` are validated as before (a wrong setting is still one clear line)."""
    path = tmp_path / "okrs.yaml"
    path.write_text(
        "objectives:\n- title: Delight new customers\n  key_results:\n"
        "  - text: Lift CSAT from 71% to 85% by 2026-12-31\n"
        "    source: {csv: csat.csv, column: csat}\n",
        encoding="utf-8",
    )
    sourced = _run(["critique", str(path), "--format", "json"], okr_home)
    assert json.loads(sourced.stdout)["engine"] == "rules", sourced.stderr
    (okr_home / "config.toml").write_text("[llm]\nconcurrency = 0\n", encoding="utf-8")
    refused = _run(["critique", str(path), "--format", "json"], okr_home)
    assert refused.returncode == 2
    assert "llm.concurrency: Input should be greater than or equal to 1" in refused.stderr
