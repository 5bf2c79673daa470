"""A data home holding one of every kind of stored record, and ways to change it behind
okr's back (another program with SQL access and the append-only triggers dropped)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from assistant.cli import main
from assistant.domain.cycle import plan_for
from assistant.domain.cycle_status import Checkin
from assistant.model import KeyResult, Objective, OKRSet
from assistant.services import drafts
from assistant.store.store import Store

KRS = ("Raise activation from 30% to {n}% by June", "Cut churn from 5% to 3% by June")


def okr_set(n: int, name: str = "Team") -> OKRSet:
    return OKRSet(
        name=name,
        cycle="2026-Q1",
        objectives=[
            Objective(
                title="Delight new users",
                key_results=[KeyResult(text=KRS[0].format(n=n)), KeyResult(text=KRS[1])],
            )
        ],
    )


def seed(store: Store) -> None:
    """Team: 3 versions, a graded cycle (3 check-ins, KR grades, a retrospective), an
    open cycle (2 check-ins), a review of v3 with one accepted change; Other: 1 version."""
    for n, pct in enumerate((40, 45, 50), start=1):
        drafts.save(store, "Team", okr_set(pct), f"v{n}", author="ana")
    drafts.save(store, "Other", okr_set(60, "Other"), "first", author="bo")
    plan = plan_for(okr_set(40)).as_json()
    with store.unit_of_work() as uow:
        team = uow.drafts.find("Team")
        assert team is not None
        v1, v3 = uow.versions.id_of(team.id, 1), uow.versions.id_of(team.id, 3)
        assert v1 is not None and v3 is not None
        q1 = uow.cycles.insert(
            draft_id=team.id, version_id=v1, label="2026-Q1", start=date(2026, 1, 1),
            end=date(2026, 3, 31), plan=plan, findings=[("KR-VAGUE", "vague")], overall=70,
            launched_by="ana", launched_at="2026-01-01T09:00:00.000000+00:00",
        )  # fmt: skip
        for i, (value, day) in enumerate(((31.0, 10), (35.0, 20), (38.0, 28)), start=1):
            uow.cycles.add_checkin(
                q1, Checkin("O1.KR1", date(2026, 2, day), value, 6, f"note {i}", "cli"),
                raw=f"{value:g}%", author="ana", created_at=f"2026-02-{day}T09:00:00+00:00",
            )  # fmt: skip
        uow.cycles.add_grades(
            q1, {"O1.KR1": 0.6, "O1.KR2": 0.3}, 0.45, graded_by="ana",
            graded_at="2026-04-01T09:00:00+00:00",
        )  # fmt: skip
        uow.cycles.add_retro(
            q1, went_well=["Weekly check-ins"], did_not=["Churn"], change=["Baselines"],
            lessons=[{"code": "LESSON-X", "text": "x"}], engine="rules", summary=None,
            author="ana", created_at="2026-04-02T09:00:00+00:00",
        )  # fmt: skip
        q2 = uow.cycles.insert(
            draft_id=team.id, version_id=v3, label="2026-Q2", start=date(2026, 4, 1),
            end=date(2026, 6, 30), plan=plan, findings=[], overall=72,
            launched_by="ana", launched_at="2026-04-03T09:00:00.000000+00:00",
        )  # fmt: skip
        for day, value in ((10, 40.0), (20, 42.0)):
            uow.cycles.add_checkin(
                q2, Checkin("O1.KR1", date(2026, 4, day), value, 7, "", "sync:csv"),
                raw=f"{value:g}", author="bot", created_at=f"2026-04-{day}T09:00:00+00:00",
                provenance="metrics.csv column activation",
            )  # fmt: skip
        review = uow.reviews.insert(
            draft_id=team.id, version_id=v3, engine="rules", personas="cfo,coach", rounds=1,
            created_at="2026-04-05T09:00:00+00:00", transcript='{"changes": []}',
        )  # fmt: skip
        uow.reviews.record_acceptance(review, 1, v3, "2026-04-05T10:00:00+00:00")


@pytest.fixture
def store(okr_home: Path) -> Iterator[Store]:
    opened = Store.in_home(okr_home)
    seed(opened)
    assert drafts.doctor(opened).problems == []
    yield opened
    opened.close()


@contextmanager
def behind_its_back(store: Store) -> Iterator[sqlite3.Connection]:
    """Another program's connection with every trigger dropped (foreign keys off, as
    ``sqlite3`` opens them); its changes are committed when the block ends."""
    store.close()
    with closing(sqlite3.connect(store.path, isolation_level=None)) as conn:
        for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'"):
            conn.execute(f'DROP TRIGGER "{name}"')
        yield conn


def okr(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=input)


def flat(text: str) -> str:
    """Console output with line wrapping undone."""
    return " ".join(text.split())
