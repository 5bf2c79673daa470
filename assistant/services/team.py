"""Team-file review: the problems that only show across sets (``okr critique --cross``).

Pure functions over the sets and their rules critiques. The rules are data in
``rubrics/team_rules.yaml``:

- ``TEAM-CONFLICT``: two sets move the same metric in opposite directions.
- ``TEAM-UNALIGNED``: the file uses ``aligns_to``/``parent`` but a set is tied to no
  other set's objective (and nobody aligns to it).
- ``TEAM-OWNER-LOAD``: one person owns more key results than the limit.
- ``SET-DUPLICATE`` across files: the critique compares key results within one file;
  with several files ``--cross`` compares them across files too.

Cross findings are added to each set's findings (SPEC §3 target ids) and the set is
re-scored with them like any other structure finding; a :class:`TeamSummary` holds the
table of scores per set and the weakest key results.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml
from pydantic import BaseModel, ConfigDict, Field

from assistant.measure import extract
from assistant.model import Finding, OKRSet, Report, Scores, SetCritique
from assistant.rubric.engine import KRRef, find_duplicates, make_finding, order_findings
from assistant.rubric.rules import Rule, find_rule, load_rubric
from assistant.rubric.scoring import score_set

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
        rules=tuple(Rule.model_validate(r) for r in data["rules"]),
        weakest_key_results=int(data.get("summary", {}).get("weakest_key_results", 10)),
    )


def _finding(rule: Rule, okr_set: OKRSet, target: str, evidence: str, **values: object) -> Finding:
    values.setdefault("text", okr_set.target_text(target))
    return make_finding(rule, target, okr_set.target_line(target), evidence, **values)


def set_label(okr_set: OKRSet) -> str:
    """How a set is named in messages: its name, else ``set N``."""
    return okr_set.name or f"set {okr_set.index}"


# --- metrics and their direction ---------------------------------------------------------------

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9']*|\d+[A-Za-z]+[A-Za-z0-9]*")


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

    The metric is the run of words before the first number, date or ``from``
    ("Raise *average discount* from 10% to 15% to close deals"), or after a leading
    number ("Reach 50% *activation*"), without change verbs and filler. The numbers
    decide the direction when a baseline and a target both parse (``from 18% to 10%``
    goes down whatever the verb says); otherwise the first change verb does.
    """
    rule = rule or load_team_rules().rule("TEAM-CONFLICT")
    up = {_stem(w) for w in rule.param("up_words", ())}
    down = {_stem(w) for w in rule.param("down_words", ())}
    ignore = {_stem(w) for w in rule.param("ignore_words", ())}
    measures = extract(text)
    breaks = sorted([*measures.date_spans, *((q.start, q.end) for q in measures.quantities)])
    masked = list(text)
    for start, end in breaks:
        masked[start:end] = " " * (end - start)
    direction: str | None = None
    verb_span: tuple[int, int] | None = None
    metric_spans: list[tuple[int, int]] = []
    tokens: set[str] = set()
    for match in _WORD.finditer("".join(masked)):
        stem = _stem(match.group(0))
        crossed = (
            any(metric_spans[-1][1] <= b < match.start() for b, _ in breaks)
            if metric_spans
            else False
        )
        if metric_spans and (crossed or stem in _METRIC_END):
            break
        if stem in up or stem in down:
            if verb_span is None:
                verb_span = match.span()
                direction = "up" if stem in up else "down"
            continue
        if stem in ignore or len(stem) < 2:
            continue
        tokens.add(stem)
        metric_spans.append(match.span())
    base, target = measures.baseline, measures.target
    if base is not None and target is not None and base.value != target.value:
        same_unit = not (base.unit and target.unit and base.unit != target.unit)
        if same_unit and "multiplier" not in (base.kind, target.kind):
            direction = "up" if target.value > base.value else "down"
    evidence = text
    if metric_spans:
        first = metric_spans[0][0]
        if verb_span is not None and verb_span[0] < first:
            first = verb_span[0]
        evidence = text[first : metric_spans[-1][1]]
    return Metric(frozenset(tokens), direction, evidence.strip() or text)


# Words that end the metric phrase once it has started.
_METRIC_END = frozenset({"from", "by", "while", "without", "so", "through", "via", "because"})


def _similar(a: frozenset[str], b: frozenset[str], threshold: float) -> bool:
    if not a or not b:
        return False
    return len(a & b) / len(a | b) >= threshold


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
    """TEAM-CONFLICT on both key results of every cross-set pair that pulls one metric
    in opposite directions. An inverted index on metric words keeps this near-linear."""
    rule = (rules or load_team_rules()).rule("TEAM-CONFLICT")
    threshold = float(rule.param("metric_similarity", 0.5))
    krs = _key_results(sets)
    metrics = [metric_of(kr.text, rule) for kr in krs]
    index: dict[str, list[int]] = defaultdict(list)
    for i, metric in enumerate(metrics):
        if metric.direction is not None:
            for token in metric.tokens:
                index[token].append(i)
    out: list[list[Finding]] = [[] for _ in sets]
    seen: set[tuple[int, int]] = set()
    for i, metric in enumerate(metrics):
        if metric.direction is None:
            continue
        candidates = sorted({j for t in metric.tokens for j in index[t] if j > i})
        for j in candidates:
            other = metrics[j]
            a, b = krs[i], krs[j]
            if a.pos == b.pos or other.direction in (None, metric.direction):
                continue
            if (i, j) in seen or not _similar(metric.tokens, other.tokens, threshold):
                continue
            seen.add((i, j))
            for mine, theirs, m, o in ((a, b, metric, other), (b, a, other, metric)):
                out[mine.pos].append(
                    _finding(
                        rule,
                        sets[mine.pos],
                        mine.kr_id,
                        m.evidence,
                        direction=m.direction,
                        other=f"{set_label(sets[theirs.pos])} {theirs.kr_id}",
                        other_set=set_label(sets[theirs.pos]),
                        other_text=theirs.text,
                        other_direction=o.direction,
                    )
                )
    return out


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.casefold()).split())


_REF_WITH_ID = re.compile(r"^(?P<set>.*?)[\s/:#>.,-]*\b(?P<obj>O\d+)(?:\s*\.?\s*KR\d+)?\s*$", re.I)


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
    for dup, first in find_duplicates(refs, float(rule.param("similarity", 0.8))).items():
        if sets[dup.set_pos].source == sets[first.set_pos].source:
            continue
        okr_set = sets[dup.set_pos]
        out[dup.set_pos].append(
            _finding(
                rule,
                okr_set,
                dup.kr_id,
                dup.text,
                other=f"{first.set_label} {first.kr_id} ({sets[first.set_pos].source})",
                other_text=first.text,
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


# --- the summary ------------------------------------------------------------------------------


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TeamSetRow(_Out):
    index: int
    source: str | None = None
    name: str | None = None
    scores: Scores
    key_results: int
    findings: int
    cross_findings: int


class WeakKeyResult(_Out):
    set_index: int
    set_name: str | None = None
    source: str | None = None
    id: str
    text: str
    line: int | None = None
    overall: int
    codes: list[str] = Field(default_factory=list)


class OwnerLoad(_Out):
    owner: str
    count: int
    key_results: list[str]
    over_limit: bool


class TeamSummary(_Out):
    """The ``team`` key of ``--cross`` JSON output: weakest sets and key results first."""

    sets: list[TeamSetRow] = Field(default_factory=list)
    weakest_key_results: list[WeakKeyResult] = Field(default_factory=list)
    owners: list[OwnerLoad] = Field(default_factory=list)
    owner_limit: int = 4
    uses_alignment: bool = False
    cross_findings: dict[str, int] = Field(default_factory=dict)


def team_summary(
    sets: Sequence[OKRSet], critiques: Sequence[SetCritique], cross: Sequence[Sequence[Finding]]
) -> TeamSummary:
    """Scores per set (weakest first), the weakest key results, and who owns how many."""
    rules = load_team_rules()
    rows = [
        TeamSetRow(
            index=c.index,
            source=c.source,
            name=c.name,
            scores=c.scores,
            key_results=sum(len(o.key_results) for o in c.objectives),
            findings=len(c.findings),
            cross_findings=len(extra),
        )
        for c, extra in zip(critiques, cross, strict=True)
    ]
    order = sorted(range(len(rows)), key=lambda i: (rows[i].scores.overall, i))
    weak: list[tuple[int, int, int, WeakKeyResult]] = []
    for pos, critique in enumerate(critiques):
        codes: dict[str, list[str]] = defaultdict(list)
        for f in critique.findings:
            if f.code not in codes[f.target]:
                codes[f.target].append(f.code)
        for n, objective in enumerate(critique.objectives):
            for k, kr in enumerate(objective.key_results):
                if kr.scores.overall >= 100 and not codes.get(kr.id):
                    continue
                item = WeakKeyResult(
                    set_index=critique.index,
                    set_name=critique.name,
                    source=critique.source,
                    id=kr.id,
                    text=kr.text,
                    line=kr.line,
                    overall=kr.scores.overall,
                    codes=codes.get(kr.id, []),
                )
                weak.append((kr.scores.overall, pos, n * 1000 + k, item))
    weak.sort(key=lambda w: w[:3])
    limit = owner_limit(rules)
    owners = [
        OwnerLoad(
            owner=owner,
            count=len(owned),
            key_results=[f"{set_label(sets[pos])} {kr_id}" for pos, kr_id in owned],
            over_limit=len(owned) > limit,
        )
        for owner, owned in owner_loads(sets).items()
    ]
    owners.sort(key=lambda o: (-o.count, o.owner.casefold()))
    counts: dict[str, int] = defaultdict(int)
    for extra in cross:
        for f in extra:
            counts[f.code] += 1
    return TeamSummary(
        sets=[rows[i] for i in order],
        weakest_key_results=[w[3] for w in weak[: rules.weakest_key_results]],
        owners=owners,
        owner_limit=limit,
        uses_alignment=any(alignments(sets)),
        cross_findings=dict(sorted(counts.items())),
    )


def apply_cross(sets: Sequence[OKRSet], report: Report) -> tuple[Report, TeamSummary]:
    """Add the cross-set findings to ``report`` (re-scoring each set) and build the summary.

    Scores come from the rules findings plus the cross findings, so an LLM report keeps
    the rules engine's transparent scores; the LLM's own findings are kept as they are.
    """
    if len(report.sets) != len(sets):
        raise ValueError("the report must hold one critique per set, in order")
    cross = cross_findings(sets)
    rubric = load_rubric()
    updated: list[SetCritique] = []
    for okr_set, critique, extra in zip(sets, report.sets, cross, strict=True):
        if not extra:
            updated.append(critique)
            continue
        rules_findings = [f for f in critique.findings if f.source == "rules"]
        scored = score_set(
            okr_set,
            order_findings([*rules_findings, *extra]),
            engine=critique.engine,
            rubric=rubric,
        )
        updated.append(
            critique.model_copy(
                update={
                    "scores": scored.scores,
                    "objectives": scored.objectives,
                    "findings": order_findings([*critique.findings, *extra]),
                }
            )
        )
    new_report = report.model_copy(update={"sets": updated})
    return new_report, team_summary(sets, updated, cross)
