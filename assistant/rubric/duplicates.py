"""SET-DUPLICATE: key results that measure the same thing, in one set or across a team file.

Two key results are duplicates when they name the same metric and ask for the same
numbers — whatever the words: "Raise" or "Lift", "4.5 %" or "4.5%", "7.0" or "7", the
baseline before or after the target, a synonym ("customer churn" = "logo churn") or the
metric seen from the other side (first-contact resolution 52% → 70% = tickets needing a
second contact 48% → 30%). Different metrics on one template ("onboarding CSAT" and
"kickoff-call CSAT" from 4.1 to 4.6) are not. The finding is symmetric: both key results
get it, each naming the other.

Signatures are blocked by target value, so a 5,000-KR team file compares only key results
that already share a number.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from assistant.measure import scan_end
from assistant.measure.reading import read_kr
from assistant.model import Finding, OKRSet
from assistant.rubric.lexicon import (
    _PLACEHOLDER,
    Lexicon,
    lexicon,
    metric_words,
)
from assistant.rubric.rules import Rubric, Rule, load_rubric


@dataclass(frozen=True)
class KRRef:
    """A key result in a file: which set, its id, text and line, and how to name its set."""

    set_pos: int
    kr_id: str
    text: str
    line: int | None
    set_label: str


@dataclass(frozen=True)
class Signature:
    """What a key result measures (its metric words) and the numbers it asks for."""

    words: frozenset[str]
    target: tuple[float, str] | None
    baseline: tuple[float, str] | None
    plus: frozenset[str] = frozenset()  # inverse pairs named from their positive side
    minus: frozenset[str] = frozenset()  # … and from their negative side

    def inverse_of(self, other: Signature) -> bool:
        """One metric seen from the other side: a shared inverse pair, opposite sides
        ("inv0p" first-contact resolution, "inv0m" needing a second contact)."""
        return bool(self.plus & other.minus or self.minus & other.plus)


_MONEY = ("$", "€", "£", "¥")
_NONE: frozenset[str] = frozenset()


def _number(value: float | None, unit: str) -> tuple[float, str] | None:
    """A reading's baseline or target as compared: the value in the reading's unit, and
    its category (%, a currency, or nothing: "300 ms" and "300ms" and "300" agree)."""
    if value is None:
        return None
    base = unit.split("/")[0]
    category = "%" if unit == "%" else (base if base in _MONEY else "")
    return (round(float(value), 6), category)


def signature(text: str, lex: Lexicon) -> Signature | None:
    """None for text that cannot be compared (placeholders, nothing left once numbers go)."""
    text = text[: scan_end(text)]  # of a very long text, only the part extract reads
    if _PLACEHOLDER.search(text):
        return None
    reading = read_kr(text)
    found = frozenset(metric_words(text, lex))
    if not found:
        return None
    plus = minus = _NONE
    inverse = [w for w in found if w.startswith("inv")]
    if inverse:  # usually none: two empty sets
        plus = frozenset(w[:-1] for w in inverse if w.endswith("p"))
        minus = frozenset(w[:-1] for w in inverse if w.endswith("m"))
    target = _number(reading.target, reading.unit)
    if target is None and reading.measures.target is not None:  # "Double X": relative
        q = reading.measures.target
        target = _number(q.value, q.unit)
    baseline = None if reading.implicit_baseline else _number(reading.baseline, reading.unit)
    return Signature(found, target, baseline, plus, minus)


def signatures(sets: Sequence[OKRSet], rule: Rule) -> dict[str, Signature | None]:
    """The signature of every key-result text of ``sets`` (for ``duplicate_findings``)."""
    lex = lexicon(rule)
    return {
        kr.text: signature(kr.text, lex)
        for okr_set in sets
        for objective in okr_set.objectives
        for kr in objective.key_results
    }


def _complement(n: tuple[float, str] | None) -> tuple[float, str] | None:
    return None if n is None or n[1] != "%" else (round(100 - n[0], 6), "%")


def _numbers_agree(a: Signature, b: Signature, inverse: bool) -> bool:
    if (a.target is None) != (b.target is None):
        return False
    target = _complement(b.target) if inverse else b.target
    baseline = _complement(b.baseline) if inverse else b.baseline
    if a.target != target:
        return False
    return a.baseline is None or baseline is None or a.baseline == baseline


def same_measure(a: Signature, b: Signature, similarity: float) -> bool:
    """Whether two signatures name one metric with the same numbers (directly or inverted)."""
    for inverse in (False, True):
        if not _numbers_agree(a, b, inverse) or (inverse and not a.inverse_of(b)):
            continue
        wa, wb = a.words, b.words
        if inverse:
            wa = frozenset(w for w in wa if not w.startswith("inv"))
            wb = frozenset(w for w in wb if not w.startswith("inv"))
            if wa <= wb or wb <= wa:
                return True
            continue
        if wa == wb:
            return True
        if a.target is not None and len(wa & wb) / len(wa | wb) >= similarity:
            return True
    return False


# Key-result text → its signature, computed ahead (by the forked workers of
# ``services.critique``, each for its own sets).
Signatures = Mapping[str, Signature | None]


def duplicate_pairs(
    refs: Sequence[KRRef], rule: Rule | None = None, known: Signatures | None = None
) -> list[tuple[int, int]]:
    """Index pairs (i < j) of key results that measure the same thing."""
    rule = rule or load_rubric().rule("SET-DUPLICATE")
    lex = lexicon(rule)
    similarity = float(rule.param("similarity", 0.8))
    known = known or {}
    sigs = [known[r.text] if r.text in known else signature(r.text, lex) for r in refs]
    frequency: dict[str, int] = defaultdict(int)
    for sig in sigs:
        for word in sig.words if sig else ():
            frequency[word] += 1
    # Blocks: one per target value; key results with no number compare by words alone.
    by_target: dict[tuple[float, str], list[int]] = defaultdict(list)
    by_words: dict[frozenset[str], list[int]] = defaultdict(list)
    for i, sig in enumerate(sigs):
        if sig is not None:
            (by_words[sig.words] if sig.target is None else by_target[sig.target]).append(i)
    pairs: set[tuple[int, int]] = set()
    for members in by_words.values():
        pairs.update((i, j) for n, i in enumerate(members) for j in members[n + 1 :])
    for target, members in by_target.items():
        pairs.update(_direct_pairs(sigs, members, frequency, similarity))
        complement = _complement(target)
        if complement is not None and complement >= target:  # each pair of blocks once
            pairs.update(_inverse_pairs(sigs, members, by_target.get(complement, [])))
    return sorted(pairs)


def _direct_pairs(
    sigs: Sequence[Signature | None], members: list[int], frequency: dict[str, int], t: float
) -> set[tuple[int, int]]:
    """Pairs in one target block: a word-set Jaccard ≥ t shares one of the rarest
    ``n - ceil(t·n) + 1`` words of each side (prefix filtering), so only those are indexed."""
    index: dict[str, list[int]] = defaultdict(list)
    found: set[tuple[int, int]] = set()
    for i in members:
        a = sigs[i]
        assert a is not None
        ordered = sorted(a.words, key=lambda w: (frequency[w], w))
        prefix = ordered[: len(ordered) - math.ceil(t * len(ordered)) + 1]
        for j in {j for word in prefix for j in index[word]}:
            b = sigs[j]
            assert b is not None
            if same_measure(a, b, t):
                found.add((min(i, j), max(i, j)))
        for word in prefix:
            index[word].append(i)
    return found


def _inverse_pairs(
    sigs: Sequence[Signature | None], members: list[int], others: list[int]
) -> set[tuple[int, int]]:
    """Pairs across a target block and its complement (on-time 95% / late 5%)."""
    by_pair: dict[str, list[int]] = defaultdict(list)
    for j in others:
        b = sigs[j]
        assert b is not None
        for name in b.plus | b.minus:
            by_pair[name].append(j)
    found: set[tuple[int, int]] = set()
    for i in members:
        a = sigs[i]
        assert a is not None
        for j in {j for name in a.plus | a.minus for j in by_pair[name]}:
            if j == i:  # 50% is its own complement: a KR is never its own duplicate
                continue
            b = sigs[j]
            assert b is not None
            if same_measure(a, b, 1.0):
                found.add((min(i, j), max(i, j)))
    return found


def find_duplicates(refs: Sequence[KRRef], threshold: float | None = None) -> dict[KRRef, KRRef]:
    """Each key result that repeats an earlier one, mapped to the first it repeats.

    ``threshold`` overrides the rubric's word similarity for the same numbers.
    """
    rule = load_rubric().rule("SET-DUPLICATE")
    if threshold is not None:
        rule = rule.model_copy(update={"similarity": threshold})
    first: dict[KRRef, KRRef] = {}
    for i, j in duplicate_pairs(refs, rule):
        first.setdefault(refs[j], refs[i])
    return first


def _name(ref: KRRef, other: KRRef) -> str:
    return other.kr_id if other.set_pos == ref.set_pos else f"{other.set_label} {other.kr_id}"


def duplicate_findings(
    sets: Sequence[OKRSet], rubric: Rubric | None = None, known: Signatures | None = None
) -> list[list[Finding]]:
    """SET-DUPLICATE findings per set, comparing KRs within each source file; both key
    results of a pair get one, each naming the other. ``known`` holds signatures
    computed ahead (``signatures``)."""
    from assistant.rubric.engine import make_finding  # engine re-exports this module

    rule = (rubric or load_rubric()).rule("SET-DUPLICATE")
    by_source: dict[str | None, list[KRRef]] = defaultdict(list)
    for pos, okr_set in enumerate(sets):
        label = f"set {okr_set.index}" + (f" ({okr_set.name})" if okr_set.name else "")
        for kr_id, _objective, kr in okr_set.iter_key_results():
            by_source[okr_set.source].append(KRRef(pos, kr_id, kr.text, kr.line, label))
    result: list[list[Finding]] = [[] for _ in sets]
    for refs in by_source.values():
        partners: dict[int, list[int]] = defaultdict(list)
        for i, j in duplicate_pairs(refs, rule, known):
            partners[i].append(j)
            partners[j].append(i)
        for i in sorted(partners):
            ref, others = refs[i], [refs[j] for j in sorted(partners[i])]
            names = [_name(ref, o) for o in others]
            other = " and ".join(names[:3]) + (
                f" and {len(names) - 3} more" if len(names) > 3 else ""
            )
            result[ref.set_pos].append(
                make_finding(
                    rule, ref.kr_id, ref.line, ref.text, text=ref.text, other=other,
                    other_text=others[0].text,
                )
            )  # fmt: skip
    return result
