"""A review change that adds a key result to an objective, rather than rewriting one.

Reviewers often ask for a key result the draft lacks ("add a guardrail key result"):
the facilitator then names the objective (or the id the new key result would take,
``O1.KR4`` when O1 has three) and gives the new key result's text as the "rewrite".
Applied as a rewrite, that text would replace the objective's title; recognised
here (:func:`addition_of`), the change is an addition (``Change.kind``), guarded and
scored as one (:func:`guarded_addition`) and applied by appending the key result
(:func:`with_key_result`, :func:`with_added_text` for the author's YAML).
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

from assistant.errors import UsageError
from assistant.ids import TargetId
from assistant.model import KeyResult, Objective, OKRSet, Rewrite, SetCritique, UnknownTarget
from assistant.rubric.rewrites import score_rewrite

if TYPE_CHECKING:
    import yaml

# "Add a guardrail key result", "introduce a KR on …", "a second, counter-metric KR".
_ADDS = re.compile(
    r"\b(?:add|adds|adding|introduce|include|create|write|another|new|extra|second|missing)\b"
    r"[^.;:!?]{0,60}?\b(?:key[\s-]?results?|krs?|guardrails?|counter[\s-]?metrics?)\b",
    re.IGNORECASE,
)
_NEXT_KR = re.compile(r"^\s*O(\d+)[\s._-]*KR(\d+)\s*$", re.IGNORECASE)
_WORD = re.compile(r"[^\W_]+")
_KR_KEYS = ("key_results", "krs", "key results")


def _words(text: str) -> set[str]:
    return {w.casefold() for w in _WORD.findall(text)}


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def addition_of(okr_set: OKRSet, target: str, change: str, rewrite: str | None) -> str | None:
    """The objective (``O1``) a facilitator's change adds a key result to, or None when it
    is no addition: its target is the id the next key result would take (``O1.KR4``
    when O1 has three), or it names an objective, says to add a key result, and its
    text is not a rewording of the objective's title (fewer than half of its words)."""
    if not rewrite or not rewrite.strip():
        return None
    loose = _NEXT_KR.match(target or "")
    if loose:
        oi, ki = int(loose.group(1)), int(loose.group(2))
        if (
            1 <= oi <= len(okr_set.objectives)
            and ki == len(okr_set.objectives[oi - 1].key_results) + 1
        ):
            return str(TargetId.of_objective(oi))
        return None
    tid = TargetId.try_parse(target or "")
    if tid is None or not tid.is_objective or not _ADDS.search(change or ""):
        return None
    try:
        title = okr_set.target_text(tid)
    except UnknownTarget:
        return None
    mine, theirs = _words(title), _words(rewrite)
    if theirs and len(mine & theirs) * 2 >= len(theirs | mine):
        return None  # the objective reworded: a rewrite, whatever the prose says
    return str(tid)


def _objective(okr_set: OKRSet, objective: str) -> tuple[TargetId, Objective]:
    tid = TargetId.try_parse(objective)
    if tid is None or not tid.is_objective:
        raise UnknownTarget(f"a key result is added to an objective (O1), not to '{objective}'")
    part = okr_set.locate(tid)  # UnknownTarget when the set has no such objective
    assert isinstance(part, Objective)
    return tid, part


def new_key_result_id(okr_set: OKRSet, objective: str) -> TargetId:
    """The id the next key result of ``objective`` takes (``O1.KR4`` after three)."""
    tid, part = _objective(okr_set, objective)
    return TargetId.of_kr(tid.objective, len(part.key_results) + 1)


def with_key_result(okr_set: OKRSet, objective: str, text: str) -> OKRSet:
    """A copy of ``okr_set`` with a key result reading ``text`` (whitespace collapsed)
    added after ``objective``'s last one; refused when it is empty or the objective
    already has it (an addition accepted twice adds it once)."""
    tid, part = _objective(okr_set, objective)
    text = " ".join(text.split())
    if not text:
        raise UsageError(f"the key result to add to {tid} is empty")
    if any(_same(kr.text, text) for kr in part.key_results):
        raise UsageError(f"{tid} already has the key result '{text}'")
    copy = okr_set.model_copy(deep=True)
    copy.objectives[tid.objective - 1].key_results.append(KeyResult(text=text))
    return copy


def score_addition(
    okr_set: OKRSet, objective: str, text: str, *, base: SetCritique | None = None
) -> Rewrite | None:
    """The new key result scored as the rules see it in the set (its scores, findings
    and what it does to the set's overall score against ``base``); None when it cannot
    be added (no such objective, empty text, already there)."""
    try:
        tid = new_key_result_id(okr_set, objective)
        extended = with_key_result(okr_set, objective, text)
    except UsageError:
        return None
    if base is None:
        from assistant.rubric.critic import critique_set

        base = critique_set(okr_set, rewrites=False)
    return score_rewrite(extended, tid, text, base=base)


def guarded_addition(
    okr_set: OKRSet, objective: str, text: str | None, base: SetCritique
) -> tuple[str | None, int | None, list[str]]:
    """``(key result, score_delta, invented numbers)`` for a facilitator's new key result:
    numbers the author never wrote anywhere in the set become placeholders; no key
    result when it is not a plausible one (empty, a code, a question) or the objective
    has it already. Offered whatever its score change: what it adds (a guardrail, a
    counter-metric) is what the reviewers asked for, which no score measures."""
    from assistant.llm.guards import implausible_rewrite, replace_invented

    if not text or not text.strip():
        return None, None, []
    placed = replace_invented(" ".join(text.split()), okr_set, None)
    if implausible_rewrite(placed.text, ""):
        return None, None, placed.invented
    scored = score_addition(okr_set, objective, placed.text, base=base)
    if scored is None:
        return None, None, placed.invented
    return placed.text, scored.score_delta, placed.invented


def with_added_text(text: str | None, objective: str, new: str) -> str | None:
    """The author's YAML ``text`` with one more item, ``new``, after the last key result
    of ``objective`` (its indentation, comments and layout kept); None when it has no
    such block list to extend (the canonical form is saved instead; the save checks
    that the text it keeps parses to the new content)."""
    import yaml

    tid = TargetId.try_parse(objective)
    if text is None or tid is None or not tid.is_objective:
        return None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    objectives = _value(root, ("objectives",))
    if not isinstance(objectives, yaml.SequenceNode) or len(objectives.value) < tid.objective:
        return None
    krs = _value(objectives.value[tid.objective - 1], _KR_KEYS)
    if not isinstance(krs, yaml.SequenceNode) or krs.flow_style or not krs.value:
        return None
    last = krs.value[-1]
    line_start = text.rfind("\n", 0, last.start_mark.index) + 1
    prefix = text[line_start : last.start_mark.index]
    if not re.fullmatch(r"[ ]*-[ ]+", prefix):
        return None
    end = last.end_mark.index
    while end > last.start_mark.index and text[end - 1] == "\n":
        end -= 1  # a block scalar's span ends with its newline
    newline = text.find("\n", end)
    at = len(text) if newline < 0 else newline
    one_line = " ".join(new.split())
    for candidate in (one_line, json.dumps(one_line, ensure_ascii=False)):
        edited = f"{text[:at]}\n{prefix}{candidate}{text[at:]}"
        if _added(edited, tid.objective, len(krs.value), one_line):
            return edited
    return None


def _value(node: yaml.Node | None, keys: tuple[str, ...]) -> yaml.Node | None:
    """The value of the first of ``keys`` in a mapping node (None when it has none)."""
    import yaml

    if not isinstance(node, yaml.MappingNode):
        return None
    for key, value in node.value:
        if isinstance(key, yaml.ScalarNode) and str(key.value).casefold() in keys:
            return value
    return None


def _added(edited: str, objective: int, before: int, new: str) -> bool:
    """Whether ``edited`` reads as the objective's key results plus ``new`` at the end."""
    import yaml

    try:
        root = yaml.compose(edited, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return False
    objectives = _value(root, ("objectives",))
    if not isinstance(objectives, yaml.SequenceNode) or len(objectives.value) < objective:
        return False
    krs = _value(objectives.value[objective - 1], _KR_KEYS)
    if not isinstance(krs, yaml.SequenceNode) or len(krs.value) != before + 1:
        return False
    last = krs.value[-1]
    return isinstance(last, yaml.ScalarNode) and last.value == new and last.tag.endswith(":str")
