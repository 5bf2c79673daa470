"""The rules engine: deterministic findings for every rule of SPEC §4.

Each check returns findings whose ``evidence`` is an exact substring of the
target's text, a coaching question, and a suggestion built only from the
user's own words plus placeholders such as ``[baseline]``.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from assistant.measure import Measures, date_spans, extract
from assistant.model import Finding, KeyResult, Objective, OKRSet
from assistant.rubric.rules import Rubric, Rule, load_rubric


class _SafeDict(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def make_finding(
    rule: Rule, target: str, line: int | None, evidence: str, **values: object
) -> Finding:
    """A finding with the rule's message, question and suggestion filled from ``values``."""
    values.setdefault("evidence", evidence)
    fill = _SafeDict({k: str(v) for k, v in values.items()})
    # Built from the rubric's own validated data: skip re-validating ten thousand findings.
    return Finding.model_construct(
        line=line,
        source="rules",
        rewrite=None,
        code=rule.code,
        target=target,
        dimension=rule.dimension,  # type: ignore[arg-type]
        severity=rule.severity,  # type: ignore[arg-type]
        evidence=evidence,
        message=rule.message.format_map(fill),
        question=rule.question.format_map(fill),
        suggestion=rule.suggestion.format_map(fill),
    )


@lru_cache(maxsize=256)
def _word_regex(words: tuple[str, ...]) -> re.Pattern[str]:
    """One regex for a word list, longest first, matching whole words case-insensitively."""
    ordered = sorted(words, key=len, reverse=True)
    body = "|".join(re.escape(w).replace(r"\ ", r"[\s-]+") for w in ordered)
    return re.compile(rf"(?<![\w-])(?:{body})(?![\w-])", re.IGNORECASE)


def _words(rule: Rule, name: str) -> re.Pattern[str]:
    return _word_regex(tuple(rule.param(name, ())))


# --- key results -------------------------------------------------------------------------

_LEADING_FILLER = re.compile(
    r"^\s*(?:[-*•]\s*)?(?:(?:we|i)\s+will\s+|to\s+|successfully\s+|fully\s+|"
    r"(?:kr\s*\d*\s*[:.)-]\s*))*",
    re.IGNORECASE,
)


def _has_number(kr: KeyResult, m: Measures) -> bool:
    return m.has_quantity or kr.target is not None or kr.baseline is not None


def check_no_number(rule: Rule, kr: KeyResult, kr_id: str, m: Measures) -> list[Finding]:
    if _has_number(kr, m):
        return []
    return [make_finding(rule, kr_id, kr.line, kr.text, text=kr.text)]


def check_no_baseline(rule: Rule, kr: KeyResult, kr_id: str, m: Measures) -> list[Finding]:
    has_target = m.target is not None or kr.target is not None
    has_baseline = m.baseline is not None or kr.baseline is not None
    if not has_target or has_baseline:
        return []
    if m.target_span:
        start, end = m.target_span
        evidence = kr.text[start:end]
        if re.match(r"to\b", evidence, re.IGNORECASE):
            rewrite = f"{kr.text[:start]}from [baseline] {kr.text[start:]}"
        else:
            rewrite = f"{kr.text.rstrip(' .')} (today: [baseline])"
    else:
        evidence = kr.text
        rewrite = f"{kr.text} (baseline: [baseline])"
    return [make_finding(rule, kr_id, kr.line, evidence, text=kr.text, rewrite=rewrite)]


def check_no_deadline(
    rule: Rule, kr: KeyResult, kr_id: str, m: Measures, okr_set: OKRSet
) -> list[Finding]:
    if m.deadline or kr.deadline or okr_set.cycle:
        return []
    return [make_finding(rule, kr_id, kr.line, kr.text, text=kr.text.rstrip(" ."))]


@lru_cache(maxsize=8)
def _passive_regex(words: tuple[str, ...]) -> re.Pattern[str]:
    """ "The billing system is launched", "SSO live by Q3": a finished task, stated passively."""
    passive = "|".join(re.escape(w) for w in words)
    return re.compile(
        rf"\b(?:is|are|be|been|gets?|goes|go)\s+(?:fully\s+|successfully\s+)?(?:{passive})\b"
        rf"|\b(?:{passive})(?=(?:\s+(?:by|in|before|on|for|to|at|across)\b[^.]*)?[.!]?\s*$)",
        re.IGNORECASE,
    )


def check_activity(rule: Rule, kr: KeyResult, kr_id: str, m: Measures) -> list[Finding]:
    text = kr.text
    lead = _LEADING_FILLER.match(text)
    start = lead.end() if lead else 0
    match = _words(rule, "verbs").match(text, start)
    if match is None:
        match = _passive_regex(tuple(rule.param("passive", ()))).search(text)
    if match is None:
        return []
    following = extract(text[match.end() : match.end() + 16]).quantities
    if following and following[0].kind == "money" and following[0].start <= 2:
        return []  # "Build $4M of pipeline" names an outcome, not a task
    link = _words(rule, "outcome_links").search(text, match.end())
    if link and extract(text[link.end() :]).has_quantity:
        return []
    evidence = match.group(0)
    return [make_finding(rule, kr_id, kr.line, evidence, text=text)]


_MORE_THAN = re.compile(r"\s+(?:than|of)\b", re.IGNORECASE)


def check_vague(rule: Rule, kr: KeyResult, kr_id: str, m: Measures) -> list[Finding]:
    hits = [
        hit
        for hit in _words(rule, "always_words").finditer(kr.text)
        if not (hit.group(0).lower() == "more" and _MORE_THAN.match(kr.text, hit.end()))
    ]
    if not _has_number(kr, m):
        hits += list(_words(rule, "change_words").finditer(kr.text))
    if not hits:
        return []
    first = min(hits, key=lambda h: h.start())
    return [make_finding(rule, kr_id, kr.line, first.group(0), text=kr.text)]


def _split_parts(rule: Rule, text: str) -> list[str]:
    conjunctions = "|".join(re.escape(c) for c in rule.param("conjunctions", ()))
    parts: list[str] = []
    last = 0
    for match in re.finditer(conjunctions, text, re.IGNORECASE):
        left = text[last : match.start()]
        if re.search(r"\bbetween\b(?!.*\band\b)", left, re.IGNORECASE):
            continue
        parts.append(left)
        last = match.end()
    parts.append(text[last:])
    return [p.strip(" ,;.") for p in parts if p.strip(" ,;.")]


def check_compound(rule: Rule, kr: KeyResult, kr_id: str, m: Measures) -> list[Finding]:
    if len(m.quantities) < 1:
        return []
    parts = _split_parts(rule, kr.text)
    if len(parts) < 2:
        return []
    verbs = _words(rule, "change_verbs")
    measured = [p for p in parts if extract(p).has_quantity or verbs.match(p)]
    if len(measured) < 2:
        return []
    listed = " and ".join(f"'{p}'" for p in measured)
    return [make_finding(rule, kr_id, kr.line, kr.text, text=kr.text, parts=listed)]


def _fmt(value: float) -> str:
    return f"{value:g}"


def check_low_ambition(rule: Rule, kr: KeyResult, kr_id: str, m: Measures) -> list[Finding]:
    if m.baseline is not None and m.target is not None:
        base, target = m.baseline, m.target
        if "multiplier" in (base.kind, target.kind):
            return []
        if base.unit and target.unit and base.unit != target.unit:
            return []
        b, t = base.value, target.value
        span = m.baseline_span or (base.start, target.end)
        evidence = kr.text[min(span[0], target.start) : max(span[1], target.end)]
        shown_base = base.text
    elif kr.baseline is not None and kr.target is not None:
        b, t = kr.baseline, kr.target
        evidence = kr.text
        shown_base = _fmt(b) + (kr.unit or "")
    else:
        return []
    relative = abs(t - b) / abs(b) if b else (0.0 if t == b else math.inf)
    if relative >= float(rule.param("min_relative_change", 0.05)):
        return []
    change = f"{relative * 100:.1f}%" if relative else "nothing"
    return [
        make_finding(
            rule, kr_id, kr.line, evidence, text=kr.text, change=change, baseline=shown_base
        )
    ]


# --- objectives ----------------------------------------------------------------------------

_ABBREVIATIONS = re.compile(r"\b(?:e\.g|i\.e|etc|vs|approx|incl|U\.S|Inc|Ltd|Mr|Ms|Dr)\.", re.I)


def sentence_count(text: str) -> int:
    cleaned = _ABBREVIATIONS.sub("ABBR", text.strip())
    cleaned = re.sub(r"(?<=\d)\.(?=\d)", "", cleaned)
    return max(1, len([s for s in re.split(r"[.!?]+(?:\s+|$)", cleaned) if s.strip()]))


def check_objective_number(rule: Rule, objective: Objective, obj_id: str) -> list[Finding]:
    m = extract(objective.title)
    if not m.quantities:
        return []
    q = m.quantities[0]
    start, end = m.target_span if m.target is q and m.target_span else (q.start, q.end)
    without = re.sub(r"\s{2,}", " ", objective.title[:start] + objective.title[end:]).strip(" ,.")
    return [
        make_finding(
            rule,
            obj_id,
            objective.line,
            q.text,
            text=objective.title,
            without=without or "[what you want to achieve, in words]",
        )
    ]


def check_bau(rule: Rule, objective: Objective, obj_id: str) -> list[Finding]:
    lead = _LEADING_FILLER.match(objective.title)
    hit = _words(rule, "words").match(objective.title, lead.end() if lead else 0)
    hit = hit or _words(rule, "phrases").search(objective.title)
    if hit is None or _words(rule, "change_words").search(objective.title):
        return []
    return [make_finding(rule, obj_id, objective.line, hit.group(0), text=objective.title)]


def check_too_long(rule: Rule, objective: Objective, obj_id: str) -> list[Finding]:
    words = len(objective.title.split())
    sentences = sentence_count(objective.title)
    max_words = int(rule.param("max_words", 20))
    if words <= max_words and sentences <= 1:
        return []
    return [
        make_finding(
            rule,
            obj_id,
            objective.line,
            objective.title,
            text=objective.title,
            words=words,
            sentences=sentences,
            max_words=max_words,
        )
    ]


def _variant(rule: Rule, name: str) -> Rule:
    """The rule with the question and suggestion of one case ("none", "few", "many")."""
    texts = rule.param("variants", {}).get(name, {})
    return rule.model_copy(
        update={k: v for k, v in texts.items() if k in ("question", "suggestion")}
    )


def check_kr_count(rule: Rule, objective: Objective, obj_id: str) -> list[Finding]:
    count = len(objective.key_results)
    low, high = int(rule.param("min", 2)), int(rule.param("max", 5))
    if low <= count <= high:
        return []
    case = "none" if count == 0 else "few" if count < low else "many"
    return [
        make_finding(
            _variant(rule, case),
            obj_id,
            objective.line,
            objective.title,
            text=objective.title,
            count=count,
        )
    ]


def check_obj_count(rule: Rule, okr_set: OKRSet) -> list[Finding]:
    count = len(okr_set.objectives)
    if 1 <= count <= int(rule.param("max", 5)):
        return []
    return [
        make_finding(
            _variant(rule, "none" if count == 0 else "many"),
            "SET",
            okr_set.line,
            okr_set.name or "",
            text=okr_set.name or "",
            count=count,
        )
    ]


# --- duplicates across a set or a team file ------------------------------------------------

_STOPWORDS = frozenset(
    "a an the of to by for in on and our we from with at as per its their all each every be is are "
    "will new".split()
)
_SYNONYMS = {
    **dict.fromkeys(
        "increase raise grow lift boost improve expand double triple up higher".split(), "up"
    ),
    **dict.fromkeys("reduce cut decrease lower shrink halve down drop fewer less".split(), "down"),
    **dict.fromkeys("reach achieve hit get attain".split(), "reach"),
}
_TOKEN = re.compile(r"[$€£]?\d+(?:[.,]\d+)*%?|[a-z][a-z0-9']*", re.IGNORECASE)


def _normalise(word: str) -> str:
    word = word.lower().strip("'")
    if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    for suffix in ("ing", "ed", "es"):
        if len(word) > 5 and word.endswith(suffix):
            stem = word[: -len(suffix)]
            if stem in _SYNONYMS:
                word = stem
    return _SYNONYMS.get(word, word)


def dedupe_tokens(text: str) -> frozenset[str]:
    """The words that identify a key result: no stopwords, no dates, synonyms folded."""
    chars = list(text)
    for start, end in date_spans(text):
        chars[start:end] = " " * (end - start)
    return frozenset(
        token
        for token in (_normalise(t) for t in _TOKEN.findall("".join(chars)))
        if token and token not in _STOPWORDS
    )


@dataclass(frozen=True)
class KRRef:
    set_pos: int
    kr_id: str
    text: str
    line: int | None
    set_label: str


def find_duplicates(refs: Sequence[KRRef], threshold: float) -> dict[KRRef, KRRef]:
    """Map each later near-duplicate to the first KR it repeats (token-set Jaccard ≥ threshold).

    Prefix filtering keeps this near-linear on a team file of thousands of KRs: two sets
    with Jaccard ≥ t must share a token among the rarest ``n - ceil(t·n) + 1`` of each.
    """
    token_sets = [dedupe_tokens(r.text) for r in refs]
    frequency: dict[str, int] = defaultdict(int)
    for tokens in token_sets:
        for token in tokens:
            frequency[token] += 1
    index: dict[str, list[int]] = defaultdict(list)
    duplicates: dict[KRRef, KRRef] = {}
    for i, tokens in enumerate(token_sets):
        if not tokens:
            continue
        ordered = sorted(tokens, key=lambda t: (frequency[t], t))
        prefix = ordered[: len(ordered) - math.ceil(threshold * len(ordered)) + 1]
        candidates: set[int] = set()
        for token in prefix:
            candidates.update(index[token])
        best: int | None = None
        for j in sorted(candidates):
            other = token_sets[j]
            if min(len(other), len(tokens)) < threshold * max(len(other), len(tokens)):
                continue
            if len(tokens & other) / len(tokens | other) >= threshold:
                best = j
                break
        if best is not None:
            duplicates[refs[i]] = refs[best]
        for token in prefix:
            index[token].append(i)
    return duplicates


def duplicate_findings(sets: Sequence[OKRSet], rubric: Rubric | None = None) -> list[list[Finding]]:
    """SET-DUPLICATE findings per set, comparing KRs within each source file."""
    rule = (rubric or load_rubric()).rule("SET-DUPLICATE")
    threshold = float(rule.param("similarity", 0.8))
    by_source: dict[str | None, list[KRRef]] = defaultdict(list)
    for pos, okr_set in enumerate(sets):
        label = f"set {okr_set.index}" + (f" ({okr_set.name})" if okr_set.name else "")
        for kr_id, _objective, kr in okr_set.iter_key_results():
            by_source[okr_set.source].append(KRRef(pos, kr_id, kr.text, kr.line, label))
    result: list[list[Finding]] = [[] for _ in sets]
    for refs in by_source.values():
        for dup, first in find_duplicates(refs, threshold).items():
            other = (
                first.kr_id if first.set_pos == dup.set_pos else f"{first.set_label} {first.kr_id}"
            )
            result[dup.set_pos].append(
                make_finding(
                    rule,
                    dup.kr_id,
                    dup.line,
                    dup.text,
                    text=dup.text,
                    other=other,
                    other_text=first.text,
                )
            )
    return result


# --- the whole set ---------------------------------------------------------------------------


def kr_findings(
    kr: KeyResult, kr_id: str, okr_set: OKRSet, rubric: Rubric | None = None
) -> list[Finding]:
    """Every key-result rule except duplicates, in rubric order."""
    rubric = rubric or load_rubric()
    m = extract(kr.text)
    findings: list[Finding] = []
    findings += check_no_number(rubric.rule("KR-NO-NUMBER"), kr, kr_id, m)
    findings += check_no_baseline(rubric.rule("KR-NO-BASELINE"), kr, kr_id, m)
    findings += check_no_deadline(rubric.rule("KR-NO-DEADLINE"), kr, kr_id, m, okr_set)
    findings += check_activity(rubric.rule("KR-ACTIVITY"), kr, kr_id, m)
    findings += check_vague(rubric.rule("KR-VAGUE"), kr, kr_id, m)
    findings += check_compound(rubric.rule("KR-COMPOUND"), kr, kr_id, m)
    findings += check_low_ambition(rubric.rule("KR-LOW-AMBITION"), kr, kr_id, m)
    return findings


def objective_findings(
    objective: Objective, obj_id: str, rubric: Rubric | None = None
) -> list[Finding]:
    rubric = rubric or load_rubric()
    findings: list[Finding] = []
    findings += check_objective_number(rubric.rule("OBJ-HAS-NUMBER"), objective, obj_id)
    findings += check_bau(rubric.rule("OBJ-BAU"), objective, obj_id)
    findings += check_too_long(rubric.rule("OBJ-TOO-LONG"), objective, obj_id)
    findings += check_kr_count(rubric.rule("OBJ-KR-COUNT"), objective, obj_id)
    return findings


def set_findings(okr_set: OKRSet, rubric: Rubric | None = None) -> list[Finding]:
    """All findings for one set except cross-KR duplicates, in document order."""
    rubric = rubric or load_rubric()
    findings = check_obj_count(rubric.rule("SET-OBJ-COUNT"), okr_set)
    for oi, objective in enumerate(okr_set.objectives, start=1):
        findings += objective_findings(objective, f"O{oi}", rubric)
        for ki, kr in enumerate(objective.key_results, start=1):
            findings += kr_findings(kr, f"O{oi}.KR{ki}", okr_set, rubric)
    return findings


def order_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Document order: set first, then each objective followed by its key results."""

    def key(f: Finding) -> tuple:
        if f.target == "SET":
            return (0, 0, 0)
        obj, _, kr = f.target.partition(".")
        return (1, int(obj[1:]), int(kr[2:]) if kr else 0)

    return sorted(findings, key=key)
