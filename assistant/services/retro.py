"""Looking back: retrospectives of graded cycles, and the lessons they pass to the coach.

``retro`` stores the team's three answers with the lessons computed from the cycle
(its owners' calibration included: ``LESSON-OVERCONFIDENT`` / ``-UNDERCONFIDENT``) and,
with the LLM engine, a guarded summary; ``lessons_for`` / ``lesson_findings_for``
let ``okr critique DRAFT`` and the TUI coach the next draft of the same name with them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from assistant.domain.commands import okr_command
from assistant.domain.cycle_status import CycleStatus
from assistant.domain.lessons import Lesson, Retro, RetroNotes, compute_lessons, lesson_findings
from assistant.errors import EngineError, UsageError, one_line
from assistant.model import Finding, OKRSet
from assistant.services.cycle import draft_row, status_of_row
from assistant.services.drafts.names import default_author, parse_ref, unknown

if TYPE_CHECKING:
    from assistant.config import Settings
    from assistant.llm.cache import LLMCache
    from assistant.store.cycles import CycleRow
    from assistant.store.store import Store, UnitOfWork

# The three questions, asked in this order on a terminal and in the TUI.
QUESTIONS: tuple[tuple[str, str], ...] = (
    ("went_well", "What went well this cycle?"),
    ("did_not", "What did not go well?"),
    ("change", "What will you change next cycle?"),
)


class SummaryFailed(EngineError):
    """The retro was stored, but the LLM gave no usable summary (exit 3)."""

    def __init__(self, retro: Retro, reason: str) -> None:
        self.retro = retro
        super().__init__(f"the retro was saved without a summary: {reason}")


def _graded_row(uow: UnitOfWork, name: str) -> CycleRow:
    draft = draft_row(uow, name)
    row = uow.cycles.last_graded(draft.id)
    if row is None:
        if uow.cycles.open_for(draft.id) is not None:
            raise UsageError(
                f"the cycle of '{name}' is still open; grade it first with `{okr_command('grade', name)}`"
            )
        raise UsageError(f"draft '{name}' has no graded cycle yet (`okr launch`, then `okr grade`)")
    return row


def _launch_findings(row: CycleRow) -> list[tuple[str, str]]:
    return [(str(code), str(target)) for code, target in json.loads(row.findings)]


def _computed(uow: UnitOfWork, row: CycleRow, today: date) -> tuple[CycleStatus, list[Lesson]]:
    """The cycle's own lessons, then its owners' calibration (over every graded cycle)."""
    from assistant.services.calibration import cycle_lessons

    status = status_of_row(uow, row, today)
    lessons = compute_lessons(status, _launch_findings(row))
    return status, [*lessons, *cycle_lessons(uow, row, today)]


async def retro(
    store: Store,
    name: str,
    notes: RetroNotes,
    *,
    engine: str = "rules",
    settings: Settings | None = None,
    mode_cache: LLMCache | None = None,
    client: Any | None = None,
    author: str | None = None,
    today: date | None = None,
    now: datetime | None = None,
) -> Retro:
    """Store a retrospective of the draft's last graded cycle and return it.

    With ``engine="llm"`` (``settings`` required; ``client``: an OpenAI-compatible async
    client, else one is built from the settings) a summary is asked for first; if the
    model gives none that passes the guards the retro is stored without one and
    ``SummaryFailed`` carries it."""
    from assistant.store.repo import timestamp

    day = today or date.today()
    name, _ = parse_ref(name)
    if not store.exists():
        raise unknown(name)
    with store.unit_of_work(write=False) as uow:
        row = _graded_row(uow, name)
        status, lessons = _computed(uow, row, day)
    summary: str | None = None
    failure: str | None = None
    if engine == "llm":
        from assistant.services.retro_llm import summarise

        if settings is None:
            raise ValueError("an LLM retro needs the settings")
        try:
            summary = await summarise(
                status, notes, lessons, settings, mode_cache=mode_cache, client=client
            )
        except UsageError:
            raise  # no key, no server: nothing is stored
        except EngineError as exc:
            failure = str(exc)
        except Exception as exc:  # the LLM engine's own item errors
            failure = one_line(exc)
    stamp = timestamp(now)
    who = author or default_author()
    with store.unit_of_work() as uow:
        uow.cycles.add_retro(
            row.id,
            went_well=notes.went_well,
            did_not=notes.did_not,
            change=notes.change,
            lessons=[lesson.as_json() for lesson in lessons],
            engine=engine,
            summary=summary,
            author=who,
            created_at=stamp,
        )
    result = Retro(status, notes, tuple(lessons), engine, summary, who, stamp)
    if failure is not None:
        raise SummaryFailed(result, failure)
    return result


def show_retro(store: Store, name: str, today: date | None = None) -> Retro:
    """The latest stored retrospective of the draft's last graded cycle."""
    name, _ = parse_ref(name)
    if not store.exists():
        raise unknown(name)
    with store.unit_of_work(write=False) as uow:
        row = _graded_row(uow, name)
        stored = uow.cycles.retros(row.id)
        if not stored:
            raise UsageError(
                f"{row.label} of '{name}' has no retrospective yet; write one with "
                f"`{okr_command('retro', name)} --notes FILE`"
            )
        status = status_of_row(uow, row, today or date.today())
    last = stored[-1]
    return Retro(
        status,
        RetroNotes(tuple(last.went_well), tuple(last.did_not), tuple(last.change)),
        tuple(Lesson.from_json(item) for item in last.lessons),
        last.engine,
        last.summary,
        last.author,
        last.created_at,
    )


def preview_lessons(store: Store, name: str, today: date | None = None) -> Retro:
    """The lessons of the last graded cycle without storing anything (for the prompt)."""
    name, _ = parse_ref(name)
    if not store.exists():
        raise unknown(name)
    with store.unit_of_work(write=False) as uow:
        row = _graded_row(uow, name)
        status, lessons = _computed(uow, row, today or date.today())
    return Retro(status, RetroNotes(), tuple(lessons))


def lessons_for(store: Store, name: str, today: date | None = None) -> list[Lesson]:
    """The lessons of the draft's last graded cycle (the stored retro's, else computed);
    empty when there is none — a first cycle has nothing to learn from yet."""
    name, _ = parse_ref(name)
    if not store.exists():
        return []
    with store.unit_of_work(write=False) as uow:
        draft = uow.drafts.find(name)
        if draft is None:
            return []
        row = uow.cycles.last_graded(draft.id)
        if row is None:
            return []
        stored = uow.cycles.retros(row.id)
        if stored:
            return [Lesson.from_json(item) for item in stored[-1].lessons]
        return _computed(uow, row, today or date.today())[1]


def lesson_findings_for(
    store: Store,
    name: str,
    okr_set: OKRSet,
    findings: Sequence[Finding] = (),
    today: date | None = None,
) -> list[Finding]:
    """``LESSON-…`` findings for a draft (``okr critique DRAFT``, the TUI critique)."""
    lessons = lessons_for(store, name, today)
    return lesson_findings(okr_set, lessons, findings) if lessons else []
