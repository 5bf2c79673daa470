"""What an offline reviewer can raise: rubric findings and the persona *lenses*.

A lens is an observation the rubric does not make but a reviewer in that seat would:
unexplained jargon (the newcomer), a number with no named data source (the analyst),
no guardrail next to key results that all push a number (finance). Each becomes a
:class:`Candidate` like a rubric finding, so one selection weighs them all.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.ids import TargetId
from assistant.measure import extract
from assistant.model import KeyResult, Objective, OKRSet, SetCritique
from assistant.rubric.rules import load_rubric
from assistant.rubric.team_rules import load_team_rules, metric_of
from assistant.services.personas import Persona


@dataclass
class Candidate:
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


LENS_TITLES = {
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


def rule_title(code: str | None) -> str | None:
    """The title of a rubric rule, a team rule or a lens; None for anything else."""
    if code is None:
        return None
    for rules in (load_rubric().rules, load_team_rules().rules):
        for rule in rules:
            if rule.code == code:
                return rule.title
    return LENS_TITLES.get(code)


def targets(okr_set: OKRSet) -> list[tuple[str, str]]:
    """``(id, text)`` of every objective and key result in document order."""
    return [
        (str(tid), part.title if isinstance(part, Objective) else part.text)
        for tid, part in okr_set.iter_targets()
        if isinstance(part, Objective | KeyResult)
    ]


def finding_candidates(okr_set: OKRSet, critique: SetCritique) -> list[Candidate]:
    """Rubric findings as candidates, in document order (lens candidates come per persona)."""
    order = {t: i for i, (t, _) in enumerate(targets(okr_set))}
    return [
        Candidate(
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


def lens_candidates(okr_set: OKRSet, persona: Persona) -> list[Candidate]:
    """What the persona's own lenses see in the set."""
    out: list[Candidate] = []
    for lens in persona.lenses:
        if lens == "jargon":
            out += _jargon(okr_set, persona.known_terms)
        elif lens == "data_source":
            out += _data_source(okr_set)
        elif lens == "guardrail":
            out += _guardrail(okr_set)
    return out


def _jargon(okr_set: OKRSet, known: Sequence[str]) -> list[Candidate]:
    texts = targets(okr_set)
    everything = "\n".join(t for _, t in texts)
    known_lower = {k.lower() for k in known}
    seen: set[str] = set()
    out: list[Candidate] = []
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
                Candidate(
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


def _data_source(okr_set: OKRSet) -> list[Candidate]:
    out: list[Candidate] = []
    for order, (kr_id, _objective, kr) in enumerate(okr_set.iter_key_results()):
        has_number = extract(kr.text).has_quantity or kr.target is not None
        if not has_number or _SOURCE_HINT.search(kr.text):
            continue
        metric = metric_of(kr.text).evidence
        out.append(
            Candidate(
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


def _guardrail(okr_set: OKRSet) -> list[Candidate]:
    out: list[Candidate] = []
    for oi, objective in enumerate(okr_set.objectives, start=1):
        krs = objective.key_results
        if len(krs) < 2 or any(_GUARDRAIL_HINT.search(kr.text) for kr in krs):
            continue
        if sum(1 for kr in krs if metric_of(kr.text).direction) < 2:
            continue
        out.append(
            Candidate(
                str(TargetId.of_objective(oi)),
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
