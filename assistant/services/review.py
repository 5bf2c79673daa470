"""Simulated peer review: reviewers with different concerns challenge one OKR set.

A session has one *seat* per persona (``rubrics/personas/*.yaml`` plus the user's own).
Round 1: every reviewer reviews the set on their own. Round 2 (optional): every
reviewer answers the others' points. Then a facilitator synthesises: where reviewers
agree, where they disagree, the top three changes (with a rewrite where one can be
given without inventing facts) and the open questions for the author.

Two engines share the ``Review`` shape:

- ``rules`` (offline, deterministic): the rubric findings, plus a few persona
  *lenses* (jargon, data source, guardrail), weighted and phrased per persona.
- ``llm`` (``assistant.services.review_llm``): one structured call per persona and
  round, sent concurrently with one shared ``AsyncOpenAI`` client, then one facilitator
  call — 5 personas × 2 rounds cost 11 requests. Guards as in the critique: a quoted
  piece of evidence must be a substring of its target, numbers the author never wrote
  become placeholders, and a rewrite is re-scored by the rules engine. A failed call
  only marks its seat failed; if the facilitator fails, the synthesis is assembled
  offline from the transcript.

The TUI and the CLI call :func:`run_review` / :func:`run_draft_review`,
:func:`list_reviews`, :func:`get_review`, :func:`accept_review_change` and
:func:`render_review_markdown`; nothing here imports ``openai`` unless a request is sent.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from assistant.config import Settings, api_key
from assistant.errors import UsageError
from assistant.measure import extract
from assistant.model import Objective, OKRSet, SetCritique
from assistant.rubric.engine import check_no_baseline, check_no_deadline, check_objective_number
from assistant.rubric.rules import load_rubric
from assistant.services.critique import critique_set
from assistant.services.personas import Persona, select_personas
from assistant.services.team import load_team_rules, metric_of

if TYPE_CHECKING:
    from openai import AsyncOpenAI

    from assistant.store.models import SaveResult

__all__ = [
    "Agreement",
    "Change",
    "Disagreement",
    "OpenQuestion",
    "Position",
    "Reply",
    "Review",
    "ReviewInfo",
    "ReviewPoint",
    "ReviewQuestion",
    "Seat",
    "Synthesis",
    "accept_review_change",
    "get_review",
    "list_reviews",
    "render_review_markdown",
    "run_draft_review",
    "run_review",
    "run_review_async",
    "save_review",
]

EngineChoice = Literal["rules", "llm", "auto"]
MAX_POINTS = 3
MAX_REPLIES = 3
TOP_CHANGES = 3
MAX_OPEN_QUESTIONS = 5
MAX_AGREEMENTS = 5
# Rules whose fix the rubric can write without inventing facts (see mechanical_rewrite).
MECHANICAL = frozenset({"OBJ-HAS-NUMBER", "KR-NO-BASELINE", "KR-NO-DEADLINE"})
# Remarks a mechanical rewrite can leave open without being a half fix.
HARMLESS = frozenset({"REVIEW-DATA-SOURCE", "REVIEW-JARGON", "REVIEW-GUARDRAIL", "SET-DUPLICATE"})
SEVERITY_FACTOR = {"error": 1.5, "warning": 1.0, "info": 0.5}
OFFLINE_NOTE = (
    "Offline review (rules engine): deterministic, built from the rubric findings "
    "weighted and phrased per reviewer. No model was asked."
)


# --- the transcript ----------------------------------------------------------------------------


class _M(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReviewPoint(_M):
    """One thing a reviewer raises about one target, quoting the author's words."""

    id: str  # "<persona>#<n>", what round-2 replies refer to
    target: str
    code: str | None = None
    evidence: str = ""
    text: str
    weight: float = 1.0


class ReviewQuestion(_M):
    target: str
    text: str


class Reply(_M):
    """Round 2: a reviewer's answer to another reviewer's point."""

    to: str
    stance: Literal["agree", "disagree", "refine"]
    text: str


class Seat(_M):
    """One reviewer's part of the session; ``failed`` seats keep what they said before failing."""

    persona: str
    display_name: str
    role: str
    status: Literal["ok", "failed"] = "ok"
    error: str | None = None
    points: list[ReviewPoint] = Field(default_factory=list)
    questions: list[ReviewQuestion] = Field(default_factory=list)
    replies: list[Reply] = Field(default_factory=list)
    dropped: int = 0  # items the guards removed (evidence not in the text, unknown target…)


class Agreement(_M):
    target: str
    text: str
    personas: list[str] = Field(default_factory=list)


class Position(_M):
    persona: str
    text: str


class Disagreement(_M):
    target: str
    text: str
    positions: list[Position] = Field(default_factory=list)


class Change(_M):
    """One of the top changes. ``rewrite`` is the full new text of the target, or None."""

    target: str
    text: str
    rewrite: str | None = None
    evidence: str = ""
    score_delta: int | None = None
    invented_numbers: list[str] = Field(default_factory=list)
    raised_by: list[str] = Field(default_factory=list)
    codes: list[str] = Field(default_factory=list)


class OpenQuestion(_M):
    target: str
    text: str
    asked_by: list[str] = Field(default_factory=list)


class Synthesis(_M):
    agreements: list[Agreement] = Field(default_factory=list)
    disagreements: list[Disagreement] = Field(default_factory=list)
    top_changes: list[Change] = Field(default_factory=list)
    open_questions: list[OpenQuestion] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    by: Literal["facilitator", "offline"] = "offline"


class Review(_M):
    """A whole session: what was reviewed, the seats, the synthesis, and what it cost."""

    id: int | None = None
    draft: str | None = None
    version: int | None = None
    source: str | None = None
    set_name: str | None = None
    okr_set: OKRSet
    engine: Literal["rules", "llm"]
    model: str | None = None
    prompts: dict[str, str] = Field(default_factory=dict)
    personas: list[str]
    rounds: int
    seats: list[Seat]
    synthesis: Synthesis
    # HTTP requests sent (transport retries included) when okr-coach built the client;
    # with a client passed in, the number of asks. Always 0 offline.
    requests: int = 0
    usage: dict[str, Any] = Field(default_factory=dict)
    elapsed_s: float = 0.0
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    accepted: dict[int, int] = Field(default_factory=dict)  # change number → version created

    @property
    def offline(self) -> bool:
        return self.engine == "rules"

    @property
    def failed_seats(self) -> list[Seat]:
        return [s for s in self.seats if s.status == "failed"]

    @property
    def complete(self) -> bool:
        """Every seat answered and, with the LLM engine, the facilitator wrote the synthesis."""
        return not self.failed_seats and (
            self.engine == "rules" or self.synthesis.by == "facilitator"
        )

    def display_name(self, persona: str) -> str:
        for seat in self.seats:
            if seat.persona == persona:
                return seat.display_name
        return persona


class ReviewInfo(_M):
    """A stored review as ``okr reviews NAME`` lists it."""

    id: int
    draft: str
    version: int
    engine: str
    personas: list[str]
    rounds: int
    created_at: datetime
    top_changes: int
    failed_seats: int
    accepted: list[int] = Field(default_factory=list)


# --- small helpers ------------------------------------------------------------------------


class _SafeDict(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _fill(template: str, **values: object) -> str:
    return " ".join(template.format_map(_SafeDict({k: str(v) for k, v in values.items()})).split())


def _rule_title(code: str | None) -> str | None:
    if code is None:
        return None
    for rules in (load_rubric().rules, load_team_rules().rules):
        for rule in rules:
            if rule.code == code:
                return rule.title
    return _LENS_TITLES.get(code)


def _order_key(target: str) -> tuple[int, int, int]:
    if target == "SET":
        return (0, 0, 0)
    obj, _, kr = target.partition(".")
    return (1, int(obj[1:]), int(kr[2:]) if kr else 0)


def _names(review_seats: Sequence[Seat], personas: Sequence[str]) -> str:
    shown = {s.persona: s.display_name for s in review_seats}
    labels = [shown.get(p, p) for p in personas]
    if len(labels) <= 2:
        return " and ".join(labels)
    return ", ".join(labels[:-1]) + " and " + labels[-1]


# --- offline: candidates from the rubric and the lenses ----------------------------------------


@dataclass
class _Candidate:
    """Something a reviewer could raise: a rubric finding or a lens observation."""

    target: str
    code: str
    evidence: str
    severity: str
    order: int
    message: str
    question: str
    suggestion: str
    lens: str | None = None


_LENS_TITLES = {
    "REVIEW-JARGON": "Unexplained jargon",
    "REVIEW-DATA-SOURCE": "No data source named",
    "REVIEW-GUARDRAIL": "No guardrail",
}
_ACRONYM = re.compile(r"(?<![\w-])(?:[A-Z][A-Z0-9&]*[A-Z][A-Z0-9&]*s?|p\d{2,3})(?![\w-])")
_PERIOD = re.compile(r"^(?:Q[1-4]|H[12]|FY\d*|[IVX]+)$")
_SOURCE_HINT = re.compile(
    r"\b(?:measured|as reported|reported in|according to|dashboard|report|survey|tracked|"
    r"source|per the|in (?:[A-Z][\w-]+)|via)\b",
    re.IGNORECASE,
)
_GUARDRAIL_HINT = re.compile(
    r"\b(?:keep|keeping|maintain|hold|stay|without|while|guardrail|no more than|at least|"
    r"at most|under|below|above|not exceed|no worse)\b",
    re.IGNORECASE,
)


def _targets(okr_set: OKRSet) -> list[tuple[str, str]]:
    """``(id, text)`` of every objective and key result in document order."""
    out: list[tuple[str, str]] = []
    for oi, objective in enumerate(okr_set.objectives, start=1):
        out.append((f"O{oi}", objective.title))
        out += [(f"O{oi}.KR{ki}", kr.text) for ki, kr in enumerate(objective.key_results, start=1)]
    return out


def _jargon(okr_set: OKRSet, known: Sequence[str]) -> list[_Candidate]:
    texts = _targets(okr_set)
    everything = "\n".join(t for _, t in texts)
    known_lower = {k.lower() for k in known}
    seen: set[str] = set()
    out: list[_Candidate] = []
    for order, (target, text) in enumerate(texts):
        for match in _ACRONYM.finditer(text):
            term = match.group(0)
            bare = term[:-1] if term.endswith("s") and term[:-1].isupper() else term
            if bare.lower() in known_lower or term.lower() in known_lower or _PERIOD.match(bare):
                continue
            if bare in seen or f"({bare})" in everything or f"{bare} (" in everything:
                continue
            seen.add(bare)
            out.append(
                _Candidate(
                    target,
                    "REVIEW-JARGON",
                    term,
                    "warning",
                    order,
                    f"'{term}' may not mean anything to someone new; spell it out once or link a definition.",
                    f"What does '{term}' stand for here, and where would a newcomer look it up?",
                    f"Write '{term}' out in full the first time, e.g. '[full name] ({term})'.",
                    lens="jargon",
                )
            )
    return out[:2]


def _data_source(okr_set: OKRSet) -> list[_Candidate]:
    out: list[_Candidate] = []
    for order, (kr_id, _objective, kr) in enumerate(okr_set.iter_key_results()):
        has_number = extract(kr.text).has_quantity or kr.target is not None
        if not has_number or _SOURCE_HINT.search(kr.text):
            continue
        metric = metric_of(kr.text).evidence
        out.append(
            _Candidate(
                kr_id,
                "REVIEW-DATA-SOURCE",
                metric,
                "warning",
                order,
                f"'{metric}' names a number but not where it comes from; measured two different "
                "ways at the start and the end of the cycle, it proves nothing.",
                f"Which dashboard, report or query gives '{metric}', and who pulls it?",
                f"Name the source next to the key result: '{kr.text.rstrip(' .')} (source: [dashboard or report])'.",
                lens="data_source",
            )
        )
    return out[:2]


def _guardrail(okr_set: OKRSet) -> list[_Candidate]:
    out: list[_Candidate] = []
    for oi, objective in enumerate(okr_set.objectives, start=1):
        krs = objective.key_results
        if len(krs) < 2 or any(_GUARDRAIL_HINT.search(kr.text) for kr in krs):
            continue
        if sum(1 for kr in krs if metric_of(kr.text).direction) < 2:
            continue
        out.append(
            _Candidate(
                f"O{oi}",
                "REVIEW-GUARDRAIL",
                objective.title,
                "warning",
                oi * 100,
                "Every key result here pushes a number; nothing says what must not get worse "
                "while you push them.",
                "While you push these numbers, what must not get worse — and which key result would catch it?",
                "Add a guardrail key result: 'Keep [what must not suffer] above/below [limit]'.",
                lens="guardrail",
            )
        )
    return out[:1]


def _candidates(okr_set: OKRSet, critique: SetCritique) -> list[_Candidate]:
    """Rubric findings as candidates, in document order (lens candidates come per persona)."""
    order = {t: i for i, (t, _) in enumerate(_targets(okr_set))}
    return [
        _Candidate(
            f.target,
            f.code,
            f.evidence,
            f.severity,
            order.get(f.target, -1),
            f.message,
            f.question,
            f.suggestion,
        )
        for f in critique.findings
    ]


def _lens_candidates(okr_set: OKRSet, persona: Persona) -> list[_Candidate]:
    out: list[_Candidate] = []
    for lens in persona.lenses:
        if lens == "jargon":
            out += _jargon(okr_set, persona.known_terms)
        elif lens == "data_source":
            out += _data_source(okr_set)
        elif lens == "guardrail":
            out += _guardrail(okr_set)
    return out


def _phrase(persona: Persona, c: _Candidate, okr_set: OKRSet) -> str:
    template = persona.say.get(c.code) or persona.say.get("default") or "{message}"
    return _fill(
        template,
        evidence=c.evidence,
        text=okr_set.target_text(c.target),
        target=c.target,
        message=c.message,
        question=c.question,
        suggestion=c.suggestion,
        title=_rule_title(c.code) or c.code,
    )


def _select(persona: Persona, candidates: Sequence[_Candidate]) -> list[_Candidate]:
    """The persona's top points: weight × severity, at most MAX_POINTS. A second point on
    the same target or about the same rule counts half, so a reviewer covers different
    ground instead of repeating one remark."""
    pool = [
        (persona.weight(c.code) * SEVERITY_FACTOR.get(c.severity, 1.0), c)
        for c in candidates
        if persona.weight(c.code) > 0
    ]
    chosen: list[_Candidate] = []
    per_target: dict[str, int] = defaultdict(int)
    per_code: dict[str, int] = defaultdict(int)

    def value(item: tuple[float, _Candidate]) -> tuple[float, int]:
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
    persona: Persona, okr_set: OKRSet, shared: Sequence[_Candidate]
) -> tuple[Seat, dict[str, _Candidate]]:
    chosen = _select(persona, [*shared, *_lens_candidates(okr_set, persona)])
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
    candidate_of: dict[str, _Candidate],
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
                reply = _fill(
                    persona.counterpoints[point.code],
                    other=seat.display_name,
                    target=point.target,
                    evidence=point.evidence,
                    text=text,
                )
                disagree.append(
                    (point.weight, -n, Reply(to=point.id, stance="disagree", text=reply))
                )
            elif persona.weight(point.code) >= 2:
                mine = _phrase(persona, c, okr_set)
                reply = _fill(
                    persona.agree,
                    other=seat.display_name,
                    target=point.target,
                    point=mine,
                    evidence=point.evidence,
                    text=text,
                )
                weight = persona.weight(point.code) + point.weight
                agree.append((weight, -n, Reply(to=point.id, stance="agree", text=reply)))
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


# --- the synthesis, assembled from the transcript (offline, or when the facilitator fails) -----


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
            issue = by_point.get(reply.to.lower())
            if issue is None:
                continue
            if reply.stance == "disagree":
                issue.disputed.append((seat.persona, reply))
            else:
                issue.backed.append((seat.persona, reply))
    return list(issues.values())


def _issue_label(issue: _Issue) -> str:
    title = _rule_title(issue.code)
    if title is None:
        title = issue.raised[0][1].text
        if len(title) > 140:
            title = title[:139].rstrip() + "…"
    quote = f" ('{issue.evidence}')" if issue.evidence else ""
    return f"{issue.target}: {title}{quote}"


def mechanical_rewrite(okr_set: OKRSet, target: str, codes: Sequence[str]) -> str | None:
    """The rewrite the rubric can give without inventing facts: the objective without its
    number (OBJ-HAS-NUMBER), ``from [baseline]`` (KR-NO-BASELINE), ``by [deadline]``
    (KR-NO-DEADLINE). None unless those are the only problems ``codes`` name for ``target``
    (a vague or activity key result needs the author's own words, not a template)."""
    if target == "SET" or not set(codes) & MECHANICAL or set(codes) - MECHANICAL - HARMLESS:
        return None  # a rewrite that leaves the main problem in place is no rewrite
    rubric = load_rubric()
    obj_id, _, kr_part = target.partition(".")
    objective = okr_set.objectives[int(obj_id[1:]) - 1]
    if not kr_part:
        if "OBJ-HAS-NUMBER" not in codes:
            return None
        rule = rubric.rule("OBJ-HAS-NUMBER").model_copy(update={"suggestion": "{without}"})
        found = check_objective_number(rule, Objective(title=objective.title), obj_id)
        return found[0].suggestion if found else None
    kr = objective.key_results[int(kr_part[2:]) - 1]
    text = kr.text
    if "KR-NO-BASELINE" in codes:
        rule = rubric.rule("KR-NO-BASELINE").model_copy(update={"suggestion": "{rewrite}"})
        current = kr.model_copy(update={"text": text})
        found = check_no_baseline(rule, current, target, extract(text))
        text = found[0].suggestion if found else text
    if "KR-NO-DEADLINE" in codes:
        rule = rubric.rule("KR-NO-DEADLINE").model_copy(
            update={"suggestion": "{text} by [deadline]"}
        )
        current = kr.model_copy(update={"text": text})
        found = check_no_deadline(rule, current, target, extract(text), okr_set)
        text = found[0].suggestion if found else text
    return text if text != kr.text else None


def guarded_rewrite(
    okr_set: OKRSet, target: str, text: str | None, base: SetCritique
) -> tuple[str | None, int | None, list[str]]:
    """Invented numbers → placeholders; re-scored; None if it scores worse than the original."""
    from assistant.llm.guards import replace_invented, rescore

    if not text or target == "SET":
        return None, None, []
    placed = replace_invented(" ".join(text.split()), okr_set)
    if placed.text.strip() == okr_set.target_text(target).strip():
        return None, None, []
    scored = rescore(okr_set, target, placed.text, base)
    if scored is None:
        return None, None, placed.invented
    return placed.text, scored.score_delta, placed.invented


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
    agreements.sort(key=lambda a: (-len(a.personas), _order_key(a.target)))
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
    ranked = sorted((t for t in score if score[t] > 0), key=lambda t: (-score[t], _order_key(t)))[
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
            body = f"{_rule_title(lead.code) or lead.code}: {suggestion}"
        else:
            body = lead.raised[0][1].text
        others = [_rule_title(i.code) or i.code for i in group[1:] if i.code]
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
        for q in seat.questions:
            key = (q.target, " ".join(q.text.lower().split()))
            if key in merged:
                if seat.persona not in merged[key].asked_by:
                    merged[key].asked_by.append(seat.persona)
                continue
            merged[key] = OpenQuestion(target=q.target, text=q.text, asked_by=[seat.persona])
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


def seat_notes(seats: Sequence[Seat]) -> list[str]:
    return [
        f"{s.display_name} could not take part fully ({s.error}); the synthesis leaves their "
        "seat out where it is empty."
        for s in seats
        if s.status == "failed"
    ]


def _offline_review(
    okr_set: OKRSet, panel: Sequence[Persona], rounds: int, critique: SetCritique
) -> tuple[list[Seat], Synthesis]:
    shared = _candidates(okr_set, critique)
    seats: list[Seat] = []
    candidate_of: dict[str, _Candidate] = {}
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


# --- running a review ---------------------------------------------------------------------------


def _choose_engine(engine: EngineChoice | str, settings: Settings) -> Literal["rules", "llm"]:
    chosen = engine if engine != "auto" else settings.engine
    if chosen == "auto":
        chosen = "llm" if api_key() else "rules"
    if chosen not in ("rules", "llm"):
        raise UsageError(f"unknown engine '{engine}' (rules, llm or auto)")
    return chosen  # type: ignore[return-value]


async def run_review_async(
    okr_set: OKRSet,
    *,
    personas: Sequence[str] | None = None,
    rounds: int = 2,
    engine: EngineChoice | str = "auto",
    settings: Settings | None = None,
    home: Path | None = None,
    client: AsyncOpenAI | None = None,
    progress: Callable[[str], None] | None = None,
) -> Review:
    """:func:`run_review` for callers already inside an event loop (the TUI's workers)."""
    if rounds not in (1, 2):
        raise UsageError(f"--rounds must be 1 or 2, not {rounds}")
    settings = settings or Settings()
    panel = select_personas(personas, home)
    chosen = _choose_engine(engine, settings)
    started = time.perf_counter()
    critique = critique_set(okr_set)
    if chosen == "rules":
        seats, synthesis = _offline_review(okr_set, panel, rounds, critique)
        usage: dict[str, Any] = {}
        requests = 0
        model = None
        prompts: dict[str, str] = {}
    else:
        from assistant.services.review_llm import llm_review

        seats, synthesis, usage, requests = await llm_review(
            okr_set, panel, rounds, critique, settings=settings, client=client, progress=progress
        )
        model = settings.llm.model
        prompts = _prompt_ids(rounds)
    return Review(
        source=okr_set.source,
        set_name=okr_set.name,
        okr_set=OKRSet.model_validate(okr_set.content()),
        engine=chosen,
        model=model,
        prompts=prompts,
        personas=[p.name for p in panel],
        rounds=rounds,
        seats=seats,
        synthesis=synthesis,
        requests=requests,
        usage=usage,
        elapsed_s=round(time.perf_counter() - started, 3),
    )


def _prompt_ids(rounds: int) -> dict[str, str]:
    from assistant.llm.engine import load_prompt

    names = ["review_persona", *(["review_reply"] if rounds >= 2 else []), "review_facilitator"]
    return {name: load_prompt(name).id for name in names}


def run_review(
    okr_set: OKRSet,
    *,
    personas: Sequence[str] | None = None,
    rounds: int = 2,
    engine: EngineChoice | str = "auto",
    settings: Settings | None = None,
    home: Path | None = None,
    client: AsyncOpenAI | None = None,
    progress: Callable[[str], None] | None = None,
) -> Review:
    """Run one review session on ``okr_set`` and return the transcript and synthesis.

    ``personas``: persona names (default: every default persona); ``rounds``: 1 or 2;
    ``engine``: ``rules`` (offline), ``llm`` or ``auto``; ``home``: where user personas
    live; ``client``: an ``AsyncOpenAI``-compatible client to use instead of building one
    (it is not closed). Failed persona calls mark their seat failed (see ``Review.complete``).
    Not stored: see :func:`run_draft_review` / :func:`save_review`.
    """
    return asyncio.run(
        run_review_async(
            okr_set,
            personas=personas,
            rounds=rounds,
            engine=engine,
            settings=settings,
            home=home,
            client=client,
            progress=progress,
        )
    )


# --- storing reviews with the draft version they reviewed ----------------------------------------


def save_review(home: Path | None, review: Review, draft: str, version: int) -> Review:
    """Store ``review`` with ``draft@version``; returns it with ``id``, ``draft``, ``version``."""
    from assistant.store import open_db, repo, transaction
    from assistant.store import reviews as rows

    stored = review.model_copy(update={"draft": draft, "version": version, "id": None})
    with open_db(home) as conn, transaction(conn):
        row = repo.find_draft(conn, draft)
        if row is None or row.deleted_at is not None:
            raise UsageError(f"unknown draft '{draft}' (see `okr drafts`)")
        vid = rows.version_id(conn, row.id, version)
        if vid is None:
            raise UsageError(f"draft '{draft}' has no version {version}")
        review_id = rows.insert_review(
            conn,
            draft_id=row.id,
            version_id=vid,
            engine=review.engine,
            personas=",".join(review.personas),
            rounds=review.rounds,
            created_at=repo.timestamp(review.created_at),
            transcript=stored.model_dump_json(exclude={"id", "accepted"}),
        )
    return stored.model_copy(update={"id": review_id})


def run_draft_review(
    home: Path | None,
    ref: str,
    *,
    personas: Sequence[str] | None = None,
    rounds: int = 2,
    engine: EngineChoice | str = "auto",
    settings: Settings | None = None,
    client: AsyncOpenAI | None = None,
    progress: Callable[[str], None] | None = None,
    save: bool = True,
) -> Review:
    """Review a stored draft (``NAME`` for the latest version, ``NAME@V`` for one) and store
    the transcript with that version (unless ``save=False``)."""
    from assistant.services import drafts

    name, number = drafts.parse_ref(ref)
    version = drafts.get_version(home, name, number)
    review = run_review(
        version.okr_set,
        personas=personas,
        rounds=rounds,
        engine=engine,
        settings=settings,
        home=home,
        client=client,
        progress=progress,
    )
    review = review.model_copy(update={"source": None, "set_name": version.okr_set.name or name})
    if not save:
        return review.model_copy(update={"draft": name, "version": version.number})
    return save_review(home, review, name, version.number)


def _from_row(row: Any, accepted: dict[int, int]) -> Review:
    review = Review.model_validate_json(row.transcript)
    return review.model_copy(
        update={"id": row.id, "draft": row.draft, "version": row.version, "accepted": accepted}
    )


def list_reviews(home: Path | None, draft: str) -> list[ReviewInfo]:
    """A draft's stored reviews, newest first."""
    from assistant.services import drafts
    from assistant.store import db_path, open_db, repo
    from assistant.store import reviews as rows

    name, _ = drafts.parse_ref(draft)
    if not db_path(home).exists():
        raise UsageError(f"unknown draft '{name}' (see `okr drafts`)")
    with open_db(home) as conn:
        row = repo.find_draft(conn, name)
        if row is None:
            raise UsageError(f"unknown draft '{name}' (see `okr drafts`)")
        out = []
        for r in rows.list_reviews(conn, row.id):
            review = _from_row(r, rows.accepted_changes(conn, r.id))
            out.append(
                ReviewInfo(
                    id=r.id,
                    draft=r.draft,
                    version=r.version,
                    engine=r.engine,
                    personas=review.personas,
                    rounds=r.rounds,
                    created_at=review.created_at,
                    top_changes=len(review.synthesis.top_changes),
                    failed_seats=len(review.failed_seats),
                    accepted=sorted(review.accepted),
                )
            )
    return out


def get_review(home: Path | None, review_id: int, draft: str | None = None) -> Review:
    """One stored review (with the changes accepted from it); ``draft`` checks ownership."""
    from assistant.store import db_path, open_db
    from assistant.store import reviews as rows

    if not db_path(home).exists():
        raise UsageError(f"no review {review_id} (see `okr reviews NAME`)")
    with open_db(home) as conn:
        row = rows.get_review(conn, review_id)
        if row is None or (draft is not None and row.draft != draft):
            where = f" for draft '{draft}'" if draft else ""
            raise UsageError(f"no review {review_id}{where} (see `okr reviews NAME`)")
        return _from_row(row, rows.accepted_changes(conn, review_id))


def latest_review_id(home: Path | None, draft: str) -> int:
    reviews = list_reviews(home, draft)
    if not reviews:
        raise UsageError(f"draft '{draft}' has no stored review (run `okr review {draft}`)")
    return reviews[0].id


def accept_review_change(
    home: Path | None,
    draft: str,
    review_id: int,
    change_index: int,
    *,
    text: str | None = None,
    author: str | None = None,
) -> SaveResult:
    """Apply change number ``change_index`` (1-based, as shown) of review ``review_id`` to
    the draft's latest version, as a new version with source ``review``.

    ``text`` replaces the suggested rewrite (the user's edit of it). Refused when the
    change has no rewrite, or when its target changed since the reviewed version.
    """
    from assistant.services import drafts
    from assistant.store import ConflictError, open_db, repo, transaction
    from assistant.store import reviews as rows

    name, _ = drafts.parse_ref(draft)
    review = get_review(home, review_id, name)
    changes = review.synthesis.top_changes
    if not 1 <= change_index <= len(changes):
        span = f"1–{len(changes)}" if changes else "none"
        raise UsageError(f"review {review_id} has no change {change_index} (changes: {span})")
    change = changes[change_index - 1]
    if change.target == "SET":
        raise UsageError(
            f"change {change_index} is about the whole set ({change.text}); edit the draft yourself"
        )
    new_text = text if text is not None else change.rewrite
    if not new_text or not new_text.strip():
        raise UsageError(
            f"change {change_index} of review {review_id} offers no rewrite ({change.text}); "
            f"edit the draft yourself, or pass the new text with --text"
        )
    head = drafts.get_version(home, name)
    reviewed_text = review.okr_set.target_text(change.target)
    if head.number != review.version:
        try:
            current = head.okr_set.target_text(change.target)
        except (IndexError, ValueError):
            current = None
        if current != reviewed_text:
            raise ConflictError(
                f"{change.target} changed since review {review_id} of v{review.version}; "
                f"review the latest version again (okr review {name})"
            )
    updated = drafts.apply_rewrite(head.okr_set, change.target, new_text, change.evidence)
    result = drafts.save(
        home,
        name,
        updated,
        f"Accept review {review_id} change {change_index}: {change.target}",
        author=author,
        source="review",
        expected_head=head.number,
    )
    with open_db(home) as conn, transaction(conn):
        row = repo.find_draft(conn, name)
        vid = rows.version_id(conn, row.id, result.version.number) if row else None
        if vid is not None:
            rows.record_acceptance(conn, review_id, change_index, vid, repo.timestamp())
    return result


def render_review_markdown(review: Review) -> str:
    """The review as Markdown (``okr review … --format markdown``)."""
    from assistant.render.review import to_markdown

    return to_markdown(review)


def review_json(review: Review) -> str:
    return json.dumps(review.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"
