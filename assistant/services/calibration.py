"""``okr calibration``: confidence in check-ins of graded cycles scored as forecasts
(SPEC §10), and the calibration lessons of a retrospective.

The math is the domain's (``assistant.domain.calibration``); here the graded cycles,
their check-ins and grades are loaded, and each KR's owner is read from the version the
cycle launched (the KR's owner, else its objective's, else its set's).
"""

from __future__ import annotations

from collections.abc import Sequence, Set
from datetime import date
from typing import TYPE_CHECKING

from assistant.domain.calibration import (
    By,
    Calibration,
    Forecast,
    calibrate,
    calibration_lessons,
    forecasts_of,
    kr_owners,
)
from assistant.errors import UsageError
from assistant.services.cycle import draft_row, status_of_row

if TYPE_CHECKING:
    from assistant.domain.lessons import Lesson
    from assistant.store.cycles import CycleRow
    from assistant.store.repo import DraftRow
    from assistant.store.store import Store, UnitOfWork


def _forecasts(
    uow: UnitOfWork, draft: DraftRow, today: date, people: Set[str] | None = None
) -> list[Forecast]:
    """Every forecast of the draft's graded cycles (``people``: only theirs, and cycles
    where none of them owns a KR are not even scored)."""
    from assistant.services.drafts.names import version_of

    out: list[Forecast] = []
    for row in uow.cycles.of_draft(draft.id):
        if not row.graded_at:
            continue
        owners = kr_owners(version_of(uow, draft, row.version).okr_set)
        if people is not None and people.isdisjoint(owners.values()):
            continue
        found = forecasts_of(status_of_row(uow, row, today), owners)
        out.extend(f for f in found if people is None or f.owner in people)
    return out


def _all_forecasts(uow: UnitOfWork, today: date, people: Set[str] | None = None) -> list[Forecast]:
    out: list[Forecast] = []
    for name in uow.drafts.live_names():
        out.extend(_forecasts(uow, draft_row(uow, name), today, people))
    return out


def calibration(
    store: Store, names: Sequence[str] = (), *, by: By = "owner", today: date | None = None
) -> Calibration:
    """The calibration of the named drafts' graded cycles (every live draft's when none is
    named), by owner or by draft."""
    if by not in ("owner", "draft"):
        raise UsageError(f"--by must be owner or draft, not '{by}'")
    day = today or date.today()
    if not store.exists():
        if names:
            from assistant.services.drafts.names import unknown

            raise unknown(names[0])
        return Calibration(by, ())
    with store.unit_of_work(write=False) as uow:
        if names:
            forecasts = [
                f
                for name in dict.fromkeys(names)
                for f in _forecasts(uow, draft_row(uow, name), day)
            ]
        else:
            forecasts = _all_forecasts(uow, day)
    return calibrate(forecasts, by)


def people_of(store: Store, name: str, today: date | None = None) -> Calibration:
    """The calibration of the people who own KRs of the draft's current cycle (open, else
    last graded), over every graded cycle they forecast in: what ``okr status`` shows."""
    from assistant.services.drafts.names import unknown, version_of

    day = today or date.today()
    if not store.exists():
        raise unknown(name)
    with store.unit_of_work(write=False) as uow:
        draft = draft_row(uow, name)
        row = uow.cycles.open_for(draft.id) or uow.cycles.last_graded(draft.id)
        if row is None:
            return Calibration("owner", ())
        people = set(kr_owners(version_of(uow, draft, row.version).okr_set).values())
        forecasts = _all_forecasts(uow, day, people)
    return calibrate(forecasts, "owner")


def cycle_lessons(uow: UnitOfWork, row: CycleRow, today: date) -> list[Lesson]:
    """``LESSON-OVERCONFIDENT`` / ``LESSON-UNDERCONFIDENT`` for the owners of a graded cycle
    whose verdict, over every graded cycle they forecast in, says so (``okr retro``)."""
    if not row.graded_at:
        return []
    draft = draft_row(uow, row.draft)
    cycle = [f for f in _forecasts(uow, draft, today) if f.cycle_id == row.id]
    if not cycle:
        return []
    owners = {f.owner for f in cycle}
    return calibration_lessons(calibrate(_all_forecasts(uow, today, owners)), cycle)


def lessons_of_last_cycle(store: Store, name: str, today: date | None = None) -> list[Lesson]:
    """The calibration lessons of the draft's last graded cycle (:func:`cycle_lessons`)."""
    from assistant.services.drafts.names import unknown

    day = today or date.today()
    if not store.exists():
        raise unknown(name)
    with store.unit_of_work(write=False) as uow:
        row = uow.cycles.last_graded(draft_row(uow, name).id)
        return [] if row is None else cycle_lessons(uow, row, day)
