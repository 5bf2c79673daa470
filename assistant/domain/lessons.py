"""What a graded cycle teaches, and how it coaches the next draft of the same name.

``compute_lessons`` reads a graded ``CycleStatus`` (and the rules findings recorded
at launch); ``lesson_findings`` turns those lessons into ``LESSON-…`` findings on a
later draft wherever a lesson applies, each quoting the key result it is about.
Pure: no store, no terminal.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from assistant.domain.cycle import plan_for
from assistant.domain.cycle_status import CycleStatus, KRStatus
from assistant.model import Dimension, Finding, OKRSet

LOW_GRADE = 0.3  # a KR graded at or below this "went badly"
SIMILAR = 0.6  # likeness of what two KRs measure from which they are "the same KR"

CALIBRATION = "LESSON-CALIBRATION"
MISSED = "LESSON-MISSED-COMMITMENT"
SANDBAG = "LESSON-SANDBAGGING"
NEVER = "LESSON-NEVER-UPDATED"
NO_BASELINE = "LESSON-NO-BASELINE"
PREDICTED = "LESSON-FINDING-PREDICTED"
OVERCONFIDENT = "LESSON-OVERCONFIDENT"  # an owner's calibration (domain.calibration)
UNDERCONFIDENT = "LESSON-UNDERCONFIDENT"


@dataclass(frozen=True, slots=True)
class Lesson:
    """One thing the cycle showed; ``krs``/``texts`` are the KRs of that cycle it is about."""

    code: str
    message: str
    krs: tuple[str, ...] = ()
    texts: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()  # rules codes (LESSON-FINDING-PREDICTED)
    label: str = ""
    met: tuple[str, ...] = ()  # texts of the KRs the lesson is *not* about (graded 1.0)
    owner: str = ""  # whose confidence (LESSON-OVERCONFIDENT / -UNDERCONFIDENT)

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "key_results": list(self.krs),
            "texts": list(self.texts),
            "codes": list(self.codes),
            "cycle": self.label,
            "met": list(self.met),
            "owner": self.owner,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Lesson:
        return cls(
            code=str(data["code"]),
            message=str(data["message"]),
            krs=tuple(str(k) for k in data.get("key_results", ())),
            texts=tuple(str(t) for t in data.get("texts", ())),
            codes=tuple(str(c) for c in data.get("codes", ())),
            label=str(data.get("cycle", "")),
            met=tuple(str(t) for t in data.get("met", ())),
            owner=str(data.get("owner", "")),
        )


def _n(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def _ids(krs: Sequence[KRStatus]) -> str:
    return ", ".join(kr.track.id for kr in krs)


def compute_lessons(
    status: CycleStatus, launch_findings: Iterable[tuple[str, str]] = ()
) -> list[Lesson]:
    """Calibration of confidence against outcome, missed commitments, sandbagging, KRs never
    updated, KRs only gradable as done / not done, and which launch findings went with
    low grades. ``launch_findings`` is ``(code, target)`` of the rules critique at launch."""
    label = status.cycle.label
    krs = status.key_results
    out: list[Lesson] = []

    def lesson(
        code: str,
        message: str,
        about: Sequence[KRStatus],
        codes: Sequence[str] = (),
        met: Sequence[KRStatus] = (),
    ) -> None:
        out.append(
            Lesson(
                code,
                message,
                tuple(kr.track.id for kr in about),
                tuple(kr.track.text for kr in about),
                tuple(codes),
                label,
                tuple(kr.track.text for kr in met),
            )
        )

    graded = [kr for kr in krs if kr.grade is not None and kr.confidence is not None]
    over = [kr for kr in graded if (kr.confidence or 0) >= 7 and (kr.grade or 0) <= LOW_GRADE]
    under = [kr for kr in graded if (kr.confidence or 0) <= 3 and (kr.grade or 0) >= 0.7]
    if over or under:
        gap = sum(abs((kr.confidence or 0) / 10 - (kr.grade or 0)) for kr in graded) / len(graded)
        parts = []
        if over:
            parts.append(f"{_n(len(over), 'KR')} stayed confident (7+/10) yet graded ≤ {LOW_GRADE}")
        if under:
            parts.append(f"{_n(len(under), 'KR')} were doubted (≤ 3/10) yet graded ≥ 0.7")
        lesson(
            CALIBRATION,
            f"In {label} {' and '.join(parts)} ({_ids(over + under)}); confidence was off by "
            f"{gap:.1f} on average.",
            over + under,
        )
    committed = [kr for kr in krs if kr.track.type == "committed"]
    missed = [kr for kr in committed if (kr.grade if kr.grade is not None else 0.0) < 1.0]
    if missed:
        lesson(
            MISSED,
            f"In {label} {len(missed)} of {_n(len(committed), 'committed KR')} "
            f"ended below 1.0 ({_ids(missed)}).",
            missed,
            met=[kr for kr in committed if kr not in missed],
        )
    sandbagged = [o for o in status.objectives if "aspirational-all-1.0" in o.flags]
    if sandbagged:
        aspirational = [o for o in status.objectives if o.type == "aspirational"] or sandbagged
        about = [kr for kr in krs if kr.track.objective in {o.id for o in sandbagged}]
        if len(aspirational) == len(sandbagged):
            who = "both" if len(sandbagged) == 2 else ("the" if len(sandbagged) == 1 else "all")
            who += f" aspirational objective{'s' if len(sandbagged) > 1 else ''}"
        else:
            who = f"{len(sandbagged)} of {_n(len(aspirational), 'aspirational objective')}"
        lesson(
            SANDBAG,
            f"In {label} {who} graded 1.0 on every KR "
            f"({', '.join(o.id for o in sandbagged)}): the targets were not a stretch.",
            about,
        )
    never = [kr for kr in krs if not kr.checkins]
    if never:
        lesson(
            NEVER,
            f"In {label} {_n(len(never), 'KR was', 'KRs were')} never checked in ({_ids(never)}).",
            never,
        )
    fraction = [kr for kr in krs if kr.track.mode == "fraction"]
    if fraction:
        lesson(
            NO_BASELINE,
            f"In {label} {_n(len(fraction), 'KR')} could only be graded as done / not done "
            f"because {'it had' if len(fraction) == 1 else 'they had'} no baseline and target "
            f"that could be read ({_ids(fraction)}).",
            fraction,
        )
    low = {kr.track.id: kr for kr in krs if kr.grade is not None and kr.grade <= LOW_GRADE}
    by_code: dict[str, list[KRStatus]] = {}
    for code, target in launch_findings:
        if target in low and low[target] not in by_code.setdefault(code, []):
            by_code[code].append(low[target])
    for code, about in sorted(by_code.items()):
        if about:
            lesson(
                PREDICTED,
                f"In {label} {code} was found at launch on {_n(len(about), 'KR')} that graded "
                f"≤ {LOW_GRADE} ({_ids(about)}).",
                about,
                (code,),
            )
    return out


# --- coaching the next draft ----------------------------------------------------------------

_NORMAL_RE = re.compile(r"[\d.,]+")


def _normal(text: str) -> str:
    return " ".join(_NORMAL_RE.sub("#", text.lower()).split())


def _measured(text: str) -> tuple[str, ...]:
    """What a KR measures, as compared across cycles: its metric words in order (synonyms
    folded, numbers, dates and the move's verb dropped: ``rubric.lexicon``); empty when
    none is read. "Lift onboarding CSAT from 71% to 85% by end of Q1" and "Reduce churn
    from 9% to 6% by end of March" share their "from … to … by end of" and nothing else."""
    from assistant.rubric.critic import DUPLICATE
    from assistant.rubric.lexicon import lexicon, metric_words
    from assistant.rubric.rules import load_rubric

    return tuple(metric_words(text, lexicon(load_rubric().rule(DUPLICATE))))


def _likeness(text: str, other: str) -> float:
    """0-1: how alike what two KRs measure. Their metric words, as a phrase ("activation"
    in "week 1 activation") or as a set ("uptime" of "service uptime"), whichever says more
    alike; the whole texts, numbers blanked, when either has no metric word."""
    mine, theirs = _measured(text), _measured(other)
    if not mine or not theirs:
        return difflib.SequenceMatcher(None, _normal(text), _normal(other)).ratio()
    phrase = difflib.SequenceMatcher(None, " ".join(mine), " ".join(theirs)).ratio()
    a, b = set(mine), set(theirs)
    return max(phrase, 2 * len(a & b) / (len(a) + len(b)))


def _similar(text: str, others: Sequence[str]) -> str | None:
    """The one of ``others`` most like the same KR (what it measures, not its numbers or
    its phrasing), when it is alike enough (``SIMILAR``)."""
    scored = [(_likeness(text, other), other) for other in others]
    score, best = max(scored, key=lambda pair: pair[0], default=(0.0, None))
    return best if score >= SIMILAR else None


def _quote(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _advice(code: str) -> tuple[str, str]:
    """The question and suggestion of a ``LESSON-…`` code (``rubrics/lessons.yaml``)."""
    from assistant.rubric.rules import load_lessons

    for rule in load_lessons():
        if rule.code == code:
            return rule.question, rule.suggestion
    return "What would you do differently this cycle?", "Act on last cycle's lesson."


def _closest(text: str, lesson: Lesson) -> bool:
    """Whether ``text`` reads more like a KR the lesson is about than like one it is not
    about (a KR graded 1.0 last cycle): the lesson's cause is still there."""

    def best(others: Sequence[str]) -> float:
        return max((_likeness(text, other) for other in others), default=0)

    return best(lesson.texts) >= best(lesson.met)


def lesson_findings(
    okr_set: OKRSet, lessons: Sequence[Lesson], findings: Sequence[Finding] = ()
) -> list[Finding]:
    """``LESSON-…`` findings (source ``lessons``) on the KRs of ``okr_set`` where a lesson
    of the last graded cycle applies; ``findings`` is the draft's own critique (for the
    launch findings that predicted low grades). Evidence is the KR's whole text.

    At most one per code and key result, and none whose cause is gone: no missed
    commitment on a KR like one graded 1.0 or on one now typed aspirational (as the lesson
    advised), no sandbagging on a guardrail, no "done / not done" on a KR that now reads
    a baseline and a target."""
    from assistant.domain.calibration import kr_owners

    plan = plan_for(okr_set)
    owners = kr_owners(okr_set)
    kr_lines = {kr_id: kr.line for kr_id, _, kr in okr_set.iter_key_results()}
    out: dict[tuple[str, str], Finding] = {}

    def add(code: str, kr_id: str, text: str, dimension: Dimension, message: str) -> None:
        if (code, kr_id) in out:
            return  # one per code and target: the first lesson of that code says it
        question, suggestion = _advice(code)
        out[(code, kr_id)] = Finding(
            code=code,
            target=kr_id,
            line=kr_lines.get(kr_id),
            dimension=dimension,
            severity="warning",
            evidence=text,
            message=message,
            question=question,
            suggestion=suggestion,
            source="lessons",
        )

    for lesson in lessons:
        for track in plan.tracks:
            similar = _similar(track.text, lesson.texts)
            same = f" A similar KR last cycle: '{_quote(similar)}'." if similar else ""
            if lesson.code == SANDBAG:
                if not track.guardrail and (track.type == "aspirational" or similar):
                    add(SANDBAG, track.id, track.text, "ambition", lesson.message + same)
            elif lesson.code == NO_BASELINE:
                if track.mode == "fraction":
                    add(NO_BASELINE, track.id, track.text, "measurability", lesson.message)
            elif lesson.code == MISSED:
                typed = track.type == "committed" or (similar and track.type is None)
                if typed and _closest(track.text, lesson):
                    add(MISSED, track.id, track.text, "ambition", lesson.message + same)
            elif lesson.code in (NEVER, CALIBRATION) and similar:
                add(lesson.code, track.id, track.text, "structure", lesson.message + same)
            elif lesson.code in (OVERCONFIDENT, UNDERCONFIDENT):
                # the owner's KRs (a lesson stored without an owner: KRs like last cycle's)
                owned = owners.get(track.id) == lesson.owner if lesson.owner else bool(similar)
                if owned:
                    add(lesson.code, track.id, track.text, "structure", lesson.message + same)
    predicted = {code for lesson in lessons if lesson.code == PREDICTED for code in lesson.codes}
    texts = {track.id: track.text for track in plan.tracks}
    again: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.code in predicted and finding.target in texts:
            listed = again.setdefault(finding.target, [])
            if all(f.code != finding.code for f in listed):
                listed.append(finding)
    for target, found in again.items():
        codes = [f.code for f in found]
        said = [
            lesson.message
            for lesson in lessons
            if lesson.code == PREDICTED and set(lesson.codes) & set(codes)
        ]
        add(PREDICTED, target, texts[target], found[0].dimension, " ".join(dict.fromkeys(said)))
        question = (
            f"Last cycle {' and '.join(codes)} went with low grades: fix "
            f"{'it' if len(codes) == 1 else 'them'} here before launch?"
        )
        out[(PREDICTED, target)] = out[(PREDICTED, target)].model_copy(
            update={"question": question, "suggestion": found[0].suggestion}
        )
    return list(out.values())


# --- retrospectives ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RetroNotes:
    """The three questions of a retrospective, each a list of short answers."""

    went_well: tuple[str, ...] = ()
    did_not: tuple[str, ...] = ()
    change: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.went_well or self.did_not or self.change)

    def all_text(self) -> str:
        return "\n".join((*self.went_well, *self.did_not, *self.change))


@dataclass(frozen=True, slots=True)
class Retro:
    """A stored retrospective of a graded cycle: notes, computed lessons, optional summary."""

    status: CycleStatus
    notes: RetroNotes
    lessons: tuple[Lesson, ...]
    engine: str = "rules"
    summary: str | None = None
    author: str = ""
    created_at: str = ""
