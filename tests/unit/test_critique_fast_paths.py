"""Issue 21, item 9: the fast paths of ``okr critique`` on a team file say exactly what the
slow ones said. Forked workers only where a fork is safe (one thread) and never for the
TUI's sets; the coloured report, the team table and the ``--cross`` JSON written without
a Rich renderable per line (or Python's indenting encoder) are the same characters."""

from __future__ import annotations

import asyncio
import json
import random
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

import assistant.render.team_report as team_render
import assistant.render.text as text_render
from assistant import forking
from assistant.app import bootstrap
from assistant.cli import core
from assistant.domain.team_summary import TeamSetRow, TeamSummary
from assistant.io import read_path
from assistant.model import (
    Finding,
    ObjectiveScores,
    OKRSet,
    Report,
    Rewrite,
    Scores,
    SetCritique,
    TargetScores,
)
from assistant.rubric.critic import critique_sets as one_process
from assistant.services import critique as critique_service
from assistant.services.critique_run import CritiqueRequest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def team_file(tmp_path: Path, sets: int = 12) -> Path:
    """A team file whose key results repeat across sets (duplicates span the workers)."""
    data = {
        "cycle": "2026-Q1",
        "sets": [
            {
                "name": f"Team {i}",
                "objectives": [
                    {
                        "title": f"Delight the customers of region {i % 3}",
                        "key_results": [
                            f"Raise NPS from {20 + i % 4} to 45 by 31 Mar 2026",
                            "Launch the new onboarding flow",
                            f"Cut p95 latency from {800 + i} ms to 300 ms",
                        ],
                    }
                ],
            }
            for i in range(sets)
        ],
    }
    path = tmp_path / "team.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


@pytest.fixture
def pools(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every set count the fork pool is started for (from one set on)."""
    started: list[int] = []
    parallel = critique_service._parallel_findings

    def counting(sets: Any, workers: int) -> Any:
        started.append(len(sets))
        return parallel(sets, workers)

    monkeypatch.setattr(critique_service, "_parallel_findings", counting)
    monkeypatch.setattr(critique_service, "PARALLEL_MIN_SETS", 1)
    monkeypatch.setattr(forking, "cores", lambda: 2)
    return started


@pytest.fixture
def one_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI's process: one thread. (Under pytest-xdist the test process also runs the
    worker's channel threads, and a fork is then rightly refused.)"""
    monkeypatch.setattr(forking.threading, "active_count", lambda: 1)
    monkeypatch.setattr(forking, "threads", lambda: 1)


def test_the_cli_rules_critique_of_a_team_file_uses_forked_workers(
    tmp_path: Path, pools: list[int], one_thread: None
) -> None:
    """``okr critique team.yaml --engine rules`` (the use case the CLI awaits) uses the
    fork pool, and its report is the one-process report."""
    path = team_file(tmp_path)
    app = bootstrap(tmp_path / "home")
    try:
        outcome = asyncio.run(app.critique(CritiqueRequest(targets=[str(path)], engine="rules")))
    finally:
        app.close()
    assert pools == [12]
    assert outcome.report == one_process(read_path(str(path)))
    assert any(f.code == "SET-DUPLICATE" for s in outcome.report.sets for f in s.findings)


def test_the_sets_of_the_tui_editor_stay_in_one_process(tmp_path: Path, pools: list[int]) -> None:
    sets = read_path(str(team_file(tmp_path)))
    app = bootstrap(tmp_path / "home")
    try:
        outcome = asyncio.run(app.critique(CritiqueRequest(sets=sets, engine="rules")))
    finally:
        app.close()
    assert pools == []
    assert outcome.report == one_process(sets)


def test_a_worker_that_dies_costs_time_not_findings(
    tmp_path: Path, pools: list[int], one_thread: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker that fails after sending its signatures (the parent is then waiting for
    its critiques): the parent reaps it and critiques every set itself."""
    sets = read_path(str(team_file(tmp_path)))
    work = critique_service._work

    def dying(channel: forking.Worker, sets: Any, rubric: Any) -> None:
        channel.send(critique_service.signatures(sets, rubric.rule(critique_service.DUPLICATE)))
        raise RuntimeError("a worker's bug")

    monkeypatch.setattr(critique_service, "_work", dying)
    assert critique_service.critique_sets(sets) == one_process(sets)
    monkeypatch.setattr(critique_service, "_work", work)
    assert pools == [12]
    assert not forking.Worker._live  # reaped, its pipes closed


@pytest.fixture
def another_thread() -> Iterator[threading.Thread]:
    release = threading.Event()
    thread = threading.Thread(target=release.wait, daemon=True)
    thread.start()
    yield thread
    release.set()
    thread.join()


def test_no_worker_is_forked_while_another_thread_runs(
    tmp_path: Path, pools: list[int], another_thread: threading.Thread
) -> None:
    """A fork copies only the calling thread (a lock the other one holds would stay
    locked in the child): with a second thread the critique stays in this process."""
    sets = read_path(str(team_file(tmp_path)))
    assert not forking.may_fork()
    assert critique_service.critique_sets(sets) == one_process(sets)
    assert pools == []


def test_workers_are_forked_on_one_thread(
    tmp_path: Path, pools: list[int], one_thread: None
) -> None:
    sets = read_path(str(team_file(tmp_path)))
    assert forking.may_fork()
    assert critique_service.critique_sets(sets) == one_process(sets)
    assert pools == [12]


def test_a_use_case_result_is_never_formatted_on_the_way_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """asyncio.run (3.11) formats its main task, result included, when it puts Ctrl-C
    back: a team file's report took a second to format. The CLI's edge returns the
    result without it being formatted."""

    class Result:
        shown = 0

        def __repr__(self) -> str:
            Result.shown += 1
            return "Result()"

    async def use_case() -> Result:
        return Result()

    app = bootstrap(tmp_path / "home")
    monkeypatch.setattr(core, "_app", app)
    try:
        assert isinstance(core.run(use_case()), Result)
    finally:
        app.close()
    assert Result.shown == 0


def test_a_use_case_that_never_waits_runs_without_an_event_loop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rules engine's critique is stepped to its end at the CLI's edge (no asyncio to
    import, no loop to start); a use case that does wait is a bug said at once, not a hang."""

    async def rules_like() -> str:
        async def step() -> str:
            return "report"

        return await step()

    async def waits() -> None:
        await asyncio.sleep(0)

    app = bootstrap(tmp_path / "home")
    monkeypatch.setattr(core, "_app", app)
    try:
        assert core.run(rules_like(), event_loop=False) == "report"
        with pytest.raises(RuntimeError, match="waited on something"):
            core.run(waits(), event_loop=False)
        assert core.run(waits()) is None  # with its loop, the same use case runs
    finally:
        app.close()


def test_the_frozen_report_is_out_of_the_collectors_sight(tmp_path: Path, one_thread: None) -> None:
    """After a team file's critique, what it built is frozen: the next young collection
    does not walk the report (it used to, once, for ~0.1 s)."""
    import gc

    sets = read_path(str(team_file(tmp_path)))
    before = gc.get_freeze_count()
    try:
        report = critique_service.critique_sets(sets)
        assert gc.get_freeze_count() > before + len(report.sets)
        assert gc.isenabled()
    finally:
        gc.unfreeze()


# --- the coloured report -----------------------------------------------------------------

PIECES = [
    "Raise", "NPS", "from", "10%", "to", "[bold]x[/]", "é", "word" * 8, "Ω", "—", "“q”",
    "\\", "a" * 90, "", " ", "-", "漢字", "e\u0301", "👍", "👨\u200d👩\u200d👧", "❤\ufe0f",
    "\t", "\u200b", "\u00a0",
]  # fmt: skip


def _report(rng: random.Random, simple: bool) -> Report:
    pieces = [p for p in PIECES if p.isascii() or p in "é Ω — “q”"] if simple else PIECES

    def text(most: int = 20) -> str:
        glue = rng.choice([" ", "  ", "-", ""])
        return glue.join(rng.choice(pieces) for _ in range(rng.randint(1, most))) or "x"

    scores = Scores(clarity=2, measurability=3, ambition=5, overall=rng.randint(0, 100))
    krs = [TargetScores(id=f"O1.KR{k}", text=text(), scores=scores) for k in (1, 2)]
    findings = []
    for _ in range(rng.randint(1, 4)):
        target = rng.choice(["SET", "O1", "O1.KR1", "O1.KR2"])
        quoted = krs[0].text if target == "O1.KR1" else text(3)
        findings.append(
            Finding(
                code="KR-VAGUE", target=target, dimension="clarity",
                severity=rng.choice(["error", "warning", "info"]),
                evidence=quoted[: rng.randint(0, len(quoted))], message=text(),
                question=text(), suggestion=text(), source=rng.choice(["rules", "llm"]),
                rewrite=Rewrite(text=text(), score_delta=rng.choice([None, 3, -2])),
            )
        )  # fmt: skip
    objective = ObjectiveScores(id="O1", text=text(), scores=scores, key_results=krs)
    critique = SetCritique(
        name=text(4), source="t.yaml", scores=scores, objectives=[objective], findings=findings
    )
    return Report(sets=[critique])


@pytest.mark.parametrize("simple", [True, False], ids=["one-cell text", "any text"])
def test_the_coloured_report_is_what_rich_prints(
    monkeypatch: pytest.MonkeyPatch, simple: bool
) -> None:
    """Lines written directly (fitting or wrapped by Rich's own wrap) are byte for byte
    the lines ``console.print`` gives; wide, combining, joined and zero-width
    characters and tabs are left to Rich."""
    rng = random.Random(21)
    simple_line = text_render._simple
    for _ in range(60):
        report = _report(rng, simple)
        width = rng.choice([16, 30, 60, 100, 120])
        fast = text_render.to_text(report, color=True, width=width)
        monkeypatch.setattr(text_render, "_simple", lambda plain: False)
        assert fast == text_render.to_text(report, color=True, width=width)
        monkeypatch.setattr(text_render, "_simple", simple_line)


def test_the_coloured_examples_are_what_rich_prints(monkeypatch: pytest.MonkeyPatch) -> None:
    sets = [
        s for name in ("team.yaml", "weak.yaml", "weak.md") for s in read_path(str(EXAMPLES / name))
    ]
    report = one_process(sets)
    fast = [text_render.to_text(report, color=True, width=w) for w in (40, 100)]
    monkeypatch.setattr(text_render, "_simple", lambda plain: False)
    assert fast == [text_render.to_text(report, color=True, width=w) for w in (40, 100)]


# --- okr critique --cross ------------------------------------------------------------------


def _summary(rng: random.Random) -> TeamSummary:
    names = ["Team", "a", "Sales-EMEA", "x" * 30, "[bold]", "Q3"]
    if rng.random() < 0.4:  # cells Rich lays out its own way
        names += ["é", "漢字", "b  c", " pad"]
    rows = [
        TeamSetRow(
            index=i + 1,
            name=" ".join(rng.choice(names) for _ in range(rng.randint(1, 3))),
            scores=Scores(clarity=1, measurability=4, ambition=3, overall=rng.randint(0, 100)),
            key_results=rng.randint(0, 10 ** rng.randint(0, 6)),
            findings=rng.randint(0, 10 ** rng.randint(0, 6)),
            cross_findings=rng.randint(0, 3),
        )
        for i in range(rng.randint(1, 9))
    ]
    return TeamSummary(sets=rows)


def test_the_team_table_is_what_rich_prints(monkeypatch: pytest.MonkeyPatch) -> None:
    """The sets table of ``--cross`` text, written directly for simple cells that fit,
    is Rich's table character for character; other tables are Rich's own."""
    rng = random.Random(7)
    written = 0
    for _ in range(150):
        team = _summary(rng)
        width = rng.choice([40, 60, 80, 100, 120])
        written += team_render._plain_table(team_render._set_rows(team), width) is not None
        fast = team_render.team_text(team, color=False, width=width)
        monkeypatch.setattr(team_render, "_plain_table", lambda rows, width: None)
        assert fast == team_render.team_text(team, color=False, width=width)
        monkeypatch.undo()
    assert written > 20  # the direct path was taken, not only Rich's


@pytest.mark.parametrize(
    "value",
    [
        {"text": 'tab\tesc\x1b del\x7f c1\x85 bidi\u202e line\u2028 quote" back\\ é 👍'},
        {"big": 10**30, "negative": -(2**70), "none": None, "yes": True, "empty": [{}, []]},
        {"nested": [[{"a": [1, {"b": ()}]}]], "unicode key é": "ü"},
        {"lone surrogate": "\ud800"},
    ],
)
def test_cross_json_is_what_json_dumps_writes(value: dict[str, Any]) -> None:
    data = {"version": 1, "sets": [value], "team": value}
    assert team_render._pretty_json(data) == json.dumps(data, indent=2, ensure_ascii=False)


def test_cross_json_with_a_float_outside_the_sets_is_json_dumps() -> None:
    data = {"sets": [], "usage": {"cost_usd": 1e-07, "seconds": 2.5}}
    assert team_render._pretty_json(data) == json.dumps(data, indent=2, ensure_ascii=False)


def test_cross_output_of_the_examples_did_not_change(monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.services.cross_checks import apply_cross

    sets: list[OKRSet] = [
        s for name in ("team.yaml", "company.yaml") for s in read_path(str(EXAMPLES / name))
    ]
    report, team = apply_cross(sets, one_process(sets))
    fast = {fmt: team_render.render_with_team(report, team, fmt) for fmt in ("json", "text")}
    monkeypatch.setattr(team_render, "_plain_table", lambda rows, width: None)
    monkeypatch.setattr(
        team_render, "_pretty_json", lambda data: json.dumps(data, indent=2, ensure_ascii=False)
    )
    assert fast == {fmt: team_render.render_with_team(report, team, fmt) for fmt in fast}


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_a_team_report_written_in_two_halves_is_the_same_characters(
    fmt: str, one_thread: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant.render import render

    rng = random.Random(21)
    report = Report(sets=[_report(rng, simple=False).sets[0] for _ in range(forking.HALVES_MIN)])
    forks: list[int] = []
    real_fork = forking.os.fork

    def counting_fork() -> int:
        forks.append(1)
        return real_fork()

    monkeypatch.setattr(forking.os, "fork", counting_fork)
    halves = render(report, fmt, color=False, width=80)
    assert forks == [1]
    monkeypatch.setattr(forking, "may_fork", lambda: False)
    assert halves == render(report, fmt, color=False, width=80)
    assert forks == [1]


def test_a_plain_report_wraps_with_a_hanging_indent() -> None:
    """Rows never pass the width (unless one word is longer), a continuation row is
    indented two more, and a word is never split."""
    text = "Lift weekly active teams " * 8 + "x" * 70
    rows = text_render._wrap(text.strip(), 60, 4)
    assert all(len(row) <= 60 for row in rows[:-1])
    assert rows[0].startswith("    Lift weekly") and not rows[0].startswith("     ")
    assert all(row.startswith("      ") and row[6] != " " for row in rows[1:])
    assert rows[-1].strip() == "x" * 70  # too long for any row: alone on its own
    assert " ".join(row.strip() for row in rows) == text.strip()
