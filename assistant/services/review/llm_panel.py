"""The LLM engine of the peer review (``--engine llm``).

One structured call per persona and round, all of a round sent at once through one
shared ``AsyncOpenAI`` client (bounded by ``llm.concurrency``), then one facilitator
call: 5 personas × 2 rounds = 11 requests. What comes back passes the critique's
guards: targets must exist, quoted evidence must be a substring of the target's text,
numbers the author never wrote become placeholders, and rewrites are re-scored by the
rules engine. A failed call only marks its seat failed; when the facilitator fails the
synthesis is assembled offline from the transcript. ``openai`` is imported only when a
client has to be built.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from assistant.config import Settings
from assistant.domain.review import (
    Agreement,
    Change,
    Disagreement,
    OpenQuestion,
    Position,
    Reply,
    ReviewPoint,
    ReviewQuestion,
    Seat,
    Synthesis,
)
from assistant.errors import one_line
from assistant.model import DryRunItem, DryRunPlan, OKRSet, RunUsage, SetCritique
from assistant.rubric.team_rules import TEAM_CODES
from assistant.services.personas import LENS_CODES, Persona
from assistant.services.review.additions import addition_of, guarded_addition
from assistant.services.review.rewrites import guarded_rewrite
from assistant.services.review.schemas import (
    PersonaRepliesOut,
    PersonaReviewOut,
    SynthesisOut,
)
from assistant.services.review.synthesis import (
    MAX_OPEN_QUESTIONS,
    TOP_CHANGES,
    assemble_synthesis,
    seat_notes,
)

if TYPE_CHECKING:
    from assistant.llm.cache import LLMCache
    from assistant.llm.client import Usage
    from assistant.llm.modes import ModeProbe


def _clean(text: str, okr_set: OKRSet) -> str:
    """Prose from the model: a number the author never wrote is replaced by a
    placeholder where it claims a metric value ("to 35%"), not in "round 1" or "Q3"."""
    from assistant.llm.guards import guard_prose

    return guard_prose(" ".join(text.split()), okr_set)


# What a seat's answer needs at most (4 points + 3 questions; 4 replies; the synthesis),
# with room to spare: small models under a grammar otherwise repeat items until the
# general limit (4,000 tokens is 20+ minutes on a CPU), then get re-asked.
_ANSWER_CAP: dict[type[BaseModel], int] = {
    PersonaReviewOut: 1500,
    PersonaRepliesOut: 1000,
    SynthesisOut: 2000,
}


@dataclass
class _LLMRun:
    """Shared state of one LLM session: the client, the mode that works, what it cost."""

    settings: Settings
    client: Any
    okr_set: OKRSet
    critique: SetCritique
    semaphore: asyncio.Semaphore
    probe: ModeProbe
    usage: Usage
    progress: Callable[[str], None] | None = None

    @property
    def mode(self) -> str:
        return self.probe.mode

    async def ask(self, messages: list[dict[str, Any]], schema: type[BaseModel]) -> Any:
        from assistant.llm.client import ItemError, ask_structured, token_param

        async def send(mode: str, known: bool) -> tuple[Any, Usage]:
            return await ask_structured(
                self.client,
                self.settings.llm.model,
                messages,
                schema,
                json_schema=self.settings.llm.json_schema,
                mode=mode,  # type: ignore[arg-type]
                mode_known=known,
                max_tokens=min(self.settings.llm.max_output_tokens, _ANSWER_CAP[schema]),
                token_param_name=token_param(self.settings.llm.base_url),
            )

        async with self.semaphore:
            try:
                answer, usage = await self.probe.ask(send)
            except ItemError as exc:
                if exc.usage is not None:  # failed asks are paid for: count them
                    self.usage.add(exc.usage)
                raise
        self.usage.add(usage)
        return answer

    def tell(self, message: str) -> None:
        if self.progress is not None:
            self.progress(message)


def _prompt_text(name: str, **values: str) -> list[dict[str, Any]]:
    from assistant.llm.prompts import prompt_messages

    return prompt_messages(name, **values)  # one pass: OKR text is never a placeholder


def _ground_points(
    persona: Persona, okr_set: OKRSet, answer: PersonaReviewOut
) -> tuple[list[ReviewPoint], list[ReviewQuestion], int]:
    from assistant.llm.guards import normalise_code, normalise_target, verify_evidence

    points: list[ReviewPoint] = []
    dropped = 0
    for item in answer.points[:6]:
        target = normalise_target(okr_set, item.target)
        if target is None or not item.point.strip():
            dropped += 1
            continue
        evidence = verify_evidence(okr_set.target_text(target), item.evidence)
        if evidence is None:
            if target != "SET":
                dropped += 1
                continue
            evidence = ""
        code = normalise_code(item.code) if item.code.strip() else None
        if code is not None and code.startswith("LLM-") and code[4:] in _KNOWN_EXTRA:
            code = code[4:]
        points.append(
            ReviewPoint(
                id=f"{persona.name}#{len(points) + 1}",
                target=target,
                code=code,
                evidence=evidence,
                text=_clean(item.point, okr_set),
                weight=persona.weight(code),
            )
        )
    questions: list[ReviewQuestion] = []
    for asked in answer.questions[:4]:
        if not asked.question.strip():
            dropped += 1
            continue
        target = normalise_target(okr_set, asked.target) or "SET"
        questions.append(ReviewQuestion(target=target, text=_clean(asked.question, okr_set)))
    return points, questions, dropped


_KNOWN_EXTRA = frozenset({*TEAM_CODES, *LENS_CODES.values()})


def _points_for(seats: Sequence[Seat], exclude: str) -> str:
    lines = []
    for seat in seats:
        if seat.persona == exclude or seat.status != "ok":
            continue
        for p in seat.points:
            quote = f' ("{p.evidence}")' if p.evidence else ""
            lines.append(f"[{p.id}] {seat.display_name} on {p.target}{quote}: {p.text}")
    return "\n".join(lines) or "(no points from the others)"


def _transcript(seats: Sequence[Seat], rounds: int) -> str:
    out = ["## Round 1"]
    for seat in seats:
        out.append(f"### {seat.persona}")
        if seat.status == "failed" and not seat.points:
            out.append(f"(seat failed: {seat.error})")
            continue
        for p in seat.points:
            quote = f' ("{p.evidence}")' if p.evidence else ""
            code = f" {p.code}" if p.code else ""
            out.append(f"[{p.id}]{code} on {p.target}{quote}: {p.text}")
        for q in seat.questions:
            out.append(f"Question on {q.target}: {q.text}")
    if rounds >= 2:
        out.append("## Round 2")
        for seat in seats:
            if not seat.replies:
                continue
            out.append(f"### {seat.persona}")
            out += [f"{r.stance} with [{r.to}]: {r.text}" for r in seat.replies]
    return "\n".join(out)


async def _round_one(run: _LLMRun, persona: Persona) -> Seat:
    from assistant.llm.engine import render_grounding, render_okrs

    seat = Seat(persona=persona.name, display_name=persona.display_name, role=persona.role)
    messages = _prompt_text(
        "review_persona",
        persona=persona.card(),
        okrs=render_okrs(run.okr_set),
        findings=render_grounding(run.critique.findings),
    )
    try:
        answer = await run.ask(messages, PersonaReviewOut)
    except Exception as exc:  # one seat never sinks the session
        seat.status, seat.error = "failed", f"round 1: {one_line(exc)}"
        run.tell(f"round 1: {persona.display_name} failed")
        return seat
    seat.points, seat.questions, seat.dropped = _ground_points(persona, run.okr_set, answer)
    run.tell(f"round 1: {persona.display_name} done")
    return seat


async def _round_two(run: _LLMRun, persona: Persona, seat: Seat, seats: Sequence[Seat]) -> Seat:
    from assistant.llm.engine import render_okrs

    valid = {
        p.id.lower(): p.id
        for s in seats
        if s.persona != persona.name and s.status == "ok"
        for p in s.points
    }
    if not valid:
        return seat
    messages = _prompt_text(
        "review_reply",
        persona=persona.card(),
        okrs=render_okrs(run.okr_set),
        points=_points_for(seats, persona.name),
    )
    try:
        answer = await run.ask(messages, PersonaRepliesOut)
    except Exception as exc:
        run.tell(f"round 2: {persona.display_name} failed")
        return seat.model_copy(update={"status": "failed", "error": f"round 2: {one_line(exc)}"})
    replies: list[Reply] = []
    dropped = seat.dropped
    for item in answer.replies[:6]:
        to = valid.get(item.to.strip().strip("[]").lower())
        if to is None or not item.reply.strip():
            dropped += 1
            continue
        replies.append(Reply(to=to, stance=item.stance, text=_clean(item.reply, run.okr_set)))
    run.tell(f"round 2: {persona.display_name} done")
    return seat.model_copy(update={"replies": replies, "dropped": dropped})


def _ground_synthesis(run: _LLMRun, answer: SynthesisOut, seats: Sequence[Seat]) -> Synthesis:
    from assistant.llm.guards import normalise_target, verify_evidence

    okr_set = run.okr_set
    by_name = {s.persona.lower(): s.persona for s in seats}
    by_name.update({s.display_name.lower(): s.persona for s in seats})

    def who(names: Sequence[str]) -> list[str]:
        out: list[str] = []
        for name in names:
            persona = by_name.get(name.strip().lower())
            if persona and persona not in out:
                out.append(persona)
        return out

    def target_of(raw: str) -> str:
        return normalise_target(okr_set, raw) or "SET"

    agreements = [
        Agreement(
            target=target_of(a.target), text=_clean(a.summary, okr_set), personas=who(a.personas)
        )
        for a in answer.agreements
        if a.summary.strip()
    ]
    disagreements = [
        Disagreement(
            target=target_of(d.target),
            text=_clean(d.summary, okr_set),
            positions=[
                Position(persona=who([p.persona])[0], text=_clean(p.position, okr_set))
                for p in d.positions
                if who([p.persona]) and p.position.strip()
            ],
        )
        for d in answer.disagreements
        if d.summary.strip()
    ]
    changes: list[Change] = []
    for item in answer.top_changes:
        # A new key result ("add a guardrail KR", target O1 or O1.KR4): never a new title.
        added = addition_of(
            okr_set,
            normalise_target(okr_set, item.target) or item.target,
            item.change,
            item.rewrite,
        )
        target = added or normalise_target(okr_set, item.target)
        if target is None or not item.change.strip():
            continue
        evidence = verify_evidence(okr_set.target_text(target), item.evidence) or ""
        if added is not None:
            rewrite, delta, invented = guarded_addition(okr_set, added, item.rewrite, run.critique)
        else:
            rewrite, delta, invented = guarded_rewrite(okr_set, target, item.rewrite, run.critique)
        raised_by = [s.persona for s in seats for p in s.points if p.target == target and s.persona]
        changes.append(
            Change(
                target=target,
                text=_clean(item.change, okr_set),
                kind="add_key_result" if added is not None else "rewrite",
                rewrite=rewrite,
                evidence=evidence,
                score_delta=delta,
                invented_numbers=invented,
                raised_by=list(dict.fromkeys(raised_by)),
                codes=list(
                    dict.fromkeys(
                        p.code for s in seats for p in s.points if p.target == target and p.code
                    )
                ),
            )
        )
        if len(changes) == TOP_CHANGES:
            break
    questions = [
        OpenQuestion(
            target=target_of(q.target), text=_clean(q.question, okr_set), asked_by=who(q.asked_by)
        )
        for q in answer.open_questions
        if q.question.strip()
    ][:MAX_OPEN_QUESTIONS]
    return Synthesis(
        agreements=agreements,
        disagreements=disagreements,
        top_changes=changes,
        open_questions=questions,
        notes=seat_notes(seats),
        by="facilitator",
    )


async def _facilitate(
    run: _LLMRun, panel: Sequence[Persona], seats: Sequence[Seat], rounds: int
) -> Synthesis:
    from assistant.llm.engine import render_okrs

    roster = "\n".join(
        f"- {s.persona}: {s.display_name}, {s.role}"
        + (f" — SEAT FAILED ({s.error})" if s.status == "failed" else "")
        for s in seats
    )
    messages = _prompt_text(
        "review_facilitator",
        okrs=render_okrs(run.okr_set),
        seats=roster,
        transcript=_transcript(seats, rounds),
    )
    try:
        answer = await run.ask(messages, SynthesisOut)
    except Exception as exc:
        run.tell("facilitator failed; synthesising offline")
        synthesis = assemble_synthesis(run.okr_set, run.critique, seats, panel)
        synthesis.notes.insert(
            0,
            f"The facilitator could not answer ({one_line(exc)}); this synthesis was assembled "
            "offline from the reviewers' points and replies.",
        )
        return synthesis
    run.tell("facilitator done")
    return _ground_synthesis(run, answer, seats)


async def llm_review(
    okr_set: OKRSet,
    panel: Sequence[Persona],
    rounds: int,
    critique: SetCritique,
    *,
    settings: Settings,
    client: Any,
    progress: Callable[[str], None] | None,
    keep_partial: bool = False,
    mode_cache: LLMCache | None = None,
) -> tuple[list[Seat], Synthesis, RunUsage]:
    """Both rounds and the facilitator; what the session cost as ``RunUsage``.

    ``keep_partial`` (``okr review``, where Ctrl-C cancels the main task): a
    cancellation returns the seats that finished, the usage marked ``interrupted``,
    instead of propagating; the TUI keeps plain cancellation. ``mode_cache`` remembers
    the structured-output mode that worked (for critique, or an earlier review)."""
    from assistant.llm.client import RequestCounter, Usage, build_client
    from assistant.llm.modes import ModeProbe

    counter: RequestCounter | None = None
    own_client = client is None
    if own_client:
        counter = RequestCounter()
        client = build_client(settings, counter=counter)
    run = _LLMRun(
        settings=settings,
        client=client,
        okr_set=okr_set,
        critique=critique,
        semaphore=asyncio.Semaphore(max(1, settings.llm.concurrency)),
        # the mode that worked for critique (or an earlier review) is where this starts
        probe=ModeProbe(settings, settings.llm.model, mode_cache, serialise=False),
        usage=Usage(),
        progress=progress,
    )
    finished: dict[int, Seat] = {}

    async def keep(i: int, step: Awaitable[Seat]) -> Seat:
        finished[i] = seat = await step
        return seat

    interrupted = False
    try:
        seats = list(
            await asyncio.gather(*(keep(i, _round_one(run, p)) for i, p in enumerate(panel)))
        )
        if rounds >= 2:
            seats = list(
                await asyncio.gather(
                    *(
                        keep(i, _round_two(run, p, s, seats) if s.status == "ok" else _as_is(s))
                        for i, (p, s) in enumerate(zip(panel, seats, strict=True))
                    )
                )
            )
        if any(s.status == "ok" for s in seats):
            synthesis = await _facilitate(run, panel, seats, rounds)
        else:
            synthesis = Synthesis(
                notes=[
                    *seat_notes(seats),
                    "No reviewer could answer, so there is nothing to synthesise; "
                    "try again, or use --engine rules for the offline review.",
                ]
            )
    except asyncio.CancelledError:
        if not keep_partial:
            raise
        # Ctrl-C (``okr review``): keep the seats that finished, mark the others.
        interrupted = True
        seats = [
            finished.get(i)
            or Seat(
                persona=p.name,
                display_name=p.display_name,
                role=p.role,
                status="failed",
                error="interrupted before it finished",
            )
            for i, p in enumerate(panel)
        ]
        synthesis = Synthesis(
            notes=[*seat_notes(seats), "Interrupted: the facilitator did not run."]
        )
    finally:
        run.probe.close()
        if own_client:
            await client.close()
    from assistant.services.coach import run_usage  # the one place a RunUsage is built

    requests = counter.count if counter is not None else run.usage.asks
    usage = run_usage(
        settings,
        model=settings.llm.model,
        tally=run.usage,
        requests=requests,
        cache_hits=0,
        mode=run.mode,
        interrupted=interrupted,
    )
    usage.notes = list(run.probe.notes)
    return seats, synthesis, usage


async def _as_is(seat: Seat) -> Seat:
    return seat


# --- dry run (``okr review --dry-run``) -------------------------------------------------------

# What each answer is expected to run to (a seat's points and questions, its replies, the
# synthesis); an estimate only, capped like the live asks.
_EXPECTED_ANSWER: dict[type[BaseModel], int] = {
    PersonaReviewOut: 450,
    PersonaRepliesOut: 300,
    SynthesisOut: 900,
}
LATER_POINTS = "(the other reviewers' round-1 points: known once round 1 has answered)"
LATER_TRANSCRIPT = "(the transcript of the rounds: known once the reviewers have answered)"


def plan_llm_review(
    okr_set: OKRSet,
    panel: Sequence[Persona],
    rounds: int,
    critique: SetCritique,
    settings: Settings,
) -> DryRunPlan:
    """What :func:`llm_review` would send, seat by seat, and what it would cost; nothing
    is sent and no key is needed. Round 1's messages are exact; round 2's and the
    facilitator's carry the reviewers' answers, so their text shows where those go and
    their estimate counts them at their expected length."""
    from assistant.llm.client import schema_instructions
    from assistant.llm.cost import cost_usd, estimate_prompt_tokens
    from assistant.llm.engine import render_grounding, render_okrs
    from assistant.services.dry_run import DEFAULT_BASE_URL

    llm = settings.llm
    okrs = render_okrs(okr_set)

    def expected(schema: type[BaseModel]) -> int:
        return min(llm.max_output_tokens, _ANSWER_CAP[schema], _EXPECTED_ANSWER[schema])

    items: list[DryRunItem] = []

    def add(
        item: str,
        name: str | None,
        messages: list[dict[str, Any]],
        schema: type[BaseModel],
        answers_in: int = 0,
    ) -> None:
        if not llm.json_schema:  # the schema travels in the system message
            system = {
                **messages[0],
                "content": messages[0]["content"] + schema_instructions(schema),
            }
            messages = [system, *messages[1:]]
        items.append(
            DryRunItem(
                item=item,
                name=name,
                estimated_prompt_tokens=estimate_prompt_tokens(messages) + answers_in,
                estimated_completion_tokens=expected(schema),
                messages=messages,
            )
        )

    findings = render_grounding(critique.findings)
    for p in panel:
        messages = _prompt_text("review_persona", persona=p.card(), okrs=okrs, findings=findings)
        add(f"round 1: {p.name}", p.display_name, messages, PersonaReviewOut)
    others = (len(panel) - 1) * expected(PersonaReviewOut)
    if rounds >= 2:
        for p in panel:
            messages = _prompt_text(
                "review_reply", persona=p.card(), okrs=okrs, points=LATER_POINTS
            )
            add(f"round 2: {p.name}", p.display_name, messages, PersonaRepliesOut, others)
    roster = "\n".join(f"- {p.name}: {p.display_name}, {p.role}" for p in panel)
    per_seat = expected(PersonaReviewOut) + (expected(PersonaRepliesOut) if rounds >= 2 else 0)
    messages = _prompt_text(
        "review_facilitator", okrs=okrs, seats=roster, transcript=LATER_TRANSCRIPT
    )
    add("facilitator", None, messages, SynthesisOut, len(panel) * per_seat)
    prompt_tokens = sum(i.estimated_prompt_tokens for i in items)
    completion_tokens = sum(i.estimated_completion_tokens for i in items)
    return DryRunPlan(
        model=llm.model,
        base_url=llm.base_url or DEFAULT_BASE_URL,
        prompt=", ".join(prompt_ids(rounds).values()),
        style="-",
        response_format="json_schema per answer (strict)"
        if llm.json_schema
        else "json_object (schema in the system message)",
        requests=len(items),
        estimated_prompt_tokens=prompt_tokens,
        estimated_completion_tokens=completion_tokens,
        estimated_cost_usd=cost_usd(llm.price_for(llm.model), prompt_tokens, completion_tokens),
        items=items,
    )


def prompt_ids(rounds: int) -> dict[str, str]:
    """The prompts a session of ``rounds`` asks with, by name: their versioned ids."""
    from assistant.llm.prompts import load_prompt

    names = ["review_persona", *(["review_reply"] if rounds >= 2 else []), "review_facilitator"]
    return {name: load_prompt(name).id for name in names}
