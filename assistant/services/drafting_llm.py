"""Drafting with the LLM: a first set from an idea, and alternative wordings of one KR.

One structured ask (``prompts/draft.md``, schema ``DraftedSet``); numbers the person
never wrote become ``[baseline]``/``[target]``/``[deadline]`` (``llm.guards``); the set
is re-scored by the rules; when the wording still carries rule errors the model is
asked once more with those findings, and what remains is shown with its findings.
Placeholders are filled with sentinels while deciding on the revision: a missing
number is the person's to give, not the model's to fix. ``openai`` is imported only
when a client is built.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from assistant.config import Settings
from assistant.domain.drafting import (
    DraftOutcome,
    Improvement,
    InventedNumber,
    OpenQuestion,
    rank_rewrites,
)
from assistant.errors import EngineError, UsageError
from assistant.ids import TargetId
from assistant.llm.draft_schemas import Alternatives, DraftedSet
from assistant.measure import WORD_NUMBERS
from assistant.model import DryRunItem, DryRunPlan, Finding, KeyResult, Objective, OKRSet
from assistant.rubric.critic import critique_set
from assistant.rubric.rewrites import fill_placeholders, score_rewrite, target_scores
from assistant.rubric.rules import load_rubric

if TYPE_CHECKING:
    from assistant.llm.cache import LLMCache

IDEA_MAX_CHARS = 4000
MAX_OBJECTIVES = 3
MAX_KEY_RESULTS = 4
MAX_QUESTIONS = 3
ALTERNATIVES = 3
DEFAULT_BASE_URL = "https://api.openai.com/v1"
DRAFT_COMPLETION_TOKENS = 700
IMPROVE_COMPLETION_TOKENS = 250


def check_idea(idea: str) -> str:
    """The idea on one line; a usage error when it is empty or far too long."""
    text = " ".join((idea or "").split())
    if not text:
        raise UsageError("the idea is empty: say in a sentence what you want to achieve")
    if len(text) > IDEA_MAX_CHARS:
        raise UsageError(
            f"the idea is {len(text)} characters; keep it under {IDEA_MAX_CHARS} "
            "(a paragraph is plenty)"
        )
    return text


# Numbers written as words count as the person's own ("week one" allows "week-1").
_WORD_VALUES = {
    **{word: f"{value:g}" for word, value in WORD_NUMBERS.items() if " " not in word},
    "one": "1",
    "half": "50 0.5",
    "twice": "2",
    "double": "2",
    "triple": "3",
}


def idea_reference(idea: str) -> OKRSet:
    """The idea as a set, so the numbers guard knows which numbers the person wrote
    (digits as written, and numbers written as words)."""
    words = re.findall(r"[a-z]+", idea.lower())
    spelled = " ".join(dict.fromkeys(_WORD_VALUES[w] for w in words if w in _WORD_VALUES))
    extra = [KeyResult(text=spelled)] if spelled else []
    return OKRSet(objectives=[Objective(title=idea, key_results=extra)])


def draft_messages(idea: str) -> list[dict[str, Any]]:
    from assistant.llm.engine import data_text, fenced
    from assistant.llm.prompts import load_prompt

    # data, not instructions: each line JSON-escaped inside a fence the prompt names
    block = fenced("untrusted-idea", [data_text(line) for line in idea.splitlines()])
    return load_prompt("draft").messages(idea=block)


def _shape_problem(answer: DraftedSet) -> str | None:
    """Why a draft cannot be used (re-asked with this message), or None."""
    objectives = [o for o in answer.objectives if o.title.strip()]
    if not objectives:
        return f"the draft has no objective ({1}-{MAX_OBJECTIVES} expected)"
    for index, objective in enumerate(objectives[:MAX_OBJECTIVES], start=1):
        count = len([kr for kr in objective.key_results if kr.strip()])
        if count < 2:
            return f"objective {index} has {count} key result(s); 2-{MAX_KEY_RESULTS} expected"
    return None


def to_set(answer: DraftedSet, reference: OKRSet) -> tuple[OKRSet, list[InventedNumber]]:
    """The model's draft as a set, capped to 3 objectives × 4 KRs, invented numbers
    replaced by placeholders."""
    from assistant.llm.guards import replace_invented

    invented: list[InventedNumber] = []

    def guard(text: str, target: str) -> str:
        result = replace_invented(" ".join(text.split()), reference)
        if result.invented:
            invented.append(InventedNumber(target, tuple(result.invented)))
        return result.text

    objectives = []
    kept = [o for o in answer.objectives if o.title.strip()][:MAX_OBJECTIVES]
    for oi, drafted in enumerate(kept, start=1):
        texts = [kr for kr in drafted.key_results if kr.strip()][:MAX_KEY_RESULTS]
        objectives.append(
            Objective(
                title=guard(drafted.title, f"O{oi}"),
                key_results=[
                    KeyResult(text=guard(text, f"O{oi}.KR{ki}"))
                    for ki, text in enumerate(texts, start=1)
                ],
            )
        )
    name = guard(answer.name, "SET") if answer.name and answer.name.strip() else None
    return OKRSet(name=name, objectives=objectives), invented


def wording_errors(okr_set: OKRSet) -> list[Finding]:
    """Rule errors in the wording: the set scored with its placeholders filled in."""
    filled = okr_set.model_copy(deep=True)
    for objective in filled.objectives:
        objective.title = fill_placeholders(objective.title).text
        for kr in objective.key_results:
            kr.text = fill_placeholders(kr.text).text
    return [f for f in critique_set(filled).findings if f.severity == "error"]


def _revise_findings(okr_set: OKRSet, errors: Sequence[Finding]) -> str:
    titles = {rule.code: rule.title for rule in load_rubric().rules}
    return "\n".join(
        f'- {f.target} {f.code} ({titles.get(f.code, f.code)}): "{okr_set.target_text(f.target)}"'
        for f in errors
    )


class _Session:
    """One client, the structured-output mode that works, and what the asks cost."""

    def __init__(
        self, settings: Settings, client: Any | None, mode_cache: LLMCache | None = None
    ) -> None:
        from assistant.llm.client import RequestCounter, Usage
        from assistant.llm.modes import ModeProbe

        self.settings = settings
        self.counter = RequestCounter()
        self.own = client is None
        self.client = client
        self.usage = Usage()
        # the mode that worked for critique or review is where drafting starts, too
        self.probe = ModeProbe(settings, settings.llm.model, mode_cache)

    @property
    def mode(self) -> str:
        return self.probe.mode

    async def ask(self, messages: list[dict[str, Any]], schema: type[BaseModel], check: Any):
        from assistant.llm.client import ItemError, ask_structured, build_client, token_param

        if self.client is None:
            self.client = build_client(self.settings, counter=self.counter)
        client = self.client
        llm = self.settings.llm

        async def send(mode: str, known: bool) -> tuple[Any, Any]:
            return await ask_structured(
                client,
                llm.model,
                messages,
                schema,
                json_schema=llm.json_schema,
                mode=mode,  # type: ignore[arg-type]
                mode_known=known,
                max_tokens=llm.max_output_tokens,
                token_param_name=token_param(llm.base_url),
                check=check,
            )

        try:
            answer, usage = await self.probe.ask(send)
        except ItemError as exc:
            if exc.usage is not None:  # failed and re-asked replies are paid for too
                self.usage.add(exc.usage)
            raise
        self.usage.add(usage)
        return answer

    async def close(self) -> None:
        self.probe.close()
        if self.own and self.client is not None:
            await self.client.close()

    def run_usage(self):
        from assistant.services.coach import run_usage  # the one place a RunUsage is built

        return run_usage(
            self.settings,
            model=self.settings.llm.model,
            tally=self.usage,
            requests=self.counter.count if self.own else self.usage.asks,
            cache_hits=0,
            mode=self.mode,
        ).model_copy(update={"notes": list(self.probe.notes)})


async def draft(
    idea: str,
    settings: Settings,
    *,
    client: Any | None = None,
    mode_cache: LLMCache | None = None,
) -> DraftOutcome:
    """A first draft from ``idea``; ``EngineError`` (exit 3) when the model gives none."""
    from assistant.llm.client import ItemError
    from assistant.llm.guards import replace_invented
    from assistant.llm.prompts import fill, load_prompt

    idea = check_idea(idea)
    reference = idea_reference(idea)
    messages = draft_messages(idea)
    session = _Session(settings, client, mode_cache)
    notes: list[str] = []
    revised = False
    try:
        try:
            answer = await session.ask(messages, DraftedSet, _shape_problem)
        except ItemError as exc:
            raise EngineError(f"the model gave no usable draft: {exc}") from None
        okr_set, invented = to_set(answer, reference)
        errors = wording_errors(okr_set)
        if errors:
            follow_up = fill(
                load_prompt("draft").styles["revise"],
                findings=_revise_findings(okr_set, errors),
            )
            convo = [
                *messages,
                {"role": "assistant", "content": answer.model_dump_json()},
                {"role": "user", "content": follow_up},
            ]
            try:
                revision = await session.ask(convo, DraftedSet, _shape_problem)
            except ItemError as exc:
                notes.append(f"the revision failed ({exc}); this is the first draft")
            else:
                revised_set, revised_invented = to_set(revision, reference)
                if len(wording_errors(revised_set)) <= len(errors):
                    answer, okr_set, invented, revised = (
                        revision,
                        revised_set,
                        revised_invented,
                        True,
                    )
                else:
                    notes.append("the revision had more rule errors; this is the first draft")
    finally:
        await session.close()
    questions = tuple(
        OpenQuestion(replace_invented(" ".join(q.split()), reference).text)
        for q in answer.questions[:MAX_QUESTIONS]
        if q.strip()
    )
    return DraftOutcome(
        okr_set=okr_set,
        critique=critique_set(okr_set),
        engine="llm",
        open_questions=questions,
        invented=tuple(invented),
        revised=revised,
        usage=session.run_usage(),
        notes=tuple(notes),
    )


# --- alternatives for one key result ---------------------------------------------------------


def key_result_id(okr_set: OKRSet, kr_id: str) -> TargetId:
    """The id of an existing key result, or a usage error naming what is wrong."""
    tid = TargetId.try_parse(kr_id)
    if tid is None or not tid.kr:
        raise UsageError(f"'{kr_id}' is not a key result id (like O1.KR2)")
    okr_set.locate(tid)  # UnknownTarget (a usage error) when it does not exist
    return tid


def improve_messages(okr_set: OKRSet, tid: TargetId) -> list[dict[str, Any]]:
    from assistant.llm.engine import render_grounding, render_okrs
    from assistant.llm.prompts import load_prompt

    key = str(tid)
    findings = [f for f in critique_set(okr_set).findings if f.target == key]
    return load_prompt("improve").messages(
        okrs=render_okrs(okr_set),
        target=key,
        text=okr_set.target_text(tid),
        findings=render_grounding(findings),
    )


def _no_alternatives(answer: Alternatives) -> str | None:
    if not any(text.strip() for text in answer.alternatives):
        return f"no alternatives were given ({ALTERNATIVES} expected)"
    return None


async def improve(
    okr_set: OKRSet,
    kr_id: str,
    settings: Settings,
    *,
    client: Any | None = None,
    mode_cache: LLMCache | None = None,
) -> Improvement:
    """3 alternative wordings of one KR from the model, guarded, re-scored, best first."""
    from assistant.llm.client import ItemError
    from assistant.llm.guards import replace_invented

    tid = key_result_id(okr_set, kr_id)
    session = _Session(settings, client, mode_cache)
    try:
        answer = await session.ask(improve_messages(okr_set, tid), Alternatives, _no_alternatives)
    except ItemError as exc:
        raise EngineError(f"the model gave no usable alternatives: {exc}") from None
    finally:
        await session.close()
    base = critique_set(okr_set, rewrites=False)
    original = okr_set.target_text(tid)
    rewrites, seen = [], {" ".join(original.split()).casefold()}
    for text in answer.alternatives:
        # only this KR's own numbers: an alternative may not borrow another KR's
        guarded = replace_invented(" ".join(text.split()), okr_set, str(tid))
        if not guarded.text or guarded.text.casefold() in seen:
            continue
        seen.add(guarded.text.casefold())
        rewrite = score_rewrite(okr_set, tid, guarded.text, base=base)
        if rewrite is not None:
            rewrites.append(rewrite.model_copy(update={"invented_numbers": guarded.invented}))
        if len(rewrites) == ALTERNATIVES:
            break
    return Improvement(
        target=str(tid),
        text=original,
        scores=target_scores(base, tid),
        rewrites=rank_rewrites(rewrites),
        engine="llm",
        usage=session.run_usage(),
    )


def improve_with_rules(okr_set: OKRSet, kr_id: str) -> Improvement:
    """Offline: the rules engine's own rewrites of one KR, re-scored and sorted."""
    tid = key_result_id(okr_set, kr_id)
    base = critique_set(okr_set)
    key = str(tid)
    offers = dict.fromkeys(
        f.rewrite.text for f in base.findings if f.target == key and f.rewrite is not None
    )
    scored = [score_rewrite(okr_set, tid, text, base=base) for text in offers]
    return Improvement(
        target=key,
        text=okr_set.target_text(tid),
        scores=target_scores(base, tid),
        rewrites=rank_rewrites(r for r in scored if r is not None),
        engine="rules",
    )


# --- dry runs -------------------------------------------------------------------------------


def plan(
    messages: list[dict[str, Any]],
    schema: type[BaseModel],
    settings: Settings,
    *,
    prompt_id: str,
    item: str,
    completion_tokens: int,
    requests: int = 1,
) -> DryRunPlan:
    """What one ask would send and cost; nothing is sent and no key is needed."""
    from assistant.llm.client import schema_instructions
    from assistant.llm.cost import cost_usd, estimate_prompt_tokens

    llm = settings.llm
    if not llm.json_schema:
        system = {**messages[0], "content": messages[0]["content"] + schema_instructions(schema)}
        messages = [system, *messages[1:]]
    prompt_tokens = estimate_prompt_tokens(messages)
    completion = min(llm.max_output_tokens, completion_tokens)
    price = llm.price_for(llm.model)
    return DryRunPlan(
        model=llm.model,
        base_url=llm.base_url or DEFAULT_BASE_URL,
        prompt=prompt_id,
        style="-",
        response_format=f"json_schema {schema.__name__} (strict)"
        if llm.json_schema
        else "json_object (schema in the system message)",
        requests=requests,
        estimated_prompt_tokens=prompt_tokens,
        estimated_completion_tokens=completion,
        estimated_cost_usd=cost_usd(price, prompt_tokens, completion),
        items=[
            DryRunItem(
                item=item,
                estimated_prompt_tokens=prompt_tokens,
                estimated_completion_tokens=completion,
                messages=messages,
            )
        ],
    )
