"""The LLM summary of a retrospective, behind guards: it quotes the team's notes and
uses no number that is not in the grades, the lessons or the notes.

One request (``prompts/retro_summary.md``) through the OpenAI-compatible client of
``assistant.llm.client``; an answer that breaks a guard is re-asked with the reason,
and after ``max_asks`` the retro is stored without a summary (``EngineError``). Async,
one body: the retro use case awaits it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, ConfigDict

from assistant.config import Settings
from assistant.domain.cycle import format_value
from assistant.domain.cycle_status import CycleStatus
from assistant.domain.lessons import Lesson, RetroNotes
from assistant.errors import EngineError, UsageError, one_line
from assistant.llm.bounds import Items, Prose, Quote

if TYPE_CHECKING:
    from assistant.llm.cache import LLMCache

_NUMBER_RE = re.compile(r"(?<![\w.])\d{1,3}(?:,\d{3})+(?:\.\d+)?|(?<![\w.,])\d+(?:\.\d+)?")


SUMMARY_CHARS = 1200  # three to five sentences (prompts/retro_summary.md)
QUOTE_CHARS = 160  # a phrase of the notes
MAX_QUOTES = 6
SUMMARY_TOKENS = 1200  # the ask's cap: the longest answer the schema allows fits in it


class RetroSummary(BaseModel):
    """The summary the model is asked for. Every bound is in the schema (``llm.bounds``)
    and every field is required, as OpenAI's strict mode wants: an answer with no quote
    says so with ``[]`` (and the guards then ask for one)."""

    model_config = ConfigDict(extra="forbid")
    summary: Annotated[str, Prose(SUMMARY_CHARS, minimum=1)]
    quotes: Annotated[list[Annotated[str, Quote(QUOTE_CHARS)]], Items(MAX_QUOTES)]


def _squash(text: str) -> str:
    return " ".join(text.split()).casefold()


def _numbers(text: str) -> set[float]:
    return {float(m.group(0).replace(",", "")) for m in _NUMBER_RE.finditer(text)}


def grounding(status: CycleStatus, notes: RetroNotes, lessons: Sequence[Lesson]) -> dict[str, str]:
    """The prompt's sections, as text: cycle, grades, lessons, notes."""
    c = status.cycle
    cycle = f"{c.draft}, {c.label} ({c.start} to {c.end}), launched from v{c.version}"
    grades = [f"Set grade: {status.grade if status.grade is not None else 'none'}"]
    for kr in status.key_results:
        value = format_value(kr.value, kr.track.unit)
        grades.append(
            f"- {kr.track.id} ({kr.track.type or 'untyped'}): {kr.track.text} — final {value}, "
            f"grade {kr.grade if kr.grade is not None else 'none'}, "
            f"last confidence {kr.confidence if kr.confidence is not None else 'none'}"
        )
    sections = (
        ("Went well", notes.went_well),
        ("Did not", notes.did_not),
        ("Change", notes.change),
    )
    note_text = "\n".join(
        f"{title}:\n" + "\n".join(f"- {item}" for item in items)
        for title, items in sections
        if items
    )
    return {
        "cycle": cycle,
        "grades": "\n".join(grades),
        "lessons": "\n".join(f"- {lesson.message}" for lesson in lessons) or "(none)",
        "notes": note_text or "(the team wrote no notes)",
    }


def check_summary(answer: RetroSummary, notes: RetroNotes, allowed_text: str) -> str | None:
    """Why an answer breaks the guards (None when it passes)."""
    source = _squash(notes.all_text())
    if not answer.summary.strip():
        return "the summary is empty"
    if source and not answer.quotes:
        return "quote at least one phrase of the team's notes, word for word, in `quotes`"
    for quote in answer.quotes:
        if not quote.strip() or _squash(quote) not in source:
            return f"the quote {quote!r} is not an exact phrase of the team's notes"
    invented = _numbers(answer.summary) - _numbers(allowed_text)
    if invented:
        shown = ", ".join(f"{n:g}" for n in sorted(invented))
        return f"the summary uses numbers that are not in the grades, lessons or notes: {shown}"
    return None


async def _ask(
    settings: Settings,
    messages: list[dict],
    notes: RetroNotes,
    allowed: str,
    mode_cache: LLMCache | None,
    client: Any | None,
) -> str:
    from assistant.llm.client import ask_structured, build_client, token_param
    from assistant.llm.modes import ModeProbe

    own_client = client is None
    llm: Any = build_client(settings) if client is None else client
    # start from the mode that worked for critique or review on this endpoint
    probe = ModeProbe(settings, settings.llm.model, mode_cache)

    async def send(mode: str, known: bool) -> tuple[RetroSummary, Any]:
        return await ask_structured(
            llm,
            settings.llm.model,
            messages,
            RetroSummary,
            json_schema=settings.llm.json_schema,
            mode=mode,  # type: ignore[arg-type]
            mode_known=known,
            max_tokens=min(settings.llm.max_output_tokens, SUMMARY_TOKENS),
            token_param_name=token_param(settings.llm.base_url),
            check=lambda a: check_summary(a, notes, allowed),
        )

    try:
        answer, _ = await probe.ask(send)
    finally:
        probe.close()
        if own_client:
            await llm.close()
    return " ".join(answer.summary.split())


async def summarise(
    status: CycleStatus,
    notes: RetroNotes,
    lessons: Sequence[Lesson],
    settings: Settings,
    *,
    mode_cache: LLMCache | None = None,
    client: Any | None = None,
) -> str:
    """A guarded summary of the retro; ``EngineError`` with one line when none passes.
    ``mode_cache`` remembers which response mode the endpoint takes; ``client`` is an
    OpenAI-compatible async client (None: one is built from the settings and closed)."""
    from assistant.llm.prompts import prompt_messages

    values = grounding(status, notes, lessons)
    messages = prompt_messages("retro_summary", **values)
    allowed = "\n".join(values.values())
    try:
        return await _ask(settings, messages, notes, allowed, mode_cache, client)
    except (EngineError, UsageError):
        raise
    except Exception as exc:
        raise EngineError(f"the LLM summary failed: {one_line(exc)}") from None
