"""Drafting services: what the App's drafting use cases (``assistant.use_cases.drafting``)
call for ``okr draft`` and the TUI's "New draft".

- :func:`interview`: the offline guided interview (``--engine rules``), driven by a
  terminal, a form, or an answers file (``Answers``, SPEC §8).
- :func:`draft_from_idea`: the LLM proposes a set from an idea (``--engine llm``);
  :func:`plan_draft` is its dry run.
- :func:`improve_kr`: alternative wordings of one key result, each re-scored.
- :func:`save_draft`: a draft as version 1 of a new stored draft (:func:`check_new_name`
  first, so a taken name is refused before the first question).

Every draft comes back as a ``DraftOutcome`` with the rules critique of the set, so the
caller shows the same scores ``okr critique`` would. Renderers live in
``assistant.render.drafting``.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from assistant.domain.commands import okr_command
from assistant.domain.drafting import (
    Answer,
    Answers,
    DraftOutcome,
    Improvement,
    Interview,
    Prompter,
    ScriptedAnswers,
)
from assistant.errors import UsageError
from assistant.model import DryRunPlan, OKRSet
from assistant.rubric.critic import critique_set

if TYPE_CHECKING:  # the offline interview imports nothing of the LLM side
    from assistant.config import Settings
    from assistant.domain.drafts import SaveResult
    from assistant.llm.cache import LLMCache
    from assistant.services.engines import EngineKind
    from assistant.store.store import Store

__all__ = [
    "check_new_name",
    "draft_from_idea",
    "improve_kr",
    "interview",
    "plan_draft",
    "plan_improve",
    "save_draft",
]


def interview(
    source: Answers | Prompter, *, cycle: str | None = None, name: str | None = None
) -> DraftOutcome:
    """Run the guided interview to its end. ``source`` is an answers file (its cycle
    and name are used) or anyone who answers questions (a terminal, a form)."""
    if isinstance(source, Answers):
        prompter: Prompter = ScriptedAnswers(source)
        cycle, name = source.cycle or cycle, source.name or name
    else:
        prompter = source
    machine = Interview(cycle=cycle, name=name)
    checked = getattr(prompter, "checked", None)
    while (question := machine.question()) is not None:
        reply = prompter.ask(question)
        text, line = (reply.text, reply.line) if isinstance(reply, Answer) else (reply, None)
        check = machine.answer(text, line)
        if checked is not None:
            checked(question, check)
    result = machine.result()
    return DraftOutcome(
        okr_set=result.okr_set,
        critique=critique_set(result.okr_set),
        engine="rules",
        open_questions=result.open_questions,
        transcript=result.transcript,
    )


async def draft_from_idea(
    idea: str,
    settings: Settings,
    *,
    client: Any | None = None,
    mode_cache: LLMCache | None = None,
) -> DraftOutcome:
    """The LLM's first draft from ``idea``: 1–3 objectives with 2–4 KRs each, only the
    person's numbers (placeholders for the rest), re-scored by the rules and revised
    once while rule errors remain. ``EngineError`` (exit 3) when no usable set came.
    ``mode_cache`` remembers the structured-output mode that worked."""
    from assistant.services import drafting_llm

    return await drafting_llm.draft(idea, settings, client=client, mode_cache=mode_cache)


def plan_draft(idea: str, settings: Settings) -> DryRunPlan:
    """``okr draft IDEA --dry-run``: the messages and the estimate; nothing is sent. A
    second request is only sent when the first draft still carries rule errors."""
    from assistant.llm.draft_schemas import DraftedSet
    from assistant.llm.prompts import load_prompt
    from assistant.services import drafting_llm

    idea = drafting_llm.check_idea(idea)
    return drafting_llm.plan(
        drafting_llm.draft_messages(idea),
        DraftedSet,
        settings,
        prompt_id=load_prompt("draft").id,
        item="idea",
        completion_tokens=drafting_llm.DRAFT_COMPLETION_TOKENS,
    )


async def improve_kr(
    okr_set: OKRSet,
    kr_id: str,
    *,
    engine: EngineKind = "llm",
    settings: Settings | None = None,
    client: Any | None = None,
    mode_cache: LLMCache | None = None,
) -> Improvement:
    """Alternatives for one KR, each re-scored by the rules and sorted by score: three
    wordings from the LLM (numbers never invented), or offline the rules' own rewrites."""
    from assistant.services import drafting_llm

    if engine == "rules":
        return drafting_llm.improve_with_rules(okr_set, kr_id)
    if settings is None:
        raise UsageError("the LLM engine needs settings")
    return await drafting_llm.improve(
        okr_set, kr_id, settings, client=client, mode_cache=mode_cache
    )


def plan_improve(okr_set: OKRSet, kr_id: str, settings: Settings) -> DryRunPlan:
    """``okr draft --improve DRAFT KR --dry-run``: what would be asked; nothing is sent."""
    from assistant.llm.draft_schemas import Alternatives
    from assistant.llm.prompts import load_prompt
    from assistant.services import drafting_llm

    tid = drafting_llm.key_result_id(okr_set, kr_id)
    return drafting_llm.plan(
        drafting_llm.improve_messages(okr_set, tid),
        Alternatives,
        settings,
        prompt_id=load_prompt("improve").id,
        item=str(tid),
        completion_tokens=drafting_llm.IMPROVE_COMPLETION_TOKENS,
    )


def save_draft(
    store: Store,
    name: str,
    outcome: DraftOutcome,
    *,
    author: str | None = None,
    text: str | None = None,
    now: datetime | None = None,
) -> SaveResult:
    """The draft as version 1 of a new stored draft NAME (source ``draft:llm`` or
    ``draft:interview``). A name that is taken is refused, never stacked on. ``text``
    is the YAML as the user edited it (kept with the version when it is this set)."""
    from assistant.services import drafts
    from assistant.store.db import ConflictError

    message = (
        "Drafted from an idea (llm)"
        if outcome.engine == "llm"
        else "Drafted in the guided interview"
    )
    try:
        return drafts.save(
            store,
            name,
            outcome.okr_set,
            message,
            author=author,
            source=outcome.source,
            expected_head=0,
            scores=outcome.critique.scores,
            now=now,
            text=text,
        )
    except ConflictError:
        raise UsageError(
            f"draft '{name}' already exists; choose another --save NAME, or edit it with "
            f"`{okr_command('tui', name)}`"
        ) from None


def check_new_name(store: Store, name: str) -> str:
    """``--save NAME`` checked before a single question is asked: a valid draft name that
    is not taken yet (a draft starts at v1)."""
    from assistant.services import drafts

    name = drafts.check_name(name)
    if name in {d.name for d in drafts.list_drafts(store)}:
        raise UsageError(
            f"draft '{name}' already exists; choose another --save NAME (a draft starts at v1)"
        )
    return name
