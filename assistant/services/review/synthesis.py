"""The synthesis assembled from a review's transcript, without a model.

Used by the offline reviewer, and by the LLM engine when the facilitator cannot
answer: agreements (two or more reviewers back one issue), disagreements (someone
pushed back), the top changes by the weight of their supporters (with a rewrite where
one can be given without inventing facts) and the open questions for the author.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from assistant.domain.review import (
    Agreement,
    Change,
    Disagreement,
    OpenQuestion,
    Position,
    Reply,
    ReviewPoint,
    Seat,
    Synthesis,
)
from assistant.ids import target_order
from assistant.model import OKRSet, SetCritique
from assistant.services.personas import Persona
from assistant.services.review.lenses import rule_title
from assistant.services.review.rewrites import guarded_rewrite, mechanical_rewrite

TOP_CHANGES = 3
MAX_OPEN_QUESTIONS = 5
MAX_AGREEMENTS = 5


def seat_notes(seats: Sequence[Seat]) -> list[str]:
    """A note for each failed seat, so the synthesis says who is missing."""
    return [
        f"{s.display_name} could not take part fully ({s.error}); the synthesis leaves their "
        "seat out where it is empty."
        for s in seats
        if s.status == "failed"
    ]


def _names(review_seats: Sequence[Seat], personas: Sequence[str]) -> str:
    shown = {s.persona: s.display_name for s in review_seats}
    labels = [shown.get(p, p) for p in personas]
    if len(labels) <= 2:
        return " and ".join(labels)
    return ", ".join(labels[:-1]) + " and " + labels[-1]


@dataclass
class _Issue:
    target: str
    code: str | None
    evidence: str
    raised: list[tuple[str, ReviewPoint]] = field(default_factory=list)
    backed: list[tuple[str, Reply]] = field(default_factory=list)
    disputed: list[tuple[str, Reply]] = field(default_factory=list)

    def supporters(self) -> list[str]:
        names: list[str] = []
        for persona, _ in [*self.raised, *self.backed]:
            if persona not in names:
                names.append(persona)
        return names


def _issues(seats: Sequence[Seat]) -> list[_Issue]:
    issues: dict[tuple[str, str], _Issue] = {}
    by_point: dict[str, _Issue] = {}
    for seat in seats:
        for point in seat.points:
            if point.weight <= 0 and point.code is None:
                continue  # "nothing stands out"
            key = (point.target, point.code or point.id)
            issue = issues.setdefault(key, _Issue(point.target, point.code, point.evidence))
            issue.raised.append((seat.persona, point))
            by_point[point.id.lower()] = issue
    for seat in seats:
        for reply in seat.replies:
            answered = by_point.get(reply.to.lower())
            if answered is None:
                continue
            if reply.stance == "disagree":
                answered.disputed.append((seat.persona, reply))
            else:
                answered.backed.append((seat.persona, reply))
    return list(issues.values())


def _issue_label(issue: _Issue) -> str:
    title = rule_title(issue.code)
    if title is None:
        title = issue.raised[0][1].text
        if len(title) > 140:
            title = title[:139].rstrip() + "…"
    quote = f" ('{issue.evidence}')" if issue.evidence else ""
    return f"{issue.target}: {title}{quote}"


def assemble_synthesis(
    okr_set: OKRSet,
    critique: SetCritique,
    seats: Sequence[Seat],
    personas: Sequence[Persona],
    *,
    by: Literal["facilitator", "offline"] = "offline",
    advice: dict[tuple[str, str], str] | None = None,
) -> Synthesis:
    """The deterministic synthesis: agreements (two or more reviewers back one issue),
    disagreements (someone pushed back), the top three targets by the weight of their
    supporters, and the open questions."""
    weights = {p.name: p for p in personas}
    live = [s for s in seats if s.points or s.replies]
    issues = _issues(live)

    def weight_of(persona: str, code: str | None) -> float:
        p = weights.get(persona)
        return p.weight(code) if p else 1.0

    shared: dict[str, list[_Issue]] = defaultdict(list)
    for issue in issues:
        if len(issue.supporters()) >= 2:
            shared[issue.target].append(issue)
    agreements = []
    for target, group in shared.items():
        group.sort(key=lambda i: -len(i.supporters()))
        who: list[str] = []
        for issue in group:
            who += [p for p in issue.supporters() if p not in who]
        labels = "; ".join(_issue_label(i).split(": ", 1)[1] for i in group)
        agreements.append(
            Agreement(
                target=target,
                text=f"{_names(seats, who)} agree on {target}: {labels}",
                personas=who,
            )
        )
    agreements.sort(key=lambda a: (-len(a.personas), target_order(a.target)))
    agreements = agreements[:MAX_AGREEMENTS]
    disagreements = []
    for issue in issues:
        if not issue.disputed:
            continue
        raisers = [p for p, _ in issue.raised]
        doubters = [p for p, _ in issue.disputed]
        positions = [Position(persona=p, text=pt.text) for p, pt in issue.raised]
        positions += [Position(persona=p, text=r.text) for p, r in issue.disputed]
        disagreements.append(
            Disagreement(
                target=issue.target,
                text=f"{_names(seats, doubters)} pushed back on {_names(seats, raisers)} — "
                f"{_issue_label(issue)}",
                positions=positions,
            )
        )
    score: dict[str, float] = defaultdict(float)
    by_target: dict[str, list[_Issue]] = defaultdict(list)
    for issue in issues:
        support = sum(weight_of(p, issue.code) for p in issue.supporters())
        support -= 0.5 * sum(weight_of(p, issue.code) for p, _ in issue.disputed)
        issue_score = max(support, 0.0)
        score[issue.target] += issue_score
        by_target[issue.target].append(issue)
    ranked = sorted((t for t in score if score[t] > 0), key=lambda t: (-score[t], target_order(t)))[
        :TOP_CHANGES
    ]
    suggestions = {(f.target, f.code): f.suggestion for f in critique.findings}
    suggestions.update(advice or {})
    changes: list[Change] = []
    for target in ranked:
        group = sorted(
            by_target[target],
            key=lambda i: -sum(weight_of(p, i.code) for p in i.supporters()),
        )
        lead = group[0]
        suggestion = suggestions.get((target, lead.code or ""))
        if suggestion is not None:
            body = f"{rule_title(lead.code) or lead.code}: {suggestion}"
        else:
            body = lead.raised[0][1].text
        others = [rule_title(i.code) or i.code for i in group[1:] if i.code]
        if others:
            body = body.rstrip() + ("" if body.rstrip().endswith((".", "?", "!")) else ".")
            body += f" Also: {'; '.join(o for o in others if o)}."
        if any(i.disputed for i in group):
            body += " (Disputed — see the disagreements.)"
        codes = [i.code for i in group if i.code]
        rewrite, delta, invented = guarded_rewrite(
            okr_set, target, mechanical_rewrite(okr_set, target, codes), critique
        )
        raised_by: list[str] = []
        for issue in group:
            raised_by += [p for p in issue.supporters() if p not in raised_by]
        changes.append(
            Change(
                target=target,
                text=body,
                rewrite=rewrite,
                evidence=lead.evidence,
                score_delta=delta,
                invented_numbers=invented,
                raised_by=raised_by,
                codes=codes,
            )
        )
    open_questions = _open_questions(seats, [c.target for c in changes])
    notes = seat_notes(seats)
    return Synthesis(
        agreements=agreements,
        disagreements=disagreements,
        top_changes=changes,
        open_questions=open_questions,
        notes=notes,
        by=by,
    )


def _open_questions(seats: Sequence[Seat], first_targets: Sequence[str]) -> list[OpenQuestion]:
    merged: dict[tuple[str, str], OpenQuestion] = {}
    for seat in seats:
        for asked in seat.questions:
            key = (asked.target, " ".join(asked.text.lower().split()))
            if key in merged:
                if seat.persona not in merged[key].asked_by:
                    merged[key].asked_by.append(seat.persona)
                continue
            merged[key] = OpenQuestion(
                target=asked.target, text=asked.text, asked_by=[seat.persona]
            )
    ordered = sorted(
        merged.values(),
        key=lambda q: (
            q.target not in first_targets,
            -len(q.asked_by),
            first_targets.index(q.target) if q.target in first_targets else 0,
        ),
    )
    # one question per target first, then the rest
    out: list[OpenQuestion] = []
    seen_targets: set[str] = set()
    for q in ordered:
        if q.target not in seen_targets or q.target == "SET":
            out.append(q)
            seen_targets.add(q.target)
    out += [q for q in ordered if q not in out]
    return out[:MAX_OPEN_QUESTIONS]
