"""Scoring a rewrite: the one place that says what replacing a target's text would do.

Rules checks, the LLM guards, peer reviews and the TUI all offer rewrites; each is
scored here, by the rules engine, on the set with that target replaced. Placeholders
(``[baseline]``) would read as "no number", so a rewrite is scored as if they were
filled in (sentinel values) and the findings' quotes are mapped back to the text
the user sees.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from assistant.ids import TargetId
from assistant.model import (
    Finding,
    KeyResult,
    Objective,
    OKRSet,
    Rewrite,
    Scores,
    SetCritique,
)

PLACEHOLDER_RE = re.compile(r"\[([A-Za-z][\w\s%$-]{0,30})\]")
_WHOLE_PLACEHOLDER_RE = re.compile(r"\[[A-Za-z][\w\s%$-]{0,30}\]")  # findall: whole blanks

# What a placeholder stands for while the rules engine scores a rewrite.
SENTINELS = {"baseline": "100", "target": "150", "number": "150", "deadline": "end of the cycle"}
# Other values for a number placeholder, when the preferred one sits next to a number
# of the text (a baseline of 100 under a target of "100%" would read as no ambition).
_ALTERNATIVES = ("100", "150", "40", "250", "10", "1000", "4")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def placeholder_role(name: str) -> str:
    """The role of a placeholder from its name: baseline, target, deadline or number."""
    low = name.lower()
    if any(w in low for w in ("baseline", "current", "today", "start", "from")):
        return "baseline"
    if any(w in low for w in ("deadline", "date", "when", "quarter", "month", "cycle")):
        return "deadline"
    if "target" in low or "goal" in low:
        return "target"
    return "number"


def placeholders(text: str, original: str = "") -> tuple[str, ...]:
    """``[baseline]``-style blanks in ``text`` that were not already in the user's own text."""
    found = _WHOLE_PLACEHOLDER_RE.findall(text) if "[" in text else ()
    return tuple(p for p in dict.fromkeys(found) if p not in original)


_GLUE = frozenset("from to by today baseline currently at of the a an is was".split())
_WORDS = re.compile(r"[\w%$€£.,'-]+")


def only_placeholders(current: str, rewrite: str) -> bool:
    """Whether ``rewrite`` changes ``current`` only by placeholders ("from [baseline]",
    "by [deadline]", a number swapped for "[stretch target]"): such a rewrite shows the
    form of a fix, but its score would be the sentinels', not a gain (never "+N")."""
    if not placeholders(rewrite, current):  # no placeholder of its own
        return False
    theirs = _lower_words(PLACEHOLDER_RE.sub(" ", rewrite)) - _GLUE
    return not theirs or theirs <= _lower_words(current)


# ``_WORDS`` on ASCII text: every character outside its class made a space, then split
# (the same runs, ~4x faster than the regex).
_ASCII_WORD_CHARS = frozenset(string.ascii_letters + string.digits + "_%$.,'-")
_ASCII_NON_WORDS_TO_SPACE = bytes(c if chr(c) in _ASCII_WORD_CHARS else 32 for c in range(256))


def _lower_words(text: str) -> set[str]:
    """The words of ``text``, lower-cased (ASCII text lower-cased first: the same words,
    one call instead of one per word)."""
    if text.isascii():
        spaced = text.lower().encode("ascii").translate(_ASCII_NON_WORDS_TO_SPACE)
        return set(spaced.decode("ascii").split())
    return set(map(str.lower, _WORDS.findall(text)))


@dataclass
class Filled:
    """A rewrite with its placeholders filled by sentinels, and how to map spans back."""

    text: str
    edits: list[tuple[int, int, int, int]]  # (shown_start, shown_end, filled_start, filled_end)

    def to_shown(self, shown: str, start: int, end: int) -> str:
        """The part of the shown text that the filled span ``[start, end)`` came from."""

        def point(p: int, is_end: bool) -> int:
            delta = 0
            for s0, s1, f0, f1 in self.edits:
                if p < f0:
                    break
                if p < f1 or (is_end and p == f1):
                    return s1 if is_end else s0
                delta = s1 - f1
            return p + delta

        return shown[point(start, False) : point(end, True)]


def _far_from(numbers: list[float], preferred: str) -> str:
    """``preferred``, or the first alternative at least 25% away from every number."""
    for candidate in (preferred, *_ALTERNATIVES):
        value = float(candidate)
        if all(abs(value - n) >= 0.25 * max(value, abs(n)) for n in numbers):
            return candidate
    return preferred


def _as_number(token: str) -> float | None:
    """``1,200`` as 1200; None for what is no one number ("3.12.1", a version)."""
    try:
        return float(token.replace(",", ""))
    except ValueError:
        return None


def _number_text(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:.4g}"


def _consistent(text: str, match: re.Match[str], role: str, said: str | None) -> str | None:
    """A stand-in for a baseline or target placeholder that moves the way the words ask
    ("Raise … from [baseline] to 50%": below 50), so the rules judge the rewrite's
    form, never an accident of the stand-in (a drop where the verb says raise)."""
    if said not in ("up", "down") or role not in ("baseline", "target"):
        return None
    if role == "baseline":  # the target is the first number after it
        found = _NUMBER.search(PLACEHOLDER_RE.sub(" ", text[match.end() :]))
    else:  # the baseline is the last number before it
        before = list(_NUMBER.finditer(PLACEHOLDER_RE.sub(" ", text[: match.start()])))
        found = before[-1] if before else None
    other = _as_number(found.group(0)) if found else None
    if not other:  # both are blanks ("from [baseline] to [target]"): a move the words ask for
        low, high = SENTINELS["baseline"], SENTINELS["target"]
        return (
            (low if said == "up" else high)
            if role == "baseline"
            else (high if said == "up" else low)
        )
    lower, higher = other / 2, other * 1.5
    if role == "baseline":
        return _number_text(lower if said == "up" else higher)
    return _number_text(higher if said == "up" else lower)


def fill_placeholders(text: str) -> Filled:
    """``text`` with every placeholder replaced by a value of its role (a baseline or
    target that moves the way the words ask: "Cut … from 50% to [target]%" below 50)."""
    matches = list(PLACEHOLDER_RE.finditer(text))
    if not matches:
        return Filled(text, [])
    from assistant.measure.reading import read_kr

    said = read_kr(text).said
    numbers = [
        number
        for m in _NUMBER.finditer(PLACEHOLDER_RE.sub(" ", text))
        if (number := _as_number(m.group(0))) is not None
    ]
    out, edits, pos, filled_len = [], [], 0, 0
    for match in matches:
        before = text[pos : match.start()]
        out.append(before)
        filled_len += len(before)
        role = placeholder_role(match.group(1))
        value = _consistent(text, match, role, said) or SENTINELS[role]
        if role != "deadline":
            value = _far_from(numbers, value) if value == SENTINELS[role] else value
            numbers.append(float(value))
        edits.append((match.start(), match.end(), filled_len, filled_len + len(value)))
        out.append(value)
        filled_len += len(value)
        pos = match.end()
    out.append(text[pos:])
    return Filled("".join(out), edits)


def target_scores(critique: SetCritique, target: TargetId | str) -> Scores | None:
    """The scores of one objective or KR in a critique (the set's for ``SET``)."""
    wanted = str(target)
    if wanted == "SET":
        return critique.scores
    for objective in critique.objectives:
        if objective.id == wanted:
            return objective.scores
        for kr in objective.key_results:
            if kr.id == wanted:
                return kr.scores
    return None


@dataclass(frozen=True)
class Rescored:
    """The rules critique of a set with one target replaced: what scoring a rewrite needs."""

    findings: Sequence[Finding]  # the target's findings (others may be included)
    target: Scores
    overall: int


# ``(set, target, filled text)`` → the set with that target replaced, critiqued.
Rescore = Callable[[OKRSet, TargetId, str], Rescored | None]


def _full_rescore(okr_set: OKRSet, target: TargetId, text: str) -> Rescored | None:
    from assistant.rubric.critic import critique_set

    critique = critique_set(okr_set.with_text(target, text), rewrites=False)
    scores = target_scores(critique, target)
    return None if scores is None else Rescored(critique.findings, scores, critique.scores.overall)


def _shown_finding(finding: Finding, filled: Filled, shown: str) -> Finding:
    """A finding about the filled text, quoting the shown text (placeholders, no sentinels)."""
    start = filled.text.find(finding.evidence) if finding.evidence else -1
    if start >= 0:
        evidence = filled.to_shown(shown, start, start + len(finding.evidence)) or shown
    else:
        evidence = shown

    def back(prose: str) -> str:
        if filled.text != shown:
            prose = prose.replace(filled.text, shown)
            if finding.evidence and finding.evidence != evidence:
                prose = prose.replace(finding.evidence, evidence)
        return prose

    return finding.model_copy(
        update={
            "evidence": evidence,
            "message": back(finding.message),
            "question": back(finding.question),
            "suggestion": back(finding.suggestion),
            "rewrite": None,
        }
    )


@lru_cache(maxsize=4096)
def _target_id(text: str) -> TargetId | None:
    return TargetId.try_parse(text)  # a few ids, thousands of rewrites (ids are frozen)


def score_rewrite(
    okr_set: OKRSet,
    target: TargetId | str,
    shown: str,
    *,
    base: SetCritique | None = None,
    rescore: Rescore | None = None,
) -> Rewrite | None:
    """``shown`` as a scored ``Rewrite`` of ``target``: the target's new scores, its
    findings (quoting ``shown``) and ``score_delta``, the change of the whole set's
    overall score against ``base`` (the rules critique of ``okr_set``; None when the
    rewrite only adds placeholders: no gain is claimed for blanks). None when it
    cannot be applied (unknown or ``SET`` target, empty text). Whether a worse rewrite
    is still offered is the caller's call.

    ``rescore`` critiques the changed set; the default is a full rules critique (the
    rules critique's own post-pass re-runs only the target's checks).
    """
    tid = target if isinstance(target, TargetId) else _target_id(target)
    shown = " ".join(shown.split())
    if tid is None or tid.is_set or not shown:
        return None
    try:
        part = okr_set.locate(tid)
    except IndexError:
        return None
    if not isinstance(part, Objective | KeyResult):
        return None
    current = part.title if isinstance(part, Objective) else part.text  # ``target_text``
    filled = fill_placeholders(shown)
    if base is None:
        from assistant.rubric.critic import critique_set

        base = critique_set(okr_set, rewrites=False)
    after = (rescore or _full_rescore)(okr_set, tid, filled.text)
    if after is None:
        return None
    key = str(tid)
    gain = None if only_placeholders(current, shown) else after.overall - base.scores.overall
    return Rewrite(
        text=shown,
        scores=after.target,
        score_delta=gain,
        findings=[_shown_finding(f, filled, shown) for f in after.findings if f.target == key],
    )
