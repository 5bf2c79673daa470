"""The rules engine: deterministic findings for every rule of SPEC §4.

Each check returns findings whose ``evidence`` is an exact substring of the
target's text, a coaching question, and a suggestion built only from the
user's own words plus placeholders such as ``[baseline]``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from assistant.ids import target_order
from assistant.measure import Measures, extract, relative_change, scan_end
from assistant.measure.periods import LabelProblem, cycle_span, outside
from assistant.measure.reading import KRReading, read
from assistant.model import Finding, KeyResult, Objective, OKRSet, Rewrite
from assistant.rubric import long_text, wording
from assistant.rubric.duplicates import (  # noqa: F401  (re-exported for the services)
    KRRef,
    duplicate_findings,
    find_duplicates,
)
from assistant.rubric.lexicon import lead_word, lexicon, metric_words
from assistant.rubric.rules import Rubric, Rule, load_rubric, per_rubric


class _SafeDict(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def make_finding(
    rule: Rule,
    target: str,
    line: int | None,
    evidence: str,
    *,
    offer: str | None = None,
    **values: object,
) -> Finding:
    """A finding with the rule's message, question and suggestion filled from ``values``.

    ``offer`` is a full rewrite of the target (placeholders allowed); it becomes the
    finding's ``Rewrite``, scored later by ``rubric.critic`` (never scraped from prose).
    """
    fill = _SafeDict(evidence=evidence)  # ``evidence`` is never in ``values`` (a parameter)
    for key, value in values.items():  # a loop, not a comprehension: ~10,000 findings
        fill[key] = value if type(value) is str else str(value)
    return Finding(
        line=line,
        source="rules",
        rewrite=None if offer is None else Rewrite(text=offer),
        code=rule.code,
        target=target,
        dimension=rule.dimension,
        severity=rule.severity,
        evidence=evidence,
        message=rule.message.format_map(fill),
        question=rule.question.format_map(fill),
        suggestion=rule.suggestion.format_map(fill),
    )


# --- key results -------------------------------------------------------------------------

_LEADING_FILLER = re.compile(
    r"^\s*(?:[-*•]\s*)?(?:(?:we|i)\s+will\s+|to\s+|successfully\s+|fully\s+|"
    r"(?:kr\s*\d*\s*[:.)-]\s*))*",
    re.IGNORECASE,
)

Reading = KRReading | Measures  # a Measures (older callers) means: read the KR here


def _read(kr: KeyResult, r: Reading) -> KRReading:
    """The KR's one reading (``measure.reading``); every check takes it."""
    return r if isinstance(r, KRReading) else read(kr)


def check_no_number(rule: Rule, kr: KeyResult, kr_id: str, r: Reading) -> list[Finding]:
    if _read(kr, r).has_number:
        return []
    return [make_finding(rule, kr_id, kr.line, kr.text, text=kr.text)]


_TO = re.compile(r"to\b", re.IGNORECASE)


def check_no_baseline(rule: Rule, kr: KeyResult, kr_id: str, r: Reading) -> list[Finding]:
    """A target with no starting value. A count of new things starts at 0 (no finding)."""
    reading = _read(kr, r)
    if not reading.stated_target or reading.has_baseline:
        return []
    m = reading.measures
    if m.target_span:
        start, end = m.target_span
        evidence = kr.text[start:end]
        if _TO.match(evidence):
            rewrite = f"{kr.text[:start]}from [baseline] {kr.text[start:]}"
        else:
            rewrite = f"{kr.text.rstrip(' .')} (today: [baseline])"
    else:
        evidence = kr.text
        rewrite = f"{kr.text} (baseline: [baseline])"
    return [
        make_finding(rule, kr_id, kr.line, evidence, offer=rewrite, text=kr.text, rewrite=rewrite)
    ]


def check_no_deadline(
    rule: Rule, kr: KeyResult, kr_id: str, r: Reading, okr_set: OKRSet
) -> list[Finding]:
    if _read(kr, r).deadline or okr_set.cycle:
        return []
    text = kr.text.rstrip(" .")
    return [make_finding(rule, kr_id, kr.line, kr.text, offer=f"{text} by [deadline]", text=text)]


def check_activity(rule: Rule, kr: KeyResult, kr_id: str, r: Reading) -> list[Finding]:
    """Work to do (a task, a migration, a launch, an output count, a habit), judged by
    meaning: tied to a measured effect or held to a performance bar, it is an outcome."""
    reading = _read(kr, r)
    if reading.guardrail:  # "Hold medication errors below 2 per 10,000": a line held
        return []
    span = wording.activity_span(rule, kr.text, reading.measures)
    if span is None:
        return []
    return [make_finding(rule, kr_id, kr.line, kr.text[span[0] : span[1]], text=kr.text)]


_MORE_THAN = re.compile(r"\s+(?:than|of)\b", re.IGNORECASE)


def check_vague(rule: Rule, kr: KeyResult, kr_id: str, r: Reading) -> list[Finding]:
    """Hedges always; change words and comparatives ("faster", "happier") only when the
    key result names no measure that would say how much."""
    hits = [
        hit
        for hit in wording.words(rule, "always_words").finditer(kr.text)
        if not (
            hit.group(0).lower() in ("more", "less", "fewer")
            and _MORE_THAN.match(kr.text, hit.end())
        )
    ]
    if not _read(kr, r).has_number:
        hits += list(wording.words(rule, "change_words").finditer(kr.text))
        hits += list(wording.words(rule, "comparatives").finditer(kr.text))
    if not hits:
        return []
    first = min(hits, key=lambda h: h.start())
    return [make_finding(rule, kr_id, kr.line, first.group(0), text=kr.text)]


def check_compound(rule: Rule, kr: KeyResult, kr_id: str, r: Reading) -> list[Finding]:
    """Two measures that can move independently ("… and NPS to 45", "… with 95% gross
    retention", "… while cutting CAC from $180 to $120"); a guardrail is not one."""
    measured = wording.compound_parts(rule, kr.text, _read(kr, r).measures)
    if len(measured) < 2:
        return []
    listed = " and ".join(f"'{p}'" for p in measured)
    return [make_finding(rule, kr_id, kr.line, kr.text, text=kr.text, parts=listed)]


def _fmt(value: float) -> str:
    return f"{value:g}"


def _shown(value: float, unit: str) -> str:
    """``32%``, ``$1.2e+06`` → ``$1200000``, ``3 days``: a reading's number as written."""
    number = f"{value:,.6g}" if abs(value) < 1e6 else f"{value:,.0f}"
    if unit in ("$", "€", "£", "¥"):
        return f"{unit}{number}"
    if unit in ("%", "", "x") or unit.startswith("/"):
        return f"{number}{unit}"
    return f"{number} {unit}"


def check_low_ambition(rule: Rule, kr: KeyResult, kr_id: str, r: Reading) -> list[Finding]:
    """A change within noise of today. Never a guardrail (it holds a line on purpose) nor
    a count of new things (it starts from 0); percentages near 100% are judged on the
    remaining gap (``_moves_enough``)."""
    reading = _read(kr, r)
    if reading.guardrail or reading.implicit_baseline or reading.contradicts:
        return []
    b, t = reading.baseline, reading.target
    if b is None or t is None or not reading.comparable:
        return []
    m = reading.measures
    base, target = m.baseline, m.target
    offer: str | None = None
    if base is not None and target is not None and target is not base:
        if "multiplier" in (base.kind, target.kind):
            return []
        span = m.baseline_span or (base.start, target.end)
        evidence = kr.text[min(span[0], target.start) : max(span[1], target.end)]
        shown_base = base.text
        # The same key result asking for a real change (numbers in fields: no text to edit).
        offer = f"{kr.text[: target.start]}[stretch target]{kr.text[target.end :]}"
    else:
        evidence = kr.text
        shown_base = _fmt(b) + (kr.unit or "")
    if _moves_enough(rule, reading):
        return []
    relative = abs(t - b) / abs(b) if b else (0.0 if t == b else math.inf)
    change = f"{relative * 100:.1f}%" if relative else "nothing"
    return [
        make_finding(
            rule,
            kr_id,
            kr.line,
            evidence,
            offer=offer,
            text=kr.text,
            change=change,
            baseline=shown_base,
        )
    ]


def _moves_enough(rule: Rule, reading: KRReading) -> bool:
    """True when the move is real once bounded percentages are judged on their remaining
    gap (99.5% → 99.95%): then KR-LOW-AMBITION stays quiet."""
    b, t = reading.baseline, reading.target
    if b is None or t is None:
        return False
    bound = float(rule.param("bounded_from", 90))
    minimum = float(rule.param("min_relative_change", 0.05))
    return relative_change(b, t, reading.unit, bound) >= minimum


_SAID = {"up": "an increase", "down": "a decrease"}
_MOVED = {"up": "up", "down": "down"}


def check_direction(rule: Rule, kr: KeyResult, kr_id: str, r: Reading) -> list[Finding]:
    """KR-DIRECTION: the verb and the numbers disagree ("Cut … from 2 hours to 4 hours")."""
    reading = _read(kr, r)
    if not reading.contradicts or reading.said is None or reading.moved is None:
        return []
    m = reading.measures
    if m.baseline_span is not None and m.target is not None:
        start = min(m.baseline_span[0], m.target.start)
        end = max(m.baseline_span[1], m.target.end)
        evidence = kr.text[start:end]
    else:
        evidence = kr.text
    lead = wording.lead_end(kr.text)
    verb = re.match(r"[A-Za-z]+", kr.text[lead:])
    base = reading.baseline if reading.baseline is not None else 0.0
    shown = m.baseline.text if m.baseline is not None else _shown(base, reading.unit)
    return [
        make_finding(
            rule, kr_id, kr.line, evidence, text=kr.text,
            verb=verb.group(0) if verb else reading.said, said=_SAID[reading.said],
            moved=_MOVED[reading.moved], baseline=shown,
            side="below" if reading.said == "down" else "above",
        )
    ]  # fmt: skip


@lru_cache(maxsize=64)
def _cycle(label: str) -> tuple[str, date, date] | None:
    try:
        return cycle_span(label)
    except LabelProblem:
        return None  # the readers refuse such a label; a set built in code is not checked


@lru_cache(maxsize=4096)
def _outside(deadline: str, start: date, end: date) -> bool:
    return outside(deadline, start, end)  # a team file repeats its deadlines


def check_outside_cycle(
    rule: Rule, kr: KeyResult, kr_id: str, r: Reading, okr_set: OKRSet
) -> list[Finding]:
    """KR-OUTSIDE-CYCLE: the KR's own deadline falls outside the set's cycle."""
    reading = _read(kr, r)
    if not okr_set.cycle or not reading.deadline:
        return []
    span = _cycle(okr_set.cycle)
    if span is None or not _outside(reading.deadline, span[1], span[2]):
        return []
    deadline = reading.deadline
    evidence = deadline if deadline in kr.text else kr.text
    start, end = _shown_dates(span[1], span[2])
    return [
        make_finding(
            rule, kr_id, kr.line, evidence, text=kr.text, cycle=span[0],
            start=start, end=end, deadline=deadline,
        )
    ]  # fmt: skip


@lru_cache(maxsize=64)
def _shown_dates(start: date, end: date) -> tuple[str, str]:
    return f"{start:%-d %b %Y}", f"{end:%-d %b %Y}"


def check_kr_too_long(rule: Rule, kr: KeyResult, kr_id: str, r: Reading) -> list[Finding]:
    """KR-TOO-LONG: more than ``max_words`` words, or longer than the text the rules read."""
    reading = _read(kr, r)
    max_words = int(rule.param("max_words", 35))
    if reading.words <= max_words and not reading.truncated:
        return []
    used = _variant(rule, "unread") if reading.truncated else rule
    return [
        make_finding(
            used, kr_id, kr.line, kr.text, text=kr.text, words=reading.words,
            max_words=max_words, chars=f"{len(kr.text):,}", checked=f"{scan_end(kr.text):,}",
        )
    ]  # fmt: skip


# --- objectives ----------------------------------------------------------------------------

_ABBREVIATIONS = re.compile(r"\b(?:e\.g|i\.e|etc|vs|approx|incl|U\.S|Inc|Ltd|Mr|Ms|Dr)\.", re.I)


_DECIMAL_POINT = re.compile(r"(?<=\d)\.(?=\d)")
_SENTENCE_END = re.compile(r"[.!?]+(?:\s+|$)")
_SENTENCE_MARKS = re.compile(r"[.!?]")


def sentence_count(text: str) -> int:
    if not _SENTENCE_MARKS.search(text):  # most titles: one sentence, nothing to split
        return 1
    cleaned = _ABBREVIATIONS.sub("ABBR", text.strip())
    cleaned = _DECIMAL_POINT.sub("", cleaned)
    return max(1, len([s for s in _SENTENCE_END.split(cleaned) if s.strip()]))


_SPACES = re.compile(r"\s{2,}")


def check_objective_number(rule: Rule, objective: Objective, obj_id: str) -> list[Finding]:
    m = extract(objective.title)
    if not m.quantities:
        return []
    q = m.quantities[0]
    start, end = m.target_span if m.target is q and m.target_span else (q.start, q.end)
    without = _SPACES.sub(" ", objective.title[:start] + objective.title[end:]).strip(" ,.")
    # A rewrite only when dropping the one number leaves a qualitative objective, not a
    # fragment ("users") or a title that still carries another number ("team 4, part 2").
    whole = len(m.quantities) == 1 and len(without.split()) >= 2
    return [
        make_finding(
            rule,
            obj_id,
            objective.line,
            q.text,
            offer=without if whole else None,
            text=objective.title,
            without=without or "[what you want to achieve, in words]",
        )
    ]


def check_bau(rule: Rule, objective: Objective, obj_id: str) -> list[Finding]:
    """Holding the line ("Maintain…", "Keep the lights on") or running a routine well
    ("Close the books on time every month"), with no change sought."""
    title = objective.title
    lead = _LEADING_FILLER.match(title)
    hit = wording.words(rule, "words").match(title, lead.end() if lead else 0)
    hit = hit or wording.words(rule, "phrases").search(title)
    if hit is not None and not wording.words(rule, "change_words").search(title):
        span = hit.span()
    else:
        routine = wording.routine_span(rule, title)
        if routine is None:
            return []
        span = routine
    return [make_finding(rule, obj_id, objective.line, title[span[0] : span[1]], text=title)]


def check_obj_activity(rule: Rule, objective: Objective, obj_id: str) -> list[Finding]:
    """OBJ-ACTIVITY: the objective is a project, or repeats one of its own key results."""
    return _obj_repeat(rule, objective, obj_id) or _obj_project(rule, objective, obj_id)


def _obj_repeat(rule: Rule, objective: Objective, obj_id: str) -> list[Finding]:
    """The objective repeats one of its own key results (the same verb and metric)."""
    title = objective.title
    lead = lead_word(title)
    # a repeat starts with the same verb ("Grow revenue" / "Grow revenue from $1M …")
    same_lead = [
        (ki, kr)
        for ki, kr in enumerate(objective.key_results, start=1)
        if lead_word(kr.text) == lead
    ]
    if not same_lead:  # most objectives: no key result starts the same way
        return []
    lex = lexicon(load_rubric().rule("SET-DUPLICATE"))
    mine = metric_words(title, lex, directions=True)
    if 2 <= len(mine) <= 8:
        for ki, kr in same_lead:
            theirs = metric_words(kr.text, lex, directions=True)
            shared = set(mine) & set(theirs)
            if (
                theirs
                and theirs[0] == mine[0]
                and set(mine[1:]) <= shared
                and len(shared) >= 0.6 * len(set(theirs))
            ):
                kr_id = f"{obj_id}.KR{ki}"
                return [
                    make_finding(
                        _variant(rule, "repeat"), obj_id, objective.line, title,
                        text=title, kr=kr_id, kr_text=kr.text,
                    )
                ]  # fmt: skip
    return []


def _obj_project(rule: Rule, objective: Objective, obj_id: str) -> list[Finding]:
    """The objective leads with project work ("Upgrade to Python 3.12")."""
    title = objective.title
    span = wording.project_span(rule, title)
    if span is None:
        return []
    return [make_finding(rule, obj_id, objective.line, title[span[0] : span[1]], text=title)]


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
        update={
            k: v for k, v in texts.items() if k in ("message", "question", "suggestion", "severity")
        }
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


# --- the whole set ---------------------------------------------------------------------------


def kr_findings(
    kr: KeyResult, kr_id: str, okr_set: OKRSet, rubric: Rubric | None = None
) -> list[Finding]:
    """Every key-result rule except duplicates, in rubric order, all from the KR's one
    reading (``measure.reading``). A key result that still holds template placeholders
    gets one "fill them in" finding and nothing else."""
    rubric = rubric or load_rubric()
    head = long_text.head(kr.text)
    if head is not None:
        short = kr.model_copy(update={"text": head})
        inner = [f for f in kr_findings(short, kr_id, okr_set, rubric) if f.code != "KR-TOO-LONG"]
        too_long = check_kr_too_long(rubric.rule("KR-TOO-LONG"), kr, kr_id, read(kr))
        return long_text.noted(inner, head, kr.text) + too_long
    rules = _kr_rules(rubric)
    placeholder = check_placeholder(rules.placeholder, kr, kr_id)
    if placeholder:
        return placeholder
    r = read(kr)
    activity = check_activity(rules.activity, kr, kr_id, r)
    no_number = rules.no_number
    if activity or wording.is_milestone(rules.activity, kr.text):
        no_number = rules.milestone  # graded done / not done
    findings: list[Finding] = []
    findings += check_no_number(no_number, kr, kr_id, r)
    findings += check_no_baseline(rules.no_baseline, kr, kr_id, r)
    findings += check_no_deadline(rules.no_deadline, kr, kr_id, r, okr_set)
    findings += activity
    findings += check_vague(rules.vague, kr, kr_id, r)
    findings += check_compound(rules.compound, kr, kr_id, r)
    findings += check_low_ambition(rules.low_ambition, kr, kr_id, r)
    findings += check_direction(rules.direction, kr, kr_id, r)
    findings += check_outside_cycle(rules.outside_cycle, kr, kr_id, r, okr_set)
    findings += check_kr_too_long(rules.too_long, kr, kr_id, r)
    return findings


@dataclass(frozen=True)
class _KRRules:
    """The key-result rules of one rubric, looked up once (asked for every key result)."""

    placeholder: Rule
    no_number: Rule
    milestone: Rule
    no_baseline: Rule
    no_deadline: Rule
    activity: Rule
    vague: Rule
    compound: Rule
    low_ambition: Rule
    direction: Rule
    outside_cycle: Rule
    too_long: Rule


@per_rubric
def _kr_rules(rubric: Rubric) -> _KRRules:
    rule = rubric.rule
    return _KRRules(
        rule("KR-PLACEHOLDER"), rule("KR-NO-NUMBER"), _variant(rule("KR-NO-NUMBER"), "milestone"),
        rule("KR-NO-BASELINE"), rule("KR-NO-DEADLINE"), rule("KR-ACTIVITY"), rule("KR-VAGUE"),
        rule("KR-COMPOUND"), rule("KR-LOW-AMBITION"), rule("KR-DIRECTION"),
        rule("KR-OUTSIDE-CYCLE"), rule("KR-TOO-LONG"),
    )  # fmt: skip


def check_placeholder(rule: Rule, kr: KeyResult, kr_id: str) -> list[Finding]:
    """KR-PLACEHOLDER: "[baseline]", "[target]"… still to be filled in (a fresh template)."""
    if "[" not in kr.text:  # most key results: no bracket, no placeholder
        return []
    found = wording.placeholders(rule, kr.text)
    if not found:
        return []
    listed = ", ".join(found)
    return [make_finding(rule, kr_id, kr.line, kr.text, text=kr.text, placeholders=listed)]


_BRACKETED = re.compile(r"\[([^\[\]]{1,200})\]")


def check_objective_placeholder(rule: Rule, objective: Objective, obj_id: str) -> list[Finding]:
    """OBJ-PLACEHOLDER: the title is still the template's "[your objective …]"."""
    if "[" not in objective.title:
        return []
    names = wording.words(rule, "words")
    if not any(names.search(m.group(1)) for m in _BRACKETED.finditer(objective.title)):
        return []
    title = objective.title
    return [make_finding(rule, obj_id, objective.line, title, text=title)]


def objective_findings(
    objective: Objective, obj_id: str, rubric: Rubric | None = None
) -> list[Finding]:
    rubric = rubric or load_rubric()
    head = long_text.head(objective.title)
    if head is not None:
        short = objective.model_copy(update={"title": head})
        findings = long_text.noted(objective_findings(short, obj_id, rubric), head, objective.title)
        findings = [f for f in findings if f.code != "OBJ-TOO-LONG"]  # counted on all of it
        findings += check_too_long(rubric.rule("OBJ-TOO-LONG"), objective, obj_id)
        return long_text.in_objective_order(findings)
    rules = _objective_rules(rubric)
    placeholder = check_objective_placeholder(rules.placeholder, objective, obj_id)
    if placeholder:  # the template's "[your objective …]": the other checks wait for it
        return placeholder + check_kr_count(rules.kr_count, objective, obj_id)
    number, bau, project, too_long = _title_checks(rubric, objective.title, obj_id, objective.line)
    findings = number + bau
    if not bau:  # a routine held steady is business as usual, not a project
        findings += _obj_repeat(rules.activity, objective, obj_id) or project
    findings += too_long
    findings += check_kr_count(rules.kr_count, objective, obj_id)
    return findings


@dataclass(frozen=True)
class _ObjectiveRules:
    """The objective rules of one rubric, looked up once (asked for every objective)."""

    placeholder: Rule
    number: Rule
    bau: Rule
    activity: Rule
    too_long: Rule
    kr_count: Rule


@per_rubric
def _objective_rules(rubric: Rubric) -> _ObjectiveRules:
    rule = rubric.rule
    return _ObjectiveRules(
        rule("OBJ-PLACEHOLDER"), rule("OBJ-HAS-NUMBER"), rule("OBJ-BAU"),
        rule("OBJ-ACTIVITY"), rule("OBJ-TOO-LONG"), rule("OBJ-KR-COUNT"),
    )  # fmt: skip


_TitleChecks = tuple[list[Finding], list[Finding], list[Finding], list[Finding]]
_BY_TITLE: dict[tuple[int, str], tuple[Rubric, _TitleChecks]] = {}


def _title_checks(rubric: Rubric, title: str, target: str, line: int | None) -> _TitleChecks:
    """The objective checks that read the title alone (number, business as usual,
    project, length) about ``target`` at ``line``, kept per title: a team file repeats
    titles, and every rewrite of an objective is checked again. The first findings of
    a title are kept as templates; a later objective gets copies, its target and line
    stamped on (findings are never modified, so a template may be handed out once)."""
    key = (id(rubric), title)
    hit = _BY_TITLE.get(key)
    if hit is None or hit[0] is not rubric:
        if len(_BY_TITLE) > 8192:
            _BY_TITLE.clear()
        bare = Objective(title=title, line=line)
        rules = _objective_rules(rubric)
        checks = (
            check_objective_number(rules.number, bare, target),
            check_bau(rules.bau, bare, target),
            _obj_project(rules.activity, bare, target),
            check_too_long(rules.too_long, bare, target),
        )
        _BY_TITLE[key] = (rubric, checks)
        return (checks[0][:], checks[1][:], checks[2][:], checks[3][:])
    number, bau, project, too_long = hit[1]
    return (
        _stamped(number, target, line),
        _stamped(bau, target, line),
        _stamped(project, target, line),
        _stamped(too_long, target, line),
    )


def _stamped(templates: list[Finding], target: str, line: int | None) -> list[Finding]:
    """Copies of template findings about ``target`` at ``line`` (each with its own rewrite)."""
    if not templates:
        return []
    return [
        f.model_copy(
            update={
                "target": target,
                "line": line,
                "rewrite": None if f.rewrite is None else Rewrite(text=f.rewrite.text),
            }
        )
        for f in templates
    ]


def set_findings(okr_set: OKRSet, rubric: Rubric | None = None) -> list[Finding]:
    """All findings for one set except cross-KR duplicates, in document order."""
    rubric = rubric or load_rubric()
    findings = check_obj_count(rubric.rule("SET-OBJ-COUNT"), okr_set)
    for oi, objective in enumerate(okr_set.objectives, start=1):
        obj_id = f"O{oi}"  # the ids of ``iter_targets``, without building a TargetId each
        findings += objective_findings(objective, obj_id, rubric)
        for ki, kr in enumerate(objective.key_results, start=1):
            findings += kr_findings(kr, f"{obj_id}.KR{ki}", okr_set, rubric)
    return findings


def order_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Document order: set first, then each objective followed by its key results."""
    return sorted(findings, key=_order_of)


@lru_cache(maxsize=4096)
def _order_of_target(target: str) -> tuple[int, ...]:
    return target_order(target)  # a few ids, thousands of findings


def _order_of(finding: Finding) -> tuple[int, ...]:
    return _order_of_target(finding.target)
