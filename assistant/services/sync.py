"""``okr sync``: check in every sourced KR of the open cycles from where its number lives
(SPEC §9).

Three steps, so no transaction is held while files, databases, programs and servers
answer: read the open cycles and their launched versions' sources (one read-only unit
of work); read the sources concurrently with a bound (``assistant.sources.read_all``);
record the new values in one write unit of work, which checks again for a same-day
check-in of the same value, so two syncs at once add nothing twice.
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.domain.commands import okr_command
from assistant.domain.cycle import Track
from assistant.domain.cycle_status import Checkin, CycleInfo
from assistant.domain.sync import SyncLine, SyncOutcome
from assistant.errors import OKRError, UsageError, one_line
from assistant.services.cycle import (
    checkin_value,
    date_problem,
    draft_row,
    info_of,
    plan_of,
)

if TYPE_CHECKING:
    from assistant.config import SourcesSettings
    from assistant.domain.source_spec import SourceSpec
    from assistant.sources.reading import SourceReading
    from assistant.store.cycles import CycleRow
    from assistant.store.store import Store


@dataclass(frozen=True, slots=True)
class _Target:
    """One sourced KR of an open cycle, before its source is read."""

    cycle: CycleInfo
    track: Track
    spec: SourceSpec


def _targets(store: Store, names: Sequence[str]) -> tuple[list[_Target], int]:
    """The sourced KRs of the named drafts' open cycles (every open cycle when none is
    named), from the launched version: ids and sources are those of the cycle's plan."""
    from assistant.services.drafts.names import version_of

    if not store.exists():
        if names:
            from assistant.services.drafts.names import unknown

            raise unknown(names[0])
        return [], 0
    out: list[_Target] = []
    with store.unit_of_work(write=False) as uow:
        rows: list[CycleRow] = []
        if names:
            for name in dict.fromkeys(names):
                draft = draft_row(uow, name)
                row = uow.cycles.open_for(draft.id)
                if row is None:
                    raise UsageError(
                        f"draft '{draft.name}' has no open cycle to sync; "
                        f"launch one with `{okr_command('launch', draft.name)}`"
                    )
                rows.append(row)
        else:
            rows = uow.cycles.all_open()
        for row in rows:
            draft = draft_row(uow, row.draft)
            launched = version_of(uow, draft, row.version).okr_set
            plan = plan_of(row)
            sources = {
                kr_id: kr.source for kr_id, _o, kr in launched.iter_key_results() if kr.source
            }
            out.extend(
                _Target(info_of(row), track, sources[track.id])
                for track in plan.tracks
                if track.id in sources
            )
    return out, len(rows)


def _same(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def _latest_of_day(checkins: Sequence[Checkin], kr: str, on: date) -> Checkin | None:
    mine = [c for c in checkins if c.kr == kr and c.on == on]
    return max(mine, key=lambda c: c.id) if mine else None


async def sync(
    store: Store,
    names: Sequence[str] = (),
    *,
    settings: SourcesSettings | None = None,
    on: date | None = None,
    today: date | None = None,
    dry_run: bool = False,
    now: datetime | None = None,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> SyncOutcome:
    """Read every sourced KR of the open cycles (or of the named drafts) and check in what
    changed, dated ``on`` (default today). A source that fails is a failed line; the other
    KRs are still recorded. ``dry_run``: what would be recorded, nothing written."""
    from assistant.config import SourcesSettings
    from assistant.sources.reader import read_all
    from assistant.sources.reading import SourceContext

    settings = settings or SourcesSettings()
    day = today or date.today()
    on = on or day
    if on > day:
        raise UsageError(f"the date {on} is in the future")
    targets, cycles = _targets(store, names)
    context = SourceContext(
        cwd=cwd or Path.cwd(),
        env=dict(os.environ if env is None else env),
        allow_commands=settings.allow_commands,
        timeout=settings.timeout,
    )
    results = await read_all(
        [(i, t.spec) for i, t in enumerate(targets)], limit=settings.concurrency, context=context
    )
    lines: list[SyncLine | None] = [None] * len(targets)
    pending: list[tuple[int, Checkin, str, str]] = []  # (index, check-in, raw, provenance)
    for result in results:
        target = targets[result.key]
        cycle, track = target.cycle, target.track
        base = SyncLine(cycle.draft, track.id, target.spec.kind, "failed", unit=track.unit)
        if result.reading is None:
            lines[result.key] = _with(base, error=str(result.error))
            continue
        reading: SourceReading = result.reading
        base = _with(base, provenance=reading.provenance)
        problem = date_problem(cycle, on, day)
        try:
            if problem is not None:
                raise UsageError(problem)
            value = checkin_value(track, reading.as_text())
        except OKRError as exc:
            lines[result.key] = _with(base, error=str(exc).removeprefix(f"{track.id}: "))
            continue
        record = Checkin(track.id, on, value, None, "", reading.source)
        pending.append((result.key, record, reading.as_text(), reading.provenance))
        lines[result.key] = _with(base, state="would record", value=value)
    if pending:
        _record(store, targets, pending, lines, dry_run=dry_run, now=now)
    done = tuple(line for line in lines if line is not None)
    return SyncOutcome(on, dry_run, done, cycles)


def _record(
    store: Store,
    targets: Sequence[_Target],
    pending: Sequence[tuple[int, Checkin, str, str]],
    lines: list[SyncLine | None],
    *,
    dry_run: bool,
    now: datetime | None,
) -> None:
    """Skip values equal to the KR's latest check-in of the same day; record the rest
    (unless ``dry_run``) in one transaction."""
    from assistant.services.drafts.names import default_author
    from assistant.store.repo import timestamp

    stamp, author = timestamp(now), default_author()
    with store.unit_of_work(write=not dry_run) as uow:
        by_cycle: dict[int, list[Checkin]] = {}
        for index, record, raw, provenance in pending:
            cycle = targets[index].cycle
            if cycle.id not in by_cycle:
                by_cycle[cycle.id] = uow.cycles.checkins(cycle.id)
            latest = _latest_of_day(by_cycle[cycle.id], record.kr, record.on)
            line = lines[index]
            assert line is not None
            if latest is not None and _same(latest.value, record.value):
                lines[index] = _with(line, state="unchanged")
                continue
            if dry_run:
                continue
            try:
                cid = uow.cycles.add_checkin(
                    cycle.id, record, raw=raw, author=author, created_at=stamp,
                    provenance=provenance,
                )  # fmt: skip
            except OKRError as exc:  # the cycle was graded meanwhile
                lines[index] = _with(line, state="failed", error=one_line(exc))
                continue
            by_cycle[cycle.id].append(record._replace(id=cid))
            lines[index] = _with(line, state="recorded")


def _with(line: SyncLine, **changes: object) -> SyncLine:
    return dataclasses.replace(line, **changes)  # type: ignore[arg-type]
