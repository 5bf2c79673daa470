"""The offline reviewer (``--engine rules``): deterministic, no model asked.

Each persona picks its top points from the rubric findings and its own lenses,
weighted by what it cares about and phrased in its own voice; in round 2 it backs
the points it weighs and pushes back where it has a counterpoint. The synthesis is
assembled from that transcript (:mod:`assistant.services.review.synthesis`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from assistant.domain.review import Reply, ReviewPoint, ReviewQuestion, Seat, Synthesis
from assistant.model import OKRSet, SetCritique
from assistant.services.personas import Persona
from assistant.services.review.lenses import (
    Candidate,
    finding_candidates,
    lens_candidates,
    rule_title,
)
from assistant.services.review.synthesis import assemble_synthesis

MAX_POINTS = 3
MAX_REPLIES = 3
SEVERITY_FACTOR = {"error": 1.5, "warning": 1.0, "info": 0.5}
OFFLINE_NOTE = (
    "Offline review (rules engine): deterministic, built from the rubric findings "
    "weighted and phrased per reviewer. No model was asked."
)


def offline_review(
    okr_set: OKRSet, panel: Sequence[Persona], rounds: int, critique: SetCritique
) -> tuple[list[Seat], Synthesis]:
    """Every persona's seat (and replies with ``rounds`` 2) and the assembled synthesis."""
    shared = finding_candidates(okr_set, critique)
    seats: list[Seat] = []
    candidate_of: dict[str, Candidate] = {}
    for persona in panel:
        seat, mapping = _offline_seat(persona, okr_set, shared)
        seats.append(seat)
        candidate_of.update(mapping)
    if rounds >= 2:
        replies = [_offline_replies(p, seats, candidate_of, okr_set) for p in panel]
        seats = [s.model_copy(update={"replies": r}) for s, r in zip(seats, replies, strict=True)]
    advice = {(c.target, c.code): c.suggestion for c in candidate_of.values() if c.lens}
    synthesis = assemble_synthesis(okr_set, critique, seats, panel, advice=advice)
    synthesis.notes.insert(0, OFFLINE_NOTE)
    if rounds < 2:
        synthesis.notes.append("One round only: reviewers did not answer each other (--rounds 2).")
    return seats, synthesis


class _SafeDict(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def fill(template: str, **values: object) -> str:
    """A persona's template with the values put in once (the values are never parsed)."""
    return " ".join(template.format_map(_SafeDict({k: str(v) for k, v in values.items()})).split())


def _phrase(persona: Persona, c: Candidate, okr_set: OKRSet) -> str:
    template = persona.say.get(c.code) or persona.say.get("default") or "{message}"
    return fill(
        template,
        evidence=c.evidence,
        text=okr_set.target_text(c.target),
        target=c.target,
        message=c.message,
        question=c.question,
        suggestion=c.suggestion,
        title=rule_title(c.code) or c.code,
    )


def _select(persona: Persona, candidates: Sequence[Candidate]) -> list[Candidate]:
    """The persona's top points: weight × severity, at most MAX_POINTS. A second point on
    the same target or about the same rule counts half, so a reviewer covers different
    ground instead of repeating one remark."""
    pool = [
        (persona.weight(c.code) * SEVERITY_FACTOR.get(c.severity, 1.0), c)
        for c in candidates
        if persona.weight(c.code) > 0
    ]
    chosen: list[Candidate] = []
    per_target: dict[str, int] = defaultdict(int)
    per_code: dict[str, int] = defaultdict(int)

    def value(item: tuple[float, Candidate]) -> tuple[float, int]:
        score, c = item
        return (score * 0.5 ** (per_target[c.target] + per_code[c.code]), -c.order)

    while pool and len(chosen) < MAX_POINTS:
        best = max(pool, key=value)
        pool.remove(best)
        chosen.append(best[1])
        per_target[best[1].target] += 1
        per_code[best[1].code] += 1
    return chosen


def _offline_seat(
    persona: Persona, okr_set: OKRSet, shared: Sequence[Candidate]
) -> tuple[Seat, dict[str, Candidate]]:
    chosen = _select(persona, [*shared, *lens_candidates(okr_set, persona)])
    points = [
        ReviewPoint(
            id=f"{persona.name}#{n}",
            target=c.target,
            code=c.code,
            evidence=c.evidence,
            text=_phrase(persona, c, okr_set),
            weight=persona.weight(c.code),
        )
        for n, c in enumerate(chosen, start=1)
    ]
    questions: list[ReviewQuestion] = []
    if chosen:
        questions.append(ReviewQuestion(target=chosen[0].target, text=chosen[0].question))
    else:
        points.append(
            ReviewPoint(
                id=f"{persona.name}#1",
                target="SET",
                text="Nothing in my area stands out; from my seat this set is ready.",
                weight=0.0,
            )
        )
    questions.append(ReviewQuestion(target="SET", text=persona.questions[0]))
    seat = Seat(
        persona=persona.name,
        display_name=persona.display_name,
        role=persona.role,
        points=points,
        questions=questions,
    )
    return seat, {p.id: c for p, c in zip(points, chosen, strict=False)}


def _offline_replies(
    persona: Persona,
    seats: Sequence[Seat],
    candidate_of: dict[str, Candidate],
    okr_set: OKRSet,
) -> list[Reply]:
    """Round 2 offline: back the points this persona weighs (≥ 2), push back where the
    persona has a counterpoint on that rule; disagreements first, at most MAX_REPLIES."""
    own = {p.target for s in seats if s.persona == persona.name for p in s.points}
    disagree: list[tuple[float, int, Reply]] = []
    agree: list[tuple[float, int, Reply]] = []
    n = 0
    for seat in seats:
        if seat.persona == persona.name or seat.status != "ok":
            continue
        for point in seat.points:
            n += 1
            c = candidate_of.get(point.id)
            if c is None or point.code is None or point.target in own:
                continue  # this reviewer already spoke about that target
            text = okr_set.target_text(point.target)
            if point.code in persona.counterpoints:
                said = fill(
                    persona.counterpoints[point.code],
                    other=seat.display_name,
                    target=point.target,
                    evidence=point.evidence,
                    text=text,
                )
                disagree.append(
                    (point.weight, -n, Reply(to=point.id, stance="disagree", text=said))
                )
            elif persona.weight(point.code) >= 2:
                mine = _phrase(persona, c, okr_set)
                said = fill(
                    persona.agree,
                    other=seat.display_name,
                    target=point.target,
                    point=mine,
                    evidence=point.evidence,
                    text=text,
                )
                weight = persona.weight(point.code) + point.weight
                agree.append((weight, -n, Reply(to=point.id, stance="agree", text=said)))
    disagree.sort(key=lambda x: (-x[0], -x[1]))
    agree.sort(key=lambda x: (-x[0], -x[1]))
    replies: list[Reply] = []
    answered: set[str] = set()
    for _w, _n, reply in disagree + agree:
        c = candidate_of[reply.to]
        if c.code in answered or c.target in answered:
            continue  # one answer per rule and per target: repeating a remark reads like a bot
        answered.update((c.code, c.target))
        replies.append(reply)
    return replies[:MAX_REPLIES]
