"""Coaching-quality guards between what the model says and what the user sees.

- Evidence must be an exact substring of the target's text: repaired when the model
  only changed case, quotes or spacing, otherwise the finding is dropped.
- Numbers in a rewrite that the user never wrote are invented: they are flagged and
  replaced by ``[baseline]``, ``[target]``, ``[deadline]`` or ``[number]``.
- Every rewrite is re-scored by the rules engine on the set with that target replaced;
  one that scores worse than the original is not offered.

Placeholders would read as "no number" to the rules engine, so a rewrite is scored as
if its placeholders were filled in (sentinel values, mapped back in the evidence).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from assistant import measure
from assistant.model import Finding, OKRSet, Rewrite, SetCritique
from assistant.rubric.critic import critique_set
from assistant.rubric.rules import load_rubric

# The rubric's own codes (SPEC §4); LLM findings may also use "LLM-…".
SPEC_CODES = frozenset(rule.code for rule in load_rubric().rules)

# A number the user could have written: not glued to a letter (v2, Q1, O1.KR2, B2B).
NUMBER_RE = re.compile(r"(?<![\w.])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\w])|(?<![\w.,])\d+(?:\.\d+)?")
PERIOD_RE = re.compile(r"\b[QH][1-4]\b", re.IGNORECASE)
PLACEHOLDER_RE = re.compile(r"\[([A-Za-z][\w\s%$-]{0,30})\]")
_TARGET_ID_RE = re.compile(r"^\s*(?:SET|O(\d+)(?:[\s._-]*KR(\d+))?)\s*$", re.IGNORECASE)
_LEADING_PREPOSITION = re.compile(r"^(?:by|in|of|for|until|before|during|end of)\s+", re.I)

# What a placeholder stands for while the rules engine scores a rewrite.
SENTINELS = {"baseline": "100", "target": "150", "number": "150", "deadline": "end of the cycle"}


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


# --- targets and evidence ------------------------------------------------------------------


def normalise_target(okr_set: OKRSet, target: str) -> str | None:
    """``O1 KR2`` / ``o1.kr2`` → ``O1.KR2``; None when the id names nothing in the set."""
    match = _TARGET_ID_RE.match(target or "")
    if not match:
        return None
    if match.group(1) is None:
        return "SET"
    oi = int(match.group(1))
    if not 1 <= oi <= len(okr_set.objectives):
        return None
    if match.group(2) is None:
        return f"O{oi}"
    ki = int(match.group(2))
    if not 1 <= ki <= len(okr_set.objectives[oi - 1].key_results):
        return None
    return f"O{oi}.KR{ki}"


def verify_evidence(text: str, evidence: str) -> str | None:
    """The exact substring of ``text`` the evidence quotes, or None if it quotes nothing.

    Repairs what models commonly change: surrounding quotes, case, runs of spaces, and
    ellipses (the longest quoted piece is kept).
    """
    candidate = (evidence or "").strip().strip("\"'“”‘’`«»").strip()
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


def user_numbers(okr_set: OKRSet) -> tuple[set[float], set[str]]:
    """Every number and period (Q1, H2) the user wrote anywhere in the set."""
    texts = [okr_set.name or "", okr_set.owner or "", okr_set.cycle or ""]
    values: set[float] = set()
    for objective in okr_set.objectives:
        texts.append(objective.title)
        for kr in objective.key_results:
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


def replace_invented(text: str, okr_set: OKRSet) -> Placeholdered:
    """Replace numbers the user never wrote with placeholders named for their role."""
    values, periods = user_numbers(okr_set)
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
        spans = measure.date_spans(text)  # type: ignore[attr-defined]
    return list(spans)


# --- scoring rewrites ----------------------------------------------------------------------


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


def fill_placeholders(text: str) -> Filled:
    out, edits, pos, filled_len = [], [], 0, 0
    for match in PLACEHOLDER_RE.finditer(text):
        before = text[pos : match.start()]
        out.append(before)
        filled_len += len(before)
        value = SENTINELS[placeholder_role(match.group(1))]
        edits.append((match.start(), match.end(), filled_len, filled_len + len(value)))
        out.append(value)
        filled_len += len(value)
        pos = match.end()
    out.append(text[pos:])
    return Filled("".join(out), edits)


def with_text(okr_set: OKRSet, target: str, text: str) -> OKRSet:
    """A copy of the set with one objective title or key-result text replaced."""
    copy = okr_set.model_copy(deep=True)
    obj_id, _, kr_id = target.partition(".")
    objective = copy.objectives[int(obj_id[1:]) - 1]
    if kr_id:
        objective.key_results[int(kr_id[2:]) - 1].text = text
    else:
        objective.title = text
    return copy


def target_scores(critique: SetCritique, target: str):
    for objective in critique.objectives:
        if objective.id == target:
            return objective.scores
        for kr in objective.key_results:
            if kr.id == target:
                return kr.scores
    return None


def rescore(okr_set: OKRSet, target: str, shown: str, base: SetCritique) -> Rewrite | None:
    """Score the rewrite in context; None when it scores worse than the original."""
    filled = fill_placeholders(shown)
    critique = critique_set(with_text(okr_set, target, filled.text))
    before, after = target_scores(base, target), target_scores(critique, target)
    if before is None or after is None:
        return None
    delta = after.overall - before.overall
    if delta < 0 or critique.scores.overall < base.scores.overall:
        return None
    findings = []
    for finding in critique.findings:
        if finding.target != target:
            continue
        start = filled.text.find(finding.evidence)
        evidence = (
            filled.to_shown(shown, start, start + len(finding.evidence)) if start >= 0 else shown
        )
        findings.append(finding.model_copy(update={"evidence": evidence or shown}))
    return Rewrite(text=shown, scores=after, score_delta=delta, findings=findings)


# --- merging -------------------------------------------------------------------------------


def normalise_code(code: str) -> str:
    """Table codes stay; anything else becomes ``LLM-…`` in capitals with hyphens."""
    clean = re.sub(r"[^A-Z0-9]+", "-", (code or "").upper()).strip("-")
    if clean in SPEC_CODES or clean.startswith("LLM-"):
        return clean
    return f"LLM-{clean or 'NOTE'}"


def order_key(target: str) -> tuple[int, int, int]:
    if target == "SET":
        return (0, 0, 0)
    obj, _, kr = target.partition(".")
    return (1, int(obj[1:]), int(kr[2:]) if kr else 0)


def merge_findings(rules: Iterable[Finding], llm: Iterable[Finding]) -> list[Finding]:
    """Rules findings first; an LLM finding with the same code and target is merged into
    it (its rewrite is kept when the rules finding has none), other duplicates dropped."""
    merged: list[Finding] = []
    index: dict[tuple[str, str], int] = {}
    for finding in rules:
        index.setdefault((finding.code, finding.target), len(merged))
        merged.append(finding)
    for finding in llm:
        key = (finding.code, finding.target)
        if key in index:
            existing = merged[index[key]]
            if existing.source == "rules" and existing.rewrite is None and finding.rewrite:
                merged[index[key]] = existing.model_copy(update={"rewrite": finding.rewrite})
            continue
        index[key] = len(merged)
        merged.append(finding)
    return sorted(merged, key=lambda f: order_key(f.target))
