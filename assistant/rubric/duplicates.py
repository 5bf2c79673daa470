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
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from assistant.measure import _blanked, scan_end
from assistant.measure.reading import read_kr
from assistant.model import Finding, OKRSet
from assistant.rubric.rules import Rubric, Rule, load_rubric

_STOPWORDS = frozenset(
    "a an the of to by for in on and or our we us from with at as per its their all each every "
    "be is are was will new this that these those my your them it than least most more less "
    "over under above below about around approx approximately only just still already total "
    "overall number share percentage percent proportion rate level count amount score value "
    "figure metric kpi current currently today baseline target last median average so while "
    "which who into across among within".split()
)
# Direction and effort words: how a KR moves a metric, not which metric it is.
_DIRECTION = {
    **dict.fromkeys(
        "increase raise grow lift boost improve expand double triple up higher rise push "
        "accelerate".split(),
        "up",
    ),
    **dict.fromkeys(
        "reduce cut decrease lower shrink halve down drop fewer fall shorten trim slash "
        "bring".split(),
        "down",
    ),
    **dict.fromkeys("reach achieve hit get attain move take drive keep maintain hold".split(), ""),
    **dict.fromkeys("launch ship release".split(), "launch"),
    **dict.fromkeys("hire recruit".split(), "hire"),
    **dict.fromkeys("sign close win".split(), "win"),
}
_TOKEN = re.compile(r"[a-z][a-z0-9']*|\d+(?:\.\d+)?", re.IGNORECASE)
_PLACEHOLDER = re.compile(r"\[[^\[\]]{1,40}\]")
_FREQUENCY = re.compile(
    r"\b(?:a|an|per|each|every)\s+(?:day|week|month|quarter|year|night)\b", re.I
)


@dataclass(frozen=True)
class KRRef:
    """A key result in a file: which set, its id, text and line, and how to name its set."""

    set_pos: int
    kr_id: str
    text: str
    line: int | None
    set_label: str


@dataclass(frozen=True, eq=False)
class _Lexicon:
    """Synonym and inverse phrases of the rubric as stemmed word tuples, each with its
    canonical name, indexed by first word (longest phrase first)."""

    phrases: dict[str, list[tuple[tuple[str, ...], str]]]

    def fold(self, words: list[str]) -> list[str]:
        """``words`` with every known phrase replaced by its canonical name."""
        out: list[str] = []
        i = 0
        while i < len(words):
            for phrase, name in self.phrases.get(words[i], ()):
                if tuple(words[i : i + len(phrase)]) == phrase:
                    out.append(name)
                    i += len(phrase)
                    break
            else:
                out.append(words[i])
                i += 1
        return out


def _phrase_words(phrase: str) -> tuple[str, ...]:
    return tuple(_stem(w) for w in _TOKEN.findall(phrase.lower()))


@lru_cache(maxsize=4)
def _lexicon(
    synonyms: tuple[tuple[str, ...], ...], inverse: tuple[tuple[tuple[str, ...], ...], ...]
) -> _Lexicon:
    canonical: dict[tuple[str, ...], str] = {}
    for g, (plus, minus) in enumerate(inverse):
        for side, names in (("p", plus), ("m", minus)):
            for name in names:
                canonical.setdefault(_phrase_words(name), f"inv{g}{side}")
    for g, names in enumerate(synonyms):
        for name in names:
            canonical.setdefault(_phrase_words(name), f"syn{g}")
    phrases: dict[str, list[tuple[tuple[str, ...], str]]] = defaultdict(list)
    for words, name in sorted(canonical.items(), key=lambda kv: -len(kv[0])):
        if words:
            phrases[words[0]].append((words, name))
    return _Lexicon(dict(phrases))


_BY_RULE: dict[int, tuple[Rule, _Lexicon]] = {}


def lexicon(rule: Rule) -> _Lexicon:
    """The synonym/inverse lexicon of the SET-DUPLICATE rule (kept per rule object)."""
    hit = _BY_RULE.get(id(rule))
    if hit is None or hit[0] is not rule:
        synonyms = tuple(tuple(g) for g in rule.param("synonyms", ()))
        inverse = tuple(tuple(tuple(side) for side in pair) for pair in rule.param("inverse", ()))
        if len(_BY_RULE) > 64:
            _BY_RULE.clear()
        hit = _BY_RULE[id(rule)] = (rule, _lexicon(synonyms, inverse))
    return hit[1]


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    word = word.lower().strip("'")
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        stem = word[: -len(suffix)]
        if word.endswith(suffix) and (stem in _DIRECTION or stem + "e" in _DIRECTION):
            return stem if stem in _DIRECTION else stem + "e"
    return word


def metric_words(text: str, lex: _Lexicon, *, directions: bool = False) -> list[str]:
    """The words that name what ``text`` measures, in order: synonyms folded, dates, numbers
    of the move (baseline, target) and stopwords dropped. ``directions`` keeps the verbs
    ("up"/"down" for raise/cut…). Cached: objectives and rewrites ask again and again.
    Of a very long text, only the part ``extract`` reads counts."""
    return list(_metric_words(text[: scan_end(text)], lex, directions))


@lru_cache(maxsize=16384)
def _metric_words(text: str, lex: _Lexicon, directions: bool) -> tuple[str, ...]:
    m = read_kr(text).measures  # the one reading of the text (its spans)
    blank = list(m.date_spans)
    blank += [(q.start, q.end) for q in (m.baseline, m.target) if q is not None]
    cleaned = _FREQUENCY.sub(" ", _blanked(text, blank)).lower()
    out: list[str] = []
    for word in lex.fold([_stem(raw) for raw in _TOKEN.findall(cleaned)]):
        if word in _DIRECTION:
            folded = _DIRECTION[word]
            if directions:  # the verb itself matters: "Win the mid-market" ≠ "Close 12 deals"
                word = folded if folded in ("up", "down") else word
            elif folded in ("up", "down", ""):
                continue
            else:
                word = folded
        if word not in _STOPWORDS:
            out.append(word)
    return tuple(out)


_FIRST_WORD = re.compile(r"[A-Za-z][\w'-]*")


@lru_cache(maxsize=16384)
def lead_word(text: str) -> str:
    """The first word of ``text`` as ``metric_words(…, directions=True)`` would give it
    (cheap: checked before the full words are worth computing)."""
    for raw in _FIRST_WORD.findall(text[:80]):
        word = _stem(raw.split("-")[0])
        word = _DIRECTION.get(word, word) if _DIRECTION.get(word) in ("up", "down") else word
        if word not in _STOPWORDS:
            return word
    return ""


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


def _number(value: float | None, unit: str) -> tuple[float, str] | None:
    """A reading's baseline or target as compared: the value in the reading's unit, and
    its category (%, a currency, or nothing: "300 ms" and "300ms" and "300" agree)."""
    if value is None:
        return None
    base = unit.split("/")[0]
    category = "%" if unit == "%" else (base if base in _MONEY else "")
    return (round(float(value), 6), category)


def signature(text: str, lex: _Lexicon) -> Signature | None:
    """None for text that cannot be compared (placeholders, nothing left once numbers go)."""
    text = text[: scan_end(text)]  # of a very long text, only the part extract reads
    if _PLACEHOLDER.search(text):
        return None
    reading = read_kr(text)
    found = frozenset(metric_words(text, lex))
    if not found:
        return None
    plus = frozenset(w[:-1] for w in found if w.startswith("inv") and w.endswith("p"))
    minus = frozenset(w[:-1] for w in found if w.startswith("inv") and w.endswith("m"))
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
