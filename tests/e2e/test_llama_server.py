"""okr-coach against a real llama.cpp ``llama-server`` with default settings.

A 135M-parameter model says little of use, so these tests assert invariants only —
what must hold whatever the model says: exit codes, the cache answering the second
run with no request, the dropped counts reported, nothing ungrounded shown (evidence
quoted from the target's own text, rewrites using only that target's numbers).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.model import OKRSet

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
WEAK = ROOT / "examples" / "weak.yaml"
TEAM = ROOT / "examples" / "team.yaml"
# A silent server is a broken server; a slow one on a CPU is normal.
SILENCE = "120"


def okr(url: str, home: Path, *args: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    """Run the real ``okr`` command with default settings: only the local base URL is set
    (no API key, no config file)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "OKR_"))}
    env.update(OPENAI_BASE_URL=url, OKR_HOME=str(home), NO_COLOR="1", COLUMNS="100")
    return subprocess.run(
        [str(OKR), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        cwd=ROOT,
        check=False,
    )


OKR = Path(sys.executable).with_name("okr")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


def numbers_in(text: str) -> set[str]:
    """Digits as written: a deliberately naive reader, independent of the guards'."""
    return {n.replace(",", "") for n in _NUMBER.findall(text)}


def _targets(set_json: dict) -> dict[str, str]:
    """Each target's own text plus its structured fields (what a rewrite may draw on)."""
    texts: dict[str, str] = {}
    for o in set_json["objectives"]:
        texts[o["id"]] = o["title"]
        for kr in o["key_results"]:
            texts[kr["id"]] = kr["text"]
    return texts


def _cycles(path: Path) -> list[str]:
    from assistant.io import read_path

    return [s.cycle or "" for s in read_path(str(path))]


def _allowed(set_json: dict, target: str) -> set[str]:
    # the set's cycle ("2026-Q1") may give a deadline its year
    allowed = {n for path in (WEAK, TEAM) for c in _cycles(path) for n in numbers_in(c)}
    for o in set_json["objectives"]:
        for kr in o["key_results"]:
            if kr["id"] == target:
                allowed |= numbers_in(json.dumps({k: v for k, v in kr.items() if k != "scores"}))
        if o["id"] == target:
            allowed |= numbers_in(o["title"])
    return allowed


def assert_grounded(report: dict) -> list[dict]:
    """Every LLM finding shown quotes its own target and invents no number."""
    shown = []
    for okr_set in report["sets"]:
        texts = _targets(okr_set)
        for finding in okr_set["findings"]:
            if finding["source"] != "llm":
                continue
            shown.append(finding)
            target = finding["target"]
            if target != "SET":
                assert target in texts, finding
                assert finding["evidence"] in texts[target], finding
            rewrite = finding.get("rewrite")
            if rewrite:
                assert numbers_in(rewrite["text"]) <= _allowed(okr_set, target), finding
                assert rewrite["score_delta"] > 0, finding
    return shown


def _no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr, result.stderr
    assert "Traceback" not in result.stdout


def test_critique_weak_then_cache(llama_url: str, tmp_path: Path) -> None:
    started = time.monotonic()
    first = okr(llama_url, tmp_path, "critique", str(WEAK), "--engine", "llm", "--format", "json")
    took = time.monotonic() - started
    _no_traceback(first)
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    assert report["engine"] == "llm"
    llm = report["summary"]["llm"]
    assert llm["requests"] >= 1
    assert llm["kept"] + llm["dropped"] >= 0
    assert sum(llm["dropped_by"].values()) == llm["dropped"]
    shown = assert_grounded(report)
    assert len(shown) == llm["kept"] or len(shown) <= llm["kept"]
    print(f"\nfirst run: {took:.1f} s, {llm}", file=sys.stderr)

    second = okr(llama_url, tmp_path, "critique", str(WEAK), "--engine", "llm", "--format", "json")
    assert second.returncode == 0, second.stderr
    again = json.loads(second.stdout)
    assert again["summary"]["llm"]["requests"] == 0
    assert again["sets"] == report["sets"]


def test_text_report_says_what_was_dropped(llama_url: str, tmp_path: Path) -> None:
    result = okr(llama_url, tmp_path, "critique", str(WEAK), "--engine", "llm")
    _no_traceback(result)
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if line.strip().startswith("llm: ")]
    assert len(lines) == 1, result.stdout
    assert re.search(r"llm: \d+ findings? kept, \d+ dropped", lines[0])


def test_team_file_critique(llama_url: str, tmp_path: Path) -> None:
    result = okr(llama_url, tmp_path, "critique", str(TEAM), "--engine", "llm", "--format", "json")
    _no_traceback(result)
    # 3: the model could not finish some set (still reported); never a crash.
    assert result.returncode in (0, 3), result.stderr
    report = json.loads(result.stdout)
    assert len(report["sets"]) >= 2
    assert_grounded(report)


def test_batch_submit_is_one_clear_line(llama_url: str, tmp_path: Path) -> None:
    """llama-server has no Batch API: the user gets one line, not a traceback."""
    result = okr(llama_url, tmp_path, "batch", "submit", str(WEAK))
    _no_traceback(result)
    if result.returncode != 0:
        assert result.returncode in (2, 3)
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_review_with_two_reviewers(llama_url: str, tmp_path: Path) -> None:
    result = okr(
        llama_url,
        tmp_path,
        "review",
        str(WEAK),
        "--engine",
        "llm",
        "--personas",
        "finance-lead,data-analyst",
        "--rounds",
        "1",
        "--format",
        "json",
    )
    _no_traceback(result)
    assert result.returncode in (0, 3), result.stderr
    review = json.loads(result.stdout)
    assert review["engine"] == "llm"
    assert [seat["persona"] for seat in review["seats"]] == ["finance-lead", "data-analyst"]
    assert "synthesis" in review


async def test_tui_coach_without_a_key(llama_url: str, tmp_path: Path) -> None:
    from assistant.app import bootstrap
    from assistant.io import read_path
    from assistant.services import drafts
    from tui.app import create_app
    from tui.screens.editor import EditorScreen
    from tui.widgets.critique_panel import CritiquePanel

    okr_set: OKRSet = read_path(str(WEAK))[0]
    settings = Settings()
    settings.llm.base_url = llama_url
    core = bootstrap(tmp_path, settings)
    drafts.save(core.store, "weak", okr_set, "first")
    app = create_app(core, target="weak")
    async with app.run_test(size=(80, 24)) as pilot:
        deadline = time.monotonic() + 30
        while not isinstance(app.screen, EditorScreen):
            assert time.monotonic() < deadline
            await pilot.pause(0.1)
        panel = app.screen.query_one(CritiquePanel)
        await pilot.press("ctrl+g")
        deadline = time.monotonic() + 600
        await pilot.pause(0.5)
        while panel.is_busy:
            assert time.monotonic() < deadline, "the coach never finished"
            await pilot.pause(0.5)
        assert app.is_running
        texts = {str(t): okr_set.target_text(t) for t, _ in okr_set.iter_targets()}
        for finding in panel.findings:
            if finding.source == "llm" and finding.target in texts:
                assert finding.evidence in texts[finding.target]


def test_eval_on_a_sample_then_the_log_holds_every_request(llama_url: str, tmp_path: Path) -> None:
    """``okr eval --engine llm`` on the real server scores in the SPEC shape, and ``okr
    logs`` lists each request it sent (command ``eval``), none holding a key."""
    run = okr(llama_url, tmp_path, "eval", "--builtin", "--sample", "2", "--engine", "llm",
              "--concurrency", "1", "--format", "json")  # fmt: skip
    _no_traceback(run)
    assert run.returncode in (0, 3), run.stderr
    scores = json.loads(run.stdout)
    assert scores["engine"] == "llm" and scores["labels"] > 0 and scores["requests"] >= 1
    assert 0.0 <= scores["micro"]["f1"] <= 1.0
    logged = okr(llama_url, tmp_path, "logs", "--json", "-n", "100")
    assert logged.returncode == 0, logged.stderr
    entries = json.loads(logged.stdout)
    assert len(entries) >= scores["requests"] >= 1
    assert {e["command"] for e in entries} == {"eval"}
    assert all(e["base_url"].startswith(llama_url.rsplit("/v1", 1)[0]) for e in entries)
    whole = okr(llama_url, tmp_path, "logs", str(entries[0]["id"]), "--json")
    assert json.loads(whole.stdout)["messages"]
