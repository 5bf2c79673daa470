"""Coaching-quality guards between what the model says and what the user sees.

- Evidence must be an exact substring of the target's text: repaired when the model
  only changed case, quotes or spacing, otherwise the finding is dropped.
- Numbers in a rewrite that the user never wrote are invented: they are flagged and
  replaced by ``[baseline]``, ``[target]``, ``[deadline]`` or ``[number]``.
- Every rewrite is scored by ``rubric.rewrites.score_rewrite`` (placeholders filled by
  sentinels while scoring); one that makes the target or the set worse is not offered.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from assistant import measure
from assistant.ids import SET, TargetId, target_order
from assistant.model import Finding, OKRSet, Rewrite, SetCritique
from assistant.rubric.rewrites import score_rewrite, target_scores
from assistant.rubric.rules import load_rubric

# The rubric's own codes (SPEC §4); LLM findings may also use "LLM-…".
SPEC_CODES = frozenset(rule.code for rule in load_rubric().rules)

# A number the user could have written: not glued to a letter (v2, Q1, O1.KR2, B2B).
NUMBER_RE = re.compile(r"(?<![\w.])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\w])|(?<![\w.,])\d+(?:\.\d+)?")
PERIOD_RE = re.compile(r"\b[QH][1-4]\b", re.IGNORECASE)
# What models write for an id: "O1 KR2", "o1.kr2", "O1-KR2" (TargetId wants "O1.KR2").
_LOOSE_TARGET_RE = re.compile(r"^\s*(?:SET|O(\d{1,6})(?:[\s._-]*KR(\d{1,6}))?)\s*$", re.IGNORECASE)
_LEADING_ID_RE = re.compile(
    r"^\s*[\[(\"']?\s*(SET|O\d+(?:[\s._-]*KR\d+)?)\b(?!\.?\w)", re.IGNORECASE
)
_LEADING_PREPOSITION = re.compile(r"^(?:by|in|of|for|until|before|during|end of)\s+", re.I)


# --- targets and evidence ------------------------------------------------------------------


def normalise_target(okr_set: OKRSet, target: str) -> str | None:
    """``O1 KR2`` / ``o1.kr2`` → ``O1.KR2``; None when the id names nothing in the set.

    Lenient for servers that do not constrain the output: a target that starts with an
    id (``"O2.KR2: Hire 3…"``) or equals an objective's or KR's text maps to that id."""
    match = _LOOSE_TARGET_RE.match(target or "")
    if not match:
        lead = _LEADING_ID_RE.match(target or "")
        if lead:
            return normalise_target(okr_set, lead.group(1))
        return _target_by_text(okr_set, target or "")
    if match.group(1) is None:
        return str(SET)
    oi, ki = int(match.group(1)), int(match.group(2) or 0)
    if oi < 1 or (match.group(2) is not None and ki < 1):
        return None
    tid = TargetId(oi, ki)
    try:
        okr_set.locate(tid)
    except IndexError:
        return None
    return str(tid)


def _plain(text: str) -> str:
    return " ".join(text.split()).strip(" .\"'“”‘’`").casefold()


def _target_by_text(okr_set: OKRSet, target: str) -> str | None:
    """The id of the objective or KR whose text ``target`` repeats (case and spacing aside)."""
    wanted = _plain(target)
    if not wanted:
        return None
    for tid, part in okr_set.iter_targets():
        text = part.title if tid.kr == 0 else part.text  # type: ignore[union-attr]
        if _plain(text) == wanted:
            return str(tid)
    return None


def verify_evidence(text: str, evidence: str) -> str | None:
    """The exact substring of ``text`` the evidence quotes, or None if it quotes nothing.

    Repairs what models commonly change: surrounding quotes, case, runs of spaces, and
    ellipses (the longest quoted piece is kept).
    """
    # The prompt shows the user's text JSON-string escaped: undo what a model copied.
    unescaped = (evidence or "").replace('\\"', '"').replace("\\u0060", "`")
    candidate = unescaped.strip().strip("\"'“”‘’`«»").strip()
    if not candidate:
        return None
    if candidate in text:
        return candidate
    pieces = [p.strip(" ,;:") for p in re.split(r"\.\.\.|…", candidate)]
    for piece in sorted((p for p in pieces if p), key=len, reverse=True):
        words = piece.split()
        if not words:
            continue
        pattern = r"\s+".join(re.escape(w) for w in words)
        match = re.search(pattern, text, re.IGNORECASE)
        if match and (len(piece) >= 3 or match.group(0) == text):
            return match.group(0)
    return None


# --- invented numbers ----------------------------------------------------------------------


def _value(token: str) -> float:
    return float(token.replace(",", ""))


def user_numbers(okr_set: OKRSet, target: str | None = None) -> tuple[set[float], set[str]]:
    """The numbers and periods (Q1, H2) the user wrote: in ``target``'s own text and
    structured fields (plus the set's cycle) when given, else anywhere in the set.

    A rewrite of one KR may not borrow another KR's numbers."""
    texts = [okr_set.cycle or ""]
    values: set[float] = set()
    if target is None:
        texts += [okr_set.name or "", okr_set.owner or ""]
    for oi, objective in enumerate(okr_set.objectives, start=1):
        if target is None or target == str(TargetId(oi, 0)):
            texts.append(objective.title)
        for ki, kr in enumerate(objective.key_results, start=1):
            if target is not None and target != str(TargetId(oi, ki)):
                continue
            texts += [kr.text, kr.deadline or "", kr.unit or ""]
            values.update(v for v in (kr.baseline, kr.target) if v is not None)
    joined = "\n".join(texts)
    values.update(_value(m.group(0)) for m in NUMBER_RE.finditer(joined))
    periods = {m.group(0).upper() for m in PERIOD_RE.finditer(joined)}
    return values, periods


@dataclass
class Placeholdered:
    text: str
    invented: list[str]


def replace_invented(text: str, okr_set: OKRSet, target: str | None = None) -> Placeholdered:
    """Replace numbers the user never wrote (in ``target``'s own text and fields when
    given) with placeholders named for their role."""
    values, periods = user_numbers(okr_set, target)
    invented: list[tuple[int, int, str]] = [
        (m.start(), m.end(), m.group(0))
        for m in NUMBER_RE.finditer(text)
        if _value(m.group(0)) not in values
    ]
    invented += [
        (m.start(), m.end(), m.group(0))
        for m in PERIOD_RE.finditer(text)
        if m.group(0).upper() not in periods
    ]
    if not invented:
        return Placeholdered(text, [])
    measures = measure.extract(text)
    dates = _date_spans(measures, text)
    edits: list[tuple[int, int, str]] = []
    for start, end, _token in sorted(invented):
        span = next(((a, b) for a, b in dates if a <= start < b), None)
        if span is not None:
            lead = _LEADING_PREPOSITION.match(text[span[0] : span[1]])
            edits.append((span[0] + (lead.end() if lead else 0), span[1], "[deadline]"))
            continue
        role = "number"
        for name, quantity in (("baseline", measures.baseline), ("target", measures.target)):
            if quantity is not None and quantity.start <= start < quantity.end:
                role = name
        edits.append((start, end, f"[{role}]"))
    merged: list[tuple[int, int, str]] = []
    for edit in sorted(edits):
        if merged and edit[0] < merged[-1][1]:
            last = merged[-1]
            merged[-1] = (last[0], max(last[1], edit[1]), last[2])
        else:
            merged.append(edit)
    out, pos = [], 0
    for start, end, placeholder in merged:
        out += [text[pos:start], placeholder]
        pos = end
    out.append(text[pos:])
    return Placeholdered("".join(out), [token for _s, _e, token in sorted(invented)])


def _date_spans(measures: measure.Measures, text: str) -> list[tuple[int, int]]:
    """Date and period spans, from the measures when they carry them."""
    spans = getattr(measures, "date_spans", None)
    if spans is None:
        spans = measure.date_spans(text)
    return list(spans)


# --- scoring rewrites ----------------------------------------------------------------------


def rescore(okr_set: OKRSet, target: str, shown: str, base: SetCritique) -> Rewrite | None:
    """``shown`` scored by ``score_rewrite``; None when it cannot be applied or when it
    does not improve the target (the set's score or the target's own must rise and
    neither may fall: the guards' withhold policy)."""
    return rescore_why(okr_set, target, shown, base)[0]


def rescore_why(
    okr_set: OKRSet, target: str, shown: str, base: SetCritique
) -> tuple[Rewrite | None, str | None]:
    """:func:`rescore` with the reason a rewrite was withheld."""
    rewrite = score_rewrite(okr_set, target, shown, base=base)
    before = target_scores(base, target)
    if rewrite is None or before is None or rewrite.scores is None:
        return None, "rewrite not applicable"
    delta = rewrite.score_delta or 0
    after = rewrite.scores.overall
    if delta < 0 or after < before.overall or (delta == 0 and after == before.overall):
        return None, "rewrite does not improve the score"
    return rewrite, None


_CODE_LIKE_RE = re.compile(r"^[A-Z0-9]+(?:[-_][A-Z0-9]+)+$")
_WORD_RE = re.compile(r"[^\W\d_]{2,}")


def implausible_rewrite(text: str, original: str, question: str = "") -> str | None:
    """Why ``text`` cannot be a KR or objective (None when it can): empty, a code such
    as ``LLM-ACTIVITY``, too few words, the question repeated, or a question at all."""
    clean = " ".join((text or "").split())
    if not clean or not _WORD_RE.search(clean):
        return "rewrite is empty"
    if _CODE_LIKE_RE.match(clean) or (SPEC_CODES and clean.upper() in SPEC_CODES):
        return "rewrite is a code"
    if len(_WORD_RE.findall(clean)) < 2:
        return "rewrite is not a sentence"
    plain = _plain(clean)
    if question and plain == _plain(question):
        return "rewrite repeats the question"
    if clean.endswith("?"):
        return "rewrite is a question"
    if plain == _plain(original):
        return "rewrite repeats the text"
    return None


# --- merging -------------------------------------------------------------------------------


def normalise_code(code: str) -> str:
    """Table codes stay; anything else becomes ``LLM-…`` in capitals with hyphens."""
    clean = re.sub(r"[^A-Z0-9]+", "-", (code or "").upper()).strip("-")
    if clean in SPEC_CODES or clean.startswith("LLM-"):
        return clean
    return f"LLM-{clean or 'NOTE'}"


def order_key(target: str) -> tuple[int, int, int]:
    """Document order of a target id (unknown ids last)."""
    return target_order(target)


def _better(llm: Rewrite, rules: Rewrite | None) -> bool:
    """The coach's rewrite replaces the rubric's unless the rubric's scores better."""
    if rules is None:
        return True
    return (llm.score_delta or 0) >= (rules.score_delta or 0)


def merge_findings(rules: Iterable[Finding], llm: Iterable[Finding]) -> list[Finding]:
    """Rules findings first; an LLM finding with the same code and target is merged into
    it (its rewrite is kept unless the rules finding has a better-scoring one), other
    duplicates dropped."""
    merged: list[Finding] = []
    index: dict[tuple[str, str], int] = {}
    for finding in rules:
        index.setdefault((finding.code, finding.target), len(merged))
        merged.append(finding)
    for finding in llm:
        key = (finding.code, finding.target)
        if key in index:
            existing = merged[index[key]]
            if (
                existing.source == "rules"
                and finding.rewrite is not None
                and _better(finding.rewrite, existing.rewrite)
            ):
                merged[index[key]] = existing.model_copy(update={"rewrite": finding.rewrite})
            continue
        index[key] = len(merged)
        merged.append(finding)
    return sorted(merged, key=lambda f: order_key(f.target))


# --- numbers in prose ----------------------------------------------------------------------

# A number claims a metric value when it carries a unit or currency, or follows a word
# that states a level ("from 20", "to 35", "reach 40"). "round 1", "Q3", "2 of you",
# years and ordinals are not claims.
_CLAIM_SUFFIX_RE = re.compile(
    r"^\s?(?:%|pp\b|percent|k\b|m\b|bn\b|x\b|points?\b|pts\b|users?\b|customers?\b|"
    r"accounts?\b|tickets?\b|sign-?ups?\b|days?\b|hours?\b|minutes?\b|ms\b|seconds?\b)",
    re.IGNORECASE,
)
_CLAIM_PREFIX_RE = re.compile(
    r"(?:[$€£¥]\s?|\b(?:from|to|reach|reaching|reaches|hit|hits|at|above|below|over|"
    r"under|than|of|by|target|baseline|nps|csat|mrr|arr)\s+)$",
    re.IGNORECASE,
)
_NOT_A_CLAIM_RE = re.compile(
    r"\b(?:round|step|stage|phase|point|item|part|seat|persona|version|v|page|line|"
    r"week|day|month|quarter|sprint|cycle|number|no\.?|#)\s*$",
    re.IGNORECASE,
)


def _claims_value(text: str, start: int, end: int) -> bool:
    before, after = text[max(0, start - 24) : start], text[end : end + 16]
    if _NOT_A_CLAIM_RE.search(before):
        return False
    token = text[start:end]
    if re.fullmatch(r"(?:19|20)\d\d", token) and not _CLAIM_SUFFIX_RE.match(after):
        return False  # a year
    return bool(_CLAIM_SUFFIX_RE.match(after) or _CLAIM_PREFIX_RE.search(before))


def guard_prose(text: str, okr_set: OKRSet) -> str:
    """Reviewers' and the facilitator's prose: a number the author never wrote is
    replaced by ``[number]`` only where it claims a metric value ("raise it to 35%"),
    not in "round 1", "Q3" or "two of the 3 reviewers"."""
    values, _periods = user_numbers(okr_set)
    out, pos = [], 0
    for match in NUMBER_RE.finditer(text):
        if _value(match.group(0)) in values:
            continue
        if not _claims_value(text, match.start(), match.end()):
            continue
        out += [text[pos : match.start()], "[number]"]
        pos = match.end()
    out.append(text[pos:])
    return "".join(out)
