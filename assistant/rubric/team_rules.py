"""Team rules: the problems that only show across sets (``okr critique --cross``).

Pure functions over the sets, next to the other rules. The rules are data in
``rubrics/team_rules.yaml``:

- ``TEAM-CONFLICT``: two sets move the same metric in opposite directions.
- ``TEAM-UNALIGNED``: the file uses ``aligns_to``/``parent`` but a set is tied to no
  other set's objective (and nobody aligns to it).
- ``TEAM-OWNER-LOAD``: one person owns more key results than the limit.
- ``SET-DUPLICATE`` across files: the critique compares key results within one file;
  with several files ``--cross`` compares them across files too.

Findings carry SPEC §3 target ids; ``services.cross_checks.apply_cross`` adds them to each
set's critique and re-scores it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml

from assistant.measure import _blanked
from assistant.measure.reading import read_kr
from assistant.model import Finding, OKRSet
from assistant.rubric.duplicates import KRRef, duplicate_pairs
from assistant.rubric.engine import make_finding, order_findings
from assistant.rubric.rules import Rule, find_rule, load_rubric

TEAM_CODES: tuple[str, ...] = ("TEAM-CONFLICT", "TEAM-UNALIGNED", "TEAM-OWNER-LOAD")


# --- rule data -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamRules:
    version: int
    rules: tuple[Rule, ...]
    weakest_key_results: int

    def rule(self, code: str) -> Rule:
        return find_rule(self.rules, code)


@lru_cache(maxsize=1)
def load_team_rules() -> TeamRules:
    """The team rules shipped in ``rubrics/team_rules.yaml``."""
    text = resources.files("rubrics").joinpath("team_rules.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    return TeamRules(
        version=int(data["version"]),
        rules=tuple(Rule.from_data(r) for r in data["rules"]),
        weakest_key_results=int(data.get("summary", {}).get("weakest_key_results", 10)),
    )


def _finding(rule: Rule, okr_set: OKRSet, target: str, evidence: str, **values: object) -> Finding:
    values.setdefault("text", okr_set.target_text(target))
    line = okr_set.target_line(target)
    return make_finding(rule, target, line, evidence, offer=None, **values)  # team: no rewrite


def set_label(okr_set: OKRSet) -> str:
    """How a set is named in messages: its name, else ``set N``."""
    return okr_set.name or f"set {okr_set.index}"


# --- metrics and their direction ---------------------------------------------------------------

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9']*|\d+[A-Za-z]+[A-Za-z0-9]*|\d+(?:\.\d+)?")


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    word = word.lower().strip("'")
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) > 6 and word.endswith("ing"):
        word = word[:-3]
    elif len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    return word


@dataclass(frozen=True)
class Metric:
    """What a key result measures (stemmed words) and which way it wants it to move."""

    tokens: frozenset[str]
    direction: str | None  # "up", "down" or None (holding, or no way to tell)
    evidence: str


def metric_of(text: str, rule: Rule | None = None) -> Metric:
    """The metric words of a key result and its direction.

    The metric is the noun phrase before the baseline, target, date or ``from``
    ("Raise *average discount* from 10% to 15% to close deals"), or after a leading
    target ("Reach 50% *activation*"), without change verbs and filler. Other numbers
    name the metric and stay in it ("NPS for segment 244" ≠ "NPS for segment 12").
    The numbers decide the direction when a baseline and a target both parse
    (``from 18% to 10%`` goes down whatever the verb says); otherwise the first change
    verb does.
    """
    rule = rule or load_team_rules().rule("TEAM-CONFLICT")
    up, down, ignore = _word_sets(rule)
    reading = read_kr(text)  # the one reading: spans, numbers, direction
    measures = reading.measures
    moved = [q for q in (measures.baseline, measures.target) if q is not None]
    breaks = sorted([*measures.date_spans, *((q.start, q.end) for q in moved)])
    direction: str | None = None
    verb_span: tuple[int, int] | None = None
    metric_spans: list[tuple[int, int]] = []
    tokens: set[str] = set()
    for match in _WORD.finditer(_blanked(text, breaks)):
        stem = _stem(match.group(0))
        if metric_spans and (
            stem in _METRIC_END or _crosses(breaks, metric_spans[-1][1], match.start())
        ):
            break
        if stem in up or stem in down:
            if verb_span is None:
                verb_span = match.span()
                direction = "up" if stem in up else "down"
            continue
        if stem in ignore or (len(stem) < 2 and not stem.isdigit()):
            continue
        tokens.add(stem)
        metric_spans.append(match.span())
    if reading.moved in ("up", "down"):  # the numbers decide, in one unit
        direction = reading.moved
    elif reading.guardrail:
        direction = None  # a line held is no move
    evidence = text
    if metric_spans:
        first = metric_spans[0][0]
        if verb_span is not None and verb_span[0] < first:
            first = verb_span[0]
        evidence = text[first : metric_spans[-1][1]]
    return Metric(frozenset(tokens), direction, evidence.strip() or text)


def _crosses(breaks: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether a number or date (a break) starts in ``[start, end)``: the metric phrase
    ends there."""
    return any(start <= b < end for b, _ in breaks)


_WORD_SETS: dict[int, tuple[Rule, tuple[frozenset[str], ...]]] = {}


def _word_sets(rule: Rule) -> tuple[frozenset[str], ...]:
    """The rule's up, down and ignored words, stemmed once per rule (not per key result)."""
    hit = _WORD_SETS.get(id(rule))
    if hit is None or hit[0] is not rule:
        if len(_WORD_SETS) > 16:
            _WORD_SETS.clear()
        sets = tuple(
            frozenset(_stem(w) for w in rule.param(name, ()))
            for name in ("up_words", "down_words", "ignore_words")
        )
        hit = _WORD_SETS[id(rule)] = (rule, sets)
    return hit[1]


# Words that end the metric phrase once it has started.
_METRIC_END = frozenset({"from", "by", "while", "without", "so", "through", "via", "because"})


# --- the three team checks ------------------------------------------------------------------


@dataclass(frozen=True)
class _KR:
    pos: int
    kr_id: str
    text: str
    owner: str | None


def _key_results(sets: Sequence[OKRSet]) -> list[_KR]:
    return [
        _KR(pos, kr_id, kr.text, kr.owner or objective.owner)
        for pos, okr_set in enumerate(sets)
        for kr_id, objective, kr in okr_set.iter_key_results()
    ]


def conflict_findings(
    sets: Sequence[OKRSet], rules: TeamRules | None = None
) -> list[list[Finding]]:
    """TEAM-CONFLICT: sets that pull one metric in opposite directions.

    A metric is its noun phrase (``metric_of``): key results with the same metric words
    form a group, in one pass. A group conflicts when two sets move it opposite ways;
    then each set in it gets one finding (on its first key result of the group) naming
    the other side — one per set and metric, not one per pair of key results.
    """
    rule = (rules or load_team_rules()).rule("TEAM-CONFLICT")
    krs = _key_results(sets)
    groups: dict[frozenset[str], list[tuple[int, Metric]]] = defaultdict(list)
    for i, kr in enumerate(krs):
        metric = metric_of(kr.text, rule)
        if metric.direction is not None and metric.tokens:
            groups[metric.tokens].append((i, metric))
    out: list[list[Finding]] = [[] for _ in sets]
    for members in groups.values():
        if len({krs[i].pos for i, _ in members}) < 2:
            continue
        first_by: dict[tuple[int, str], tuple[int, Metric]] = {}
        for i, metric in members:  # document order: the first KR of each set and direction
            first_by.setdefault((krs[i].pos, metric.direction or ""), (i, metric))
        reported: set[int] = set()
        for (pos, direction), (i, metric) in first_by.items():
            if pos in reported:
                continue
            against = [
                (j, other)
                for (other_pos, other_dir), (j, other) in first_by.items()
                if other_pos != pos and other_dir != direction
            ]
            if not against:
                continue
            reported.add(pos)
            j, other = against[0]
            theirs = krs[j]
            more = len({krs[k].pos for k, _ in against}) - 1
            name = f"{set_label(sets[theirs.pos])} {theirs.kr_id}"
            out[pos].append(
                _finding(
                    rule,
                    sets[pos],
                    krs[i].kr_id,
                    metric.evidence,
                    direction=metric.direction,
                    other=name + (f" (and {more} more set{'s' * (more > 1)})" if more else ""),
                    other_set=set_label(sets[theirs.pos]),
                    other_text=theirs.text,
                    other_direction=other.direction,
                )
            )
    return out


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.casefold()).split())


_REF_WITH_ID = re.compile(
    r"^(?P<set>.*?)[\s/:#>.,-]*\b(?P<obj>O\d{1,6})(?:\s*\.?\s*KR\d+)?\s*$", re.I
)


@dataclass(frozen=True)
class Alignment:
    """Where one ``aligns_to`` value points: ``set_pos`` (and objective), or nowhere."""

    value: str
    set_pos: int | None
    objective: int | None = None


def resolve_alignment(value: str, own_pos: int, sets: Sequence[OKRSet]) -> Alignment:
    """Resolve ``aligns_to``: ``"Product O1"``, ``"Product/O1"``, ``"set 2 O1"``, a bare
    ``O2`` (this set), an objective's title (exact, or a unique part of one), or a set name."""
    names = {_norm(set_label(s)): pos for pos, s in enumerate(sets)}
    names.update(
        {f"set {s.index}": pos for pos, s in enumerate(sets) if f"set {s.index}" not in names}
    )
    match = _REF_WITH_ID.match(value.strip())
    if match:
        number = int(match.group("obj")[1:])
        set_part = _norm(match.group("set"))
        pos = own_pos if not set_part else names.get(set_part)
        if pos is not None:
            in_range = 1 <= number <= len(sets[pos].objectives)
            return Alignment(value, pos, number) if in_range else Alignment(value, None)
    wanted = _norm(value)
    if not wanted:
        return Alignment(value, None)
    titles = [
        (pos, oi, _norm(objective.title))
        for pos, okr_set in enumerate(sets)
        for oi, objective in enumerate(okr_set.objectives, start=1)
    ]
    exact = [(pos, oi) for pos, oi, title in titles if title == wanted]
    if exact:
        return Alignment(value, *exact[0])
    if wanted in names:
        return Alignment(value, names[wanted])
    partial = [(pos, oi) for pos, oi, title in titles if len(wanted) >= 8 and wanted in title]
    if len(partial) == 1:
        return Alignment(value, *partial[0])
    return Alignment(value, None)


def alignments(sets: Sequence[OKRSet]) -> list[list[Alignment]]:
    """Every ``aligns_to`` of each set (objectives and key results), resolved."""
    out: list[list[Alignment]] = []
    for pos, okr_set in enumerate(sets):
        values = [o.aligns_to for o in okr_set.objectives] + [
            kr.aligns_to for _id, _o, kr in okr_set.iter_key_results()
        ]
        out.append([resolve_alignment(v, pos, sets) for v in values if v])
    return out


def unaligned_findings(
    sets: Sequence[OKRSet], rules: TeamRules | None = None
) -> list[list[Finding]]:
    """TEAM-UNALIGNED on the sets tied to no other set, when the file uses alignment at all."""
    rule = (rules or load_team_rules()).rule("TEAM-UNALIGNED")
    out: list[list[Finding]] = [[] for _ in sets]
    resolved = alignments(sets)
    if len(sets) < 2 or not any(resolved):
        return out
    incoming: set[int] = {
        a.set_pos
        for pos, refs in enumerate(resolved)
        for a in refs
        if a.set_pos is not None and a.set_pos != pos
    }
    for pos, refs in enumerate(resolved):
        outgoing = any(a.set_pos is not None and a.set_pos != pos for a in refs)
        if outgoing or pos in incoming:
            continue
        unknown = [a.value for a in refs if a.set_pos is None]
        note = (
            " (" + ", ".join(f"aligns_to '{v}'" for v in unknown) + " names no objective here)"
            if unknown
            else ""
        )
        okr_set = sets[pos]
        out[pos].append(_finding(rule, okr_set, "SET", okr_set.name or "", unresolved=note))
    return out


def owner_loads(sets: Sequence[OKRSet]) -> dict[str, list[tuple[int, str]]]:
    """Owner (as first written) → ``[(set position, KR id)]``; a KR's owner, else its objective's."""
    loads: dict[str, list[tuple[int, str]]] = {}
    shown: dict[str, str] = {}
    for kr in _key_results(sets):
        if not kr.owner or not kr.owner.strip():
            continue
        key = " ".join(kr.owner.casefold().split())
        name = shown.setdefault(key, " ".join(kr.owner.split()))
        loads.setdefault(name, []).append((kr.pos, kr.kr_id))
    return loads


def owner_limit(rules: TeamRules | None = None) -> int:
    return int((rules or load_team_rules()).rule("TEAM-OWNER-LOAD").param("max_key_results", 4))


def owner_load_findings(
    sets: Sequence[OKRSet], rules: TeamRules | None = None
) -> list[list[Finding]]:
    """TEAM-OWNER-LOAD once per set an overloaded owner works in, on their first KR there."""
    rules = rules or load_team_rules()
    rule = rules.rule("TEAM-OWNER-LOAD")
    limit = owner_limit(rules)
    out: list[list[Finding]] = [[] for _ in sets]
    for owner, owned in owner_loads(sets).items():
        if len(owned) <= limit:
            continue
        by_set: dict[int, list[str]] = defaultdict(list)
        for pos, kr_id in owned:
            by_set[pos].append(kr_id)
        where = "; ".join(f"{set_label(sets[pos])} {', '.join(ids)}" for pos, ids in by_set.items())
        for pos, ids in by_set.items():
            okr_set = sets[pos]
            first = ids[0]
            out[pos].append(
                _finding(
                    rule,
                    okr_set,
                    first,
                    okr_set.target_text(first),
                    owner=owner,
                    count=len(owned),
                    limit=limit,
                    where=where,
                )
            )
    return out


def cross_file_duplicates(sets: Sequence[OKRSet]) -> list[list[Finding]]:
    """SET-DUPLICATE between sets of different files (within a file the critique has them)."""
    rule = load_rubric().rule("SET-DUPLICATE")
    out: list[list[Finding]] = [[] for _ in sets]
    if len({s.source for s in sets}) < 2:
        return out
    refs = [
        KRRef(pos, kr_id, kr.text, kr.line, set_label(okr_set))
        for pos, okr_set in enumerate(sets)
        for kr_id, _objective, kr in okr_set.iter_key_results()
    ]
    partners: dict[int, list[int]] = defaultdict(list)
    for i, j in duplicate_pairs(refs, rule):  # symmetric, like within a file (SPEC §4)
        if sets[refs[i].set_pos].source != sets[refs[j].set_pos].source:
            partners[i].append(j)
            partners[j].append(i)
    for i in sorted(partners):
        ref, others = refs[i], [refs[j] for j in sorted(partners[i])]
        names = [f"{o.set_label} {o.kr_id} ({sets[o.set_pos].source})" for o in others]
        out[ref.set_pos].append(
            _finding(
                rule,
                sets[ref.set_pos],
                ref.kr_id,
                ref.text,
                other=" and ".join(names[:3]) + (f" and {len(names) - 3} more" * (len(names) > 3)),
                other_text=others[0].text,
            )
        )
    return out


def cross_findings(sets: Sequence[OKRSet]) -> list[list[Finding]]:
    """Every cross-set finding, per set (same order as ``sets``)."""
    rules = load_team_rules()
    parts = (
        conflict_findings(sets, rules),
        unaligned_findings(sets, rules),
        owner_load_findings(sets, rules),
        cross_file_duplicates(sets),
    )
    return [order_findings(f for part in parts for f in part[pos]) for pos in range(len(sets))]
